/*
 * Event sources (JSON/NDJSON, EVTX dispatch) internals.
 */
#ifndef RH_EVENTS_INTERNAL_H
#define RH_EVENTS_INTERNAL_H

#include "common/common.h"
#include "evtx/evtx_internal.h"
#include "reghunt/event.h"
#include "reghunt/evtx.h"

struct jev;

struct events_src {
    rh_ctx *ctx;
    const char *path;
    rh_event_fn fn;
    void *user;
    struct jev *jev;
};

#ifdef JANSSON_H
/* Map one JSON object to a normalized event and call src->fn. pos = line number. */
rh_status events_json_object(struct events_src *src, const json_t *o, uint64_t pos);
#endif
/* Parse a whole document (array, object, or objects back to back). */
rh_status events_json_document(struct events_src *src, const char *buf, size_t len);
rh_status events_jev_create(struct events_src *src);
void events_jev_free(struct events_src *src);

#endif
