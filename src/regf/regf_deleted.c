/*
 * Deleted data recovery: key and value records in free cells (including several old records
 * inside one coalesced free cell, yarp's RemnantsHive) and in allocated cells that nothing
 * references (self-healed hives, HealedHive). Recovered keys are linked to their parent when
 * the parent cell is a known key, giving full paths; otherwise they keep a partial path.
 */
#include <stdlib.h>

#include "regf_internal.h"

#define BIT_SET(m, i) ((m)[(i) >> 3] |= (uint8_t)(1u << ((i)&7)))

struct cand {
    uint32_t off;
    bool is_key;
};

struct cellidx {
    uint32_t cell, key;
};

static int cellidx_cmp(const void *a, const void *b)
{
    const struct cellidx *x = a, *y = b;
    return x->cell < y->cell ? -1 : (x->cell > y->cell);
}

static void set_bit(uint8_t *map, size_t map_bytes, uint32_t off)
{
    uint32_t i = off >> 3;
    if ((i >> 3) < map_bytes) {
        BIT_SET(map, i);
    }
}

static rh_status push_cand(rh_ctx *ctx, struct cand **v, size_t *n, size_t *cap, uint32_t off,
                           bool is_key)
{
    struct cand c = {off, is_key};
    rh_status st;
    RH_ARRAY_PUSH(ctx, *v, *n, *cap, c, st);
    return st;
}

/* Classify the record starting at bins[pos + hdr] inside [pos, end). */
static int record_kind(const struct regf_tree *t, uint32_t pos, size_t end)
{
    const uint8_t *p = t->bins + pos + t->cell_hdr;
    size_t len = end - pos - t->cell_hdr;
    if (end <= pos + t->cell_hdr) {
        return 0;
    }
    if (regf_nk_ok(p, len)) {
        return 1;
    }
    if (regf_vk_ok(p, len)) {
        return 2;
    }
    return 0;
}

static rh_status scan(struct regf_tree *t, struct cand **c, size_t *n, size_t *cap)
{
    uint32_t off;
    rh_status st = RH_OK;
    for (off = 0; st == RH_OK && off + 8 <= t->bins_len; off += 8) {
        int32_t cs;
        uint32_t abs, pos;
        int kind;
        bool alloc = regf_test_bit(t->alloc_map, t->map_bytes, off);
        if (!alloc && !regf_test_bit(t->free_map, t->map_bytes, off)) {
            continue;
        }
        cs = (int32_t)rh_le32(t->bins + off);
        abs = cs < 0 ? (uint32_t)(-(int64_t)cs) : (uint32_t)cs;
        if (alloc) {
            if (!regf_test_bit(t->ref_map, t->map_bytes, off)) {
                kind = record_kind(t, off, (size_t)off + abs);
                if (kind) {
                    st = push_cand(t->ctx, c, n, cap, off, kind == 1);
                }
            }
            off += abs - 8; /* next cell (the loop adds 8) */
            continue;
        }
        /* Free cell: the record at its start, then old records inside it. */
        for (pos = off; st == RH_OK && pos + 8 < off + abs; pos += 8) {
            kind = record_kind(t, pos, (size_t)off + abs);
            if (!kind) {
                continue;
            }
            if (pos != off) {
                /* An old cell header inside the free cell: accept it as a pseudo cell if its
                 * size stays inside the free cell. */
                int32_t os = (int32_t)rh_le32(t->bins + pos);
                uint32_t oabs = os < 0 ? (uint32_t)(-(int64_t)os) : (uint32_t)os;
                if (oabs < 8 || oabs % 8 != 0 || oabs > off + abs - pos) {
                    continue;
                }
                set_bit(t->free_map, t->map_bytes, pos);
            }
            st = push_cand(t->ctx, c, n, cap, pos, kind == 1);
        }
        off += abs - 8;
    }
    /* Remnant data after the last hive bin (stale bins, RemnantsHive): old cell headers
     * followed by key or value records. */
    for (off = (uint32_t)(((t->bins_len + 3) & ~(size_t)3) - t->cell_hdr);
         st == RH_OK && off + 8 < t->bins_total; off += 4) {
        const uint8_t *p;
        size_t len;
        int kind;
        if (!regf_cell_naive(t, off, &p, &len)) {
            continue;
        }
        kind = record_kind(t, off, (size_t)off + len + t->cell_hdr);
        if (kind) {
            st = push_cand(t->ctx, c, n, cap, off, kind == 1);
        }
    }
    return st;
}

/* Add the values of a deleted key from its (possibly freed) values list. */
static rh_status deleted_key_values(struct regf_tree *t, uint32_t key, const uint8_t *nk)
{
    uint32_t n = rh_le32(nk + NK_NVALUES), i;
    const uint8_t *p;
    size_t len;
    if (n == 0 || regf_test_bit(t->ref_map, t->map_bytes, rh_le32(nk + NK_VALUES)) ||
        !regf_cell_naive(t, rh_le32(nk + NK_VALUES), &p, &len)) {
        return RH_OK;
    }
    if ((size_t)n * 4 > len) {
        n = (uint32_t)(len / 4);
    }
    for (i = 0; i < n; i++) {
        uint32_t voff = rh_le32(p + 4u * i);
        const uint8_t *vp;
        size_t vlen;
        rh_status st;
        if (regf_test_bit(t->ref_map, t->map_bytes, voff) ||
            regf_test_bit(t->seen_map, t->map_bytes, voff) ||
            !regf_cell_naive(t, voff, &vp, &vlen) || !regf_vk_ok(vp, vlen)) {
            continue; /* reused by live data, already claimed, or overwritten */
        }
        set_bit(t->seen_map, t->map_bytes, voff);
        st = regf_add_value(t, voff, key, RH_VALUE_DELETED);
        if (st != RH_OK) {
            return st;
        }
    }
    return RH_OK;
}

static rh_status add_orphan(struct regf_tree *t, uint32_t vi)
{
    size_t n = t->norphans;
    rh_status st;
    RH_ARRAY_PUSH(t->ctx, t->orphans, n, t->caporphans, vi, st);
    t->norphans = (uint32_t)n;
    return st;
}

/* A live key whose values list has slack slots pointing at `voff` (remnant of that key). */
static uint32_t remnant_owner(const struct regf_tree *t, uint32_t voff)
{
    uint32_t k;
    for (k = 0; k < t->nkeys; k++) {
        const struct regf_key *key = &t->keys[k];
        const uint8_t *nk, *p;
        size_t len, plen, i;
        if ((key->flags & RH_KEY_DELETED) || !regf_cell(t, key->cell, &nk, &len)) {
            continue;
        }
        if (rh_le32(nk + NK_NVALUES) == 0 || !regf_cell(t, rh_le32(nk + NK_VALUES), &p, &plen)) {
            continue;
        }
        for (i = rh_le32(nk + NK_NVALUES); i < plen / 4; i++) {
            if (rh_le32(p + 4 * i) == voff) {
                return k;
            }
        }
    }
    return RH_KEY_NONE;
}

rh_status regf_recover_deleted(struct regf_tree *t)
{
    struct cand *c = NULL;
    struct cellidx *idx = NULL;
    size_t n = 0, cap = 0, i;
    uint32_t live = t->nkeys, k;
    rh_status st;

    if (!t->ref_map) {
        return RH_OK;
    }
    st = scan(t, &c, &n, &cap);
    /* Keys first (they claim their values), then unclaimed values. */
    for (i = 0; st == RH_OK && i < n; i++) {
        const uint8_t *p;
        size_t len;
        uint32_t key;
        if (!c[i].is_key || !regf_cell_naive(t, c[i].off, &p, &len)) {
            continue;
        }
        st = regf_add_key(t, c[i].off, p, len, RH_KEY_NONE, 0, RH_KEY_DELETED, &key);
        if (st == RH_OK) {
            st = deleted_key_values(t, key, p);
        }
    }
    if (st == RH_ERR_LIMIT) {
        st = regf_anomaly(t, REGF_NIL, "key limit reached during deleted-key recovery");
    }
    /* Link deleted keys to their parents. */
    if (st == RH_OK && t->nkeys > live) {
        idx = rh_malloc(t->ctx, (size_t)t->nkeys * sizeof(*idx));
        if (!idx) {
            st = RH_ERR_NOMEM;
        }
        for (k = 0; st == RH_OK && k < t->nkeys; k++) {
            idx[k].cell = t->keys[k].cell;
            idx[k].key = k;
        }
        if (st == RH_OK) {
            rh_sort(idx, t->nkeys, sizeof(*idx), cellidx_cmp);
        }
        for (k = live; st == RH_OK && k < t->nkeys; k++) {
            struct cellidx probe = {t->keys[k].parent_cell, 0}, *hit;
            hit = bsearch(&probe, idx, t->nkeys, sizeof(*idx), cellidx_cmp);
            if (hit && hit->key != k) {
                t->keys[k].parent = hit->key;
            }
        }
        /* Break parent cycles among deleted keys, compute depths, then link children. */
        for (k = live; st == RH_OK && k < t->nkeys; k++) {
            uint32_t p = t->keys[k].parent, steps = 0, d = 0;
            while (p != RH_KEY_NONE && (t->keys[p].flags & RH_KEY_DELETED) && steps <= t->nkeys &&
                   steps < 4096) {
                if (p == k) {
                    break;
                }
                p = t->keys[p].parent;
                steps++;
            }
            if (p == k || steps > t->nkeys || steps >= 4096) {
                t->keys[k].parent = RH_KEY_NONE; /* cycle: cut here */
            }
            p = t->keys[k].parent;
            for (steps = 0; p != RH_KEY_NONE && steps < 4096; steps++) {
                d++;
                if (!(t->keys[p].flags & RH_KEY_DELETED)) {
                    d += t->keys[p].depth;
                    break;
                }
                p = t->keys[p].parent;
            }
            if (p == RH_KEY_NONE && !(t->keys[k].flags & RH_KEY_ROOT)) {
                t->keys[k].flags |= RH_KEY_PARTIAL_PATH;
            }
            t->keys[k].depth = d;
        }
        for (k = live; st == RH_OK && k < t->nkeys; k++) {
            regf_link_child(t, t->keys[k].parent, k);
        }
    }
    for (i = 0; st == RH_OK && i < n; i++) {
        uint32_t owner;
        if (c[i].is_key || regf_test_bit(t->seen_map, t->map_bytes, c[i].off)) {
            continue;
        }
        set_bit(t->seen_map, t->map_bytes, c[i].off);
        owner = remnant_owner(t, c[i].off);
        st = regf_add_value(t, c[i].off, RH_KEY_NONE, RH_VALUE_DELETED);
        if (st == RH_OK) {
            t->values[t->nvalues - 1].key = owner;
            st = add_orphan(t, t->nvalues - 1);
        }
    }
    rh_free(t->ctx, c);
    rh_free(t->ctx, idx);
    if (st == RH_OK && t->strict_fail != RH_OK) {
        st = t->strict_fail;
    }
    return st;
}
