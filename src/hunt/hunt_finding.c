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

void hunt_finding_free(rh_ctx *ctx, struct hunt_finding *f)
{
    unsigned i;
    if (!f) {
        return;
    }
    for (i = 0; i < f->nstrs; i++) {
        rh_free(ctx, f->strs[i]);
    }
    rh_free(ctx, f);
}

/* Copy n bytes (NUL-terminated) into an owned string of f. */
static const char *own(rh_ctx *ctx, struct hunt_finding *f, const char *s, size_t n, int *fail)
{
    char *p;
    if (*fail || f->nstrs >= sizeof(f->strs) / sizeof(f->strs[0])) {
        *fail = 1;
        return "";
    }
    p = rh_malloc(ctx, n + 1);
    if (!p) {
        *fail = 1;
        return "";
    }
    if (n) {
        memcpy(p, s, n);
    }
    p[n] = '\0';
    f->strs[f->nstrs++] = p;
    return p;
}

#define OWN_S(s) own(ctx, f, (s) ? (s) : "", (s) ? strlen(s) : 0, &fail)

rh_status hunt_finding_add(rh_hunt *h, const struct finding_in *in)
{
    rh_ctx *ctx = h->ctx;
    struct hunt_finding *f;
    int fail = 0;
    if (h->n >= HUNT_MAX_FINDINGS) {
        return rh_diagf(ctx, RH_DIAG_ERROR, "hunt", NULL, -1, "more than %u findings",
                        HUNT_MAX_FINDINGS) == RH_OK
                   ? RH_ERR_LIMIT
                   : RH_ERR_LIMIT;
    }
    if (h->n == h->cap) {
        size_t nc = h->cap ? h->cap * 2 : 64;
        struct hunt_finding **nf = rh_realloc(ctx, h->f, nc * sizeof(*nf));
        if (!nf) {
            return RH_ERR_NOMEM;
        }
        h->f = nf;
        h->cap = nc;
    }
    f = rh_calloc(ctx, 1, sizeof(*f));
    if (!f) {
        return RH_ERR_NOMEM;
    }
    f->pub.source = in->source;
    f->pub.technique = OWN_S(in->technique);
    f->pub.technique_name = OWN_S(in->technique_name);
    f->pub.location_id = OWN_S(in->location_id);
    f->pub.host = OWN_S(in->host);
    f->pub.user = OWN_S(in->user);
    f->pub.user_sid = OWN_S(in->user_sid);
    f->pub.source_file = OWN_S(in->source_file);
    f->pub.hive_kind = OWN_S(in->hive_kind);
    f->pub.key_path = own(ctx, f, in->key_path ? in->key_path : "", in->key_path_len, &fail);
    f->pub.key_path_len = in->key_path_len;
    f->pub.value_name =
        own(ctx, f, in->value_name ? in->value_name : "", in->value_name_len, &fail);
    f->pub.value_name_len = in->value_name_len;
    f->pub.value_type = OWN_S(in->value_type);
    f->pub.value_data =
        own(ctx, f, in->value_data ? in->value_data : "", in->value_data_len, &fail);
    f->pub.value_data_len = in->value_data_len;
    f->pub.key_last_write = in->key_last_write;
    f->pub.target_path = OWN_S(in->target_path);
    f->pub.path_class = OWN_S(in->path_class);
    f->pub.risk = in->risk;
    f->pub.confidence = in->confidence;
    f->pub.action = in->action;
    f->pub.reasons = OWN_S(in->reasons);
    /* The last two strings are not part of pub's string fields. */
    f->pub.recommended_action = OWN_S(in->recommended_action);
    if (!fail && in->rel_key) {
        f->rel_key = (char *)own(ctx, f, in->rel_key, in->rel_key_len, &fail);
        f->rel_key_len = in->rel_key_len;
    }
    if (!fail && in->profile_dir) {
        f->profile_dir = (char *)OWN_S(in->profile_dir);
    }
    if (fail) {
        hunt_finding_free(ctx, f);
        return RH_ERR_NOMEM;
    }
    f->pub.deleted = in->deleted;
    f->pub.from_log_replay = in->from_log_replay;
    f->pub.hidden_name = in->hidden_name;
    f->pub.is_default = in->is_default;
    f->pub.known_good = in->known_good;
    f->pub.event_time = in->event_time;
    f->pub.in_window = in->in_window;
    if (in->evidence && in->evidence_len) {
        f->pub.evidence = own(ctx, f, in->evidence, in->evidence_len, &fail);
        f->pub.evidence_len = in->evidence_len;
    }
    if (in->process_executable) {
        f->pub.process_executable = OWN_S(in->process_executable);
    }
    if (in->fusion_state) {
        f->pub.fusion_state = OWN_S(in->fusion_state);
    }
    if (fail) {
        hunt_finding_free(ctx, f);
        return RH_ERR_NOMEM;
    }
    h->f[h->n++] = f;
    if ((unsigned)in->risk <= RH_RISK_CRITICAL) {
        h->stats.by_risk[in->risk]++;
    }
    if (in->known_good) {
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
    in.source = f->source;
    in.technique = f->technique;
    in.technique_name = f->technique_name;
    in.location_id = f->location_id;
    in.host = f->host;
    in.user = f->user;
    in.user_sid = f->user_sid;
    in.source_file = f->source_file;
    in.hive_kind = f->hive_kind;
    in.key_path = f->key_path;
    in.key_path_len = f->key_path ? f->key_path_len : 0;
    in.value_name = f->value_name;
    in.value_name_len = f->value_name ? f->value_name_len : 0;
    in.value_type = f->value_type;
    in.value_data = f->value_data;
    in.value_data_len = f->value_data ? f->value_data_len : 0;
    in.key_last_write = f->key_last_write;
    in.target_path = f->target_path;
    in.path_class = f->path_class;
    in.risk = f->risk;
    in.confidence = f->confidence;
    in.action = f->action;
    in.reasons = f->reasons;
    in.recommended_action = f->recommended_action;
    in.deleted = f->deleted;
    in.from_log_replay = f->from_log_replay;
    in.hidden_name = f->hidden_name;
    in.is_default = f->is_default;
    in.known_good = f->known_good;
    in.evidence = f->evidence;
    in.evidence_len = f->evidence ? f->evidence_len : 0;
    in.event_time = f->event_time;
    in.process_executable = f->process_executable;
    in.fusion_state = f->fusion_state;
    in.in_window = f->in_window;
    return hunt_finding_add(h, &in);
}

rh_status hunt_finding_set(rh_ctx *ctx, struct hunt_finding *f, const char **field, const char *s,
                           size_t n)
{
    int fail = 0;
    const char *p = own(ctx, f, s ? s : "", s ? n : 0, &fail);
    if (fail) {
        return f->nstrs >= sizeof(f->strs) / sizeof(f->strs[0]) ? RH_ERR_LIMIT : RH_ERR_NOMEM;
    }
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
        qsort(h->f, h->n, sizeof(h->f[0]), cmp_finding);
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
