/*
 * Sigma value modifiers that rewrite a value's bytes: windash (dash permutations) and the
 * encodings base64, base64offset, utf16le/wide, utf16be and utf16 (rows in modifiers.def).
 */
#include "sigma_internal.h"

/* ---- value helpers -------------------------------------------------------------------------- */

static int mval_put_bytes(rh_ctx *ctx, struct mval *v, const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (sigma_mval_put(ctx, v, p[i], W_LIT) < 0) {
            return -1;
        }
    }
    return 0;
}

static struct mval *st_new_vals(struct mod_state *st, size_t n)
{
    struct mval *nv = rh_calloc(st->b->c->ctx, n ? n : 1, sizeof(*nv));
    if (!nv) {
        sigma_fail(st->b, st->at, RH_ERR_NOMEM, "out of memory");
    }
    return nv;
}

/* ---- windash -------------------------------------------------------------------------------- */

static bool is_word(const struct mval *v, size_t i)
{
    uint8_t c;
    if (v->w[i] != W_LIT) {
        return false;
    }
    c = v->b[i];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c >= 0x80;
}

#define WINDASH_MAX_POS 5

int sigma_mod_windash_setup(struct mod_state *st)
{
    static const char *const dashes[5] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
    struct mval *nv = NULL;
    size_t i, nn = 0, total = 0;
    rh_ctx *ctx = st->b->c->ctx;
    if (st->has_type) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE, "'windash' cannot follow a type modifier");
    }
    /* pySigma: every '-' or '/' matched by \B[-/]\b is replaced by each of the five dashes,
     * all combinations (spec: "all possible permutations"). */
    for (i = 0; i < st->nvals; i++) {
        struct mval *v = &st->vals[i];
        size_t j, k = 0, comb = 1;
        for (j = 0; j < v->n; j++) {
            if (v->w[j] == W_LIT && (v->b[j] == '-' || v->b[j] == '/') &&
                (j == 0 || !is_word(v, j - 1)) && j + 1 < v->n && is_word(v, j + 1)) {
                k++;
            }
        }
        if (k > WINDASH_MAX_POS) {
            return sigma_fail(st->b, st->at, RH_ERR_LIMIT,
                              "'windash' value has more than %d dashes", WINDASH_MAX_POS);
        }
        for (j = 0; j < k; j++) {
            comb *= 5;
        }
        total += comb;
    }
    nv = st_new_vals(st, total);
    if (!nv) {
        return -1;
    }
    for (i = 0; i < st->nvals; i++) {
        struct mval *v = &st->vals[i];
        size_t pos[WINDASH_MAX_POS], k = 0, j, comb = 1, c;
        for (j = 0; j < v->n; j++) {
            if (v->w[j] == W_LIT && (v->b[j] == '-' || v->b[j] == '/') &&
                (j == 0 || !is_word(v, j - 1)) && j + 1 < v->n && is_word(v, j + 1)) {
                pos[k++] = j;
            }
        }
        for (j = 0; j < k; j++) {
            comb *= 5;
        }
        for (c = 0; c < comb; c++) {
            struct mval *o = &nv[nn++];
            size_t sel = c, p = 0;
            for (j = 0; j < v->n; j++) {
                if (p < k && pos[p] == j) {
                    const char *d = dashes[sel % 5];
                    sel /= 5;
                    p++;
                    if (mval_put_bytes(ctx, o, (const uint8_t *)d, strlen(d)) < 0) {
                        sigma_mod_replace_vals(st, nv, nn);
                        return sigma_mod_nomem(st);
                    }
                } else if (sigma_mval_put(ctx, o, v->b[j], v->w[j]) < 0) {
                    sigma_mod_replace_vals(st, nv, nn);
                    return sigma_mod_nomem(st);
                }
            }
        }
    }
    sigma_mod_replace_vals(st, nv, nn);
    return 0;
}

/* ---- encodings --------------------------------------------------------------------------------
 */

static int no_wildcards(struct mod_state *st, const struct mval *v, const char *name)
{
    size_t i;
    for (i = 0; i < v->n; i++) {
        if (v->w[i] != W_LIT) {
            return sigma_fail(st->b, st->at, RH_ERR_RULE,
                              "'%s' cannot encode a value with wildcards", name);
        }
    }
    return 0;
}

/* Append base64 of p[0..n) to out as literal bytes. */
static int b64_encode(rh_ctx *ctx, struct mval *out, const uint8_t *p, size_t n)
{
    rh_buf enc = RH_BUF_INIT(ctx);
    int r = rh_base64_encode(&enc, p, n) == RH_OK
                ? mval_put_bytes(ctx, out, (const uint8_t *)enc.data, enc.len)
                : -1;
    rh_buf_free(&enc);
    return r;
}

int sigma_mod_base64_setup(struct mod_state *st)
{
    size_t i;
    struct mval *nv;
    if (st->has_type || st->wrap_set) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE,
                          "'base64' must come before contains/startswith/endswith");
    }
    for (i = 0; i < st->nvals; i++) {
        if (no_wildcards(st, &st->vals[i], "base64") < 0) {
            return -1;
        }
    }
    nv = st_new_vals(st, st->nvals);
    if (!nv) {
        return -1;
    }
    for (i = 0; i < st->nvals; i++) {
        if (b64_encode(st->b->c->ctx, &nv[i], st->vals[i].b, st->vals[i].n) < 0) {
            sigma_mod_replace_vals(st, nv, st->nvals);
            return sigma_mod_nomem(st);
        }
    }
    sigma_mod_replace_vals(st, nv, st->nvals);
    return 0;
}

int sigma_mod_base64offset_setup(struct mod_state *st)
{
    static const size_t start_off[3] = {0, 2, 3};
    static const size_t end_cut[3] = {0, 3, 2}; /* pySigma end offsets (None, -3, -2) */
    size_t i, k;
    struct mval *nv;
    rh_ctx *ctx = st->b->c->ctx;
    if (st->has_type || st->wrap_set) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE,
                          "'base64offset' must come before contains/startswith/endswith");
    }
    for (i = 0; i < st->nvals; i++) {
        if (no_wildcards(st, &st->vals[i], "base64offset") < 0) {
            return -1;
        }
    }
    nv = st_new_vals(st, st->nvals * 3);
    if (!nv) {
        return -1;
    }
    for (i = 0; i < st->nvals; i++) {
        struct mval *v = &st->vals[i];
        for (k = 0; k < 3; k++) {
            struct mval tmp = {0};
            struct mval *o = &nv[i * 3 + k];
            size_t s, e, cut;
            uint8_t *in = rh_malloc(ctx, v->n + 3);
            if (!in) {
                sigma_mod_replace_vals(st, nv, st->nvals * 3);
                return sigma_mod_nomem(st);
            }
            memset(in, ' ', k);
            if (v->n) {
                memcpy(in + k, v->b, v->n);
            }
            if (b64_encode(ctx, &tmp, in, v->n + k) < 0) {
                rh_free(ctx, in);
                sigma_mval_free(ctx, &tmp);
                sigma_mod_replace_vals(st, nv, st->nvals * 3);
                return sigma_mod_nomem(st);
            }
            rh_free(ctx, in);
            cut = end_cut[(v->n + k) % 3];
            s = start_off[k];
            e = tmp.n > cut ? tmp.n - cut : 0;
            if (s < e && mval_put_bytes(ctx, o, tmp.b + s, e - s) < 0) {
                sigma_mval_free(ctx, &tmp);
                sigma_mod_replace_vals(st, nv, st->nvals * 3);
                return sigma_mod_nomem(st);
            }
            sigma_mval_free(ctx, &tmp);
        }
    }
    sigma_mod_replace_vals(st, nv, st->nvals * 3);
    return 0;
}

/* mode: 0 LE, 1 BE, 2 LE with BOM */
static int utf16_convert(struct mod_state *st, int mode, const char *name)
{
    size_t i;
    struct mval *nv;
    rh_ctx *ctx = st->b->c->ctx;
    if (st->has_type) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE, "'%s' cannot follow a type modifier", name);
    }
    nv = st_new_vals(st, st->nvals);
    if (!nv) {
        return -1;
    }
    for (i = 0; i < st->nvals; i++) {
        struct mval *v = &st->vals[i], *o = &nv[i];
        size_t j = 0;
        int r = 0;
        if (mode == 2) {
            r = sigma_mval_put(ctx, o, 0xFF, W_LIT) | sigma_mval_put(ctx, o, 0xFE, W_LIT);
        }
        while (r == 0 && j < v->n) {
            uint32_t cp, units[2];
            size_t l, u, nu;
            if (v->w[j] != W_LIT) {
                r = sigma_mval_put(ctx, o, v->b[j], v->w[j]);
                j++;
                continue;
            }
            l = rh_utf8_decode((const char *)v->b + j, v->n - j, &cp);
            j += l;
            if (cp >= 0x10000) {
                cp -= 0x10000;
                units[0] = 0xD800 | (cp >> 10);
                units[1] = 0xDC00 | (cp & 0x3FF);
                nu = 2;
            } else {
                units[0] = cp;
                nu = 1;
            }
            for (u = 0; u < nu && r == 0; u++) {
                uint8_t lo = (uint8_t)(units[u] & 0xFF), hi = (uint8_t)(units[u] >> 8);
                if (mode == 1) {
                    r = sigma_mval_put(ctx, o, hi, W_LIT) | sigma_mval_put(ctx, o, lo, W_LIT);
                } else {
                    r = sigma_mval_put(ctx, o, lo, W_LIT) | sigma_mval_put(ctx, o, hi, W_LIT);
                }
            }
        }
        if (r < 0) {
            sigma_mod_replace_vals(st, nv, st->nvals);
            return sigma_mod_nomem(st);
        }
    }
    sigma_mod_replace_vals(st, nv, st->nvals);
    return 0;
}

int sigma_mod_utf16le_setup(struct mod_state *st)
{
    return utf16_convert(st, 0, "utf16le");
}

int sigma_mod_utf16be_setup(struct mod_state *st)
{
    return utf16_convert(st, 1, "utf16be");
}

int sigma_mod_utf16_setup(struct mod_state *st)
{
    return utf16_convert(st, 2, "utf16");
}
