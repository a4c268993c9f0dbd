/*
 * Interpretation internals shared with the scorer.
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

#endif
