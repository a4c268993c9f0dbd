/*
 * reghunt: byte buffers and text helpers (UTF-16/Latin-1 to UTF-8, FILETIME, escaping).
 *
 * Every decoder produces valid UTF-8: bad sequences become U+FFFD. Embedded NULs are kept
 * (names may contain them); buffers carry an explicit length and are also NUL-terminated.
 */
#ifndef REGHUNT_TEXT_H
#define REGHUNT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A growable byte buffer. Fields are public and read-only for callers; data is always
 * NUL-terminated after len bytes (when non-NULL). Initialise with RH_BUF_INIT(ctx).
 * Owned: free with rh_buf_free(). Growth is capped by `cap_limit` (0 = 1 GiB).
 *
 * Errors are sticky: the first failed write (RH_ERR_LIMIT, RH_ERR_NOMEM) is kept in `err`,
 * every later write is a no-op returning it, so a writer can append freely and check
 * rh_buf_status() once at the end. rh_buf_reset() and rh_buf_free() clear it.
 */
typedef struct rh_buf {
    rh_ctx *ctx;
    char *data;
    size_t len;
    size_t cap;
    size_t cap_limit;
    rh_status err;
} rh_buf;

#define RH_BUF_INIT(c)                                                                             \
    {                                                                                              \
        (c), NULL, 0, 0, 0, RH_OK                                                                  \
    }

RH_API void rh_buf_init(rh_buf *b, rh_ctx *ctx);
RH_API void rh_buf_free(rh_buf *b);
/** Drop the contents and the sticky error, keep the memory. */
RH_API void rh_buf_reset(rh_buf *b);
/** The first error of a write since init/reset (RH_OK when every write succeeded). */
RH_API rh_status rh_buf_status(const rh_buf *b);
/** Shorten to `len` bytes (no-op when len >= b->len); keeps the terminator. */
RH_API void rh_buf_truncate(rh_buf *b, size_t len);
/** Record `st` (unless RH_OK) as the error unless one is recorded; returns the error. */
RH_API rh_status rh_buf_fail(rh_buf *b, rh_status st);
/** Ensure room for `extra` more bytes plus the terminator. */
RH_API rh_status rh_buf_reserve(rh_buf *b, size_t extra);
RH_API rh_status rh_buf_append(rh_buf *b, const void *p, size_t n);
RH_API rh_status rh_buf_putc(rh_buf *b, char c);
RH_API rh_status rh_buf_puts(rh_buf *b, const char *s);
/** Append a string literal (length known at compile time). */
#define rh_buf_lit(b, lit) rh_buf_append((b), (lit), sizeof(lit) - 1)

RH_API rh_status rh_buf_printf(rh_buf *b, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(RH_PRINTF_ARCHETYPE, 2, 3)))
#endif
    ;

/**
 * Append UTF-16LE bytes as UTF-8. An odd trailing byte and unpaired surrogates become U+FFFD.
 * NUL code units are kept (stop_at_nul = 0) or end the string (stop_at_nul = 1).
 */
RH_API rh_status rh_utf16le_to_utf8(rh_buf *out, const uint8_t *p, size_t n, int stop_at_nul);
/** Append Latin-1 bytes (registry "compressed" names) as UTF-8. */
RH_API rh_status rh_latin1_to_utf8(rh_buf *out, const uint8_t *p, size_t n);
/** Append UTF-8 text, replacing invalid sequences with U+FFFD. */
RH_API rh_status rh_utf8_sanitize(rh_buf *out, const char *p, size_t n);

/**
 * Append a Windows FILETIME (100 ns ticks since 1601) as ISO 8601 UTC with 7 fractional
 * digits: "2026-11-20T08:14:03.1234567Z". 0 renders as "1601-01-01T00:00:00.0000000Z".
 */
RH_API rh_status rh_filetime_to_iso(rh_buf *out, uint64_t filetime);

/** Registry value type name ("REG_SZ", ...). Unknown types give NULL. */
RH_API const char *rh_reg_type_name(uint32_t type);

/** Escaping modes for attacker-controlled text. */
typedef enum rh_escape {
    RH_ESC_JSON = 0,     /* JSON string body (no quotes added) */
    RH_ESC_TERMINAL = 1, /* control chars, DEL, C1 and bidi overrides as \xNN / \u{NNNN} */
    RH_ESC_CSV = 2,      /* full CSV field incl. quotes; neutralises =,+,-,@,tab,CR lead */
    RH_ESC_HTML = 3,     /* & < > " ' and controls as entities */
    RH_ESC_REG = 4,      /* .reg file string body: \\ and \" */
} rh_escape;

/** Append `n` bytes of UTF-8 text escaped for `mode`. */
RH_API rh_status rh_escape_append(rh_buf *out, const char *p, size_t n, rh_escape mode);

#ifdef __cplusplus
}
#endif
#endif
