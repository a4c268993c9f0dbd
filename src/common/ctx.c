/*
 * Library context: allocator hooks, limits, diagnostics, strict mode.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "limits.h"

struct rh_ctx {
    rh_allocator alloc;
    bool has_alloc;
    rh_limits limits;
    rh_diag_fn diag_fn;
    void *diag_user;
    bool strict;
    uint64_t anomalies;
};

const char *rh_strerror(rh_status s)
{
    switch (s) {
    case RH_OK:
        return "success";
    case RH_NOT_FOUND:
        return "not found";
    case RH_END:
        return "end of iteration";
    case RH_ERR_NOMEM:
        return "out of memory";
    case RH_ERR_IO:
        return "input/output error";
    case RH_ERR_FORMAT:
        return "unrecognised file format";
    case RH_ERR_CORRUPT:
        return "input is damaged";
    case RH_ERR_LIMIT:
        return "limit exceeded";
    case RH_ERR_UNSUPPORTED:
        return "unsupported input";
    case RH_ERR_RULE:
        return "invalid rule";
    case RH_ERR_ARG:
        return "invalid argument";
    case RH_ERR_STRICT:
        return "anomaly in strict mode";
    }
    return "unknown status";
}

void rh_limits_default(rh_limits *out)
{
    out->max_file_size = RH_DEFAULT_MAX_FILE_SIZE;
    out->max_key_depth = RH_DEFAULT_MAX_KEY_DEPTH;
    out->max_keys = RH_DEFAULT_MAX_KEYS;
    out->max_subkeys = RH_DEFAULT_MAX_SUBKEYS;
    out->max_values = RH_DEFAULT_MAX_VALUES;
    out->max_value_size = RH_DEFAULT_MAX_VALUE_SIZE;
    out->max_name_len = RH_DEFAULT_MAX_NAME_LEN;
    out->max_diags = RH_DEFAULT_MAX_DIAGS;
    out->max_xml_depth = RH_DEFAULT_MAX_XML_DEPTH;
    out->max_log_entries = RH_DEFAULT_MAX_LOG_ENTRIES;
    out->max_hive_size = RH_DEFAULT_MAX_HIVE_SIZE;
    out->hive_cache_size = RH_DEFAULT_HIVE_CACHE_SIZE;
}

rh_status rh_ctx_create(const rh_allocator *alloc, rh_ctx **out)
{
    rh_ctx *c;
    *out = NULL;
    if (alloc && (!alloc->malloc_fn || !alloc->realloc_fn || !alloc->free_fn)) {
        return RH_ERR_ARG;
    }
    c = alloc ? alloc->malloc_fn(sizeof(*c), alloc->user) : malloc(sizeof(*c));
    if (!c) {
        return RH_ERR_NOMEM;
    }
    memset(c, 0, sizeof(*c));
    if (alloc) {
        c->alloc = *alloc;
        c->has_alloc = true;
    }
    rh_limits_default(&c->limits);
    *out = c;
    return RH_OK;
}

void rh_ctx_destroy(rh_ctx *ctx)
{
    if (!ctx) {
        return;
    }
    if (ctx->has_alloc) {
        ctx->alloc.free_fn(ctx, ctx->alloc.user);
    } else {
        free(ctx);
    }
}

void rh_ctx_set_diag(rh_ctx *ctx, rh_diag_fn fn, void *user)
{
    ctx->diag_fn = fn;
    ctx->diag_user = user;
}

void rh_ctx_set_limits(rh_ctx *ctx, const rh_limits *limits)
{
    ctx->limits = *limits;
}

const rh_limits *rh_ctx_limits(const rh_ctx *ctx)
{
    return &ctx->limits;
}

void rh_ctx_set_strict(rh_ctx *ctx, int strict)
{
    ctx->strict = strict != 0;
}

bool rh_ctx_is_strict(const rh_ctx *ctx)
{
    return ctx->strict;
}

uint64_t rh_ctx_anomaly_count(const rh_ctx *ctx)
{
    return ctx->anomalies;
}

void *rh_malloc(rh_ctx *ctx, size_t size)
{
    if (size == 0) {
        size = 1;
    }
    if (ctx && ctx->has_alloc) {
        return ctx->alloc.malloc_fn(size, ctx->alloc.user);
    }
    return malloc(size);
}

void *rh_calloc(rh_ctx *ctx, size_t n, size_t size)
{
    size_t total;
    void *p;
    if (!rh_mul_sz(n, size, &total)) {
        return NULL;
    }
    p = rh_malloc(ctx, total);
    if (p) {
        memset(p, 0, total ? total : 1);
    }
    return p;
}

void *rh_realloc(rh_ctx *ctx, void *ptr, size_t size)
{
    if (size == 0) {
        size = 1;
    }
    if (ctx && ctx->has_alloc) {
        return ctx->alloc.realloc_fn(ptr, size, ctx->alloc.user);
    }
    return realloc(ptr, size);
}

void rh_free(rh_ctx *ctx, void *ptr)
{
    if (!ptr) {
        return;
    }
    if (ctx && ctx->has_alloc) {
        ctx->alloc.free_fn(ptr, ctx->alloc.user);
    } else {
        free(ptr);
    }
}

#ifdef __GNUC__
__attribute__((format(RH_PRINTF_ARCHETYPE, 8, 0)))
#endif
static rh_status
diag_emit(rh_ctx *ctx, rh_diag_level level, const char *component, const char *source,
          int64_t offset, int line, int col, const char *fmt, va_list ap)
{
    char msg[512];
    size_t i;
    if (level == RH_DIAG_ANOMALY) {
        ctx->anomalies++;
    }
    if (ctx->diag_fn &&
        (level != RH_DIAG_ANOMALY || ctx->anomalies <= (uint64_t)ctx->limits.max_diags)) {
        rh_diag d;
        vsnprintf(msg, sizeof(msg), fmt, ap);
        /* Messages are one line: callers may quote input, so flatten control characters. */
        for (i = 0; msg[i]; i++) {
            if ((unsigned char)msg[i] < 0x20) {
                msg[i] = '?';
            }
        }
        d.level = level;
        d.component = component;
        d.source = source;
        d.offset = offset;
        d.line = line;
        d.col = col;
        d.message = msg;
        ctx->diag_fn(&d, ctx->diag_user);
    }
    if (level == RH_DIAG_ANOMALY && ctx->strict) {
        return RH_ERR_STRICT;
    }
    return RH_OK;
}

rh_status rh_diagf(rh_ctx *ctx, rh_diag_level level, const char *component, const char *source,
                   int64_t offset, const char *fmt, ...)
{
    va_list ap;
    rh_status st;
    va_start(ap, fmt);
    st = diag_emit(ctx, level, component, source, offset, 0, 0, fmt, ap);
    va_end(ap);
    return st;
}

rh_status rh_diag_at(rh_ctx *ctx, rh_diag_level level, const char *component, const char *source,
                     int line, int col, const char *fmt, ...)
{
    va_list ap;
    rh_status st;
    va_start(ap, fmt);
    st = diag_emit(ctx, level, component, source, -1, line, col, fmt, ap);
    va_end(ap);
    return st;
}

char *rh_strndup(rh_ctx *ctx, const char *s, size_t n)
{
    char *p = rh_malloc(ctx, n + 1);
    if (p) {
        if (n) {
            memcpy(p, s, n);
        }
        p[n] = '\0';
    }
    return p;
}

char *rh_strdup(rh_ctx *ctx, const char *s)
{
    return s ? rh_strndup(ctx, s, strlen(s)) : rh_strndup(ctx, "", 0);
}
