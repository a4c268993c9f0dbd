/*
 * Event sources (JSON/NDJSON, EVTX dispatch) internals.
 */
#ifndef RH_EVENTS_INTERNAL_H
#define RH_EVENTS_INTERNAL_H

#include <zlib.h>

#include "common/common.h"
#include "evtx/evtx_internal.h"
#include "reghunt/event.h"
#include "reghunt/evtx.h"

struct jev;
struct edr;

struct events_src {
    rh_ctx *ctx;
    const char *path;
    rh_event_fn fn;
    void *user;
    struct jev *jev;
    struct edr *edr; /* EDR/SIEM export mapping (events_edr.c), made on first use */
};

/* Caps of the event readers (docs/limits.md). */
#define EVENTS_MAX_VALUE  (16u << 20) /* bytes of one JSON value / NDJSON line (one event) */
#define EVENTS_MAX_RATIO  200u        /* gzip: decompressed bytes per compressed byte */
#define EVENTS_RATIO_FREE (64u << 20) /* decompressed bytes before the ratio cap applies */

/* One input byte stream: a file descriptor, memory or a read callback; gzip inflated on the
 * fly (events_read.c). buf[pos..len) holds the next bytes; eof once the stream is done. */
struct events_in {
    struct events_src *src;
    int fd, own_fd;
    const uint8_t *mem;
    size_t mem_len, mem_pos;
    rh_read_fn rd;
    void *rd_user;
    int gz, zdone, raw_eof, eof;
    z_stream zs;
    uint64_t in_bytes, out_bytes, max_out;
    size_t pos, len;
    uint8_t buf[1u << 16];
    uint8_t zbuf[1u << 16];
};

/* Refill in->buf when it is used up; sets in->eof at the end. */
rh_status events_in_fill(struct events_in *in);
/* Stream JSON events (NDJSON, arrays, objects back to back) from in (events_json_stream.c). */
rh_status events_json_stream(struct events_src *src, struct events_in *in);

#ifdef JANSSON_H
/* Map one JSON object to a normalized event and call src->fn. pos = line number. */
rh_status events_json_object(struct events_src *src, const json_t *o, uint64_t pos);
#endif
rh_status events_jev_create(struct events_src *src);

/* EDR and SIEM export shapes (events_edr.c, docs/events.md). */
enum events_edr_shape { EDR_NONE = 0, EDR_MDE, EDR_FALCON, EDR_S1, EDR_SPLUNK };
/* The shape of a record from its field names (EDR_NONE: none of them). */
int events_edr_detect(const rh_event_field *f, size_t n);
/* Map one record of a shape (its fields, borrowed) to the normalized event and call src->fn.
 * table: MDE's table name when the record says it (streaming "category"), else NULL. pos: line
 * (JSON) or record number (CSV). Returns the callback's status or RH_ERR_NOMEM. */
rh_status events_edr_emit(struct events_src *src, int shape, const char *table,
                          const rh_event_field *f, size_t n, uint64_t pos);
void events_edr_free(struct events_src *src);

/* Stream RFC 4180 CSV exports (events_csv.c): a header row names the columns and selects the
 * shape (events_edr_detect); each row is one event. */
rh_status events_csv_stream(struct events_src *src, struct events_in *in);
void events_jev_free(struct events_src *src);

#endif
