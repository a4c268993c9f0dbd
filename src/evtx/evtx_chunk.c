/*
 * One 64 KiB chunk: header and CRC checks, the record walk, carving of records from unused
 * space (RH_EVTX_RECOVER), and the batch that queues records and diagnostics for in-order
 * delivery.
 */
#include <stdarg.h>
#include <stdio.h>
#include <zlib.h>

#include "evtx_internal.h"

/* Record arena and scratch sizes: a record is at most one chunk, its tree a few times that. */
#define REC_ARENA_BLOCK   (64u * 1024u)
#define REC_ARENA_LIMIT   (64u * 1024u * 1024u)
#define CHUNK_ARENA_BLOCK (64u * 1024u)
#define CHUNK_ARENA_LIMIT (256u * 1024u * 1024u)
#define BATCH_ARENA_BLOCK (256u * 1024u)

void evtx_batch_init(struct evtx_batch *b, rh_ctx *ctx)
{
    memset(b, 0, sizeof(*b));
    rh_arena_init(&b->arena, ctx, BATCH_ARENA_BLOCK, 0);
}

void evtx_batch_reset(struct evtx_batch *b)
{
    rh_arena_reset(&b->arena);
    b->n = 0;
    b->status = RH_OK;
    b->empty = b->bad = b->hcrc_bad = b->dcrc_bad = b->records_bad = 0;
}

void evtx_batch_free(struct evtx_batch *b)
{
    rh_arena_free(&b->arena);
    rh_free(b->arena.ctx, b->entries);
    b->entries = NULL;
    b->n = b->cap = 0;
}

static struct evtx_entry *batch_add(struct evtx_batch *b)
{
    struct evtx_entry *e;
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 256;
        struct evtx_entry *n = rh_realloc(b->arena.ctx, b->entries, ncap * sizeof(*n));
        if (!n) {
            b->status = RH_ERR_NOMEM;
            return NULL;
        }
        b->entries = n;
        b->cap = ncap;
    }
    e = &b->entries[b->n++];
    memset(e, 0, sizeof(*e));
    return e;
}

static void batch_diag(struct evtx_batch *b, rh_diag_level level, uint64_t offset, const char *fmt,
                       ...)
#ifdef __GNUC__
    __attribute__((format(RH_PRINTF_ARCHETYPE, 4, 5)))
#endif
    ;

static void batch_diag(struct evtx_batch *b, rh_diag_level level, uint64_t offset, const char *fmt,
                       ...)
{
    char msg[300];
    va_list ap;
    struct evtx_entry *e;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    e = batch_add(b);
    if (!e) {
        return;
    }
    e->kind = EVTX_ENTRY_DIAG;
    e->level = level;
    e->offset = (int64_t)offset;
    e->msg = rh_arena_strndup(&b->arena, msg, strlen(msg));
    if (!e->msg) {
        b->status = RH_ERR_NOMEM;
        b->n--;
    }
}

void evtx_chunk_init(struct evtx_chunk *ch, rh_ctx *ctx, unsigned flags)
{
    memset(ch, 0, sizeof(*ch));
    ch->ctx = ctx;
    ch->flags = flags;
    ch->max_depth = rh_ctx_limits(ctx)->max_xml_depth;
    rh_arena_init(&ch->arena, ctx, CHUNK_ARENA_BLOCK, CHUNK_ARENA_LIMIT);
    rh_arena_init(&ch->rec_arena, ctx, REC_ARENA_BLOCK, REC_ARENA_LIMIT);
    evtx_map_init(&ch->names, ctx);
    evtx_map_init(&ch->tmpls, ctx);
    rh_buf_init(&ch->tmp, ctx);
    rh_buf_init(&ch->tmp2, ctx);
    rh_buf_init(&ch->out, ctx);
}

void evtx_chunk_free(struct evtx_chunk *ch)
{
    rh_arena_free(&ch->arena);
    rh_arena_free(&ch->rec_arena);
    evtx_map_free(&ch->names);
    evtx_map_free(&ch->tmpls);
    rh_buf_free(&ch->tmp);
    rh_buf_free(&ch->tmp2);
    rh_buf_free(&ch->out);
    rh_free(ch->ctx, ch->ops);
    rh_free(ch->ctx, ch->fields);
    ch->ops = NULL;
    ch->fields = NULL;
}

void evtx_chunk_begin(struct evtx_chunk *ch, const uint8_t *data, uint64_t file_off)
{
    ch->data = data;
    ch->file_off = file_off;
    rh_arena_reset(&ch->arena);
    evtx_map_clear(&ch->names);
    evtx_map_clear(&ch->tmpls);
    ch->nops = 0;
}

/*
 * Parse the record at chunk offset `off` (size already checked) into a batch entry.
 * Returns true if a record was added; false with ch->err set if its BinXML is bad.
 */
static bool parse_record(struct evtx_chunk *ch, uint32_t off, uint32_t size, uint32_t flags,
                         struct evtx_batch *b)
{
    struct bx_node doc;
    struct evtx_entry *e;
    size_t mark = b->n;
    ch->err[0] = '\0';
    ch->nomem = false;
    rh_arena_reset(&ch->rec_arena);
    memset(&doc, 0, sizeof(doc));
    doc.kind = BXN_ELEM;
    if (!binxml_fragment(ch, off + EVTX_REC_BINXML, off + size - 4, &doc, 0)) {
        if (ch->nomem) {
            b->status = RH_ERR_NOMEM;
        }
        return false;
    }
    e = batch_add(b);
    if (!e) {
        return false;
    }
    e->kind = EVTX_ENTRY_RECORD;
    e->rec.record_id = rh_le64(ch->data + off + EVTX_REC_ID);
    e->rec.written = rh_le64(ch->data + off + EVTX_REC_WRITTEN);
    e->rec.offset = ch->file_off + off;
    e->rec.flags = flags;
    e->ev.record_id = e->rec.record_id;
    e->ev.source_offset = e->rec.offset;
    e->ev.flags = flags;
    if (!evtx_render_record(ch, &doc, b, e)) {
        if (ch->nomem) {
            b->status = RH_ERR_NOMEM;
        }
        b->n = mark;
        return false;
    }
    if (!e->ev.timestamp) {
        e->ev.timestamp = e->rec.written;
    }
    return true;
}

/* A plausible record header at off within [off, limit): signature, size, size copy. */
static bool record_header_ok(const uint8_t *d, uint32_t off, uint32_t limit, uint32_t *size)
{
    uint32_t sz;
    if (!rh_fits(limit, off, EVTX_REC_MIN_SIZE) || rh_le32(d + off) != EVTX_REC_SIG) {
        return false;
    }
    sz = rh_le32(d + off + EVTX_REC_SIZE);
    if (sz < EVTX_REC_MIN_SIZE || !rh_fits(limit, off, sz)) {
        return false;
    }
    *size = sz;
    return rh_le32(d + off + sz - 4) == sz;
}

/* Carve records from [from, to): 8-byte aligned signature scan; parse what validates. */
static void carve(struct evtx_chunk *ch, uint32_t from, uint32_t to, struct evtx_batch *b)
{
    uint32_t off = (from + 7u) & ~7u;
    while (off + EVTX_REC_MIN_SIZE <= to && b->status == RH_OK) {
        uint32_t size;
        if (record_header_ok(ch->data, off, to, &size) &&
            parse_record(ch, off, size, RH_EVENT_RECOVERED, b)) {
            off += (size + 7u) & ~7u;
            continue;
        }
        off += 8;
    }
}

static bool all_zero(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

void evtx_chunk_process(struct evtx_chunk *ch, const uint8_t *data, size_t len, uint64_t file_off,
                        struct evtx_batch *b)
{
    uint32_t free_off, off, stored, computed;
    bool recover = (ch->flags & RH_EVTX_RECOVER) != 0;
    evtx_chunk_begin(ch, data, file_off);
    if (len < EVTX_CHUNK_SIZE) {
        if (all_zero(data, len)) {
            return;
        }
        batch_diag(b, RH_DIAG_ANOMALY, file_off,
                   "file ends %zu bytes into a chunk (truncated or slack)%s", len,
                   recover ? "; carving records" : "");
        if (recover) {
            carve(ch, memcmp(data, EVTX_CHUNK_SIG, 8) == 0 ? EVTX_CHUNK_HEADER_SIZE : 0,
                  (uint32_t)len, b);
        }
        return;
    }
    if (memcmp(data, EVTX_CHUNK_SIG, 8) != 0) {
        if (all_zero(data, EVTX_CHUNK_SIZE)) {
            b->empty++;
            return;
        }
        b->bad++;
        batch_diag(b, RH_DIAG_ANOMALY, file_off, "no chunk signature; chunk skipped%s",
                   recover ? " (carving records)" : "");
        if (recover) {
            carve(ch, 0, EVTX_CHUNK_SIZE, b);
        }
        return;
    }
    stored = rh_le32(data + EVTX_CH_HEADER_CRC);
    computed = (uint32_t)crc32(0L, data, EVTX_CH_FLAGS);
    computed = (uint32_t)crc32(computed, data + EVTX_CH_STRING_TABLE,
                               EVTX_CHUNK_HEADER_SIZE - EVTX_CH_STRING_TABLE);
    if (stored != computed) {
        b->hcrc_bad++;
        batch_diag(b, RH_DIAG_ANOMALY, file_off,
                   "chunk header checksum mismatch (stored 0x%08x, computed 0x%08x)", stored,
                   computed);
    }
    free_off = rh_le32(data + EVTX_CH_FREE_OFF);
    if (free_off < EVTX_CHUNK_HEADER_SIZE || free_off > EVTX_CHUNK_SIZE) {
        batch_diag(b, RH_DIAG_ANOMALY, file_off + EVTX_CH_FREE_OFF,
                   "free space offset 0x%x outside the chunk; walking records to the end",
                   free_off);
        free_off = EVTX_CHUNK_SIZE;
    } else {
        stored = rh_le32(data + EVTX_CH_DATA_CRC);
        computed =
            (uint32_t)crc32(0L, data + EVTX_CHUNK_HEADER_SIZE, free_off - EVTX_CHUNK_HEADER_SIZE);
        if (stored != computed) {
            b->dcrc_bad++;
            batch_diag(b, RH_DIAG_ANOMALY, file_off + EVTX_CH_DATA_CRC,
                       "chunk records checksum mismatch (stored 0x%08x, computed 0x%08x)", stored,
                       computed);
        }
    }
    /* Walk records; each step advances by the record's size (>= 28), so the loop ends. */
    off = EVTX_CHUNK_HEADER_SIZE;
    while (off + 4 <= free_off && b->status == RH_OK) {
        uint32_t size;
        if (rh_le32(data + off) != EVTX_REC_SIG) {
            if (!all_zero(data + off, free_off - off)) {
                batch_diag(b, RH_DIAG_ANOMALY, file_off + off,
                           "no record signature; rest of the chunk skipped");
            }
            break;
        }
        if (!record_header_ok(data, off, EVTX_CHUNK_SIZE, &size)) {
            batch_diag(b, RH_DIAG_ANOMALY, file_off + off,
                       "record size 0x%x is invalid; rest of the chunk skipped",
                       rh_le32(data + off + EVTX_REC_SIZE));
            break;
        }
        if (!parse_record(ch, off, size, 0, b)) {
            if (b->status != RH_OK) {
                return;
            }
            b->records_bad++;
            batch_diag(b, RH_DIAG_ANOMALY, file_off + (ch->err_off ? ch->err_off : off),
                       "record %llu at 0x%llx skipped: %s",
                       (unsigned long long)rh_le64(data + off + EVTX_REC_ID),
                       (unsigned long long)(file_off + off), ch->err);
        }
        off += size;
    }
    if (recover && off < EVTX_CHUNK_SIZE) {
        carve(ch, off, EVTX_CHUNK_SIZE, b);
    }
}
