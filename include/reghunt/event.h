/*
 * reghunt: the normalized event record shared by every event source (EVTX, SIEM JSON,
 * synthetic events built from hive state) and consumed by Sigma, the knowledge base and
 * correlation.
 */
#ifndef REGHUNT_EVENT_H
#define REGHUNT_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "status.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Type of a field's original value (the text form in `value` is always present). */
typedef enum rh_field_type {
    RH_FIELD_STRING = 0,
    RH_FIELD_INT = 1,  /* value holds a decimal integer; `num` is set */
    RH_FIELD_HEX = 2,  /* value holds 0x...; `num` is set */
    RH_FIELD_BOOL = 3, /* "true"/"false"; num = 0/1 */
    RH_FIELD_FLOAT = 4,
    RH_FIELD_TIME = 5, /* ISO 8601 text; num = FILETIME */
    RH_FIELD_GUID = 6, /* {UPPER-CASE} */
    RH_FIELD_SID = 7,
    RH_FIELD_BINARY = 8, /* lowercase/uppercase hex text as rendered by the source */
    RH_FIELD_NULL = 9,   /* present but empty/null */
} rh_field_type;

/** One EventData field. Strings are UTF-8, NUL-terminated, borrowed (see rh_event). */
typedef struct rh_event_field {
    const char *name;
    const char *value;
    size_t value_len;
    rh_field_type type;
    uint64_t num;
} rh_event_field;

/** Flags on rh_event.flags. */
#define RH_EVENT_RECOVERED  0x1u /* carved from unused chunk space or slack */
#define RH_EVENT_FROM_STATE 0x2u /* synthesized from hive contents, not a logged event */

/**
 * One normalized event. Borrowed: every pointer is valid until the producer moves to the
 * next event (or the callback returns). Absent header values are NULL / 0.
 */
typedef struct rh_event {
    const char *provider; /* "Microsoft-Windows-Sysmon" */
    const char *channel;  /* "Microsoft-Windows-Sysmon/Operational" */
    const char *computer;
    const char *user_sid; /* System/Security/@UserID or the source's user field */
    uint32_t event_id;
    uint64_t record_id;
    uint64_t timestamp;  /* FILETIME (UTC, 100 ns) of System/TimeCreated; 0 if unknown */
    uint32_t process_id; /* System/Execution/@ProcessID */
    uint32_t thread_id;
    const rh_event_field *fields; /* EventData / UserData fields, in source order */
    size_t nfields;
    const char *source;     /* input file (and member, for archives) */
    uint64_t source_offset; /* byte offset of the record in `source`, or line number for JSON */
    uint32_t flags;         /* RH_EVENT_* */
} rh_event;

/**
 * Find a field by exact name (case-sensitive, as Sigma field names are).
 * Returns the field or NULL if absent.
 */
RH_API const rh_event_field *rh_event_field_get(const rh_event *ev, const char *name);

/**
 * Event callback: return RH_OK to continue, anything else stops the reader, which then
 * returns that status.
 */
typedef rh_status (*rh_event_fn)(const rh_event *ev, void *user);

/* Flags for rh_events_opts.flags. */
#define RH_EVENTS_RECOVER 0x1u /* EVTX: also carve records from unused chunk space and slack */

/** Options for rh_events_read_file(). Zero-initialise. */
typedef struct rh_events_opts {
    unsigned flags;
    unsigned threads; /* EVTX chunk-parallel parsing; 0 or 1 = single-threaded */
} rh_events_opts;

/**
 * Read every event of one input file in source order, auto-detecting the format (EVTX,
 * JSON array, NDJSON, each optionally gzip-compressed; ECS/Winlogbeat, flat and
 * evtx_dump-style shapes) and call fn for each normalized event. opts may be NULL.
 * Damaged records are skipped with an anomaly. Returns RH_OK, the callback's status,
 * RH_ERR_IO, RH_ERR_FORMAT (unrecognised input), RH_ERR_NOMEM or RH_ERR_STRICT.
 */
RH_API rh_status rh_events_read_file(rh_ctx *ctx, const char *path, const rh_events_opts *opts,
                                     rh_event_fn fn, void *user);

/**
 * Same as rh_events_read_file() for an input held in memory (a zip member): EVTX, JSON,
 * NDJSON, each optionally gzip-compressed (inflated into memory, capped by
 * rh_limits.max_file_size: RH_ERR_LIMIT). `name` labels diagnostics and is every event's
 * `source` ("case.zip!C/Windows/System32/winevt/Logs/Security.evtx"). Borrowed: `data` and
 * `name` must stay valid until the call returns. Returns RH_OK, the callback's status,
 * RH_ERR_FORMAT (unrecognised input), RH_ERR_CORRUPT (bad gzip data), RH_ERR_LIMIT,
 * RH_ERR_NOMEM or RH_ERR_STRICT.
 */
RH_API rh_status rh_events_read_mem(rh_ctx *ctx, const char *name, const void *data, size_t len,
                                    const rh_events_opts *opts, rh_event_fn fn, void *user);

/**
 * Same as rh_events_read_mem() for an input read through rd (an archive member streamed out
 * of its archive): JSON and NDJSON are streamed value by value, EVTX chunk by chunk
 * (rh_evtx_open_cb); nothing is held whole. Returns what rh_events_read_mem() returns, or rd's
 * error.
 */
RH_API rh_status rh_events_read_cb(rh_ctx *ctx, const char *name, rh_read_fn rd, void *rd_user,
                                   const rh_events_opts *opts, rh_event_fn fn, void *user);

/*
 * ---- helpers for the normalized event stream -------------------------------------------
 */

/**
 * Append the event as one line of normalized JSON (no newline), the shape documented in
 * docs/events.md. Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_event_to_json(const rh_event *ev, rh_buf *out);

/**
 * The registry path an event refers to, as the source wrote it: Sysmon's TargetObject, or
 * for Security 4657/4663 ObjectName (plus `\` ObjectValueName when present). The default
 * value always ends in `\(Default)`: an ObjectValueName that is empty or `-`, and a
 * TargetObject of a value event (13, SetValue, DeleteValue) ending in one backslash (an empty
 * value name), get it appended. Appends the
 * path to `raw` and its rh_regpath_normalize() form to `norm` (either may be NULL).
 * Returns RH_OK, RH_NOT_FOUND (the event has no registry path) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_event_registry_path(const rh_event *ev, rh_buf *raw, rh_buf *norm);

/**
 * Parse an ISO 8601 UTC timestamp into a FILETIME: "2020-10-23T21:57:36.3372705Z",
 * "2020-10-23 21:57:36.328", a date alone, fractions of up to 9 digits (beyond 100 ns
 * truncated), an optional "Z" or "+hh:mm"/"-hh:mm" offset. Returns RH_OK or RH_ERR_FORMAT.
 */
RH_API rh_status rh_time_parse_iso(const char *s, size_t len, uint64_t *filetime);

#ifdef __cplusplus
}
#endif
#endif
