/*
 * libFuzzer target: an EVTX image through the whole reader (chunks, CRCs, BinXML, templates,
 * XML/JSON rendering, normalized JSON, recovery carving). Seeds: fuzz/corpus/evtx/, made by
 * tests/data/evtx/mkevtx.py; crash reproducers are kept there too.
 */
#include <stddef.h>
#include <stdint.h>

#include "reghunt/reghunt.h"

static rh_status on_record(const rh_evtx_record *rec, void *user)
{
    rh_buf *b = user;
    rh_buf raw, norm;
    rh_buf_reset(b);
    rh_buf_init(&raw, b->ctx);
    rh_buf_init(&norm, b->ctx);
    (void)rh_event_to_json(rec->event, b);
    (void)rh_event_registry_path(rec->event, &raw, &norm);
    rh_buf_free(&raw);
    rh_buf_free(&norm);
    return RH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rh_ctx *ctx = NULL;
    rh_evtx *e = NULL;
    rh_limits lim;
    if (rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 0;
    }
    rh_limits_default(&lim);
    lim.max_xml_depth = 32; /* keep deep-nesting inputs fast */
    rh_ctx_set_limits(ctx, &lim);
    if (rh_evtx_open_mem(ctx, "fuzz", data, size, &e) == RH_OK) {
        rh_evtx_read_opts ro = {RH_EVTX_XML | RH_EVTX_JSON | RH_EVTX_RECOVER, 0};
        rh_buf b;
        rh_buf_init(&b, ctx);
        (void)rh_evtx_read(e, &ro, on_record, &b);
        rh_buf_free(&b);
        rh_evtx_close(e);
    }
    rh_ctx_destroy(ctx);
    return 0;
}
