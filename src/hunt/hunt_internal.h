/*
 * Hunt internals shared by hunt.c (walk, scoring), hunt_finding.c (storage, order, ids) and
 * hunt_known.c (baseline, allowlist).
 */
#ifndef RH_HUNT_INTERNAL_H
#define RH_HUNT_INTERNAL_H

#include "common/common.h"
#include "reghunt/hunt.h"
#include "reghunt/interp.h"

/* Caps (why: a real hive has a few hundred persistence values; these stop pathological
 * input from exhausting memory). */
#define HUNT_MAX_FINDINGS  1000000u /* findings in one hunt */
#define HUNT_MAX_DATA_TEXT 4096u    /* bytes of value data kept per finding (then "...") */
#define HUNT_MAX_HEX       256u     /* binary bytes shown as hex */
#define HUNT_MAX_LOCS      32u      /* kb locations considered per key */
#define HUNT_MAX_CLASSES   500000u  /* CLSID / ProgID keys read into the COM db per view */

struct hunt_finding {
    rh_finding pub;
    char *rel_key; /* key path relative to the hive root */
    size_t rel_key_len;
    char *profile_dir; /* user's profile folder (baseline normalisation) or NULL */
    char *strs[20];    /* every owned string of pub, rel_key, profile_dir */
    unsigned nstrs;
};

struct rh_hunt {
    rh_ctx *ctx;
    const rh_kb *kb;
    rh_hunt_opts opts;
    int date_fixed;
    struct hunt_finding **f;
    size_t n, cap;
    rh_hunt_stats stats;
    int finished;
};

/* Values of a finding under construction (all borrowed; copied by hunt_finding_add). */
struct finding_in {
    rh_finding_source source;
    const char *technique, *technique_name, *location_id, *host, *user, *user_sid;
    const char *source_file, *hive_kind;
    const char *key_path;
    size_t key_path_len;
    const char *rel_key;
    size_t rel_key_len;
    const char *value_name;
    size_t value_name_len;
    const char *value_type, *value_data;
    size_t value_data_len;
    uint64_t key_last_write;
    const char *target_path, *path_class;
    rh_risk risk;
    rh_confidence confidence;
    rh_action action;
    const char *reasons, *recommended_action;
    int deleted, from_log_replay, hidden_name, is_default;
    unsigned known_good;
    const char *profile_dir;
};

rh_status hunt_finding_add(rh_hunt *h, const struct finding_in *in);
void hunt_finding_free(rh_ctx *ctx, struct hunt_finding *f);

/* Baseline key of a value: location, hive kind, relative key, value name, normalised data. */
int hunt_baseline_has(const rh_baseline *b, const char *loc, const char *hive_kind,
                      const char *rel_key, size_t rel_len, const char *name, size_t name_len,
                      const char *data, size_t data_len, const char *profile_dir);
int hunt_allowlist_match(const rh_allowlist *a, const char *key, size_t key_len, const char *name,
                         size_t name_len, const char *data, size_t data_len, const char *loc);

#endif
