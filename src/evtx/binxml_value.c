/*
 * Canonical text of BinXML substitution values: decimal integers, "0x..." lower-case hex for
 * HexInt32/64 and SizeT (as Windows renders them), true/false, upper-case binary hex,
 * {UPPER-CASE} GUIDs, S-1-... SIDs, ISO 8601 UTC times with 100 ns precision (9 digits, the
 * last two always 0, in XML as Windows renders them; 7 digits elsewhere).
 */
#include <stdio.h>

#include "evtx_internal.h"

static const char hexu[] = "0123456789ABCDEF";

/* Hot path (every Sysmon event has several GUIDs): no printf. */
rh_status bxv_guid(rh_buf *out, const uint8_t *p)
{
    /* Byte order of the text: Data1 (LE u32), Data2, Data3 (LE u16), then 8 bytes as is. */
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    char t[38];
    size_t i, k = 0;
    t[k++] = '{';
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            t[k++] = '-';
        }
        t[k++] = hexu[p[order[i]] >> 4];
        t[k++] = hexu[p[order[i]] & 15];
    }
    t[k++] = '}';
    return rh_buf_append(out, t, k);
}

/* Decimal text of v (with a leading '-' if neg) into b; returns the length. */
static int fmt_u64(char *b, uint64_t v, bool neg)
{
    char t[24];
    int n = 0, k = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (neg) {
        b[k++] = '-';
    }
    while (n) {
        b[k++] = t[--n];
    }
    return k;
}

static int fmt_i64(char *b, int64_t v)
{
    return v < 0 ? fmt_u64(b, (uint64_t)0 - (uint64_t)v, true) : fmt_u64(b, (uint64_t)v, false);
}

/* Size of one SID (revision, count, authority[6], sub-authorities), or 0 if malformed. */
static size_t sid_size(const uint8_t *p, size_t n)
{
    size_t need;
    if (n < 8) {
        return 0;
    }
    need = 8 + (size_t)p[1] * 4;
    return need <= n ? need : 0;
}

rh_status bxv_sid(rh_buf *out, const uint8_t *p, size_t n)
{
    uint64_t auth = 0;
    size_t i, sz = sid_size(p, n);
    rh_status st;
    if (!sz) {
        /* Not a SID: keep the bytes visible rather than inventing one. */
        for (i = 0; i < n; i++) {
            char h[2] = {hexu[p[i] >> 4], hexu[p[i] & 15]};
            st = rh_buf_append(out, h, 2);
            if (st != RH_OK) {
                return st;
            }
        }
        return RH_OK;
    }
    for (i = 2; i < 8; i++) {
        auth = (auth << 8) | p[i];
    }
    st = rh_buf_printf(out, "S-%u-%llu", p[0], (unsigned long long)auth);
    for (i = 0; st == RH_OK && i < p[1]; i++) {
        st = rh_buf_printf(out, "-%u", (unsigned)rh_le32(p + 8 + 4 * i));
    }
    return st;
}

/* FILETIME of a SYSTEMTIME (year, month, dow, day, hour, min, sec, ms), 0 if invalid. */
static uint64_t systime_to_filetime(const uint8_t *p)
{
    unsigned y = rh_le16(p), m = rh_le16(p + 2), d = rh_le16(p + 6);
    unsigned hh = rh_le16(p + 8), mm = rh_le16(p + 10), ss = rh_le16(p + 12), ms = rh_le16(p + 14);
    int64_t days;
    if (y < 1601 || y > 30827 || m < 1 || m > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 ||
        ss > 59 || ms > 999) {
        return 0;
    }
    days = rh_days_from_civil(y, m, d) + RH_FILETIME_EPOCH_DAYS;
    return ((uint64_t)days * 86400u + hh * 3600u + mm * 60u + ss) * 10000000u +
           (uint64_t)ms * 10000u;
}

static rh_status put_time(rh_buf *out, uint64_t ft, unsigned mode)
{
    rh_status st = rh_filetime_to_iso(out, ft);
    if (st == RH_OK && (mode & BXV_XML) && out->len > 0) {
        /* Windows renders 100 ns ticks as 9 digits: "...36.337270500Z". */
        out->len--;
        st = rh_buf_append(out, "00Z", 3);
    }
    return st;
}

rh_status bxv_render(rh_buf *out, uint8_t type, const uint8_t *p, size_t n, unsigned mode)
{
    char num[64];
    int len = -1;
    size_t i;
    switch (type) {
    case BX_T_NULL:
        return RH_OK;
    case BX_T_STRING:
    case BX_T_EVTXML:
        return rh_utf16le_to_utf8(out, p, n, 1);
    case BX_T_ANSI: {
        size_t k = 0;
        while (k < n && p[k]) {
            k++;
        }
        return rh_utf8_sanitize(out, (const char *)p, k);
    }
    case BX_T_INT8:
        if (n >= 1) {
            len = fmt_i64(num, (int8_t)p[0]);
        }
        break;
    case BX_T_UINT8:
        if (n >= 1) {
            len = fmt_u64(num, p[0], false);
        }
        break;
    case BX_T_INT16:
        if (n >= 2) {
            len = fmt_i64(num, (int16_t)rh_le16(p));
        }
        break;
    case BX_T_UINT16:
        if (n >= 2) {
            len = fmt_u64(num, rh_le16(p), false);
        }
        break;
    case BX_T_INT32:
        if (n >= 4) {
            len = fmt_i64(num, (int32_t)rh_le32(p));
        }
        break;
    case BX_T_UINT32:
        if (n >= 4) {
            len = fmt_u64(num, rh_le32(p), false);
        }
        break;
    case BX_T_INT64:
        if (n >= 8) {
            len = fmt_i64(num, (int64_t)rh_le64(p));
        }
        break;
    case BX_T_UINT64:
        if (n >= 8) {
            len = fmt_u64(num, rh_le64(p), false);
        }
        break;
    case BX_T_REAL32:
        if (n >= 4) {
            uint32_t u = rh_le32(p);
            float f;
            memcpy(&f, &u, 4);
            len = snprintf(num, sizeof(num), "%.9g", (double)f);
        }
        break;
    case BX_T_REAL64:
        if (n >= 8) {
            uint64_t u = rh_le64(p);
            double d;
            memcpy(&d, &u, 8);
            len = snprintf(num, sizeof(num), "%.17g", d);
        }
        break;
    case BX_T_BOOL:
        if (n >= 4) {
            return rh_buf_puts(out, rh_le32(p) ? "true" : "false");
        }
        break;
    case BX_T_GUID:
        if (n >= 16) {
            return bxv_guid(out, p);
        }
        break;
    case BX_T_SIZET:
    case BX_T_EVTHANDLE:
        if (n == 4) {
            len = snprintf(num, sizeof(num), "0x%lx", (unsigned long)rh_le32(p));
        } else if (n >= 8) {
            len = snprintf(num, sizeof(num), "0x%llx", (unsigned long long)rh_le64(p));
        }
        break;
    case BX_T_HEX32:
        if (n >= 4) {
            len = snprintf(num, sizeof(num), "0x%lx", (unsigned long)rh_le32(p));
        }
        break;
    case BX_T_HEX64:
        if (n >= 8) {
            len = snprintf(num, sizeof(num), "0x%llx", (unsigned long long)rh_le64(p));
        }
        break;
    case BX_T_FILETIME:
        if (n >= 8) {
            return put_time(out, rh_le64(p), mode);
        }
        break;
    case BX_T_SYSTIME:
        if (n >= 16) {
            uint64_t ft = systime_to_filetime(p);
            if (ft) {
                return put_time(out, ft, mode);
            }
        }
        break;
    case BX_T_SID:
        return bxv_sid(out, p, n);
    default:
        break;
    }
    if (len >= 0) {
        return rh_buf_append(out, num, (size_t)len);
    }
    /* Binary, nested BinXML in an attribute, unknown types and short values: hex bytes. */
    {
        rh_status st = rh_buf_reserve(out, n * 2);
        for (i = 0; st == RH_OK && i < n; i++) {
            char h[2] = {hexu[p[i] >> 4], hexu[p[i] & 15]};
            st = rh_buf_append(out, h, 2);
        }
        return st;
    }
}

size_t bxv_array_items(const struct bx_val *v,
                       bool (*fn)(uint8_t type, const uint8_t *p, size_t n, void *user), void *user)
{
    uint8_t t = v->type & (uint8_t)~BX_T_ARRAY;
    const uint8_t *p = v->data;
    size_t n = v->size, pos = 0, items = 0, fs = 0;
    switch (t) {
    case BX_T_STRING:
        /* NUL-terminated UTF-16 strings back to back. */
        while (pos + 1 < n) {
            size_t s = pos;
            while (pos + 1 < n && (p[pos] | p[pos + 1])) {
                pos += 2;
            }
            items++;
            if (!fn(t, p + s, pos - s, user)) {
                return items;
            }
            pos += 2;
        }
        return items;
    case BX_T_ANSI:
        while (pos < n) {
            size_t s = pos;
            while (pos < n && p[pos]) {
                pos++;
            }
            items++;
            if (!fn(t, p + s, pos - s, user)) {
                return items;
            }
            pos++;
        }
        return items;
    case BX_T_SID:
        while (pos < n) {
            size_t sz = sid_size(p + pos, n - pos);
            if (!sz) {
                break;
            }
            items++;
            if (!fn(t, p + pos, sz, user)) {
                return items;
            }
            pos += sz;
        }
        return items;
    case BX_T_INT8:
    case BX_T_UINT8:
        fs = 1;
        break;
    case BX_T_INT16:
    case BX_T_UINT16:
        fs = 2;
        break;
    case BX_T_INT32:
    case BX_T_UINT32:
    case BX_T_REAL32:
    case BX_T_BOOL:
    case BX_T_HEX32:
        fs = 4;
        break;
    case BX_T_INT64:
    case BX_T_UINT64:
    case BX_T_REAL64:
    case BX_T_FILETIME:
    case BX_T_HEX64:
    case BX_T_SIZET:
        fs = 8;
        break;
    case BX_T_GUID:
    case BX_T_SYSTIME:
        fs = 16;
        break;
    default:
        /* Arrays of binary or unknown types: one item with all the bytes. */
        if (n) {
            fn(t, p, n, user);
            return 1;
        }
        return 0;
    }
    while (pos + fs <= n) {
        items++;
        if (!fn(t, p + pos, fs, user)) {
            return items;
        }
        pos += fs;
    }
    return items;
}

rh_field_type bxv_field_type(uint8_t type, const uint8_t *p, size_t n, uint64_t *num)
{
    *num = 0;
    switch (type) {
    case BX_T_NULL:
        return RH_FIELD_NULL;
    case BX_T_INT8:
        *num = n >= 1 ? (uint64_t)(int64_t)(int8_t)p[0] : 0;
        return RH_FIELD_INT;
    case BX_T_UINT8:
        *num = n >= 1 ? p[0] : 0;
        return RH_FIELD_INT;
    case BX_T_INT16:
        *num = n >= 2 ? (uint64_t)(int64_t)(int16_t)rh_le16(p) : 0;
        return RH_FIELD_INT;
    case BX_T_UINT16:
        *num = n >= 2 ? rh_le16(p) : 0;
        return RH_FIELD_INT;
    case BX_T_INT32:
        *num = n >= 4 ? (uint64_t)(int64_t)(int32_t)rh_le32(p) : 0;
        return RH_FIELD_INT;
    case BX_T_UINT32:
        *num = n >= 4 ? rh_le32(p) : 0;
        return RH_FIELD_INT;
    case BX_T_INT64:
    case BX_T_UINT64:
        *num = n >= 8 ? rh_le64(p) : 0;
        return RH_FIELD_INT;
    case BX_T_HEX32:
        *num = n >= 4 ? rh_le32(p) : 0;
        return RH_FIELD_HEX;
    case BX_T_HEX64:
    case BX_T_SIZET:
    case BX_T_EVTHANDLE:
        *num = n >= 8 ? rh_le64(p) : n >= 4 ? rh_le32(p) : 0;
        return RH_FIELD_HEX;
    case BX_T_BOOL:
        *num = n >= 4 && rh_le32(p) ? 1 : 0;
        return RH_FIELD_BOOL;
    case BX_T_REAL32:
    case BX_T_REAL64:
        return RH_FIELD_FLOAT;
    case BX_T_FILETIME:
        *num = n >= 8 ? rh_le64(p) : 0;
        return RH_FIELD_TIME;
    case BX_T_SYSTIME:
        *num = n >= 16 ? systime_to_filetime(p) : 0;
        return RH_FIELD_TIME;
    case BX_T_GUID:
        return RH_FIELD_GUID;
    case BX_T_SID:
        return RH_FIELD_SID;
    case BX_T_BINARY:
    case BX_T_BINXML:
        return RH_FIELD_BINARY;
    default:
        return RH_FIELD_STRING;
    }
}
