/*
 * Cell map and key tree walk.
 *
 * The bins are walked once to record where allocated and free cells start (hivex's bitmap):
 * afterwards every offset read from the file must land on a recorded cell. The key tree is
 * then walked depth-first with an explicit stack, visiting each nk at most once; cycles,
 * shared lists, wrong parent links, duplicate and unsorted names become anomalies.
 */
#include <stdarg.h>
#include <stdio.h>

#include "regf_internal.h"

#define BIT_SET(m, i) ((m)[(i) >> 3] |= (uint8_t)(1u << ((i)&7)))

static void set_bit(uint8_t *map, size_t map_bytes, uint32_t off)
{
    uint32_t i = off >> 3;
    if (map && (i >> 3) < map_bytes) {
        BIT_SET(map, i);
    }
}

void regf_mark_ref(struct regf_tree *t, uint32_t off)
{
    set_bit(t->ref_map, t->map_bytes, off);
}

rh_status regf_anomaly(struct regf_tree *t, uint32_t off, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    rh_status st;
    t->anomalies++;
    if (t->quiet) {
        return RH_OK;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    st = rh_diagf(t->ctx, RH_DIAG_ANOMALY, "regf", t->source,
                  off == REGF_NIL ? -1 : (int64_t)off + REGF_BASE_SIZE, "%s", msg);
    if (st != RH_OK && t->strict_fail == RH_OK) {
        t->strict_fail = st;
    }
    return st;
}

/* Bins bytes [off, off + len) as this tree sees them: the image, the pager's cache for a hive
 * read on demand, or for the pre-replay tree the bytes before replay (regf_cow_view). NULL only
 * when a copy cannot be allocated (or, on demand, the range is outside the bins). */
static const uint8_t *bins_at(const struct regf_tree *t, size_t off, size_t len)
{
    if (t->pager) {
        return regf_pager_get(t->pager, off, len);
    }
    return t->cow ? regf_cow_view(t->cow, t->bins, off, len) : t->bins + off;
}

/* The cell at off: *p after its header, *len its data length; only the first `head` bytes
 * are guaranteed readable when head < *len (on demand, the rest is not read). */
static bool cell_part(const struct regf_tree *t, uint32_t off, bool any, size_t head,
                      const uint8_t **p, size_t *len)
{
    int32_t size;
    uint32_t abs;
    const uint8_t *c;
    if (off == REGF_NIL || (off & 7) != 0 || (size_t)off >= t->bins_len) {
        return false;
    }
    if (!regf_test_bit(t->alloc_map, t->map_bytes, off) &&
        !(any && regf_test_bit(t->free_map, t->map_bytes, off))) {
        return false;
    }
    c = bins_at(t, off, 4);
    if (!c) {
        return false;
    }
    size = (int32_t)rh_le32(c);
    abs = size < 0 ? (uint32_t)(-(int64_t)size) : (uint32_t)size;
    /* The map was built with bounds-checked sizes; re-check anyway (cheap, defensive). */
    if (abs < t->cell_hdr || !rh_fits(t->bins_len, off, abs)) {
        return false;
    }
    c = bins_at(t, off, head < abs - t->cell_hdr ? t->cell_hdr + head : abs);
    if (!c) {
        return false;
    }
    *p = c + t->cell_hdr;
    *len = abs - t->cell_hdr;
    return true;
}

static bool cell_at(const struct regf_tree *t, uint32_t off, bool any, const uint8_t **p,
                    size_t *len)
{
    return cell_part(t, off, any, SIZE_MAX, p, len);
}

bool regf_cell(const struct regf_tree *t, uint32_t off, const uint8_t **p, size_t *len)
{
    return cell_at(t, off, false, p, len);
}

bool regf_cell_head(const struct regf_tree *t, uint32_t off, bool any, size_t head,
                    const uint8_t **p, size_t *len)
{
    return cell_part(t, off, any, head, p, len);
}

bool regf_cell_any(const struct regf_tree *t, uint32_t off, const uint8_t **p, size_t *len)
{
    return cell_at(t, off, true, p, len);
}

bool regf_cell_naive(const struct regf_tree *t, uint32_t off, const uint8_t **p, size_t *len)
{
    int32_t size;
    uint32_t abs;
    const uint8_t *c;
    if (cell_at(t, off, true, p, len)) {
        return true;
    }
    /* Deleted structures may start inside a coalesced free cell, where no cell start was
     * recorded: read the old cell header in place if it is sane. */
    if (off == REGF_NIL || (off & 3) != 0 || (size_t)off + 8 > t->bins_total) {
        return false;
    }
    c = bins_at(t, off, 4);
    if (!c) {
        return false;
    }
    size = (int32_t)rh_le32(c);
    abs = size < 0 ? (uint32_t)(-(int64_t)size) : (uint32_t)size;
    if ((size_t)off + t->cell_hdr >= t->bins_len) {
        /* Remnant data after the last hive bin: old headers are often zeroed, so the record
         * is bounded by the data that is there (at most 64 KiB). */
        size_t left = t->bins_total - off;
        if (abs < 8 || abs % 8 != 0 || abs > left) {
            abs = (uint32_t)(left < 65536 ? left : 65536);
        }
    } else if ((off & 7) != 0 || abs < 8 || abs % 8 != 0 || abs > (10u << 20) ||
               !rh_fits(t->bins_total, off, abs)) {
        return false;
    }
    c = bins_at(t, off, abs);
    if (!c) {
        return false;
    }
    *p = c + t->cell_hdr;
    *len = abs - t->cell_hdr;
    return true;
}

bool regf_nk_ok(const uint8_t *p, size_t len)
{
    return len >= NK_MIN && REGF_SIG2(p, 'n', 'k') &&
           rh_fits(len, NK_NAME, rh_le16(p + NK_NAMELEN));
}

bool regf_vk_ok(const uint8_t *p, size_t len)
{
    return len >= VK_MIN && REGF_SIG2(p, 'v', 'k') &&
           rh_fits(len, VK_NAME, rh_le16(p + VK_NAMELEN));
}

/* Walk the bins once, recording cell starts. Bad bins are skipped page by page. */
static rh_status build_maps(struct regf_tree *t)
{
    size_t off = 0;
    bool in_bad = false;
    rh_status st = RH_OK;
    size_t cell_align = t->cell_hdr == 8 ? 16 : 8;

    t->map_bytes = (t->bins_len / 8 + 7) / 8 + 1;
    t->alloc_map = rh_calloc(t->ctx, t->map_bytes, 1);
    t->free_map = rh_calloc(t->ctx, t->map_bytes, 1);
    if (!t->alloc_map || !t->free_map) {
        return RH_ERR_NOMEM;
    }
    while (off + REGF_HBIN_HDR <= t->bins_len) {
        const uint8_t *h;
        uint32_t size;
        size_t end, pos;
        regf_pager_trim(t->pager);
        h = bins_at(t, off, REGF_HBIN_HDR);
        if (!h) {
            return RH_ERR_NOMEM;
        }
        size = rh_le32(h + REGF_H_SIZE);
        if (!REGF_SIG4(h, 'h', 'b', 'i', 'n') || rh_le32(h + REGF_H_OFFSET) != off ||
            size < REGF_HBIN_ALIGN || size % REGF_HBIN_ALIGN != 0) {
            if (!in_bad) {
                st = regf_anomaly(t, (uint32_t)off, "invalid hive bin header: skipping");
                if (st != RH_OK) {
                    return st;
                }
            }
            in_bad = true;
            off += REGF_HBIN_ALIGN;
            continue;
        }
        in_bad = false;
        end = off + size;
        if (end > t->bins_len) {
            st = regf_anomaly(t, (uint32_t)off,
                              "hive bin of %u bytes runs past the end of the data (truncated)",
                              size);
            if (st != RH_OK) {
                return st;
            }
            end = t->bins_len;
        }
        pos = off + REGF_HBIN_HDR;
        while (pos + 4 <= end) {
            const uint8_t *c;
            regf_pager_trim(t->pager); /* one bin may span the whole hive */
            c = bins_at(t, pos, 4);
            int32_t cs;
            uint32_t abs;
            if (!c) {
                return RH_ERR_NOMEM;
            }
            cs = (int32_t)rh_le32(c);
            abs = cs < 0 ? (uint32_t)(-(int64_t)cs) : (uint32_t)cs;
            if (abs < cell_align || abs % cell_align != 0 || abs > end - pos) {
                st = regf_anomaly(t, (uint32_t)pos,
                                  "bad cell size %d: rest of the hive bin skipped", cs);
                if (st != RH_OK) {
                    return st;
                }
                break;
            }
            if (cs < 0) {
                set_bit(t->alloc_map, t->map_bytes, (uint32_t)pos);
                t->cells_allocated++;
            } else {
                set_bit(t->free_map, t->map_bytes, (uint32_t)pos);
                t->cells_free++;
            }
            pos += abs;
        }
        off = end;
    }
    return RH_OK;
}

rh_status regf_add_key(struct regf_tree *t, uint32_t cell, const uint8_t *nk, size_t nklen,
                       uint32_t parent, uint32_t depth, uint32_t flags, uint32_t *out)
{
    struct regf_key *k;
    uint16_t nkf = rh_le16(nk + NK_FLAGS);
    size_t nlen = rh_le16(nk + NK_NAMELEN), before;
    rh_status st;
    (void)nklen;
    if (t->nkeys >= rh_ctx_limits(t->ctx)->max_keys) {
        return RH_ERR_LIMIT;
    }
    {
        void *p = t->keys;
        st = rh_array_reserve(t->ctx, &p, &t->capkeys, (size_t)t->nkeys + 1, sizeof(*t->keys));
        t->keys = p;
    }
    if (st != RH_OK) {
        return st;
    }
    before = t->names.len;
    if (nkf & NK_F_COMP_NAME) {
        st = rh_latin1_to_utf8(&t->names, nk + NK_NAME, nlen);
    } else {
        st = rh_utf16le_to_utf8(&t->names, nk + NK_NAME, nlen, 0);
    }
    if (st != RH_OK) {
        return st;
    }
    if (t->names.len > 0xFFFFFFFFu) {
        return RH_ERR_LIMIT;
    }
    k = &t->keys[t->nkeys];
    memset(k, 0, sizeof(*k));
    k->cell = cell;
    k->parent = parent;
    k->first_child = k->last_child = k->next_sibling = RH_KEY_NONE;
    k->first_value = t->nvalues;
    k->name_off = (uint32_t)before;
    k->name_len = (uint32_t)(t->names.len - before);
    k->depth = depth;
    k->flags = flags | ((nkf & NK_F_SYM_LINK) ? RH_KEY_SYMLINK : 0);
    k->parent_cell = rh_le32(nk + NK_PARENT);
    *out = t->nkeys++;
    return RH_OK;
}

void regf_link_child(struct regf_tree *t, uint32_t parent, uint32_t child)
{
    struct regf_key *p;
    if (parent == RH_KEY_NONE) {
        return;
    }
    p = &t->keys[parent];
    if (p->last_child == RH_KEY_NONE) {
        p->first_child = child;
    } else {
        t->keys[p->last_child].next_sibling = child;
    }
    p->last_child = child;
    p->nchildren++;
}

rh_status regf_add_value(struct regf_tree *t, uint32_t cell, uint32_t key, uint32_t flags)
{
    void *p = t->values;
    rh_status st =
        rh_array_reserve(t->ctx, &p, &t->capvalues, (size_t)t->nvalues + 1, sizeof(*t->values));
    t->values = p;
    if (st != RH_OK) {
        return st;
    }
    t->values[t->nvalues].cell = cell;
    t->values[t->nvalues].key = key;
    t->values[t->nvalues].flags = flags;
    t->nvalues++;
    if (key != RH_KEY_NONE) {
        t->keys[key].nvalues++;
    }
    return RH_OK;
}

/* Compare two on-disk key names the way Windows orders subkey lists: by upper-cased
 * UTF-16 code units. */
static uint32_t nk_unit(const uint8_t *nk, size_t i)
{
    if (rh_le16(nk + NK_FLAGS) & NK_F_COMP_NAME) {
        return nk[NK_NAME + i];
    }
    return rh_le16(nk + NK_NAME + 2 * i);
}

static size_t nk_units(const uint8_t *nk)
{
    size_t n = rh_le16(nk + NK_NAMELEN);
    return (rh_le16(nk + NK_FLAGS) & NK_F_COMP_NAME) ? n : n / 2;
}

static int nk_name_cmp(const uint8_t *a, const uint8_t *b)
{
    size_t na = nk_units(a), nb = nk_units(b), i;
    for (i = 0; i < na && i < nb; i++) {
        uint32_t ca = rh_cp_upper(nk_unit(a, i)), cb = rh_cp_upper(nk_unit(b, i));
        if (ca != cb) {
            return ca < cb ? -1 : 1;
        }
    }
    return na < nb ? -1 : (na > nb ? 1 : 0);
}

/* A growable array of cell offsets (subkey list collection, DFS stack). */
struct u32vec {
    uint32_t *v;
    size_t n, cap;
};

static rh_status vec_push(rh_ctx *ctx, struct u32vec *a, uint32_t x)
{
    rh_status st;
    RH_ARRAY_PUSH(ctx, a->v, a->n, a->cap, x, st);
    return st;
}

/* Read one li/lf/lh leaf into out. */
static rh_status read_leaf(struct regf_tree *t, uint32_t off, const uint8_t *p, size_t len,
                           struct u32vec *out, uint32_t cap)
{
    uint16_t n = rh_le16(p + 2);
    size_t step = (p[1] == 'i') ? 4 : 8, i;
    rh_status st;
    if (!rh_fits(len, LIST_HDR, (size_t)n * step)) {
        st = regf_anomaly(t, off, "subkey list of %u entries does not fit its cell", n);
        if (st != RH_OK) {
            return st;
        }
        n = (uint16_t)((len - LIST_HDR) / step);
    }
    for (i = 0; i < n; i++) {
        if (out->n >= cap) {
            return regf_anomaly(t, off, "more than %u subkeys: list cut", cap);
        }
        st = vec_push(t->ctx, out, rh_le32(p + LIST_HDR + i * step));
        if (st != RH_OK) {
            return st;
        }
    }
    return RH_OK;
}

static bool is_leaf_sig(const uint8_t *p)
{
    return p[0] == 'l' && (p[1] == 'i' || p[1] == 'f' || p[1] == 'h');
}

/* Collect the subkey cell offsets of a list (li/lf/lh, or ri of leaves). */
static rh_status collect_subkeys(struct regf_tree *t, uint32_t off, struct u32vec *out)
{
    const uint8_t *p;
    size_t len;
    uint32_t cap = rh_ctx_limits(t->ctx)->max_subkeys;
    rh_status st;
    if (!regf_cell(t, off, &p, &len) || len < LIST_HDR) {
        return regf_anomaly(t, off, "subkey list offset 0x%x is not an allocated cell", off);
    }
    regf_mark_ref(t, off);
    if (is_leaf_sig(p)) {
        return read_leaf(t, off, p, len, out, cap);
    }
    if (REGF_SIG2(p, 'r', 'i')) {
        uint16_t n = rh_le16(p + 2), i;
        if (n == 0) {
            st = regf_anomaly(t, off, "index root with no elements");
            if (st != RH_OK) {
                return st;
            }
        }
        if (!rh_fits(len, LIST_HDR, (size_t)n * 4)) {
            st = regf_anomaly(t, off, "index root of %u elements does not fit its cell", n);
            if (st != RH_OK) {
                return st;
            }
            n = (uint16_t)((len - LIST_HDR) / 4);
        }
        for (i = 0; i < n; i++) {
            uint32_t loff = rh_le32(p + LIST_HDR + 4u * i);
            const uint8_t *lp;
            size_t llen;
            if (!regf_cell(t, loff, &lp, &llen) || llen < LIST_HDR || !is_leaf_sig(lp)) {
                st = regf_anomaly(t, loff, "index root element is not a subkey list leaf");
                if (st != RH_OK) {
                    return st;
                }
                continue;
            }
            regf_mark_ref(t, loff);
            st = read_leaf(t, loff, lp, llen, out, cap);
            if (st != RH_OK) {
                return st;
            }
        }
        return RH_OK;
    }
    return regf_anomaly(t, off, "unknown subkey list signature %02x %02x", p[0], p[1]);
}

/* Mark a value's data cells referenced (for unreferenced-cell accounting). */
static void mark_value_data(struct regf_tree *t, const uint8_t *vk)
{
    uint32_t size = rh_le32(vk + VK_DATASIZE), off = rh_le32(vk + VK_DATAOFF);
    const uint8_t *p;
    size_t len;
    if ((size & VK_SIZE_INLINE) || size == 0 || !regf_cell_head(t, off, false, 8, &p, &len)) {
        return; /* only the first bytes are read: a db record, or data this walk skips */
    }
    regf_mark_ref(t, off);
    if (len >= 8 && REGF_SIG2(p, 'd', 'b') && size > DB_SEGMENT) {
        uint16_t n = rh_le16(p + DB_COUNT), i;
        uint32_t loff = rh_le32(p + DB_LIST);
        const uint8_t *lp;
        size_t llen;
        if (regf_cell(t, loff, &lp, &llen)) {
            regf_mark_ref(t, loff);
            for (i = 0; i < n && (size_t)i * 4 + 4 <= llen; i++) {
                regf_mark_ref(t, rh_le32(lp + 4u * i));
            }
        }
    }
}

static rh_status read_values(struct regf_tree *t, uint32_t key, const uint8_t *nk)
{
    uint32_t n = rh_le32(nk + NK_NVALUES), off = rh_le32(nk + NK_VALUES), i;
    const uint8_t *p;
    size_t len;
    rh_status st;
    if (n == 0) {
        return RH_OK;
    }
    if (!regf_cell(t, off, &p, &len)) {
        return regf_anomaly(t, t->keys[key].cell,
                            "values list 0x%x of a key with %u values is not a cell", off, n);
    }
    regf_mark_ref(t, off);
    if (n > rh_ctx_limits(t->ctx)->max_values || (size_t)n * 4 > len) {
        st = regf_anomaly(t, off, "values list of %u entries does not fit its cell (%zu bytes)", n,
                          len);
        if (st != RH_OK) {
            return st;
        }
        n = (uint32_t)(len / 4);
        if (n > rh_ctx_limits(t->ctx)->max_values) {
            n = rh_ctx_limits(t->ctx)->max_values;
        }
    }
    if (t->pager) {
        /* On demand: the list is copied so that the cache may be trimmed between values. */
        rh_buf_reset(&t->prev_nk);
        if (rh_buf_append(&t->prev_nk, p, (size_t)n * 4) != RH_OK) {
            return RH_ERR_NOMEM;
        }
        p = (const uint8_t *)t->prev_nk.data;
    }
    for (i = 0; i < n; i++) {
        uint32_t voff = rh_le32(p + 4u * i);
        const uint8_t *vp;
        size_t vlen;
        regf_pager_trim(t->pager);
        if (!regf_cell(t, voff, &vp, &vlen) || !regf_vk_ok(vp, vlen)) {
            st = regf_anomaly(t, voff, "value list entry %u is not a valid value record", i);
            if (st != RH_OK) {
                return st;
            }
            continue;
        }
        regf_mark_ref(t, voff);
        mark_value_data(t, vp);
        st = regf_add_value(t, voff, key, 0);
        if (st != RH_OK) {
            return st;
        }
    }
    return RH_OK;
}

/* Children of one key: collect, check order/duplicates/parent links, push on the stack. */
static rh_status read_subkeys(struct regf_tree *t, uint32_t key, const uint8_t *nk,
                              struct u32vec *kids, struct u32vec *stack)
{
    uint32_t declared = rh_le32(nk + NK_NSUBKEYS), list = rh_le32(nk + NK_SUBKEYS);
    const uint8_t *prev = NULL;
    size_t i;
    rh_status st;
    kids->n = 0;
    if (declared == 0 && list == REGF_NIL) {
        return RH_OK;
    }
    if (list == REGF_NIL) {
        return regf_anomaly(t, t->keys[key].cell, "key declares %u subkeys but has no list",
                            declared);
    }
    st = collect_subkeys(t, list, kids);
    if (st != RH_OK) {
        return st;
    }
    if (kids->n != declared) {
        st = regf_anomaly(t, t->keys[key].cell,
                          "subkey count %u differs from the %zu entries of its list", declared,
                          kids->n);
        if (st != RH_OK) {
            return st;
        }
    }
    for (i = 0; i < kids->n; i++) {
        const uint8_t *cp;
        size_t clen;
        /* On demand, a key's children may lie in as many chunks as it has children: keep a
         * copy of the previous record (nothing else of the cache is held here). */
        if (t->pager && prev) {
            rh_buf_reset(&t->prev_nk);
            if (rh_buf_append(&t->prev_nk, prev, NK_NAME + rh_le16(prev + NK_NAMELEN)) != RH_OK) {
                return RH_ERR_NOMEM;
            }
            prev = (const uint8_t *)t->prev_nk.data;
            regf_pager_trim(t->pager);
        }
        if (!regf_cell(t, kids->v[i], &cp, &clen) || !regf_nk_ok(cp, clen)) {
            continue; /* reported when popped */
        }
        if (prev) {
            int c = nk_name_cmp(prev, cp);
            if (c == 0) {
                st = regf_anomaly(t, kids->v[i], "duplicate subkey name in the list of 0x%x",
                                  t->keys[key].cell);
            } else if (c > 0) {
                st = regf_anomaly(t, kids->v[i], "subkey list of 0x%x is not sorted by name",
                                  t->keys[key].cell);
            }
            if (st != RH_OK) {
                return st;
            }
        }
        prev = cp;
    }
    /* Push in reverse so children are visited (and numbered) in list order. */
    for (i = kids->n; i-- > 0;) {
        st = vec_push(t->ctx, stack, kids->v[i]);
        if (st == RH_OK) {
            st = vec_push(t->ctx, stack, key);
        }
        if (st != RH_OK) {
            return st;
        }
    }
    return RH_OK;
}

/* Find a substitute root: an allocated nk flagged HIVE_ENTRY. */
static uint32_t find_root(struct regf_tree *t)
{
    uint32_t off;
    for (off = 0; off + 8 <= t->bins_len; off += 8) {
        const uint8_t *p;
        size_t len;
        regf_pager_trim(t->pager);
        if (regf_test_bit(t->alloc_map, t->map_bytes, off) && regf_cell(t, off, &p, &len) &&
            regf_nk_ok(p, len) && (rh_le16(p + NK_FLAGS) & NK_F_HIVE_ENTRY)) {
            return off;
        }
    }
    return REGF_NIL;
}

static rh_status walk(struct regf_tree *t, uint32_t root)
{
    struct u32vec stack = {0}, kids = {0};
    uint32_t unique = 0;
    const rh_limits *lim = rh_ctx_limits(t->ctx);
    rh_status st;
    const uint8_t *p;
    size_t len;

    if (!regf_cell(t, root, &p, &len) || !regf_nk_ok(p, len)) {
        uint32_t alt;
        st = regf_anomaly(t, root, "root cell 0x%x is not a key node", root);
        if (st != RH_OK) {
            return st;
        }
        alt = find_root(t);
        if (alt == REGF_NIL) {
            return RH_ERR_CORRUPT;
        }
        st = regf_anomaly(t, alt, "using the key node at 0x%x (HIVE_ENTRY flag) as root", alt);
        if (st != RH_OK) {
            return st;
        }
        root = alt;
    }
    st = vec_push(t->ctx, &stack, root);
    if (st == RH_OK) {
        st = vec_push(t->ctx, &stack, RH_KEY_NONE);
    }
    while (st == RH_OK && stack.n >= 2) {
        uint32_t parent = stack.v[--stack.n], cell = stack.v[--stack.n], key, depth;
        regf_pager_trim(t->pager); /* nothing of the previous key is held */
        if (!regf_cell(t, cell, &p, &len) || !regf_nk_ok(p, len)) {
            st = regf_anomaly(t, cell, "subkey list entry 0x%x is not a valid key node", cell);
            continue;
        }
        if (regf_test_bit(t->seen_map, t->map_bytes, cell)) {
            /* A node listed under two parents is shown under both (as Windows would reach
             * it), but a cycle is cut, and re-visits are bounded so that crafted diamond
             * chains cannot multiply the tree. */
            uint32_t a = parent, steps = 0;
            bool cycle = false;
            while (a != RH_KEY_NONE && steps++ <= lim->max_key_depth) {
                if (t->keys[a].cell == cell) {
                    cycle = true;
                    break;
                }
                a = t->keys[a].parent;
            }
            if (cycle || t->nkeys >= 2 * unique + 1024) {
                st = regf_anomaly(t, cell, "key node 0x%x %s: not followed again", cell,
                                  cycle ? "is its own ancestor (cycle)"
                                        : "is listed under several parents too often");
                continue;
            }
            st = regf_anomaly(t, cell, "key node 0x%x is listed under more than one parent", cell);
            if (st != RH_OK) {
                break;
            }
        } else {
            set_bit(t->seen_map, t->map_bytes, cell);
            unique++;
        }
        regf_mark_ref(t, cell);
        depth = parent == RH_KEY_NONE ? 0 : t->keys[parent].depth + 1;
        if (parent != RH_KEY_NONE && rh_le32(p + NK_PARENT) != t->keys[parent].cell) {
            st = regf_anomaly(t, cell,
                              "key node's parent field 0x%x differs from its list owner 0x%x",
                              rh_le32(p + NK_PARENT), t->keys[parent].cell);
            if (st != RH_OK) {
                break;
            }
        }
        st = regf_add_key(t, cell, p, len, parent, depth, parent == RH_KEY_NONE ? RH_KEY_ROOT : 0,
                          &key);
        if (st == RH_ERR_LIMIT) {
            st = regf_anomaly(t, cell, "more than %u keys: walk stopped", lim->max_keys);
            break;
        }
        if (st != RH_OK) {
            break;
        }
        regf_link_child(t, parent, key);
        if (parent == RH_KEY_NONE) {
            t->root = key;
        }
        regf_mark_ref(t, rh_le32(p + NK_SK));
        if (rh_le16(p + NK_CLASSLEN) > 0) {
            regf_mark_ref(t, rh_le32(p + NK_CLASS));
        }
        st = read_values(t, key, p);
        if (st != RH_OK) {
            break;
        }
        if (depth >= lim->max_key_depth) {
            st = regf_anomaly(t, cell, "key deeper than %u levels: subkeys not followed",
                              lim->max_key_depth);
            continue;
        }
        if (t->pager && (!regf_cell(t, cell, &p, &len) || !regf_nk_ok(p, len))) {
            break; /* read before, unreadable now: no memory for the cache */
        }
        st = read_subkeys(t, key, p, &kids, &stack);
    }
    rh_free(t->ctx, stack.v);
    rh_free(t->ctx, kids.v);
    return st;
}

rh_status regf_tree_build(struct regf_tree *t, rh_ctx *ctx, const char *src, const uint8_t *bins,
                          struct regf_pager *pager, size_t bins_len, size_t bins_total,
                          uint32_t root, uint32_t minor, bool quiet, bool want_refs)
{
    rh_status st;
    memset(t, 0, sizeof(*t));
    t->ctx = ctx;
    t->source = src;
    t->quiet = quiet;
    t->bins = bins;
    t->pager = pager;
    t->bins_len = bins_len > 0xFFFFFFF0u ? 0xFFFFFFF0u : bins_len;
    t->bins_total = bins_total > 0xFFFFFFF0u ? 0xFFFFFFF0u : bins_total;
    if (t->bins_total < t->bins_len) {
        t->bins_total = t->bins_len;
    }
    t->minor = minor;
    t->cell_hdr = minor == 1 ? 8 : 4;
    t->root = RH_KEY_NONE;
    rh_buf_init(&t->names, ctx);
    rh_buf_init(&t->prev_nk, ctx);
    st = build_maps(t);
    if (st != RH_OK) {
        return st;
    }
    t->seen_map = rh_calloc(ctx, t->map_bytes, 1);
    if (!t->seen_map) {
        return RH_ERR_NOMEM;
    }
    if (want_refs) {
        t->ref_map = rh_calloc(ctx, t->map_bytes, 1);
        if (!t->ref_map) {
            return RH_ERR_NOMEM;
        }
    }
    st = walk(t, root);
    if (st == RH_OK && t->strict_fail != RH_OK) {
        st = t->strict_fail;
    }
    return st;
}

void regf_tree_free(struct regf_tree *t)
{
    rh_free(t->ctx, t->alloc_map);
    rh_free(t->ctx, t->free_map);
    rh_free(t->ctx, t->ref_map);
    rh_free(t->ctx, t->seen_map);
    rh_free(t->ctx, t->keys);
    rh_free(t->ctx, t->values);
    rh_free(t->ctx, t->orphans);
    rh_buf_free(&t->names);
    rh_buf_free(&t->prev_nk);
    memset(t, 0, sizeof(*t));
}
