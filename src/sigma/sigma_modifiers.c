/*
 * Sigma value modifiers: the table of modifiers.def and its generic, regex, expand and
 * fieldref rows (encodings in sigma_modifiers_enc.c, numbers/time/cidr in
 * sigma_modifiers_num.c), the escaping table, pattern analysis, case folding and the wildcard
 * matcher.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sigma_internal.h"

/* ---- mval helpers --------------------------------------------------------------------------- */

int sigma_mval_put(rh_ctx *ctx, struct mval *v, uint8_t byte, uint8_t w)
{
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 32;
        uint8_t *nb = rh_realloc(ctx, v->b, ncap);
        uint8_t *nw;
        if (!nb) {
            return -1;
        }
        v->b = nb;
        nw = rh_realloc(ctx, v->w, ncap);
        if (!nw) {
            return -1;
        }
        v->w = nw;
        v->cap = ncap;
    }
    v->b[v->n] = byte;
    v->w[v->n] = w;
    v->n++;
    return 0;
}

void sigma_mval_free(rh_ctx *ctx, struct mval *v)
{
    rh_free(ctx, v->b);
    rh_free(ctx, v->w);
    v->b = v->w = NULL;
    v->n = v->cap = 0;
}

void sigma_mod_replace_vals(struct mod_state *st, struct mval *nv, size_t n)
{
    size_t i;
    for (i = 0; i < st->nvals; i++) {
        sigma_mval_free(st->b->c->ctx, &st->vals[i]);
    }
    rh_free(st->b->c->ctx, st->vals);
    st->vals = nv;
    st->nvals = st->cap = n;
}

int sigma_mod_nomem(struct mod_state *st)
{
    return sigma_fail(st->b, st->at, RH_ERR_NOMEM, "out of memory");
}

int sigma_mval_from_text(struct mod_state *st, struct mval *v, const char *s, size_t n,
                         bool wildcards)
{
    rh_ctx *ctx = st->b->c->ctx;
    size_t i = 0;
    /* Escaping table (spec 3.2, pySigma): after '\', a '*', '?' or '\' is literal; any other
     * character keeps the backslash; a trailing '\' is literal. */
    while (i < n) {
        uint8_t c = (uint8_t)s[i];
        int r;
        if (wildcards && c == '\\') {
            if (i + 1 < n && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
                r = sigma_mval_put(ctx, v, (uint8_t)s[i + 1], W_LIT);
                i += 2;
            } else {
                r = sigma_mval_put(ctx, v, '\\', W_LIT);
                i++;
            }
        } else if (wildcards && c == '*') {
            r = (v->n && v->w[v->n - 1] == W_STAR) ? 0 : sigma_mval_put(ctx, v, '*', W_STAR);
            i++;
        } else if (wildcards && c == '?') {
            r = sigma_mval_put(ctx, v, '?', W_QMARK);
            i++;
        } else {
            r = sigma_mval_put(ctx, v, c, W_LIT);
            i++;
        }
        if (r < 0) {
            return sigma_mod_nomem(st);
        }
    }
    return 0;
}

/* ---- substring search (memmem is a GNU extension) -------------------------------------------- */

const void *sigma_memmem(const void *hay, size_t hn, const void *needle, size_t nn)
{
    const uint8_t *h = hay, *n = needle, *end;
    if (nn == 0) {
        return hay;
    }
    if (hn < nn) {
        return NULL;
    }
    end = h + (hn - nn);
    while (h <= end) {
        const uint8_t *p = memchr(h, n[0], (size_t)(end - h) + 1);
        if (!p) {
            return NULL;
        }
        if (memcmp(p, n, nn) == 0) {
            return p;
        }
        h = p + 1;
    }
    return NULL;
}

/* ---- folding and globbing ------------------------------------------------------------------- */

rh_status sigma_fold(rh_buf *out, const uint8_t *p, size_t n)
{
    size_t i = 0;
    rh_status s = rh_buf_reserve(out, n);
    if (s != RH_OK) {
        return s;
    }
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            /* ASCII run: fold straight into the buffer (reserved above for n bytes, and
             * again after any multi-byte code point). */
            uint8_t *d;
            size_t k = 0;
            s = rh_buf_reserve(out, n - i);
            if (s != RH_OK) {
                return s;
            }
            d = (uint8_t *)out->data + out->len;
            /* 8 bytes at a time while they are all ASCII: bytes in 'a'..'z' lose 0x20 */
            while (i + k + 8 <= n) {
                uint64_t x, lo, hi, mk;
                memcpy(&x, p + i + k, 8);
                if (x & 0x8080808080808080ull) {
                    break;
                }
                lo = x + 0x1f1f1f1f1f1f1f1full; /* bit 7 set: byte >= 'a' */
                hi = x + 0x0505050505050505ull; /* bit 7 set: byte > 'z' */
                mk = lo & ~hi & 0x8080808080808080ull;
                x -= mk >> 2;
                memcpy(d + k, &x, 8);
                k += 8;
            }
            while (i + k < n && (c = p[i + k]) < 0x80) {
                d[k++] = (uint8_t)(c - (((unsigned)c - 'a' < 26u) ? 0x20 : 0));
            }
            i += k;
            out->len += k;
            out->data[out->len] = '\0';
        } else {
            uint32_t cp;
            size_t l = rh_utf8_decode((const char *)p + i, n - i, &cp);
            if (cp == 0xFFFD && !(l == 3 && p[i] == 0xEF && p[i + 1] == 0xBF && p[i + 2] == 0xBD)) {
                s = rh_buf_append(out, p + i, l); /* keep undecodable bytes as they are */
            } else {
                s = rh_buf_put_cp(out, rh_cp_upper(cp));
            }
            if (s != RH_OK) {
                return s;
            }
            i += l;
        }
    }
    return RH_OK;
}

static size_t cp_len(const uint8_t *s, size_t n)
{
    size_t l = 1;
    if (s[0] >= 0xF0 && s[0] < 0xF8) {
        l = 4;
    } else if (s[0] >= 0xE0) {
        l = s[0] < 0xF0 ? 3 : 1;
    } else if (s[0] >= 0xC0) {
        l = 2;
    }
    return l > n ? n : l;
}

bool sigma_glob(const uint8_t *pat, const uint8_t *wild, size_t pn, const uint8_t *s, size_t sn)
{
    size_t pi = 0, si = 0, star_pi = SIZE_MAX, star_si = 0;
    while (si < sn) {
        if (pi < pn && wild[pi] == W_STAR) {
            star_pi = pi++;
            star_si = si;
            continue;
        }
        if (pi < pn && wild[pi] == W_QMARK) {
            pi++;
            si += cp_len(s + si, sn - si);
            continue;
        }
        if (pi < pn && wild[pi] == W_LIT && pat[pi] == s[si]) {
            pi++;
            si++;
            continue;
        }
        if (star_pi != SIZE_MAX) {
            pi = star_pi + 1;
            star_si += cp_len(s + star_si, sn - star_si);
            si = star_si;
            continue;
        }
        return false;
    }
    while (pi < pn && wild[pi] == W_STAR) {
        pi++;
    }
    return pi == pn;
}

/* ---- finishing a string value --------------------------------------------------------------- */

int sigma_mval_finish_string(struct mod_state *st, struct mval *v)
{
    struct rh_arena *a = st->b->a;
    rh_ctx *ctx = st->b->c->ctx;
    rh_buf fb = RH_BUF_INIT(ctx);
    uint8_t *pat, *wild;
    size_t i, np = 0, nstars = 0, nq = 0, first_star = SIZE_MAX, last_star = SIZE_MAX;
    struct sig_value *sv = &v->v;

    sv->mod = &sigma_mod_string;
    sv->cased = st->cased;
    /* Fold literal runs one at a time so markers stay aligned with the folded bytes. */
    pat = rh_arena_zalloc(a, v->n * 4 + 1);
    wild = rh_arena_zalloc(a, v->n * 4 + 1);
    if (!pat || !wild) {
        return sigma_mod_nomem(st);
    }
    i = 0;
    while (i < v->n) {
        if (v->w[i] != W_LIT) {
            if (v->w[i] == W_STAR) {
                if (np && wild[np - 1] == W_STAR) {
                    i++;
                    continue;
                }
                if (first_star == SIZE_MAX) {
                    first_star = np;
                }
                last_star = np;
                nstars++;
            } else {
                nq++;
            }
            pat[np] = v->b[i];
            wild[np++] = v->w[i++];
            continue;
        }
        {
            size_t j = i;
            while (j < v->n && v->w[j] == W_LIT) {
                j++;
            }
            rh_buf_reset(&fb);
            if (st->cased) {
                if (rh_buf_append(&fb, v->b + i, j - i) != RH_OK) {
                    rh_buf_free(&fb);
                    return sigma_mod_nomem(st);
                }
            } else if (sigma_fold(&fb, v->b + i, j - i) != RH_OK) {
                rh_buf_free(&fb);
                return sigma_mod_nomem(st);
            }
            if (fb.len > (j - i) * 4) {
                rh_buf_free(&fb);
                return sigma_fail(st->b, st->at, RH_ERR_RULE, "value folding overflow");
            }
            memcpy(pat + np, fb.data, fb.len);
            memset(wild + np, W_LIT, fb.len);
            np += fb.len;
            i = j;
        }
    }
    rh_buf_free(&fb);
    sv->pat = pat;
    sv->wild = wild;
    sv->patlen = np;
    if (nq == 0 && nstars == 0) {
        sv->pkind = PK_EXACT;
        sv->lit = pat;
        sv->litlen = np;
    } else if (nq == 0 && np == 1 && nstars == 1) {
        sv->pkind = PK_ANY;
    } else if (nq == 0 && nstars == 1 && last_star == np - 1) {
        sv->pkind = PK_PREFIX;
        sv->lit = pat;
        sv->litlen = np - 1;
    } else if (nq == 0 && nstars == 1 && first_star == 0) {
        sv->pkind = PK_SUFFIX;
        sv->lit = pat + 1;
        sv->litlen = np - 1;
    } else if (nq == 0 && nstars == 2 && first_star == 0 && last_star == np - 1) {
        sv->pkind = PK_CONTAINS;
        sv->lit = pat + 1;
        sv->litlen = np - 2;
    } else {
        sv->pkind = PK_GLOB;
    }
    return 0;
}

/* ---- match functions shared by rows --------------------------------------------------------- */

static bool mod_string_match(const struct sig_value *v, struct sigma_mctx *m,
                             const struct sig_fieldval *fv)
{
    const uint8_t *s;
    size_t n;
    (void)m;
    if (!fv->f) {
        return false;
    }
    if (v->has_num && (fv->f->type == RH_FIELD_INT || fv->f->type == RH_FIELD_HEX)) {
        return (int64_t)fv->f->num == v->num;
    }
    if (v->cased) {
        s = (const uint8_t *)fv->f->value;
        n = fv->f->value_len;
    } else {
        s = fv->fold;
        n = fv->foldlen;
    }
    switch (v->pkind) {
    case PK_EXACT:
        return n == v->litlen && memcmp(s, v->lit, n) == 0;
    case PK_PREFIX:
        return n >= v->litlen && memcmp(s, v->lit, v->litlen) == 0;
    case PK_SUFFIX:
        return n >= v->litlen && memcmp(s + n - v->litlen, v->lit, v->litlen) == 0;
    case PK_CONTAINS:
        return v->litlen == 0 || (n >= v->litlen && sigma_memmem(s, n, v->lit, v->litlen) != NULL);
    case PK_ANY:
        return true;
    default:
        return sigma_glob(v->pat, v->wild, v->patlen, s, n);
    }
}

const struct sigma_modifier sigma_mod_string = {"(string)", NULL, NULL, mod_string_match, NULL};

static bool mod_null_match(const struct sig_value *v, struct sigma_mctx *m,
                           const struct sig_fieldval *fv)
{
    (void)v;
    (void)m;
    return !fv->f || fv->f->type == RH_FIELD_NULL;
}

const struct sigma_modifier sigma_mod_null = {"(null)", NULL, NULL, mod_null_match, NULL};

/* ---- generic rows --------------------------------------------------------------------------- */

static int wrap(struct mod_state *st, bool head, bool tail, const char *name)
{
    size_t i;
    rh_ctx *ctx = st->b->c->ctx;
    if (st->fieldref) {
        for (i = 0; i < st->nvals; i++) {
            st->vals[i].v.aux |= (head ? 1 : 0) | (tail ? 2 : 0);
        }
        return 0;
    }
    if (st->has_type) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE, "'%s' cannot follow a type modifier", name);
    }
    for (i = 0; i < st->nvals; i++) {
        struct mval *v = &st->vals[i];
        if (head && !(v->n && v->w[0] == W_STAR)) {
            if (sigma_mval_put(ctx, v, 0, 0) < 0) {
                return sigma_mod_nomem(st);
            }
            memmove(v->b + 1, v->b, v->n - 1);
            memmove(v->w + 1, v->w, v->n - 1);
            v->b[0] = '*';
            v->w[0] = W_STAR;
        }
        if (tail && !(v->n && v->w[v->n - 1] == W_STAR)) {
            if (sigma_mval_put(ctx, v, '*', W_STAR) < 0) {
                return sigma_mod_nomem(st);
            }
        }
    }
    st->wrap_set = true;
    return 0;
}

static int mod_contains_setup(struct mod_state *st)
{
    return wrap(st, true, true, "contains");
}

static int mod_startswith_setup(struct mod_state *st)
{
    return wrap(st, false, true, "startswith");
}

static int mod_endswith_setup(struct mod_state *st)
{
    return wrap(st, true, false, "endswith");
}

static int mod_all_setup(struct mod_state *st)
{
    st->item_flags |= SIG_I_ALL;
    return 0;
}

static int mod_cased_setup(struct mod_state *st)
{
    st->cased = true;
    return 0;
}

static int mod_neq_setup(struct mod_state *st)
{
    st->item_flags |= SIG_I_NEQ;
    return 0;
}

int sigma_mod_set_type(struct mod_state *st, const struct sigma_modifier *row)
{
    size_t i;
    if (st->has_type) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE, "'%s' cannot follow another type modifier",
                          row->name);
    }
    st->has_type = true;
    st->type = row;
    for (i = 0; i < st->nvals; i++) {
        st->vals[i].typed = true;
        st->vals[i].v.mod = row;
    }
    return 0;
}

extern const struct sigma_modifier sigma_modifiers[];
const struct sigma_modifier *sigma_modifier_named(const char *name)
{
    return sigma_modifier_find(name, strlen(name));
}

static int mod_exists_setup(struct mod_state *st)
{
    size_t i;
    if (sigma_mod_set_type(st, sigma_modifier_named("exists")) < 0) {
        return -1;
    }
    for (i = 0; i < st->nvals; i++) {
        struct mval *v = &st->vals[i];
        if (v->n == 4 && rh_ascii_casecmp((const char *)v->b, 4, "true", 4) == 0) {
            v->v.num = 1;
        } else if (v->n == 5 && rh_ascii_casecmp((const char *)v->b, 5, "false", 5) == 0) {
            v->v.num = 0;
        } else {
            return sigma_fail(st->b, st->at, RH_ERR_RULE, "'exists' needs true or false");
        }
    }
    return 0;
}

static bool mod_exists_match(const struct sig_value *v, struct sigma_mctx *m,
                             const struct sig_fieldval *fv)
{
    (void)m;
    return (fv->f != NULL) == (v->num != 0);
}

/* ---- regular expressions -------------------------------------------------------------------- */

static int mod_re_setup(struct mod_state *st)
{
    if (st->wrap_set) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE,
                          "'re' cannot follow contains/startswith/endswith");
    }
    st->after_re = true;
    /* The value is the raw pattern: undo wildcard parsing by re-reading the text. */
    return sigma_mod_set_type(st, sigma_modifier_named("re"));
}

static int re_flag(struct mod_state *st, uint32_t flag, const char *name)
{
    if (!st->after_re) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE, "'%s' is only valid after 're'", name);
    }
    st->re_flags |= flag;
    return 0;
}

static int mod_re_i_setup(struct mod_state *st)
{
    return re_flag(st, PCRE2_CASELESS, "i");
}

static int mod_re_m_setup(struct mod_state *st)
{
    return re_flag(st, PCRE2_MULTILINE, "m");
}

static int mod_re_s_setup(struct mod_state *st)
{
    return re_flag(st, PCRE2_DOTALL, "s");
}

static int mod_re_finish(struct mod_state *st, struct mval *v)
{
    int errcode = 0;
    PCRE2_SIZE erroff = 0;
    pcre2_code *code;
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | st->re_flags;
    if (st->cased) {
        opts &= ~(uint32_t)PCRE2_CASELESS;
    }
    code = pcre2_compile((PCRE2_SPTR)v->b, v->n, opts, &errcode, &erroff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(errcode, msg, sizeof(msg));
        return sigma_fail(st->b, st->at, RH_ERR_RULE, "bad regular expression at offset %zu: %s",
                          (size_t)erroff, (const char *)msg);
    }
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* optional: falls back to interpreter */
    v->v.data = code;
    return 0;
}

static bool mod_re_match(const struct sig_value *v, struct sigma_mctx *m,
                         const struct sig_fieldval *fv)
{
    int rc;
    if (!fv->f) {
        return false;
    }
    rc = pcre2_match((const pcre2_code *)v->data, (PCRE2_SPTR)fv->f->value, fv->f->value_len, 0, 0,
                     m->m->md, m->m->mctx);
    return rc >= 0;
}

static void mod_re_free(struct sig_value *v)
{
    pcre2_code_free((pcre2_code *)v->data);
    v->data = NULL;
}

/* ---- expand ------------------------------------------------------------------------------------
 */

#define EXPAND_MAX 4096

static int mod_expand_setup(struct mod_state *st)
{
    const rh_sigma_config *cfg = st->b->c->cfg;
    struct mval *nv;
    size_t i, nn = 0, capn = 0;
    rh_ctx *ctx = st->b->c->ctx;
    if (st->has_type) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE, "'expand' cannot follow a type modifier");
    }
    nv = NULL;
    for (i = 0; i < st->nvals; i++) {
        struct mval *v = &st->vals[i];
        /* Split into literal pieces and placeholders, then take the cartesian product. */
        const struct sigma_placeholder *ph[16];
        size_t phpos[16][2], nph = 0, j, comb = 1, c;
        for (j = 0; j < v->n; j++) {
            if (v->w[j] == W_LIT && v->b[j] == '%') {
                size_t k = j + 1;
                while (k < v->n && v->w[k] == W_LIT && v->b[k] != '%') {
                    k++;
                }
                if (k < v->n && v->b[k] == '%' && k > j + 1) {
                    if (nph == 16) {
                        rh_free(ctx, nv);
                        return sigma_fail(st->b, st->at, RH_ERR_LIMIT, "too many placeholders");
                    }
                    ph[nph] = sigma_config_placeholder(cfg, (const char *)v->b + j + 1, k - j - 1);
                    if (!ph[nph] || ph[nph]->n == 0) {
                        int r = sigma_fail(st->b, st->at, RH_ERR_UNSUPPORTED,
                                           "unresolved placeholder %%%.*s%% (define it under "
                                           "'placeholders:' in a config)",
                                           (int)(k - j - 1), (const char *)v->b + j + 1);
                        for (c = 0; c < nn; c++) {
                            sigma_mval_free(ctx, &nv[c]);
                        }
                        rh_free(ctx, nv);
                        return r;
                    }
                    phpos[nph][0] = j;
                    phpos[nph][1] = k;
                    if (comb > EXPAND_MAX / ph[nph]->n) {
                        for (c = 0; c < nn; c++) {
                            sigma_mval_free(ctx, &nv[c]);
                        }
                        rh_free(ctx, nv);
                        return sigma_fail(st->b, st->at, RH_ERR_LIMIT,
                                          "placeholder expansion too large");
                    }
                    comb *= ph[nph]->n;
                    nph++;
                    j = k;
                }
            }
        }
        if (nn + comb > capn) {
            size_t ncap = (nn + comb) * 2;
            struct mval *t = rh_realloc(ctx, nv, ncap * sizeof(*t));
            if (!t) {
                for (c = 0; c < nn; c++) {
                    sigma_mval_free(ctx, &nv[c]);
                }
                rh_free(ctx, nv);
                return sigma_mod_nomem(st);
            }
            memset(t + nn, 0, (ncap - nn) * sizeof(*t));
            nv = t;
            capn = ncap;
        }
        for (c = 0; c < comb; c++) {
            struct mval *o = &nv[nn++];
            size_t sel = c, p = 0;
            for (j = 0; j < v->n; j++) {
                if (p < nph && phpos[p][0] == j) {
                    const char *val = ph[p]->values[sel % ph[p]->n];
                    sel /= ph[p]->n;
                    if (sigma_mval_from_text(st, o, val, strlen(val), true) < 0) {
                        sigma_mod_replace_vals(st, nv, nn);
                        return -1;
                    }
                    j = phpos[p][1];
                    p++;
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

/* ---- fieldref ----------------------------------------------------------------------------------
 */

static int mod_fieldref_setup(struct mod_state *st)
{
    size_t i;
    if (sigma_mod_set_type(st, sigma_modifier_named("fieldref")) < 0) {
        return -1;
    }
    st->fieldref = true;
    for (i = 0; i < st->nvals; i++) {
        struct mval *v = &st->vals[i];
        v->v.fid = sigma_strtab_intern(&st->b->rs->fields, (const char *)v->b, v->n);
        if (v->v.fid == UINT32_MAX) {
            return sigma_mod_nomem(st);
        }
        if (st->wrap_set) {
            return sigma_fail(st->b, st->at, RH_ERR_RULE,
                              "write 'fieldref' before contains/startswith/endswith");
        }
    }
    return 0;
}

static int mod_fieldref_finish(struct mod_state *st, struct mval *v)
{
    v->v.cased = st->cased;
    return 0;
}

static bool mod_fieldref_match(const struct sig_value *v, struct sigma_mctx *m,
                               const struct sig_fieldval *fv)
{
    struct sig_fieldval other;
    const uint8_t *a, *b;
    size_t an, bn;
    if (!fv->f) {
        return false;
    }
    sigma_view_field(m, v->fid, &other);
    if (!other.f) {
        return false;
    }
    if (v->cased) {
        a = (const uint8_t *)fv->f->value;
        an = fv->f->value_len;
        b = (const uint8_t *)other.f->value;
        bn = other.f->value_len;
    } else {
        a = fv->fold;
        an = fv->foldlen;
        b = other.fold;
        bn = other.foldlen;
    }
    switch (v->aux & 3) {
    case 3: /* contains */
        return bn == 0 || (an >= bn && sigma_memmem(a, an, b, bn) != NULL);
    case 2: /* startswith */
        return an >= bn && memcmp(a, b, bn) == 0;
    case 1: /* endswith */
        return an >= bn && memcmp(a + an - bn, b, bn) == 0;
    default:
        return an == bn && memcmp(a, b, an) == 0;
    }
}

/* ---- the table ----------------------------------------------------------------------------------
 */

const struct sigma_modifier sigma_modifiers[] = {
#define SIGMA_MODIFIER(name, setup, finish, match, free) {name, setup, finish, match, free},
#include "modifiers.def"
#undef SIGMA_MODIFIER
};

const struct sigma_modifier *sigma_modifier_find(const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < sizeof(sigma_modifiers) / sizeof(sigma_modifiers[0]); i++) {
        if (strlen(sigma_modifiers[i].name) == len &&
            memcmp(sigma_modifiers[i].name, name, len) == 0) {
            return &sigma_modifiers[i];
        }
    }
    return NULL;
}
