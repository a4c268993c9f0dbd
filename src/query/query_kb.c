/*
 * Knowledge-base locations as queries: the location's key (and value) under each of the
 * backend's hive prefixes, minus its Windows defaults (every build family: a fleet mixes
 * them). A default a backend cannot express exactly is left out and named in the notes
 * (widening a negated clause would hide hits).
 */
#include <stdio.h>

#include "query_internal.h"

/* %VAR% prefixes of default data and the glob they expand to on a host. */
static const struct {
    const char *var, *glob;
} expansions[] = {
    {"%windir%", "?:\\Windows"},
    {"%SystemRoot%", "?:\\Windows"},
    {"%ProgramFiles%", "?:\\Program Files"},
    {"%ProgramFiles(x86)%", "?:\\Program Files (x86)"},
    {"%ProgramData%", "?:\\ProgramData"},
    {"%ALLUSERSPROFILE%", "?:\\ProgramData"},
    {"%SystemDrive%", "?:"},
    {"%USERPROFILE%", "?:\\Users\\*"},
    {"%APPDATA%", "?:\\Users\\*\\AppData\\Roaming"},
    {"%LOCALAPPDATA%", "?:\\Users\\*\\AppData\\Local"},
};

/* Append the key pattern in the backend's glob form: `**` and `*` both become `*`; a leading
 * ControlSet00x component becomes *ControlSet* (CurrentControlSet for Sysmon, ControlSet001
 * for Defender). */
static int key_glob(struct rh_arena *a, struct qpat *p, const char *key)
{
    size_t n = strlen(key);
    if (rh_ascii_casecmp(key, n < 12 ? n : 12, "ControlSet00", 12) == 0 && n >= 13) {
        const char *rest = strchr(key, '\\');
        if (qpat_cat(a, p, "*ControlSet*", 12, 1) < 0) {
            return -1;
        }
        return rest ? qpat_cat(a, p, rest, strlen(rest), 1) : 0;
    }
    return qpat_cat(a, p, key, n, 1);
}

/* OR over the backend's prefixes of: prefix + key [+ "\" + value] as one field match. */
static struct qnode *path_node(struct rh_arena *a, const struct qbackend *be, rh_kb_hive hive,
                               const char *key, const char *value, size_t vlen, int value_glob,
                               uint8_t field)
{
    struct qnode * or = qn_new(a, Q_OR);
    const char *const *pre = be->hives[hive];
    for (; or &&*pre; pre++) {
        struct qnode *m = qn_new(a, Q_MATCH);
        if (!m || qpat_cat(a, &m->pat, *pre, strlen(*pre), 1) < 0 ||
            key_glob(a, &m->pat, key) < 0) {
            return NULL;
        }
        if (value && (qpat_cat(a, &m->pat, "\\", 1, 0) < 0 ||
                      qpat_cat(a, &m->pat, value, vlen, value_glob) < 0)) {
            return NULL;
        }
        m->field = field;
        if (qn_add(a, or, m) < 0) {
            return NULL;
        }
    }
    return or ;
}

/* Location part of the query (key + value pattern), or of a default (key glob, value glob). */
static struct qnode *where_node(struct rh_arena *a, const struct qbackend *be, rh_kb_hive hive,
                                const char *key, const char *vp, size_t vplen)
{
    if (be->combined_path) {
        /* Sysmon and ECS name the unnamed value (Default) */
        const char *v =
            vplen == 9 && rh_ascii_casecmp(vp, 9, "(default)", 9) == 0 ? "(Default)" : vp;
        return path_node(a, be, hive, key, v, vplen, 1, QF_PATH);
    } else {
        struct qnode *and = qn_new(a, Q_AND);
        if (!and || qn_add(a, and, path_node(a, be, hive, key, NULL, 0, 1, QF_KEY)) < 0) {
            return NULL;
        }
        if (vplen == 1 && vp[0] == '*') {
            return and;
        }
        if (vplen == 9 && rh_ascii_casecmp(vp, 9, "(default)", 9) == 0) {
            struct qnode *e = qn_new(a, Q_EMPTY);
            if (!e) {
                return NULL;
            }
            e->field = QF_VALUE;
            return qn_add(a, and, e) < 0 ? NULL : and;
        }
        return qn_add(a, and, qn_match(a, QF_VALUE, vp, vplen, 1)) < 0 ? NULL : and;
    }
}

struct kb_build {
    struct rh_arena *a;
    const struct qbackend *be;
    rh_buf *notes;
    size_t dropped;
};

/* Data alternatives of a default as an OR of exact-expressible matches on `field` (QF_DATA,
 * or the value name for name_is_data locations). NULL on OOM; an empty OR when none is
 * expressible. */
static struct qnode *data_node(struct kb_build *kb, const char *data, uint8_t field)
{
    struct qnode * or = qn_new(kb->a, Q_OR);
    const char *p = data;
    while (or &&*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p), k;
        struct qnode *m;
        if (n == 1 && p[0] == '~') {
            m = qn_match(kb->a, field, "", 0, 0);
        } else if (n && p[0] == '~') {
            m = qn_match(kb->a, field, p + 1, n - 1, 1);
        } else {
            m = qn_match(kb->a, field, p, n, 0);
        }
        if (!m) {
            return NULL;
        }
        if (kb->be->exact(&m->pat, 0)) {
            if (qn_add(kb->a, or, m) < 0) {
                return NULL;
            }
        } else {
            kb->dropped++;
        }
        for (k = 0; k < sizeof(expansions) / sizeof(expansions[0]) && !(n && p[0] == '~'); k++) {
            size_t vl = strlen(expansions[k].var);
            if (n > vl && rh_ascii_casecmp(p, vl, expansions[k].var, vl) == 0) {
                m = qn_new(kb->a, Q_MATCH);
                if (!m ||
                    qpat_cat(kb->a, &m->pat, expansions[k].glob, strlen(expansions[k].glob), 1) <
                        0 ||
                    qpat_cat(kb->a, &m->pat, p + vl, n - vl, 0) < 0) {
                    return NULL;
                }
                m->field = field;
                if (kb->be->exact(&m->pat, 0)) {
                    if (qn_add(kb->a, or, m) < 0) {
                        return NULL;
                    }
                } else {
                    kb->dropped++;
                }
            }
        }
        p += n;
        if (*p == '|') {
            p++;
        }
    }
    return or ;
}

/* Every pattern leaf of the node exact for the backend? */
static int node_exact(const struct qbackend *be, const struct qnode *n)
{
    size_t i;
    if (n->op == Q_MATCH) {
        return be->exact(&n->pat, n->cased);
    }
    for (i = 0; i < n->n; i++) {
        if (!node_exact(be, n->kids[i])) {
            return 0;
        }
    }
    return 1;
}

/* One default as an exclusion node (NULL + *skip when it cannot be expressed). */
static struct qnode *default_node(struct kb_build *kb, const rh_kb_location *loc,
                                  const rh_kb_default *d, int *skip)
{
    struct qnode *and = qn_new(kb->a, Q_AND), *data, *where;
    const char *key = d->key_glob[0] ? d->key_glob : loc->key_pattern;
    const char *vg = d->value_glob;
    int name_is_data = (loc->flags & RH_KB_F_NAME_IS_DATA) != 0;
    *skip = 0;
    if (!and) {
        return NULL;
    }
    /* value globs: '|'-separated */
    {
        struct qnode *vor = qn_new(kb->a, Q_OR);
        const char *p = vg;
        if (!vor) {
            return NULL;
        }
        while (*p) {
            const char *bar = strchr(p, '|');
            size_t n = bar ? (size_t)(bar - p) : strlen(p);
            struct qnode *w = where_node(kb->a, kb->be, loc->hive, key, p, n);
            if (!w || qn_add(kb->a, vor, w) < 0) {
                return NULL;
            }
            p += n;
            if (*p == '|') {
                p++;
            }
        }
        where = vor;
    }
    if (!node_exact(kb->be, where)) {
        *skip = 1;
        return NULL;
    }
    if (qn_add(kb->a, and, where) < 0) {
        return NULL;
    }
    if (name_is_data) {
        /* the alternatives are value names: with a combined path, key\name */
        if (kb->be->combined_path) {
            struct qnode * or = qn_new(kb->a, Q_OR);
            const char *p = d->data;
            while (or &&*p) {
                const char *bar = strchr(p, '|');
                size_t n = bar ? (size_t)(bar - p) : strlen(p);
                int glob = n && p[0] == '~';
                struct qnode *w =
                    path_node(kb->a, kb->be, loc->hive, key, p + glob, n - glob, glob, QF_PATH);
                if (!w) {
                    return NULL;
                }
                if (node_exact(kb->be, w)) {
                    if (qn_add(kb->a, or, w) < 0) {
                        return NULL;
                    }
                } else {
                    kb->dropped++;
                }
                p += n;
                if (*p == '|') {
                    p++;
                }
            }
            data = or ;
        } else {
            data = data_node(kb, d->data, QF_VALUE);
        }
    } else {
        data = data_node(kb, d->data, QF_DATA);
    }
    if (!data) {
        return NULL;
    }
    if (data->n == 0) {
        *skip = 1;
        return NULL;
    }
    return qn_add(kb->a, and, data) < 0 ? NULL : and;
}

/* Human form of the location: "HKLM\SOFTWARE\...\Run [*]". */
rh_status query_kb_location_text(rh_buf *out, const rh_kb_location *loc)
{
    static const char *const roots[RH_KB_HIVE_COUNT] = {"HKLM\\SOFTWARE\\", "HKLM\\SYSTEM\\",
                                                        "HKCU\\", "HKCU\\Software\\Classes\\"};
    rh_buf_puts(out, (unsigned)loc->hive < RH_KB_HIVE_COUNT ? roots[loc->hive] : "?\\");
    rh_buf_puts(out, loc->key_pattern);
    return rh_buf_printf(out, " [%s]", loc->value_pattern);
}

rh_status query_kb_build(struct rh_arena *a, const struct qbackend *be, const rh_kb_location *loc,
                         struct qnode **out, size_t *nexcl, rh_buf *notes)
{
    struct kb_build kb;
    struct qnode *root = qn_new(a, Q_AND), *where;
    size_t i, skipped = 0;
    *out = NULL;
    *nexcl = 0;
    if ((unsigned)loc->hive >= RH_KB_HIVE_COUNT) {
        return RH_ERR_ARG;
    }
    memset(&kb, 0, sizeof(kb));
    kb.a = a;
    kb.be = be;
    kb.notes = notes;
    where = where_node(a, be, loc->hive, loc->key_pattern, loc->value_pattern,
                       strlen(loc->value_pattern));
    if (!root || qn_add(a, root, where) < 0) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < loc->ndefaults; i++) {
        int skip = 0;
        struct qnode *d = default_node(&kb, loc, &loc->defaults[i], &skip), *not ;
        if (skip) {
            skipped++;
            continue;
        }
        not = qn_new(a, Q_NOT);
        if (!d || !not || qn_add(a, not, d) < 0 || qn_add(a, root, not ) < 0) {
            return RH_ERR_NOMEM;
        }
        (*nexcl)++;
    }
    if (skipped) {
        rh_buf_printf(notes,
                      "%zu Windows default(s) not excluded: the language cannot match them "
                      "exactly (expect them as hits). ",
                      skipped);
    }
    if (kb.dropped) {
        rh_buf_printf(notes,
                      "%zu default data alternative(s) not excluded: the language cannot "
                      "match them exactly. ",
                      kb.dropped);
    }
    *out = root;
    return rh_buf_status(notes);
}
