/*
 * Collection internals shared by collect.c (inputs, layouts) and collect_host.c (hosts,
 * users, control sets).
 */
#ifndef RH_COLLECT_INTERNAL_H
#define RH_COLLECT_INTERNAL_H

#include "common/common.h"
#include "reghunt/collection.h"

/* regf base block fields used to recognise hives (docs/formats/regf.md). */
#define HDR_SIG          0x00u /* "regf" */
#define HDR_LAST_WRITTEN 0x0Cu /* FILETIME */
#define HDR_FILE_TYPE    0x1Cu /* 0 = primary file, 1/2/6 = transaction log */
#define HDR_NAME         0x30u /* 64 bytes UTF-16LE: last characters of the hive's path */
#define HDR_NAME_LEN     64u
#define HDR_READ         (HDR_NAME + HDR_NAME_LEN)

/* A transaction log of an archive member: its member name; its bytes while the hive opens. */
struct coll_log {
    char *name;   /* normalised member path */
    char *member; /* member name as stored in the archive */
    int64_t at;   /* its local header's offset in the archive, -1 unknown */
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
    char *archive, *member; /* archive members: the archive file and the member's stored name */
    int64_t at;             /* the member's local header offset in the archive, -1 unknown */
    struct coll_log logs[3];
    uint8_t *image; /* rh_collection_add_image: the hive's bytes (owned) */
    size_t image_len;
    rh_hive *hive;
    rh_status open_status;
    int open_tried;
};

/* An event input: a file, or a member of an archive (read again, streamed, when the hunt reads
 * it: never held in memory). */
struct coll_events {
    rh_coll_events pub;
    char *source, *host_key, *host_folder;
    char *path;             /* file inputs */
    char *archive, *member; /* archive members */
    int64_t at;             /* the member's local header offset, -1 unknown */
};

struct coll_host {
    rh_coll_host pub;
    char *name, *folder, *system_root;
};

struct archive;

/* An archive kept open between member reads: members are asked for in about the order they
 * are stored (hosts sorted, a hive before its logs), so reading on from where the last read
 * stopped finds the next one without starting over (collect_zip.c). */
struct zip_cursor {
    char *path;
    struct archive *a;
};

struct rh_collection {
    rh_ctx *ctx;
    struct zip_cursor zc_hive, zc_aux; /* hives; their logs and event members */
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

/* collect.c: names, paths and entries shared with the archive reader. */
int collect_is_log_name(const char *base, size_t n); /* 1 .LOG, 2 .LOG1, 3 .LOG2, else 0 */
int collect_is_event_name(const char *base, size_t n);
const char *collect_base_name(const char *p, size_t *n);
rh_status collect_make_norm(rh_ctx *ctx, const char *path, char **out);
int collect_header_is_hive(const uint8_t *hdr, size_t n);
rh_status collect_add_entry(rh_collection *c, const char *source, const char *inner_path,
                            const char *container, const uint8_t *hdr, uint64_t size,
                            struct coll_entry **out);
/* Add an event input (file when archive is NULL, else member `name` of archive). */
rh_status collect_add_events(rh_collection *c, const char *archive, const char *name, uint64_t size,
                             int64_t at);

/* collect_zip.c: archives. */
void collect_zip_close(rh_collection *c);
rh_status collect_add_zip(rh_collection *c, const char *path);
/* Open an archive hive: its logs read whole (bounded), the hive streamed out of the archive
 * (rh_hive_open_cb: only what the hive needs). */
rh_status collect_open_member(rh_collection *c, struct coll_entry *e, rh_hive_opts *o,
                              rh_hive **out);

/* Fill layout, host key, host folder, user and kind hints of e from e->norm. */
rh_status collect_analyse_path(rh_collection *c, struct coll_entry *e, const char *container);

/* Hosts, users, control sets (collect_host.c). */
rh_status collect_resolve(rh_collection *c);

#endif
