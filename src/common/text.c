/*
 * Buffers, text decoding (UTF-16LE, Latin-1, UTF-8 repair), FILETIME, escaping.
 * All output is valid UTF-8; bad input becomes U+FFFD.
 */
#include <stdarg.h>
#include <stdio.h>

#include "common.h"

#define RH_BUF_DEFAULT_LIMIT ((size_t)1 << 30)

void rh_buf_init(rh_buf *b, rh_ctx *ctx)
{
    b->ctx = ctx;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->cap_limit = 0;
    b->err = RH_OK;
}

void rh_buf_free(rh_buf *b)
{
    if (!b) {
        return;
    }
    rh_free(b->ctx, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = RH_OK;
}

void rh_buf_reset(rh_buf *b)
{
    b->len = 0;
    b->err = RH_OK;
    if (b->data) {
        b->data[0] = '\0';
    }
}

rh_status rh_buf_status(const rh_buf *b)
{
    return b->err;
}

void rh_buf_truncate(rh_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

rh_status rh_buf_fail(rh_buf *b, rh_status st)
{
    if (st != RH_OK && b->err == RH_OK) {
        b->err = st;
    }
    return b->err;
}

rh_status rh_buf_reserve(rh_buf *b, size_t extra)
{
    size_t need, ncap, limit = b->cap_limit ? b->cap_limit : RH_BUF_DEFAULT_LIMIT;
    char *p;
    if (b->err != RH_OK) {
        return b->err;
    }
    if (!rh_add_sz(b->len, extra, &need) || !rh_add_sz(need, 1, &need)) {
        return rh_buf_fail(b, RH_ERR_LIMIT);
    }
    if (need <= b->cap) {
        return RH_OK;
    }
    if (need > limit) {
        return rh_buf_fail(b, RH_ERR_LIMIT);
    }
    ncap = b->cap ? b->cap : 64;
    while (ncap < need) {
        ncap = ncap > limit / 2 ? limit : ncap * 2;
    }
    p = rh_realloc(b->ctx, b->data, ncap);
    if (!p) {
        return rh_buf_fail(b, RH_ERR_NOMEM);
    }
    b->data = p;
    b->cap = ncap;
    b->data[b->len] = '\0';
    return RH_OK;
}

rh_status rh_buf_append(rh_buf *b, const void *p, size_t n)
{
    rh_status st;
    if (n < b->cap - b->len && b->err == RH_OK) { /* fast path: room for n and the NUL */
        if (n) {
            memcpy(b->data + b->len, p, n); /* p may be NULL when n == 0 */
        }
        b->len += n;
        b->data[b->len] = '\0';
        return RH_OK;
    }
    st = rh_buf_reserve(b, n);
    if (st != RH_OK) {
        return st;
    }
    if (n) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return RH_OK;
}

rh_status rh_buf_putc(rh_buf *b, char c)
{
    if (b->len + 1 < b->cap && b->err == RH_OK) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return RH_OK;
    }
    return rh_buf_append(b, &c, 1);
}

rh_status rh_buf_puts(rh_buf *b, const char *s)
{
    return rh_buf_append(b, s, strlen(s));
}

rh_status rh_buf_printf(rh_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    rh_status st;
    char small[256];
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return rh_buf_fail(b, RH_ERR_ARG);
    }
    if ((size_t)n < sizeof(small)) {
        return rh_buf_append(b, small, (size_t)n);
    }
    st = rh_buf_reserve(b, (size_t)n);
    if (st != RH_OK) {
        return st;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return RH_OK;
}

rh_status rh_buf_put_cp(rh_buf *b, uint32_t cp)
{
    char t[4];
    size_t n;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        cp = 0xFFFD;
    }
    if (cp < 0x80) {
        return rh_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12));
        t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18));
        t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return rh_buf_append(b, t, n);
}

rh_status rh_utf16le_to_utf8(rh_buf *out, const uint8_t *p, size_t n, int stop_at_nul)
{
    size_t i = 0;
    rh_status st = rh_buf_reserve(out, n + n / 2 + 4);
    if (st != RH_OK) {
        return st;
    }
    while (i + 1 < n) {
        uint32_t u = rh_le16(p + i), cp;
        i += 2;
        if (u == 0 && stop_at_nul) {
            return RH_OK;
        }
        if (u < 0x80) {
            /* fast path: room was reserved above (n/2 code units, 1.5 bytes each on average) */
            st = rh_buf_putc(out, (char)u);
            if (st != RH_OK) {
                return st;
            }
            continue;
        }
        cp = u;
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 1 < n) {
                uint32_t lo = rh_le16(p + i);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                    i += 2;
                } else {
                    cp = 0xFFFD;
                }
            } else {
                cp = 0xFFFD;
            }
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            cp = 0xFFFD;
        }
        st = rh_buf_put_cp(out, cp);
        if (st != RH_OK) {
            return st;
        }
    }
    if (i < n) { /* odd trailing byte */
        return rh_buf_put_cp(out, 0xFFFD);
    }
    return RH_OK;
}

rh_status rh_latin1_to_utf8(rh_buf *out, const uint8_t *p, size_t n)
{
    size_t i;
    rh_status st = rh_buf_reserve(out, n * 2);
    if (st != RH_OK) {
        return st;
    }
    for (i = 0; i < n && p[i] < 0x80; i++) {
    }
    memcpy(out->data + out->len, p, i); /* ASCII prefix: the common case */
    out->len += i;
    for (; i < n; i++) {
        if (p[i] < 0x80) {
            out->data[out->len++] = (char)p[i];
        } else {
            out->data[out->len++] = (char)(0xC0 | (p[i] >> 6));
            out->data[out->len++] = (char)(0x80 | (p[i] & 0x3F));
        }
    }
    out->data[out->len] = '\0';
    return RH_OK;
}

size_t rh_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t c;
    size_t len, i;
    if (n == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        c &= 0x07;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if (n < len) {
        *cp = 0xFFFD;
        return 1;
    }
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = (c << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
        (len == 4 && (c < 0x10000 || c > 0x10FFFF))) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return len;
}

rh_status rh_utf8_sanitize(rh_buf *out, const char *p, size_t n)
{
    size_t i = 0;
    rh_status st = RH_OK;
    while (i < n && st == RH_OK) {
        uint32_t cp;
        size_t l = rh_utf8_decode(p + i, n - i, &cp);
        if (cp == 0xFFFD && l == 1 && (unsigned char)p[i] >= 0x80) {
            st = rh_buf_put_cp(out, 0xFFFD);
        } else {
            st = rh_buf_append(out, p + i, l);
        }
        i += l;
    }
    return st;
}

uint32_t rh_cp_upper(uint32_t c)
{
    if (c < 0x80) {
        return (c >= 'a' && c <= 'z') ? c - 0x20 : c;
    }
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7) {
        return c - 0x20;
    }
    if (c == 0xFF) {
        return 0x178;
    }
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
        c != 0x17F) {
        /* Latin Extended-A alternates upper/lower, with a shift at 0x139..0x148 and 0x179.. */
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) {
            return (c & 1) ? c : c - 1;
        }
        return (c & 1) ? c - 1 : c;
    }
    if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2) {
        return c - 0x20;
    }
    if (c >= 0x430 && c <= 0x44F) {
        return c - 0x20;
    }
    if (c >= 0x450 && c <= 0x45F) {
        return c - 0x50;
    }
    if (c >= 0x460 && c <= 0x4FF && (c & 1)) {
        return c - 1;
    }
    if (c >= 0xFF41 && c <= 0xFF5A) {
        return c - 0x20;
    }
    return c;
}

int rh_utf8_casecmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0, j = 0;
    while (i < an && j < bn) {
        uint32_t ca, cb;
        if ((unsigned char)a[i] < 0x80 && (unsigned char)b[j] < 0x80) {
            ca = (unsigned char)a[i++];
            cb = (unsigned char)b[j++];
            if (ca >= 'a' && ca <= 'z') {
                ca -= 0x20;
            }
            if (cb >= 'a' && cb <= 'z') {
                cb -= 0x20;
            }
        } else {
            i += rh_utf8_decode(a + i, an - i, &ca);
            j += rh_utf8_decode(b + j, bn - j, &cb);
            ca = rh_cp_upper(ca);
            cb = rh_cp_upper(cb);
        }
        if (ca != cb) {
            return ca < cb ? -1 : 1;
        }
    }
    if (i < an) {
        return 1;
    }
    if (j < bn) {
        return -1;
    }
    return 0;
}

int rh_is_braced_guid(const char *s, size_t n)
{
    size_t i;
    if (!s || n != 38 || s[0] != '{' || s[37] != '}') {
        return 0;
    }
    for (i = 1; i < 37; i++) {
        char c = s[i];
        int dash = i == 9 || i == 14 || i == 19 || i == 24;
        if (dash ? c != '-'
                 : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

int rh_ascii_casecmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i, n = an < bn ? an : bn;
    for (i = 0; i < n; i++) {
        int ca = (unsigned char)a[i], cb = (unsigned char)b[i];
        if (ca >= 'A' && ca <= 'Z') {
            ca += 0x20;
        }
        if (cb >= 'A' && cb <= 'Z') {
            cb += 0x20;
        }
        if (ca != cb) {
            return ca - cb;
        }
    }
    return an < bn ? -1 : (an > bn ? 1 : 0);
}

bool rh_ascii_eq(const char *s, size_t n, const char *lit)
{
    return rh_ascii_casecmp(s, n, lit, strlen(lit)) == 0;
}

bool rh_ascii_streq(const char *a, const char *b)
{
    return a && b && rh_ascii_casecmp(a, strlen(a), b, strlen(b)) == 0;
}

size_t rh_host_key(const char *name, size_t n, size_t *start)
{
    size_t s = 0, i, end;
    int numeric = 1;
    while (s < n && (name[s] == ' ' || name[s] == '\t')) {
        s++;
    }
    while (n > s && (name[n - 1] == ' ' || name[n - 1] == '\t' || name[n - 1] == '.')) {
        n--;
    }
    for (i = s; i < n; i++) {
        if (name[i] == ':') {
            numeric = 1;
            break;
        }
        if (!((name[i] >= '0' && name[i] <= '9') || name[i] == '.')) {
            numeric = 0;
        }
    }
    end = n;
    if (!numeric) {
        const char *dot = memchr(name + s, '.', n - s);
        end = dot ? (size_t)(dot - name) : n;
    }
    *start = s;
    return end - s;
}

bool rh_host_eq(const char *a, const char *b)
{
    size_t as, bs, an, bn;
    if (!a || !b) {
        return false;
    }
    an = rh_host_key(a, strlen(a), &as);
    bn = rh_host_key(b, strlen(b), &bs);
    return an && bn && rh_ascii_casecmp(a + as, an, b + bs, bn) == 0;
}

int64_t rh_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void rh_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

bool rh_ascii_contains(const char *s, const char *needle)
{
    size_t n, k = strlen(needle), i;
    if (!s) {
        return false;
    }
    n = strlen(s);
    for (i = 0; i + k <= n; i++) {
        if (rh_ascii_casecmp(s + i, k, needle, k) == 0) {
            return true;
        }
    }
    return false;
}

bool rh_ascii_prefix(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && rh_ascii_casecmp(s, k, prefix, k) == 0;
}

bool rh_ascii_suffix(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && rh_ascii_casecmp(s + n - k, k, suffix, k) == 0;
}

rh_status rh_filetime_to_iso(rh_buf *out, uint64_t ft)
{
    uint64_t secs = ft / 10000000u, frac = ft % 10000000u;
    uint64_t sod = secs % 86400u;
    int64_t y;
    unsigned d, m;
    rh_civil_from_days((int64_t)(secs / 86400u) - RH_FILETIME_EPOCH_DAYS, &y, &m, &d);
    if (y < 0 || y > 9999) {
        return rh_buf_printf(out, "%04lld-%02u-%02uT%02u:%02u:%02u.%07uZ", (long long)y, m, d,
                             (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60),
                             (unsigned)(sod % 60), (unsigned)frac);
    }
    {
        /* Hot in exports: format by hand ("YYYY-MM-DDTHH:MM:SS.fffffffZ", 28 bytes). */
        char t[28];
        unsigned v[7] = {(unsigned)y,
                         m,
                         d,
                         (unsigned)(sod / 3600),
                         (unsigned)(sod / 60 % 60),
                         (unsigned)(sod % 60),
                         (unsigned)frac};
        static const unsigned width[7] = {4, 2, 2, 2, 2, 2, 7};
        static const char sep[7] = {'-', '-', 'T', ':', ':', '.', 'Z'};
        size_t pos = 0, f, k;
        for (f = 0; f < 7; f++) {
            for (k = width[f]; k-- > 0;) {
                t[pos + k] = (char)('0' + v[f] % 10);
                v[f] /= 10;
            }
            pos += width[f];
            t[pos++] = sep[f];
        }
        return rh_buf_append(out, t, sizeof(t));
    }
}

const char *rh_reg_type_name(uint32_t type)
{
    static const char *const names[] = {
        "REG_NONE",
        "REG_SZ",
        "REG_EXPAND_SZ",
        "REG_BINARY",
        "REG_DWORD",
        "REG_DWORD_BIG_ENDIAN",
        "REG_LINK",
        "REG_MULTI_SZ",
        "REG_RESOURCE_LIST",
        "REG_FULL_RESOURCE_DESCRIPTOR",
        "REG_RESOURCE_REQUIREMENTS_LIST",
        "REG_QWORD",
    };
    return type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
}

/* Code points shown as visible escapes in human-facing formats: C0/C1 controls, DEL,
 * bidirectional overrides/isolates and other invisible format characters. */
static bool cp_is_hidden(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x200B || cp == 0x200E ||
           cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0xFEFF || cp == 0x2028 || cp == 0x2029;
}

/* Length of the leading run of printable ASCII bytes that pass through `mode` unchanged. */
static size_t plain_run(const char *s, size_t n, rh_escape mode)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    switch (mode) {
    case RH_ESC_JSON:
    case RH_ESC_REG:
        while (i < n && p[i] >= 0x20 && p[i] < 0x7F && p[i] != '"' && p[i] != '\\') {
            i++;
        }
        break;
    case RH_ESC_TERMINAL:
        while (i < n && p[i] >= 0x20 && p[i] < 0x7F) {
            i++;
        }
        break;
    case RH_ESC_CSV:
        while (i < n && p[i] >= 0x20 && p[i] < 0x7F && p[i] != '"') {
            i++;
        }
        break;
    case RH_ESC_HTML:
        while (i < n && p[i] >= 0x20 && p[i] < 0x7F && p[i] != '&' && p[i] != '<' && p[i] != '>' &&
               p[i] != '"' && p[i] != '\'') {
            i++;
        }
        break;
    }
    return i;
}

static rh_status put_visible_escape(rh_buf *out, uint32_t cp)
{
    if (cp < 0x100) {
        return rh_buf_printf(out, "\\x%02x", (unsigned)cp);
    }
    return rh_buf_printf(out, "\\u{%04x}", (unsigned)cp);
}

/* Append one code point escaped for `mode` (the one place that knows each format's rules). */
static rh_status escape_cp(rh_buf *out, uint32_t cp, rh_escape mode)
{
    switch (mode) {
    case RH_ESC_JSON:
        if (cp == '"' || cp == '\\') {
            char e[2] = {'\\', (char)cp};
            return rh_buf_append(out, e, 2);
        }
        if (cp == '\n') {
            return rh_buf_append(out, "\\n", 2);
        }
        if (cp == '\t') {
            return rh_buf_append(out, "\\t", 2);
        }
        if (cp == '\r') {
            return rh_buf_append(out, "\\r", 2);
        }
        if (cp < 0x20 || cp == 0x7F || cp == 0x2028 || cp == 0x2029) {
            return rh_buf_printf(out, "\\u%04x", (unsigned)cp);
        }
        return rh_buf_put_cp(out, cp);
    case RH_ESC_TERMINAL:
    case RH_ESC_CSV:
        if (cp_is_hidden(cp)) {
            return put_visible_escape(out, cp);
        }
        if (mode == RH_ESC_CSV && cp == '"') {
            return rh_buf_append(out, "\"\"", 2);
        }
        return rh_buf_put_cp(out, cp);
    case RH_ESC_HTML:
        switch (cp) {
        case '&':
            return rh_buf_append(out, "&amp;", 5);
        case '<':
            return rh_buf_append(out, "&lt;", 4);
        case '>':
            return rh_buf_append(out, "&gt;", 4);
        case '"':
            return rh_buf_append(out, "&quot;", 6);
        case '\'':
            return rh_buf_append(out, "&#39;", 5);
        default:
            break;
        }
        if (cp_is_hidden(cp)) {
            return put_visible_escape(out, cp);
        }
        return rh_buf_put_cp(out, cp);
    case RH_ESC_REG:
        if (cp == '"' || cp == '\\') {
            char e[2] = {'\\', (char)cp};
            return rh_buf_append(out, e, 2);
        }
        return rh_buf_put_cp(out, cp);
    }
    return RH_ERR_ARG;
}

rh_status rh_escape_append(rh_buf *out, const char *p, size_t n, rh_escape mode)
{
    size_t i = 0;
    rh_status st = RH_OK;
    if (mode == RH_ESC_CSV) {
        st = rh_buf_putc(out, '"');
        if (st == RH_OK && n > 0 &&
            (p[0] == '=' || p[0] == '+' || p[0] == '-' || p[0] == '@' || p[0] == '\t' ||
             p[0] == '\r' || p[0] == '|' || p[0] == '%')) {
            st = rh_buf_putc(out, '\'');
        }
    }
    while (i < n && st == RH_OK) {
        uint32_t cp;
        size_t run = plain_run(p + i, n - i, mode);
        if (run > 0) {
            st = rh_buf_append(out, p + i, run);
            i += run;
            continue;
        }
        i += rh_utf8_decode(p + i, n - i, &cp);
        st = escape_cp(out, cp, mode);
    }
    if (mode == RH_ESC_CSV && st == RH_OK) {
        st = rh_buf_putc(out, '"');
    }
    return st;
}

rh_status rh_utf16le_escape(rh_buf *out, const uint8_t *p, size_t n, int stop_at_nul,
                            rh_escape mode)
{
    size_t i = 0;
    rh_status st = RH_OK;
    while (i + 1 < n && st == RH_OK) {
        uint32_t u = rh_le16(p + i), cp;
        char ascii[128];
        size_t k = 0;
        /* Batch printable ASCII code units that need no escaping. */
        while (u >= 0x20 && u < 0x7F && k < sizeof(ascii)) {
            char c = (char)u;
            if (plain_run(&c, 1, mode) != 1) {
                break;
            }
            ascii[k++] = c;
            i += 2;
            if (i + 1 >= n) {
                break;
            }
            u = rh_le16(p + i);
        }
        if (k > 0) {
            st = rh_buf_append(out, ascii, k);
            continue;
        }
        i += 2;
        if (u == 0 && stop_at_nul) {
            return RH_OK;
        }
        cp = u;
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n && rh_le16(p + i) >= 0xDC00 &&
            rh_le16(p + i) <= 0xDFFF) {
            cp = 0x10000 + ((u - 0xD800) << 10) + (rh_le16(p + i) - 0xDC00u);
            i += 2;
        } else if (u >= 0xD800 && u <= 0xDFFF) {
            cp = 0xFFFD;
        }
        st = escape_cp(out, cp, mode);
    }
    if (st == RH_OK && i < n) {
        st = escape_cp(out, 0xFFFD, mode); /* odd trailing byte */
    }
    return st;
}
