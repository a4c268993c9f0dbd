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
#define HUNT_MAX_FINDINGS     1000000u /* findings in one hunt */
#define HUNT_MAX_DATA_TEXT    4096u    /* bytes of value data kept per finding (then "...") */
#define HUNT_MAX_HEX          256u     /* binary bytes shown as hex */
#define HUNT_MAX_LOCS         32u      /* kb locations considered per key */
#define HUNT_MAX_CLASSES      500000u  /* CLSID / ProgID keys read into the COM db per view */
#define HUNT_MAX_HITS         1000000u /* kept registry writes + Sigma matches (fusion input) */
#define HUNT_MAX_EVIDENCE     65536u   /* bytes of rendered evidence per finding */
#define HUNT_MAX_RULE_REASONS 8u       /* Sigma rules named in one finding's reasons */

/* A finding: the public record, whose strings it owns (every TEXT / TEXTN field of
 * finding_fields.def; absent optional ones NULL), and what the baseline needs. */
struct hunt_finding {
    rh_finding pub;
    char *rel_key; /* key path relative to the hive root (owned) */
    size_t rel_key_len;
    char *profile_dir;    /* user's profile folder (baseline normalisation, owned) or NULL */
    unsigned sigma_rules; /* Sigma rules already named in reasons */
    /* The process that wrote the value (its write event or Sigma event), for the attack
     * chains (hunt_chain.c): owned strings or NULL; has_writer 0 = unknown. */
    int has_writer;
    char *writer_guid, *writer_image;
    uint32_t writer_pid;
    uint64_t writer_time;
};

/* A registry write or Sigma match kept for fusion (owned strings, "" when absent). */
struct hunt_hit {
    int kind;     /* HIT_WRITE, HIT_SIGMA_EVENT, HIT_SIGMA_STATE */
    char *host;   /* event Computer, or the hive's host */
    char *target; /* registry path as logged ("" for non-registry events; may hold NUL) */
    size_t target_len;
    char *details;
    char *source;
    char *image, *guid, *user;
    char *user_sid, *user_name, *hive_kind; /* sigma-state: from the hive */
    char *extra;                            /* non-registry event: command line / file name */
    char *writer_sid;  /* writer's SID from the event (4657 SubjectUserSid, ...) or "" */
    int user_inferred; /* an HKCU target was given the only user hive holding the value */
    uint32_t pid, event_id;
    uint64_t time, record_id, key_last_write;
    uint64_t ts;                    /* the event's timestamp as Sigma sees it (correlations) */
    const rh_sigma_rule_info *rule; /* Sigma hits */
};

/* HIT_SIGMA_REF: a match of a rule only correlations use; it makes no finding, it only tells
 * which events a correlation's window held. */
enum { HIT_WRITE = 0, HIT_SIGMA_EVENT = 1, HIT_SIGMA_STATE = 2, HIT_SIGMA_REF = 3 };

/* A Sigma correlation that fired over the logged events (owned strings). */
struct hunt_corr {
    const rh_sigma_rule_info *rule;
    char *group; /* "Field=value, ..." */
    char *host;  /* the last event's Computer, "" at flush */
    uint64_t value, first, last;
};

/* What the collection held for one host (kept after the collection is gone). */
struct hunt_host_rec {
    char *name;
    uint32_t build; /* rh_coll_host.build: the host's Windows build (0 = unknown) */
    size_t hives[RH_HIVE_KIND_COUNT];
    struct {
        char *sid, *user; /* either may be NULL */
        char *hku;        /* HKU\<hku>\ of the hive's findings: SID, else profile name */
    } * users;            /* one per NTUSER hive */
    size_t nusers;
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
    /* fusion */
    rh_evidence *ev;
    rh_sigma_matcher *matcher;       /* logged events */
    rh_sigma_matcher *state_matcher; /* hive state */
    struct hunt_corr *corrs;
    size_t ncorrs, capcorrs;
    struct hunt_hit *hits;
    size_t nhits, caphits;
    struct hunt_host_rec *hosts;
    size_t nhosts;
    rh_hunt_source *sources;
    size_t nsources;
    char **gaps;
    size_t ngaps;
    char **pool; /* strings owned by the hunt (sources) */
    size_t npool;
    /* prevalence (hunt_prevalence.c): hosts covered and stack keys ranked */
    rh_hunt_host *hunt_hosts; /* names borrowed from hosts[] and the findings */
    size_t nhunt_hosts;
    rh_hunt_rare *rare;
    size_t nrare;
    /* attack chains (hunt_chain.c), built after the findings are ordered */
    rh_hunt_chain *chains;
    size_t nchains;
    size_t *chain_of;    /* per finding: chain index + 1, 0 = none */
    size_t *chain_items; /* the chains' finding lists, one block */
};

/* A finding under construction: all borrowed, copied by hunt_finding_add (pub.hunt_id is
 * ignored; absent optional strings of pub stay NULL in the copy). */
struct finding_in {
    rh_finding pub;
    const char *rel_key; /* NULL = none */
    size_t rel_key_len;
    const char *profile_dir; /* NULL = none */
};

rh_status hunt_finding_add(rh_hunt *h, const struct finding_in *in);
void hunt_finding_free(rh_ctx *ctx, struct hunt_finding *f);
/* Replace one string field of a finding by an owned copy of s[0..n) (the old one is freed).
 * *field must be a TEXT / TEXTN field of a struct hunt_finding's pub. Returns RH_OK or
 * RH_ERR_NOMEM. */
rh_status hunt_finding_set(rh_ctx *ctx, const char **field, const char *s, size_t n);
/* Sort the findings into report order (risk, window, host, user, key, value, source...) and
 * number them TH-HUNTIN-<stats.date>-NNN. */
void hunt_findings_order(rh_hunt *h);
/* Remember the process that wrote finding f (copies its guid and image). RH_OK / NOMEM. */
rh_status hunt_finding_set_writer(rh_ctx *ctx, struct hunt_finding *f,
                                  const rh_evidence_proc_ref *w);

/* hunt_chain.c: group the ordered findings into attack chains; free them. */
rh_status hunt_chains_build(rh_hunt *h);
void hunt_chains_free(rh_hunt *h);

/* hunt_prevalence.c: set every finding's stack_key, stack_hosts and total_hosts, list the
 * hosts covered and rank the stack keys (after hunt_findings_order). */
rh_status hunt_prevalence(rh_hunt *h);
void hunt_prevalence_free(rh_hunt *h);

/* hunt_fuse.c */
rh_status hunt_sigma_hive(rh_hunt *h, const rh_coll_host *host, const rh_coll_hive *ch,
                          const rh_hive *hv);
rh_status hunt_note_host(rh_hunt *h, rh_collection *coll, size_t hi, size_t first, size_t end);
rh_status hunt_fuse(rh_hunt *h);
/* hunt_ioc.c: match opts.ioc against every finding (reasons, risk, threat_intel). */
rh_status hunt_ioc_apply(rh_hunt *h);
/* Close the correlation windows still open over the logged events (rh_sigma_matcher_flush). */
rh_status hunt_sigma_flush(rh_hunt *h);
/* Read the collection's in-memory event log members (zip archives) into the index. */
rh_status hunt_collection_events(rh_hunt *h, rh_collection *coll);
void hunt_fuse_free(rh_hunt *h);

/* Baseline key of a value: location, hive kind, relative key, value name, normalised data. */
int hunt_baseline_has(const rh_baseline *b, const char *loc, const char *hive_kind,
                      const char *rel_key, size_t rel_len, const char *name, size_t name_len,
                      const char *data, size_t data_len, const char *profile_dir);
/* Set in->in_baseline / in->in_allowlist for a value about to be scored, from the hive walk
 * and from write events alike: hive_kind "SOFTWARE"..., canon_key the key as findings show it,
 * text the data's display text, profile_dir the user's profile folder or NULL. */
void hunt_known_mark(const rh_hunt *h, rh_score_input *in, const char *hive_kind,
                     const char *canon_key, size_t canon_len, const char *text, size_t text_len,
                     const char *profile_dir);
/* RH_KNOWN_* of a scored input. */
unsigned hunt_known_flags(const rh_score_input *in);
int hunt_allowlist_match(const rh_allowlist *a, const char *key, size_t key_len, const char *name,
                         size_t name_len, const char *data, size_t data_len, const char *loc);

#endif
