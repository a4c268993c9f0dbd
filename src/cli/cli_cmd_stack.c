/*
 * reghunt stack INPUT...: fleet stacking of hunt results (docs/fleet.md).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void stack_usage(FILE *f)
{
    size_t i;
    fprintf(f, "Usage: reghunt stack INPUT... [options]\n\n"
               "Stacks hunt results of many hosts (least frequency of occurrence): reads\n"
               "'reghunt hunt -f jsonl' output (files, .gz files, folders of *.jsonl,\n"
               "*.ndjson and their .gz), groups the findings by persistence identity (location\n"
               "id + value name + data with users, SIDs, GUIDs, versions, drive letters and\n"
               "environment variables normalised) and ranks the rows rare-and-risky first:\n"
               "score = 4^risk * log2(1 + total_hosts / hosts), risk 0 (Info) .. 4 (Critical).\n"
               "A malformed line is skipped and counted (-v names each); a file that is not\n"
               "hunt JSONL is one error line.\n\n"
               "Options:\n"
               "  -f, --format FMT   report format:");
    for (i = 0; i < rh_report_stack_format_count(); i++) {
        fprintf(f, " %s", rh_report_stack_format_name(i));
    }
    fprintf(f, " (default text)\n"
               "  -o, --output FILE  write the report to FILE instead of stdout\n"
               "  --min-risk LEVEL   list rows whose highest risk is at or above LEVEL: info\n"
               "                     (default), low, medium, high, critical\n"
               "  --max-prevalence P list rows seen on at most this share of hosts (0..1,\n"
               "                     e.g. 0.01; default 1 = all)\n"
               "  --top N            list the first N rows of the ranking (default all)\n"
               "  -v, --verbose      print every malformed line on stderr\n"
               "  -h, --help         this help\n\n"
               "Exit codes: 0 no row listed, 1 rows listed, 2 usage error, 3 unreadable input\n"
               "            (nothing could be read), 5 internal error.\n"
               "Row contract, stack key rule and ranking: docs/fleet.md.\n");
}

struct stack_cmd {
    const char *format, *output;
    rh_stack_filter filter;
    int verbose;
};

static int parse_number(const char *s, double lo, double hi, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (!end || end == s || *end != '\0' || !(v >= lo && v <= hi)) {
        return -1;
    }
    *out = v;
    return 0;
}

/* Parse the options; returns -1 to go on, else the exit code. */
static int stack_parse(int argc, char **argv, struct stack_cmd *o)
{
    static const struct option longs[] = {{"format", required_argument, NULL, 'f'},
                                          {"output", required_argument, NULL, 'o'},
                                          {"min-risk", required_argument, NULL, 'm'},
                                          {"max-prevalence", required_argument, NULL, 'p'},
                                          {"top", required_argument, NULL, 't'},
                                          {"verbose", no_argument, NULL, 'v'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    double v;
    size_t i;
    int c, known = 0;
    memset(o, 0, sizeof(*o));
    o->format = "text";
    o->filter.min_risk = RH_RISK_INFO;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:o:vh", longs, NULL)) != -1) {
        switch (c) {
        case 'f':
            o->format = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'm':
            if (rh_risk_parse(optarg, &o->filter.min_risk) != RH_OK) {
                cli_error("stack: --min-risk: unknown level '%s'", optarg);
                return RH_EXIT_USAGE;
            }
            break;
        case 'p':
            if (parse_number(optarg, 0.0, 1.0, &o->filter.max_prevalence) != 0) {
                cli_error("stack: --max-prevalence: expected a number from 0 to 1, got '%s'",
                          optarg);
                return RH_EXIT_USAGE;
            }
            break;
        case 't':
            if (parse_number(optarg, 1.0, 1e9, &v) != 0 || v != (double)(size_t)v) {
                cli_error("stack: --top: expected a whole number from 1, got '%s'", optarg);
                return RH_EXIT_USAGE;
            }
            o->filter.top = (size_t)v;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'h':
            stack_usage(stdout);
            return RH_EXIT_OK;
        default:
            fprintf(stderr, "Try 'reghunt stack --help'.\n");
            return RH_EXIT_USAGE;
        }
    }
    for (i = 0; i < rh_report_stack_format_count(); i++) {
        known |= strcmp(o->format, rh_report_stack_format_name(i)) == 0;
    }
    if (!known) {
        cli_error("stack: unknown format '%s' (see 'reghunt stack --help')", o->format);
        return RH_EXIT_USAGE;
    }
    if (optind >= argc) {
        cli_error("stack: needs INPUT... (hunt JSONL files or folders)");
        return RH_EXIT_USAGE;
    }
    return -1;
}

int cli_cmd_stack(int argc, char **argv)
{
    struct stack_cmd o;
    const rh_stack_stats *ss;
    rh_ctx *ctx;
    rh_stack *s = NULL;
    int rc = stack_parse(argc, argv, &o), i, failed = 0;
    if (rc >= 0) {
        return rc;
    }
    ctx = cli_ctx_create(o.verbose);
    if (rh_stack_create(ctx, &s) != RH_OK) {
        cli_error("out of memory");
        rh_ctx_destroy(ctx);
        return RH_EXIT_INTERNAL;
    }
    rc = RH_EXIT_OK;
    for (i = optind; i < argc && rc == RH_EXIT_OK; i++) {
        rh_status st = rh_stack_add_path(s, argv[i]);
        if (st == RH_ERR_NOMEM) {
            cli_error("%s: out of memory", argv[i]);
            rc = RH_EXIT_INTERNAL;
        }
        failed |= st != RH_OK;
    }
    ss = rh_stack_get_stats(s);
    if (rc == RH_EXIT_OK && ss->findings == 0 && (failed || ss->files_failed)) {
        rc = RH_EXIT_INPUT; /* nothing could be read: each failure was one error line */
    }
    if (rc == RH_EXIT_OK && rh_stack_finish(s, &o.filter) != RH_OK) {
        cli_error("out of memory");
        rc = RH_EXIT_INTERNAL;
    }
    if (rc == RH_EXIT_OK) {
        FILE *out = cli_output_open(o.output);
        rc = out ? cli_output_close(out, o.output,
                                    rh_report_stack(ctx, o.format, s, cli_write_sink, out))
                 : RH_EXIT_INTERNAL;
    }
    if (rc == RH_EXIT_OK) {
        fprintf(stderr,
                "reghunt: stack: %zu row(s) listed of %zu key(s); %zu host(s), %llu finding(s) "
                "from %zu file(s); %llu malformed line(s)%s, %zu file(s) failed, %llu dropped "
                "at a limit\n",
                rh_stack_count(s), ss->keys, ss->total_hosts, (unsigned long long)ss->findings,
                ss->files, (unsigned long long)ss->malformed,
                ss->malformed && !o.verbose ? " (-v lists them)" : "", ss->files_failed,
                (unsigned long long)ss->dropped);
        rc = rh_stack_count(s) ? RH_EXIT_FINDINGS : RH_EXIT_OK;
    }
    rh_stack_destroy(s);
    rh_ctx_destroy(ctx);
    return rc;
}
