/*
 * Query packs: one query per (location or rule, backend), headers included, strings owned by
 * the pack's arena.
 */
#include <stdio.h>

#include "query_internal.h"

#define QUERY_MAX 1000000u /* queries (and skips) per pack */

struct rh_query_pack {
    rh_ctx *ctx;
    struct rh_arena arena;
    rh_query *q;
    size_t n, cap;
    rh_query_skip *skips;
    size_t nskips, capskips;
};

rh_status rh_query_pack_create(rh_ctx *ctx, rh_query_pack **out)
{
    rh_query_pack *p = rh_calloc(ctx, 1, sizeof(*p));
    *out = NULL;
    if (!p) {
        return RH_ERR_NOMEM;
    }
    p->ctx = ctx;
    rh_arena_init(&p->arena, ctx, 64u * 1024u, 0);
    *out = p;
    return RH_OK;
}

void rh_query_pack_destroy(rh_query_pack *p)
{
    if (!p) {
        return;
    }
    rh_arena_free(&p->arena);
    rh_free(p->ctx, p->q);
    rh_free(p->ctx, p->skips);
    rh_free(p->ctx, p);
}

size_t rh_query_pack_count(const rh_query_pack *p)
{
    return p ? p->n : 0;
}

const rh_query *rh_query_pack_at(const rh_query_pack *p, size_t i)
{
    return p && i < p->n ? &p->q[i] : NULL;
}

size_t rh_query_pack_skip_count(const rh_query_pack *p)
{
    return p ? p->nskips : 0;
}

const rh_query_skip *rh_query_pack_skip_at(const rh_query_pack *p, size_t i)
{
    return p && i < p->nskips ? &p->skips[i] : NULL;
}

static const char *dup(rh_query_pack *p, const char *s, size_t n)
{
    return rh_arena_strndup(&p->arena, s ? s : "", s ? n : 0);
}

static const char *dups(rh_query_pack *p, const char *s)
{
    return dup(p, s, s ? strlen(s) : 0);
}

static rh_status add_skip(rh_query_pack *p, rh_query_backend b, const rh_sigma_rule_info *info,
                          const char *reason)
{
    rh_query_skip *s;
    char name[512];
    void *items = p->skips;
    rh_status st;
    if (p->nskips >= QUERY_MAX) {
        return RH_ERR_LIMIT;
    }
    st = rh_array_reserve(p->ctx, &items, &p->capskips, p->nskips + 1, sizeof(*p->skips));
    p->skips = items;
    if (st != RH_OK) {
        return st;
    }
    s = &p->skips[p->nskips];
    snprintf(name, sizeof(name), "%s (%s)", info->title[0] ? info->title : "untitled",
             info->id[0] ? info->id : "no id");
    s->backend = b;
    s->rule = dups(p, name);
    s->path = dups(p, info->path);
    s->reason = dups(p, reason);
    if (!s->rule || !s->path || !s->reason) {
        return RH_ERR_NOMEM;
    }
    p->nskips++;
    return RH_OK;
}

static rh_query *new_query(rh_query_pack *p)
{
    void *items = p->q;
    rh_status st;
    if (p->n >= QUERY_MAX) {
        return NULL;
    }
    st = rh_array_reserve(p->ctx, &items, &p->cap, p->n + 1, sizeof(*p->q));
    p->q = items;
    if (st != RH_OK) {
        return NULL;
    }
    memset(&p->q[p->n], 0, sizeof(p->q[0]));
    return &p->q[p->n];
}

/* Header lines, each through the backend's comment function. */
static rh_status header(rh_buf *h, const struct qbackend *be, const rh_query *q)
{
    rh_buf line = RH_BUF_INIT(h->ctx);
#define HLINE(...)                                                                                 \
    do {                                                                                           \
        rh_buf_reset(&line);                                                                       \
        rh_buf_printf(&line, __VA_ARGS__);                                                         \
        be->comment(h, line.data ? line.data : "");                                                \
    } while (0)
    HLINE("reghunt hunt query %s for %s", q->id, be->platform);
    HLINE("Technique: %s %s", q->technique[0] ? q->technique : "(none)", q->technique_name);
    HLINE("Location: %s", q->location);
    HLINE("Hypothesis: %s", q->hypothesis);
    HLINE("A hit means: %s", q->hit_means);
    if (!strcmp(q->source, "kb")) {
        HLINE("Excludes %zu Windows default(s) of the knowledge base: hits are deviations.",
              q->exclusions);
    }
    if (q->notes[0]) {
        HLINE("Note: %s", q->notes);
    }
#undef HLINE
    rh_buf_fail(h, rh_buf_status(&line));
    rh_buf_free(&line);
    return rh_buf_status(h);
}

/* Render the IR, wrap it and store the query (q's descriptive fields already set). */
static rh_status finish_query(rh_query_pack *p, const struct qbackend *be, rh_query *q,
                              const struct qnode *ir, unsigned events, rh_buf *notes,
                              const char **unsup)
{
    rh_buf expr = RH_BUF_INIT(p->ctx), text = RH_BUF_INIT(p->ctx), h = RH_BUF_INIT(p->ctx);
    struct qemit e;
    rh_status st;
    memset(&e, 0, sizeof(e));
    e.be = be;
    e.out = &expr;
    rh_buf_init(&e.tmp, p->ctx);
    *unsup = NULL;
    if (query_render(&e, ir, 0) < 0) {
        *unsup = e.unsup ? e.unsup : "an unsupported construct";
        st = RH_ERR_UNSUPPORTED;
        goto out;
    }
    if (e.approx) {
        rh_buf_puts(notes, "Some patterns are widened (the language cannot write them exactly): "
                           "expect extra hits. ");
    }
    be->wrap(&text, be, events, e.used, expr.data ? expr.data : "", expr.len);
    q->notes = dup(p, notes->data, notes->len);
    q->backend = be->id;
    header(&h, be, q);
    st = rh_buf_status(&expr);
    if (st == RH_OK) {
        st = rh_buf_status(&text);
    }
    if (st == RH_OK) {
        st = rh_buf_status(&h);
    }
    if (st == RH_OK) {
        q->text = dup(p, text.data, text.len);
        q->header = dup(p, h.data, h.len);
        if (!q->text || !q->header || !q->notes) {
            st = RH_ERR_NOMEM;
        }
    }
    if (st == RH_OK) {
        p->n++;
    }
out:
    rh_buf_free(&expr);
    rh_buf_free(&text);
    rh_buf_free(&h);
    rh_buf_free(&e.tmp);
    return st;
}

rh_status rh_query_pack_add_location(rh_query_pack *p, rh_query_backend b,
                                     const rh_kb_location *loc)
{
    const struct qbackend *be = query_backend(b);
    struct rh_arena a;
    struct qnode *ir = NULL;
    rh_buf notes, tmp;
    rh_query *q;
    rh_status st;
    const char *unsup = NULL;
    if (!p || !be || !loc || !loc->id || !loc->key_pattern || !loc->value_pattern) {
        return RH_ERR_ARG;
    }
    q = new_query(p);
    if (!q) {
        return RH_ERR_NOMEM;
    }
    rh_arena_init(&a, p->ctx, 16u * 1024u, 0);
    rh_buf_init(&notes, p->ctx);
    rh_buf_init(&tmp, p->ctx);
    st = query_kb_build(&a, be, loc, &ir, &q->exclusions, &notes);
    if (st == RH_OK) {
        q->id = dups(p, loc->id);
        q->source = "kb";
        q->technique = dups(p, loc->technique);
        q->technique_name = dups(p, loc->technique_name ? loc->technique_name : "");
        query_kb_location_text(&tmp, loc);
        q->location = dup(p, tmp.data, tmp.len);
        rh_buf_reset(&tmp);
        rh_buf_printf(&tmp, "Someone persists through %s at this location. %s",
                      q->technique_name[0] ? q->technique_name : q->technique,
                      loc->why ? loc->why : "");
        q->hypothesis = dup(p, tmp.data, tmp.len);
        rh_buf_reset(&tmp);
        rh_buf_printf(&tmp,
                      "a write here that matches no Windows default of any build; base risk %s%s. "
                      "Triage the writing process and the data, then run reghunt hunt on the "
                      "host's hives (with this platform's export as --events).",
                      rh_risk_name(loc->base_risk),
                      (loc->flags & RH_KB_F_NOISY) ? ", noisy location: expect benign software"
                                                   : "");
        q->hit_means = dup(p, tmp.data, tmp.len);
        st = rh_buf_status(&tmp);
        if (st == RH_OK && (!q->id || !q->technique || !q->technique_name || !q->location ||
                            !q->hypothesis || !q->hit_means)) {
            st = RH_ERR_NOMEM;
        }
    }
    if (st == RH_OK) {
        st = finish_query(p, be, q, ir, QE_SET, &notes, &unsup);
        if (st == RH_ERR_UNSUPPORTED) {
            st = RH_ERR_ARG; /* a location always renders; this is a bug or a hostile row */
        }
    }
    rh_buf_free(&notes);
    rh_buf_free(&tmp);
    rh_arena_free(&a);
    return st;
}

static int technique_kept(const char *t, const char *const *techniques, size_t n)
{
    size_t i;
    if (n == 0) {
        return 1;
    }
    for (i = 0; t && i < n; i++) {
        size_t l = strlen(techniques[i]);
        if (l && strlen(t) >= l && rh_ascii_casecmp(t, l, techniques[i], l) == 0 &&
            (t[l] == '\0' || t[l] == '.')) {
            return 1;
        }
    }
    return 0;
}

rh_status rh_query_pack_add_kb(rh_query_pack *p, const rh_kb *kb, unsigned backends,
                               const char *const *techniques, size_t ntechniques)
{
    size_t b, i;
    for (b = 0; b < RH_QB_COUNT; b++) {
        if (!(backends & (1u << b))) {
            continue;
        }
        for (i = 0; i < rh_kb_count(kb); i++) {
            const rh_kb_location *loc = rh_kb_at(kb, i);
            rh_status st;
            if (!technique_kept(loc->technique, techniques, ntechniques)) {
                continue;
            }
            st = rh_query_pack_add_location(p, (rh_query_backend)b, loc);
            if (st != RH_OK) {
                return st;
            }
        }
    }
    return RH_OK;
}

/* The rule's first ATT&CK technique tag, upper-cased ("T1547.001"), into buf. */
static void rule_technique(const rh_sigma_rule_info *info, char *buf, size_t sz)
{
    size_t i, k;
    buf[0] = '\0';
    for (i = 0; i < info->ntags; i++) {
        const char *t = info->tags[i];
        if (rh_ascii_casecmp(t, strlen(t) < 8 ? strlen(t) : 8, "attack.t", 8) == 0 && t[8] >= '0' &&
            t[8] <= '9') {
            for (k = 0; t[7 + k] && k + 1 < sz; k++) {
                char c = t[7 + k];
                if (!((c >= '0' && c <= '9') || c == '.' || c == 't' || c == 'T')) {
                    break;
                }
                buf[k] = c == 't' ? 'T' : c;
            }
            buf[k] = '\0';
            return;
        }
    }
}

rh_status rh_query_pack_add_rules(rh_query_pack *p, const rh_ruleset *rs, unsigned backends,
                                  const char *const *techniques, size_t ntechniques)
{
    size_t i, b;
    for (i = 0; i < rh_ruleset_rule_count(rs); i++) {
        const rh_sigma_rule_info *info = rh_ruleset_rule_at(rs, i);
        unsigned events = query_sigma_events(info);
        rh_sigma_logic *l = NULL;
        char tech[32];
        rh_status st;
        rule_technique(info, tech, sizeof(tech));
        if (!technique_kept(tech, techniques, ntechniques)) {
            continue;
        }
        if (!events) {
            for (b = 0; b < RH_QB_COUNT; b++) {
                if ((backends & (1u << b)) &&
                    (st = add_skip(p, (rh_query_backend)b, info,
                                   "not a registry rule (logsource category registry_set, "
                                   "registry_add, registry_delete or registry_event)")) != RH_OK) {
                    return st;
                }
            }
            continue;
        }
        st = rh_sigma_rule_logic(rs, i, &l);
        if (st == RH_ERR_NOMEM) {
            return st;
        }
        for (b = 0; b < RH_QB_COUNT; b++) {
            const struct qbackend *be = query_backend((rh_query_backend)b);
            struct rh_arena a;
            struct qnode *ir = NULL;
            const char *why = NULL;
            rh_buf notes, tmp;
            rh_query *q;
            if (!(backends & (1u << b))) {
                continue;
            }
            if (st != RH_OK) {
                st = add_skip(p, (rh_query_backend)b, info, "not a detection rule");
                if (st != RH_OK) {
                    return st;
                }
                st = RH_ERR_UNSUPPORTED;
                continue;
            }
            q = new_query(p);
            if (!q) {
                rh_sigma_logic_free(l);
                return RH_ERR_NOMEM;
            }
            rh_arena_init(&a, p->ctx, 16u * 1024u, 0);
            rh_buf_init(&notes, p->ctx);
            rh_buf_init(&tmp, p->ctx);
            st = query_sigma_build(&a, be, l, &ir, &why);
            if (st == RH_OK) {
                rh_buf_printf(&tmp, "sigma:%s", info->id[0] ? info->id : info->title);
                q->id = dup(p, tmp.data, tmp.len);
                q->source = "sigma";
                q->technique = dups(p, tech);
                q->technique_name = dups(p, tech[0] ? rh_technique_name(tech) : "");
                rh_buf_reset(&tmp);
                rh_buf_printf(&tmp, "Sigma rule '%s' (%s, logsource %s)", info->title, info->path,
                              info->category);
                q->location = dup(p, tmp.data, tmp.len);
                q->hypothesis = dups(p, info->description[0] ? info->description : info->title);
                rh_buf_reset(&tmp);
                rh_buf_printf(&tmp, "the rule's detection matched (level %s, status %s)",
                              info->level[0] ? info->level : "unset",
                              info->status[0] ? info->status : "unset");
                q->hit_means = dup(p, tmp.data, tmp.len);
                st = rh_buf_status(&tmp);
                if (st == RH_OK && (!q->id || !q->technique || !q->technique_name || !q->location ||
                                    !q->hypothesis || !q->hit_means)) {
                    st = RH_ERR_NOMEM;
                }
                if (st == RH_OK) {
                    st = finish_query(p, be, q, ir, events, &notes, &why);
                }
            }
            if (st == RH_ERR_UNSUPPORTED) {
                st = add_skip(p, (rh_query_backend)b, info, why ? why : "unsupported");
            }
            rh_buf_free(&notes);
            rh_buf_free(&tmp);
            rh_arena_free(&a);
            if (st != RH_OK) {
                rh_sigma_logic_free(l);
                return st;
            }
        }
        rh_sigma_logic_free(l);
    }
    return RH_OK;
}
