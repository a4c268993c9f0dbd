/*
 * BinXML: tokens -> op lists (template definitions cached per chunk) -> element tree.
 *
 * Every offset in BinXML is relative to the chunk, so all positions here are chunk offsets
 * checked against EVTX_CHUNK_SIZE (and against the end of the enclosing fragment: a record,
 * a template definition or a nested BinXML value). Recursion (templates inside nested BinXML
 * values inside templates...) and element nesting share one depth budget, max_xml_depth.
 */
#include <stdarg.h>
#include <stdio.h>

#include "evtx_internal.h"

struct bx_name {
    const char *s;
    uint32_t len;
};

bool bx_fail(struct evtx_chunk *ch, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    if (ch->err[0]) {
        return false;
    }
    va_start(ap, fmt);
    vsnprintf(ch->err, sizeof(ch->err), fmt, ap);
    va_end(ap);
    ch->err_off = off;
    return false;
}

static bool bx_nomem(struct evtx_chunk *ch, uint32_t off)
{
    ch->nomem = true;
    return bx_fail(ch, off, "out of memory");
}

const char *binxml_name(struct evtx_chunk *ch, uint32_t off, uint32_t *len)
{
    struct bx_name *nm = evtx_map_get(&ch->names, off);
    uint32_t nchars;
    if (nm) {
        *len = nm->len;
        return nm->s;
    }
    if (!rh_fits(EVTX_CHUNK_SIZE, off, BX_NAME_HDR)) {
        bx_fail(ch, off, "name offset 0x%x outside the chunk", off);
        return NULL;
    }
    nchars = rh_le16(ch->data + off + 6);
    if (!rh_fits(EVTX_CHUNK_SIZE, off + BX_NAME_HDR, (size_t)nchars * 2)) {
        bx_fail(ch, off, "name at 0x%x (%u characters) runs past the chunk", off, nchars);
        return NULL;
    }
    rh_buf_reset(&ch->tmp);
    nm = rh_arena_alloc(&ch->arena, sizeof(*nm));
    if (!nm || rh_utf16le_to_utf8(&ch->tmp, ch->data + off + BX_NAME_HDR, (size_t)nchars * 2, 0) !=
                   RH_OK) {
        bx_nomem(ch, off);
        return NULL;
    }
    nm->s = rh_arena_strndup(&ch->arena, ch->tmp.data ? ch->tmp.data : "", ch->tmp.len);
    nm->len = (uint32_t)ch->tmp.len;
    if (!nm->s || evtx_map_put(&ch->names, off, nm) != RH_OK) {
        bx_nomem(ch, off);
        return NULL;
    }
    *len = nm->len;
    return nm->s;
}

/* Read a name reference at *pos: u32 chunk offset, and the name itself when it is inline. */
static bool read_name_ref(struct evtx_chunk *ch, uint32_t *pos, uint32_t end, const char **name,
                          uint32_t *len)
{
    uint32_t noff;
    if (!rh_fits(end, *pos, 4)) {
        return bx_fail(ch, *pos, "truncated name reference");
    }
    noff = rh_le32(ch->data + *pos);
    *pos += 4;
    if (noff == *pos) {
        /* Inline definition: next(4) hash(2) nchars(2) UTF-16 NUL(2). */
        uint32_t nchars;
        size_t total;
        if (!rh_fits(end, *pos, BX_NAME_HDR)) {
            return bx_fail(ch, *pos, "truncated inline name");
        }
        nchars = rh_le16(ch->data + *pos + 6);
        total = BX_NAME_HDR + (size_t)nchars * 2 + 2;
        if (!rh_fits(end, *pos, total)) {
            return bx_fail(ch, *pos, "inline name of %u characters runs past its fragment", nchars);
        }
        *pos += (uint32_t)total;
    }
    *name = binxml_name(ch, noff, len);
    return *name != NULL;
}

static bool push_op(struct evtx_chunk *ch, const struct bx_op *op, uint32_t off)
{
    if (ch->nops == ch->ops_cap) {
        uint32_t ncap = ch->ops_cap ? ch->ops_cap * 2 : 256;
        struct bx_op *n = rh_realloc(ch->ctx, ch->ops, (size_t)ncap * sizeof(*n));
        if (!n) {
            return bx_nomem(ch, off);
        }
        ch->ops = n;
        ch->ops_cap = ncap;
    }
    ch->ops[ch->nops++] = *op;
    return true;
}

/* Size of a fixed-size value type, 0 for variable-size ones. */
static uint32_t fixed_size(uint8_t t)
{
    switch (t) {
    case BX_T_INT8:
    case BX_T_UINT8:
        return 1;
    case BX_T_INT16:
    case BX_T_UINT16:
        return 2;
    case BX_T_INT32:
    case BX_T_UINT32:
    case BX_T_REAL32:
    case BX_T_BOOL:
    case BX_T_HEX32:
        return 4;
    case BX_T_INT64:
    case BX_T_UINT64:
    case BX_T_REAL64:
    case BX_T_FILETIME:
    case BX_T_HEX64:
        return 8;
    case BX_T_GUID:
    case BX_T_SYSTIME:
        return 16;
    default:
        return 0;
    }
}

static struct bx_template *template_get(struct evtx_chunk *ch, uint32_t def_off, unsigned depth);

/* Parse tokens in [off, end) up to EOF, appending ops to ch->ops. *stop gets the end offset. */
static bool bx_parse(struct evtx_chunk *ch, uint32_t off, uint32_t end, unsigned depth,
                     uint32_t *stop)
{
    /* Every iteration consumes at least one byte, so the loop ends. */
    while (off < end) {
        uint8_t tok = ch->data[off];
        uint8_t base = tok & 0x0F;
        struct bx_op op;
        memset(&op, 0, sizeof(op));
        if (tok & 0xB0) {
            return bx_fail(ch, off, "unknown BinXML token 0x%02x", tok);
        }
        switch (base) {
        case BX_TOK_EOF:
            *stop = off + 1;
            return true;
        case BX_TOK_OPEN_START: {
            uint32_t pos = off + 7;
            if (!rh_fits(end, off, 11)) {
                return bx_fail(ch, off, "truncated element start");
            }
            /* token(1) dependency id(2) data size(4) name offset(4) */
            op.kind = OP_OPEN;
            if (!read_name_ref(ch, &pos, end, &op.name, &op.name_len)) {
                return false;
            }
            if (tok & BX_TOK_MORE) {
                if (!rh_fits(end, pos, 4)) {
                    return bx_fail(ch, pos, "truncated attribute list size");
                }
                pos += 4;
            }
            if (!push_op(ch, &op, off)) {
                return false;
            }
            off = pos;
            break;
        }
        case BX_TOK_CLOSE_START:
        case BX_TOK_CLOSE_EMPTY:
        case BX_TOK_END_ELEMENT:
            op.kind = base == BX_TOK_CLOSE_START   ? OP_CLOSE_START
                      : base == BX_TOK_CLOSE_EMPTY ? OP_CLOSE_EMPTY
                                                   : OP_END;
            if (!push_op(ch, &op, off)) {
                return false;
            }
            off++;
            break;
        case BX_TOK_VALUE: {
            uint32_t fs;
            if (!rh_fits(end, off, 2)) {
                return bx_fail(ch, off, "truncated value");
            }
            op.kind = OP_VALUE;
            op.vtype = ch->data[off + 1];
            if (op.vtype == BX_T_STRING || op.vtype == BX_T_ANSI) {
                uint32_t n;
                if (!rh_fits(end, off + 2, 2)) {
                    return bx_fail(ch, off, "truncated value");
                }
                n = rh_le16(ch->data + off + 2);
                n = op.vtype == BX_T_STRING ? n * 2 : n;
                if (!rh_fits(end, off + 4, n)) {
                    return bx_fail(ch, off, "value text of %u bytes runs past its fragment", n);
                }
                op.data = ch->data + off + 4;
                op.size = n;
                off += 4 + n;
            } else if ((fs = fixed_size(op.vtype)) != 0) {
                if (!rh_fits(end, off + 2, fs)) {
                    return bx_fail(ch, off, "truncated value");
                }
                op.data = ch->data + off + 2;
                op.size = fs;
                off += 2 + fs;
            } else {
                return bx_fail(ch, off, "value token of unsupported type 0x%02x", op.vtype);
            }
            if (!push_op(ch, &op, off)) {
                return false;
            }
            break;
        }
        case BX_TOK_ATTRIBUTE:
        case BX_TOK_ENTITYREF:
        case BX_TOK_PI_TARGET: {
            uint32_t pos = off + 1;
            op.kind = base == BX_TOK_ATTRIBUTE   ? OP_ATTR
                      : base == BX_TOK_ENTITYREF ? OP_ENTREF
                                                 : OP_PI;
            if (!read_name_ref(ch, &pos, end, &op.name, &op.name_len)) {
                return false;
            }
            if (base == BX_TOK_PI_TARGET && pos < end && (ch->data[pos] & 0x0F) == BX_TOK_PI_DATA) {
                uint32_t n;
                if (!rh_fits(end, pos, 3)) {
                    return bx_fail(ch, pos, "truncated PI data");
                }
                n = (uint32_t)rh_le16(ch->data + pos + 1) * 2;
                if (!rh_fits(end, pos + 3, n)) {
                    return bx_fail(ch, pos, "PI data runs past its fragment");
                }
                op.data = ch->data + pos + 3;
                op.size = n;
                op.vtype = BX_T_STRING;
                pos += 3 + n;
            }
            if (!push_op(ch, &op, off)) {
                return false;
            }
            off = pos;
            break;
        }
        case BX_TOK_PI_DATA:
            return bx_fail(ch, off, "PI data without a PI target");
        case BX_TOK_CDATA: {
            uint32_t n;
            if (!rh_fits(end, off, 3)) {
                return bx_fail(ch, off, "truncated CDATA");
            }
            n = (uint32_t)rh_le16(ch->data + off + 1) * 2;
            if (!rh_fits(end, off + 3, n)) {
                return bx_fail(ch, off, "CDATA runs past its fragment");
            }
            op.kind = OP_CDATA;
            op.vtype = BX_T_STRING;
            op.data = ch->data + off + 3;
            op.size = n;
            if (!push_op(ch, &op, off)) {
                return false;
            }
            off += 3 + n;
            break;
        }
        case BX_TOK_CHARREF:
            if (!rh_fits(end, off, 3)) {
                return bx_fail(ch, off, "truncated character reference");
            }
            op.kind = OP_CHARREF;
            op.cp = rh_le16(ch->data + off + 1);
            if (!push_op(ch, &op, off)) {
                return false;
            }
            off += 3;
            break;
        case BX_TOK_TEMPLATE: {
            uint32_t def_off, pos, count, i;
            uint64_t total = 0;
            if (!rh_fits(end, off, 10)) {
                return bx_fail(ch, off, "truncated template instance");
            }
            def_off = rh_le32(ch->data + off + 6);
            pos = off + 10;
            if (def_off == pos) {
                uint32_t size;
                if (!rh_fits(end, pos, BX_TEMPLATE_HDR)) {
                    return bx_fail(ch, pos, "truncated inline template definition");
                }
                size = rh_le32(ch->data + pos + BX_TEMPLATE_DATA_SIZE);
                if (!rh_fits(end, pos + BX_TEMPLATE_HDR, size)) {
                    return bx_fail(ch, pos,
                                   "inline template definition of %u bytes runs past "
                                   "its fragment",
                                   size);
                }
                pos += BX_TEMPLATE_HDR + size;
            }
            op.kind = OP_TEMPLATE;
            op.tmpl = template_get(ch, def_off, depth);
            if (!op.tmpl) {
                return false;
            }
            if (!rh_fits(end, pos, 4)) {
                return bx_fail(ch, pos, "truncated substitution count");
            }
            count = rh_le32(ch->data + pos);
            pos += 4;
            if (count > (end - pos) / 4) {
                return bx_fail(ch, pos, "%u substitutions do not fit their fragment", count);
            }
            op.data = ch->data + pos;
            op.size = count;
            for (i = 0; i < count; i++) {
                total += rh_le16(ch->data + pos + 4 * i);
            }
            pos += 4 * count;
            if (total > end - pos) {
                return bx_fail(ch, pos, "substitution values (%llu bytes) run past the record",
                               (unsigned long long)total);
            }
            op.values = ch->data + pos;
            pos += (uint32_t)total;
            if (!push_op(ch, &op, off)) {
                return false;
            }
            off = pos;
            break;
        }
        case BX_TOK_NORMAL_SUBST:
        case BX_TOK_OPT_SUBST:
            if (!rh_fits(end, off, 4)) {
                return bx_fail(ch, off, "truncated substitution");
            }
            op.kind = OP_SUBST;
            op.optional = base == BX_TOK_OPT_SUBST;
            op.index = rh_le16(ch->data + off + 1);
            op.vtype = ch->data[off + 3];
            if (!push_op(ch, &op, off)) {
                return false;
            }
            off += 4;
            break;
        case BX_TOK_FRAGMENT:
            if (!rh_fits(end, off, 4)) {
                return bx_fail(ch, off, "truncated fragment header");
            }
            off += 4;
            break;
        default:
            return bx_fail(ch, off, "unknown BinXML token 0x%02x", tok);
        }
    }
    *stop = off;
    return true;
}

static struct bx_template *template_get(struct evtx_chunk *ch, uint32_t def_off, unsigned depth)
{
    struct bx_template *t = evtx_map_get(&ch->tmpls, def_off);
    uint32_t size, start, stop;
    bool ok;
    if (t) {
        if (t->state == 1) {
            return t;
        }
        bx_fail(ch, def_off,
                t->state == 0 ? "template at 0x%x instantiates itself"
                              : "template at 0x%x is damaged",
                def_off);
        return NULL;
    }
    if (depth + 1 > ch->max_depth) {
        bx_fail(ch, def_off, "templates nested deeper than %u", ch->max_depth);
        return NULL;
    }
    if (!rh_fits(EVTX_CHUNK_SIZE, def_off, BX_TEMPLATE_HDR) || def_off < EVTX_CHUNK_HEADER_SIZE) {
        bx_fail(ch, def_off, "template offset 0x%x outside the chunk's records", def_off);
        return NULL;
    }
    size = rh_le32(ch->data + def_off + BX_TEMPLATE_DATA_SIZE);
    if (!rh_fits(EVTX_CHUNK_SIZE, def_off + BX_TEMPLATE_HDR, size)) {
        bx_fail(ch, def_off, "template at 0x%x: %u bytes of data run past the chunk", def_off,
                size);
        return NULL;
    }
    t = rh_arena_alloc(&ch->arena, sizeof(*t));
    if (!t) {
        bx_nomem(ch, def_off);
        return NULL;
    }
    memset(t, 0, sizeof(*t));
    t->offset = def_off;
    memcpy(t->guid, ch->data + def_off + BX_TEMPLATE_GUID, 16);
    t->data_size = size;
    if (evtx_map_put(&ch->tmpls, def_off, t) != RH_OK) {
        bx_nomem(ch, def_off);
        return NULL;
    }
    start = ch->nops;
    ok =
        bx_parse(ch, def_off + BX_TEMPLATE_HDR, def_off + BX_TEMPLATE_HDR + size, depth + 1, &stop);
    if (ok) {
        t->nops = ch->nops - start;
        t->ops = rh_arena_alloc(&ch->arena, (size_t)t->nops * sizeof(*t->ops));
        if (!t->ops) {
            ok = bx_nomem(ch, def_off);
        } else if (t->nops) {
            memcpy(t->ops, ch->ops + start, (size_t)t->nops * sizeof(*t->ops));
        }
    }
    ch->nops = start;
    t->state = ok ? 1 : -1;
    return ok ? t : NULL;
}

/* ---- element tree ------------------------------------------------------------------- */

static struct bx_node *new_node(struct evtx_chunk *ch, uint8_t kind)
{
    struct bx_node *n = rh_arena_alloc(&ch->rec_arena, sizeof(*n));
    if (n) {
        memset(n, 0, sizeof(*n));
        n->kind = kind;
    }
    return n;
}

static void append_child(struct bx_node *parent, struct bx_node *n)
{
    n->parent = parent;
    if (parent->child_tail) {
        parent->child_tail->next = n;
    } else {
        parent->child = n;
    }
    parent->child_tail = n;
}

/* A new attribute, named by op, after the element's last one; NULL when out of memory. */
static struct bx_attr *append_attr(struct evtx_chunk *ch, struct bx_node *elem,
                                   const struct bx_op *op)
{
    struct bx_attr *a = rh_arena_alloc(&ch->rec_arena, sizeof(*a));
    if (!a) {
        return NULL;
    }
    memset(a, 0, sizeof(*a));
    a->name = op->name;
    a->name_len = op->name_len;
    if (elem->attrs_tail) {
        elem->attrs_tail->next = a;
    } else {
        elem->attrs = a;
    }
    elem->attrs_tail = a;
    return a;
}

/* Append a content node to an attribute's value; the attribute is then no longer omitted. */
static void append_attr_value(struct bx_attr *attr, struct bx_node *n)
{
    if (attr->vals_tail) {
        attr->vals_tail->next = n;
    } else {
        attr->vals = n;
    }
    attr->vals_tail = n;
    attr->omit = false;
}

static bool bx_build(struct evtx_chunk *ch, const struct bx_op *ops, uint32_t nops,
                     const struct bx_val *subs, uint32_t nsubs, struct bx_node *parent,
                     unsigned depth);

static bool build_template(struct evtx_chunk *ch, const struct bx_op *op, struct bx_node *parent,
                           unsigned depth)
{
    uint32_t i, count = op->size;
    const uint8_t *p = op->values;
    struct bx_val *subs = NULL;
    if (count) {
        subs = rh_arena_alloc(&ch->rec_arena, (size_t)count * sizeof(*subs));
        if (!subs) {
            return bx_nomem(ch, 0);
        }
    }
    /* Sizes were checked against the fragment when the instance was parsed. */
    for (i = 0; i < count; i++) {
        subs[i].size = rh_le16(op->data + 4 * i);
        subs[i].type = op->data[4 * i + 2];
        subs[i].data = p;
        p += subs[i].size;
    }
    return bx_build(ch, op->tmpl->ops, op->tmpl->nops, subs, count, parent, depth + 1);
}

static bool bx_build(struct evtx_chunk *ch, const struct bx_op *ops, uint32_t nops,
                     const struct bx_val *subs, uint32_t nsubs, struct bx_node *parent,
                     unsigned depth)
{
    struct bx_node *cur = parent;
    struct bx_attr *attr = NULL;
    bool in_start = false;
    unsigned height = 0;
    uint32_t i;
    if (depth > ch->max_depth) {
        return bx_fail(ch, 0, "BinXML nested deeper than %u", ch->max_depth);
    }
    for (i = 0; i < nops; i++) {
        const struct bx_op *op = &ops[i];
        struct bx_node *n = NULL;
        switch (op->kind) {
        case OP_OPEN:
            if (in_start) {
                return bx_fail(ch, 0, "element <%s> starts inside an attribute list", op->name);
            }
            if (depth + height + 1 > ch->max_depth) {
                return bx_fail(ch, 0, "elements nested deeper than %u", ch->max_depth);
            }
            n = new_node(ch, BXN_ELEM);
            if (!n) {
                return bx_nomem(ch, 0);
            }
            n->name = op->name;
            n->name_len = op->name_len;
            append_child(cur, n);
            cur = n;
            height++;
            in_start = true;
            attr = NULL;
            continue;
        case OP_ATTR:
            if (!in_start) {
                return bx_fail(ch, 0, "attribute %s outside an element start", op->name);
            }
            attr = append_attr(ch, cur, op);
            if (!attr) {
                return bx_nomem(ch, 0);
            }
            continue;
        case OP_CLOSE_START:
            if (!in_start) {
                return bx_fail(ch, 0, "element start closed twice");
            }
            in_start = false;
            attr = NULL;
            continue;
        case OP_CLOSE_EMPTY:
        case OP_END:
            if (height == 0) {
                return bx_fail(ch, 0, "end of an element that was never started");
            }
            cur = cur->parent;
            height--;
            in_start = false;
            attr = NULL;
            continue;
        case OP_VALUE:
        case OP_CDATA:
        case OP_PI:
            n = new_node(ch, op->kind == OP_VALUE   ? BXN_VALUE
                             : op->kind == OP_CDATA ? BXN_CDATA
                                                    : BXN_PI);
            if (!n) {
                return bx_nomem(ch, 0);
            }
            n->val.type = op->vtype;
            n->val.data = op->data;
            n->val.size = op->size;
            n->name = op->name;
            n->name_len = op->name_len;
            break;
        case OP_CHARREF:
            n = new_node(ch, BXN_CHARREF);
            if (!n) {
                return bx_nomem(ch, 0);
            }
            n->cp = op->cp;
            break;
        case OP_ENTREF:
            n = new_node(ch, BXN_ENTREF);
            if (!n) {
                return bx_nomem(ch, 0);
            }
            n->name = op->name;
            n->name_len = op->name_len;
            break;
        case OP_SUBST: {
            const struct bx_val *v;
            if (op->index >= nsubs) {
                return bx_fail(ch, 0, "substitution %u of %u", op->index, nsubs);
            }
            v = &subs[op->index];
            if (op->optional && (v->type == BX_T_NULL || v->size == 0)) {
                if (attr && !attr->vals) {
                    attr->omit = true;
                }
                continue;
            }
            if (v->type == BX_T_BINXML && !in_start) {
                uint32_t voff = (uint32_t)(v->data - ch->data);
                if (!binxml_fragment(ch, voff, voff + v->size, cur, depth + height + 1)) {
                    return false;
                }
                continue;
            }
            n = new_node(ch, BXN_VALUE);
            if (!n) {
                return bx_nomem(ch, 0);
            }
            n->val = *v;
            break;
        }
        case OP_TEMPLATE:
            if (in_start) {
                return bx_fail(ch, 0, "template instance inside an attribute list");
            }
            if (!build_template(ch, op, cur, depth + height)) {
                return false;
            }
            continue;
        default:
            return bx_fail(ch, 0, "internal: op %u", op->kind);
        }
        /* content node n */
        if (in_start) {
            if (!attr) {
                return bx_fail(ch, 0, "value inside an element start without an attribute");
            }
            append_attr_value(attr, n);
        } else {
            append_child(cur, n);
        }
    }
    /* Unclosed elements at the end of a fragment are closed implicitly (truncated data). */
    return true;
}

bool binxml_fragment(struct evtx_chunk *ch, uint32_t off, uint32_t end, struct bx_node *parent,
                     unsigned depth)
{
    uint32_t start = ch->nops, stop, n;
    struct bx_op *ops;
    bool ok;
    if (depth > ch->max_depth) {
        return bx_fail(ch, off, "BinXML nested deeper than %u", ch->max_depth);
    }
    if (end > EVTX_CHUNK_SIZE || off > end) {
        return bx_fail(ch, off, "fragment outside the chunk");
    }
    if (!bx_parse(ch, off, end, depth, &stop)) {
        ch->nops = start;
        return false;
    }
    n = ch->nops - start;
    ops = rh_arena_alloc(&ch->rec_arena, (size_t)n * sizeof(*ops));
    if (!ops) {
        ch->nops = start;
        return bx_nomem(ch, off);
    }
    if (n) {
        memcpy(ops, ch->ops + start, (size_t)n * sizeof(*ops));
    }
    ch->nops = start;
    ok = bx_build(ch, ops, n, NULL, 0, parent, depth);
    return ok;
}
