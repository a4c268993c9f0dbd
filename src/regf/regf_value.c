/*
 * Value data: inline (in the offset field), plain cell, big data (db) segments.
 */
#include "regf_internal.h"

static rh_status lost(const struct regf_tree *t, const struct regf_value *v, const char *why)
{
    /* Data problems are reported where the data is read; the tree is const here, so the
     * anomaly goes straight to the context. */
    if (!t->quiet) {
        return rh_diagf(t->ctx, RH_DIAG_ANOMALY, "regf", t->source,
                        (int64_t)v->cell + REGF_BASE_SIZE, "value data unreadable: %s", why);
    }
    return RH_OK;
}

static rh_status value_data_at(const struct regf_tree *t, const struct regf_value *v,
                               const uint8_t **data, size_t *len, rh_buf *scratch)
{
    const uint8_t *vk, *p;
    size_t vklen, plen;
    uint32_t raw, size, off;
    bool deleted = (v->flags & RH_VALUE_DELETED) != 0;
    rh_status st;

    *data = (const uint8_t *)"";
    *len = 0;
    if (!regf_cell_naive(t, v->cell, &vk, &vklen) || !regf_vk_ok(vk, vklen)) {
        return RH_ERR_CORRUPT;
    }
    raw = rh_le32(vk + VK_DATASIZE);
    off = rh_le32(vk + VK_DATAOFF);
    size = raw & ~VK_SIZE_INLINE;
    if (rh_le16(vk + VK_FLAGS) & VK_F_TOMBSTONE) {
        return RH_OK;
    }
    if (raw & VK_SIZE_INLINE) {
        if (size > 4) {
            st = lost(t, v, "inline data larger than 4 bytes");
            return st != RH_OK ? st : RH_ERR_CORRUPT;
        }
        /* The first `size` bytes of the offset field (libregf gets this wrong for 1-3). */
        *data = vk + VK_DATAOFF;
        *len = size;
        return RH_OK;
    }
    if (size == 0) {
        return RH_OK;
    }
    if (size > rh_ctx_limits(t->ctx)->max_value_size) {
        st = lost(t, v, "data size above the limit");
        return st != RH_OK ? st : RH_ERR_LIMIT;
    }
    if (deleted && regf_test_bit(t->ref_map, t->map_bytes, off)) {
        return RH_ERR_CORRUPT; /* the data cell was reused by live data: nothing to recover */
    }
    if (!(deleted ? regf_cell_naive(t, off, &p, &plen) : regf_cell(t, off, &p, &plen))) {
        if (deleted) {
            return RH_ERR_CORRUPT;
        }
        st = lost(t, v, "data offset is not a cell");
        return st != RH_OK ? st : RH_ERR_CORRUPT;
    }
    if (size > DB_SEGMENT && t->minor > 3 && plen >= 8 && REGF_SIG2(p, 'd', 'b')) {
        uint16_t n = rh_le16(p + DB_COUNT), i;
        const uint8_t *lp;
        size_t llen, need = size;
        if (!(deleted ? regf_cell_naive(t, rh_le32(p + DB_LIST), &lp, &llen)
                      : regf_cell(t, rh_le32(p + DB_LIST), &lp, &llen)) ||
            (size_t)n * 4 > llen) {
            st = lost(t, v, "big data segment list is not a cell");
            return st != RH_OK ? st : RH_ERR_CORRUPT;
        }
        rh_buf_reset(scratch);
        st = rh_buf_reserve(scratch, size);
        if (st != RH_OK) {
            return st;
        }
        for (i = 0; i < n && need > 0; i++) {
            const uint8_t *sp;
            size_t slen, take;
            if (!(deleted ? regf_cell_naive(t, rh_le32(lp + 4u * i), &sp, &slen)
                          : regf_cell(t, rh_le32(lp + 4u * i), &sp, &slen))) {
                st = lost(t, v, "big data segment is not a cell");
                return st != RH_OK ? st : RH_ERR_CORRUPT;
            }
            take = slen < DB_SEGMENT ? slen : DB_SEGMENT;
            take = take < need ? take : need;
            rh_buf_append(scratch, sp, take);
            need -= take;
        }
        if (need > 0) {
            st = lost(t, v, "big data segments shorter than the declared size");
            if (st != RH_OK) {
                return st;
            }
        }
        *data = (const uint8_t *)scratch->data;
        *len = scratch->len;
        return RH_OK;
    }
    if (size > plen) {
        st = lost(t, v, "declared size runs past the data cell; kept what the cell holds");
        if (st != RH_OK) {
            return st;
        }
        size = (uint32_t)plen;
    }
    *data = p;
    *len = size;
    return RH_OK;
}

rh_status regf_value_data(const struct regf_tree *t, const struct regf_value *v,
                          const uint8_t **data, size_t *len, rh_buf *scratch)
{
    rh_status st = value_data_at(t, v, data, len, scratch);
    if (t->pager && *len > 0 && *data != (const uint8_t *)scratch->data) {
        /* On demand, the cache may evict these bytes at the next call: hand out a copy. */
        rh_status cst;
        rh_buf_reset(scratch);
        cst = rh_buf_append(scratch, *data, *len);
        if (cst != RH_OK) {
            *data = (const uint8_t *)"";
            *len = 0;
            return cst;
        }
        *data = (const uint8_t *)scratch->data;
    }
    return st;
}
