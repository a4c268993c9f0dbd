/*
 * Windows defaults by build family: the built-in table (kb_defaults.def), user TSV defaults,
 * the per-location index and the applicability rule.
 */
#include "common/common.h"
#include "kb_internal.h"

/* ---- families --------------------------------------------------------------------------- */

static const char *const family_names[] = {"unknown", "xp", "vista7", "win8", "win10", "win11"};

_Static_assert(sizeof(family_names) / sizeof(family_names[0]) == RH_WIN_FAMILY_COUNT, "families");

const char *rh_win_family_name(rh_win_family f)
{
    return (unsigned)f < RH_WIN_FAMILY_COUNT ? family_names[f] : "?";
}

rh_status rh_win_family_parse(const char *s, rh_win_family *out)
{
    size_t i;
    if (!s || !out) {
        return RH_NOT_FOUND;
    }
    for (i = 0; i < RH_WIN_FAMILY_COUNT; i++) {
        if (rh_ascii_casecmp(family_names[i], strlen(family_names[i]), s, strlen(s)) == 0) {
            *out = (rh_win_family)i;
            return RH_OK;
        }
    }
    return RH_NOT_FOUND;
}

rh_win_family rh_win_family_from_build(uint32_t build)
{
    if (build == 0) {
        return RH_WIN_UNKNOWN;
    }
    if (build < 6000) {
        return RH_WIN_XP;
    }
    if (build < 9200) {
        return RH_WIN_VISTA7;
    }
    if (build < 10240) {
        return RH_WIN_8;
    }
    return build < 22000 ? RH_WIN_10 : RH_WIN_11;
}

/* ---- the built-in table ------------------------------------------------------------------ */

#define B_XP  RH_WIN_BIT(RH_WIN_XP)
#define B_V7  RH_WIN_BIT(RH_WIN_VISTA7)
#define B_W8  RH_WIN_BIT(RH_WIN_8)
#define B_W10 RH_WIN_BIT(RH_WIN_10)
#define B_W11 RH_WIN_BIT(RH_WIN_11)
#define B_ALL (B_XP | B_V7 | B_W8 | B_W10 | B_W11)

static const rh_kb_default builtin_defaults[] = {
#define RH_KB_DEFAULT(id, families, key, value, data, source)                                      \
    {#id, (families), key, value, data, source},
#include "kb_defaults.def"
#undef RH_KB_DEFAULT
};

#define NBUILTIN_DEFAULTS (sizeof(builtin_defaults) / sizeof(builtin_defaults[0]))

/* ---- applicability ------------------------------------------------------------------------ */

int rh_kb_default_applies(const rh_kb_default *d, rh_win_family fam, const char *key_path,
                          size_t key_len, const char *value_name, size_t name_len)
{
    const char *vg;
    if (!d) {
        return 0;
    }
    if (fam != RH_WIN_UNKNOWN && !(d->families & RH_WIN_BIT(fam))) {
        return 0;
    }
    if (d->key_glob[0] &&
        (!key_path || !rh_kb_glob(d->key_glob, strlen(d->key_glob), key_path, key_len))) {
        return 0;
    }
    vg = d->value_glob;
    if (strcmp(vg, "*") == 0) {
        return 1;
    }
    if (rh_ascii_casecmp(vg, strlen(vg), "(default)", 9) == 0) {
        return name_len == 0;
    }
    if (!value_name) {
        return 0;
    }
    for (;;) {
        const char *bar = strchr(vg, '|');
        size_t gl = bar ? (size_t)(bar - vg) : strlen(vg);
        if (rh_kb_glob(vg, gl, value_name, name_len)) {
            return 1;
        }
        if (!bar) {
            return 0;
        }
        vg = bar + 1;
    }
}

const rh_kb_default *kb_builtin_defaults(size_t *n)
{
    *n = NBUILTIN_DEFAULTS;
    return builtin_defaults;
}

/* ---- index --------------------------------------------------------------------------------- */

static rh_status push(rh_ctx *ctx, rh_kb_default **rows, size_t *n, size_t *cap,
                      const rh_kb_default *d)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 128, bytes;
        rh_kb_default *p;
        if (!rh_mul_sz(nc, sizeof(*p), &bytes)) {
            return RH_ERR_LIMIT;
        }
        p = rh_realloc(ctx, *rows, bytes);
        if (!p) {
            return RH_ERR_NOMEM;
        }
        *rows = p;
        *cap = nc;
    }
    (*rows)[(*n)++] = *d;
    return RH_OK;
}

rh_status kb_defaults_index(rh_ctx *ctx, struct kb_defaults *defs, rh_kb_location *locs,
                            size_t nlocs)
{
    size_t i, j, cap = 0, *start;
    rh_status st = RH_OK;
    rh_free(ctx, defs->rows);
    defs->rows = NULL;
    defs->n = 0;
    start = rh_calloc(ctx, nlocs ? nlocs : 1, sizeof(*start));
    if (!start) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < nlocs && st == RH_OK; i++) {
        start[i] = defs->n;
        for (j = 0; locs[i].builtin && j < NBUILTIN_DEFAULTS && st == RH_OK; j++) {
            if (strcmp(builtin_defaults[j].location_id, locs[i].id) == 0) {
                st = push(ctx, &defs->rows, &defs->n, &cap, &builtin_defaults[j]);
            }
        }
        for (j = 0; j < defs->nuser && st == RH_OK; j++) {
            if (strcmp(defs->user[j].location_id, locs[i].id) == 0) {
                st = push(ctx, &defs->rows, &defs->n, &cap, &defs->user[j]);
            }
        }
    }
    /* pointers only once the array stopped moving */
    for (i = 0; i < nlocs; i++) {
        size_t end = i + 1 < nlocs ? start[i + 1] : defs->n;
        locs[i].ndefaults = st == RH_OK ? end - start[i] : 0;
        locs[i].defaults = locs[i].ndefaults ? &defs->rows[start[i]] : NULL;
    }
    rh_free(ctx, start);
    return st;
}

rh_status kb_defaults_user(rh_ctx *ctx, struct kb_defaults *defs, const char *id, const char *data,
                           const char *source)
{
    size_t i, o = 0;
    rh_kb_default d;
    for (i = 0; i < defs->nuser; i++) {
        if (strcmp(defs->user[i].location_id, id) != 0) {
            defs->user[o++] = defs->user[i];
        }
    }
    defs->nuser = o;
    if (!data) {
        return RH_OK;
    }
    d.location_id = id;
    d.families = B_ALL;
    d.key_glob = "";
    d.value_glob = "*";
    d.data = data;
    d.source = source;
    return push(ctx, &defs->user, &defs->nuser, &defs->capuser, &d);
}

void kb_defaults_free(rh_ctx *ctx, struct kb_defaults *defs)
{
    rh_free(ctx, defs->rows);
    rh_free(ctx, defs->user);
    memset(defs, 0, sizeof(*defs));
}
