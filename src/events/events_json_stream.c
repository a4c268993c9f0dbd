/*
 * JSON event inputs, streamed value by value: a small splitter finds where each top-level
 * value (or each element of a top-level array) ends, and jansson parses that value alone, so
 * memory is bounded by the largest single event, never by the input.
 *
 * Shapes: NDJSON (one object per line: a line that does not parse is skipped with an
 * anomaly), arrays (one or several), objects back to back (pretty-printed). In the other
 * shapes an invalid value ends the input (RH_ERR_FORMAT before the first value,
 * RH_ERR_CORRUPT after). Caps: one value <= EVENTS_MAX_VALUE bytes, nesting <=
 * rh_limits.max_xml_depth.
 */
#include <jansson.h>

#include "events_internal.h"

#define COMPONENT "events"

struct splitter {
    struct events_src *src;
    rh_buf v;       /* bytes of the value being collected */
    uint64_t line;  /* current line (1-based) */
    uint64_t vline; /* line where the value started */
    uint32_t depth, max_depth;
    int collecting, in_str, esc, scalar;
    int top_array; /* inside a top-level '[' */
    int ndjson;    /* -1 unknown, 1: the first value was an object on one line */
    uint64_t values;
};

static rh_status refuse(struct splitter *s, const char *what, unsigned long long limit)
{
    rh_diag_at(s->src->ctx, RH_DIAG_ERROR, COMPONENT, s->src->path, (int)s->line, 0,
               "JSON refused: %s %llu (docs/limits.md)", what, limit);
    return RH_ERR_LIMIT;
}

/* Parse the collected value and hand it on. */
static rh_status emit(struct splitter *s)
{
    json_error_t err;
    json_t *v;
    rh_status st;
    s->collecting = 0;
    v = json_loadb(s->v.data, s->v.len, JSON_ALLOW_NUL, &err);
    if (!v && s->ndjson == 1) {
        return rh_diag_at(s->src->ctx, RH_DIAG_ANOMALY, COMPONENT, s->src->path, (int)s->vline,
                          err.column, "invalid JSON line skipped: %s", err.text);
    }
    if (!v) {
        rh_diag_at(s->src->ctx, RH_DIAG_ERROR, COMPONENT, s->src->path,
                   (int)(s->vline + (uint64_t)(err.line > 0 ? err.line - 1 : 0)), err.column,
                   "invalid JSON: %s", err.text);
        return s->values ? RH_ERR_CORRUPT : RH_ERR_FORMAT;
    }
    if (s->ndjson < 0) {
        /* NDJSON when the first value is an object on one line */
        s->ndjson = !s->top_array && s->vline == s->line && json_is_object(v);
    }
    s->values++;
    st = events_json_object(s->src, v, s->vline);
    json_decref(v);
    return st;
}

static int is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Outside a value: separators, the top-level array brackets, or the start of a value. */
static int between(struct splitter *s, uint8_t c)
{
    if (is_ws(c) || c == ',') {
        return 1;
    }
    if (!s->top_array && c == '[') {
        s->top_array = 1;
        if (s->ndjson < 0) {
            s->ndjson = 0;
        }
        return 1;
    }
    if (s->top_array && c == ']') {
        s->top_array = 0;
        return 1;
    }
    rh_buf_reset(&s->v);
    s->collecting = 1;
    s->vline = s->line;
    s->depth = 0;
    s->in_str = s->esc = 0;
    s->scalar = c != '{' && c != '[';
    return 0;
}

/* One byte of a value. Returns RH_OK, RH_END (the value is complete) or a limit error. */
static rh_status inside(struct splitter *s, uint8_t c)
{
    if (s->in_str) {
        if (s->esc) {
            s->esc = 0;
        } else if (c == '\\') {
            s->esc = 1;
        } else if (c == '"') {
            s->in_str = 0;
            return s->depth == 0 ? RH_END : RH_OK; /* a top-level string */
        }
        return RH_OK;
    }
    switch (c) {
    case '"':
        s->in_str = 1;
        break;
    case '{':
    case '[':
        if (++s->depth > s->max_depth) {
            return refuse(s, "nesting deeper than", s->max_depth);
        }
        break;
    case '}':
    case ']':
        if (s->depth == 0) {
            return RH_END; /* a scalar ended by the enclosing bracket */
        }
        if (--s->depth == 0) {
            return RH_END;
        }
        break;
    default:
        if (s->scalar && s->depth == 0 && s->ndjson != 1 && (is_ws(c) || c == ',')) {
            return RH_END;
        }
        break;
    }
    return RH_OK;
}

/* Feed n bytes. */
static rh_status feed(struct splitter *s, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        rh_status st;
        size_t start;
        if (!s->collecting) {
            if (c == '\n') {
                s->line++;
            }
            i++;
            if (between(s, c)) {
                continue;
            }
            i--; /* the value's first byte is collected below */
        }
        start = i;
        st = RH_OK;
        for (; i < n; i++) {
            if (s->in_str && !s->esc) {
                /* the bulk of an event is string bytes: skip to the next one that matters */
                while (i < n && p[i] != '"' && p[i] != '\\' && p[i] != '\n') {
                    i++;
                }
                if (i == n) {
                    break;
                }
            }
            c = p[i];
            if (c == '\n' && s->ndjson == 1) {
                break; /* an NDJSON line ended inside its value */
            }
            if (c == '\n') {
                s->line++;
            }
            st = inside(s, c);
            if (st != RH_OK) {
                break;
            }
        }
        if (st == RH_END && s->scalar && i > start &&
            (is_ws(c) || c == ',' || c == ']' || c == '}')) {
            /* the delimiter is not part of the scalar: hand it back */
            if (c == '\n') {
                s->line--;
            }
        } else if (i < n && st == RH_END) {
            i++; /* the closing byte belongs to the value */
        }
        rh_buf_append(&s->v, (const char *)p + start, i - start);
        if (rh_buf_status(&s->v) != RH_OK) {
            return RH_ERR_NOMEM;
        }
        if (s->v.len > EVENTS_MAX_VALUE) {
            return refuse(s, "one value longer than", EVENTS_MAX_VALUE);
        }
        if (st == RH_END) {
            st = emit(s);
        } else if (st == RH_OK && i < n) {
            /* an NDJSON line ended: parse what it held (a broken line is skipped) */
            st = emit(s);
        }
        if (st != RH_OK) {
            return st;
        }
    }
    return RH_OK;
}

rh_status events_json_stream(struct events_src *src, struct events_in *in)
{
    struct splitter s;
    rh_status st = RH_OK;
    memset(&s, 0, sizeof(s));
    s.src = src;
    s.line = 1;
    s.ndjson = -1;
    s.max_depth = rh_ctx_limits(src->ctx)->max_xml_depth;
    rh_buf_init(&s.v, src->ctx);
    /* A UTF-8 byte order mark before the first value. */
    if (in->len - in->pos >= 3 && in->buf[in->pos] == 0xEF && in->buf[in->pos + 1] == 0xBB &&
        in->buf[in->pos + 2] == 0xBF) {
        in->pos += 3;
    }
    while (st == RH_OK) {
        st = events_in_fill(in);
        if (st != RH_OK || in->eof) {
            break;
        }
        st = feed(&s, in->buf + in->pos, in->len - in->pos);
        in->pos = in->len;
    }
    if (st == RH_OK && s.collecting) {
        /* input ended inside a value: a last NDJSON line without newline, or truncation */
        st = emit(&s);
    }
    rh_buf_free(&s.v);
    return st;
}
