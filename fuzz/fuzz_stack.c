/*
 * libFuzzer target: fleet stacking (include/reghunt/stack.h). Each input line is aggregated
 * as hunt JSONL (jansson, then the stack key normalisation of its name and data) and also
 * normalised alone as raw text; the stack is ranked and written in every stack format.
 * Seeds: fuzz/corpus/stack/ (tests/golden/stack/hunt.jsonl and normalisation examples).
 */
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "reghunt/report.h"
#include "reghunt/stack.h"

static rh_status sink(void *user, const char *data, size_t len)
{
    (void)user;
    (void)data;
    (void)len;
    return RH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rh_ctx *ctx = NULL;
    rh_stack *s = NULL;
    rh_stack_filter f = {RH_RISK_INFO, 0.5, 0};
    rh_buf b;
    const char *p = (const char *)data, *end = p + size;
    size_t i;
    if (rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 0;
    }
    rh_buf_init(&b, ctx);
    if (rh_stack_create(ctx, &s) == RH_OK) {
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            rh_stack_add_line(s, p, n);
            rh_buf_reset(&b);
            rh_stack_normalize(&b, p, n);
            p += n + (nl ? 1 : 0);
        }
        for (i = 0; i < 2; i++) {
            if (rh_stack_finish(s, i ? &f : NULL) == RH_OK) {
                size_t k;
                for (k = 0; k < rh_report_stack_format_count(); k++) {
                    rh_report_stack(ctx, rh_report_stack_format_name(k), s, sink, NULL);
                }
            }
        }
    }
    rh_stack_destroy(s);
    rh_buf_free(&b);
    rh_ctx_destroy(ctx);
    return 0;
}
