/*
 * reghunt: offline Windows registry hive (REGF) reader.
 *
 * rh_hive_open() reads only what the hive needs, in steps (read-only, no mmap, no locks): the
 * base block, the hive bins (declared size, or the hbin chain when the base block is not
 * trusted) and, for deleted-data recovery, the remnant after them, all capped by
 * rh_limits.max_hive_size; a file with no hive bin near its start is refused before more is
 * read. It applies the transaction logs found beside it in memory (never writing any file;
 * only the pages replay overwrites are kept twice, to report what it changed), builds the cell map,
 * walks the key tree once (detecting cycles, bad parents, duplicate and unsorted names) and,
 * on request, recovers deleted keys and values. Damage yields anomalies (rh_diag, component
 * "regf") plus everything still readable; strict mode (rh_ctx_set_strict) turns anomalies
 * into RH_ERR_STRICT.
 *
 * Keys and values are small integer handles (indexes), valid until rh_hive_close(). Key names
 * are decoded once at open; value names and data are decoded on request into caller buffers,
 * so traversal allocates nothing per value.
 *
 * A hive is not safe for concurrent use from several threads. A hive whose bins exceed
 * rh_limits.hive_cache_size is read on demand: cells are read from the file (pread) into a
 * bounded cache when a call needs them, so its `const` calls update that cache; value data of
 * such a hive is always returned in the caller's scratch buffer.
 */
#ifndef REGHUNT_HIVE_H
#define REGHUNT_HIVE_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "status.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rh_hive rh_hive;

/** Key handle: index in the hive's key table. */
typedef uint32_t rh_key;
/** Value handle: index in the hive's value table. */
typedef uint32_t rh_value;

#define RH_KEY_NONE   ((rh_key)0xFFFFFFFFu)
#define RH_VALUE_NONE ((rh_value)0xFFFFFFFFu)

/* Open flags (rh_hive_opts.flags). */
#define RH_HIVE_NO_LOGS        0x1u /* do not look for or apply transaction logs */
#define RH_HIVE_DELETED        0x2u /* recover deleted keys and values */
#define RH_HIVE_NO_REPLAY_DIFF 0x4u /* apply logs but skip marking what replay changed */

/** Options for rh_hive_open(). Zero-initialise, then set what you need. */
typedef struct rh_hive_opts {
    unsigned flags;
    /* Explicit log files (NULL-terminated list, at most 3); NULL = discover .LOG/.LOG1/.LOG2
     * beside the hive, case-insensitively. */
    const char *const *log_paths;
    /* In-memory logs (archive members), parallel to log_paths, which then only names them
     * (the .LOG/.LOG1/.LOG2 suffix picks the slot). Borrowed during the open call; NULL =
     * read log_paths from disk. */
    const void *const *log_data;
    const size_t *log_lens;
} rh_hive_opts;

/** What rh_hive_open() found. Borrowed: valid until rh_hive_close(). */
typedef struct rh_hive_info {
    const char *path; /* as given to rh_hive_open, or the name for rh_hive_open_mem */
    uint64_t file_size;
    /* base block */
    uint32_t seq_primary, seq_secondary;
    uint64_t last_written; /* FILETIME from the base block (or first hbin if untrusted) */
    uint32_t major, minor;
    uint32_t file_type;            /* 0 primary; 1, 2, 6 logs */
    uint32_t root_cell;            /* root cell offset, relative to 4096 */
    uint32_t hbins_size;           /* declared in the base block */
    uint32_t hbins_size_effective; /* bytes of hive bins actually found by walking the chain */
    uint32_t checksum_stored, checksum_computed;
    int checksum_ok;
    int dirty;     /* sequence mismatch or bad checksum before replay */
    int truncated; /* file shorter than the declared hive bins */
    int on_demand; /* bins above rh_limits.hive_cache_size: read on demand through a cache */
    const char *embedded_name; /* UTF-8 of the base block's file name field (may be "") */
    /* transaction logs */
    unsigned logs_found;
    const char *log_paths[3];
    unsigned logs_applied;
    uint32_t log_entries_applied; /* new-format entries (0 for old-format logs) */
    uint32_t log_pages_applied;   /* pages written into the in-memory image */
    uint32_t seq_after_replay;
    int base_block_from_log;
    const char *log_status; /* one line: what replay did or why it did not */
    /* contents */
    uint32_t keys, values; /* live (allocated, reachable) incl. the root key */
    uint32_t deleted_keys, deleted_values;
    uint32_t replay_keys, replay_values; /* live keys/values new or changed by replay */
    uint32_t cells_allocated, cells_free, cells_unreferenced;
    uint32_t security_descriptors;
    uint64_t anomalies; /* anomalies raised while opening this hive */
} rh_hive_info;

/* Key flags (rh_key_info.flags). */
#define RH_KEY_DELETED           0x1u  /* recovered from a free or unreferenced cell */
#define RH_KEY_PARTIAL_PATH      0x2u  /* deleted key whose parent chain is broken */
#define RH_KEY_FROM_REPLAY       0x4u  /* exists only after transaction-log replay */
#define RH_KEY_CHANGED_BY_REPLAY 0x8u  /* exists before replay but replay changed its values */
#define RH_KEY_SYMLINK           0x10u /* KEY_SYM_LINK */
#define RH_KEY_ROOT              0x20u

/** A key's attributes. Borrowed name: valid until rh_hive_close(). */
typedef struct rh_key_info {
    const char *name; /* UTF-8, may contain NUL and control characters; see name_len */
    size_t name_len;
    uint64_t last_write; /* FILETIME */
    rh_key parent;       /* RH_KEY_NONE for the root and unassociated deleted keys */
    uint32_t subkeys;    /* children in the key table (live + linked deleted) */
    uint32_t values;
    uint32_t flags;     /* RH_KEY_* */
    uint32_t cell;      /* nk cell offset (relative to 4096) */
    uint16_t nk_flags;  /* raw nk flags */
    uint8_t user_flags; /* Wow64 user flags from the nk (KEY_FLAG_32BIT = 0x1) */
    uint8_t virt_flags; /* virtualisation control flags */
    uint8_t layered;    /* Win10 layered-key bits (access bits byte 1) */
    uint32_t depth;     /* 0 for the root */
} rh_key_info;

/* Value flags (rh_value_info.flags). */
#define RH_VALUE_DELETED     0x1u  /* recovered from a free or unreferenced cell */
#define RH_VALUE_FROM_REPLAY 0x2u  /* new or changed by transaction-log replay */
#define RH_VALUE_TOMBSTONE   0x4u  /* layered-key tombstone value (no data) */
#define RH_VALUE_BIG_DATA    0x8u  /* data stored in a db record */
#define RH_VALUE_INLINE      0x10u /* data stored in the offset field */
#define RH_VALUE_DATA_LOST   0x20u /* data cell missing, reused or truncated */

typedef struct rh_value_info {
    uint32_t type;      /* raw registry type; any 32-bit value is legal */
    uint32_t data_size; /* declared data size (without the inline bit) */
    uint32_t flags;     /* RH_VALUE_* */
    rh_key key;         /* owning key, RH_KEY_NONE for unassociated deleted values */
    uint32_t cell;      /* vk cell offset (relative to 4096) */
} rh_value_info;

/**
 * Open a hive file. opts may be NULL (discover logs, no deleted-data recovery).
 * Returns RH_OK, RH_ERR_IO, RH_ERR_FORMAT (not a hive), RH_ERR_CORRUPT (nothing readable, or
 * no 'hbin' signature at a 4 KiB boundary of the first MiB after the base block),
 * RH_ERR_LIMIT (hive bins declared or found above rh_limits.max_hive_size; the file's own size
 * is not limited), RH_ERR_NOMEM or RH_ERR_STRICT. Every refusal names the file, the offset and
 * the reason through the rh_diag callback. On failure *out is NULL.
 * Owned: close with rh_hive_close().
 */
RH_API rh_status rh_hive_open(rh_ctx *ctx, const char *path, const rh_hive_opts *opts,
                              rh_hive **out);

/**
 * Open a hive held in memory. `name` labels diagnostics. Logs are only used if
 * opts->log_paths names them. Same returns as rh_hive_open().
 * Borrowed: `data` is read in place, not copied, so it must stay valid and unchanged until
 * rh_hive_close() (value data and names may point into it). It is never written: when
 * transaction logs are replayed, the hive first copies the bytes it uses into its own image.
 */
RH_API rh_status rh_hive_open_mem(rh_ctx *ctx, const char *name, const void *data, size_t len,
                                  const rh_hive_opts *opts, rh_hive **out);

/** Close a hive. Accepts NULL. Invalidates every handle and borrowed pointer. */
/**
 * Same as rh_hive_open_mem() for a hive read through rd, forward only (an archive member
 * streamed out of its archive): only the bytes the hive needs are read (rh_hive_open), into
 * memory the hive owns. Logs, if any, come through opts (log_paths + log_data). `name` labels
 * diagnostics. Returns what rh_hive_open() returns, or rd's error.
 */
RH_API rh_status rh_hive_open_cb(rh_ctx *ctx, const char *name, rh_read_fn rd, void *user,
                                 const rh_hive_opts *opts, rh_hive **out);

RH_API void rh_hive_close(rh_hive *hive);

/** Borrowed: valid until rh_hive_close(). */
RH_API const rh_hive_info *rh_hive_get_info(const rh_hive *hive);

/**
 * Bytes of the file read for the hive so far: for a hive read on demand (info.on_demand),
 * what was read at open (base block and first MiB) plus every chunk the cache has read
 * (re-reads after eviction included); otherwise the image held in memory.
 */
RH_API uint64_t rh_hive_bytes_read(const rh_hive *hive);

/** The root key (RH_KEY_NONE if the root could not be read). */
RH_API rh_key rh_hive_root(const rh_hive *hive);

/** Number of keys in the key table (live first in depth-first order, then deleted). */
RH_API uint32_t rh_hive_key_count(const rh_hive *hive);

/** Number of values in the value table. */
RH_API uint32_t rh_hive_value_count(const rh_hive *hive);

/** Attributes of a key. Returns RH_OK or RH_ERR_ARG (bad handle). */
RH_API rh_status rh_key_get_info(const rh_hive *hive, rh_key key, rh_key_info *out);

/** First child / next sibling (RH_KEY_NONE at the end). Live children come first. */
RH_API rh_key rh_key_first_child(const rh_hive *hive, rh_key key);
RH_API rh_key rh_key_next_sibling(const rh_hive *hive, rh_key key);

/**
 * Child of `parent` named `name` (case-insensitive, as Windows compares). Live keys are
 * preferred; a deleted key is returned only if no live key has the name.
 * Returns RH_OK, RH_NOT_FOUND or RH_ERR_ARG.
 */
RH_API rh_status rh_key_child(const rh_hive *hive, rh_key parent, const char *name, size_t len,
                              rh_key *out);

/**
 * Follow a backslash-separated path from `from` (RH_KEY_NONE = root). Empty path = from.
 * Returns RH_OK, RH_NOT_FOUND or RH_ERR_ARG.
 */
RH_API rh_status rh_key_find(const rh_hive *hive, rh_key from, const char *path, rh_key *out);

/**
 * Append the key's path relative to the root (root name left out, backslash-separated)
 * to out. Deleted keys with a broken parent chain give the partial path that is known.
 */
RH_API rh_status rh_key_path(const rh_hive *hive, rh_key key, rh_buf *out);

/** Append the key's class name (UTF-8) to out. RH_NOT_FOUND if it has none. */
RH_API rh_status rh_key_class(const rh_hive *hive, rh_key key, rh_buf *out);

/** Append the owner SID of the key's security descriptor ("S-1-5-18"). RH_NOT_FOUND if none. */
RH_API rh_status rh_key_owner_sid(const rh_hive *hive, rh_key key, rh_buf *out);

/** Number of values of a key, and the i-th one (RH_VALUE_NONE if out of range). */
RH_API uint32_t rh_key_value_count(const rh_hive *hive, rh_key key);
RH_API rh_value rh_key_value_at(const rh_hive *hive, rh_key key, uint32_t i);

/**
 * Value of `key` named `name` (case-insensitive; "" = default value). Live values first.
 * Returns RH_OK, RH_NOT_FOUND or RH_ERR_ARG.
 */
RH_API rh_status rh_key_value_find(const rh_hive *hive, rh_key key, const char *name, size_t len,
                                   rh_value *out);

RH_API rh_status rh_value_get_info(const rh_hive *hive, rh_value value, rh_value_info *out);

/** Append the value's name as UTF-8 (empty for the default value). Never truncated at NUL. */
RH_API rh_status rh_value_name(const rh_hive *hive, rh_value value, rh_buf *out);

/**
 * The value's raw data bytes (declared size; big data reassembled). *data points into the
 * hive image when the data is contiguous, otherwise into `scratch` (caller-owned, reusable).
 * Borrowed: valid until rh_hive_close() or the next use of scratch. Data that cannot be read
 * gives RH_ERR_CORRUPT with *len = 0 (and an anomaly).
 */
RH_API rh_status rh_value_data(const rh_hive *hive, rh_value value, const uint8_t **data,
                               size_t *len, rh_buf *scratch);

/** Number of values in the hive table that belong to no key (deleted, unassociated). */
RH_API uint32_t rh_hive_orphan_value_count(const rh_hive *hive);
RH_API rh_value rh_hive_orphan_value_at(const rh_hive *hive, uint32_t i);

/*
 * Value data rendering helpers (used by exporters and the hunt).
 */

/** Append REG_SZ/REG_EXPAND_SZ/REG_LINK data as UTF-8, up to the first NUL. */
RH_API rh_status rh_reg_string(const uint8_t *data, size_t len, rh_buf *out);

/**
 * Split REG_MULTI_SZ data into strings: calls fn for each (UTF-8 in `tmp`), stopping at the
 * empty terminator. Returns the first non-OK status of fn, or RH_OK.
 */
RH_API rh_status rh_reg_multi_sz(const uint8_t *data, size_t len, rh_buf *tmp,
                                 rh_status (*fn)(const char *s, size_t n, void *user), void *user);

/** True for the types whose data is a UTF-16LE string (SZ, EXPAND_SZ, LINK, DEVPROP string). */
RH_API int rh_reg_type_is_string(uint32_t type);

/**
 * Append value data as a JSON value (docs/hive-export.md): strings decoded up to the first
 * NUL, REG_MULTI_SZ as an array of strings, DWORD/DWORD_BIG_ENDIAN/QWORD as numbers (when
 * the size matches), everything else as a string of lowercase hex.
 */
RH_API rh_status rh_reg_data_json(uint32_t type, const uint8_t *data, size_t len, rh_buf *out);

/**
 * Append value data as one line of display text (unescaped UTF-8; escape for the output
 * format): strings as-is, MULTI_SZ joined with " | ", numbers as 0x%08x (decimal), binary as
 * hex (at most `max_hex` bytes, then "..."; 0 = all).
 */
RH_API rh_status rh_reg_data_text(uint32_t type, const uint8_t *data, size_t len, size_t max_hex,
                                  rh_buf *out);

/** Append the type name ("REG_SZ") or "0x%08X" for types without a name. */
RH_API rh_status rh_reg_type_append(uint32_t type, rh_buf *out);

/* ---- writing a hive image ------------------------------------------------------------ */

/**
 * A hive built in memory, key by key, then laid out as one REGF image that rh_hive_open_mem()
 * reads like a file (the live reader turns the registry API's view into hives this way).
 * Names are UTF-16 code units with their count, kept exactly (NULs, unpaired surrogates).
 * Keys are added parent first; the root is key 0 (created here). Data and names are copied.
 * The image is capped by rh_limits.max_hive_size (RH_ERR_LIMIT).
 */
typedef struct rh_hive_writer rh_hive_writer;

/** Owned: free with rh_hive_writer_destroy(). Returns RH_OK, RH_ERR_ARG or RH_ERR_NOMEM. */
RH_API rh_status rh_hive_writer_create(rh_ctx *ctx, const uint16_t *root_name, size_t root_len,
                                       uint64_t last_write, rh_hive_writer **out);

/** Add a subkey of `parent` (last_write: FILETIME); *out is its handle. */
RH_API rh_status rh_hive_writer_key(rh_hive_writer *w, rh_key parent, const uint16_t *name,
                                    size_t len, uint64_t last_write, rh_key *out);

/** Add a value to `key` (len 0 = the default value). */
RH_API rh_status rh_hive_writer_value(rh_hive_writer *w, rh_key key, const uint16_t *name,
                                      size_t len, uint32_t type, const void *data, size_t size);

/**
 * Lay out the image (base block + hive bins; subkey lists sorted as Windows sorts them).
 * Owned: *image freed with rh_free(ctx, ...). The first error of an earlier call is returned
 * here too. The writer may be destroyed afterwards.
 */
RH_API rh_status rh_hive_writer_finish(rh_hive_writer *w, uint8_t **image, size_t *len);

/** Accepts NULL. */
RH_API void rh_hive_writer_destroy(rh_hive_writer *w);

#ifdef __cplusplus
}
#endif
#endif
