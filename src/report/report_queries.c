/*
 * Query pack writers (docs/queries.md): one file per backend (the queries were escaped by
 * their backend when generated), the Markdown hunt plan (report_md_esc for every cell) and
 * the JSON document for tooling (report_json_str for every string).
 */
#include "report_internal.h"
#include "reghunt/query.h"

rh_status rh_query_pack_file(const rh_query_pack *p, rh_query_backend b, rh_buf *out)
{
    size_t i, k = 0;
    for (i = 0; i < rh_query_pack_count(p); i++) {
        const rh_query *q = rh_query_pack_at(p, i);
        if (q->backend != b) {
            continue;
        }
        if (k++) {
            rh_buf_putc(out, '\n');
        }
        rh_buf_puts(out, q->header);
        rh_buf_puts(out, q->text);
    }
    return rh_buf_status(out);
}

static void md_cell(rh_buf *o, const char *s)
{
    rh_buf_lit(o, " ");
    report_md_esc(o, s, s ? strlen(s) : 0);
    rh_buf_lit(o, " |");
}

rh_status rh_query_pack_plan(const rh_query_pack *p, const char *const files[RH_QB_COUNT],
                             rh_buf *out)
{
    size_t b, i, nq[RH_QB_COUNT] = {0}, ns[RH_QB_COUNT] = {0}, nkb = 0, nsig = 0;
    for (i = 0; i < rh_query_pack_count(p); i++) {
        const rh_query *q = rh_query_pack_at(p, i);
        nq[q->backend]++;
        if (q->backend == rh_query_pack_at(p, 0)->backend) {
            nkb += strcmp(q->source, "kb") == 0;
            nsig += strcmp(q->source, "sigma") == 0;
        }
    }
    for (i = 0; i < rh_query_pack_skip_count(p); i++) {
        ns[rh_query_pack_skip_at(p, i)->backend]++;
    }
    rh_buf_lit(out, "# reghunt hunt plan\n\n"
                    "Hypothesis-driven registry persistence hunt across the fleet: run each file "
                    "in its platform, triage every hit (a hit is a write that matches no Windows "
                    "default of the knowledge base), then bring the platform's export back into "
                    "`reghunt hunt --events` for fusion and scoring. Query headers name the "
                    "technique, the location, the hypothesis and what a hit means; field maps and "
                    "limits: docs/queries.md.\n\n");
    rh_buf_printf(out, "Per backend: %zu knowledge-base location(s), %zu Sigma rule(s).\n\n", nkb,
                  nsig);
    rh_buf_lit(out, "| backend | file | platform and telemetry | queries | rules skipped |\n"
                    "|---|---|---|---|---|\n");
    for (b = 0; b < RH_QB_COUNT; b++) {
        if (!files[b]) {
            continue;
        }
        rh_buf_lit(out, "|");
        md_cell(out, rh_query_backend_name((rh_query_backend)b));
        md_cell(out, files[b]);
        md_cell(out, rh_query_backend_platform((rh_query_backend)b));
        rh_buf_printf(out, " %zu | %zu |\n", nq[b], ns[b]);
    }
    rh_buf_lit(out, "\n## Queries by technique\n\n| technique | name | query id | location |"
                    " excluded defaults | notes |\n|---|---|---|---|---|---|\n");
    for (i = 0; i < rh_query_pack_count(p); i++) {
        const rh_query *q = rh_query_pack_at(p, i);
        if (q->backend != rh_query_pack_at(p, 0)->backend) {
            continue; /* one row per query id: the first backend's */
        }
        rh_buf_lit(out, "|");
        md_cell(out, q->technique);
        md_cell(out, q->technique_name);
        md_cell(out, q->id);
        md_cell(out, q->location);
        rh_buf_printf(out, " %zu |", q->exclusions);
        md_cell(out, q->notes);
        rh_buf_putc(out, '\n');
    }
    if (rh_query_pack_skip_count(p)) {
        rh_buf_lit(out, "\n## Rules not converted\n\n| backend | rule | file | reason |\n"
                        "|---|---|---|---|\n");
        for (i = 0; i < rh_query_pack_skip_count(p); i++) {
            const rh_query_skip *s = rh_query_pack_skip_at(p, i);
            rh_buf_lit(out, "|");
            md_cell(out, rh_query_backend_name(s->backend));
            md_cell(out, s->rule);
            md_cell(out, s->path);
            md_cell(out, s->reason);
            rh_buf_putc(out, '\n');
        }
    }
    return rh_buf_status(out);
}

static void json_kv(rh_buf *o, const char *k, const char *v, int first)
{
    report_json_field(o, k, v, v ? strlen(v) : 0, first);
}

rh_status rh_query_pack_json(const rh_query_pack *p, rh_buf *out)
{
    size_t i;
    rh_buf_lit(out, "{\"queries\":[");
    for (i = 0; i < rh_query_pack_count(p); i++) {
        const rh_query *q = rh_query_pack_at(p, i);
        rh_buf_puts(out, i ? ",\n{" : "\n{");
        json_kv(out, "backend", rh_query_backend_name(q->backend), 1);
        json_kv(out, "id", q->id, 0);
        json_kv(out, "source", q->source, 0);
        json_kv(out, "technique", q->technique, 0);
        json_kv(out, "technique_name", q->technique_name, 0);
        json_kv(out, "location", q->location, 0);
        json_kv(out, "hypothesis", q->hypothesis, 0);
        json_kv(out, "hit_means", q->hit_means, 0);
        rh_buf_printf(out, ",\"exclusions\":%zu", q->exclusions);
        json_kv(out, "notes", q->notes, 0);
        json_kv(out, "query", q->text, 0);
        rh_buf_putc(out, '}');
    }
    rh_buf_lit(out, "],\n\"skipped\":[");
    for (i = 0; i < rh_query_pack_skip_count(p); i++) {
        const rh_query_skip *s = rh_query_pack_skip_at(p, i);
        rh_buf_puts(out, i ? ",\n{" : "\n{");
        json_kv(out, "backend", rh_query_backend_name(s->backend), 1);
        json_kv(out, "rule", s->rule, 0);
        json_kv(out, "path", s->path, 0);
        json_kv(out, "reason", s->reason, 0);
        rh_buf_putc(out, '}');
    }
    return rh_buf_lit(out, "]}\n");
}
