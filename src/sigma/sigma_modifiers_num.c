/*
 * Sigma typed value modifiers: numeric comparisons (lt, lte, gt, gte), time parts (minute
 * ... year) and cidr networks (rows in modifiers.def).
 */
#include <math.h>
#include <stdlib.h>

#include "sigma_internal.h"

/* ---- numbers and time parts ----------------------------------------------------------------- */

enum { NUM_EQ = 0, NUM_LT, NUM_LTE, NUM_GT, NUM_GTE };
enum { TP_NONE = 0, TP_MINUTE, TP_HOUR, TP_DAY, TP_WEEK, TP_MONTH, TP_YEAR };

static int num_setup(struct mod_state *st, int op, int tpart, const char *name)
{
    size_t i;
    if (st->has_type && !(st->type && st->type->match == sigma_modifier_named("gt")->match)) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE, "'%s' cannot follow another type modifier",
                          name);
    }
    if (st->wrap_set) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE, "'%s' cannot follow string modifiers", name);
    }
    st->has_type = true;
    st->type = sigma_modifier_named(name);
    for (i = 0; i < st->nvals; i++) {
        st->vals[i].typed = true;
        st->vals[i].v.mod = st->type;
        if (op != NUM_EQ) {
            st->vals[i].v.aux = (st->vals[i].v.aux & ~0xF) | op;
        }
        if (tpart) {
            st->vals[i].v.aux = (st->vals[i].v.aux & 0xF) | (tpart << 4);
        }
    }
    return 0;
}

int sigma_mod_lt_setup(struct mod_state *st)
{
    return num_setup(st, NUM_LT, 0, "lt");
}
int sigma_mod_lte_setup(struct mod_state *st)
{
    return num_setup(st, NUM_LTE, 0, "lte");
}
int sigma_mod_gt_setup(struct mod_state *st)
{
    return num_setup(st, NUM_GT, 0, "gt");
}
int sigma_mod_gte_setup(struct mod_state *st)
{
    return num_setup(st, NUM_GTE, 0, "gte");
}
int sigma_mod_minute_setup(struct mod_state *st)
{
    return num_setup(st, NUM_EQ, TP_MINUTE, "minute");
}
int sigma_mod_hour_setup(struct mod_state *st)
{
    return num_setup(st, NUM_EQ, TP_HOUR, "hour");
}
int sigma_mod_day_setup(struct mod_state *st)
{
    return num_setup(st, NUM_EQ, TP_DAY, "day");
}
int sigma_mod_week_setup(struct mod_state *st)
{
    return num_setup(st, NUM_EQ, TP_WEEK, "week");
}
int sigma_mod_month_setup(struct mod_state *st)
{
    return num_setup(st, NUM_EQ, TP_MONTH, "month");
}
int sigma_mod_year_setup(struct mod_state *st)
{
    return num_setup(st, NUM_EQ, TP_YEAR, "year");
}

/* Parse a whole decimal, hex (0x) or floating number; false if anything else. */
static bool parse_number(const char *s, size_t n, double *out)
{
    char buf[64], *end;
    size_t i = 0;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }
    while (i < n && (s[i] == ' ' || s[i] == '\t')) {
        i++;
    }
    if (i >= n || n - i >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, s + i, n - i);
    buf[n - i] = '\0';
    if ((buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X'))) {
        unsigned long long u = strtoull(buf, &end, 16);
        *out = (double)u;
    } else {
        *out = strtod(buf, &end);
    }
    return end != buf && *end == '\0' && !isnan(*out);
}

int sigma_mod_num_finish(struct mod_state *st, struct mval *v)
{
    double d;
    if (!parse_number((const char *)v->b, v->n, &d)) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE, "'%s' needs a number, not '%.*s'",
                          st->type->name, (int)(v->n > 40 ? 40 : v->n), (const char *)v->b);
    }
    v->v.fnum = d;
    v->v.num = (int64_t)d;
    return 0;
}

static int iso_week(int64_t y, unsigned m, unsigned d)
{
    int64_t days = rh_days_from_civil(y, m, d);
    int wd = (int)(((days % 7) + 7 + 3) % 7); /* 0 = Monday (1970-01-01 was a Thursday) */
    int64_t thursday = days - wd + 3;
    int64_t ty = y;
    if (thursday < rh_days_from_civil(y, 1, 1)) {
        ty = y - 1;
    } else if (thursday >= rh_days_from_civil(y + 1, 1, 1)) {
        ty = y + 1;
    }
    return (int)((thursday - rh_days_from_civil(ty, 1, 1)) / 7 + 1);
}

/* Time parts from "YYYY-MM-DD[T ]HH:MM[:SS...]" or a FILETIME. */
static bool time_part(const rh_event_field *f, int tp, double *out)
{
    int64_t y;
    unsigned mo, d, h = 0, mi = 0;
    const char *s = f->value;
    if (f->type == RH_FIELD_TIME && f->num) {
        uint64_t secs = f->num / 10000000ull;
        uint64_t rem = secs % 86400;
        rh_civil_from_days((int64_t)(secs / 86400) - RH_FILETIME_EPOCH_DAYS, &y, &mo, &d);
        h = (unsigned)(rem / 3600);
        mi = (unsigned)(rem / 60 % 60);
    } else {
        if (f->value_len < 10 || s[4] != '-' || s[7] != '-') {
            return false;
        }
        y = strtol(s, NULL, 10);
        mo = (unsigned)strtoul(s + 5, NULL, 10);
        d = (unsigned)strtoul(s + 8, NULL, 10);
        if (f->value_len >= 16 && (s[10] == 'T' || s[10] == ' ') && s[13] == ':') {
            h = (unsigned)strtoul(s + 11, NULL, 10);
            mi = (unsigned)strtoul(s + 14, NULL, 10);
        } else if (tp == TP_HOUR || tp == TP_MINUTE) {
            return false;
        }
        if (mo < 1 || mo > 12 || d < 1 || d > 31) {
            return false;
        }
    }
    switch (tp) {
    case TP_MINUTE:
        *out = mi;
        break;
    case TP_HOUR:
        *out = h;
        break;
    case TP_DAY:
        *out = d;
        break;
    case TP_WEEK:
        *out = iso_week(y, mo, d);
        break;
    case TP_MONTH:
        *out = mo;
        break;
    default:
        *out = (double)y;
        break;
    }
    return true;
}

bool sigma_mod_num_match(const struct sig_value *v, struct sigma_mctx *m,
                         const struct sig_fieldval *fv)
{
    double x;
    int tp = v->aux >> 4;
    (void)m;
    if (!fv->f) {
        return false;
    }
    if (tp) {
        if (!time_part(fv->f, tp, &x)) {
            return false;
        }
    } else if (fv->f->type == RH_FIELD_INT || fv->f->type == RH_FIELD_HEX ||
               fv->f->type == RH_FIELD_BOOL) {
        x = (double)fv->f->num;
    } else if (!parse_number(fv->f->value, fv->f->value_len, &x)) {
        return false;
    }
    switch (v->aux & 0xF) {
    case NUM_LT:
        return x < v->fnum;
    case NUM_LTE:
        return x <= v->fnum;
    case NUM_GT:
        return x > v->fnum;
    case NUM_GTE:
        return x >= v->fnum;
    default:
        return x == v->fnum;
    }
}

/* ---- cidr -------------------------------------------------------------------------------------
 */

struct cidr {
    int family; /* 4 or 6 */
    uint8_t addr[16];
    unsigned bits;
};

static bool parse_ip(const char *s, size_t n, uint8_t out[16], int *family)
{
    char buf[64];
    if (n == 0 || n >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (buf[0] == '[' && buf[n - 1] == ']') {
        memmove(buf, buf + 1, n - 2);
        buf[n - 2] = '\0';
    }
    {
        char *pct = strchr(buf, '%'); /* IPv6 zone id */
        if (pct) {
            *pct = '\0';
        }
    }
    *family = rh_ip_parse(buf, out);
    return *family != 0;
}

int sigma_mod_cidr_setup(struct mod_state *st)
{
    if (st->wrap_set) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE, "'cidr' cannot follow string modifiers");
    }
    return sigma_mod_set_type(st, sigma_modifier_named("cidr"));
}

int sigma_mod_cidr_finish(struct mod_state *st, struct mval *v)
{
    struct cidr *c = rh_arena_zalloc(st->b->a, sizeof(*c));
    const char *s = (const char *)v->b;
    size_t slash;
    char *end;
    unsigned long bits;
    if (!c) {
        return sigma_mod_nomem(st);
    }
    for (slash = 0; slash < v->n && s[slash] != '/'; slash++) {
    }
    if (!parse_ip(s, slash, c->addr, &c->family)) {
        return sigma_fail(st->b, st->at, RH_ERR_RULE, "'cidr' needs a network, not '%.*s'",
                          (int)(v->n > 60 ? 60 : v->n), s);
    }
    if (slash < v->n) {
        char nb[8];
        size_t l = v->n - slash - 1;
        if (l == 0 || l >= sizeof(nb)) {
            return sigma_fail(st->b, st->at, RH_ERR_RULE, "'cidr' has a bad prefix length");
        }
        memcpy(nb, s + slash + 1, l);
        nb[l] = '\0';
        bits = strtoul(nb, &end, 10);
        if (*end || bits > (c->family == 4 ? 32u : 128u)) {
            return sigma_fail(st->b, st->at, RH_ERR_RULE, "'cidr' has a bad prefix length");
        }
    } else {
        bits = c->family == 4 ? 32 : 128;
    }
    c->bits = (unsigned)bits;
    v->v.data = c;
    return 0;
}

bool sigma_mod_cidr_match(const struct sig_value *v, struct sigma_mctx *m,
                          const struct sig_fieldval *fv)
{
    const struct cidr *c = v->data;
    uint8_t a[16];
    int fam;
    unsigned full, rest;
    (void)m;
    if (!fv->f || !parse_ip(fv->f->value, fv->f->value_len, a, &fam) || fam != c->family) {
        return false;
    }
    full = c->bits / 8;
    rest = c->bits % 8;
    if (memcmp(a, c->addr, full) != 0) {
        return false;
    }
    if (rest) {
        uint8_t mask = (uint8_t)(0xFF << (8 - rest));
        return (a[full] & mask) == (c->addr[full] & mask);
    }
    return true;
}
