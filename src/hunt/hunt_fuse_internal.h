/*
 * Internals shared by the fusion files of the hunt: hunt_fuse_util.c, hunt_ingest.c,
 * hunt_synth.c, hunt_coverage.c, hunt_attrib.c and hunt_fuse.c (docs/architecture.md).
 */
#ifndef RH_HUNT_FUSE_INTERNAL_H
#define RH_HUNT_FUSE_INTERNAL_H

#include "hunt_internal.h"

/* A logged registry path mapped to a kb hive. */
struct target_map {
    rh_kb_hive kbh;
    rh_buf canon_key; /* display key: HKLM\SOFTWARE\..., HKU\<SID>\..., HKU\<SID>_Classes\... */
    rh_buf rel_key;   /* relative to the hive root (CurrentControlSet -> ControlSet001) */
    rh_buf value;     /* value name ("" = default) */
    rh_buf sid;       /* user SID or "" */
};

/* Merge keys ("HOST|NORMALIZED\KEY\VALUE", copied) -> finding index. */
struct mindex {
    struct rh_strmap map;
};

/* hosts (hunt_fuse_util.c) */
struct hunt_host_rec *hunt_host_rec(rh_hunt *h, const char *name);
const char *hunt_user_of_sid(const struct hunt_host_rec *r, const char *sid);

/* logged registry path -> kb hive and location (hunt_fuse_util.c) */
void hunt_map_init(struct target_map *m, rh_ctx *ctx);
void hunt_map_free(struct target_map *m);
rh_status hunt_map_target(const char *t, size_t n, struct target_map *m);
const rh_kb_location *hunt_kb_loc(const rh_hunt *h, const struct target_map *m);

/* merge index: host + normalized key\value -> finding (hunt_fuse_util.c) */
char *hunt_merge_key(rh_ctx *ctx, const char *host, const char *path, size_t n);
char *hunt_finding_key(rh_ctx *ctx, const rh_finding *f);
char *hunt_hit_key(rh_ctx *ctx, const rh_hunt *h, const struct hunt_hit *x);
void hunt_mindex_init(rh_ctx *ctx, struct mindex *m);
rh_status hunt_mindex_put(rh_ctx *ctx, struct mindex *m, char *key, size_t idx);
int hunt_mindex_get(const struct mindex *m, const char *key, size_t *idx);
void hunt_mindex_free(rh_ctx *ctx, struct mindex *m);
rh_status hunt_push_map(rh_hunt *h, struct mindex *mi, size_t idx);

/* hits (hunt_ingest.c) */
void hunt_hit_free(rh_ctx *ctx, struct hunt_hit *x);

/* finding synthesis (hunt_synth.c) */
rh_status hunt_add_reason(rh_hunt *h, struct hunt_finding *f, const char *text);
rh_status hunt_write_evidence(rh_hunt *h, const char *host, const rh_evidence_write *w,
                              const char *target_path, rh_buf *out);
const char *hunt_gap_reason(rh_hunt *h, const char *host, rh_evidence_fusion state, rh_buf *tmp);
rh_status hunt_finding_from_write(rh_hunt *h, const struct hunt_hit *x, size_t nwrites,
                                  struct mindex *mi);
rh_status hunt_finding_from_sigma(rh_hunt *h, const struct hunt_hit *x, struct mindex *mi);
rh_status hunt_merge_sigma(rh_hunt *h, struct hunt_finding *f, const struct hunt_hit *x);
/* The hits of the fusion pass in merge-key order (hunt_fuse.c). */
struct hit_ord {
    char *key;
    size_t i;
    const struct hunt_hit *x;
};
/* Join every correlation of h->corrs to the findings its window's events belong to (by merge
 * key, or as the finding's writing process): a reason and at least the rule's level as risk;
 * a correlation that joins none becomes a finding of its own (hunt_synth.c). */
rh_status hunt_join_correlations(rh_hunt *h, const struct hit_ord *ord, struct mindex *mi);

/* coverage (hunt_coverage.c) */
rh_status hunt_build_sources(rh_hunt *h);

/* HKCU attribution (hunt_attrib.c) */
rh_status hunt_resolve_hkcu(rh_hunt *h, struct hunt_hit *x, const struct mindex *mi);
rh_status hunt_note_inferred(rh_hunt *h, struct hunt_finding *f);

#endif
