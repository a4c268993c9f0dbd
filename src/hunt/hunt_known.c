/*
 * Known-good: baselines (a golden image's findings, JSON Lines) and allowlists (globs).
 * Matches are kept and flagged, never dropped.
 */
#include <stdlib.h>

#include <jansson.h>

#include "hunt_internal.h"

#define BASELINE_MAX_BYTES   (256u << 20) /* a baseline file read into memory */
#define BASELINE_MAX_ENTRIES 4000000u
#define ALLOW_MAX_ENTRIES    100000u

/* ---- baseline key ------------------------------------------------------------------------ */

/* Append s with every case-insensitive occurrence of `profile` replaced by %USERPROFILE%. */
static rh_status norm_data(rh_buf *out, const char *s, size_t n, const char *profile)
{
    size_t pl = profile ? strlen(profile) : 0, i = 0;
    rh_status st = RH_OK;
    if (pl < 3) {
        return rh_buf_append(out, s, n);
    }
    while (i < n && st == RH_OK) {
        if (n - i >= pl && rh_ascii_casecmp(s + i, pl, profile, pl) == 0) {
            st = rh_buf_lit(out, "%USERPROFILE%");
            i += pl;
        } else {
            st = rh_buf_putc(out, s[i++]);
        }
    }
    return st;
}

static rh_status lower_append(rh_buf *out, const char *s, size_t n)
{
    size_t i;
    rh_status st = RH_OK;
    for (i = 0; i < n && st == RH_OK; i++) {
        char c = s[i];
        st = rh_buf_putc(out, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
    }
    return st;
}

/* loc \x1f hive \x1f key(lower) \x1f name(lower) \x1f data (fields never contain \x1f after
 * escaping: data and names are compared as given, which may include \x1f only in hostile
 * input, where a false mismatch is harmless). */
static rh_status make_key(rh_buf *out, const char *loc, const char *hive, const char *key,
                          size_t key_len, const char *name, size_t name_len, const char *data,
                          size_t data_len, int normalise, const char *profile)
{
    rh_status st = rh_buf_printf(out, "%s\x1f%s\x1f", loc, hive);
    if (st == RH_OK) {
        st = lower_append(out, key, key_len);
    }
    if (st == RH_OK) {
        st = rh_buf_putc(out, '\x1f');
    }
    if (st == RH_OK) {
        st = lower_append(out, name, name_len);
    }
    if (st == RH_OK) {
        st = rh_buf_putc(out, '\x1f');
    }
    if (st == RH_OK) {
        st = normalise ? norm_data(out, data, data_len, profile)
                       : rh_buf_append(out, data, data_len);
    }
    return st;
}

/* The set of baseline keys (copied; they hold \x1f separators, so lengths count). */
struct rh_baseline {
    rh_ctx *ctx;
    struct rh_strmap keys;
    size_t n; /* entries read, duplicates included */
};

int hunt_baseline_has(const rh_baseline *b, const char *loc, const char *hive_kind,
                      const char *rel_key, size_t rel_len, const char *name, size_t name_len,
                      const char *data, size_t data_len, const char *profile_dir)
{
    rh_buf k = RH_BUF_INIT(b->ctx);
    int found = 0;
    if (b->n && make_key(&k, loc, hive_kind, rel_key, rel_len, name, name_len, data ? data : "",
                         data_len, 1, profile_dir) == RH_OK) {
        found = rh_strmap_find(&b->keys, k.data, k.len) != NULL;
    }
    rh_buf_free(&k);
    return found;
}

rh_status rh_baseline_write(const rh_hunt *h, rh_buf *out)
{
    size_t i;
    rh_status st;
    if (!h || !out) {
        return RH_ERR_ARG;
    }
    st = rh_buf_printf(out, "{\"reghunt_baseline\":1,\"findings\":%zu}\n", h->n);
    for (i = 0; i < h->n && st == RH_OK; i++) {
        const struct hunt_finding *f = h->f[i];
        rh_buf d = RH_BUF_INIT(h->ctx);
        if (f->pub.source != RH_FINDING_KB || !f->rel_key) {
            continue;
        }
        st = norm_data(&d, f->pub.value_data, f->pub.value_data_len, f->profile_dir);
        if (st == RH_OK) {
            st = rh_buf_lit(out, "{\"location_id\":\"");
        }
        if (st == RH_OK) {
            st = rh_escape_append(out, f->pub.location_id, strlen(f->pub.location_id), RH_ESC_JSON);
        }
        if (st == RH_OK) {
            st = rh_buf_printf(out, "\",\"hive\":\"%s\",\"key\":\"", f->pub.hive_kind);
        }
        if (st == RH_OK) {
            st = rh_escape_append(out, f->rel_key, f->rel_key_len, RH_ESC_JSON);
        }
        if (st == RH_OK) {
            st = rh_buf_lit(out, "\",\"value_name\":\"");
        }
        if (st == RH_OK) {
            st = rh_escape_append(out, f->pub.value_name, f->pub.value_name_len, RH_ESC_JSON);
        }
        if (st == RH_OK) {
            st = rh_buf_lit(out, "\",\"data\":\"");
        }
        if (st == RH_OK) {
            st = rh_escape_append(out, d.data ? d.data : "", d.len, RH_ESC_JSON);
        }
        if (st == RH_OK) {
            st = rh_buf_lit(out, "\"}\n");
        }
        rh_buf_free(&d);
    }
    return st;
}

static rh_status bl_add(rh_baseline *b, const rh_buf *k)
{
    struct rh_strmap_entry *e;
    rh_status st;
    if (b->n >= BASELINE_MAX_ENTRIES) {
        return RH_ERR_LIMIT;
    }
    st = rh_strmap_put(&b->keys, k->data, k->len, &e, NULL);
    if (st == RH_OK) {
        b->n++;
    }
    return st;
}

static const char *jstr(json_t *o, const char *name, size_t *n)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v)) {
        return NULL;
    }
    *n = json_string_length(v);
    return json_string_value(v);
}

rh_status rh_baseline_load(rh_ctx *ctx, const char *path, rh_baseline **out)
{
    rh_baseline *b;
    uint8_t *data = NULL;
    size_t len = 0, pos = 0;
    unsigned line = 0;
    rh_status st;
    *out = NULL;
    b = rh_calloc(ctx, 1, sizeof(*b));
    if (!b) {
        return RH_ERR_NOMEM;
    }
    b->ctx = ctx;
    rh_strmap_init(&b->keys, ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 256, BASELINE_MAX_ENTRIES);
    st = rh_read_file(ctx, path, BASELINE_MAX_BYTES, &data, &len);
    while (st == RH_OK && pos < len) {
        const char *p = (const char *)data + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - p) : len - pos;
        json_error_t err;
        json_t *o;
        size_t ln = 0, hn = 0, kn = 0, vn = 0, dn = 0;
        const char *loc, *hive, *key, *val, *dat;
        pos += ll + (nl ? 1 : 0);
        line++;
        if (ll == 0 || (ll && p[ll - 1] == '\r' && ll == 1)) {
            continue;
        }
        o = json_loadb(p, ll, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
        if (!o || !json_is_object(o)) {
            json_decref(o);
            rh_diagf(ctx, RH_DIAG_ERROR, "hunt", path, -1, "line %u: not a JSON object", line);
            st = RH_ERR_FORMAT;
            break;
        }
        if (json_object_get(o, "reghunt_baseline")) {
            json_decref(o);
            continue;
        }
        loc = jstr(o, "location_id", &ln);
        hive = jstr(o, "hive", &hn);
        key = jstr(o, "key", &kn);
        val = jstr(o, "value_name", &vn);
        dat = jstr(o, "data", &dn);
        if (!loc || !hive || !key || !val || !dat) {
            json_decref(o);
            rh_diagf(ctx, RH_DIAG_ERROR, "hunt", path, -1,
                     "line %u: baseline entry needs location_id, hive, key, value_name, data",
                     line);
            st = RH_ERR_FORMAT;
            break;
        }
        {
            rh_buf k = RH_BUF_INIT(ctx);
            st = make_key(&k, loc, hive, key, kn, val, vn, dat, dn, 0, NULL);
            if (st == RH_OK) {
                st = bl_add(b, &k);
            }
            rh_buf_free(&k);
        }
        json_decref(o);
    }
    rh_free(ctx, data);
    if (st != RH_OK) {
        rh_baseline_destroy(b);
        return st;
    }
    *out = b;
    return RH_OK;
}

void rh_baseline_destroy(rh_baseline *b)
{
    if (!b) {
        return;
    }
    rh_strmap_free(&b->keys);
    rh_free(b->ctx, b);
}

size_t rh_baseline_count(const rh_baseline *b)
{
    return b ? b->n : 0;
}

/* ---- allowlist --------------------------------------------------------------------------- */

/* The columns of an allowlist line. */
enum allow_field { ALLOW_KEY, ALLOW_VALUE, ALLOW_DATA, ALLOW_LOCATION, ALLOW_FIELD_COUNT };

struct allow_entry {
    char *field[ALLOW_FIELD_COUNT]; /* globs ("*" when absent) */
};

struct rh_allowlist {
    rh_ctx *ctx;
    struct allow_entry *e;
    size_t n, cap;
};

int hunt_allowlist_match(const rh_allowlist *a, const char *key, size_t key_len, const char *name,
                         size_t name_len, const char *data, size_t data_len, const char *loc)
{
    size_t i;
    if (name_len == 0) {
        name = "(default)";
        name_len = 9;
    }
    for (i = 0; i < a->n; i++) {
        const struct allow_entry *e = &a->e[i];
        if (rh_kb_glob(e->field[ALLOW_KEY], strlen(e->field[ALLOW_KEY]), key, key_len) &&
            rh_kb_glob(e->field[ALLOW_VALUE], strlen(e->field[ALLOW_VALUE]), name, name_len) &&
            rh_kb_glob(e->field[ALLOW_DATA], strlen(e->field[ALLOW_DATA]), data ? data : "",
                       data_len) &&
            rh_kb_glob(e->field[ALLOW_LOCATION], strlen(e->field[ALLOW_LOCATION]), loc,
                       strlen(loc))) {
            return 1;
        }
    }
    return 0;
}

rh_status rh_allowlist_load(rh_ctx *ctx, const char *path, rh_allowlist **out)
{
    rh_allowlist *a;
    uint8_t *data = NULL;
    size_t len = 0, pos = 0;
    rh_status st;
    *out = NULL;
    a = rh_calloc(ctx, 1, sizeof(*a));
    if (!a) {
        return RH_ERR_NOMEM;
    }
    a->ctx = ctx;
    st = rh_read_file(ctx, path, BASELINE_MAX_BYTES, &data, &len);
    while (st == RH_OK && pos < len) {
        const char *p = (const char *)data + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - p) : len - pos, f = 0, i;
        struct allow_entry *e;
        pos += ll + (nl ? 1 : 0);
        if (ll && p[ll - 1] == '\r') {
            ll--;
        }
        if (ll == 0 || p[0] == '#') {
            continue;
        }
        if (a->n >= ALLOW_MAX_ENTRIES) {
            st = RH_ERR_LIMIT;
            break;
        }
        if (a->n == a->cap) {
            size_t nc = a->cap ? a->cap * 2 : 32;
            struct allow_entry *ne = rh_realloc(ctx, a->e, nc * sizeof(*ne));
            if (!ne) {
                st = RH_ERR_NOMEM;
                break;
            }
            a->e = ne;
            a->cap = nc;
        }
        e = &a->e[a->n];
        memset(e, 0, sizeof(*e));
        a->n++;
        for (f = 0; f < ALLOW_FIELD_COUNT; f++) {
            const char *tab = ll ? memchr(p, '\t', ll) : NULL;
            size_t fl = tab ? (size_t)(tab - p) : ll;
            if (ll == 0 && f > 0) {
                e->field[f] = rh_strdup(ctx, "*");
            } else {
                e->field[f] = rh_strndup(ctx, p, fl);
            }
            if (!e->field[f]) {
                st = RH_ERR_NOMEM;
                break;
            }
            if (tab) {
                ll -= fl + 1;
                p = tab + 1;
            } else {
                ll = 0;
            }
        }
        for (i = 0; i < ALLOW_FIELD_COUNT && st == RH_OK; i++) {
            if (!e->field[i][0]) {
                rh_free(ctx, e->field[i]);
                e->field[i] = rh_strdup(ctx, "*");
                if (!e->field[i]) {
                    st = RH_ERR_NOMEM;
                }
            }
        }
    }
    rh_free(ctx, data);
    if (st != RH_OK) {
        rh_allowlist_destroy(a);
        return st;
    }
    *out = a;
    return RH_OK;
}

void rh_allowlist_destroy(rh_allowlist *a)
{
    size_t i, j;
    if (!a) {
        return;
    }
    for (i = 0; i < a->n; i++) {
        for (j = 0; j < ALLOW_FIELD_COUNT; j++) {
            rh_free(a->ctx, a->e[i].field[j]);
        }
    }
    rh_free(a->ctx, a->e);
    rh_free(a->ctx, a);
}

size_t rh_allowlist_count(const rh_allowlist *a)
{
    return a ? a->n : 0;
}

void hunt_known_mark(const rh_hunt *h, rh_score_input *in, const char *hive_kind,
                     const char *canon_key, size_t canon_len, const char *text, size_t text_len,
                     const char *profile_dir)
{
    in->in_baseline =
        h->opts.baseline &&
        hunt_baseline_has(h->opts.baseline, in->loc->id, hive_kind, in->key_path, in->key_len,
                          in->value_name, in->name_len, text, text_len, profile_dir);
    in->in_allowlist = h->opts.allowlist &&
                       hunt_allowlist_match(h->opts.allowlist, canon_key, canon_len, in->value_name,
                                            in->name_len, text, text_len, in->loc->id);
}

unsigned hunt_known_flags(const rh_score_input *in)
{
    return (in->in_baseline ? RH_KNOWN_BASELINE : 0u) |
           (in->in_allowlist ? RH_KNOWN_ALLOWLIST : 0u);
}
