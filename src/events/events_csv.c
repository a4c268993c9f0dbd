/*
 * CSV event exports (RFC 4180), streamed record by record: fields separated by commas,
 * records by CRLF or LF; a field in double quotes may hold commas, line breaks and "" for a
 * quote. The first record is the header: its column names select the export shape
 * (events_edr_detect: MDE portal CSV, Falcon, SentinelOne, Splunk) and name each field of the
 * records after it, which events_edr_emit() maps to the normalized event.
 *
 * Caps (docs/limits.md): one field <= CSV_MAX_FIELD bytes, one record <= EVENTS_MAX_VALUE,
 * <= CSV_MAX_COLUMNS columns; over any of them the input is refused with one line naming the
 * record's line. Memory is one record, never the input. Lenient where exports are sloppy: a
 * quote inside an unquoted field and bytes after a closing quote are kept as text; a record
 * shorter than the header leaves the missing fields absent, a longer one has its extra fields
 * dropped (one anomaly per input).
 */
#include "events_internal.h"

#define COMPONENT "events"

#define CSV_MAX_FIELD   (1u << 20) /* bytes of one field */
#define CSV_MAX_COLUMNS 1024u      /* columns of one record */

enum csv_state { CSV_START, CSV_PLAIN, CSV_QUOTED, CSV_QUOTE };

struct csv {
    struct events_src *src;
    rh_buf rec;         /* the record's field bytes, each NUL-terminated */
    size_t *offs;       /* start of each field in rec */
    size_t nf, capf;    /* fields of the record */
    size_t field_start; /* start of the current field in rec */
    enum csv_state state;
    uint64_t line, rec_line;
    int in_record;
    int cr_plain; /* the record's last byte is a '\r' read outside quotes */
    /* header */
    char **names;
    size_t ncols;
    int shape;
    rh_event_field *fields;
    int warned_extra;
};

static rh_status refuse(struct csv *c, const char *what, unsigned long long limit)
{
    rh_diag_at(c->src->ctx, RH_DIAG_ERROR, COMPONENT, c->src->path, (int)c->rec_line, 0,
               "CSV refused: %s %llu (docs/limits.md)", what, limit);
    return RH_ERR_LIMIT;
}

/* End the current field. */
static rh_status end_field(struct csv *c)
{
    if (c->nf == c->capf) {
        size_t nc = c->capf ? c->capf * 2 : 64;
        size_t *no;
        if (c->nf >= CSV_MAX_COLUMNS) {
            return refuse(c, "a record with more columns than", CSV_MAX_COLUMNS);
        }
        no = rh_realloc(c->src->ctx, c->offs, nc * sizeof(*no));
        if (!no) {
            return RH_ERR_NOMEM;
        }
        c->offs = no;
        c->capf = nc;
    }
    c->offs[c->nf++] = c->field_start;
    if (rh_buf_putc(&c->rec, '\0') != RH_OK) {
        return RH_ERR_NOMEM;
    }
    c->field_start = c->rec.len;
    c->state = CSV_START;
    return RH_OK;
}

static const char *field_at(const struct csv *c, size_t i)
{
    return c->rec.data + c->offs[i];
}

static size_t field_len(const struct csv *c, size_t i)
{
    size_t end = i + 1 < c->nf ? c->offs[i + 1] : c->rec.len;
    return end - c->offs[i] - 1;
}

/* The header record: column names and the shape. */
static rh_status header(struct csv *c)
{
    size_t i;
    c->names = rh_calloc(c->src->ctx, c->nf, sizeof(*c->names));
    c->fields = rh_calloc(c->src->ctx, c->nf, sizeof(*c->fields));
    if (!c->names || !c->fields) {
        return RH_ERR_NOMEM;
    }
    c->ncols = c->nf;
    for (i = 0; i < c->nf; i++) {
        c->names[i] = rh_strndup(c->src->ctx, field_at(c, i), field_len(c, i));
        if (!c->names[i]) {
            return RH_ERR_NOMEM;
        }
        c->fields[i].name = c->names[i];
        c->fields[i].value = "";
    }
    c->shape = events_edr_detect(c->fields, c->ncols);
    if (c->shape == EDR_NONE) {
        rh_diag_at(c->src->ctx, RH_DIAG_ERROR, COMPONENT, c->src->path, 1, 0,
                   "unrecognised CSV header (not a Defender, Falcon, SentinelOne or Splunk "
                   "export; docs/events.md)");
        return RH_ERR_FORMAT;
    }
    return RH_OK;
}

/* A complete record: the header, or one event. */
static rh_status end_record(struct csv *c)
{
    rh_status st = end_field(c);
    size_t i, n;
    if (st != RH_OK) {
        return st;
    }
    c->in_record = 0;
    if (c->nf == 1 && field_len(c, 0) == 0) {
        st = RH_OK; /* a blank line */
    } else if (!c->names) {
        st = header(c);
    } else {
        n = c->nf < c->ncols ? c->nf : c->ncols;
        if (c->nf > c->ncols && !c->warned_extra) {
            c->warned_extra = 1;
            rh_diag_at(c->src->ctx, RH_DIAG_ANOMALY, COMPONENT, c->src->path, (int)c->rec_line, 0,
                       "CSV record with %zu fields for %zu columns: extra fields dropped", c->nf,
                       c->ncols);
        }
        for (i = 0; i < n; i++) {
            c->fields[i].value = field_at(c, i);
            c->fields[i].value_len = field_len(c, i);
            /* exports of several tables or event ids leave the other columns empty */
            c->fields[i].type = c->fields[i].value_len ? RH_FIELD_STRING : RH_FIELD_NULL;
        }
        for (; i < c->ncols; i++) {
            c->fields[i].value = "";
            c->fields[i].value_len = 0;
            c->fields[i].type = RH_FIELD_NULL;
        }
        st = events_edr_emit(c->src, c->shape, NULL, c->fields, c->ncols, c->rec_line);
    }
    rh_buf_reset(&c->rec);
    c->nf = 0;
    c->field_start = 0;
    return st;
}

/* Feed n bytes. */
static rh_status feed(struct csv *c, const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint8_t b = p[i];
        rh_status st = RH_OK;
        if (!c->in_record) {
            c->in_record = 1;
            c->rec_line = c->line;
        }
        switch (c->state) {
        case CSV_START:
            if (b == '"') {
                c->state = CSV_QUOTED;
                c->cr_plain = 0;
                continue;
            }
            c->state = CSV_PLAIN;
            /* fall through */
        case CSV_PLAIN:
        case CSV_QUOTE:
            if (b == ',') {
                st = end_field(c);
            } else if (b == '\n') {
                if (c->cr_plain) {
                    c->rec.len--; /* CRLF */
                }
                st = end_record(c);
                c->line++;
            } else if (c->state == CSV_QUOTE && b == '"') {
                st = rh_buf_putc(&c->rec, '"'); /* "" inside quotes */
                c->state = CSV_QUOTED;
            } else {
                st = rh_buf_putc(&c->rec, (char)b);
            }
            c->cr_plain = b == '\r';
            break;
        case CSV_QUOTED:
            if (b == '"') {
                c->state = CSV_QUOTE;
                continue;
            }
            if (b == '\n') {
                c->line++;
            }
            c->cr_plain = 0;
            st = rh_buf_putc(&c->rec, (char)b);
            break;
        }
        if (st != RH_OK) {
            return st;
        }
        if (c->rec.len - c->field_start > CSV_MAX_FIELD) {
            return refuse(c, "a field longer than", CSV_MAX_FIELD);
        }
        if (c->rec.len > EVENTS_MAX_VALUE) {
            return refuse(c, "a record longer than", EVENTS_MAX_VALUE);
        }
    }
    return RH_OK;
}

rh_status events_csv_stream(struct events_src *src, struct events_in *in)
{
    struct csv c;
    rh_status st = RH_OK;
    size_t i;
    memset(&c, 0, sizeof(c));
    c.src = src;
    c.line = 1;
    rh_buf_init(&c.rec, src->ctx);
    if (in->len - in->pos >= 3 && in->buf[in->pos] == 0xEF && in->buf[in->pos + 1] == 0xBB &&
        in->buf[in->pos + 2] == 0xBF) {
        in->pos += 3; /* a UTF-8 byte order mark */
    }
    while (st == RH_OK) {
        st = events_in_fill(in);
        if (st != RH_OK || in->eof) {
            break;
        }
        st = feed(&c, in->buf + in->pos, in->len - in->pos);
        in->pos = in->len;
    }
    if (st == RH_OK && c.in_record) {
        if (c.state == CSV_QUOTED) {
            rh_diag_at(src->ctx, RH_DIAG_ANOMALY, COMPONENT, src->path, (int)c.rec_line, 0,
                       "CSV ends inside a quoted field: last record kept as read");
        }
        st = end_record(&c); /* the last record without a line break */
    }
    if (st == RH_OK && !c.names) {
        rh_diag_at(src->ctx, RH_DIAG_ERROR, COMPONENT, src->path, 1, 0, "empty CSV input");
        st = RH_ERR_FORMAT;
    }
    for (i = 0; c.names && i < c.ncols; i++) {
        rh_free(src->ctx, c.names[i]);
    }
    rh_free(src->ctx, c.names);
    rh_free(src->ctx, c.fields);
    rh_free(src->ctx, c.offs);
    rh_buf_free(&c.rec);
    return st;
}
