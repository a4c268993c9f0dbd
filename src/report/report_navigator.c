/*
 * ATT&CK Navigator layer reporter ("navigator"): one layer (format 4.5, domain
 * enterprise-attack) with every technique the hunt searched (the knowledge base's locations
 * and the hunt plan's techniques) and every technique of a listed finding. Fields and the
 * score mapping: docs/hunt-output.md "navigator".
 * Escape: the JSON formats' one function (report_json_str, RH_ESC_JSON); technique ids are
 * written only when they have the ATT&CK form (rh_technique_id_valid), others are counted in
 * the layer's description.
 */
#include <stdlib.h>

#include "report_internal.h"

/* Hunt ids named in one technique's comment (the rest are counted). */
#define NAV_MAX_IDS 25u
/* Distinct techniques in one layer (ATT&CK Enterprise has fewer than 1,000). */
#define NAV_MAX_TECHNIQUES 4096u

/* Score of a risk (docs/hunt-output.md): Info 20, Low 40, Medium 60, High 80, Critical 100. */
#define NAV_SCORE(risk) (20u * ((unsigned)(risk) + 1u))

static const char *const risk_color[RH_RISK_COUNT] = {"#c6dbef", "#ffe766", "#ffb366", "#ff6666",
                                                      "#e60d0d"};
#define NAV_HUNTED_COLOR "#e8f1fa" /* hunted, no finding */

struct nav_tech {
    char id[10];             /* "T1547.001" */
    size_t n[RH_RISK_COUNT]; /* listed findings per risk */
    size_t total;
    rh_risk max;
    size_t kb_locations; /* knowledge-base locations of the technique */
    int in_plan;
    int parent_only;         /* added only to show its sub-techniques expanded */
    size_t ids[NAV_MAX_IDS]; /* the first listed findings (rh_hunt_at indices) */
};

struct nav {
    struct report *r;
    struct rh_strmap map; /* technique id -> index + 1 */
    struct nav_tech *t;
    size_t n, cap;
    size_t invalid; /* listed findings whose technique is not an ATT&CK id ("-", rule tags) */
};

static rh_status nav_get(struct nav *v, const char *id, struct nav_tech **out)
{
    struct rh_strmap_entry *e;
    bool added = false;
    rh_status st = rh_strmap_put(&v->map, id, strlen(id), &e, &added);
    if (st != RH_OK) {
        return st;
    }
    if (added) {
        void *arr = v->t;
        st = rh_array_reserve(v->r->ctx, &arr, &v->cap, v->n + 1, sizeof(*v->t));
        if (st != RH_OK) {
            return st; /* the entry stays with val 0: re-created on the next call */
        }
        v->t = arr;
        memset(&v->t[v->n], 0, sizeof(v->t[0]));
        memcpy(v->t[v->n].id, id, strlen(id) + 1);
        e->val = ++v->n;
    } else if (!e->val) {
        return RH_ERR_NOMEM;
    }
    *out = &v->t[e->val - 1];
    return RH_OK;
}

/* The hunt plan's techniques: ids separated by commas, blanks or semicolons. */
static rh_status nav_plan(struct nav *v, const char *s)
{
    rh_status st = RH_OK;
    while (s && *s && st == RH_OK) {
        char id[16];
        size_t n = strcspn(s, ", ;\t");
        if (n && n < sizeof(id)) {
            struct nav_tech *t;
            memcpy(id, s, n);
            id[n] = '\0';
            if (rh_technique_id_valid(id)) {
                st = nav_get(v, id, &t);
                if (st == RH_OK) {
                    t->in_plan = 1;
                }
            }
        }
        s += n;
        s += strspn(s, ", ;\t");
    }
    return st;
}

static int cmp_tech(const void *a, const void *b)
{
    return strcmp(((const struct nav_tech *)a)->id, ((const struct nav_tech *)b)->id);
}

static rh_status nav_collect(struct nav *v)
{
    const rh_kb *kb = rh_hunt_kb(v->r->hunt);
    size_t i, n;
    rh_status st = RH_OK;
    struct nav_tech *t;
    for (i = 0; kb && i < rh_kb_count(kb) && st == RH_OK; i++) {
        const rh_kb_location *loc = rh_kb_at(kb, i);
        if (rh_technique_id_valid(loc->technique)) {
            st = nav_get(v, loc->technique, &t);
            if (st == RH_OK) {
                t->kb_locations++;
            }
        }
    }
    st = st == RH_OK ? nav_plan(v, v->r->opts.plan_techniques) : st;
    for (i = 0; i < rh_hunt_count(v->r->hunt) && st == RH_OK; i++) {
        const rh_finding *f = rh_hunt_at(v->r->hunt, i);
        if (!rh_report_listed_opts(f, &v->r->opts)) {
            continue;
        }
        if (!rh_technique_id_valid(f->technique)) {
            v->invalid++;
            continue;
        }
        st = nav_get(v, f->technique, &t);
        if (st == RH_OK) {
            if (!t->total || f->risk > t->max) {
                t->max = f->risk;
            }
            if (t->total < NAV_MAX_IDS) {
                t->ids[t->total] = i;
            }
            t->n[f->risk]++;
            t->total++;
        }
    }
    /* Parents of annotated sub-techniques, so that the Navigator shows them expanded. */
    n = v->n;
    for (i = 0; i < n && st == RH_OK; i++) {
        char parent[6];
        if (v->t[i].id[5] != '.') {
            continue;
        }
        memcpy(parent, v->t[i].id, 5);
        parent[5] = '\0';
        if (!rh_strmap_find(&v->map, parent, 5)) {
            st = nav_get(v, parent, &t);
            if (st == RH_OK) {
                t->parent_only = 1;
            }
        }
    }
    if (st == RH_OK && v->n) {
        rh_sort(v->t, v->n, sizeof(*v->t), cmp_tech);
    }
    return st;
}

/* "hunted: knowledge base (N locations), hunt plan" or "not in the hunt plan or ...". */
static void hunted_text(rh_buf *b, const struct nav_tech *t)
{
    if (!t->kb_locations && !t->in_plan) {
        rh_buf_lit(b, "not in the knowledge base or the hunt plan");
        return;
    }
    rh_buf_lit(b, "hunted: ");
    if (t->kb_locations) {
        rh_buf_printf(b, "knowledge base (%zu location%s)", t->kb_locations,
                      t->kb_locations == 1 ? "" : "s");
    }
    if (t->in_plan) {
        rh_buf_printf(b, "%shunt plan", t->kb_locations ? ", " : "");
    }
}

static void comment_text(struct nav *v, const struct nav_tech *t, rh_buf *b)
{
    size_t i, named = t->total < NAV_MAX_IDS ? t->total : NAV_MAX_IDS;
    int first = 1;
    if (!t->total) {
        hunted_text(b, t);
        rh_buf_lit(b, "; no finding");
        return;
    }
    rh_buf_printf(b, "%zu finding%s:", t->total, t->total == 1 ? "" : "s");
    for (i = RH_RISK_COUNT; i-- > 0;) {
        if (t->n[i]) {
            rh_buf_printf(b, "%s %zu %s", first ? "" : ",", t->n[i], rh_risk_name((rh_risk)i));
            first = 0;
        }
    }
    rh_buf_lit(b, "; hunt ids:");
    for (i = 0; i < named; i++) {
        rh_buf_printf(b, "%s %s", i ? "," : "", rh_hunt_at(v->r->hunt, t->ids[i])->hunt_id);
    }
    if (named < t->total) {
        rh_buf_printf(b, " and %zu more", t->total - named);
    }
    rh_buf_lit(b, "; ");
    hunted_text(b, t);
}

static rh_status nav_technique(struct nav *v, const struct nav_tech *t, int first)
{
    rh_buf *o = &v->r->out;
    rh_buf c = RH_BUF_INIT(v->r->ctx);
    rh_buf_printf(o, "%s\n    {\"techniqueID\": \"%s\"", first ? "" : ",", t->id);
    if (t->parent_only) {
        return rh_buf_lit(o, ", \"showSubtechniques\": true}");
    }
    if (t->total) {
        rh_buf_printf(o, ", \"score\": %u, \"color\": \"%s\"", NAV_SCORE(t->max),
                      risk_color[t->max]);
    } else {
        rh_buf_lit(o, ", \"color\": \"" NAV_HUNTED_COLOR "\"");
    }
    comment_text(v, t, &c);
    rh_buf_lit(o, ", \"comment\": ");
    report_json_str(o, c.data ? c.data : "", c.len);
    rh_buf_printf(o,
                  ", \"enabled\": true, \"metadata\": [{\"name\": \"findings\", \"value\": "
                  "\"%zu\"}, {\"name\": \"highest risk\", \"value\": \"%s\"}, {\"name\": "
                  "\"knowledge-base locations\", \"value\": \"%zu\"}]",
                  t->total, t->total ? rh_risk_name(t->max) : "-", t->kb_locations);
    if (t->id[5] == '\0') {
        rh_buf_lit(o, ", \"showSubtechniques\": true");
    }
    report_scratch_free(o, &c);
    return rh_buf_putc(o, '}');
}

static rh_status nav_begin(struct report *r)
{
    (void)r;
    return RH_OK;
}

static rh_status nav_emit(struct report *r, const rh_finding *f)
{
    (void)r;
    (void)f;
    return RH_OK; /* the layer is written at the end, from every listed finding */
}

static rh_status nav_end(struct report *r)
{
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    struct nav v;
    rh_buf d = RH_BUF_INIT(r->ctx);
    rh_buf *o = &r->out;
    rh_status st;
    size_t i, found = 0;
    memset(&v, 0, sizeof(v));
    v.r = r;
    rh_strmap_init(&v.map, r->ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 64, NAV_MAX_TECHNIQUES);
    st = nav_collect(&v);
    for (i = 0; i < v.n; i++) {
        found += v.t[i].total != 0;
    }
    rh_buf_printf(o, "{\n  \"name\": \"reghunt hunt %s\",\n", s->date);
    rh_buf_lit(o, "  \"versions\": {\"attack\": \"15\", \"navigator\": \"4.9.0\", "
                  "\"layer\": \"4.5\"},\n  \"domain\": \"enterprise-attack\",\n");
    if (r->opts.hypothesis) {
        rh_buf_printf(&d, "Hypothesis: %s. ", r->opts.hypothesis);
    }
    rh_buf_printf(&d,
                  "%zu listed finding(s) (min risk %s) in %zu technique(s); %zu technique(s) "
                  "hunted without a finding. Score: highest risk (Info 20, Low 40, Medium 60, "
                  "High 80, Critical 100).",
                  r->listed, rh_risk_name(r->opts.min_risk), found, v.n - found);
    if (v.invalid) {
        rh_buf_printf(&d, " %zu finding(s) carry no ATT&CK technique id and are not shown.",
                      v.invalid);
    }
    rh_buf_lit(o, "  \"description\": ");
    report_json_str(o, d.data ? d.data : "", d.len);
    report_scratch_free(o, &d);
    rh_buf_lit(o, ",\n  \"hideDisabled\": false,\n  \"techniques\": [");
    for (i = 0; i < v.n && st == RH_OK; i++) {
        st = nav_technique(&v, &v.t[i], i == 0);
    }
    rh_buf_printf(o,
                  "%s],\n  \"gradient\": {\"colors\": [\"%s\", \"%s\"], \"minValue\": 20, "
                  "\"maxValue\": 100},\n  \"legendItems\": [",
                  v.n ? "\n  " : "", risk_color[RH_RISK_LOW], risk_color[RH_RISK_CRITICAL]);
    for (i = RH_RISK_COUNT; i-- > 0;) {
        rh_buf_printf(o, "{\"label\": \"%s (score %u)\", \"color\": \"%s\"}, ",
                      rh_risk_name((rh_risk)i), NAV_SCORE(i), risk_color[i]);
    }
    rh_buf_lit(o, "{\"label\": \"hunted, no finding\", \"color\": \"" NAV_HUNTED_COLOR "\"}],\n");
    rh_buf_printf(o,
                  "  \"metadata\": [{\"name\": \"tool\", \"value\": \"reghunt\"}, {\"name\": "
                  "\"hunt date\", \"value\": \"%s\"}]\n}\n",
                  s->date);
    rh_free(r->ctx, v.t);
    rh_strmap_free(&v.map);
    return st != RH_OK ? st : rh_buf_status(o);
}

const struct report_format report_navigator = {"navigator", nav_begin, nav_emit, nav_end};
