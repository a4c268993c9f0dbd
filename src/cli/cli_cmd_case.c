/*
 * reghunt case runs|diff|verdict FILE ...: the case store written by `reghunt hunt --case`
 * (docs/fleet.md).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void case_usage(FILE *f)
{
    fprintf(f,
            "Usage: reghunt case runs FILE [-f text|jsonl] [-o OUT]\n"
            "       reghunt case diff FILE [RUN_A RUN_B] [-f text|jsonl] [-o OUT]\n"
            "       reghunt case verdict FILE KEY tp|benign|review [--note TEXT]\n\n"
            "The case store: one SQLite file that 'reghunt hunt --case FILE' records runs into\n"
            "(inputs with SHA-256, hosts, findings with fusion state and stack key).\n\n"
            "  runs     list the recorded runs, oldest first\n"
            "  diff     per host: persistence new, gone or changed (data, risk or correlation)\n"
            "           between run RUN_A and run RUN_B; without runs, each host between the\n"
            "           last two runs that hunted it\n"
            "  verdict  record a verdict for KEY = HOST|STACK_KEY (a finding's host, '*' for\n"
            "           every host, and its stack_key field; '|' in a host as <pipe>); later\n"
            "           hunts recorded in the case and 'reghunt stack FILE' show it (a benign\n"
            "           verdict marks a finding, it never hides it); the newest verdict wins\n\n"
            "Options:\n"
            "  -f, --format FMT   text (default) or jsonl\n"
            "  -o, --output FILE  write to FILE instead of stdout\n"
            "  --note TEXT        verdict: a note kept with it\n"
            "  -h, --help         this help\n\n"
            "Exit codes: 0 ok (diff: no change), 1 diff: changes listed, 2 usage error,\n"
            "            3 not a case file, damaged, or another schema version, 5 internal error.\n"
            "Schema and KEY: docs/fleet.md.\n");
}

struct case_cmd {
    const char *format, *output, *note;
};

static int case_parse(int argc, char **argv, struct case_cmd *o)
{
    static const struct option longs[] = {{"format", required_argument, NULL, 'f'},
                                          {"output", required_argument, NULL, 'o'},
                                          {"note", required_argument, NULL, 'n'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    int c;
    memset(o, 0, sizeof(*o));
    o->format = "text";
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:o:h", longs, NULL)) != -1) {
        switch (c) {
        case 'f':
            o->format = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'n':
            o->note = optarg;
            break;
        case 'h':
            case_usage(stdout);
            return RH_EXIT_OK;
        default:
            fprintf(stderr, "Try 'reghunt case --help'.\n");
            return RH_EXIT_USAGE;
        }
    }
    if (strcmp(o->format, "text") != 0 && strcmp(o->format, "jsonl") != 0) {
        cli_error("case: unknown format '%s' (text or jsonl)", o->format);
        return RH_EXIT_USAGE;
    }
    return -1;
}

static int parse_run(const char *s, int64_t *out)
{
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (!end || end == s || *end || v <= 0) {
        cli_error("case: a run id is a positive number ('reghunt case runs' lists them), got "
                  "'%s'",
                  s);
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

static int write_out(rh_ctx *ctx, const struct case_cmd *o, const rh_case *c, int diff)
{
    FILE *out = cli_output_open(o->output);
    if (!out) {
        return RH_EXIT_INTERNAL;
    }
    return cli_output_close(out, o->output,
                            diff ? rh_report_case_diff(ctx, o->format, c, cli_write_sink, out)
                                 : rh_report_case_runs(ctx, o->format, c, cli_write_sink, out));
}

int cli_cmd_case(int argc, char **argv)
{
    struct case_cmd o;
    const char *sub, *file;
    char **pos;
    int npos, rc = case_parse(argc, argv, &o), i;
    int64_t a = 0, b = 0;
    rh_ctx *ctx;
    rh_case *c = NULL;
    rh_status st;
    if (rc >= 0) {
        return rc;
    }
    pos = argv + optind;
    npos = argc - optind;
    if (npos < 2) {
        cli_error("case: needs a subcommand and FILE (see 'reghunt case --help')");
        return RH_EXIT_USAGE;
    }
    sub = pos[0];
    file = pos[1];
    if (strcmp(sub, "runs") == 0 && npos == 2) {
        i = 0;
    } else if (strcmp(sub, "diff") == 0 && (npos == 2 || npos == 4)) {
        if (npos == 4 && (parse_run(pos[2], &a) != 0 || parse_run(pos[3], &b) != 0)) {
            return RH_EXIT_USAGE;
        }
        i = 1;
    } else if (strcmp(sub, "verdict") == 0 && npos == 4) {
        i = 2;
    } else {
        cli_error("case: '%s' with %d argument(s): see 'reghunt case --help'", sub, npos - 1);
        return RH_EXIT_USAGE;
    }
    ctx = cli_ctx_create(0);
    st = rh_case_open(ctx, file, i == 2 ? RH_CASE_WRITE : RH_CASE_READ, &c);
    if (st != RH_OK) {
        rc = cli_fail_input(file, st);
    } else if (i == 0) {
        st = rh_case_runs_load(c);
        rc = st == RH_OK ? write_out(ctx, &o, c, 0) : cli_fail_input(file, st);
    } else if (i == 1) {
        st = rh_case_diff_load(c, a, b);
        rc = st == RH_NOT_FOUND ? RH_EXIT_USAGE
             : st == RH_OK      ? write_out(ctx, &o, c, 1)
                                : cli_fail_input(file, st);
        if (rc == RH_EXIT_OK && rh_case_change_count(c)) {
            rc = RH_EXIT_FINDINGS;
        }
    } else {
        st = rh_case_set_verdict(c, pos[2], pos[3], o.note);
        if (st == RH_ERR_ARG) {
            cli_error("case verdict: KEY is HOST|STACK_KEY (e.g. 'WKSTN-042|run_hkcu|upd|<user>"
                      "\\x.exe') and the verdict one of %s",
                      RH_CASE_VERDICTS);
            rc = RH_EXIT_USAGE;
        } else {
            rc = st == RH_OK ? RH_EXIT_OK : cli_fail_input(file, st);
        }
    }
    rh_case_close(c);
    rh_ctx_destroy(ctx);
    return rc;
}
