/*
 * Base block and hive bin chain.
 *
 * A bad checksum means "do not trust the header", not "refuse the file" (yarp's
 * EffectiveSizeHive/GarbageHive): the hive bins size then comes from the hbin chain.
 */
#include "regf_internal.h"

uint32_t regf_checksum(const uint8_t *base)
{
    uint32_t x = 0;
    size_t i;
    for (i = 0; i < REGF_B_CHECKSUM; i += 4) {
        x ^= rh_le32(base + i);
    }
    if (x == 0) {
        x = 1;
    } else if (x == 0xFFFFFFFFu) {
        x = 0xFFFFFFFEu;
    }
    return x;
}

size_t regf_hbin_chain(const uint8_t *bins, size_t len)
{
    size_t off = 0;
    while (len - off >= REGF_HBIN_HDR) {
        const uint8_t *h = bins + off;
        uint32_t size = rh_le32(h + REGF_H_SIZE);
        if (!REGF_SIG4(h, 'h', 'b', 'i', 'n') || rh_le32(h + REGF_H_OFFSET) != off ||
            size < REGF_HBIN_ALIGN || size % REGF_HBIN_ALIGN != 0 || size > len - off) {
            break;
        }
        off += size;
    }
    return off;
}

rh_status regf_parse_base(rh_ctx *ctx, const char *src, const uint8_t *img, size_t len,
                          size_t chain, rh_hive_info *info, struct regf_base *base)
{
    size_t avail;
    rh_status st = RH_OK, s2;

    if (len < REGF_LOG_BASE_SIZE || !REGF_SIG4(img, 'r', 'e', 'g', 'f')) {
        rh_diagf(ctx, RH_DIAG_ERROR, "regf", src, 0, "not a registry hive (no 'regf' signature)");
        return RH_ERR_FORMAT;
    }
    info->seq_primary = rh_le32(img + REGF_B_SEQ1);
    info->seq_secondary = rh_le32(img + REGF_B_SEQ2);
    info->last_written = rh_le64(img + REGF_B_LASTWRITE);
    info->major = rh_le32(img + REGF_B_MAJOR);
    info->minor = rh_le32(img + REGF_B_MINOR);
    info->file_type = rh_le32(img + REGF_B_TYPE);
    info->root_cell = rh_le32(img + REGF_B_ROOT);
    info->hbins_size = rh_le32(img + REGF_B_HBINS_SIZE);
    info->checksum_stored = rh_le32(img + REGF_B_CHECKSUM);
    info->checksum_computed = regf_checksum(img);
    info->checksum_ok = info->checksum_stored == info->checksum_computed;
    info->dirty = !info->checksum_ok || info->seq_primary != info->seq_secondary;

    if (info->file_type != REGF_TYPE_PRIMARY) {
        rh_diagf(ctx, RH_DIAG_ERROR, "regf", src, REGF_B_TYPE,
                 "file type %u is a transaction log, not a primary hive", info->file_type);
        return RH_ERR_FORMAT;
    }
    if (len < REGF_BASE_SIZE + REGF_HBIN_HDR) {
        rh_diagf(ctx, RH_DIAG_ERROR, "regf", src, 0,
                 "file is %zu bytes: too short for a base block and one hive bin", len);
        return RH_ERR_CORRUPT;
    }
    if (!info->checksum_ok) {
        st = rh_diagf(ctx, RH_DIAG_ANOMALY, "regf", src, REGF_B_CHECKSUM,
                      "base block checksum 0x%08x != computed 0x%08x: header not trusted",
                      info->checksum_stored, info->checksum_computed);
    }
    if (info->seq_primary != info->seq_secondary) {
        s2 = rh_diagf(ctx, RH_DIAG_ANOMALY, "regf", src, REGF_B_SEQ1,
                      "dirty hive: sequence numbers %u != %u", info->seq_primary,
                      info->seq_secondary);
        st = st == RH_OK ? s2 : st;
    }
    if (info->major != 1 || info->minor < 1 || info->minor > 6) {
        s2 = rh_diagf(ctx, RH_DIAG_ANOMALY, "regf", src, REGF_B_MAJOR, "unexpected version %u.%u",
                      info->major, info->minor);
        st = st == RH_OK ? s2 : st;
    }

    avail = len - REGF_BASE_SIZE;
    if (chain == SIZE_MAX) {
        chain = regf_hbin_chain(img + REGF_BASE_SIZE, avail);
    }
    info->hbins_size_effective = (uint32_t)(chain > 0xFFFFFFFFu ? 0xFFFFFFFFu : chain);
    base->root = info->root_cell;
    base->minor = info->minor;
    base->last_written = info->last_written;
    if (info->checksum_ok && info->hbins_size >= REGF_HBIN_ALIGN &&
        info->hbins_size % REGF_HBIN_ALIGN == 0) {
        base->hbins_size = info->hbins_size;
        if (info->hbins_size > avail) {
            info->truncated = 1;
            s2 = rh_diagf(ctx, RH_DIAG_ANOMALY, "regf", src, REGF_B_HBINS_SIZE,
                          "truncated hive: %u bytes of hive bins declared, %zu present",
                          info->hbins_size, avail);
            st = st == RH_OK ? s2 : st;
            /* Keep the partial last bin: its complete cells are still readable. */
            base->hbins_size = (uint32_t)avail;
        }
        if (chain < base->hbins_size) {
            s2 = rh_diagf(ctx, RH_DIAG_ANOMALY, "regf", src, (int64_t)(REGF_BASE_SIZE + chain),
                          "hive bin chain breaks at 0x%zx, before the declared end 0x%x", chain,
                          base->hbins_size);
            st = st == RH_OK ? s2 : st;
        } else if (chain > base->hbins_size && !info->truncated) {
            s2 = rh_diagf(ctx, RH_DIAG_ANOMALY, "regf", src, REGF_B_HBINS_SIZE,
                          "hive bins continue past the declared size (%u < %zu): reading on",
                          base->hbins_size, chain);
            st = st == RH_OK ? s2 : st;
            base->hbins_size = (uint32_t)chain;
        }
    } else {
        /* Untrusted header: the hbin chain decides (yarp "effective size"). */
        base->hbins_size = (uint32_t)chain;
        if (info->checksum_ok) {
            s2 = rh_diagf(ctx, RH_DIAG_ANOMALY, "regf", src, REGF_B_HBINS_SIZE,
                          "invalid hive bins size %u: using the hbin chain (%zu bytes)",
                          info->hbins_size, chain);
            st = st == RH_OK ? s2 : st;
        }
    }
    if (chain >= REGF_HBIN_HDR && (!info->checksum_ok || info->last_written == 0)) {
        /* The first hbin's timestamp backs up the base block's. */
        base->last_written = rh_le64(img + REGF_BASE_SIZE + REGF_H_TIME);
        if (!info->checksum_ok) {
            info->last_written = base->last_written;
        }
    }
    return st;
}
