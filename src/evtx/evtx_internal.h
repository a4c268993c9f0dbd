/*
 * EVTX internals shared by the evtx_*.c and binxml*.c files.
 *
 * Parsing one record goes: BinXML bytes -> op list (binxml_parse; template definitions are
 * parsed once per chunk and cached) -> element tree in the record arena (binxml_build, with
 * substitution values bound) -> outputs (evtx_render: rh_event fields, XML, JSON) copied into
 * the chunk's batch. Nothing in here prints or touches the rh_ctx diagnostics: a chunk may be
 * parsed on a worker thread, so messages are queued in the batch and reported in file order.
 */
#ifndef RH_EVTX_INTERNAL_H
#define RH_EVTX_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"
#include "evtx_format.h"
#include "reghunt/evtx.h"

/*
 * ---- u32 -> pointer open-addressing map (names, templates by chunk offset) ----------
 *
 * Not an rh_strmap: the keys are chunk offsets, looked up for every name and template
 * reference of every record (the hottest lookup of the parser), and the map is emptied for
 * each 64 KiB chunk by one memset of the key array. An integer key needs no hash callback,
 * no length or key comparison and no key storage.
 */

struct evtx_map {
    rh_ctx *ctx;
    uint32_t *keys; /* key + 1 (0 = empty) */
    void **vals;
    uint32_t cap, n;
};

void evtx_map_init(struct evtx_map *m, rh_ctx *ctx);
void *evtx_map_get(const struct evtx_map *m, uint32_t key);
rh_status evtx_map_put(struct evtx_map *m, uint32_t key, void *val);
void evtx_map_clear(struct evtx_map *m);
void evtx_map_free(struct evtx_map *m);

/* ---- typed values and the element tree --------------------------------------------- */

struct bx_val {
    const uint8_t *data; /* inside the chunk buffer */
    uint32_t size;
    uint8_t type; /* BX_T_*, maybe | BX_T_ARRAY */
};

enum bx_node_kind {
    BXN_ELEM = 0,
    BXN_VALUE = 1,   /* typed value (literal or substitution) */
    BXN_CDATA = 2,   /* val: UTF-16 text */
    BXN_CHARREF = 3, /* cp */
    BXN_ENTREF = 4,  /* name */
    BXN_PI = 5,      /* name = target, val: UTF-16 data */
};

struct bx_attr;

struct bx_node {
    uint8_t kind;
    const char *name; /* interned UTF-8 (chunk arena) */
    uint32_t name_len;
    uint32_t cp;
    struct bx_val val;
    struct bx_attr *attrs, *attrs_tail;
    struct bx_node *child, *child_tail, *next, *parent;
};

struct bx_attr {
    const char *name;
    uint32_t name_len;
    bool omit;                        /* its only content was an absent optional substitution */
    struct bx_node *vals, *vals_tail; /* VALUE / CHARREF / ENTREF nodes */
    struct bx_attr *next;
};

/* ---- op lists (parsed BinXML) ------------------------------------------------------ */

enum bx_op_kind {
    OP_OPEN = 0,
    OP_ATTR,
    OP_CLOSE_START,
    OP_CLOSE_EMPTY,
    OP_END,
    OP_VALUE,
    OP_CDATA,
    OP_CHARREF,
    OP_ENTREF,
    OP_PI,
    OP_SUBST,
    OP_TEMPLATE,
};

struct bx_template;

struct bx_op {
    uint8_t kind;
    uint8_t vtype;    /* OP_VALUE / OP_SUBST: value type */
    uint8_t optional; /* OP_SUBST */
    uint16_t index;   /* OP_SUBST */
    uint32_t cp;      /* OP_CHARREF */
    const char *name; /* OP_OPEN / OP_ATTR / OP_ENTREF / OP_PI */
    uint32_t name_len;
    const uint8_t *data;   /* OP_VALUE / OP_CDATA / OP_PI data; OP_TEMPLATE: substitution descs */
    uint32_t size;         /* bytes of data; OP_TEMPLATE: number of substitutions */
    const uint8_t *values; /* OP_TEMPLATE: substitution values */
    struct bx_template *tmpl;
};

struct bx_template {
    uint32_t offset; /* chunk offset of the definition */
    uint8_t guid[16];
    uint32_t data_size;
    int state; /* 0 parsing, 1 ok, -1 bad */
    struct bx_op *ops;
    uint32_t nops;
};

/* ---- per-record outputs, queued per chunk (batch) ---------------------------------- */

enum evtx_entry_kind { EVTX_ENTRY_RECORD = 0, EVTX_ENTRY_DIAG = 1 };

struct evtx_entry {
    int kind;
    /* record */
    rh_evtx_record rec;
    rh_event ev;
    /* diag */
    rh_diag_level level;
    int64_t offset;
    const char *msg;
    /* stats deltas */
};

struct evtx_batch {
    struct rh_arena arena;
    struct evtx_entry *entries;
    size_t n, cap;
    rh_status status; /* RH_OK or a fatal error (NOMEM) while parsing this chunk */
    /* counters for rh_evtx_stats */
    uint64_t empty, bad, hcrc_bad, dcrc_bad, records_bad;
};

/* ---- chunk parser state (one per worker) -------------------------------------------- */

struct evtx_chunk {
    rh_ctx *ctx;
    const uint8_t *data; /* EVTX_CHUNK_SIZE bytes */
    uint64_t file_off;   /* of data[0] */
    unsigned flags;      /* read flags */
    uint32_t max_depth;
    struct rh_arena arena;     /* names, templates: reset per chunk */
    struct rh_arena rec_arena; /* element tree: reset per record */
    struct evtx_map names, tmpls;
    struct bx_op *ops; /* scratch op stack for record-level fragments */
    uint32_t nops, ops_cap;
    rh_buf tmp, tmp2, out; /* scratch text */
    rh_event_field *fields;
    size_t nfields, fields_cap;
    char err[200]; /* why the current record failed */
    uint32_t err_off;
    bool nomem;
};

void evtx_chunk_init(struct evtx_chunk *ch, rh_ctx *ctx, unsigned flags);
void evtx_chunk_free(struct evtx_chunk *ch);
/* Start a new chunk buffer (drops the previous chunk's names and templates). */
void evtx_chunk_begin(struct evtx_chunk *ch, const uint8_t *data, uint64_t file_off);

/* Parse one 64 KiB block (len < EVTX_CHUNK_SIZE for a truncated tail, zero padded) into b. */
void evtx_chunk_process(struct evtx_chunk *ch, const uint8_t *data, size_t len, uint64_t file_off,
                        struct evtx_batch *b);

void evtx_batch_init(struct evtx_batch *b, rh_ctx *ctx);
void evtx_batch_reset(struct evtx_batch *b);
void evtx_batch_free(struct evtx_batch *b);

/* ---- BinXML (binxml.c) --------------------------------------------------------------- */

/* Record a parse error (first one wins) and return false. */
bool bx_fail(struct evtx_chunk *ch, uint32_t off, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(RH_PRINTF_ARCHETYPE, 3, 4)))
#endif
    ;

/*
 * Parse a BinXML fragment at chunk offset [off, end) and build its element tree under
 * `parent`. Returns false with ch->err set on malformed input.
 */
bool binxml_fragment(struct evtx_chunk *ch, uint32_t off, uint32_t end, struct bx_node *parent,
                     unsigned depth);

/* Interned UTF-8 name of the BinXML name string at a chunk offset (NULL on error). */
const char *binxml_name(struct evtx_chunk *ch, uint32_t off, uint32_t *len);

/* ---- values (binxml_value.c) --------------------------------------------------------- */

/* XML flavour: FILETIME/SYSTEMTIME with 9 fraction digits as Windows renders them. */
#define BXV_XML 0x1u

/* Append the canonical text of one (non-array) value. */
rh_status bxv_render(rh_buf *out, uint8_t type, const uint8_t *p, size_t n, unsigned mode);
/*
 * Split an array value into items: calls fn for each item (type without BX_T_ARRAY).
 * Returns the number of items.
 */
size_t bxv_array_items(const struct bx_val *v,
                       bool (*fn)(uint8_t type, const uint8_t *p, size_t n, void *user),
                       void *user);
/* rh_field_type of a BinXML value type, and its numeric value when it has one. */
rh_field_type bxv_field_type(uint8_t type, const uint8_t *p, size_t n, uint64_t *num);
/* SID and GUID text. */
rh_status bxv_sid(rh_buf *out, const uint8_t *p, size_t n);
rh_status bxv_guid(rh_buf *out, const uint8_t *p);

/* ---- rendering (evtx_render.c) -------------------------------------------------------- */

/* Fill e->ev (and xml/json if requested) from the element tree; strings go to b->arena. */
bool evtx_render_record(struct evtx_chunk *ch, struct bx_node *doc, struct evtx_batch *b,
                        struct evtx_entry *e);

/* Text content of an element (values, char/entity refs, CDATA; child elements skipped). */
rh_status evtx_node_text(struct bx_node *el, rh_buf *out);

#endif
