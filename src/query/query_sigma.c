/*
 * Sigma registry rules as queries: the rule's compiled detection (rh_sigma_rule_logic) mapped
 * to the backend's fields (Sysmon names: TargetObject, Details, Image, EventType, User,
 * ProcessId, ProcessGuid), with Sysmon hive names rewritten for platforms that spell them
 * differently. Anything a backend cannot express makes the rule a skip with the reason.
 */
#include "query_internal.h"

unsigned query_sigma_events(const rh_sigma_rule_info *info)
{
    if (info->kind != RH_SIGMA_DETECTION ||
        (info->product[0] && !rh_ascii_streq(info->product, "windows"))) {
        return 0;
    }
    if (rh_ascii_streq(info->category, "registry_set")) {
        return QE_SET;
    }
    if (rh_ascii_streq(info->category, "registry_add")) {
        return QE_ADD;
    }
    if (rh_ascii_streq(info->category, "registry_delete")) {
        return QE_DELETE;
    }
    if (rh_ascii_streq(info->category, "registry_event")) {
        return QE_ALL;
    }
    return 0;
}

struct sig_build {
    struct rh_arena *a;
    const struct qbackend *be;
    const char *why;
};

static const struct {
    const char *name;
    uint8_t field;
} sysmon_fields[] = {{"TargetObject", QF_PATH},   {"Details", QF_DATA}, {"Image", QF_IMAGE},
                     {"EventType", QF_EVENTTYPE}, {"User", QF_USER},    {"ProcessId", QF_PID},
                     {"ProcessGuid", QF_PGUID}};

/* Hive spellings: Sysmon prefix -> the platform's alternatives. */
struct rewrite {
    const char *from;
    const char *const *to;
};
static const char *const mde_hklm[] = {"HKEY_LOCAL_MACHINE\\", NULL};
static const char *const mde_hku[] = {"HKEY_USERS\\", "HKEY_CURRENT_USER\\", NULL};
static const char *const mde_hkcr[] = {"HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\", NULL};
static const char *const ecs_hklm[] = {"HKLM\\", "\\REGISTRY\\MACHINE\\", NULL};
static const char *const ecs_hku[] = {"HKU\\", "HKEY_USERS\\", "\\REGISTRY\\USER\\", NULL};
static const struct rewrite mde_rw[] = {
    {"HKLM\\", mde_hklm}, {"HKU\\", mde_hku}, {"HKCR\\", mde_hkcr}, {NULL, NULL}};
static const struct rewrite ecs_rw[] = {{"HKLM\\", ecs_hklm}, {"HKU\\", ecs_hku}, {NULL, NULL}};

static const struct rewrite *rewrites(const struct qbackend *be)
{
    switch (be->id) {
    case RH_QB_KQL_MDE:
    case RH_QB_KQL_SENTINEL:
        return mde_rw;
    case RH_QB_ESQL:
    case RH_QB_EQL:
    case RH_QB_LUCENE:
        return ecs_rw;
    default:
        return NULL;
    }
}

/* Copy pattern bytes [from, to) into p, turning a literal "CurrentControlSet" into
 * *ControlSet* (Defender shows ControlSet001, Sysmon CurrentControlSet). */
static int cat_pat(struct sig_build *b, struct qpat *p, const rh_sigma_lvalue *v, size_t from,
                   int ccs)
{
    size_t i;
    for (i = from; i < v->len; i++) {
        char c = v->bytes[i];
        if (ccs && v->wild[i] == RH_SIGMA_WILD_LIT && i + 17 <= v->len &&
            rh_ascii_casecmp(v->bytes + i, 17, "CurrentControlSet", 17) == 0 &&
            memchr(v->wild + i, RH_SIGMA_WILD_STAR, 17) == NULL &&
            memchr(v->wild + i, RH_SIGMA_WILD_QMARK, 17) == NULL) {
            if (qpat_cat(b->a, p, "*ControlSet*", 12, 1) < 0) {
                return -1;
            }
            i += 16;
            continue;
        }
        if (v->wild[i] == RH_SIGMA_WILD_STAR) {
            if (qpat_cat(b->a, p, "*", 1, 1) < 0) {
                return -1;
            }
        } else if (v->wild[i] == RH_SIGMA_WILD_QMARK) {
            if (qpat_cat(b->a, p, "?", 1, 1) < 0) {
                return -1;
            }
        } else if (qpat_cat(b->a, p, &c, 1, 0) < 0) {
            return -1;
        }
    }
    return 0;
}

static struct qnode *string_leaf(struct sig_build *b, uint8_t field, const char *fname,
                                 const rh_sigma_lvalue *v)
{
    const struct rewrite *rw = field == QF_PATH ? rewrites(b->be) : NULL;
    struct qnode * or ;
    if (field == QF_EVENTTYPE && b->be->event_type) {
        const char *const *to;
        size_t i;
        for (i = 0; i < v->len; i++) {
            if (v->wild[i] != RH_SIGMA_WILD_LIT) {
                b->why = "an EventType pattern (only exact operation names map)";
                return NULL;
            }
        }
        to = b->be->event_type(v->bytes);
        if (!to) {
            b->why = "an EventType this platform does not record";
            return NULL;
        }
        or = qn_new(b->a, Q_OR);
        for (; or &&*to; to++) {
            if (qn_add(b->a, or, qn_match(b->a, field, *to, strlen(*to), 0)) < 0) {
                return NULL;
            }
        }
        return or ;
    }
    for (; rw && rw->from; rw++) {
        size_t fl = strlen(rw->from), i;
        const char *const *to;
        if (v->len < fl || rh_ascii_casecmp(v->bytes, fl, rw->from, fl) != 0) {
            continue;
        }
        for (i = 0; i < fl; i++) {
            if (v->wild[i] != RH_SIGMA_WILD_LIT) {
                break;
            }
        }
        if (i < fl) {
            continue;
        }
        or = qn_new(b->a, Q_OR);
        for (to = rw->to; or &&*to; to++) {
            struct qnode *m = qn_new(b->a, Q_MATCH);
            if (!m || qpat_cat(b->a, &m->pat, *to, strlen(*to), 0) < 0 ||
                cat_pat(b, &m->pat, v, fl, 1) < 0 || qn_add(b->a, or, m) < 0) {
                return NULL;
            }
            m->field = field;
            m->fname = fname;
            m->cased = (uint8_t)(v->cased != 0);
        }
        return or ;
    }
    or = qn_new(b->a, Q_MATCH);
    if (! or || cat_pat(b, & or->pat, v, 0, rewrites(b->be) != NULL && field == QF_PATH) < 0) {
        return NULL;
    }
    or->field = field;
    or->fname = fname;
    or->cased = (uint8_t)(v->cased != 0);
    return or ;
}

/* "field 'X' is not mapped on this platform" (X is [A-Za-z0-9_] or a Sysmon name here). */
static const char *unmapped(struct sig_build *b, const char *field)
{
    static const char pre[] = "field '", post[] = "' has no mapping on this platform";
    size_t n = strlen(field) > 64 ? 64 : strlen(field);
    char *s = rh_arena_alloc(b->a, sizeof(pre) + n + sizeof(post));
    if (!s) {
        return "a field the data model does not map";
    }
    memcpy(s, pre, sizeof(pre) - 1);
    memcpy(s + sizeof(pre) - 1, field, n);
    memcpy(s + sizeof(pre) - 1 + n, post, sizeof(post));
    return s;
}

static struct qnode *item_node(struct sig_build *b, const rh_sigma_litem *it)
{
    uint8_t field = QF_RAW;
    const char *fname = it->field;
    size_t i;
    struct qnode *grp;
    if (it->flags & RH_SIGMA_ITEM_KEYWORD) {
        b->why = "a keyword search (no field)";
        return NULL;
    }
    for (i = 0; i < sizeof(sysmon_fields) / sizeof(sysmon_fields[0]); i++) {
        if (rh_ascii_streq(it->field, sysmon_fields[i].name)) {
            field = sysmon_fields[i].field;
        }
    }
    if (field == QF_RAW) {
        for (i = 0; fname[i]; i++) {
            char c = fname[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_')) {
                b->why = "a field name outside [A-Za-z0-9_]";
                return NULL;
            }
        }
        if (!b->be->pass_raw) {
            b->why = unmapped(b, fname);
            return NULL;
        }
    } else if (!b->be->fields[field]) {
        b->why = unmapped(b, fname);
        return NULL;
    }
    grp = qn_new(b->a, (it->flags & RH_SIGMA_ITEM_ALL) && !(it->flags & RH_SIGMA_ITEM_NEQ) ? Q_AND
                                                                                           : Q_OR);
    for (i = 0; grp && i < it->nvals; i++) {
        const rh_sigma_lvalue *v = &it->vals[i];
        struct qnode *leaf = NULL;
        switch (v->kind) {
        case RH_SIGMA_LV_STRING:
            leaf = string_leaf(b, field, fname, v);
            break;
        case RH_SIGMA_LV_REGEX:
            if (field == QF_EVENTTYPE && b->be->event_type) {
                b->why = "a regular expression over EventType";
                return NULL;
            }
            leaf = qn_new(b->a, Q_REGEX);
            if (leaf && qpat_cat(b->a, &leaf->pat, v->bytes, v->len, 0) < 0) {
                return NULL;
            }
            if (leaf) {
                leaf->re_flags = v->re_flags;
            }
            break;
        case RH_SIGMA_LV_NULL:
        case RH_SIGMA_LV_EXISTS:
            leaf = qn_new(b->a, Q_EMPTY);
            if (leaf && v->kind == RH_SIGMA_LV_EXISTS && v->num) {
                struct qnode *not = qn_new(b->a, Q_NOT);
                if (!not || qn_add(b->a, not, leaf) < 0) {
                    return NULL;
                }
                leaf->field = field;
                leaf->fname = fname;
                leaf = not ;
            }
            break;
        default:
            b->why = "a modifier without a query form (numeric, time, cidr, fieldref)";
            return NULL;
        }
        if (!leaf) {
            if (!b->why) {
                b->why = "out of memory";
            }
            return NULL;
        }
        if (leaf->op != Q_NOT && leaf->op != Q_OR) {
            leaf->field = field;
            leaf->fname = fname;
        }
        if (qn_add(b->a, grp, leaf) < 0) {
            return NULL;
        }
    }
    if (grp && (it->flags & RH_SIGMA_ITEM_NEQ)) {
        struct qnode *not = qn_new(b->a, Q_NOT);
        if (!not || qn_add(b->a, not, grp) < 0) {
            return NULL;
        }
        return not ;
    }
    return grp;
}

static struct qnode *search_node(struct sig_build *b, const rh_sigma_lsearch *s)
{
    struct qnode * or = qn_new(b->a, Q_OR);
    size_t m, i;
    for (m = 0; or &&m < s->nmaps; m++) {
        struct qnode *and = qn_new(b->a, Q_AND);
        for (i = 0; and&&i < s->maps[m].nitems; i++) {
            if (qn_add(b->a, and, item_node(b, &s->maps[m].items[i])) < 0) {
                return NULL;
            }
        }
        if (qn_add(b->a, or, and) < 0) {
            return NULL;
        }
    }
    return or ;
}

static struct qnode *cond_node(struct sig_build *b, const rh_sigma_logic *l,
                               const rh_sigma_lcond *c, uint32_t depth)
{
    struct qnode *n;
    size_t i;
    uint8_t op;
    if (depth > 256) {
        b->why = "a condition nested too deeply";
        return NULL;
    }
    switch (c->op) {
    case RH_SIGMA_LC_SEARCH:
        if (c->arg >= l->nsearches) {
            b->why = "a malformed condition";
            return NULL;
        }
        return search_node(b, &l->searches[c->arg]);
    case RH_SIGMA_LC_TRUE:
        return qn_new(b->a, Q_TRUE);
    case RH_SIGMA_LC_FALSE:
        return qn_new(b->a, Q_FALSE);
    case RH_SIGMA_LC_AND:
        op = Q_AND;
        break;
    case RH_SIGMA_LC_OR:
        op = Q_OR;
        break;
    case RH_SIGMA_LC_NOT:
        op = Q_NOT;
        break;
    case RH_SIGMA_LC_ATLEAST:
        if (c->arg <= 1) {
            op = Q_OR;
        } else if (c->arg == c->nkids) {
            op = Q_AND;
        } else {
            b->why = "an 'N of' condition with 1 < N < all";
            return NULL;
        }
        break;
    default:
        b->why = "a malformed condition";
        return NULL;
    }
    n = qn_new(b->a, op);
    for (i = 0; n && i < c->nkids; i++) {
        if (qn_add(b->a, n, cond_node(b, l, c->kids[i], depth + 1)) < 0) {
            return NULL;
        }
    }
    return n;
}

rh_status query_sigma_build(struct rh_arena *a, const struct qbackend *be, const rh_sigma_logic *l,
                            struct qnode **out, const char **why)
{
    struct sig_build b;
    struct qnode *root, *rule;
    size_t f;
    memset(&b, 0, sizeof(b));
    b.a = a;
    b.be = be;
    *out = NULL;
    *why = NULL;
    root = qn_new(a, Q_AND);
    rule = root ? cond_node(&b, l, l->cond, 0) : NULL;
    if (!rule || qn_add(a, root, rule) < 0) {
        *why = b.why;
        return b.why ? RH_ERR_UNSUPPORTED : RH_ERR_NOMEM;
    }
    for (f = 0; f < l->nfilters; f++) {
        struct qnode *not = qn_new(a, Q_NOT);
        struct qnode *fc = cond_node(&b, &l->filters[f], l->filters[f].cond, 0);
        if (!fc || !not || qn_add(a, not, fc) < 0 || qn_add(a, root, not ) < 0) {
            *why = b.why;
            return b.why ? RH_ERR_UNSUPPORTED : RH_ERR_NOMEM;
        }
    }
    *out = root;
    return RH_OK;
}
