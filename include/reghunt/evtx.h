/*
 * reghunt: Windows XML event log (EVTX) reader with its own BinXML parser, plus helpers for
 * the normalized event stream (include/reghunt/event.h) that every event source produces.
 *
 * The reader streams: memory stays bounded by a few 64 KiB chunks (one per worker thread,
 * two per thread in flight) plus the templates and names of those chunks, whatever the file
 * size. Damage is the normal case: a bad chunk header or record checksum is an anomaly
 * (rh_diag, component "evtx"), a record whose BinXML cannot be parsed is skipped with an
 * anomaly, and the rest of the file is still read. Strict mode (rh_ctx_set_strict) turns the
 * first anomaly into RH_ERR_STRICT.
 *
 * An rh_evtx is not safe for concurrent use; rh_evtx_read() runs its own worker threads.
 */
#ifndef REGHUNT_EVTX_H
#define REGHUNT_EVTX_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "event.h"
#include "regpath.h"
#include "status.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rh_evtx rh_evtx;

/* File header flags (rh_evtx_info.flags). */
#define RH_EVTX_FILE_DIRTY 0x1u
#define RH_EVTX_FILE_FULL  0x2u

/** What the file header says, and what the file holds. Borrowed: valid until rh_evtx_close(). */
typedef struct rh_evtx_info {
    const char *path;
    uint64_t file_size;
    int header_ok;               /* signature "ElfFile" present */
    uint16_t major, minor;       /* 3.1 (Vista..8) or 3.2 (8.1+) */
    uint32_t header_size;        /* 128 */
    uint16_t header_chunk_count; /* chunks in use according to the header */
    uint64_t first_chunk, last_chunk, next_record_id;
    uint32_t flags; /* RH_EVTX_FILE_* */
    uint32_t checksum_stored, checksum_computed;
    int checksum_ok;
    uint64_t chunks_in_file; /* whole 64 KiB blocks after the 4 KiB header */
    uint64_t slack_bytes;    /* bytes after the last whole chunk */
} rh_evtx_info;

/** Counters filled by rh_evtx_read(). Borrowed: valid until rh_evtx_close(). */
typedef struct rh_evtx_stats {
    uint64_t chunks;       /* 64 KiB blocks looked at */
    uint64_t chunks_empty; /* all-zero (never used) blocks */
    uint64_t chunks_bad;   /* blocks without a chunk signature (skipped or carved) */
    uint64_t chunk_header_crc_bad;
    uint64_t chunk_data_crc_bad;
    uint64_t records;           /* records delivered, recovered ones included */
    uint64_t records_bad;       /* records skipped because they could not be parsed */
    uint64_t records_recovered; /* carved from unused chunk space or slack */
    uint64_t anomalies;
} rh_evtx_stats;

/**
 * Open an EVTX file (read-only; no mmap; chunks are read with pread as they are needed).
 * Returns RH_OK, RH_ERR_IO, RH_ERR_FORMAT (no EVTX file or chunk signature), RH_ERR_NOMEM or
 * RH_ERR_STRICT. On failure *out is NULL. Owned: close with rh_evtx_close().
 */
RH_API rh_status rh_evtx_open(rh_ctx *ctx, const char *path, rh_evtx **out);

/**
 * Open an EVTX image held in memory. Borrowed: `data` must stay valid and unchanged until
 * rh_evtx_close(). `name` labels diagnostics (copied). Same returns as rh_evtx_open().
 */
RH_API rh_status rh_evtx_open_mem(rh_ctx *ctx, const char *name, const void *data, size_t len,
                                  rh_evtx **out);

/**
 * Open an EVTX read forward through rd (an archive member or a decompressed stream): the file
 * header, then one 64 KiB chunk at a time, never the whole log. Sizes (file_size,
 * chunks_in_file, slack_bytes) are known once rh_evtx_read() has reached the end; reading is
 * single-threaded and happens once. rd and user must stay valid until rh_evtx_close(). Same
 * returns as rh_evtx_open(), or rd's error.
 */
RH_API rh_status rh_evtx_open_cb(rh_ctx *ctx, const char *name, rh_read_fn rd, void *user,
                                 rh_evtx **out);

/** Close a reader. Accepts NULL. */
RH_API void rh_evtx_close(rh_evtx *evtx);

/** Borrowed: valid until rh_evtx_close(). */
RH_API const rh_evtx_info *rh_evtx_get_info(const rh_evtx *evtx);

/** Borrowed: counters of the last rh_evtx_read(), valid until rh_evtx_close(). */
RH_API const rh_evtx_stats *rh_evtx_get_stats(const rh_evtx *evtx);

/* Read flags (rh_evtx_read_opts.flags). RH_EVENTS_RECOVER (event.h) is accepted too. */
#define RH_EVTX_RECOVER RH_EVENTS_RECOVER /* carve records from unused chunk space and slack */
#define RH_EVTX_XML     0x10u /* render each record as Windows-style XML (rh_evtx_record.xml) */
#define RH_EVTX_JSON    0x20u /* render each record as one line of JSON (rh_evtx_record.json) */

/** Options for rh_evtx_read(). Zero-initialise. */
typedef struct rh_evtx_read_opts {
    unsigned flags;   /* RH_EVTX_* */
    unsigned threads; /* 0 or 1: parse in the calling thread; N: N worker threads */
} rh_evtx_read_opts;

/**
 * One record. Borrowed: every pointer is valid only during the callback.
 * `xml` / `json` are NULL unless requested; both are NUL-terminated UTF-8 without a
 * trailing newline.
 */
typedef struct rh_evtx_record {
    uint64_t record_id; /* from the record header */
    uint64_t written;   /* FILETIME from the record header */
    uint64_t offset;    /* byte offset of the record in the file */
    uint32_t flags;     /* RH_EVENT_RECOVERED */
    const rh_event *event;
    const char *xml;
    size_t xml_len;
    const char *json;
    size_t json_len;
} rh_evtx_record;

typedef rh_status (*rh_evtx_record_fn)(const rh_evtx_record *rec, void *user);

/**
 * Read every record in file order (chunk by chunk, records in chunk order) and call fn.
 * With threads > 1, chunks are parsed in parallel but records and diagnostics are still
 * delivered in file order from the calling thread. opts may be NULL. The callback's non-OK
 * status stops the read and is returned. Returns RH_OK, the callback's status, RH_ERR_IO,
 * RH_ERR_NOMEM or RH_ERR_STRICT. May be called more than once.
 */
RH_API rh_status rh_evtx_read(rh_evtx *evtx, const rh_evtx_read_opts *opts, rh_evtx_record_fn fn,
                              void *user);

#ifdef __cplusplus
}
#endif
#endif
