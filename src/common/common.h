/*
 * Internal helpers shared by every component: checked cursor, size arithmetic, diagnostics.
 */
#ifndef RH_COMMON_COMMON_H
#define RH_COMMON_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "reghunt/ctx.h"
#include "reghunt/os.h"
#include "reghunt/status.h"
#include "reghunt/text.h"

#include "arena.h"
#include "ac.h"
#include "strmap.h"

/* ---- size arithmetic ---------------------------------------------------------------- */

static inline bool rh_add_sz(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

static inline bool rh_mul_sz(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

/* True when [off, off+len) lies inside a buffer of `size` bytes (no overflow possible). */
static inline bool rh_fits(size_t size, size_t off, size_t len)
{
    return len <= size && off <= size - len;
}

/* ---- little-endian reads from a buffer already known to be large enough ---------------- */

static inline uint16_t rh_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t rh_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t rh_le64(const uint8_t *p)
{
    return (uint64_t)rh_le32(p) | ((uint64_t)rh_le32(p + 4) << 32);
}

/* ---- bounds-checked cursor ----------------------------------------------------------- */

/* A read position inside [base, base+size). Reads past the end fail and leave `ok` false. */
struct rh_cur {
    const uint8_t *base;
    size_t size;
    size_t pos;
    bool ok;
};

static inline struct rh_cur rh_cur_make(const void *base, size_t size)
{
    struct rh_cur c = {(const uint8_t *)base, size, 0, true};
    return c;
}

static inline bool rh_cur_need(struct rh_cur *c, size_t n)
{
    if (!c->ok || !rh_fits(c->size, c->pos, n)) {
        c->ok = false;
        return false;
    }
    return true;
}

static inline bool rh_cur_seek(struct rh_cur *c, size_t pos)
{
    if (pos > c->size) {
        c->ok = false;
        return false;
    }
    c->pos = pos;
    return c->ok;
}

static inline bool rh_cur_skip(struct rh_cur *c, size_t n)
{
    if (!rh_cur_need(c, n)) {
        return false;
    }
    c->pos += n;
    return true;
}

static inline bool rh_cur_u8(struct rh_cur *c, uint8_t *v)
{
    if (!rh_cur_need(c, 1)) {
        return false;
    }
    *v = c->base[c->pos++];
    return true;
}

static inline bool rh_cur_u16le(struct rh_cur *c, uint16_t *v)
{
    if (!rh_cur_need(c, 2)) {
        return false;
    }
    *v = rh_le16(c->base + c->pos);
    c->pos += 2;
    return true;
}

static inline bool rh_cur_u32le(struct rh_cur *c, uint32_t *v)
{
    if (!rh_cur_need(c, 4)) {
        return false;
    }
    *v = rh_le32(c->base + c->pos);
    c->pos += 4;
    return true;
}

static inline bool rh_cur_u64le(struct rh_cur *c, uint64_t *v)
{
    if (!rh_cur_need(c, 8)) {
        return false;
    }
    *v = rh_le64(c->base + c->pos);
    c->pos += 8;
    return true;
}

/* Borrow n bytes at the cursor and advance. */
static inline bool rh_cur_bytes(struct rh_cur *c, size_t n, const uint8_t **p)
{
    if (!rh_cur_need(c, n)) {
        return false;
    }
    *p = c->base + c->pos;
    c->pos += n;
    return true;
}

static inline size_t rh_cur_left(const struct rh_cur *c)
{
    return c->ok ? c->size - c->pos : 0;
}

/* ---- diagnostics --------------------------------------------------------------------- */

/*
 * Report a diagnostic through the context. Anomalies are counted; in strict mode the return
 * value is RH_ERR_STRICT for anomalies (callers propagate it), otherwise RH_OK.
 */
rh_status rh_diagf(rh_ctx *ctx, rh_diag_level level, const char *component, const char *source,
                   int64_t offset, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(RH_PRINTF_ARCHETYPE, 6, 7)))
#endif
    ;

/* Same with a text position (line:col) instead of an offset. */
rh_status rh_diag_at(rh_ctx *ctx, rh_diag_level level, const char *component, const char *source,
                     int line, int col, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(RH_PRINTF_ARCHETYPE, 7, 8)))
#endif
    ;

bool rh_ctx_is_strict(const rh_ctx *ctx);

/* ---- files ---------------------------------------------------------------------------- */

/*
 * Open a regular file read-only (rh_fd_open) and get its size. On failure one error diagnostic
 * names the file ("cannot open: <reason>" or "not a regular file"), *fd is -1 and RH_ERR_IO is
 * returned. `component` names the diagnostic's source ("io" when NULL).
 */
rh_status rh_file_open(rh_ctx *ctx, const char *component, const char *path, int *fd,
                       uint64_t *size);

/*
 * Read a whole file into memory (read-only open, no mmap, no locks). `max` caps the size.
 * Owned: *out freed with rh_free(ctx, ...). Reports RH_ERR_IO / RH_ERR_LIMIT with a diag.
 */
rh_status rh_read_file(rh_ctx *ctx, const char *path, uint64_t max, uint8_t **out, size_t *len);

/*
 * The platform layer's file descriptors (src/common/os.c): read-only opens that let other
 * programs keep reading, writing and deleting the file (Windows share modes), UTF-8 paths.
 * rh_fd_open returns -1 with errno set on failure. rh_fd_size fails (-1) for anything but a
 * regular file (errno EISDIR for a directory). rh_fd_read and rh_fd_pread retry interrupted
 * calls and return the bytes read (0 at the end) or -1 with errno set.
 */
int rh_fd_open(const char *path);
int rh_fd_size(int fd, uint64_t *size);
int64_t rh_fd_read(int fd, void *buf, size_t n);
int64_t rh_fd_pread(int fd, void *buf, size_t n, uint64_t off);
void rh_fd_close(int fd);
/* A second descriptor of the same open file (close-on-exec), or -1 with errno. */
int rh_fd_dup(int fd);
/* The absolute, canonical path of an existing file or folder (malloc'd; free()), or NULL. */
char *rh_os_realpath(const char *path);

/*
 * The live registry (Windows; elsewhere every call returns RH_ERR_UNSUPPORTED), read through
 * ntdll's counted-name calls (NtOpenKey, NtEnumerateKey, NtEnumerateValueKey, NtQueryKey)
 * with KEY_READ, so names holding NULs are opened and listed as stored. Names are UTF-16 code
 * units in an rh_buf (2 bytes each, native order). rh_os_key_open: parent NULL opens an NT
 * path ("\\Registry\\Machine\\SOFTWARE"); returns RH_OK, RH_NOT_FOUND, RH_ERR_IO (access
 * denied and other failures) or RH_ERR_UNSUPPORTED. The enumerators return RH_END past the
 * last entry. Owned: close with rh_os_key_close (accepts NULL). rh_os_key_is_link: 1 when the
 * subkey `name` of parent is a registry link (a REG_LINK SymbolicLinkValue).
 */
typedef struct rh_os_key rh_os_key;
rh_status rh_os_key_open(rh_ctx *ctx, rh_os_key *parent, const uint16_t *name, size_t len,
                         rh_os_key **out);
rh_status rh_os_key_last_write(rh_os_key *k, uint64_t *filetime);
rh_status rh_os_key_enum(rh_os_key *k, uint32_t i, rh_buf *name, uint64_t *last_write);
rh_status rh_os_value_enum(rh_os_key *k, uint32_t i, rh_buf *name, uint32_t *type, rh_buf *data);
void rh_os_key_close(rh_os_key *k);
int rh_os_key_is_link(rh_ctx *ctx, rh_os_key *parent, const uint16_t *name, size_t len);

/* A textual IPv4 (4 bytes) or IPv6 (16 bytes) address into out (inet_pton): 4, 6 or 0. */
int rh_ip_parse(const char *s, uint8_t out[16]);

/* ---- arrays ------------------------------------------------------------------------ */

/*
 * Make room for `need` elements of `elem_size` bytes in *items (capacity *cap, in elements),
 * growing geometrically. Returns RH_OK, RH_ERR_NOMEM or RH_ERR_LIMIT (size overflow); on
 * failure *items and *cap are unchanged.
 */
rh_status rh_array_reserve(rh_ctx *ctx, void **items, size_t *cap, size_t need, size_t elem_size);

/*
 * Sort like qsort, but stable (equal elements keep their order) on every platform: output
 * order never depends on the C library. Uses a scratch copy of the array.
 */
void rh_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* Append one element: RH_ARRAY_PUSH(ctx, arr, n, cap, value) with size_t n, cap. */
#define RH_ARRAY_PUSH(ctx, arr, n, cap, value, st)                                                 \
    do {                                                                                           \
        void *rh_p_ = (arr);                                                                       \
        (st) = rh_array_reserve((ctx), &rh_p_, &(cap), (n) + 1, sizeof(*(arr)));                   \
        (arr) = rh_p_;                                                                             \
        if ((st) == RH_OK) {                                                                       \
            (arr)[(n)++] = (value);                                                                \
        }                                                                                          \
    } while (0)

/* ---- calendar (proleptic Gregorian, H. Hinnant's algorithms) --------------------------- */

/* Days since 1970-01-01 of a civil date (m 1-12, d 1-31; not validated). */
int64_t rh_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Civil date of a day count since 1970-01-01. */
void rh_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* Days between 1601-01-01 (FILETIME epoch) and 1970-01-01. */
#define RH_FILETIME_EPOCH_DAYS 134774

/* ---- directories ------------------------------------------------------------------- */

/* rh_dir_list / rh_dir_list_free: include/reghunt/os.h. */

/* ---- codecs (base64.c, sha256.c) ------------------------------------------------------ */

/* Append base64 of p[0..n) (standard alphabet, '=' padded). Returns rh_buf_status(out). */
rh_status rh_base64_encode(rh_buf *out, const uint8_t *p, size_t n);

/* Leniency of rh_base64_decode_bytes(); 0 accepts only the standard alphabet. */
#define RH_B64_URLSAFE     0x1u /* also '-' (62) and '_' (63), mixed freely with '+' and '/' */
#define RH_B64_SKIP_BLANKS 0x2u /* ignore space, tab, CR and LF anywhere */
#define RH_B64_SKIP_QUOTES 0x4u /* ignore '"' and '\'' anywhere */

/* The 6-bit value of base64 digit c, -1 when c is not in the alphabet (only RH_B64_URLSAFE of
 * `flags` matters here). */
int rh_base64_value(char c, unsigned flags);

/*
 * Decode base64 from exactly s[0..n) (a NUL byte is not a terminator) and append the bytes to
 * out. Padding is optional: the first '=' ends the data and the rest of s is not read. Length
 * is not checked: the bits of an incomplete last group are dropped ("Zg" and "Zh" give "f",
 * "Z" gives nothing). Returns RH_OK, RH_ERR_FORMAT for a character outside the alphabet (and
 * not skipped by `flags`) before the first '=' (then nothing is appended: out is truncated back
 * to its length on entry), or the buffer's RH_ERR_NOMEM / RH_ERR_LIMIT (sticky in out).
 */
rh_status rh_base64_decode_bytes(rh_buf *out, const char *s, size_t n, unsigned flags);

/* SHA-256 (FIPS 180-4) of p[0..n) into out. */
void rh_sha256(const void *p, size_t n, uint8_t out[32]);
/* The same over data that arrives in pieces: init, update any number of times, final. */
struct rh_sha256_ctx {
    uint32_t h[8];
    uint64_t n;      /* bytes hashed */
    uint8_t buf[64]; /* a block being filled */
    size_t buffered;
};
void rh_sha256_init(struct rh_sha256_ctx *c);
void rh_sha256_update(struct rh_sha256_ctx *c, const void *p, size_t n);
void rh_sha256_final(struct rh_sha256_ctx *c, uint8_t out[32]);

/* ---- misc ----------------------------------------------------------------------------- */

/* Owned copies through the context allocator (rh_free); rh_strdup(NULL) gives "". NULL on
 * allocation failure. */
char *rh_strdup(rh_ctx *ctx, const char *s);
char *rh_strndup(rh_ctx *ctx, const char *s, size_t n);

/* ASCII case-insensitive compare of counted strings (like strncasecmp, locale-free). */
int rh_ascii_casecmp(const char *a, size_t an, const char *b, size_t bn);

/* ASCII case-insensitive equality: counted s[0..n) against NUL-terminated `lit`; and of two
 * NUL-terminated strings, false when either is NULL. */
bool rh_ascii_eq(const char *s, size_t n, const char *lit);
bool rh_ascii_streq(const char *a, const char *b);

/* The host-equality rule (evidence index and hunt): the part of a host name that identifies
 * the host, name[*start .. *start + return): blanks around it and trailing dots dropped; a DNS
 * name by its first label (WKSTN-042.corp.local is WKSTN-042); an IP address (digits and dots,
 * or any ':') whole. Compared ASCII case-insensitively. */
size_t rh_host_key(const char *name, size_t n, size_t *start);
/* a and b name the same host by rh_host_key; false when either is NULL or empty. */
bool rh_host_eq(const char *a, const char *b);

/* 1 when s[0..n) is a braced GUID: {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}, hex digits any case. */
int rh_is_braced_guid(const char *s, size_t n);

/*
 * Decode UTF-16LE and append it escaped for `mode` in one pass (no intermediate buffer).
 * Unpaired surrogates and an odd trailing byte become U+FFFD. CSV quoting is not added.
 */
rh_status rh_utf16le_escape(rh_buf *out, const uint8_t *p, size_t n, int stop_at_nul,
                            rh_escape mode);

/* True if `needle` occurs in NUL-terminated `s` (ASCII case-insensitive); NULL s is false. */
bool rh_ascii_contains(const char *s, const char *needle);

/* True when the counted string s[0..n) starts / ends with NUL-terminated `prefix` / `suffix`,
 * ASCII case-insensitive (an empty prefix or suffix always matches). */
bool rh_ascii_prefix(const char *s, size_t n, const char *prefix);
bool rh_ascii_suffix(const char *s, size_t n, const char *suffix);

/* Append one code point as UTF-8. */
rh_status rh_buf_put_cp(rh_buf *b, uint32_t cp);

/*
 * Simple case fold of one code point for registry name comparison: ASCII, Latin-1, Greek,
 * Cyrillic and the other ranges Windows' upcase table maps by a fixed offset. Returns upper case.
 */
uint32_t rh_cp_upper(uint32_t cp);

/* Decode one UTF-8 code point at p (n bytes left). Returns its length (>= 1); bad -> U+FFFD. */
size_t rh_utf8_decode(const char *p, size_t n, uint32_t *cp);

/* Case-insensitive (rh_cp_upper) comparison of two UTF-8 strings: <0, 0, >0. */
int rh_utf8_casecmp(const char *a, size_t an, const char *b, size_t bn);

#endif
