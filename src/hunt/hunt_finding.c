/*
 * Finding storage, deterministic order and hunt ids.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hunt_internal.h"

static const char *const source_names[RH_FINDING_SOURCE_COUNT] = {"kb", "sigma-state", "event"};

const char *rh_finding_source_name(rh_finding_source s)
{
    return (unsigned)s < RH_FINDING_SOURCE_COUNT ? source_names[s] : "unknown";
}

/* The table's TEXT and TEXTN fields are owned by the finding (ID, ENUM, TIME, FLAG and KNOWN
 * are values); OPT strings may be NULL. */
#define OWNED_ID(m, aux, opt)
#define OWNED_TEXT(m, aux, opt)  own_field(ctx, &f->pub.m, NULL, opt, &fail);
#define OWNED_TEXTN(m, aux, opt) own_field(ctx, &f->pub.m, &f->pub.aux, opt, &fail);
#define OWNED_ENUM(m, aux, opt)
#define OWNED_TIME(m, aux, opt)
#define OWNED_FLAG(m, aux, opt)
#define OWNED_KNOWN(m, aux, opt)
#define OWNED_NUM(m, aux, opt)
#define FREE_ID(m)
#define FREE_TEXT(m)  rh_free(ctx, (char *)f->pub.m);
#define FREE_TEXTN(m) rh_free(ctx, (char *)f->pub.m);
#define FREE_ENUM(m)
#define FREE_TIME(m)
#define FREE_FLAG(m)
#define FREE_KNOWN(m)
#define FREE_NUM(m)
#define PRESENCE_REQ 0
#define PRESENCE_OPT 1

void hunt_finding_free(rh_ctx *ctx, struct hunt_finding *f)
{
    if (!f) {
        return;
    }
#define RH_FINDING_FIELD(member, KIND, ...) FREE_##KIND(member)
#include "finding_fields.def"
#undef RH_FINDING_FIELD
    rh_free(ctx, f->rel_key);
    rh_free(ctx, f->profile_dir);
    rh_free(ctx, f->writer_guid);
    rh_free(ctx, f->writer_image);
    rh_free(ctx, f);
}

rh_status hunt_finding_set_writer(rh_ctx *ctx, struct hunt_finding *f,
                                  const rh_evidence_proc_ref *w)
{
    char *g = w->guid && w->guid[0] ? rh_strdup(ctx, w->guid) : NULL;
    char *im = w->image && w->image[0] ? rh_strdup(ctx, w->image) : NULL;
    if ((w->guid && w->guid[0] && !g) || (w->image && w->image[0] && !im)) {
        rh_free(ctx, g);
        rh_free(ctx, im);
        return RH_ERR_NOMEM;
    }
    rh_free(ctx, f->writer_guid);
    rh_free(ctx, f->writer_image);
    f->writer_guid = g;
    f->writer_image = im;
    f->writer_pid = w->pid;
    f->writer_time = w->time;
    f->has_writer = g || im || w->pid;
    return RH_OK;
}

/* Replace the borrowed string *dst (*len bytes when counted, else NUL-terminated) by an owned
 * copy. A required field that is NULL becomes ""; an optional one that is absent (NULL, or
 * empty when counted) stays NULL. Once *fail is set every later field becomes NULL, so
 * hunt_finding_free frees owned strings only. */
static void own_field(rh_ctx *ctx, const char **dst, size_t *len, int optional, int *fail)
{
    const char *s = *dst;
    size_t n = !s ? 0 : len ? *len : strlen(s);
    char *p;
    *dst = NULL;
    if (len) {
        *len = 0;
    }
    if (*fail || (optional && (!s || (len && !n)))) {
        return;
    }
    p = rh_strndup(ctx, s ? s : "", n);
    if (!p) {
        *fail = 1;
        return;
    }
    *dst = p;
    if (len) {
        *len = n;
    }
}

static rh_status finding_grow(rh_hunt *h)
{
    size_t nc;
    struct hunt_finding **nf;
    if (h->n >= HUNT_MAX_FINDINGS) {
        rh_diagf(h->ctx, RH_DIAG_ERROR, "hunt", NULL, -1, "more than %u findings",
                 HUNT_MAX_FINDINGS);
        return RH_ERR_LIMIT;
    }
    if (h->n < h->cap) {
        return RH_OK;
    }
    nc = h->cap ? h->cap * 2 : 64;
    nf = rh_realloc(h->ctx, h->f, nc * sizeof(*nf));
    if (!nf) {
        return RH_ERR_NOMEM;
    }
    h->f = nf;
    h->cap = nc;
    return RH_OK;
}

rh_status hunt_finding_add(rh_hunt *h, const struct finding_in *in)
{
    rh_ctx *ctx = h->ctx;
    struct hunt_finding *f;
    int fail = 0;
    rh_status st = finding_grow(h);
    if (st != RH_OK) {
        return st;
    }
    f = rh_calloc(ctx, 1, sizeof(*f));
    if (!f) {
        return RH_ERR_NOMEM;
    }
    f->pub = in->pub;
    f->pub.hunt_id[0] = '\0';
#define RH_FINDING_FIELD(member, KIND, aux, PRESENCE, ...)                                         \
    OWNED_##KIND(member, aux, PRESENCE_##PRESENCE)
#include "finding_fields.def"
#undef RH_FINDING_FIELD
    if (!fail && in->rel_key) {
        f->rel_key = rh_strndup(ctx, in->rel_key, in->rel_key_len);
        f->rel_key_len = in->rel_key_len;
        fail = !f->rel_key;
    }
    if (!fail && in->profile_dir) {
        f->profile_dir = rh_strdup(ctx, in->profile_dir);
        fail = !f->profile_dir;
    }
    if (fail) {
        hunt_finding_free(ctx, f);
        return RH_ERR_NOMEM;
    }
    h->f[h->n++] = f;
    if ((unsigned)f->pub.risk < RH_RISK_COUNT) {
        h->stats.by_risk[f->pub.risk]++;
    }
    if (f->pub.known_good) {
        h->stats.known_good++;
    }
    return RH_OK;
}

rh_status rh_hunt_add(rh_hunt *h, const rh_finding *f)
{
    struct finding_in in;
    if (!h || !f || h->finished) {
        return RH_ERR_ARG;
    }
    memset(&in, 0, sizeof(in));
    in.pub = *f;
    return hunt_finding_add(h, &in);
}

rh_status hunt_finding_set(rh_ctx *ctx, const char **field, const char *s, size_t n)
{
    char *p = rh_strndup(ctx, s ? s : "", s ? n : 0);
    if (!p) {
        return RH_ERR_NOMEM;
    }
    rh_free(ctx, (char *)*field);
    *field = p;
    return RH_OK;
}

static int cmp_counted(const char *a, size_t an, const char *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int r = n ? memcmp(a, b, n) : 0;
    if (r) {
        return r;
    }
    return an < bn ? -1 : an > bn;
}

static int cmp_finding(const void *pa, const void *pb)
{
    const rh_finding *a = &(*(const struct hunt_finding *const *)pa)->pub;
    const rh_finding *b = &(*(const struct hunt_finding *const *)pb)->pub;
    int r;
    if (a->risk != b->risk) {
        return a->risk > b->risk ? -1 : 1;
    }
    if (a->in_window != b->in_window) {
        return a->in_window ? -1 : 1;
    }
    if ((r = strcmp(a->host, b->host)) != 0) {
        return r;
    }
    if ((r = strcmp(a->user_sid, b->user_sid)) != 0) {
        return r;
    }
    if ((r = strcmp(a->user, b->user)) != 0) {
        return r;
    }
    if ((r = cmp_counted(a->key_path, a->key_path_len, b->key_path, b->key_path_len)) != 0) {
        return r;
    }
    if ((r = cmp_counted(a->value_name, a->value_name_len, b->value_name, b->value_name_len)) !=
        0) {
        return r;
    }
    if ((r = strcmp(a->source_file, b->source_file)) != 0) {
        return r;
    }
    if (a->source != b->source) {
        return a->source < b->source ? -1 : 1;
    }
    if ((r = strcmp(a->location_id, b->location_id)) != 0) {
        return r;
    }
    return cmp_counted(a->value_data, a->value_data_len, b->value_data, b->value_data_len);
}

void hunt_findings_order(rh_hunt *h)
{
    size_t i;
    if (h->n > 1) {
        rh_sort(h->f, h->n, sizeof(h->f[0]), cmp_finding);
    }
    for (i = 0; i < h->n; i++) {
        snprintf(h->f[i]->pub.hunt_id, sizeof(h->f[i]->pub.hunt_id), "TH-HUNTIN-%s-%03zu",
                 h->stats.date, i + 1);
    }
}

size_t rh_hunt_count(const rh_hunt *h)
{
    return h ? h->n : 0;
}

const rh_finding *rh_hunt_at(const rh_hunt *h, size_t i)
{
    return h && i < h->n ? &h->f[i]->pub : NULL;
}
