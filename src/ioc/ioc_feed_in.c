/*
 * The window feeds are read through (struct feed_in, ioc_internal.h): a file read in 1 MiB
 * steps with the bytes before the element being parsed dropped, or a whole buffer, and the
 * small JSON skipper that walks it without building a tree.
 */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "ioc_internal.h"

/* Skip one JSON value at p[*pos] (bounded nesting): 1, 0 when malformed, 2 when p ends inside
 * it (more input may complete it; a scalar reaching the end counts as incomplete). */
int ioc_skip_value(const char *p, size_t n, size_t *pos)
{
    size_t i = *pos, depth = 0;
    do {
        if (i >= n) {
            return 2;
        }
        if (p[i] == '"') {
            for (i++; i < n && p[i] != '"'; i++) {
                if (p[i] == '\\') {
                    i++;
                }
            }
            if (i >= n) {
                return 2;
            }
            i++;
        } else if (p[i] == '{' || p[i] == '[') {
            if (++depth > 4096) {
                return 0;
            }
            i++;
        } else if (p[i] == '}' || p[i] == ']') {
            if (!depth) {
                return 0;
            }
            depth--;
            i++;
        } else {
            i++;
            if (!depth) {
                while (i < n && p[i] != ',' && p[i] != '}' && p[i] != ']' && p[i] != ' ' &&
                       p[i] != '\n' && p[i] != '\r' && p[i] != '\t') {
                    i++;
                }
                if (i >= n) {
                    *pos = i;
                    return 2;
                }
            }
        }
    } while (depth);
    *pos = i;
    return 1;
}

/* Read more, dropping the bytes before `keep` (<= pos; the caller's offsets into buf move down
 * by the returned shift). RH_END at the end of the feed. */
rh_status ioc_in_more(struct feed_in *in, size_t keep, size_t *shift)
{
    int64_t n;
    *shift = 0;
    if (in->eof) {
        return RH_END;
    }
    keep = keep < in->pin ? keep : in->pin;
    if (keep) {
        memmove(in->buf, in->buf + keep, in->len - keep);
        in->len -= keep;
        in->pos -= keep;
        in->base += keep;
        in->pin -= in->pin != SIZE_MAX ? keep : 0;
        *shift = keep;
    }
    if (in->len >= in->s->opts.max_file_size) {
        (void)rh_diagf(in->s->ctx, RH_DIAG_ERROR, "ioc", in->feed->name, (int64_t)in->base,
                       "one JSON value or line longer than max_file_size (%llu bytes): feed not "
                       "read further",
                       (unsigned long long)in->s->opts.max_file_size);
        return RH_ERR_LIMIT;
    }
    if (in->cap - in->len < FEED_STEP) {
        size_t cap = in->cap ? in->cap * 2 : FEED_STEP;
        char *nb;
        while (cap - in->len < FEED_STEP) {
            cap *= 2;
        }
        nb = rh_realloc(in->s->ctx, in->buf, cap);
        if (!nb) {
            return RH_ERR_NOMEM;
        }
        in->buf = nb;
        in->cap = cap;
    }
    n = rh_fd_read(in->fd, in->buf + in->len, FEED_STEP);
    if (n < 0) {
        (void)rh_diagf(in->s->ctx, RH_DIAG_ERROR, "io", in->feed->name,
                       (int64_t)(in->base + in->len), "read failed: %s", strerror(errno));
        return RH_ERR_IO;
    }
    if (n == 0) {
        in->eof = true;
        return RH_END;
    }
    in->len += (size_t)n;
    return RH_OK;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Skip whitespace; the next byte, or -1 at the end of the feed (or an error in *st). */
int ioc_in_peek(struct feed_in *in, rh_status *st)
{
    size_t shift;
    for (;;) {
        while (in->pos < in->len && is_ws(in->buf[in->pos])) {
            in->pos++;
        }
        if (in->pos < in->len) {
            return (unsigned char)in->buf[in->pos];
        }
        *st = ioc_in_more(in, in->pos, &shift);
        if (*st != RH_OK) {
            *st = *st == RH_END ? RH_OK : *st;
            return -1;
        }
    }
}

rh_status ioc_bad_json(struct feed_in *in, size_t at, const char *what)
{
    (void)rh_diagf(in->s->ctx, RH_DIAG_ERROR, "ioc", in->feed->name, (int64_t)(in->base + at), "%s",
                   what);
    return RH_ERR_FORMAT;
}

/* The JSON value at the parse position: buf[*start, pos) after the call. */
rh_status ioc_in_value(struct feed_in *in, size_t *start)
{
    rh_status st = RH_OK;
    int r;
    if (ioc_in_peek(in, &st) < 0) {
        return st != RH_OK ? st : ioc_bad_json(in, in->pos, "JSON ends where a value was expected");
    }
    *start = in->pos;
    for (;;) {
        size_t p = *start, shift;
        r = ioc_skip_value(in->buf, in->len, &p);
        if (r == 1 || (r == 2 && in->eof && p == in->len && p > *start && in->buf[*start] != '"' &&
                       in->buf[*start] != '{' && in->buf[*start] != '[')) {
            in->pos = p; /* a scalar ended by the end of the feed */
            return RH_OK;
        }
        if (r == 0) {
            return ioc_bad_json(in, *start, "malformed JSON value");
        }
        st = ioc_in_more(in, *start, &shift);
        *start -= shift;
        if (st == RH_END) {
            return ioc_bad_json(in, *start, "JSON ends inside a value");
        }
        if (st != RH_OK) {
            return st;
        }
    }
}

/* Expect byte c next (after whitespace). */
rh_status ioc_in_expect(struct feed_in *in, char c, const char *what)
{
    rh_status st = RH_OK;
    if (ioc_in_peek(in, &st) != (unsigned char)c) {
        return st != RH_OK ? st : ioc_bad_json(in, in->pos, what);
    }
    in->pos++;
    return RH_OK;
}

rh_status ioc_in_next(struct feed_in *in, char close, int *more)
{
    rh_status st = RH_OK;
    int c = ioc_in_peek(in, &st);
    *more = 0;
    if (c == ',' || c == close) {
        in->pos++;
        *more = c == ',';
        return RH_OK;
    }
    return st != RH_OK ? st
                       : ioc_bad_json(in, in->pos,
                                      close == ']' ? "expected ',' or ']' in the array"
                                                   : "expected ',' or '}' in the object");
}

rh_status ioc_in_json(struct feed_in *in, size_t start, size_t end, json_t **out)
{
    json_error_t err;
    *out = json_loadb(in->buf + start, end - start, 0, &err);
    if (!*out) {
        return ioc_bad_json(in, start + (size_t)(err.position > 0 ? err.position : 0), err.text);
    }
    return RH_OK;
}

/* Parse each element of the array at the parse position alone and hand it to fn. */
rh_status ioc_each_element(struct feed_in *in, ioc_elem_fn fn)
{
    rh_status st = ioc_in_expect(in, '[', "expected '['");
    int c;
    if (st != RH_OK) {
        return st;
    }
    c = ioc_in_peek(in, &st);
    if (c == ']') {
        in->pos++;
        return RH_OK;
    }
    for (int more = 1; st == RH_OK && more;) {
        size_t start;
        json_t *o = NULL;
        st = ioc_in_value(in, &start);
        st = st == RH_OK ? ioc_in_json(in, start, in->pos, &o) : st;
        if (st != RH_OK) {
            return st;
        }
        st = json_is_object(o) ? fn(in->s, in->feed, o)
                               : ioc_bad_json(in, start, "not a JSON object");
        json_decref(o);
        st = st == RH_OK ? ioc_in_next(in, ']', &more) : st;
    }
    return st;
}
