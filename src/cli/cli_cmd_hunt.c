/*
 * reghunt hunt PATH...: hunt registry persistence in hive files, directories and zip
 * collections; report in text, json, jsonl, csv, md, html (self-contained page) or ecs
 * (NDJSON with Elastic Common Schema fields).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_hunt.h"

static void hunt_usage(FILE *f)
{
    size_t i;
    fprintf(f, "Usage: reghunt hunt PATH... [options]\n\n"
               "Hunts registry persistence in offline hives. PATH is a hive file, a directory\n"
               "(searched recursively; KAPE and Velociraptor layouts are recognised) or a zip\n"
               "collection (read in memory, never extracted). Transaction logs beside each hive\n"
               "are replayed in memory; evidence is never written.\n\n"
               "Options:\n"
               "  -f, --format FMT   report format:");
    for (i = 0; i < rh_report_format_count(); i++) {
        fprintf(f, " %s", rh_report_format_name(i));
    }
    fprintf(f,
            " (default text)\n"
            "                     html: one self-contained page (summary, timeline, sortable and\n"
            "                     filterable findings; no network resources, strict CSP)\n"
            "                     ecs: NDJSON, one Elastic Common Schema alert per finding\n"
            "  -o, --output FILE  write the report to FILE instead of stdout\n"
            "  --min-risk LEVEL   list findings at or above LEVEL: info, low (default), medium,\n"
            "                     high, critical (known-good findings are always listed)\n"
            "  --baseline FILE    mark findings recorded by 'reghunt baseline create' known-good\n"
            "  --allowlist FILE   mark findings matching the allowlist known-good\n"
            "                     (KEY_GLOB [TAB VALUE_GLOB [TAB DATA_GLOB [TAB LOCATION]]])\n"
            "  --date YYYYMMDD    date used in the hunt ids (default: newest hive timestamp)\n"
            "  --deleted          also recover deleted keys and values\n"
            "  --no-logs          do not replay transaction logs\n"
            "  -v, --verbose      print every parser anomaly on stderr\n"
            "  -h, --help         this help\n\n"
            "Exit codes: 0 nothing at or above the minimum risk, 1 findings reported,\n"
            "            2 usage error, 3 unreadable input, 5 internal error.\n"
            "Output fields and the JSON schema: docs/hunt-output.md.\n");
}

struct progress {
    int tty;
    size_t last;
};

static void progress_cb(void *user, size_t done, size_t total, const char *source)
{
    struct progress *p = user;
    const char *base = strrchr(source, '/');
    (void)p;
    fprintf(stderr, "\r\033[K[%zu/%zu] %.60s", done + 1, total, base ? base + 1 : source);
    fflush(stderr);
}

int cli_hunt_collect(rh_ctx *ctx, const struct cli_hunt_args *a, rh_kb **kb, rh_hunt **hunt)
{
    rh_collection_opts co;
    rh_collection *coll = NULL;
    rh_hunt_opts ho;
    struct progress pr = {0, 0};
    rh_status st;
    int i;
    *kb = NULL;
    *hunt = NULL;
    if (rh_kb_create(ctx, kb) != RH_OK) {
        cli_error("out of memory");
        return RH_EXIT_INTERNAL;
    }
    memset(&co, 0, sizeof(co));
    co.flags = (a->deleted ? RH_COLL_DELETED : 0) | (a->no_logs ? RH_COLL_NO_LOGS : 0);
    if (rh_collection_create(ctx, &co, &coll) != RH_OK) {
        cli_error("out of memory");
        return RH_EXIT_INTERNAL;
    }
    for (i = 0; i < a->npaths; i++) {
        cli_last_diag[0] = '\0';
        st = rh_collection_add(coll, a->paths[i]);
        if (st != RH_OK) {
            rh_collection_destroy(coll);
            return cli_fail_input(a->paths[i], st);
        }
    }
    st = rh_collection_finish(coll);
    if (st != RH_OK) {
        rh_collection_destroy(coll);
        return cli_fail_input(a->paths[0], st);
    }
    if (rh_collection_hive_count(coll) == 0) {
        cli_error("%s%s: no registry hives found", a->paths[0], a->npaths > 1 ? " ..." : "");
        rh_collection_destroy(coll);
        return RH_EXIT_INPUT;
    }
    memset(&ho, 0, sizeof(ho));
    ho.date = a->date;
    ho.baseline = a->baseline;
    ho.allowlist = a->allowlist;
    pr.tty = cli_stderr_is_tty();
    if (pr.tty) {
        ho.progress = progress_cb;
        ho.progress_user = &pr;
    }
    st = rh_hunt_create(ctx, *kb, &ho, hunt);
    if (st == RH_OK) {
        st = rh_hunt_collection(*hunt, coll);
    }
    if (pr.tty) {
        fprintf(stderr, "\r\033[K");
    }
    if (st == RH_OK) {
        st = rh_hunt_finish(*hunt);
    }
    if (st == RH_OK && rh_hunt_get_stats(*hunt)->hives_hunted == 0 &&
        rh_hunt_get_stats(*hunt)->hives_failed > 0) {
        cli_error("%s: no hive could be read (%zu unreadable)", a->paths[0],
                  rh_hunt_get_stats(*hunt)->hives_failed);
        rh_collection_destroy(coll);
        return RH_EXIT_INPUT;
    }
    rh_collection_destroy(coll);
    if (st != RH_OK) {
        cli_error("hunt failed: %s", rh_strerror(st));
        return st == RH_ERR_NOMEM ? RH_EXIT_INTERNAL : RH_EXIT_INPUT;
    }
    return RH_EXIT_OK;
}

static rh_status write_file(void *user, const char *data, size_t len)
{
    return fwrite(data, 1, len, (FILE *)user) == len ? RH_OK : RH_ERR_IO;
}

int cli_cmd_hunt(int argc, char **argv)
{
    static const struct option longs[] = {{"format", required_argument, NULL, 'f'},
                                          {"output", required_argument, NULL, 'o'},
                                          {"min-risk", required_argument, NULL, 'm'},
                                          {"baseline", required_argument, NULL, 'b'},
                                          {"allowlist", required_argument, NULL, 'a'},
                                          {"date", required_argument, NULL, 'D'},
                                          {"deleted", no_argument, NULL, 'd'},
                                          {"no-logs", no_argument, NULL, 'n'},
                                          {"verbose", no_argument, NULL, 'v'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    const char *format = "text", *output = NULL, *baseline = NULL, *allowlist = NULL;
    struct cli_hunt_args a;
    rh_report_opts ro;
    rh_ctx *ctx;
    rh_kb *kb = NULL;
    rh_hunt *hunt = NULL;
    rh_baseline *bl = NULL;
    rh_allowlist *al = NULL;
    FILE *out = stdout;
    struct timespec t0, t1;
    int c, rc, known = 0;
    size_t i, reported = 0;
    rh_status st;
    memset(&a, 0, sizeof(a));
    memset(&ro, 0, sizeof(ro));
    ro.min_risk = RH_RISK_LOW;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:o:vh", longs, NULL)) != -1) {
        switch (c) {
        case 'f':
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'm':
            if (rh_risk_parse(optarg, &ro.min_risk) != RH_OK) {
                cli_error("hunt: unknown risk level '%s' (info, low, medium, high, critical)",
                          optarg);
                return RH_EXIT_USAGE;
            }
            break;
        case 'b':
            baseline = optarg;
            break;
        case 'a':
            allowlist = optarg;
            break;
        case 'D':
            a.date = optarg;
            break;
        case 'd':
            a.deleted = 1;
            break;
        case 'n':
            a.no_logs = 1;
            break;
        case 'v':
            a.verbose = 1;
            break;
        case 'h':
            hunt_usage(stdout);
            return RH_EXIT_OK;
        default:
            fprintf(stderr, "Try 'reghunt hunt --help'.\n");
            return RH_EXIT_USAGE;
        }
    }
    for (i = 0; i < rh_report_format_count(); i++) {
        known |= strcmp(format, rh_report_format_name(i)) == 0;
    }
    if (!known) {
        cli_error("hunt: unknown format '%s' (see 'reghunt hunt --help')", format);
        return RH_EXIT_USAGE;
    }
    if (a.date) {
        size_t k;
        int ok = strlen(a.date) == 8;
        for (k = 0; ok && k < 8; k++) {
            ok = a.date[k] >= '0' && a.date[k] <= '9';
        }
        if (!ok) {
            cli_error("hunt: --date wants YYYYMMDD, got '%s'", a.date);
            return RH_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("hunt: no input (see 'reghunt hunt --help')");
        return RH_EXIT_USAGE;
    }
    a.paths = (const char *const *)argv + optind;
    a.npaths = argc - optind;
    ctx = cli_ctx_create(a.verbose);
    if (baseline) {
        st = rh_baseline_load(ctx, baseline, &bl);
        if (st != RH_OK) {
            rc = cli_fail_input(baseline, st);
            rh_ctx_destroy(ctx);
            return rc;
        }
        a.baseline = bl;
    }
    if (allowlist) {
        st = rh_allowlist_load(ctx, allowlist, &al);
        if (st != RH_OK) {
            rc = cli_fail_input(allowlist, st);
            rh_baseline_destroy(bl);
            rh_ctx_destroy(ctx);
            return rc;
        }
        a.allowlist = al;
    }
    rc = cli_hunt_collect(ctx, &a, &kb, &hunt);
    if (rc == RH_EXIT_OK && output) {
        out = fopen(output, "wb");
        if (!out) {
            cli_error("%s: cannot open for writing", output);
            out = stdout;
            rc = RH_EXIT_INTERNAL;
        }
    }
    if (rc == RH_EXIT_OK) {
        st = rh_report_write(ctx, format, hunt, &ro, write_file, out);
        if (out != stdout) {
            if (fclose(out) != 0) {
                st = RH_ERR_IO;
            }
        } else if (fflush(out) != 0) {
            st = RH_ERR_IO;
        }
        if (st != RH_OK) {
            cli_error("%s: write failed: %s", output ? output : "stdout", rh_strerror(st));
            rc = RH_EXIT_INTERNAL;
        }
    }
    if (rc == RH_EXIT_OK) {
        const rh_hunt_stats *s = rh_hunt_get_stats(hunt);
        double secs;
        for (i = 0; i < rh_hunt_count(hunt); i++) {
            const rh_finding *f = rh_hunt_at(hunt, i);
            reported += f->risk >= ro.min_risk && !f->known_good;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        fprintf(stderr,
                "reghunt: %zu host(s), %zu hive(s) (%zu hunted, %zu unreadable), findings: "
                "%zu Critical, %zu High, %zu Medium, %zu Low, %zu Info (%zu known-good); "
                "%.2f s\n",
                s->hosts, s->hives, s->hives_hunted, s->hives_failed, s->by_risk[4], s->by_risk[3],
                s->by_risk[2], s->by_risk[1], s->by_risk[0], s->known_good, secs);
        rc = reported ? RH_EXIT_FINDINGS : RH_EXIT_OK;
    }
    rh_hunt_destroy(hunt);
    rh_kb_destroy(kb);
    rh_baseline_destroy(bl);
    rh_allowlist_destroy(al);
    rh_ctx_destroy(ctx);
    return rc;
}
