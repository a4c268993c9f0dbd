/*
 * libFuzzer target: SIEM JSON input (document mode: arrays, objects back to back, every
 * shape mapping) through the normalized JSON line. Seeds: fuzz/corpus/events_json/ (the
 * hand-written fixtures of tests/data/events/).
 */
#include <stddef.h>
#include <stdint.h>

#include "events/events_internal.h"

static rh_status on_event(const rh_event *ev, void *user)
{
    rh_buf *b = user;
    rh_buf_reset(b);
    return rh_event_to_json(ev, b) == RH_ERR_NOMEM ? RH_ERR_NOMEM : RH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rh_ctx *ctx = NULL;
    struct events_src src;
    rh_buf b;
    if (rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 0;
    }
    memset(&src, 0, sizeof(src));
    src.ctx = ctx;
    src.path = "fuzz";
    src.fn = on_event;
    rh_buf_init(&b, ctx);
    src.user = &b;
    if (events_jev_create(&src) == RH_OK) {
        (void)events_json_document(&src, (const char *)data, size);
        events_jev_free(&src);
    }
    rh_buf_free(&b);
    rh_ctx_destroy(ctx);
    return 0;
}
