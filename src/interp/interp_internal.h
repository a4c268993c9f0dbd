/*
 * Interpretation internals shared by the interp files and the scorer.
 */
#ifndef RH_INTERP_INTERNAL_H
#define RH_INTERP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "reghunt/interp.h"

/* Parse a decimal or 0x-hex number (surrounding blanks allowed). 1 on success. */
int interp_parse_number(const char *s, size_t n, uint64_t *out);

/* ASCII case-insensitive search: offset of needle in hay or (size_t)-1. */
size_t interp_ci_find(const char *hay, size_t n, const char *needle);

/* Base name (after the last \ or /) of a path, without surrounding quotes. */
void interp_basename(const char *p, size_t n, const char **base, size_t *blen);

/* Compare two paths for equality after expansion: case-insensitive, quotes and blanks trimmed,
 * '/' == '\'. env may be NULL. Returns 1 when equal. */
int interp_path_equal(rh_ctx *ctx, const rh_env *env, const char *a, size_t an, const char *b,
                      size_t bn);

/* ---- string helpers (interp.c) -------------------------------------------------------- */

/* ASCII lower case of one character. */
char interp_lc(char c);

/* True when needle occurs in hay, ignoring ASCII case. */
int interp_ci_has(const char *hay, size_t n, const char *needle);

/* ASCII case-insensitive equality against a C string (prefix and suffix tests: rh_ascii_prefix,
 * rh_ascii_suffix in common/common.h). */

/* Space, tab, CR or LF. */
int interp_is_blank(char c);

/* Drop surrounding blanks and NULs. */
void interp_trim(const char **s, size_t *n);

/* Trim, then strip quote pairs that enclose everything and one unbalanced leading quote. */
void interp_unquote(const char **s, size_t *n);

/* Length of a base name without a trailing ".exe" (for name comparisons). */
size_t interp_stem_len(const char *b, size_t n);

/* Set the features found in raw text (URLs, UNC paths, base64 runs, obfuscation, download and
 * policy tokens) on out; cmd_context: the text is a cmd.exe command line (carets count). */
void interp_scan_text(const char *s, size_t n, rh_interp *out, rh_ctx *ctx, int cmd_context);

/* ---- paths (interp_path.c) ------------------------------------------------------------ */

/* True for a URL or script: moniker (http://, https://, ftp://, file://, script:, \\http). */
int interp_is_url(const char *p, size_t n);

/* Set the features of the final target path t (out->path_class already set). */
void interp_target_features(rh_ctx *ctx, rh_interp *out, const char *t, size_t n);

/* ---- unwrapping (interp_host.c) ------------------------------------------------------- */

/* State of one rh_interp_analyze() call while it unwraps command hosts. */
struct interp_an {
    rh_ctx *ctx;
    const rh_env *env;
    rh_interp *out;
    rh_buf hosts;
    rh_buf scratch[RH_INTERP_MAX_UNWRAP + 1];
    const char *target;
    size_t target_len;
    rh_status st;
};

/* Record t (unquoted, trailing ',' and ';' dropped) as the current target. Borrowed. */
void interp_set_target(struct interp_an *a, const char *t, size_t n);

/* Unwrap command line s at unwrap depth `depth`: find its program, follow known hosts. */
void interp_analyze_cmd(struct interp_an *a, const char *s, size_t n, unsigned depth);

#endif
