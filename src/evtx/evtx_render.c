/*
 * Outputs of one record's element tree: the normalized rh_event (System header + EventData /
 * UserData fields), Windows-style XML and evtx_dump-style JSON. All strings are copied into
 * the chunk batch's arena, so they outlive the record arena.
 */
#include <stdio.h>

#include "evtx_internal.h"

/* ---- text of values ------------------------------------------------------------------ */

struct join_ctx {
    rh_buf *out;
    unsigned mode;
    size_t n;
    rh_status st;
};

static bool join_item(uint8_t type, const uint8_t *p, size_t n, void *user)
{
    struct join_ctx *j = user;
    if (j->n++ && j->st == RH_OK) {
        j->st = rh_buf_putc(j->out, ',');
    }
    if (j->st == RH_OK) {
        j->st = bxv_render(j->out, type, p, n, j->mode);
    }
    return j->st == RH_OK;
}

static rh_status value_text(const struct bx_val *v, rh_buf *out, unsigned mode)
{
    if (v->type & BX_T_ARRAY) {
        struct join_ctx j = {out, mode, 0, RH_OK};
        bxv_array_items(v, join_item, &j);
        return j.st;
    }
    return bxv_render(out, v->type, v->data, v->size, mode);
}

static rh_status entity_text(const char *name, uint32_t len, rh_buf *out)
{
    static const struct {
        const char *name, *text;
    } ents[] = {{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
    size_t i;
    for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
        if (strlen(ents[i].name) == len && memcmp(ents[i].name, name, len) == 0) {
            return rh_buf_puts(out, ents[i].text);
        }
    }
    /* Unknown entity: keep the reference as written. */
    if (rh_buf_putc(out, '&') != RH_OK || rh_buf_append(out, name, len) != RH_OK) {
        return RH_ERR_NOMEM;
    }
    return rh_buf_putc(out, ';');
}

/* Plain (unescaped) text of one content node. */
static rh_status content_text(const struct bx_node *n, rh_buf *out, unsigned mode)
{
    switch (n->kind) {
    case BXN_VALUE:
        return value_text(&n->val, out, mode);
    case BXN_CDATA:
        return rh_utf16le_to_utf8(out, n->val.data, n->val.size, 0);
    case BXN_CHARREF:
        return rh_buf_put_cp(out, n->cp >= 0xD800 && n->cp <= 0xDFFF ? 0xFFFD : n->cp);
    case BXN_ENTREF:
        return entity_text(n->name, n->name_len, out);
    default:
        return RH_OK;
    }
}

rh_status evtx_node_text(struct bx_node *el, rh_buf *out)
{
    const struct bx_node *c;
    rh_status st = RH_OK;
    for (c = el->child; c && st == RH_OK; c = c->next) {
        st = content_text(c, out, 0);
    }
    return st;
}

static rh_status attr_text(const struct bx_attr *a, rh_buf *out, unsigned mode)
{
    const struct bx_node *c;
    rh_status st = RH_OK;
    for (c = a->vals; c && st == RH_OK; c = c->next) {
        st = content_text(c, out, mode);
    }
    return st;
}

static const struct bx_attr *find_attr(const struct bx_node *el, const char *name)
{
    const struct bx_attr *a;
    size_t len = strlen(name);
    for (a = el->attrs; a; a = a->next) {
        if (a->name_len == len && memcmp(a->name, name, len) == 0) {
            return a;
        }
    }
    return NULL;
}

static bool name_is(const struct bx_node *n, const char *name)
{
    size_t len = strlen(name);
    return n->kind == BXN_ELEM && n->name_len == len && memcmp(n->name, name, len) == 0;
}

/* An element whose only content is one array value is repeated once per item. */
static const struct bx_node *sole_array(const struct bx_node *el)
{
    const struct bx_node *c = el->child;
    if (c && !c->next && c->kind == BXN_VALUE && (c->val.type & BX_T_ARRAY)) {
        return c;
    }
    return NULL;
}

static bool has_child_elem(const struct bx_node *el);
static rh_status xml_node(struct evtx_chunk *ch, const struct bx_node *n, rh_buf *out,
                          unsigned depth);

/* ---- rh_event ------------------------------------------------------------------------- */

static const char *arena_text(struct evtx_batch *b, const rh_buf *t)
{
    return rh_arena_strndup(&b->arena, t->data ? t->data : "", t->len);
}

static bool add_field(struct evtx_chunk *ch, const char *name, size_t name_len, const char *value,
                      size_t value_len, rh_field_type type, uint64_t num, struct evtx_batch *b)
{
    rh_event_field *f;
    if (ch->nfields == ch->fields_cap) {
        size_t ncap = ch->fields_cap ? ch->fields_cap * 2 : 32;
        rh_event_field *nf = rh_realloc(ch->ctx, ch->fields, ncap * sizeof(*nf));
        if (!nf) {
            return false;
        }
        ch->fields = nf;
        ch->fields_cap = ncap;
    }
    f = &ch->fields[ch->nfields];
    f->name = rh_arena_strndup(&b->arena, name, name_len);
    f->value = rh_arena_strndup(&b->arena, value, value_len);
    if (!f->name || !f->value) {
        return false;
    }
    f->value_len = value_len;
    f->type = type;
    f->num = num;
    ch->nfields++;
    return true;
}

struct field_items {
    struct evtx_chunk *ch;
    struct evtx_batch *b;
    const char *name;
    size_t name_len;
    bool ok;
};

static bool field_item(uint8_t type, const uint8_t *p, size_t n, void *user)
{
    struct field_items *fi = user;
    uint64_t num;
    rh_field_type ft = bxv_field_type(type, p, n, &num);
    rh_buf_reset(&fi->ch->tmp2);
    if (bxv_render(&fi->ch->tmp2, type, p, n, 0) != RH_OK ||
        !add_field(fi->ch, fi->name, fi->name_len, fi->ch->tmp2.data ? fi->ch->tmp2.data : "",
                   fi->ch->tmp2.len, ft, num, fi->b)) {
        fi->ok = false;
    }
    return fi->ok;
}

/* One field from an element's content (several for an array value). */
static bool field_from_elem(struct evtx_chunk *ch, const char *name, size_t name_len,
                            struct bx_node *el, struct evtx_batch *b)
{
    const struct bx_node *arr = sole_array(el);
    rh_field_type ft = RH_FIELD_STRING;
    uint64_t num = 0;
    if (arr) {
        struct field_items fi = {ch, b, name, name_len, true};
        bxv_array_items(&arr->val, field_item, &fi);
        return fi.ok;
    }
    if (!el->child) {
        ft = RH_FIELD_NULL;
    } else if (!el->child->next && el->child->kind == BXN_VALUE) {
        ft = bxv_field_type(el->child->val.type, el->child->val.data, el->child->val.size, &num);
    }
    rh_buf_reset(&ch->tmp2);
    if (has_child_elem(el)) {
        /* Nested BinXML (a BinXml substitution): the value is the XML of the children. */
        const struct bx_node *c;
        rh_buf_reset(&ch->out);
        for (c = el->child; c; c = c->next) {
            if (xml_node(ch, c, &ch->out, 1) != RH_OK) {
                return false;
            }
        }
        return add_field(ch, name, name_len, ch->out.data ? ch->out.data : "", ch->out.len,
                         RH_FIELD_STRING, 0, b);
    }
    if (evtx_node_text(el, &ch->tmp2) != RH_OK) {
        return false;
    }
    return add_field(ch, name, name_len, ch->tmp2.data ? ch->tmp2.data : "", ch->tmp2.len, ft, num,
                     b);
}

static bool has_child_elem(const struct bx_node *el)
{
    const struct bx_node *c;
    for (c = el->child; c; c = c->next) {
        if (c->kind == BXN_ELEM) {
            return true;
        }
    }
    return false;
}

/* UserData: every leaf element below the wrapper becomes a field named after the leaf. */
static bool user_data_fields(struct evtx_chunk *ch, struct bx_node *el, struct evtx_batch *b,
                             unsigned depth)
{
    struct bx_node *c;
    if (depth > ch->max_depth) {
        return true;
    }
    for (c = el->child; c; c = c->next) {
        if (c->kind != BXN_ELEM) {
            continue;
        }
        if (has_child_elem(c)) {
            if (!user_data_fields(ch, c, b, depth + 1)) {
                return false;
            }
        } else if (!field_from_elem(ch, c->name, c->name_len, c, b)) {
            return false;
        }
    }
    return true;
}

static uint64_t parse_u64(const rh_buf *t)
{
    uint64_t v = 0;
    size_t i;
    for (i = 0; i < t->len && t->data[i] >= '0' && t->data[i] <= '9'; i++) {
        if (v > (UINT64_MAX - 9) / 10) {
            return 0;
        }
        v = v * 10 + (uint64_t)(t->data[i] - '0');
    }
    return v;
}

static const char *attr_dup(struct evtx_chunk *ch, const struct bx_node *el, const char *name,
                            struct evtx_batch *b, bool *ok)
{
    const struct bx_attr *a = find_attr(el, name);
    const char *s;
    if (!a || a->omit) {
        return NULL;
    }
    rh_buf_reset(&ch->tmp2);
    if (attr_text(a, &ch->tmp2, 0) != RH_OK) {
        *ok = false;
        return NULL;
    }
    s = arena_text(b, &ch->tmp2);
    if (!s) {
        *ok = false;
    }
    return s;
}

static uint64_t attr_u64(struct evtx_chunk *ch, const struct bx_node *el, const char *name,
                         bool *ok)
{
    const struct bx_attr *a = find_attr(el, name);
    if (!a) {
        return 0;
    }
    if (a->vals && !a->vals->next && a->vals->kind == BXN_VALUE) {
        uint64_t num;
        rh_field_type t =
            bxv_field_type(a->vals->val.type, a->vals->val.data, a->vals->val.size, &num);
        if (t == RH_FIELD_INT || t == RH_FIELD_HEX || t == RH_FIELD_TIME) {
            return num;
        }
    }
    rh_buf_reset(&ch->tmp2);
    if (attr_text(a, &ch->tmp2, 0) != RH_OK) {
        *ok = false;
        return 0;
    }
    return parse_u64(&ch->tmp2);
}

static bool system_header(struct evtx_chunk *ch, struct bx_node *sys, rh_event *ev,
                          struct evtx_batch *b)
{
    struct bx_node *c;
    bool ok = true;
    for (c = sys->child; c && ok; c = c->next) {
        if (c->kind != BXN_ELEM) {
            continue;
        }
        if (name_is(c, "Provider")) {
            ev->provider = attr_dup(ch, c, "Name", b, &ok);
            if (!ev->provider && ok) {
                ev->provider = attr_dup(ch, c, "EventSourceName", b, &ok);
            }
        } else if (name_is(c, "EventID") || name_is(c, "EventRecordID")) {
            uint64_t v;
            rh_buf_reset(&ch->tmp2);
            ok = evtx_node_text(c, &ch->tmp2) == RH_OK;
            v = parse_u64(&ch->tmp2);
            if (name_is(c, "EventID")) {
                ev->event_id = (uint32_t)v;
            } else if (v) {
                ev->record_id = v;
            }
        } else if (name_is(c, "TimeCreated")) {
            const struct bx_attr *a = find_attr(c, "SystemTime");
            if (a && a->vals && !a->vals->next && a->vals->kind == BXN_VALUE &&
                a->vals->val.type == BX_T_FILETIME && a->vals->val.size >= 8) {
                ev->timestamp = rh_le64(a->vals->val.data);
            } else if (a) {
                uint64_t ft;
                rh_buf_reset(&ch->tmp2);
                ok = attr_text(a, &ch->tmp2, 0) == RH_OK;
                if (ok && rh_time_parse_iso(ch->tmp2.data ? ch->tmp2.data : "", ch->tmp2.len,
                                            &ft) == RH_OK) {
                    ev->timestamp = ft;
                }
            }
        } else if (name_is(c, "Execution")) {
            ev->process_id = (uint32_t)attr_u64(ch, c, "ProcessID", &ok);
            ev->thread_id = (uint32_t)attr_u64(ch, c, "ThreadID", &ok);
        } else if (name_is(c, "Channel") || name_is(c, "Computer")) {
            const char *s;
            rh_buf_reset(&ch->tmp2);
            ok = evtx_node_text(c, &ch->tmp2) == RH_OK;
            s = ok ? arena_text(b, &ch->tmp2) : NULL;
            ok = ok && s;
            if (name_is(c, "Channel")) {
                ev->channel = s;
            } else {
                ev->computer = s;
            }
        } else if (name_is(c, "Security")) {
            ev->user_sid = attr_dup(ch, c, "UserID", b, &ok);
        }
    }
    return ok;
}

static bool event_from_tree(struct evtx_chunk *ch, struct bx_node *event, rh_event *ev,
                            struct evtx_batch *b)
{
    struct bx_node *c, *d;
    for (c = event->child; c; c = c->next) {
        if (name_is(c, "System")) {
            if (!system_header(ch, c, ev, b)) {
                return false;
            }
        } else if (name_is(c, "EventData")) {
            for (d = c->child; d; d = d->next) {
                const struct bx_attr *a;
                if (d->kind != BXN_ELEM) {
                    continue;
                }
                a = name_is(d, "Data") ? find_attr(d, "Name") : NULL;
                if (a) {
                    rh_buf_reset(&ch->tmp);
                    if (attr_text(a, &ch->tmp, 0) != RH_OK ||
                        !field_from_elem(ch, ch->tmp.data ? ch->tmp.data : "", ch->tmp.len, d, b)) {
                        return false;
                    }
                } else if (!field_from_elem(ch, d->name, d->name_len, d, b)) {
                    return false;
                }
            }
        } else if (name_is(c, "UserData")) {
            for (d = c->child; d; d = d->next) {
                if (d->kind == BXN_ELEM && !user_data_fields(ch, d, b, 0)) {
                    return false;
                }
            }
        }
    }
    return true;
}

/* ---- XML ------------------------------------------------------------------------------ */

static rh_status xml_escape(rh_buf *out, const char *p, size_t n, bool attr)
{
    size_t i, run = 0;
    rh_status st = RH_OK;
    for (i = 0; i < n && st == RH_OK; i++) {
        unsigned char c = (unsigned char)p[i];
        const char *rep = NULL;
        char num[8];
        if (c == '&') {
            rep = "&amp;";
        } else if (c == '<') {
            rep = "&lt;";
        } else if (c == '>') {
            rep = "&gt;";
        } else if (c == '"' && attr) {
            rep = "&quot;";
        } else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            snprintf(num, sizeof(num), "&#x%X;", (unsigned)c);
            rep = num;
        }
        if (rep) {
            if (i > run) {
                st = rh_buf_append(out, p + run, i - run);
            }
            if (st == RH_OK) {
                st = rh_buf_puts(out, rep);
            }
            run = i + 1;
        }
    }
    if (st == RH_OK && n > run) {
        st = rh_buf_append(out, p + run, n - run);
    }
    return st;
}

static rh_status xml_text(struct evtx_chunk *ch, const struct bx_node *n, rh_buf *out, bool attr)
{
    rh_status st;
    if (n->kind == BXN_CHARREF) {
        return rh_buf_printf(out, "&#%u;", (unsigned)n->cp);
    }
    if (n->kind == BXN_ENTREF) {
        if (rh_buf_putc(out, '&') != RH_OK || rh_buf_append(out, n->name, n->name_len) != RH_OK) {
            return RH_ERR_NOMEM;
        }
        return rh_buf_putc(out, ';');
    }
    rh_buf_reset(&ch->tmp2);
    st = content_text(n, &ch->tmp2, BXV_XML);
    if (st == RH_OK) {
        st = xml_escape(out, ch->tmp2.data ? ch->tmp2.data : "", ch->tmp2.len, attr);
    }
    return st;
}

static rh_status xml_elem(struct evtx_chunk *ch, const struct bx_node *el, rh_buf *out,
                          const struct bx_val *item, unsigned depth);

struct xml_items {
    struct evtx_chunk *ch;
    const struct bx_node *el;
    rh_buf *out;
    unsigned depth;
    rh_status st;
};

static bool xml_item(uint8_t type, const uint8_t *p, size_t n, void *user)
{
    struct xml_items *xi = user;
    struct bx_val v;
    v.type = type;
    v.data = p;
    v.size = (uint32_t)n;
    xi->st = xml_elem(xi->ch, xi->el, xi->out, &v, xi->depth);
    return xi->st == RH_OK;
}

static rh_status xml_node(struct evtx_chunk *ch, const struct bx_node *n, rh_buf *out,
                          unsigned depth)
{
    rh_status st;
    switch (n->kind) {
    case BXN_ELEM: {
        const struct bx_node *arr = sole_array(n);
        if (arr) {
            struct xml_items xi = {ch, n, out, depth, RH_OK};
            if (bxv_array_items(&arr->val, xml_item, &xi) == 0) {
                return xml_elem(ch, n, out, NULL, depth);
            }
            return xi.st;
        }
        return xml_elem(ch, n, out, NULL, depth);
    }
    case BXN_CDATA:
        st = rh_buf_puts(out, "<![CDATA[");
        if (st == RH_OK) {
            st = rh_utf16le_to_utf8(out, n->val.data, n->val.size, 0);
        }
        return st == RH_OK ? rh_buf_puts(out, "]]>") : st;
    case BXN_PI:
        st = rh_buf_puts(out, "<?");
        if (st == RH_OK) {
            st = rh_buf_append(out, n->name, n->name_len);
        }
        if (st == RH_OK && n->val.size) {
            st = rh_buf_putc(out, ' ');
            if (st == RH_OK) {
                st = rh_utf16le_to_utf8(out, n->val.data, n->val.size, 0);
            }
        }
        return st == RH_OK ? rh_buf_puts(out, "?>") : st;
    default:
        return xml_text(ch, n, out, false);
    }
}

static rh_status xml_elem(struct evtx_chunk *ch, const struct bx_node *el, rh_buf *out,
                          const struct bx_val *item, unsigned depth)
{
    const struct bx_attr *a;
    const struct bx_node *c;
    rh_status st;
    if (depth > ch->max_depth) {
        return RH_OK;
    }
    st = rh_buf_putc(out, '<');
    if (st == RH_OK) {
        st = rh_buf_append(out, el->name, el->name_len);
    }
    for (a = el->attrs; a && st == RH_OK; a = a->next) {
        if (a->omit && !a->vals) {
            continue;
        }
        st = rh_buf_putc(out, ' ');
        if (st == RH_OK) {
            st = rh_buf_append(out, a->name, a->name_len);
        }
        if (st == RH_OK) {
            st = rh_buf_append(out, "=\"", 2);
        }
        for (c = a->vals; c && st == RH_OK; c = c->next) {
            st = xml_text(ch, c, out, true);
        }
        if (st == RH_OK) {
            st = rh_buf_putc(out, '"');
        }
    }
    if (st != RH_OK) {
        return st;
    }
    if (!el->child) {
        return rh_buf_append(out, "/>", 2);
    }
    st = rh_buf_putc(out, '>');
    if (item) {
        rh_buf_reset(&ch->tmp2);
        st = bxv_render(&ch->tmp2, item->type, item->data, item->size, BXV_XML);
        if (st == RH_OK) {
            st = xml_escape(out, ch->tmp2.data ? ch->tmp2.data : "", ch->tmp2.len, false);
        }
    } else {
        for (c = el->child; c && st == RH_OK; c = c->next) {
            st = xml_node(ch, c, out, depth + 1);
        }
    }
    if (st == RH_OK) {
        st = rh_buf_append(out, "</", 2);
    }
    if (st == RH_OK) {
        st = rh_buf_append(out, el->name, el->name_len);
    }
    return st == RH_OK ? rh_buf_putc(out, '>') : st;
}

/* ---- JSON (evtx_dump style) ------------------------------------------------------------ */

static rh_status json_str(rh_buf *out, const char *p, size_t n)
{
    rh_status st = rh_buf_putc(out, '"');
    if (st == RH_OK) {
        st = rh_escape_append(out, p, n, RH_ESC_JSON);
    }
    return st == RH_OK ? rh_buf_putc(out, '"') : st;
}

/* A typed scalar: numbers and booleans unquoted, NULL as null, the rest as strings. */
static rh_status json_value(struct evtx_chunk *ch, uint8_t type, const uint8_t *p, size_t n,
                            rh_buf *out)
{
    rh_status st;
    switch (type) {
    case BX_T_NULL:
        return rh_buf_puts(out, "null");
    case BX_T_INT8:
    case BX_T_UINT8:
    case BX_T_INT16:
    case BX_T_UINT16:
    case BX_T_INT32:
    case BX_T_UINT32:
    case BX_T_INT64:
    case BX_T_UINT64:
    case BX_T_BOOL:
        if (n >= 1) {
            return bxv_render(out, type, p, n, 0);
        }
        break;
    default:
        break;
    }
    rh_buf_reset(&ch->tmp2);
    st = bxv_render(&ch->tmp2, type, p, n, 0);
    return st == RH_OK ? json_str(out, ch->tmp2.data ? ch->tmp2.data : "", ch->tmp2.len) : st;
}

static rh_status json_content(struct evtx_chunk *ch, const struct bx_node *el, rh_buf *out,
                              unsigned depth);

struct json_items {
    struct evtx_chunk *ch;
    rh_buf *out;
    size_t n;
    rh_status st;
};

static bool json_item(uint8_t type, const uint8_t *p, size_t n, void *user)
{
    struct json_items *ji = user;
    if (ji->n++) {
        ji->st = rh_buf_putc(ji->out, ',');
    }
    if (ji->st == RH_OK) {
        ji->st = json_value(ji->ch, type, p, n, ji->out);
    }
    return ji->st == RH_OK;
}

/* Text-only content (no child elements) as one JSON value. */
static rh_status json_text_value(struct evtx_chunk *ch, const struct bx_node *el, rh_buf *out)
{
    const struct bx_node *c = el->child;
    rh_status st;
    if (!c) {
        return rh_buf_puts(out, "null");
    }
    if (!c->next && c->kind == BXN_VALUE) {
        if (c->val.type & BX_T_ARRAY) {
            struct json_items ji = {ch, out, 0, RH_OK};
            st = rh_buf_putc(out, '[');
            bxv_array_items(&c->val, json_item, &ji);
            return ji.st == RH_OK && st == RH_OK ? rh_buf_putc(out, ']') : RH_ERR_NOMEM;
        }
        return json_value(ch, c->val.type, c->val.data, c->val.size, out);
    }
    rh_buf_reset(&ch->tmp);
    st = evtx_node_text((struct bx_node *)el, &ch->tmp);
    return st == RH_OK ? json_str(out, ch->tmp.data ? ch->tmp.data : "", ch->tmp.len) : st;
}

/* Object key of a child element: Data Name="X" gives X; repeated keys get _1, _2 ... */
static rh_status json_key(struct evtx_chunk *ch, const struct bx_node *parent,
                          const struct bx_node *el, rh_buf *out, const char **key, size_t *key_len)
{
    const struct bx_attr *a = name_is(el, "Data") ? find_attr(el, "Name") : NULL;
    const struct bx_node *p;
    unsigned dup = 0, scanned = 0;
    (void)out;
    rh_buf_reset(&ch->tmp);
    if (a) {
        if (attr_text(a, &ch->tmp, 0) != RH_OK) {
            return RH_ERR_NOMEM;
        }
    } else if (rh_buf_append(&ch->tmp, el->name, el->name_len) != RH_OK) {
        return RH_ERR_NOMEM;
    }
    /* Count earlier siblings with the same element name (bounded scan). */
    for (p = parent->child; p && p != el && scanned < 256; p = p->next, scanned++) {
        if (p->kind == BXN_ELEM && p->name_len == el->name_len &&
            memcmp(p->name, el->name, el->name_len) == 0) {
            if (!a) {
                dup++;
            } else {
                const struct bx_attr *pa = find_attr(p, "Name");
                rh_buf_reset(&ch->tmp2);
                if (pa && attr_text(pa, &ch->tmp2, 0) == RH_OK && ch->tmp2.len == ch->tmp.len &&
                    (ch->tmp.len == 0 || memcmp(ch->tmp2.data, ch->tmp.data, ch->tmp.len) == 0)) {
                    dup++;
                }
            }
        }
    }
    if (dup && rh_buf_printf(&ch->tmp, "_%u", dup) != RH_OK) {
        return RH_ERR_NOMEM;
    }
    *key = ch->tmp.data ? ch->tmp.data : "";
    *key_len = ch->tmp.len;
    return RH_OK;
}

static rh_status json_elem(struct evtx_chunk *ch, const struct bx_node *el, rh_buf *out,
                           unsigned depth)
{
    const struct bx_attr *a;
    const struct bx_node *c;
    bool has_attrs = false, has_elems = has_child_elem(el), data_named;
    rh_status st = RH_OK;
    for (a = el->attrs; a; a = a->next) {
        if (!(a->omit && !a->vals)) {
            has_attrs = true;
        }
    }
    data_named = name_is(el, "Data") && find_attr(el, "Name");
    if (data_named || (!has_attrs && !has_elems)) {
        return json_text_value(ch, el, out);
    }
    (void)c;
    st = rh_buf_putc(out, '{');
    if (has_attrs && st == RH_OK) {
        bool first = true;
        st = rh_buf_puts(out, "\"#attributes\":{");
        for (a = el->attrs; a && st == RH_OK; a = a->next) {
            if (a->omit && !a->vals) {
                continue;
            }
            if (!first) {
                st = rh_buf_putc(out, ',');
            }
            first = false;
            if (st == RH_OK) {
                st = json_str(out, a->name, a->name_len);
            }
            if (st == RH_OK) {
                st = rh_buf_putc(out, ':');
            }
            if (st == RH_OK) {
                if (a->vals && !a->vals->next && a->vals->kind == BXN_VALUE &&
                    !(a->vals->val.type & BX_T_ARRAY)) {
                    st = json_value(ch, a->vals->val.type, a->vals->val.data, a->vals->val.size,
                                    out);
                } else {
                    rh_buf_reset(&ch->tmp);
                    st = attr_text(a, &ch->tmp, 0);
                    if (st == RH_OK) {
                        st = json_str(out, ch->tmp.data ? ch->tmp.data : "", ch->tmp.len);
                    }
                }
            }
        }
        if (st == RH_OK) {
            st = rh_buf_putc(out, '}');
        }
    }
    if (st == RH_OK) {
        st = json_content(ch, el, out, depth + 1);
        if (st == RH_OK && !has_elems && el->child) {
            st = rh_buf_puts(out, has_attrs ? ",\"#text\":" : "\"#text\":");
            if (st == RH_OK) {
                st = json_text_value(ch, el, out);
            }
        }
    }
    return st == RH_OK ? rh_buf_putc(out, '}') : st;
}

/* Child elements of el as "key":value pairs (preceded by ',' if el has attributes). */
static rh_status json_content(struct evtx_chunk *ch, const struct bx_node *el, rh_buf *out,
                              unsigned depth)
{
    const struct bx_node *c;
    bool first = true;
    const struct bx_attr *a;
    rh_status st = RH_OK;
    for (a = el->attrs; a; a = a->next) {
        if (!(a->omit && !a->vals)) {
            first = false;
        }
    }
    if (depth > ch->max_depth) {
        return RH_OK;
    }
    for (c = el->child; c && st == RH_OK; c = c->next) {
        const char *key;
        size_t key_len;
        if (c->kind != BXN_ELEM) {
            continue;
        }
        if (!first) {
            st = rh_buf_putc(out, ',');
        }
        first = false;
        if (st == RH_OK) {
            st = json_key(ch, el, c, out, &key, &key_len);
        }
        if (st == RH_OK) {
            st = json_str(out, key, key_len);
        }
        if (st == RH_OK) {
            st = rh_buf_putc(out, ':');
        }
        if (st == RH_OK) {
            st = json_elem(ch, c, out, depth);
        }
    }
    return st;
}

bool evtx_render_record(struct evtx_chunk *ch, struct bx_node *doc, struct evtx_batch *b,
                        struct evtx_entry *e)
{
    struct bx_node *event = NULL, *c;
    rh_event *ev = &e->ev;
    for (c = doc->child; c; c = c->next) {
        if (c->kind == BXN_ELEM) {
            event = c;
            break;
        }
    }
    if (!event) {
        return bx_fail(ch, 0, "record has no root element");
    }
    ch->nfields = 0;
    if (!event_from_tree(ch, event, ev, b)) {
        ch->nomem = true;
        return false;
    }
    if (ch->nfields) {
        rh_event_field *f = rh_arena_alloc(&b->arena, ch->nfields * sizeof(*f));
        if (!f) {
            ch->nomem = true;
            return false;
        }
        memcpy(f, ch->fields, ch->nfields * sizeof(*f));
        ev->fields = f;
        ev->nfields = ch->nfields;
    }
    if (ch->flags & RH_EVTX_XML) {
        rh_buf_reset(&ch->out);
        if (xml_node(ch, event, &ch->out, 0) != RH_OK || !(e->rec.xml = arena_text(b, &ch->out))) {
            ch->nomem = true;
            return false;
        }
        e->rec.xml_len = ch->out.len;
    }
    if (ch->flags & RH_EVTX_JSON) {
        const char *key;
        size_t key_len;
        rh_buf_reset(&ch->out);
        if (rh_buf_putc(&ch->out, '{') != RH_OK ||
            json_key(ch, doc, event, &ch->out, &key, &key_len) != RH_OK ||
            json_str(&ch->out, key, key_len) != RH_OK || rh_buf_putc(&ch->out, ':') != RH_OK ||
            json_elem(ch, event, &ch->out, 0) != RH_OK || rh_buf_putc(&ch->out, '}') != RH_OK ||
            !(e->rec.json = arena_text(b, &ch->out))) {
            ch->nomem = true;
            return false;
        }
        e->rec.json_len = ch->out.len;
    }
    return true;
}
