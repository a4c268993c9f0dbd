/*
 * Base64 (RFC 4648 §4, with the §5 URL-safe letters on request): the one encoder and the one
 * decoder. The encoder writes the standard alphabet with '=' padding; the decoder is
 * deliberately forgiving (it reads command lines, not MIME), see rh_base64_decode_bytes().
 */
#include "common.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

rh_status rh_base64_encode(rh_buf *out, const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n && rh_buf_status(out) == RH_OK; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {b64_alphabet[v >> 18 & 63], b64_alphabet[v >> 12 & 63],
                     i + 1 < n ? b64_alphabet[v >> 6 & 63] : '=',
                     i + 2 < n ? b64_alphabet[v & 63] : '='};
        rh_buf_append(out, q, 4);
    }
    return rh_buf_status(out);
}

int rh_base64_value(char c, unsigned flags)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+' || (c == '-' && (flags & RH_B64_URLSAFE))) {
        return 62;
    }
    if (c == '/' || (c == '_' && (flags & RH_B64_URLSAFE))) {
        return 63;
    }
    return -1;
}

static bool b64_skipped(char c, unsigned flags)
{
    if ((flags & RH_B64_SKIP_BLANKS) && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
        return true;
    }
    return (flags & RH_B64_SKIP_QUOTES) && (c == '"' || c == '\'');
}

rh_status rh_base64_decode_bytes(rh_buf *out, const char *s, size_t n, unsigned flags)
{
    size_t i, start = out->len;
    uint32_t acc = 0;
    int bits = 0;
    rh_status st = RH_OK;
    for (i = 0; i < n && st == RH_OK && s[i] != '='; i++) {
        int v;
        if (b64_skipped(s[i], flags)) {
            continue;
        }
        v = rh_base64_value(s[i], flags);
        if (v < 0) {
            rh_buf_truncate(out, start);
            return RH_ERR_FORMAT;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            st = rh_buf_putc(out, (char)((acc >> bits) & 0xFF));
        }
    }
    return st;
}
