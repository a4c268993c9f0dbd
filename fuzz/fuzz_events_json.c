/*
 * libFuzzer target: SIEM JSON and CSV input streamed in small pieces (NDJSON, arrays, objects
 * back to back, every shape mapping including the EDR/SIEM export shapes; the JSON splitter and
 * the RFC 4180 CSV reader across read boundaries, gzip) through the normalized JSON line.
 * Seeds: fuzz/corpus/events_json/ (the hand-written fixtures of tests/data/events/, each
 * export shape among them, CSV included).
 */
#include <stddef.h>
#include <stdint.h>

#include "events/events_internal.h"

struct feed {
    const uint8_t *p;
    size_t n, step;
};

/* Hand out the input a few bytes at a time (step from the first byte). */
static rh_status rd(void *user, void *p, size_t n, size_t *got)
{
    struct feed *f = user;
    size_t k = f->n < f->step ? f->n : f->step;
    k = k < n ? k : n;
    memcpy(p, f->p, k);
    f->p += k;
    f->n -= k;
    *got = k;
    return RH_OK;
}

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
    struct feed f;
    rh_buf b;
    if (size < 1 || rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 0;
    }
    f.step = (size_t)(data[0] % 16) + 1;
    f.p = data + 1;
    f.n = size - 1;
    rh_buf_init(&b, ctx);
    (void)rh_events_read_cb(ctx, "fuzz", rd, &f, NULL, on_event, &b);
    rh_buf_free(&b);
    rh_ctx_destroy(ctx);
    return 0;
}
