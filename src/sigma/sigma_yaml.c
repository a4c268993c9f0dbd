/*
 * Sigma: string interning and the libyaml event API -> small YAML tree.
 *
 * Suricata's conf-yaml-loader is the model: the event API (no libyaml document tree, so no
 * alias expansion), a nesting cap (rh_limits.max_xml_depth), problem_mark positions in every
 * error, and yaml_event_delete() on every path.
 */
#include <stdio.h>
#include <yaml.h>

#include "sigma_internal.h"

/* ---- string table --------------------------------------------------------------------------- */

/* Ids are 24 bits wide in the compiled rules. */
#define STRTAB_MAX (1u << 24)

void sigma_strtab_init(rh_ctx *ctx, struct sigma_strtab *t)
{
    rh_strmap_init(&t->map, ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 128, STRTAB_MAX);
    t->n = 0;
}

uint32_t sigma_strtab_find(const struct sigma_strtab *t, const char *s, size_t n)
{
    const struct rh_strmap_entry *e = rh_strmap_find(&t->map, s, n);
    return e ? (uint32_t)e->val : UINT32_MAX;
}

uint32_t sigma_strtab_intern(struct sigma_strtab *t, const char *s, size_t n)
{
    struct rh_strmap_entry *e;
    bool added;
    if (rh_strmap_put(&t->map, s, n, &e, &added) != RH_OK) {
        return UINT32_MAX;
    }
    if (added) {
        e->val = t->n++;
    }
    return (uint32_t)e->val;
}

void sigma_strtab_free(struct sigma_strtab *t)
{
    rh_strmap_free(&t->map);
    t->n = 0;
}

/* ---- YAML tree ---------------------------------------------------------------------------- */

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
    size_t i, kl = strlen(key);
    if (!map || map->kind != YN_MAP) {
        return NULL;
    }
    for (i = 0; i < map->n; i++) {
        const struct ynode *k = map->kids[2 * i];
        if (k->kind == YN_SCALAR && k->len == kl && memcmp(k->s, key, kl) == 0) {
            return map->kids[2 * i + 1];
        }
    }
    return NULL;
}

bool ynode_is_null(const struct ynode *n)
{
    if (!n || n->kind != YN_SCALAR || !n->plain) {
        return false;
    }
    return n->len == 0 || (n->len == 1 && n->s[0] == '~') ||
           (n->len == 4 && (memcmp(n->s, "null", 4) == 0 || memcmp(n->s, "Null", 4) == 0 ||
                            memcmp(n->s, "NULL", 4) == 0));
}

/* A node under construction: children collected in a growable temp array. */
struct yframe {
    struct ynode *node;
    struct ynode **tmp;
    size_t n, cap;
};

static int frame_push_child(rh_ctx *ctx, struct yframe *f, struct ynode *child)
{
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 8;
        struct ynode **t = rh_realloc(ctx, f->tmp, ncap * sizeof(*t));
        if (!t) {
            return -1;
        }
        f->tmp = t;
        f->cap = ncap;
    }
    f->tmp[f->n++] = child;
    return 0;
}

/* A node for a scalar or a collection start event, allocated in `a`; NULL on OOM. */
static struct ynode *node_from_event(struct rh_arena *a, const yaml_event_t *ev)
{
    struct ynode *node = rh_arena_zalloc(a, sizeof(*node));
    if (!node) {
        return NULL;
    }
    node->line = (int)ev->start_mark.line + 1;
    node->col = (int)ev->start_mark.column + 1;
    if (ev->type == YAML_SCALAR_EVENT) {
        node->kind = YN_SCALAR;
        node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        node->s = rh_arena_strndup(a, (const char *)ev->data.scalar.value, ev->data.scalar.length);
        node->len = ev->data.scalar.length;
        if (!node->s) {
            return NULL;
        }
    } else {
        node->kind = ev->type == YAML_SEQUENCE_START_EVENT ? YN_SEQ : YN_MAP;
    }
    return node;
}

/* Close a collection: move its children from the frame into the node and check that a
 * mapping has scalar keys, each with a value. */
static rh_status frame_close(struct rh_arena *a, struct yframe *f, int *err_line, int *err_col,
                             char *err, size_t errsz)
{
    size_t i;
    if (f->node->kind == YN_MAP && (f->n & 1)) {
        snprintf(err, errsz, "YAML mapping with a key and no value");
        return RH_ERR_RULE;
    }
    f->node->n = f->node->kind == YN_MAP ? f->n / 2 : f->n;
    if (f->n) {
        f->node->kids = rh_arena_array(a, f->n, sizeof(struct ynode *));
        if (!f->node->kids) {
            return RH_ERR_NOMEM;
        }
        memcpy(f->node->kids, f->tmp, f->n * sizeof(struct ynode *));
    }
    f->n = 0;
    if (f->node->kind == YN_MAP) {
        for (i = 0; i < f->node->n; i++) {
            if (f->node->kids[2 * i]->kind != YN_SCALAR) {
                *err_line = f->node->kids[2 * i]->line;
                *err_col = f->node->kids[2 * i]->col;
                snprintf(err, errsz, "YAML mapping key is not a scalar");
                return RH_ERR_RULE;
            }
        }
    }
    return RH_OK;
}

rh_status sigma_yaml_parse(rh_ctx *ctx, struct rh_arena *a, const char *name, const char *text,
                           size_t len, uint32_t max_depth, struct ynode ***docs, size_t *ndocs,
                           int *err_line, int *err_col, char *err, size_t errsz)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    struct yframe *stack = NULL;
    size_t depth = 0, i;
    struct ynode **dv = NULL;
    size_t dn = 0, dcap = 0;
    rh_status st = RH_OK;
    bool done = false;

    *docs = NULL;
    *ndocs = 0;
    *err_line = *err_col = 0;
    err[0] = '\0';
    if (max_depth == 0 || max_depth > 4096) {
        max_depth = 128;
    }
    stack = rh_calloc(ctx, (size_t)max_depth + 2, sizeof(*stack));
    if (!stack) {
        return RH_ERR_NOMEM;
    }
    if (!yaml_parser_initialize(&parser)) {
        rh_free(ctx, stack);
        return RH_ERR_NOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);

    while (!done) {
        struct ynode *node = NULL;
        if (!yaml_parser_parse(&parser, &ev)) {
            *err_line = (int)parser.problem_mark.line + 1;
            *err_col = (int)parser.problem_mark.column + 1;
            snprintf(err, errsz, "YAML syntax error: %s%s%s",
                     parser.problem ? parser.problem : "unknown", parser.context ? " " : "",
                     parser.context ? parser.context : "");
            st = RH_ERR_RULE;
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            node = node_from_event(a, &ev);
            if (!node) {
                st = RH_ERR_NOMEM;
                break;
            }
            if (depth > 0 && frame_push_child(ctx, &stack[depth - 1], node) < 0) {
                st = RH_ERR_NOMEM;
                break;
            }
            if (depth == 0) {
                if (dn == dcap) {
                    size_t ncap = dcap ? dcap * 2 : 4;
                    struct ynode **t = rh_realloc(ctx, dv, ncap * sizeof(*t));
                    if (!t) {
                        st = RH_ERR_NOMEM;
                        break;
                    }
                    dv = t;
                    dcap = ncap;
                }
                dv[dn++] = node;
            }
            if (ev.type != YAML_SCALAR_EVENT) {
                if (depth >= max_depth) {
                    *err_line = node->line;
                    *err_col = node->col;
                    snprintf(err, errsz, "YAML nesting deeper than %u", (unsigned)max_depth);
                    st = RH_ERR_LIMIT;
                    break;
                }
                stack[depth].node = node;
                stack[depth].n = 0;
                depth++;
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth == 0) {
                st = RH_ERR_RULE;
                break;
            }
            st = frame_close(a, &stack[--depth], err_line, err_col, err, errsz);
            break;
        case YAML_ALIAS_EVENT:
            *err_line = (int)ev.start_mark.line + 1;
            *err_col = (int)ev.start_mark.column + 1;
            snprintf(err, errsz, "YAML aliases are not supported in Sigma rules");
            st = RH_ERR_RULE;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (st != RH_OK) {
            break;
        }
    }
    yaml_parser_delete(&parser);
    for (i = 0; i < (size_t)max_depth + 2; i++) {
        rh_free(ctx, stack[i].tmp);
    }
    rh_free(ctx, stack);
    if (st != RH_OK) {
        rh_free(ctx, dv);
        if (st != RH_ERR_NOMEM) {
            rh_diag_at(ctx, RH_DIAG_ERROR, "sigma", name, *err_line, *err_col, "%s",
                       err[0] ? err : "YAML error");
        }
        return st;
    }
    if (dn) {
        *docs = rh_arena_array(a, dn, sizeof(**docs));
        if (!*docs) {
            rh_free(ctx, dv);
            return RH_ERR_NOMEM;
        }
        memcpy(*docs, dv, dn * sizeof(**docs));
    }
    *ndocs = dn;
    rh_free(ctx, dv);
    return RH_OK;
}
