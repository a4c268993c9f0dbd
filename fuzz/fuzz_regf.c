/*
 * libFuzzer target for the REGF reader: open a hive from memory (with deleted-data
 * recovery), then read every key path, class, owner, value name and value data.
 */
#include <stdint.h>
#include <stddef.h>

#include "reghunt/reghunt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rh_ctx *ctx = NULL;
    rh_hive *h = NULL;
    rh_hive_opts o = {RH_HIVE_DELETED, NULL, NULL, NULL};
    rh_limits lim;
    if (rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 0;
    }
    rh_limits_default(&lim);
    lim.max_keys = 200000;
    rh_ctx_set_limits(ctx, &lim);
    if (rh_hive_open_mem(ctx, "fuzz", data, size, &o, &h) == RH_OK) {
        rh_buf b = RH_BUF_INIT(ctx), s = RH_BUF_INIT(ctx);
        uint32_t i;
        for (i = 0; i < rh_hive_key_count(h); i++) {
            rh_key_info ki;
            rh_buf_reset(&b);
            rh_key_get_info(h, i, &ki);
            rh_key_path(h, i, &b);
            rh_key_class(h, i, &b);
            rh_key_owner_sid(h, i, &b);
        }
        for (i = 0; i < rh_hive_value_count(h); i++) {
            rh_value_info vi;
            const uint8_t *d;
            size_t dl;
            rh_buf_reset(&b);
            rh_value_get_info(h, i, &vi);
            rh_value_name(h, i, &b);
            if (rh_value_data(h, i, &d, &dl, &s) == RH_OK) {
                rh_reg_data_json(vi.type, d, dl, &b);
            }
        }
        rh_buf_free(&b);
        rh_buf_free(&s);
        rh_hive_close(h);
    }
    rh_ctx_destroy(ctx);
    return 0;
}
