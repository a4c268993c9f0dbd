/*
 * Public hive API: open/close, key and value accessors, paths, lookups, replay diff.
 */
#include <stdio.h>
#include <stdlib.h>

#include "regf_internal.h"

#define MAX_PATH_CHAIN 1024u

int regf_name_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    return rh_utf8_casecmp(a, an, b, bn);
}

/* ---- replay diff: mark what exists or changed only because of log replay ---------------- */

struct named {
    const char *s;
    size_t n;
    uint32_t idx;
};

static int named_cmp(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    return rh_utf8_casecmp(x->s, x->n, y->s, y->n);
}

static void value_name_into(const struct regf_tree *t, uint32_t vi, rh_buf *out)
{
    const uint8_t *vk;
    size_t len;
    if (regf_cell_naive(t, t->values[vi].cell, &vk, &len) && regf_vk_ok(vk, len)) {
        size_t n = rh_le16(vk + VK_NAMELEN);
        if (rh_le16(vk + VK_FLAGS) & VK_F_COMP_NAME) {
            rh_latin1_to_utf8(out, vk + VK_NAME, n);
        } else {
            rh_utf16le_to_utf8(out, vk + VK_NAME, n, 0);
        }
    }
}

/* The pre-replay tree reads replayed pages through copies (regf_cow_view); each comparison
 * frees the copies of the one before. Trees read on demand trim their caches here: the diff
 * holds no cell pointer between comparisons (names are copied into pools). */
static void views_reset(const struct regf_tree *t)
{
    if (t->cow) {
        regf_cow_views_reset(t->cow);
    }
    regf_pager_trim(t->pager);
}

/* Sorted names of a key's live children (kind 0) or values (kind 1). */
static rh_status sorted_names(const struct regf_tree *t, uint32_t key, int kind, rh_buf *pool,
                              struct named **out, size_t *n)
{
    const struct regf_key *k = &t->keys[key];
    size_t cnt = kind ? k->nvalues : k->nchildren, i = 0;
    size_t *offs;
    struct named *a;
    uint32_t c;
    *out = NULL;
    *n = 0;
    if (cnt == 0) {
        return RH_OK;
    }
    a = rh_calloc(t->ctx, cnt, sizeof(*a));
    offs = rh_calloc(t->ctx, cnt, sizeof(*offs));
    if (!a || !offs) {
        rh_free(t->ctx, a);
        rh_free(t->ctx, offs);
        return RH_ERR_NOMEM;
    }
    rh_buf_reset(pool);
    if (kind) {
        for (i = 0; i < cnt; i++) {
            offs[i] = pool->len;
            value_name_into(t, k->first_value + (uint32_t)i, pool);
            views_reset(t);
            a[i].n = pool->len - offs[i];
            a[i].idx = k->first_value + (uint32_t)i;
        }
        for (i = 0; i < cnt; i++) {
            a[i].s = pool->data ? pool->data + offs[i] : "";
        }
    } else {
        for (c = k->first_child; c != RH_KEY_NONE && i < cnt; c = t->keys[c].next_sibling) {
            a[i].s = t->names.data + t->keys[c].name_off;
            a[i].n = t->keys[c].name_len;
            a[i].idx = c;
            i++;
        }
        cnt = i;
    }
    rh_free(t->ctx, offs);
    rh_sort(a, cnt, sizeof(*a), named_cmp);
    *out = a;
    *n = cnt;
    return RH_OK;
}

static bool value_same(const struct regf_tree *a, uint32_t va, const struct regf_tree *b,
                       uint32_t vb, rh_buf *s1, rh_buf *s2)
{
    const uint8_t *pa, *pb, *da, *db;
    size_t la, lb, na, nb;
    views_reset(a);
    views_reset(b);
    if (!regf_cell_naive(a, a->values[va].cell, &pa, &la) ||
        !regf_cell_naive(b, b->values[vb].cell, &pb, &lb)) {
        return false;
    }
    if (rh_le32(pa + VK_TYPE) != rh_le32(pb + VK_TYPE)) {
        return false;
    }
    if (regf_value_data(a, &a->values[va], &da, &na, s1) != RH_OK ||
        regf_value_data(b, &b->values[vb], &db, &nb, s2) != RH_OK) {
        return false;
    }
    return na == nb && (na == 0 || memcmp(da, db, na) == 0);
}

static void mark_subtree_new(struct regf_tree *t, uint32_t key, uint32_t *nk, uint32_t *nv)
{
    /* Children have larger indexes than their parent (preorder), so a range scan works:
     * the subtree of `key` is [key, next index whose depth <= key's depth). */
    uint32_t i, d = t->keys[key].depth, v;
    for (i = key; i < t->nkeys && !(t->keys[i].flags & RH_KEY_DELETED); i++) {
        if (i != key && t->keys[i].depth <= d) {
            break;
        }
        t->keys[i].flags |= RH_KEY_FROM_REPLAY;
        (*nk)++;
        for (v = 0; v < t->keys[i].nvalues; v++) {
            t->values[t->keys[i].first_value + v].flags |= RH_VALUE_FROM_REPLAY;
            (*nv)++;
        }
    }
}

static rh_status diff_key(struct regf_tree *nt, uint32_t nk, const struct regf_tree *ot,
                          uint32_t ok, rh_buf *pool1, rh_buf *pool2, rh_buf *s1, rh_buf *s2,
                          uint32_t *cnt_k, uint32_t *cnt_v, uint32_t *stack, size_t *sp,
                          size_t stack_cap)
{
    struct named *na = NULL, *oa = NULL;
    size_t nn, on, i, j;
    rh_status st;
    bool changed = false;

    st = sorted_names(nt, nk, 1, pool1, &na, &nn);
    if (st == RH_OK) {
        st = sorted_names(ot, ok, 1, pool2, &oa, &on);
    }
    for (i = 0, j = 0; st == RH_OK && i < nn; i++) {
        int c = 1;
        while (j < on && (c = named_cmp(&oa[j], &na[i])) < 0) {
            j++;
        }
        if (j >= on || c != 0 || !value_same(nt, na[i].idx, ot, oa[j].idx, s1, s2)) {
            nt->values[na[i].idx].flags |= RH_VALUE_FROM_REPLAY;
            (*cnt_v)++;
            changed = true;
        }
    }
    if (changed) {
        nt->keys[nk].flags |= RH_KEY_CHANGED_BY_REPLAY;
    }
    rh_free(nt->ctx, na);
    rh_free(nt->ctx, oa);
    na = oa = NULL;
    if (st == RH_OK) {
        st = sorted_names(nt, nk, 0, pool1, &na, &nn);
    }
    if (st == RH_OK) {
        st = sorted_names(ot, ok, 0, pool2, &oa, &on);
    }
    for (i = 0, j = 0; st == RH_OK && i < nn; i++) {
        int c = 1;
        while (j < on && (c = named_cmp(&oa[j], &na[i])) < 0) {
            j++;
        }
        if (j >= on || c != 0) {
            mark_subtree_new(nt, na[i].idx, cnt_k, cnt_v);
        } else if (*sp + 2 <= stack_cap) {
            stack[(*sp)++] = na[i].idx;
            stack[(*sp)++] = oa[j].idx;
        }
    }
    rh_free(nt->ctx, na);
    rh_free(nt->ctx, oa);
    return st;
}

static rh_status diff_trees(struct regf_tree *nt, const struct regf_tree *ot, uint32_t *cnt_k,
                            uint32_t *cnt_v)
{
    rh_buf pool1 = RH_BUF_INIT(nt->ctx), pool2 = RH_BUF_INIT(nt->ctx);
    rh_buf s1 = RH_BUF_INIT(nt->ctx), s2 = RH_BUF_INIT(nt->ctx);
    size_t cap = (size_t)nt->nkeys * 2 + 2, sp = 0;
    uint32_t *stack;
    rh_status st = RH_OK;
    if (nt->root == RH_KEY_NONE) {
        return RH_OK;
    }
    if (ot->root == RH_KEY_NONE) {
        mark_subtree_new(nt, nt->root, cnt_k, cnt_v);
        return RH_OK;
    }
    stack = rh_malloc(nt->ctx, cap * sizeof(*stack));
    if (!stack) {
        return RH_ERR_NOMEM;
    }
    stack[sp++] = nt->root;
    stack[sp++] = ot->root;
    while (st == RH_OK && sp >= 2) {
        uint32_t ok = stack[--sp], nk = stack[--sp];
        st = diff_key(nt, nk, ot, ok, &pool1, &pool2, &s1, &s2, cnt_k, cnt_v, stack, &sp, cap);
    }
    rh_free(nt->ctx, stack);
    views_reset(ot);
    if (st == RH_OK && ot->cow && ot->cow->nomem) {
        st = RH_ERR_NOMEM; /* a pre-replay page copy failed: the diff is incomplete */
    }
    rh_buf_free(&pool1);
    rh_buf_free(&pool2);
    rh_buf_free(&s1);
    rh_buf_free(&s2);
    return st;
}

/* ---- open / close ------------------------------------------------------------------- */

static void count_unreferenced(struct regf_tree *t)
{
    size_t i;
    if (!t->ref_map) {
        return;
    }
    for (i = 0; i < t->map_bytes; i++) {
        t->cells_unreferenced += (uint32_t)__builtin_popcount(t->alloc_map[i] & ~t->ref_map[i]);
    }
}

static size_t bins_len_of(const rh_hive *h)
{
    size_t size = regf_image_size(h);
    size_t avail = size > REGF_BASE_SIZE ? size - REGF_BASE_SIZE : 0;
    return h->base.hbins_size < avail ? h->base.hbins_size : avail;
}

/* Tree of the image as it was before log replay (pre_len bytes), compared with the replayed
 * tree. A held image: the saved pages are swapped in for the build, and read through the
 * record during the diff. On demand: the file is read through a second pager, without the
 * overlay replay wrote (so the diff may cache up to twice hive_cache_size). */
static rh_status replay_diff(rh_hive *h, const struct regf_base *pre_base, size_t pre_len)
{
    struct regf_tree old;
    struct regf_pager *pager = NULL;
    size_t avail = pre_len - REGF_BASE_SIZE;
    size_t bins_len = pre_base->hbins_size < avail ? pre_base->hbins_size : avail;
    rh_status st = RH_OK, ost;
    if (h->pager) {
        st = regf_pager_new(h->ctx, h->path, h->src.fd, REGF_BASE_SIZE, avail, h->src.size, NULL,
                            regf_cache_size(h->ctx), &pager);
        if (st != RH_OK) {
            return st;
        }
        ost = regf_tree_build(&old, h->ctx, h->path, NULL, pager, bins_len, avail, pre_base->root,
                              pre_base->minor, true, false);
    } else {
        regf_cow_swap(h);
        ost = regf_tree_build(&old, h->ctx, h->path, h->image + REGF_BASE_SIZE, NULL, bins_len,
                              avail, pre_base->root, pre_base->minor, true, false);
        regf_cow_swap(h);
        old.cow = h->cow;
    }
    if (ost == RH_OK || ost == RH_ERR_CORRUPT) {
        st = diff_trees(&h->tree, &old, &h->info.replay_keys, &h->info.replay_values);
    } else if (ost == RH_ERR_NOMEM) {
        st = ost;
    }
    regf_tree_free(&old);
    regf_pager_free(pager);
    return st;
}

static rh_status open_image(rh_hive *h, const rh_hive_opts *opts, bool discover)
{
    unsigned flags = opts ? opts->flags : 0;
    struct regf_base pre_base;
    size_t pre_len;
    bool want_diff = false;
    rh_status st, bst;
    uint64_t anomalies_before = rh_ctx_anomaly_count(h->ctx);
    rh_buf name = RH_BUF_INIT(h->ctx);

    h->info.path = h->path;
    h->info.file_size = h->src.size;
    bst = regf_parse_base(h->ctx, h->path, h->image, regf_image_size(h),
                          h->lazy_len ? h->lazy_chain : SIZE_MAX, &h->info, &h->base);
    if (RH_FAILED(bst) && bst != RH_ERR_STRICT) {
        return bst;
    }
    if (bst == RH_ERR_STRICT) {
        return bst;
    }
    if (rh_utf16le_to_utf8(&name, h->image + REGF_B_NAME, REGF_B_NAME_LEN, 1) != RH_OK) {
        rh_buf_free(&name);
        return RH_ERR_NOMEM;
    }
    h->embedded_name = name.data ? name.data : rh_strdup(h->ctx, "");
    h->info.embedded_name = h->embedded_name ? h->embedded_name : "";

    snprintf(h->log_status, sizeof(h->log_status), "%s",
             h->info.dirty ? "dirty hive, no transaction logs found" : "clean hive");
    pre_base = h->base;
    pre_len = regf_image_size(h);
    if (!(flags & RH_HIVE_NO_LOGS) && (discover || (opts && opts->log_paths))) {
        /* Record the pages replay overwrites to report what it changed (on demand, the file
         * itself keeps them: replay writes an overlay). */
        want_diff = h->info.dirty && !(flags & RH_HIVE_NO_REPLAY_DIFF);
        if (want_diff && !h->lazy_len) {
            h->cow = rh_calloc(h->ctx, 1, sizeof(*h->cow));
            if (!h->cow) {
                return RH_ERR_NOMEM;
            }
            h->cow->ctx = h->ctx;
            h->cow->pre_len = pre_len;
        }
        st = regf_replay_logs(h, opts ? opts->log_paths : NULL,
                              opts && opts->log_paths ? opts->log_data : NULL,
                              opts && opts->log_paths ? opts->log_lens : NULL);
        if (st != RH_OK) {
            return st;
        }
    } else if (flags & RH_HIVE_NO_LOGS) {
        snprintf(h->log_status, sizeof(h->log_status), "%s",
                 h->info.dirty ? "dirty hive, logs not used (--no-logs)" : "clean hive");
    }
    h->info.log_status = h->log_status;

    if (h->lazy_len) {
        /* On demand: its bins read through a cache, with the pages replay wrote over them. */
        st =
            regf_pager_new(h->ctx, h->path, h->src.fd, REGF_BASE_SIZE, h->lazy_len - REGF_BASE_SIZE,
                           h->src.size, &h->overlay, regf_cache_size(h->ctx), &h->pager);
        if (st != RH_OK) {
            return st;
        }
        h->info.on_demand = 1;
    }
    st = regf_tree_build(&h->tree, h->ctx, h->path, h->pager ? NULL : h->image + REGF_BASE_SIZE,
                         h->pager, bins_len_of(h), regf_image_size(h) - REGF_BASE_SIZE,
                         h->base.root, h->base.minor, false, true);
    if (st == RH_OK && (flags & RH_HIVE_DELETED)) {
        st = regf_recover_deleted(&h->tree);
    }
    count_unreferenced(&h->tree);
    if (st == RH_OK && want_diff && h->info.logs_applied > 0) {
        st = replay_diff(h, &pre_base, pre_len);
    }
    regf_cow_free(h->ctx, h->cow);
    h->cow = NULL;
    if (st == RH_ERR_CORRUPT && h->tree.nkeys > 0) {
        st = RH_OK;
    }
    if (st != RH_OK) {
        return st;
    }
    {
        uint32_t i;
        for (i = 0; i < h->tree.nkeys; i++) {
            if (h->tree.keys[i].flags & RH_KEY_DELETED) {
                h->info.deleted_keys++;
            } else {
                h->info.keys++;
            }
        }
        for (i = 0; i < h->tree.nvalues; i++) {
            if (h->tree.values[i].flags & RH_VALUE_DELETED) {
                h->info.deleted_values++;
            } else {
                h->info.values++;
            }
        }
    }
    h->info.cells_allocated = h->tree.cells_allocated;
    h->info.cells_free = h->tree.cells_free;
    h->info.cells_unreferenced = h->tree.cells_unreferenced;
    h->info.anomalies = rh_ctx_anomaly_count(h->ctx) - anomalies_before;
    if (rh_ctx_is_strict(h->ctx) && h->info.anomalies > 0) {
        return RH_ERR_STRICT;
    }
    return RH_OK;
}

static rh_status hive_new(rh_ctx *ctx, const char *path, rh_hive **out)
{
    rh_hive *h = rh_calloc(ctx, 1, sizeof(*h));
    if (!h) {
        return RH_ERR_NOMEM;
    }
    h->ctx = ctx;
    h->path = rh_strdup(ctx, path ? path : "(memory)");
    if (!h->path) {
        rh_free(ctx, h);
        return RH_ERR_NOMEM;
    }
    h->tree.root = RH_KEY_NONE;
    h->src.fd = -1;
    *out = h;
    return RH_OK;
}

/* Read what the hive needs from its source (set by the caller), then parse it. Closes the
 * source; on failure the hive too. */
static rh_status load_and_open(rh_hive *h, const rh_hive_opts *opts, bool discover, rh_hive **out)
{
    rh_status st = regf_load(h, opts && (opts->flags & RH_HIVE_DELETED));
    if (h->src.size == UINT64_MAX) {
        h->src.size = h->image_len; /* a stream: the rest of it is not the hive's */
    }
    if (st == RH_OK) {
        st = open_image(h, opts, discover);
    }
    regf_source_close(h);
    if (st != RH_OK) {
        rh_hive_close(h);
        return st;
    }
    *out = h;
    return RH_OK;
}

rh_status rh_hive_open(rh_ctx *ctx, const char *path, const rh_hive_opts *opts, rh_hive **out)
{
    rh_hive *h;
    rh_status st;
    *out = NULL;
    if (!ctx || !path) {
        return RH_ERR_ARG;
    }
    st = hive_new(ctx, path, &h);
    if (st != RH_OK) {
        return st;
    }
    st = regf_source_file(h, path);
    if (st != RH_OK) {
        rh_hive_close(h);
        return st;
    }
    return load_and_open(h, opts, true, out);
}

rh_status rh_hive_open_mem(rh_ctx *ctx, const char *name, const void *data, size_t len,
                           const rh_hive_opts *opts, rh_hive **out)
{
    rh_hive *h;
    rh_status st;
    *out = NULL;
    if (!ctx || (!data && len)) {
        return RH_ERR_ARG;
    }
    st = hive_new(ctx, name, &h);
    if (st != RH_OK) {
        return st;
    }
    regf_source_mem(h, data, len);
    return load_and_open(h, opts, false, out);
}

rh_status rh_hive_open_cb(rh_ctx *ctx, const char *name, rh_read_fn rd, void *user,
                          const rh_hive_opts *opts, rh_hive **out)
{
    rh_hive *h;
    rh_status st;
    *out = NULL;
    if (!ctx || !rd) {
        return RH_ERR_ARG;
    }
    st = hive_new(ctx, name, &h);
    if (st != RH_OK) {
        return st;
    }
    regf_source_stream(h, rd, user);
    return load_and_open(h, opts, false, out);
}

void rh_hive_close(rh_hive *h)
{
    int i;
    if (!h) {
        return;
    }
    regf_tree_free(&h->tree);
    regf_pager_free(h->pager);
    regf_pages_free(h->ctx, &h->overlay);
    regf_source_close(h);
    regf_cow_free(h->ctx, h->cow);
    if (!h->image_borrowed) {
        rh_free(h->ctx, h->image);
    }
    rh_free(h->ctx, h->path);
    rh_free(h->ctx, h->embedded_name);
    for (i = 0; i < 3; i++) {
        rh_free(h->ctx, h->log_paths[i]);
    }
    rh_free(h->ctx, h);
}

/* ---- accessors ----------------------------------------------------------------------- */

uint64_t rh_hive_bytes_read(const rh_hive *h)
{
    const regf_pager_stats *ps = regf_pager_get_stats(h->pager);
    return ps ? (uint64_t)h->image_len + ps->bytes_read : (uint64_t)h->image_len;
}

const rh_hive_info *rh_hive_get_info(const rh_hive *h)
{
    return &h->info;
}

rh_key rh_hive_root(const rh_hive *h)
{
    return h->tree.root;
}

uint32_t rh_hive_key_count(const rh_hive *h)
{
    return h->tree.nkeys;
}

uint32_t rh_hive_value_count(const rh_hive *h)
{
    return h->tree.nvalues;
}

rh_status rh_key_get_info(const rh_hive *h, rh_key key, rh_key_info *out)
{
    const struct regf_key *k;
    const uint8_t *nk;
    size_t len;
    regf_pager_trim(h->pager); /* nothing from an earlier call is held */
    if (key >= h->tree.nkeys) {
        return RH_ERR_ARG;
    }
    k = &h->tree.keys[key];
    memset(out, 0, sizeof(*out));
    out->name = h->tree.names.data ? h->tree.names.data + k->name_off : "";
    out->name_len = k->name_len;
    out->parent = k->parent;
    out->subkeys = k->nchildren;
    out->values = k->nvalues;
    out->flags = k->flags;
    out->cell = k->cell;
    out->depth = k->depth;
    if (regf_cell_naive(&h->tree, k->cell, &nk, &len) && regf_nk_ok(nk, len)) {
        uint32_t maxname = rh_le32(nk + NK_MAXNAME);
        out->last_write = rh_le64(nk + NK_LASTWRITE);
        out->nk_flags = rh_le16(nk + NK_FLAGS);
        /* Vista+ split field: bits 16-19 user (Wow64) flags, 20-23 virtualisation control. */
        out->user_flags = (uint8_t)((maxname >> 16) & 0x0F);
        out->virt_flags = (uint8_t)((maxname >> 20) & 0x0F);
        out->layered = nk[NK_ACCESS + 1];
    }
    return RH_OK;
}

rh_key rh_key_first_child(const rh_hive *h, rh_key key)
{
    return key < h->tree.nkeys ? h->tree.keys[key].first_child : RH_KEY_NONE;
}

rh_key rh_key_next_sibling(const rh_hive *h, rh_key key)
{
    return key < h->tree.nkeys ? h->tree.keys[key].next_sibling : RH_KEY_NONE;
}

rh_status rh_key_child(const rh_hive *h, rh_key parent, const char *name, size_t len, rh_key *out)
{
    rh_key c, deleted = RH_KEY_NONE;
    if (parent >= h->tree.nkeys) {
        return RH_ERR_ARG;
    }
    for (c = h->tree.keys[parent].first_child; c != RH_KEY_NONE; c = h->tree.keys[c].next_sibling) {
        const struct regf_key *k = &h->tree.keys[c];
        if (rh_utf8_casecmp(h->tree.names.data + k->name_off, k->name_len, name, len) == 0) {
            if (!(k->flags & RH_KEY_DELETED)) {
                *out = c;
                return RH_OK;
            }
            if (deleted == RH_KEY_NONE) {
                deleted = c;
            }
        }
    }
    if (deleted != RH_KEY_NONE) {
        *out = deleted;
        return RH_OK;
    }
    return RH_NOT_FOUND;
}

rh_status rh_key_find(const rh_hive *h, rh_key from, const char *path, rh_key *out)
{
    rh_key cur = from == RH_KEY_NONE ? h->tree.root : from;
    const char *p = path;
    if (cur == RH_KEY_NONE || cur >= h->tree.nkeys) {
        return cur == RH_KEY_NONE ? RH_NOT_FOUND : RH_ERR_ARG;
    }
    while (*p) {
        const char *e = strchr(p, '\\');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n > 0) {
            rh_status st = rh_key_child(h, cur, p, n, &cur);
            if (st != RH_OK) {
                return st;
            }
        }
        p += n;
        if (*p == '\\') {
            p++;
        }
    }
    *out = cur;
    return RH_OK;
}

rh_status rh_key_path(const rh_hive *h, rh_key key, rh_buf *out)
{
    uint32_t chain[MAX_PATH_CHAIN];
    size_t n = 0;
    rh_status st = RH_OK;
    rh_key k = key;
    if (key >= h->tree.nkeys) {
        return RH_ERR_ARG;
    }
    while (k != RH_KEY_NONE && n < MAX_PATH_CHAIN && !(h->tree.keys[k].flags & RH_KEY_ROOT)) {
        chain[n++] = k;
        k = h->tree.keys[k].parent;
    }
    while (n > 0 && st == RH_OK) {
        const struct regf_key *e = &h->tree.keys[chain[--n]];
        st = rh_buf_append(out, h->tree.names.data + e->name_off, e->name_len);
        if (st == RH_OK && n > 0) {
            st = rh_buf_putc(out, '\\');
        }
    }
    if (out->data == NULL) {
        st = rh_buf_reserve(out, 0);
        if (st == RH_OK) {
            out->data[0] = '\0';
        }
    }
    return st;
}

rh_status rh_key_class(const rh_hive *h, rh_key key, rh_buf *out)
{
    const uint8_t *nk, *p;
    size_t len, plen, clen;
    regf_pager_trim(h->pager); /* nothing from an earlier call is held */
    if (key >= h->tree.nkeys) {
        return RH_ERR_ARG;
    }
    if (!regf_cell_naive(&h->tree, h->tree.keys[key].cell, &nk, &len) || !regf_nk_ok(nk, len)) {
        return RH_NOT_FOUND;
    }
    clen = rh_le16(nk + NK_CLASSLEN);
    if (clen == 0 || !regf_cell_any(&h->tree, rh_le32(nk + NK_CLASS), &p, &plen)) {
        return RH_NOT_FOUND;
    }
    if (clen > plen) {
        clen = plen;
    }
    return rh_utf16le_to_utf8(out, p, clen, 0);
}

rh_status rh_key_owner_sid(const rh_hive *h, rh_key key, rh_buf *out)
{
    const uint8_t *nk, *sk, *sid;
    size_t len, sklen, dlen, ooff, i;
    uint64_t auth = 0;
    uint8_t nsub;
    rh_status st;
    regf_pager_trim(h->pager); /* nothing from an earlier call is held */
    if (key >= h->tree.nkeys) {
        return RH_ERR_ARG;
    }
    if (!regf_cell_naive(&h->tree, h->tree.keys[key].cell, &nk, &len) || !regf_nk_ok(nk, len) ||
        !regf_cell(&h->tree, rh_le32(nk + NK_SK), &sk, &sklen) || sklen < SK_DESC + 20 ||
        !REGF_SIG2(sk, 's', 'k')) {
        return RH_NOT_FOUND;
    }
    dlen = rh_le32(sk + SK_DESCLEN);
    if (dlen > sklen - SK_DESC) {
        dlen = sklen - SK_DESC;
    }
    if (dlen < 20) {
        return RH_NOT_FOUND;
    }
    ooff = rh_le32(sk + SK_DESC + 4);
    if (ooff == 0 || !rh_fits(dlen, ooff, 8)) {
        return RH_NOT_FOUND;
    }
    sid = sk + SK_DESC + ooff;
    nsub = sid[1];
    if (!rh_fits(dlen, ooff + 8, (size_t)nsub * 4)) {
        return RH_NOT_FOUND;
    }
    for (i = 0; i < 6; i++) {
        auth = (auth << 8) | sid[2 + i];
    }
    st = rh_buf_printf(out, "S-%u-%llu", sid[0], (unsigned long long)auth);
    for (i = 0; i < nsub && st == RH_OK; i++) {
        st = rh_buf_printf(out, "-%u", rh_le32(sid + 8 + 4 * i));
    }
    return st;
}

uint32_t rh_key_value_count(const rh_hive *h, rh_key key)
{
    return key < h->tree.nkeys ? h->tree.keys[key].nvalues : 0;
}

rh_value rh_key_value_at(const rh_hive *h, rh_key key, uint32_t i)
{
    if (key >= h->tree.nkeys || i >= h->tree.keys[key].nvalues) {
        return RH_VALUE_NONE;
    }
    return h->tree.keys[key].first_value + i;
}

rh_status rh_key_value_find(const rh_hive *h, rh_key key, const char *name, size_t len,
                            rh_value *out)
{
    rh_buf b = RH_BUF_INIT(h->ctx);
    uint32_t i, n;
    rh_value found = RH_VALUE_NONE;
    regf_pager_trim(h->pager);
    if (key >= h->tree.nkeys) {
        return RH_ERR_ARG;
    }
    n = h->tree.keys[key].nvalues;
    for (i = 0; i < n; i++) {
        rh_value v = h->tree.keys[key].first_value + i;
        rh_buf_reset(&b);
        value_name_into(&h->tree, v, &b);
        if (rh_utf8_casecmp(b.data ? b.data : "", b.len, name, len) == 0) {
            if (!(h->tree.values[v].flags & RH_VALUE_DELETED)) {
                found = v;
                break;
            }
            if (found == RH_VALUE_NONE) {
                found = v;
            }
        }
    }
    rh_buf_free(&b);
    if (found == RH_VALUE_NONE) {
        return RH_NOT_FOUND;
    }
    *out = found;
    return RH_OK;
}

rh_status rh_value_get_info(const rh_hive *h, rh_value value, rh_value_info *out)
{
    const struct regf_value *v;
    const uint8_t *vk;
    size_t len;
    regf_pager_trim(h->pager); /* nothing from an earlier call is held */
    if (value >= h->tree.nvalues) {
        return RH_ERR_ARG;
    }
    v = &h->tree.values[value];
    memset(out, 0, sizeof(*out));
    out->key = v->key;
    out->cell = v->cell;
    out->flags = v->flags;
    if (regf_cell_naive(&h->tree, v->cell, &vk, &len) && regf_vk_ok(vk, len)) {
        uint32_t raw = rh_le32(vk + VK_DATASIZE);
        out->type = rh_le32(vk + VK_TYPE);
        out->data_size = raw & ~VK_SIZE_INLINE;
        if (raw & VK_SIZE_INLINE) {
            out->flags |= RH_VALUE_INLINE;
        } else if (out->data_size > DB_SEGMENT && h->tree.minor > 3) {
            const uint8_t *p;
            size_t plen;
            if (regf_cell_head(&h->tree, rh_le32(vk + VK_DATAOFF), true, 2, &p, &plen) &&
                plen >= 2 && REGF_SIG2(p, 'd', 'b')) {
                out->flags |= RH_VALUE_BIG_DATA;
            }
        }
        if (rh_le16(vk + VK_FLAGS) & VK_F_TOMBSTONE) {
            out->flags |= RH_VALUE_TOMBSTONE;
        }
    }
    return RH_OK;
}

rh_status rh_value_name(const rh_hive *h, rh_value value, rh_buf *out)
{
    size_t before = out->len;
    regf_pager_trim(h->pager); /* nothing from an earlier call is held */
    if (value >= h->tree.nvalues) {
        return RH_ERR_ARG;
    }
    value_name_into(&h->tree, value, out);
    if (out->data == NULL) {
        rh_status st = rh_buf_reserve(out, 0);
        if (st != RH_OK) {
            return st;
        }
        out->data[0] = '\0';
    }
    (void)before;
    return RH_OK;
}

rh_status rh_value_data(const rh_hive *h, rh_value value, const uint8_t **data, size_t *len,
                        rh_buf *scratch)
{
    if (value >= h->tree.nvalues) {
        *data = (const uint8_t *)"";
        *len = 0;
        return RH_ERR_ARG;
    }
    regf_pager_trim(h->pager);
    return regf_value_data(&h->tree, &h->tree.values[value], data, len, scratch);
}

uint32_t rh_hive_orphan_value_count(const rh_hive *h)
{
    return h->tree.norphans;
}

rh_value rh_hive_orphan_value_at(const rh_hive *h, uint32_t i)
{
    return i < h->tree.norphans ? h->tree.orphans[i] : RH_VALUE_NONE;
}

/* ---- data rendering helpers ---------------------------------------------------------- */

int rh_reg_type_is_string(uint32_t type)
{
    return type == 1 || type == 2 || type == 6 || type == 0xFFFF0012u;
}

rh_status rh_reg_string(const uint8_t *data, size_t len, rh_buf *out)
{
    rh_status st = rh_utf16le_to_utf8(out, data, len, 1);
    if (st == RH_OK && out->data == NULL) {
        st = rh_buf_reserve(out, 0);
        if (st == RH_OK) {
            out->data[0] = '\0';
        }
    }
    return st;
}

rh_status rh_reg_multi_sz(const uint8_t *data, size_t len, rh_buf *tmp,
                          rh_status (*fn)(const char *s, size_t n, void *user), void *user)
{
    size_t i = 0;
    while (i + 1 < len) {
        size_t j = i;
        rh_status st;
        while (j + 1 < len && (data[j] | data[j + 1])) {
            j += 2;
        }
        if (j == i) {
            break; /* empty string: end of list */
        }
        rh_buf_reset(tmp);
        st = rh_utf16le_to_utf8(tmp, data + i, j - i, 0);
        if (st == RH_OK) {
            st = fn(tmp->data, tmp->len, user);
        }
        if (st != RH_OK) {
            return st;
        }
        i = j + 2;
    }
    if (i < len && len - i == 1) {
        /* odd trailing byte */
        rh_buf_reset(tmp);
        rh_utf16le_to_utf8(tmp, data + i, 1, 0);
        return fn(tmp->data, tmp->len, user);
    }
    return RH_OK;
}
