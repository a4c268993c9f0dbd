/*
 * Rendering of registry value data for exports and reports.
 */
#include "regf_internal.h"

rh_status rh_reg_type_append(uint32_t type, rh_buf *out)
{
    const char *n = rh_reg_type_name(type);
    return n ? rh_buf_puts(out, n) : rh_buf_printf(out, "0x%08X", type);
}

static rh_status put_hex(rh_buf *out, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    size_t i;
    rh_status st = rh_buf_reserve(out, n * 2);
    if (st != RH_OK) {
        return st;
    }
    for (i = 0; i < n; i++) {
        out->data[out->len++] = hx[p[i] >> 4];
        out->data[out->len++] = hx[p[i] & 15];
    }
    out->data[out->len] = '\0';
    return RH_OK;
}

struct multi_ctx {
    rh_buf *out;
    int n;
};

static rh_status multi_item(const char *s, size_t n, void *user)
{
    struct multi_ctx *m = user;
    rh_status st = RH_OK;
    if (m->n++ > 0) {
        st = rh_buf_puts(m->out, " | ");
    }
    return st == RH_OK ? rh_buf_append(m->out, s, n) : st;
}

static bool fixed_int(uint32_t type, size_t len, uint64_t *v, const uint8_t *p)
{
    if ((type == 4 && len == 4)) {
        *v = rh_le32(p);
        return true;
    }
    if (type == 5 && len == 4) {
        *v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
        return true;
    }
    if (type == 11 && len == 8) {
        *v = rh_le64(p);
        return true;
    }
    return false;
}

rh_status rh_reg_data_json(uint32_t type, const uint8_t *data, size_t len, rh_buf *out)
{
    uint64_t v;
    rh_status st;
    if (rh_reg_type_is_string(type)) {
        st = rh_buf_putc(out, '"');
        if (st == RH_OK) {
            st = rh_utf16le_escape(out, data, len, 1, RH_ESC_JSON);
        }
        return st == RH_OK ? rh_buf_putc(out, '"') : st;
    }
    if (type == 7) {
        /* Same splitting rules as rh_reg_multi_sz, escaped straight into the output. */
        size_t i = 0;
        int first = 1;
        st = rh_buf_putc(out, '[');
        while (st == RH_OK && i + 1 < len) {
            size_t j = i;
            while (j + 1 < len && (data[j] | data[j + 1])) {
                j += 2;
            }
            if (j == i) {
                break;
            }
            st = rh_buf_puts(out, first ? "\"" : ",\"");
            if (st == RH_OK) {
                st = rh_utf16le_escape(out, data + i, j - i, 0, RH_ESC_JSON);
            }
            if (st == RH_OK) {
                st = rh_buf_putc(out, '"');
            }
            first = 0;
            i = j + 2;
        }
        if (st == RH_OK && i < len && len - i == 1) {
            st = rh_buf_puts(out, first ? "\"" : ",\"");
            if (st == RH_OK) {
                st = rh_utf16le_escape(out, data + i, 1, 0, RH_ESC_JSON);
            }
            if (st == RH_OK) {
                st = rh_buf_putc(out, '"');
            }
        }
        return st == RH_OK ? rh_buf_putc(out, ']') : st;
    }
    if (fixed_int(type, len, &v, data)) {
        return rh_buf_printf(out, "%llu", (unsigned long long)v);
    }
    st = rh_buf_putc(out, '"');
    if (st == RH_OK) {
        st = put_hex(out, data, len);
    }
    return st == RH_OK ? rh_buf_putc(out, '"') : st;
}

rh_status rh_reg_data_text(uint32_t type, const uint8_t *data, size_t len, size_t max_hex,
                           rh_buf *out)
{
    uint64_t v;
    if (rh_reg_type_is_string(type)) {
        return rh_reg_string(data, len, out);
    }
    if (type == 7) {
        rh_buf tmp = RH_BUF_INIT(out->ctx);
        struct multi_ctx m = {out, 0};
        rh_status st = rh_reg_multi_sz(data, len, &tmp, multi_item, &m);
        rh_buf_free(&tmp);
        return st;
    }
    if (fixed_int(type, len, &v, data)) {
        if (type == 11) {
            return rh_buf_printf(out, "0x%016llx (%llu)", (unsigned long long)v,
                                 (unsigned long long)v);
        }
        return rh_buf_printf(out, "0x%08llx (%llu)", (unsigned long long)v, (unsigned long long)v);
    }
    if (max_hex && len > max_hex) {
        rh_status st = put_hex(out, data, max_hex);
        return st == RH_OK ? rh_buf_printf(out, "... (%zu bytes)", len) : st;
    }
    return put_hex(out, data, len);
}
