/*
 * Growable arrays: the one place that grows a caller's array geometrically with overflow
 * checks, so components do not each hand-roll realloc loops.
 */
#include <stdlib.h>

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

/* Stable bottom-up merge sort through a scratch copy; insertion sort (stable too) when the
 * scratch cannot be had. glibc's qsort is a merge sort for such sizes, the Windows C
 * library's is not stable: one sort for both keeps equal elements (and outputs) in order. */
void rh_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    unsigned char *a = base, *tmp, *src, *dst;
    size_t width, bytes;
    if (n < 2 || size == 0) {
        return;
    }
    if (!rh_mul_sz(n, size, &bytes) || !(tmp = malloc(bytes))) {
        size_t i, j;
        unsigned char one[256];
        for (i = 1; i < n && size <= sizeof(one); i++) {
            memcpy(one, a + i * size, size);
            for (j = i; j > 0 && cmp(a + (j - 1) * size, one) > 0; j--) {
                memcpy(a + j * size, a + (j - 1) * size, size);
            }
            memcpy(a + j * size, one, size);
        }
        return;
    }
    src = a;
    dst = tmp;
    for (width = 1; width<n; width = width> n / 2 ? n : width * 2) {
        size_t lo;
        for (lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = mid + width < n ? mid + width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                if (cmp(src + j * size, src + i * size) < 0) {
                    memcpy(dst + k++ * size, src + j++ * size, size);
                } else {
                    memcpy(dst + k++ * size, src + i++ * size, size);
                }
            }
            memcpy(dst + k * size, src + i * size, (mid - i) * size);
            k += mid - i;
            memcpy(dst + k * size, src + j * size, (hi - j) * size);
        }
        {
            unsigned char *t = src;
            src = dst;
            dst = t;
        }
    }
    if (src != a) {
        memcpy(a, src, bytes);
    }
    free(tmp);
}
