/*
 * Growable arrays: the one place that grows a caller's array geometrically with overflow
 * checks, so components do not each hand-roll realloc loops.
 */
#include "common.h"

rh_status rh_array_reserve(rh_ctx *ctx, void **items, size_t *cap, size_t need, size_t elem_size)
{
    size_t ncap, bytes;
    void *p;
    if (need <= *cap) {
        return RH_OK;
    }
    ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (!rh_mul_sz(ncap, 2, &ncap)) {
            return RH_ERR_LIMIT;
        }
    }
    if (!rh_mul_sz(ncap, elem_size, &bytes)) {
        return RH_ERR_LIMIT;
    }
    p = rh_realloc(ctx, *items, bytes);
    if (!p) {
        return RH_ERR_NOMEM;
    }
    *items = p;
    *cap = ncap;
    return RH_OK;
}
