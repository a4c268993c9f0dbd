/*
 * reghunt queries: hunt queries for SIEM and EDR platforms from the knowledge base and Sigma
 * registry rules (docs/queries.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define QUERIES_MAX_ARGS 256

static void queries_usage(FILE *f)
{
    size_t b;
    fprintf(f, "Usage: reghunt queries --backend NAME [options]\n\n"
               "Writes a hunt pack: for every knowledge-base location (and, with -r, every\n"
               "Sigma registry rule) one query per backend over that platform's registry\n"
               "telemetry, each with a header naming the technique, the location, the\n"
               "hypothesis it tests and what a hit means. The Windows defaults of the\n"
               "knowledge base are excluded, so a query returns deviations. Rules a backend\n"
               "cannot express are named on stderr (and in the plan), never dropped silently.\n\n"
               "Options:\n"
               "  -b, --backend NAME  one of");
    for (b = 0; b < RH_QB_COUNT; b++) {
        fprintf(f, " %s", rh_query_backend_name((rh_query_backend)b));
    }
    fprintf(f, ",\n"
               "                      or all; repeat or separate with commas\n"
               "  -t, --technique ID  only locations and rules of this ATT&CK technique (T1547\n"
               "                      keeps its sub-techniques); repeatable\n"
               "  -r, --rules PATH    Sigma rule file or folder (registry_set, registry_add,\n"
               "                      registry_delete, registry_event rules); repeatable\n"
               "      --no-kb         no knowledge-base queries (only the -r rules)\n"
               "  -k, --kb FILE       add or override knowledge-base rows from a TSV file\n"
               "                      (columns: docs/kb.md)\n"
               "  -o, --output DIR    write one file per backend (hunt.spl, hunt.cim.spl,\n"
               "                      hunt.mde.kql, hunt.sentinel.kql, hunt.esql, hunt.eql,\n"
               "                      hunt.lucene) and the Markdown plan hunt-plan.md to DIR\n"
               "                      (created if missing); default: the queries on stdout\n"
               "  -f, --format FMT    text (default: query files) or json (one document:\n"
               "                      hunt-pack.json in DIR, or stdout)\n"
               "  -v, --verbose       show anomalies while loading rules\n"
               "  -h, --help          this help\n\n"
               "Exit codes: 0 pack written, 2 usage error, 3 unreadable knowledge-base file,\n"
               "            4 rules could not be loaded, 5 internal error.\n"
               "Backends, field maps, escaping and known limits: docs/queries.md.\n");
}

struct queries_cmd {
    unsigned backends;
    const char *techniques[QUERIES_MAX_ARGS];
    size_t ntechniques;
    const char *rules[QUERIES_MAX_ARGS];
    size_t nrules;
    const char *kb_file, *dir;
    int json, verbose, no_kb;
};

static int parse_backends(const char *arg, unsigned *mask)
{
    char buf[256];
    char *tok, *save = NULL;
    if (strlen(arg) >= sizeof(buf)) {
        cli_error("queries: --backend: argument too long");
        return -1;
    }
    memcpy(buf, arg, strlen(arg) + 1);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        rh_query_backend b;
        if (strcmp(tok, "all") == 0) {
            *mask |= (1u << RH_QB_COUNT) - 1u;
        } else if (rh_query_backend_parse(tok, &b) == RH_OK) {
            *mask |= 1u << b;
        } else {
            cli_error("queries: unknown backend '%s' (see 'reghunt queries --help')", tok);
            return -1;
        }
    }
    return 0;
}

/* Parse the options; returns -1 to go on, else the exit code. */
static int queries_parse(int argc, char **argv, struct queries_cmd *o)
{
    static const struct option longs[] = {
        {"backend", required_argument, NULL, 'b'}, {"technique", required_argument, NULL, 't'},
        {"rules", required_argument, NULL, 'r'},   {"kb", required_argument, NULL, 'k'},
        {"output", required_argument, NULL, 'o'},  {"format", required_argument, NULL, 'f'},
        {"verbose", no_argument, NULL, 'v'},       {"no-kb", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    int c;
    memset(o, 0, sizeof(*o));
    optind = 1;
    while ((c = getopt_long(argc, argv, "b:t:r:k:o:f:vh", longs, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (parse_backends(optarg, &o->backends) < 0) {
                return RH_EXIT_USAGE;
            }
            break;
        case 't':
        case 'r':
            if ((c == 't' ? o->ntechniques : o->nrules) >= QUERIES_MAX_ARGS) {
                cli_error("queries: more than %d -%c options", QUERIES_MAX_ARGS, c);
                return RH_EXIT_USAGE;
            }
            if (c == 't') {
                o->techniques[o->ntechniques++] = optarg;
            } else {
                o->rules[o->nrules++] = optarg;
            }
            break;
        case 'k':
            o->kb_file = optarg;
            break;
        case 'o':
            o->dir = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "json") == 0) {
                o->json = 1;
            } else if (strcmp(optarg, "text") != 0) {
                cli_error("queries: unknown format '%s' (text or json)", optarg);
                return RH_EXIT_USAGE;
            }
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'n':
            o->no_kb = 1;
            break;
        case 'h':
            queries_usage(stdout);
            return RH_EXIT_OK;
        default:
            fprintf(stderr, "Try 'reghunt queries --help'.\n");
            return RH_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("queries: unexpected argument '%s'", argv[optind]);
        return RH_EXIT_USAGE;
    }
    if (!o->backends) {
        cli_error("queries: needs --backend NAME (or --backend all)");
        return RH_EXIT_USAGE;
    }
    return -1;
}

/* Write buf to DIR/name (or stdout when dir is NULL). Returns an exit code. */
static int write_out(const char *dir, const char *name, const rh_buf *buf)
{
    char path[4096];
    FILE *f;
    if (rh_buf_status(buf) != RH_OK) {
        cli_error("out of memory");
        return RH_EXIT_INTERNAL;
    }
    if (!dir) {
        return cli_write(stdout, buf) == 0 ? RH_EXIT_OK : RH_EXIT_INTERNAL;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
        cli_error("%s: path too long", dir);
        return RH_EXIT_USAGE;
    }
    f = cli_output_open(path);
    if (!f) {
        return RH_EXIT_INTERNAL;
    }
    return cli_output_close(f, path, cli_write(f, buf) == 0 ? RH_OK : RH_ERR_IO);
}

static int load_rules(rh_ctx *ctx, const struct queries_cmd *o, rh_ruleset **rs)
{
    rh_sigma_compiler *c = NULL;
    size_t i;
    int rc = RH_EXIT_OK;
    *rs = NULL;
    if (rh_sigma_compiler_create(ctx, NULL, &c) != RH_OK) {
        cli_error("out of memory");
        return RH_EXIT_INTERNAL;
    }
    for (i = 0; i < o->nrules && rc == RH_EXIT_OK; i++) {
        rh_status st = rh_sigma_compiler_add_path(c, o->rules[i]);
        if (st != RH_OK) {
            cli_error("%s: cannot load rules: %s", o->rules[i], rh_strerror(st));
            rc = st == RH_ERR_NOMEM ? RH_EXIT_INTERNAL : RH_EXIT_RULES;
        }
    }
    if (rc == RH_EXIT_OK && rh_sigma_compiler_finish(c, rs) != RH_OK) {
        cli_error("rules: cannot finish the rule set");
        rc = RH_EXIT_RULES;
    }
    for (i = 0; rc == RH_EXIT_OK && i < rh_sigma_compiler_reject_count(c); i++) {
        const rh_sigma_reject *r = rh_sigma_compiler_reject_at(c, i);
        rh_buf b = RH_BUF_INIT(ctx);
        rh_escape_append(&b, r->title, strlen(r->title), RH_ESC_TERMINAL);
        rh_buf_lit(&b, "' (");
        rh_escape_append(&b, r->path, strlen(r->path), RH_ESC_TERMINAL);
        rh_buf_lit(&b, "): ");
        rh_escape_append(&b, r->reason, strlen(r->reason), RH_ESC_TERMINAL);
        fprintf(stderr, "reghunt: queries: rule '%s\n", b.data ? b.data : "");
        rh_buf_free(&b);
    }
    rh_sigma_compiler_destroy(c);
    return rc;
}

static void report_skips(rh_ctx *ctx, const rh_query_pack *p)
{
    size_t i;
    for (i = 0; i < rh_query_pack_skip_count(p); i++) {
        const rh_query_skip *s = rh_query_pack_skip_at(p, i);
        rh_buf b = RH_BUF_INIT(ctx);
        rh_escape_append(&b, s->rule, strlen(s->rule), RH_ESC_TERMINAL);
        rh_buf_lit(&b, "' (");
        rh_escape_append(&b, s->path, strlen(s->path), RH_ESC_TERMINAL);
        rh_buf_printf(&b, ") not converted: %s", s->reason);
        fprintf(stderr, "reghunt: queries: %s: rule '%s\n", rh_query_backend_name(s->backend),
                b.data ? b.data : "");
        rh_buf_free(&b);
    }
}

static int write_pack(rh_ctx *ctx, const struct queries_cmd *o, const rh_query_pack *p)
{
    rh_buf buf = RH_BUF_INIT(ctx);
    char names[RH_QB_COUNT][64];
    const char *files[RH_QB_COUNT] = {NULL};
    size_t b;
    int rc = RH_EXIT_OK;
    if (o->json) {
        rh_query_pack_json(p, &buf);
        rc = write_out(o->dir, "hunt-pack.json", &buf);
        rh_buf_free(&buf);
        return rc;
    }
    for (b = 0; b < RH_QB_COUNT && rc == RH_EXIT_OK; b++) {
        if (!(o->backends & (1u << b))) {
            continue;
        }
        snprintf(names[b], sizeof(names[b]), "hunt.%s", rh_query_backend_ext((rh_query_backend)b));
        files[b] = names[b];
        rh_buf_reset(&buf);
        if (!o->dir) {
            rh_buf_printf(&buf, "==> %s (%s) <==\n", names[b],
                          rh_query_backend_name((rh_query_backend)b));
        }
        rh_query_pack_file(p, (rh_query_backend)b, &buf);
        if (!o->dir) {
            rh_buf_putc(&buf, '\n');
        }
        rc = write_out(o->dir, names[b], &buf);
    }
    if (rc == RH_EXIT_OK && o->dir) {
        rh_buf_reset(&buf);
        rh_query_pack_plan(p, files, &buf);
        rc = write_out(o->dir, "hunt-plan.md", &buf);
    }
    rh_buf_free(&buf);
    return rc;
}

int cli_cmd_queries(int argc, char **argv)
{
    struct queries_cmd o;
    rh_ctx *ctx;
    rh_kb *kb = NULL;
    rh_ruleset *rs = NULL;
    rh_query_pack *p = NULL;
    rh_status st;
    int rc = queries_parse(argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    if (o.dir && rh_os_mkdir(o.dir) != 0 && errno != EEXIST) {
        cli_error("%s: cannot create the output folder: %s", o.dir, strerror(errno));
        return RH_EXIT_INTERNAL;
    }
    ctx = cli_ctx_create(o.verbose);
    rc = RH_EXIT_OK;
    if (rh_kb_create(ctx, &kb) != RH_OK || rh_query_pack_create(ctx, &p) != RH_OK) {
        cli_error("out of memory");
        rc = RH_EXIT_INTERNAL;
    }
    if (rc == RH_EXIT_OK && o.kb_file && (st = rh_kb_load_file(kb, o.kb_file)) != RH_OK) {
        cli_error("%s: cannot load knowledge-base rows: %s", o.kb_file, rh_strerror(st));
        rc = st == RH_ERR_NOMEM ? RH_EXIT_INTERNAL : RH_EXIT_INPUT;
    }
    if (rc == RH_EXIT_OK && o.nrules) {
        rc = load_rules(ctx, &o, &rs);
    }
    if (rc == RH_EXIT_OK) {
        st = o.no_kb ? RH_OK : rh_query_pack_add_kb(p, kb, o.backends, o.techniques, o.ntechniques);
        if (st == RH_OK && rs) {
            st = rh_query_pack_add_rules(p, rs, o.backends, o.techniques, o.ntechniques);
        }
        if (st != RH_OK) {
            cli_error("queries: %s", rh_strerror(st));
            rc = RH_EXIT_INTERNAL;
        }
    }
    if (rc == RH_EXIT_OK) {
        report_skips(ctx, p);
        rc = write_pack(ctx, &o, p);
    }
    if (rc == RH_EXIT_OK) {
        fprintf(stderr, "reghunt: queries: %zu quer%s, %zu rule conversion(s) skipped%s%s\n",
                rh_query_pack_count(p), rh_query_pack_count(p) == 1 ? "y" : "ies",
                rh_query_pack_skip_count(p), o.dir ? "; written to " : "", o.dir ? o.dir : "");
    }
    rh_query_pack_destroy(p);
    rh_ruleset_destroy(rs);
    rh_kb_destroy(kb);
    rh_ctx_destroy(ctx);
    return rc;
}
