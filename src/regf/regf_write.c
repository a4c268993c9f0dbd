/*
 * Writing a hive image: keys and values are gathered in memory, then laid out as one REGF
 * file (base block, one hive bin, an sk cell shared by every key, nk cells depth-first with
 * lf lists sorted the way Windows sorts them, vk cells with inline, resident or big (db)
 * data). Names are UTF-16 code units as counted by the source, so NULs and unpaired
 * surrogates survive exactly (docs/formats/regf.md). Used by the live reader (a registry read
 * through the API becomes an image that rh_hive_open_mem opens like a file).
 */
#include <stdlib.h>
#include <string.h>

#include "regf_internal.h"

#define W_BLOCK       4096u
#define W_DATA_MAX    16344u /* resident data at most, then a db record of segments */
#define W_NK_FIXED    0x4Cu
#define W_VK_FIXED    0x14u
#define W_MAX_NAME    32767u
#define W_NK_ROOT     0x2Cu /* KEY_HIVE_ENTRY | KEY_NO_DELETE | KEY_COMP_NAME */
#define W_NK_NORMAL   0x20u /* KEY_COMP_NAME */
#define W_NK_COMP     0x20u
#define W_VK_COMP     0x1u
#define W_INLINE_FLAG 0x80000000u

struct wkey {
    uint32_t parent, first_child, last_child, next, nchild;
    uint32_t first_val, last_val, nvals;
    uint32_t name_off; /* in w->store (uint16_t units) */
    uint16_t name_len;
    uint64_t ts;
    uint32_t cell;
};

struct wval {
    uint32_t next, type, len;
    uint32_t name_off;
    uint16_t name_len;
    size_t data_off; /* in w->store, bytes */
};

struct rh_hive_writer {
    rh_ctx *ctx;
    struct wkey *k;
    size_t nk, capk;
    struct wval *v;
    size_t nv, capv;
    rh_buf store; /* names (UTF-16LE) and data */
    uint8_t *img;
    size_t used, cap, limit;
    uint64_t ts;
    rh_status st;
};

static rh_status store_put(rh_hive_writer *w, const void *p, size_t n, size_t *off)
{
    *off = w->store.len;
    if (n && rh_buf_append(&w->store, p, n) != RH_OK) {
        return RH_ERR_NOMEM;
    }
    return w->store.len > w->limit ? RH_ERR_LIMIT : RH_OK;
}

static rh_status store_name(rh_hive_writer *w, const uint16_t *name, size_t n, uint32_t *off)
{
    uint8_t le[2];
    size_t i, at = w->store.len;
    if (n > W_MAX_NAME) {
        return RH_ERR_LIMIT;
    }
    for (i = 0; i < n; i++) {
        le[0] = (uint8_t)name[i];
        le[1] = (uint8_t)(name[i] >> 8);
        if (rh_buf_append(&w->store, le, 2) != RH_OK) {
            return RH_ERR_NOMEM;
        }
    }
    if (at > UINT32_MAX) {
        return RH_ERR_LIMIT;
    }
    *off = (uint32_t)at;
    return RH_OK;
}

rh_status rh_hive_writer_create(rh_ctx *ctx, const uint16_t *root_name, size_t root_len,
                                uint64_t last_write, rh_hive_writer **out)
{
    rh_hive_writer *w;
    uint32_t root;
    rh_status st;
    *out = NULL;
    if (!ctx) {
        return RH_ERR_ARG;
    }
    w = rh_calloc(ctx, 1, sizeof(*w));
    if (!w) {
        return RH_ERR_NOMEM;
    }
    w->ctx = ctx;
    w->ts = last_write;
    w->limit = (size_t)(rh_ctx_limits(ctx)->max_hive_size < SIZE_MAX / 2
                            ? rh_ctx_limits(ctx)->max_hive_size
                            : SIZE_MAX / 2);
    rh_buf_init(&w->store, ctx);
    st = rh_hive_writer_key(w, RH_KEY_NONE, root_name, root_len, last_write, &root);
    if (st != RH_OK) {
        rh_hive_writer_destroy(w);
        return st;
    }
    *out = w;
    return RH_OK;
}

void rh_hive_writer_destroy(rh_hive_writer *w)
{
    if (!w) {
        return;
    }
    rh_free(w->ctx, w->k);
    rh_free(w->ctx, w->v);
    rh_free(w->ctx, w->img);
    rh_buf_free(&w->store);
    rh_free(w->ctx, w);
}

rh_status rh_hive_writer_key(rh_hive_writer *w, rh_key parent, const uint16_t *name, size_t len,
                             uint64_t last_write, rh_key *out)
{
    struct wkey k;
    rh_status st;
    if (!w || (parent == RH_KEY_NONE) != (w->nk == 0) ||
        (parent != RH_KEY_NONE && parent >= w->nk) || (!name && len)) {
        return RH_ERR_ARG;
    }
    if (w->st != RH_OK) {
        return w->st;
    }
    if (w->nk >= UINT32_MAX - 1) {
        return w->st = RH_ERR_LIMIT;
    }
    memset(&k, 0, sizeof(k));
    k.parent = parent;
    k.first_child = k.last_child = k.next = RH_KEY_NONE;
    k.first_val = k.last_val = RH_VALUE_NONE;
    k.name_len = (uint16_t)len;
    k.ts = last_write;
    st = store_name(w, name, len, &k.name_off);
    if (st == RH_OK) {
        RH_ARRAY_PUSH(w->ctx, w->k, w->nk, w->capk, k, st);
    }
    if (st != RH_OK) {
        return w->st = st;
    }
    if (parent != RH_KEY_NONE) {
        struct wkey *p = &w->k[parent];
        if (p->last_child == RH_KEY_NONE) {
            p->first_child = (uint32_t)(w->nk - 1);
        } else {
            w->k[p->last_child].next = (uint32_t)(w->nk - 1);
        }
        p->last_child = (uint32_t)(w->nk - 1);
        p->nchild++;
    }
    *out = (rh_key)(w->nk - 1);
    return RH_OK;
}

rh_status rh_hive_writer_value(rh_hive_writer *w, rh_key key, const uint16_t *name, size_t len,
                               uint32_t type, const void *data, size_t size)
{
    struct wval v;
    struct wkey *k;
    rh_status st;
    if (!w || key >= w->nk || (!name && len) || (!data && size)) {
        return RH_ERR_ARG;
    }
    if (w->st != RH_OK) {
        return w->st;
    }
    if (size > 0x7FFFFFFFu || w->nv >= UINT32_MAX - 1) {
        return w->st = RH_ERR_LIMIT;
    }
    memset(&v, 0, sizeof(v));
    v.next = RH_VALUE_NONE;
    v.type = type;
    v.len = (uint32_t)size;
    v.name_len = (uint16_t)len;
    st = store_name(w, name, len, &v.name_off);
    if (st == RH_OK) {
        st = store_put(w, data, size, &v.data_off);
    }
    if (st == RH_OK) {
        RH_ARRAY_PUSH(w->ctx, w->v, w->nv, w->capv, v, st);
    }
    if (st != RH_OK) {
        return w->st = st;
    }
    k = &w->k[key];
    if (k->last_val == RH_VALUE_NONE) {
        k->first_val = (uint32_t)(w->nv - 1);
    } else {
        w->v[k->last_val].next = (uint32_t)(w->nv - 1);
    }
    k->last_val = (uint32_t)(w->nv - 1);
    k->nvals++;
    return RH_OK;
}

/* ---- layout ---------------------------------------------------------------------------- */

/* A cell of n payload bytes (8-aligned with its size field); offset relative to the bins. */
static rh_status cell(rh_hive_writer *w, size_t n, uint32_t *off)
{
    size_t sz = (n + 4 + 7) & ~(size_t)7, need;
    int32_t neg;
    if (!rh_add_sz(w->used, sz, &need) || need > w->limit || need > 0x7FFFF000u) {
        return RH_ERR_LIMIT;
    }
    if (need > w->cap) {
        size_t nc = w->cap ? w->cap : 1u << 16;
        uint8_t *ni;
        while (nc < need) {
            nc *= 2;
        }
        ni = rh_realloc(w->ctx, w->img, nc);
        if (!ni) {
            return RH_ERR_NOMEM;
        }
        memset(ni + w->cap, 0, nc - w->cap);
        w->img = ni;
        w->cap = nc;
    }
    *off = (uint32_t)w->used;
    neg = -(int32_t)sz;
    memcpy(w->img + w->used, &neg, 4);
    w->used = need;
    return RH_OK;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t unit(const rh_hive_writer *w, uint32_t off, size_t i)
{
    return rh_le16((const uint8_t *)w->store.data + off + 2 * i);
}

/* A name is stored compressed (one byte per unit) when every unit is 1..255. */
static int compressible(const rh_hive_writer *w, uint32_t off, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint16_t u = unit(w, off, i);
        if (u == 0 || u > 0xFF) {
            return 0;
        }
    }
    return 1;
}

static size_t name_bytes(const rh_hive_writer *w, uint32_t off, size_t n, int *comp)
{
    *comp = compressible(w, off, n);
    return *comp ? n : 2 * n;
}

static void put_name(rh_hive_writer *w, uint8_t *dst, uint32_t off, size_t n, int comp)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (comp) {
            dst[i] = (uint8_t)unit(w, off, i);
        } else {
            put16(dst + 2 * i, unit(w, off, i));
        }
    }
}

static const rh_hive_writer *sort_w; /* qsort context (the writer is not shared) */

static int cmp_keys(const void *a, const void *b)
{
    const struct wkey *ka = &sort_w->k[*(const uint32_t *)a],
                      *kb = &sort_w->k[*(const uint32_t *)b];
    size_t i;
    for (i = 0; i < ka->name_len && i < kb->name_len; i++) {
        uint32_t ca = rh_cp_upper(unit(sort_w, ka->name_off, i));
        uint32_t cb = rh_cp_upper(unit(sort_w, kb->name_off, i));
        if (ca != cb) {
            return ca < cb ? -1 : 1;
        }
    }
    return ka->name_len < kb->name_len ? -1 : ka->name_len > kb->name_len;
}

static rh_status write_value(rh_hive_writer *w, const struct wval *v, uint32_t *out)
{
    int comp;
    size_t nb = name_bytes(w, v->name_off, v->name_len, &comp);
    const uint8_t *data = (const uint8_t *)w->store.data + v->data_off;
    uint32_t vo, d;
    rh_status st = cell(w, W_VK_FIXED + nb, &vo);
    if (st != RH_OK) {
        return st;
    }
    memcpy(w->img + vo + 4, "vk", 2);
    put16(w->img + vo + 4 + 2, (uint16_t)nb);
    put32(w->img + vo + 4 + 0x0C, v->type);
    put16(w->img + vo + 4 + 0x10, comp ? W_VK_COMP : 0);
    put_name(w, w->img + vo + 4 + W_VK_FIXED, v->name_off, v->name_len, comp);
    if (v->len <= 4) {
        put32(w->img + vo + 4 + 4, W_INLINE_FLAG | v->len);
        memcpy(w->img + vo + 4 + 8, data, v->len);
    } else if (v->len <= W_DATA_MAX) {
        if ((st = cell(w, v->len, &d)) != RH_OK) {
            return st;
        }
        put32(w->img + vo + 4 + 4, v->len);
        put32(w->img + vo + 4 + 8, d);
        memcpy(w->img + d + 4, data, v->len);
    } else {
        size_t nseg = (v->len + W_DATA_MAX - 1) / W_DATA_MAX, s;
        uint32_t db, sl;
        if (nseg > 0xFFFF || (st = cell(w, 8, &db)) != RH_OK ||
            (st = cell(w, 4 * nseg, &sl)) != RH_OK) {
            return st != RH_OK ? st : RH_ERR_LIMIT;
        }
        put32(w->img + vo + 4 + 4, v->len);
        put32(w->img + vo + 4 + 8, db);
        memcpy(w->img + db + 4, "db", 2);
        put16(w->img + db + 4 + 2, (uint16_t)nseg);
        put32(w->img + db + 4 + 4, sl);
        for (s = 0; s < nseg; s++) {
            size_t take =
                v->len - s * W_DATA_MAX < W_DATA_MAX ? v->len - s * W_DATA_MAX : W_DATA_MAX;
            uint32_t seg;
            if ((st = cell(w, W_DATA_MAX, &seg)) != RH_OK) {
                return st;
            }
            put32(w->img + sl + 4 + 4 * s, seg);
            memcpy(w->img + seg + 4, data + s * W_DATA_MAX, take);
        }
    }
    *out = vo;
    return RH_OK;
}

/* Write key k's nk, values and subkey list; children are written by the caller's loop. */
static rh_status write_key(rh_hive_writer *w, uint32_t k, uint32_t parent_cell, uint32_t sk,
                           uint32_t **kids_out)
{
    struct wkey *kk = &w->k[k];
    int comp;
    size_t nb = name_bytes(w, kk->name_off, kk->name_len, &comp), i;
    uint32_t off, c, *kids = NULL;
    rh_status st = cell(w, W_NK_FIXED + nb, &off);
    *kids_out = NULL;
    if (st != RH_OK) {
        return st;
    }
    kk->cell = off;
    memcpy(w->img + off + 4, "nk", 2);
    put16(w->img + off + 4 + 2,
          (uint16_t)((k == 0 ? W_NK_ROOT : W_NK_NORMAL) & (comp ? 0xFF : ~W_NK_COMP)));
    put64(w->img + off + 4 + 4, kk->ts);
    put32(w->img + off + 4 + 0x10, parent_cell);
    put32(w->img + off + 4 + 0x14, kk->nchild);
    put32(w->img + off + 4 + 0x1C, REGF_NIL);
    put32(w->img + off + 4 + 0x20, REGF_NIL);
    put32(w->img + off + 4 + 0x24, kk->nvals);
    put32(w->img + off + 4 + 0x28, REGF_NIL);
    put32(w->img + off + 4 + 0x2C, sk);
    put32(w->img + off + 4 + 0x30, REGF_NIL);
    put16(w->img + off + 4 + 0x48, (uint16_t)nb);
    put_name(w, w->img + off + 4 + W_NK_FIXED, kk->name_off, kk->name_len, comp);
    if (kk->nvals) {
        uint32_t vlist, v = kk->first_val;
        if ((st = cell(w, 4u * (size_t)kk->nvals, &vlist)) != RH_OK) {
            return st;
        }
        put32(w->img + off + 4 + 0x28, vlist);
        for (i = 0; v != RH_VALUE_NONE; i++, v = w->v[v].next) {
            uint32_t vo;
            if ((st = write_value(w, &w->v[v], &vo)) != RH_OK) {
                return st;
            }
            put32(w->img + vlist + 4 + 4 * i, vo);
        }
    }
    if (kk->nchild) {
        uint32_t list;
        kids = rh_malloc(w->ctx, (size_t)kk->nchild * sizeof(*kids));
        if (!kids) {
            return RH_ERR_NOMEM;
        }
        for (i = 0, c = kk->first_child; c != RH_KEY_NONE; c = w->k[c].next) {
            kids[i++] = c;
        }
        sort_w = w;
        rh_sort(kids, kk->nchild, sizeof(*kids), cmp_keys);
        if ((st = cell(w, 4 + 8 * (size_t)kk->nchild, &list)) != RH_OK) {
            rh_free(w->ctx, kids);
            return st;
        }
        memcpy(w->img + list + 4, "lf", 2);
        put16(w->img + list + 4 + 2, (uint16_t)kk->nchild);
        put32(w->img + off + 4 + 0x1C, list);
        w->k[k].first_child = list; /* reused: where the children's offsets go */
    }
    *kids_out = kids;
    return RH_OK;
}

/* Depth-first, with an explicit stack (the tree may be deep). */
struct frame {
    uint32_t *kids;
    uint32_t n, i, list, cell;
};

static rh_status write_tree(rh_hive_writer *w, uint32_t sk)
{
    struct frame *stack = NULL;
    size_t depth = 0, cap = 0;
    uint32_t *kids;
    rh_status st = write_key(w, 0, REGF_NIL, sk, &kids);
    struct frame f;
    if (st != RH_OK) {
        return st;
    }
    f.kids = kids;
    f.n = w->k[0].nchild;
    f.i = 0;
    f.list = kids ? w->k[0].first_child : 0;
    f.cell = w->k[0].cell;
    RH_ARRAY_PUSH(w->ctx, stack, depth, cap, f, st);
    while (st == RH_OK && depth) {
        struct frame *top = &stack[depth - 1];
        uint32_t child, nb, c;
        if (top->i == top->n) {
            rh_free(w->ctx, top->kids);
            depth--;
            continue;
        }
        child = top->kids[top->i];
        if ((st = write_key(w, child, top->cell, sk, &kids)) != RH_OK) {
            break;
        }
        top = &stack[depth - 1];
        c = w->k[child].cell;
        put32(w->img + top->list + 4 + 4 + 8 * top->i, c);
        nb = rh_le16(w->img + c + 4 + 0x48);
        memcpy(w->img + top->list + 4 + 8 + 8 * top->i, w->img + c + 4 + W_NK_FIXED,
               nb < 4 ? nb : 4);
        top->i++;
        if (kids) {
            f.kids = kids;
            f.n = w->k[child].nchild;
            f.i = 0;
            f.list = w->k[child].first_child;
            f.cell = c;
            RH_ARRAY_PUSH(w->ctx, stack, depth, cap, f, st);
            if (st != RH_OK) {
                rh_free(w->ctx, kids);
            }
        }
    }
    while (depth) {
        rh_free(w->ctx, stack[--depth].kids);
    }
    rh_free(w->ctx, stack);
    return st;
}

rh_status rh_hive_writer_finish(rh_hive_writer *w, uint8_t **image, size_t *len)
{
    static const uint8_t sd[] = {
        1, 0, 4, 0x80, 20, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0,    0, 0, 0,
        0, 0, 1, 2,    0,  0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0}; /* owner S-1-5-32-544 */
    uint8_t *out;
    uint32_t sk, x = 0, root;
    size_t bins, i;
    int32_t fr;
    rh_status st;
    *image = NULL;
    *len = 0;
    if (!w) {
        return RH_ERR_ARG;
    }
    if (w->st != RH_OK) {
        return w->st;
    }
    w->used = 32; /* the hbin header */
    if ((st = cell(w, 0x14 + sizeof(sd), &sk)) != RH_OK) {
        return st;
    }
    memcpy(w->img + sk + 4, "sk", 2);
    put32(w->img + sk + 4 + 4, sk);
    put32(w->img + sk + 4 + 8, sk);
    put32(w->img + sk + 4 + 0x0C, (uint32_t)w->nk);
    put32(w->img + sk + 4 + 0x10, (uint32_t)sizeof(sd));
    memcpy(w->img + sk + 4 + 0x14, sd, sizeof(sd));
    if ((st = write_tree(w, sk)) != RH_OK) {
        return st;
    }
    root = w->k[0].cell;
    bins = (w->used + W_BLOCK - 1) & ~(size_t)(W_BLOCK - 1);
    if (bins == w->used) {
        bins += W_BLOCK;
    }
    out = rh_calloc(w->ctx, 1, W_BLOCK + bins);
    if (!out) {
        return RH_ERR_NOMEM;
    }
    memcpy(out + W_BLOCK, w->img, w->used);
    fr = (int32_t)(bins - w->used); /* the tail is one free cell */
    memcpy(out + W_BLOCK + w->used, &fr, 4);
    memcpy(out + W_BLOCK, "hbin", 4);
    put32(out + W_BLOCK + 8, (uint32_t)bins);
    put64(out + W_BLOCK + 20, w->ts);
    memcpy(out, "regf", 4);
    put32(out + 4, 1);
    put32(out + 8, 1);
    put64(out + 12, w->ts);
    put32(out + 20, 1);
    put32(out + 24, 5);
    put32(out + 32, 1);
    put32(out + 36, root);
    put32(out + 40, (uint32_t)bins);
    put32(out + 44, 1);
    for (i = 0; i < 508; i += 4) {
        x ^= rh_le32(out + i);
    }
    x = x == 0 ? 1 : (x == 0xFFFFFFFFu ? 0xFFFFFFFEu : x);
    put32(out + 508, x);
    rh_free(w->ctx, w->img);
    w->img = NULL;
    w->used = w->cap = 0;
    *image = out;
    *len = W_BLOCK + bins;
    return RH_OK;
}
