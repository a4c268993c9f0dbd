/*
 * Shared pieces of the fusion (docs/correlation.md): host equality, the
 * mapping of a logged registry path to a kb hive and location, and the merge index keyed on
 * host + normalized registry path.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hunt_fuse_internal.h"
#include "reghunt/evtx.h"
#include "reghunt/regpath.h"

#define COMP "hunt"

/* ---- small helpers ------------------------------------------------------------------------ */

/* The hive-host record matching an event host, or NULL. */
struct hunt_host_rec *hunt_host_rec(rh_hunt *h, const char *name)
{
    size_t i;
    for (i = 0; i < h->nhosts; i++) {
        if (rh_host_eq(h->hosts[i].name, name)) {
            return &h->hosts[i];
        }
    }
    return NULL;
}

/* ---- registry path -> knowledge-base hive ------------------------------------------------- */

static int strip(const char **p, size_t *n, const char *prefix)
{
    size_t l = strlen(prefix);
    if (*n >= l && rh_ascii_casecmp(*p, l, prefix, l) == 0) {
        *p += l;
        *n -= l;
        return 1;
    }
    return 0;
}

/* Map a logged registry path (any root of the registry view) to a kb hive, a relative key and
 * a value name. Returns RH_OK, RH_NOT_FOUND (root not understood) or RH_ERR_NOMEM. */
rh_status hunt_map_target(const char *t, size_t n, struct target_map *m)
{
    rh_regpath_parts pp;
    rh_kb_hive kbh;
    size_t last, pl;
    rh_status st;
    rh_buf_reset(&m->canon_key);
    rh_buf_reset(&m->rel_key);
    rh_buf_reset(&m->value);
    rh_buf_reset(&m->sid);
    rh_regpath_split(t, n, &pp);
    if (!rh_hive_kind_kb(pp.kind, &kbh)) {
        return RH_NOT_FOUND;
    }
    m->kbh = kbh;
    t = pp.rest;
    n = pp.rest_len;
    for (last = n; last > 0 && t[last - 1] != '\\'; last--) {
    }
    if (last == 0) {
        return RH_NOT_FOUND; /* a value directly under the hive root: no kb location */
    }
    /* display key: the root as findings show it, then the key as logged */
    if (pp.current_user) {
        st = rh_buf_lit(&m->canon_key, "HKCU\\");
    } else if (pp.sid) {
        st = rh_buf_lit(&m->canon_key, "HKU\\");
        st = st == RH_OK ? rh_buf_append(&m->canon_key, pp.sid, (size_t)(pp.rest - pp.sid)) : st;
    } else {
        st = rh_hive_kind_root(pp.kind, NULL, 0, &m->canon_key);
        st = st == RH_OK ? rh_buf_putc(&m->canon_key, '\\') : st;
    }
    st = st == RH_OK ? rh_buf_puts(&m->canon_key, pp.prefix) : st;
    st = st == RH_OK ? rh_buf_append(&m->canon_key, t, last - 1) : st;
    /* relative key: CurrentControlSet is ControlSet001 in an offline SYSTEM hive */
    pl = strlen(pp.prefix);
    if (st == RH_OK) {
        const char *p = pl ? pp.prefix : t;
        size_t pn = pl ? pl : last - 1;
        if (m->kbh == RH_KB_HIVE_SYSTEM && strip(&p, &pn, "CurrentControlSet")) {
            st = rh_buf_lit(&m->rel_key, "ControlSet001");
            st = st == RH_OK ? rh_buf_append(&m->rel_key, p, pn) : st;
            st = st == RH_OK && pl ? rh_buf_append(&m->rel_key, t, last - 1) : st;
        } else {
            st = rh_buf_puts(&m->rel_key, pp.prefix);
            st = st == RH_OK ? rh_buf_append(&m->rel_key, t, last - 1) : st;
        }
    }
    if (st == RH_OK && pp.sid) {
        st = rh_buf_append(&m->sid, pp.sid, pp.sid_len);
    }
    if (st == RH_OK) {
        size_t vn = n - last;
        if (!rh_regpath_is_default_value(t + last, vn)) {
            st = rh_buf_append(&m->value, t + last, vn);
        }
        st = st == RH_OK ? rh_buf_puts(&m->value, "") : st;
        st = st == RH_OK ? rh_buf_puts(&m->sid, "") : st;
        st = st == RH_OK ? rh_buf_puts(&m->rel_key, "") : st;
    }
    return st;
}

void hunt_map_init(struct target_map *m, rh_ctx *ctx)
{
    memset(m, 0, sizeof(*m));
    rh_buf_init(&m->canon_key, ctx);
    rh_buf_init(&m->rel_key, ctx);
    rh_buf_init(&m->value, ctx);
    rh_buf_init(&m->sid, ctx);
}

void hunt_map_free(struct target_map *m)
{
    rh_buf_free(&m->canon_key);
    rh_buf_free(&m->rel_key);
    rh_buf_free(&m->value);
    rh_buf_free(&m->sid);
}

/* The kb location covering a mapped target, or NULL. */
const rh_kb_location *hunt_kb_loc(const rh_hunt *h, const struct target_map *m)
{
    const rh_kb_location *locs[HUNT_MAX_LOCS];
    size_t n = 0;
    if (rh_kb_match(h->kb, m->kbh, m->rel_key.data ? m->rel_key.data : "", m->rel_key.len,
                    m->value.data ? m->value.data : "", m->value.len, locs, HUNT_MAX_LOCS,
                    &n) != RH_OK ||
        n == 0) {
        return NULL;
    }
    return locs[0];
}

/* ---- merge index --------------------------------------------------------------------------- */

/* Far more findings than any report can hold. */
#define MINDEX_MAX (1u << 26)

void hunt_mindex_init(rh_ctx *ctx, struct mindex *m)
{
    rh_strmap_init(&m->map, ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 256, MINDEX_MAX);
}

/* Insert (takes ownership of key); an existing key keeps its first index. */
rh_status hunt_mindex_put(rh_ctx *ctx, struct mindex *m, char *key, size_t idx)
{
    struct rh_strmap_entry *e;
    bool added;
    rh_status st = rh_strmap_put(&m->map, key, strlen(key), &e, &added);
    if (st == RH_OK && added) {
        e->val = idx;
    }
    rh_free(ctx, key);
    return st;
}

int hunt_mindex_get(const struct mindex *m, const char *key, size_t *idx)
{
    const struct rh_strmap_entry *e = rh_strmap_find(&m->map, key, strlen(key));
    if (!e) {
        return 0;
    }
    *idx = e->val;
    return 1;
}

void hunt_mindex_free(rh_ctx *ctx, struct mindex *m)
{
    (void)ctx;
    rh_strmap_free(&m->map);
}

/* Merge key of host + full registry path (key\value); the path is normalized. Owned. */
char *hunt_merge_key(rh_ctx *ctx, const char *host, const char *path, size_t n)
{
    rh_buf b = RH_BUF_INIT(ctx);
    size_t i, hs, hl = rh_host_key(host ? host : "", host ? strlen(host) : 0, &hs);
    rh_status st = RH_OK;
    char *out = NULL;
    for (i = 0; i < hl && st == RH_OK; i++) {
        char c = host[hs + i];
        st = rh_buf_putc(&b, (char)(c >= 'a' && c <= 'z' ? c - 32 : c));
    }
    st = st == RH_OK ? rh_buf_putc(&b, '|') : st;
    st = st == RH_OK ? rh_regpath_normalize(path, n, &b) : st;
    if (st == RH_OK && b.data) {
        /* NUL inside value names: keep the key a C string */
        for (i = 0; i < b.len; i++) {
            if (b.data[i] == '\0') {
                b.data[i] = '?';
            }
        }
        out = rh_strndup(ctx, b.data, b.len);
    }
    rh_buf_free(&b);
    return out;
}

char *hunt_finding_key(rh_ctx *ctx, const rh_finding *f)
{
    rh_buf p = RH_BUF_INIT(ctx);
    char *k = NULL;
    rh_status st = rh_buf_append(&p, f->key_path, f->key_path_len);
    st = st == RH_OK ? rh_buf_putc(&p, '\\') : st;
    if (st == RH_OK) {
        st = f->value_name_len ? rh_buf_append(&p, f->value_name, f->value_name_len)
                               : rh_buf_lit(&p, "(Default)");
    }
    if (st == RH_OK) {
        k = hunt_merge_key(ctx, f->host, p.data, p.len);
    }
    rh_buf_free(&p);
    return k;
}

/* Merge key of a hit: its registry path, or (non-registry events) its source and record. */
char *hunt_hit_key(rh_ctx *ctx, const rh_hunt *h, const struct hunt_hit *x)
{
    const struct hunt_host_rec *r = hunt_host_rec((rh_hunt *)h, x->host);
    const char *host = r ? r->name : x->host;
    if (x->target_len) {
        return hunt_merge_key(ctx, host, x->target, x->target_len);
    } else {
        rh_buf b = RH_BUF_INIT(ctx);
        char *k = NULL;
        size_t hs, hl = rh_host_key(host, strlen(host), &hs);
        if (rh_buf_printf(&b, "%.*s|EVENT|%s|%llu|%llu", (int)hl, host + hs, x->source,
                          (unsigned long long)x->record_id, (unsigned long long)x->time) == RH_OK) {
            k = rh_strndup(ctx, b.data, b.len);
        }
        rh_buf_free(&b);
        return k;
    }
}
