/*
 * The planted-hive suite without hives: every row of tests/data/planted/planted.tsv goes
 * through rh_kb_match + rh_score_value. Malicious rows must match their location (most
 * specific match first), carry the expected technique and reach min_risk; benign rows must
 * stay at or below max_risk. Every kb location must have a malicious row.
 */
#include "rh_test.h"

#include "score_rows.h"

static int verbose;

int main(int argc, char **argv)
{
    rh_ctx *ctx = NULL;
    rh_kb *kb = NULL;
    FILE *fp;
    char line[8192];
    int lineno = 0, rows = 0;
    unsigned char *covered;
    size_t i;
    verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    RH_CHECK_EQ(rh_ctx_create(NULL, &ctx), RH_OK);
    RH_CHECK_EQ(rh_kb_create(ctx, &kb), RH_OK);
    covered = calloc(rh_kb_count(kb), 1);
    fp = fopen(RH_SOURCE_DIR "/tests/data/planted/planted.tsv", "r");
    RH_CHECK(fp != NULL);
    while (fp && fgets(line, sizeof(line), fp)) {
        char *col[13];
        int nc;
        lineno++;
        if (line[0] == '#' || strncmp(line, "kind\t", 5) == 0 || line[0] == '\n' || !line[0]) {
            continue;
        }
        nc = row_split(line, col, 13);
        if (nc != 13) {
            fprintf(stderr, "planted.tsv:%d: %d columns\n", lineno, nc);
            RH_CHECK(0);
            continue;
        }
        rows++;
        {
            int malicious = strcmp(col[0], "malicious") == 0;
            rh_kb_hive hive;
            struct score_row r;
            rh_score_result res;
            const rh_kb_location *m[16];
            size_t nm = score_row_match(kb, &r, col[2], col[3], col[4], col[11], &hive, m, 16);
            rh_risk lim;
            if (strcmp(col[1], "-") == 0) {
                if (nm != 0) {
                    fprintf(stderr, "planted.tsv:%d: expected no location, got %s\n", lineno,
                            m[0]->id);
                }
                RH_CHECK_EQ(nm, 0);
                continue;
            }
            if (nm == 0 || strcmp(m[0]->id, col[1]) != 0) {
                fprintf(stderr, "planted.tsv:%d: expected location %s, got %s\n", lineno, col[1],
                        nm ? m[0]->id : "(none)");
                RH_CHECK(0);
                continue;
            }
            covered[(size_t)(m[0] - rh_kb_at(kb, 0))] |= malicious ? 1 : 0;
            score_row_fill(ctx, &r, m[0], hive, col[3], col[5], col[6], col[10], col[11]);
            RH_CHECK_EQ(rh_score_value(ctx, &r.in, &res), RH_OK);
            if (malicious) {
                RH_CHECK_EQ(rh_risk_parse(col[8], &lim), RH_OK);
                if (res.risk < lim || strcmp(res.technique, col[7]) != 0) {
                    fprintf(stderr,
                            "planted.tsv:%d %s: risk %s (min %s) technique %s (want %s): %s\n",
                            lineno, col[1], rh_risk_name(res.risk), col[8], res.technique, col[7],
                            res.reasons);
                }
                RH_CHECK(res.risk >= lim);
                RH_CHECK_STR(res.technique, col[7]);
                RH_CHECK(res.nreasons > 0);
            } else {
                RH_CHECK_EQ(rh_risk_parse(col[9], &lim), RH_OK);
                if (res.risk > lim) {
                    fprintf(stderr, "planted.tsv:%d %s (benign): risk %s (max %s): %s\n", lineno,
                            col[1], rh_risk_name(res.risk), col[9], res.reasons);
                }
                RH_CHECK(res.risk <= lim);
                RH_CHECK(res.risk < RH_RISK_HIGH);
            }
            if (verbose) {
                printf("%d %-5s %-36s %-8s %-6s %s\n", lineno, malicious ? "MAL" : "ok", col[1],
                       rh_risk_name(res.risk), rh_confidence_name(res.confidence), res.reasons);
            }
            RH_CHECK(res.action_text != NULL);
            rh_score_result_free(ctx, &res);
            score_row_free(&r);
        }
    }
    if (fp) {
        fclose(fp);
    }
    for (i = 0; i < rh_kb_count(kb); i++) {
        if (!covered[i]) {
            fprintf(stderr, "no malicious planted row for location %s\n", rh_kb_at(kb, i)->id);
        }
        RH_CHECK(covered[i]);
    }
    RH_CHECK(rows > 300);
    free(covered);
    rh_kb_destroy(kb);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_score_planted");
}
