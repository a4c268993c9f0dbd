/*
 * Knowledge base matching: the case-insensitive glob, and the walk of the per-hive pattern
 * tries that finds the locations covering a key or value (rh_kb_match*), whether a walk
 * should descend below a key, and the literal entry points of the patterns.
 */
#include "common/common.h"
#include "kb_internal.h"
#include "reghunt/kb.h"

/* ---- glob ----------------------------------------------------------------------------------- */

static unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

int rh_kb_glob(const char *pat, size_t plen, const char *s, size_t slen)
{
    /* Two-pointer matcher with one backtrack point: O(plen * slen) worst case, no recursion. */
    size_t p = 0, i = 0, star_p = (size_t)-1, star_i = 0;
    while (i < slen) {
        if (p < plen && pat[p] == '*') {
            star_p = p++;
            star_i = i;
        } else if (p < plen &&
                   (pat[p] == '?' || fold((unsigned char)pat[p]) == fold((unsigned char)s[i]))) {
            p++;
            i++;
        } else if (star_p != (size_t)-1) {
            p = star_p + 1;
            i = ++star_i;
        } else {
            return 0;
        }
    }
    while (p < plen && pat[p] == '*') {
        p++;
    }
    return p == plen;
}

/* ---- matching ------------------------------------------------------------------------------- */

struct kb_path {
    const char *p[KB_MAX_PATH_DEPTH];
    size_t len[KB_MAX_PATH_DEPTH];
    size_t n;
    int too_deep;
};

static void split_path(const char *s, size_t n, struct kb_path *out)
{
    size_t i, start = 0;
    out->n = 0;
    out->too_deep = 0;
    if (n == 0) {
        return;
    }
    for (i = 0; i <= n; i++) {
        if (i == n || s[i] == '\\') {
            if (out->n == KB_MAX_PATH_DEPTH) {
                out->too_deep = 1;
                return;
            }
            out->p[out->n] = s + start;
            out->len[out->n] = i - start;
            out->n++;
            start = i + 1;
        }
    }
}

struct kb_hits {
    uint32_t idx[KB_MAX_HITS];
    size_t n;
};

static void add_hits(const rh_kb *kb, uint32_t node, struct kb_hits *h)
{
    uint32_t r = kb->nodes[node].loc_first;
    size_t guard = 0;
    while (r != UINT32_MAX && guard++ < kb->nlocs) {
        uint32_t li = kb->locref[r];
        size_t j;
        int dup = 0;
        for (j = 0; j < h->n; j++) {
            dup |= h->idx[j] == li;
        }
        if (!dup && h->n < KB_MAX_HITS) {
            h->idx[h->n++] = li;
        }
        r = kb->locref[r + 1];
    }
}

static int comp_matches(const struct kb_node *nd, const char *s, size_t n)
{
    switch (nd->kind) {
    case KC_LIT:
        return nd->comp_len == n && rh_ascii_casecmp(nd->comp, n, s, n) == 0;
    case KC_GLOB:
        return rh_kb_glob(nd->comp, nd->comp_len, s, n);
    case KC_STAR:
        return 1;
    default:
        return 0;
    }
}

/* Walk: node has consumed components [0, i). Collects terminal hits at i == n. `alive` is set
 * when some pattern could still match below the path (for rh_kb_should_descend). */
static void walk(const rh_kb *kb, uint32_t node, const struct kb_path *path, size_t i,
                 struct kb_hits *hits, int *alive, unsigned depth)
{
    uint32_t c;
    if (depth > KB_MAX_PATTERN_DEPTH + 1) {
        return;
    }
    if (i == path->n) {
        if (hits) {
            add_hits(kb, node, hits);
        }
        if (alive && kb->nodes[node].first_child) {
            *alive = 1;
        }
    }
    for (c = kb->nodes[node].first_child; c; c = kb->nodes[c].next_sibling) {
        const struct kb_node *nd = &kb->nodes[c];
        if (nd->kind == KC_DSTAR) {
            /* zero or more components: try every split point */
            size_t j;
            if (alive) {
                *alive = 1;
            }
            for (j = i; j <= path->n; j++) {
                walk(kb, c, path, j, hits, alive, depth + 1);
            }
        } else if (i < path->n && comp_matches(nd, path->p[i], path->len[i])) {
            walk(kb, c, path, i + 1, hits, alive, depth + 1);
        }
    }
}

static const char kb_classes_prefix[] = "Software\\Classes";

/* For NTUSER keys under Software\Classes: the remainder, matched as USRCLASS. */
static int ntuser_classes_rest(const char *s, size_t n, const char **rest, size_t *rest_len)
{
    size_t pl = sizeof(kb_classes_prefix) - 1;
    if (n > pl && s[pl] == '\\' && rh_ascii_casecmp(s, pl, kb_classes_prefix, pl) == 0) {
        *rest = s + pl + 1;
        *rest_len = n - pl - 1;
        return 1;
    }
    return 0;
}

static void sort_hits(const rh_kb *kb, struct kb_hits *h)
{
    size_t i, j;
    for (i = 1; i < h->n; i++) { /* insertion sort: stable, tiny n */
        uint32_t v = h->idx[i];
        j = i;
        while (j > 0 && (kb->spec[h->idx[j - 1]] < kb->spec[v] ||
                         (kb->spec[h->idx[j - 1]] == kb->spec[v] && h->idx[j - 1] > v))) {
            h->idx[j] = h->idx[j - 1];
            j--;
        }
        h->idx[j] = v;
    }
}

static void collect(const rh_kb *kb, rh_kb_hive hive, const char *key, size_t len,
                    struct kb_hits *hits)
{
    struct kb_path path;
    const char *rest;
    size_t rest_len;
    hits->n = 0;
    split_path(key, len, &path);
    if (!path.too_deep) {
        walk(kb, (uint32_t)hive, &path, 0, hits, NULL, 0);
    }
    if (hive == RH_KB_HIVE_NTUSER && ntuser_classes_rest(key, len, &rest, &rest_len)) {
        split_path(rest, rest_len, &path);
        if (!path.too_deep) {
            walk(kb, (uint32_t)RH_KB_HIVE_USRCLASS, &path, 0, hits, NULL, 0);
        }
    }
}

rh_status rh_kb_match_key(const rh_kb *kb, rh_kb_hive hive, const char *key_path, size_t key_len,
                          const rh_kb_location **out, size_t max, size_t *n)
{
    struct kb_hits hits;
    size_t i;
    if (n) {
        *n = 0;
    }
    if (!kb || !key_path || (unsigned)hive >= RH_KB_HIVE_COUNT || (max && !out)) {
        return RH_ERR_ARG;
    }
    collect(kb, hive, key_path, key_len, &hits);
    sort_hits(kb, &hits);
    for (i = 0; i < hits.n && i < max; i++) {
        out[i] = &kb->locs[hits.idx[i]];
    }
    if (n) {
        *n = hits.n;
    }
    return RH_OK;
}

int rh_kb_value_matches(const rh_kb_location *loc, const char *value_name, size_t name_len)
{
    const char *vp;
    if (!loc) {
        return 0;
    }
    vp = loc->value_pattern;
    if (strcmp(vp, "*") == 0) {
        return 1;
    }
    if (strcmp(vp, "(default)") == 0) {
        return name_len == 0;
    }
    return value_name && rh_kb_glob(vp, strlen(vp), value_name, name_len);
}

rh_status rh_kb_match(const rh_kb *kb, rh_kb_hive hive, const char *key_path, size_t key_len,
                      const char *value_name, size_t name_len, const rh_kb_location **out,
                      size_t max, size_t *n)
{
    struct kb_hits hits;
    size_t i, k = 0;
    if (n) {
        *n = 0;
    }
    if (!kb || !key_path || (unsigned)hive >= RH_KB_HIVE_COUNT || (max && !out)) {
        return RH_ERR_ARG;
    }
    collect(kb, hive, key_path, key_len, &hits);
    sort_hits(kb, &hits);
    for (i = 0; i < hits.n; i++) {
        const rh_kb_location *loc = &kb->locs[hits.idx[i]];
        if (rh_kb_value_matches(loc, value_name ? value_name : "", value_name ? name_len : 0)) {
            if (k < max) {
                out[k] = loc;
            }
            k++;
        }
    }
    if (n) {
        *n = k;
    }
    return RH_OK;
}

int rh_kb_should_descend(const rh_kb *kb, rh_kb_hive hive, const char *key_path, size_t key_len)
{
    struct kb_path path;
    int alive = 0;
    const char *rest;
    size_t rest_len, pl = sizeof(kb_classes_prefix) - 1;
    if (!kb || (unsigned)hive >= RH_KB_HIVE_COUNT) {
        return 0;
    }
    if (!key_path || key_len == 0) {
        return 1;
    }
    split_path(key_path, key_len, &path);
    if (path.too_deep) {
        return 0;
    }
    walk(kb, (uint32_t)hive, &path, 0, NULL, &alive, 0);
    if (!alive && hive == RH_KB_HIVE_NTUSER) {
        /* "Software" and "Software\Classes" lead to the per-user classes view */
        if ((key_len <= pl &&
             rh_ascii_casecmp(key_path, key_len, kb_classes_prefix, key_len) == 0 &&
             (key_len == pl || kb_classes_prefix[key_len] == '\\'))) {
            return 1;
        }
        if (ntuser_classes_rest(key_path, key_len, &rest, &rest_len)) {
            split_path(rest, rest_len, &path);
            if (!path.too_deep) {
                walk(kb, (uint32_t)RH_KB_HIVE_USRCLASS, &path, 0, NULL, &alive, 0);
            }
        }
    }
    return alive;
}

const char *rh_kb_entry_point(const rh_kb *kb, rh_kb_hive hive, size_t i, uint32_t *depth_below)
{
    if (!kb || (unsigned)hive >= RH_KB_HIVE_COUNT || i >= kb->nentries[hive]) {
        return NULL;
    }
    if (depth_below) {
        *depth_below = kb->entries[hive][i].depth_below;
    }
    return kb->entries[hive][i].prefix;
}
