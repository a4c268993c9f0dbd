/*
 * reghunt: library context: diagnostics callback, limits, allocator hooks, strict mode.
 */
#ifndef REGHUNT_CTX_H
#define REGHUNT_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rh_ctx rh_ctx;

/** Severity of a diagnostic. ANOMALY = damaged or suspicious input that was worked around. */
typedef enum rh_diag_level {
    RH_DIAG_INFO = 0,
    RH_DIAG_ANOMALY = 1,
    RH_DIAG_WARNING = 2,
    RH_DIAG_ERROR = 3,
} rh_diag_level;

/** One diagnostic. All pointers are borrowed: valid only during the callback. */
typedef struct rh_diag {
    rh_diag_level level;
    const char *component; /* "regf", "evtx", "sigma", ... */
    const char *source;    /* file name or rule path; may be NULL */
    int64_t offset;        /* byte offset in source, or -1 */
    int line, col;         /* 1-based position for text sources, or 0 */
    const char *message;   /* one line, no trailing newline */
} rh_diag;

typedef void (*rh_diag_fn)(const rh_diag *diag, void *user);

/**
 * Limits applied to untrusted input. Every field has a default (see rh_limits_default());
 * 0 is never "unlimited".
 */
typedef struct rh_limits {
    uint64_t max_file_size;   /* largest input file read into memory (bytes) */
    uint32_t max_key_depth;   /* deepest key path followed in a hive */
    uint32_t max_keys;        /* keys per hive (live + deleted) */
    uint32_t max_subkeys;     /* entries in one subkey list (all ri leaves together) */
    uint32_t max_values;      /* entries in one values list */
    uint32_t max_value_size;  /* bytes of one value's data (incl. big data) */
    uint32_t max_name_len;    /* bytes of one key/value name on disk */
    uint32_t max_diags;       /* anomalies reported per input before they are only counted */
    uint32_t max_xml_depth;   /* BinXML / YAML / condition nesting */
    uint32_t max_log_entries; /* transaction log entries applied per log */
    /* Bytes of one hive held in memory after its 4 KiB base block: hive bins, log replay
     * growth and (for deleted-data recovery) the remnant after the bins. A declared or found
     * hive-bins size above it is refused with RH_ERR_LIMIT; the file's size does not count
     * (rh_hive_open reads only what the hive needs). Distinct from max_file_size, which
     * bounds whole-file reads (logs, EVTX, JSON). */
    uint64_t max_hive_size;
    /* A hive file whose bins exceed this many bytes is not read whole: its bins are read on
     * demand in 64 KiB chunks, cached up to this many bytes; logs replayed into it write an
     * overlay of only the pages they change (deleted-data recovery reads it whole). 0 = the
     * default (32 MiB). */
    uint64_t hive_cache_size;
} rh_limits;

/** Fill *out with the default limits. */
RH_API void rh_limits_default(rh_limits *out);

/**
 * A sequential byte source (an archive member streamed out of its archive): copy up to n
 * bytes to p and set *got (0 = the end). Return RH_OK, or an error status, which ends the
 * read and is returned by the reader.
 */
typedef rh_status (*rh_read_fn)(void *user, void *p, size_t n, size_t *got);

/** Allocator hooks (all three or none). */
typedef struct rh_allocator {
    void *(*malloc_fn)(size_t size, void *user);
    void *(*realloc_fn)(void *ptr, size_t size, void *user);
    void (*free_fn)(void *ptr, void *user);
    void *user;
} rh_allocator;

/**
 * Create a context. alloc may be NULL (use the C library). Owned: free with rh_ctx_destroy().
 * Returns RH_OK or RH_ERR_NOMEM; on failure *out is NULL.
 */
RH_API rh_status rh_ctx_create(const rh_allocator *alloc, rh_ctx **out);

/** Destroy a context. Accepts NULL. Every object created with it must be closed first. */
RH_API void rh_ctx_destroy(rh_ctx *ctx);

/** Set the diagnostics callback (NULL: diagnostics are only counted). */
RH_API void rh_ctx_set_diag(rh_ctx *ctx, rh_diag_fn fn, void *user);

/** Replace the limits. */
RH_API void rh_ctx_set_limits(rh_ctx *ctx, const rh_limits *limits);

/** Borrowed: the current limits, valid until the next rh_ctx_set_limits(). */
RH_API const rh_limits *rh_ctx_limits(const rh_ctx *ctx);

/** Strict mode: any anomaly makes the operation fail with RH_ERR_STRICT (for tests). */
RH_API void rh_ctx_set_strict(rh_ctx *ctx, int strict);

/** Number of anomalies reported through this context so far. */
RH_API uint64_t rh_ctx_anomaly_count(const rh_ctx *ctx);

/** Allocate through the context's allocator. Owned: free with rh_free(). */
RH_API void *rh_malloc(rh_ctx *ctx, size_t size);
RH_API void *rh_calloc(rh_ctx *ctx, size_t n, size_t size);
RH_API void *rh_realloc(rh_ctx *ctx, void *ptr, size_t size);
/** Free memory from rh_malloc/rh_calloc/rh_realloc. Accepts NULL. */
RH_API void rh_free(rh_ctx *ctx, void *ptr);

#ifdef __cplusplus
}
#endif
#endif
