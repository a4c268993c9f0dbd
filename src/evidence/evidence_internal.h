/*
 * Evidence index internals: interned strings, chunked record pools with stable addresses,
 * one open-addressing multimap for every lookup key, hosts and their log statistics.
 */
#ifndef RH_EVIDENCE_INTERNAL_H
#define RH_EVIDENCE_INTERNAL_H

#include "common/common.h"
#include "reghunt/evidence.h"

/* Defaults (why: see docs/correlation.md "Limits"). */
#define EV_DEFAULT_MAX_RECORDS (4u << 20) /* ~150 B each: about 600 MiB worst case */
#define EV_DEFAULT_MAX_STRING  32768u     /* a Windows command line is <= 32767 UTF-16 units */
#define EV_DEFAULT_MAX_DEPTH   64u        /* real trees are < 20 deep (smss..payload) */
#define EV_DEFAULT_MAX_RESULTS 10000u
#define EV_DEFAULT_MAX_HOSTS   65536u
#define EV_MAX_STATS_PER_HOST  1024u /* distinct (channel, event id) per host */
#define EV_MAX_SPANS_PER_HOST  4096u /* distinct (channel, input file) per host */
/* Clock tolerance between a process's start and events about it: Sysmon UtcTime is taken
 * before TimeCreated, and 4688/Sysmon 1 of the same process differ by milliseconds. */
#define EV_SKEW (2ull * 10000000ull)

#define EV_NONE UINT32_MAX

/* ---- chunked pools: element addresses never move --------------------------------------- */

#define EV_CHUNK_SHIFT 8u
#define EV_CHUNK       (1u << EV_CHUNK_SHIFT)

struct ev_pool {
    unsigned char **chunks;
    size_t nchunks, capchunks;
    size_t elem;
    uint32_t count;
};

static inline void *ev_pool_at(const struct ev_pool *p, uint32_t i)
{
    return p->chunks[i >> EV_CHUNK_SHIFT] + (size_t)(i & (EV_CHUNK - 1)) * p->elem;
}

/* ---- multimap: (a, b) -> head record index; records chain through their own next field --
 * Not an rh_strmap: a key is two integers (kind + host, and an interned string's address, a
 * pid or a fingerprint hash), looked up by every record insert and query, so a slot is the
 * pair itself with no key bytes to store, hash or compare. */

enum ev_kind {
    EV_K_WKEY = 1, /* write by exact key: b = interned key */
    EV_K_WALIAS,   /* write by view alias (HKCU\X, HKCR\X): b = interned alias key */
    EV_K_WALIAS2,  /* second alias (HKU\<SID>\SOFTWARE\CLASSES\X: HKCU\... and HKCR\...) */
    EV_K_WNEW,     /* rename by new key: b = interned new key */
    EV_K_PGUID,    /* process by guid: b = interned guid (unique) */
    EV_K_PPID,     /* processes by pid: b = pid */
    EV_K_XGUID,    /* exits by guid */
    EV_K_XPID,     /* exits by pid */
    EV_K_CGUID,    /* connections by guid */
    EV_K_CPID,     /* connections by pid (events without guid) */
    EV_K_FGUID,    /* files by guid */
    EV_K_FPID,     /* files by pid (events without guid) */
    EV_K_FNAME,    /* files by folded base name */
    EV_K_SEEN,     /* dedup fingerprints: b = hash */
    EV_K_SPAN,     /* spans by source: b = interned source */
    EV_K_HOST,     /* host by folded key: b = interned key */
};

struct ev_slot {
    uint64_t a, b;
    uint32_t val;
    uint32_t used;
};

struct ev_map {
    struct ev_slot *slots;
    size_t cap, count;
};

static inline uint64_t ev_mkey(enum ev_kind k, uint32_t host)
{
    return ((uint64_t)k << 32) | host;
}

/* ---- records --------------------------------------------------------------------------- */

struct ev_write {
    rh_evidence_write pub;
    uint32_t host;
    uint32_t next_key, next_alias, next_alias2, next_new;
};

struct ev_proc {
    rh_evidence_process pub; /* pub.end unused here: exits are resolved at query time */
    uint32_t host;
    uint32_t next_pid;
};

struct ev_exit {
    uint32_t host, pid;
    const char *guid;
    uint64_t time;
    uint32_t next;
};

struct ev_conn {
    rh_evidence_conn pub;
    uint32_t host;
    uint32_t next;
};

struct ev_file {
    rh_evidence_file pub;
    uint32_t host;
    uint32_t next, next_name;
    const char *folded; /* folded path (upper-case, `\`, no \\?\ prefix) */
};

struct ev_seen {
    const char *channel;
    uint64_t record_id, time, content;
    uint32_t event_id;
    uint32_t next;
};

struct ev_span {
    const char *channel, *provider, *source;
    uint64_t first, last, count;
    uint32_t next;
    uint32_t host;
};

struct ev_host {
    const char *name;        /* display: Computer as first seen */
    const char *key;         /* folded short name */
    rh_evidence_stat *stats; /* sorted by (channel, event id) */
    size_t nstats, capstats;
    size_t last_stat;
    uint32_t nspans;
    uint64_t events, writes, processes, conns, files, n4657;
    uint64_t clears, last_clear;
};

/* ---- the index ------------------------------------------------------------------------- */

struct rh_evidence {
    rh_ctx *ctx;
    uint32_t max_records, max_string, max_depth, max_results, max_hosts;
    rh_events_opts read;
    /* interned strings: the map's key copies are the interned text */
    struct rh_strmap strs;
    /* hosts */
    struct ev_host *hosts;
    uint32_t nhosts;
    size_t caphosts;
    uint32_t last_host;
    const char *last_host_raw;
    /* records */
    struct ev_pool writes, procs, exits, conns, files, seen, spans;
    struct ev_map map;
    /* scratch buffers for ingestion */
    rh_buf tmp, tmp2;
    rh_evidence_counts counts;
    int warned_full;
};

/* evidence_store.c */
rh_status ev_pool_add(rh_evidence *ev, struct ev_pool *p, uint32_t *idx, void **elem);
void ev_pool_free(rh_evidence *ev, struct ev_pool *p);
uint32_t ev_map_get(const struct ev_map *m, uint64_t a, uint64_t b);
rh_status ev_map_put(rh_evidence *ev, uint64_t a, uint64_t b, uint32_t val);
/* Intern n bytes (cut at max_string on a character boundary, NUL -> U+FFFD). NULL on OOM. */
const char *ev_intern(rh_evidence *ev, const char *s, size_t n);
/* Look up without inserting: NULL when the string was never interned (cut the same way). */
const char *ev_lookup(const rh_evidence *ev, const char *s, size_t n);
uint64_t ev_hash(const void *p, size_t n, uint64_t seed);
/* Fold a host name to its key (short name, upper case) into out. */
rh_status ev_host_fold(const char *name, size_t n, rh_buf *out);
/* Host index for an event's Computer, creating it; EV_NONE when max_hosts is reached. */
rh_status ev_host_get_or_add(rh_evidence *ev, const char *computer, uint32_t *out);
/* The host a query names: its index, EV_ALL (NULL or "": every host) or EV_NONE (unknown).
 * RH_ERR_NOMEM is reported as EV_NONE with *st set. */
#define EV_ALL (UINT32_MAX - 1)
uint32_t ev_host_find(const rh_evidence *ev, const char *host, rh_status *st);
/* Append the folded (case-insensitive) form of UTF-8 text. */
rh_status ev_fold_append(rh_buf *out, const char *p, size_t n);
/* Fold a file path: upper case, '/' -> '\', drop \\?\ and \??\ and quotes. */
rh_status ev_path_fold(rh_buf *out, const char *p, size_t n);

/* evidence_field.c: event fields. Interning functions set *st to RH_ERR_NOMEM on OOM. */
/* Field `name` of e, or NULL when absent, empty, null-typed or "-". */
const rh_event_field *ev_field(const rh_event *e, const char *name);
/* Interned text of field `name`; NULL when absent. */
const char *ev_istr(rh_evidence *ev, const rh_event *e, const char *name, rh_status *st);
/* Interned copy of n bytes of s. */
const char *ev_istr_raw(rh_evidence *ev, const char *s, size_t n, rh_status *st);
/* Field `name` as a decimal or 0x-hex 32-bit number; 0 when absent or malformed. */
uint32_t ev_num32(const rh_event *e, const char *name);
/* Time field `name` (ISO text) as a FILETIME, else the event's timestamp. */
uint64_t ev_time_of(const rh_event *e, const char *name);
/* "{UPPER-CASE}" form of a GUID; nothing appended for empty or all-zero GUIDs. */
rh_status ev_guid_norm(rh_buf *out, const char *s, size_t n);
/* Interned ev_guid_norm() form of GUID field `name`; NULL when absent or all zero. */
const char *ev_iguid(rh_evidence *ev, const rh_event *e, const char *name, rh_status *st);
/* Interned ev_guid_norm() form of GUID field f (may be NULL); NULL when absent or all zero. */
const char *ev_iguid_of(rh_evidence *ev, const rh_event_field *f, rh_status *st);
/* Interned text of field f; NULL when f is NULL. */
const char *ev_ifield(rh_evidence *ev, const rh_event_field *f, rh_status *st);
/* Interned user of an actor: "DOMAIN\name", "name", else its SID; NULL when none. */
const char *ev_iactor_user(rh_evidence *ev, const rh_evidence_actor *a, rh_status *st);
/* n capped at the index's max_string: the bytes of an input handed to a normalizer. */
size_t ev_capn(const rh_evidence *ev, size_t n);

/* evidence_add.c */
/* Where the value name starts in a normalized `key\value` path as Sysmon logs it: at the
 * first `\\` (a value name starting with a backslash), else after the last `\`.
 * Returns the key length (the separator is at that offset), or n when there is none. */
size_t ev_split_value(const char *full, size_t n);

/* evidence_proc.c */
/* The process alive as (host, guid, pid) at time t: its index or EV_NONE. */
uint32_t ev_proc_find(const rh_evidence *ev, uint32_t host, const char *guid, uint32_t pid,
                      uint64_t t, rh_evidence_link *how);
uint64_t ev_proc_end(const rh_evidence *ev, const struct ev_proc *p);

/* evidence_query.c */
/* Coverage over hosts [h0, h1) (see rh_evidence_coverage); returns 1 when such logs exist. */
int ev_cover_range(const rh_evidence *ev, uint32_t h0, uint32_t h1, const char *what,
                   uint64_t filetime, rh_evidence_cover *out);

#endif
