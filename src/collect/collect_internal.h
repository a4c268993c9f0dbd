/*
 * Collection internals shared by collect.c (inputs, layouts) and collect_host.c (hosts,
 * users, control sets).
 */
#ifndef RH_COLLECT_INTERNAL_H
#define RH_COLLECT_INTERNAL_H

#include "common/common.h"
#include "reghunt/collection.h"

/* An in-memory transaction log of an archive member. */
struct coll_log {
    char *name;
    uint8_t *data;
    size_t len;
};

struct coll_entry {
    rh_coll_hive pub;
    char *source;      /* display path (owned) */
    char *norm;        /* URL-decoded, '/'-separated path used for layout analysis */
    char *host_key;    /* grouping key: host folder (or directory for loose files) */
    char *host_folder; /* display name of the host folder */
    const char *layout;
    char *user, *user_sid, *profile_dir, *embedded_user;
    uint8_t *mem; /* archive member data (owned) or NULL for files */
    size_t mem_len;
    struct coll_log logs[3];
    rh_hive *hive;
    rh_status open_status;
    int open_tried;
};

/* An event log member of an archive (kept in memory for the hunt). */
struct coll_events {
    rh_coll_events pub;
    char *source, *host_key, *host_folder;
    uint8_t *mem;
};

struct coll_host {
    rh_coll_host pub;
    char *name, *folder, *system_root;
};

struct rh_collection {
    rh_ctx *ctx;
    unsigned flags;
    struct coll_entry *e;
    size_t n, cap;
    struct coll_host *hosts;
    size_t nhosts;
    struct coll_events *ev;
    size_t nev, capev;
    uint64_t files_seen, bytes, archive_bytes, event_bytes;
    int finished;
};

/* Kind from a file base name (case-insensitive), UNKNOWN if the name says nothing. */

/* Fill layout, host key, host folder, user and kind hints of e from e->norm. */
rh_status collect_analyse_path(rh_collection *c, struct coll_entry *e, const char *container);

/* Hosts, users, control sets (collect_host.c). */
rh_status collect_resolve(rh_collection *c);

#endif
