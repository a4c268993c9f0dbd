/*
 * reghunt baseline create PATH... -o FILE: record a known-good collection (golden image).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli_hunt.h"

static void baseline_usage(FILE *f)
{
    fprintf(f, "Usage: reghunt baseline create PATH... -o FILE [options]\n\n"
               "Hunts a known-good collection (a golden image, a clean reference host) and\n"
               "records every persistence value it holds, whatever its risk. Hunting later with\n"
               "'--baseline FILE' marks the same location, key, value name and data as\n"
               "known-good (kept in the report, flagged, risk capped at Low). Keys are recorded\n"
               "relative to their hive (no SID) and the profile folder in data as\n"
               "%%USERPROFILE%%, so the baseline matches other hosts and users.\n\n"
               "Options:\n"
               "  -o, --output FILE  baseline file to write (JSON Lines; required)\n"
               "  --deleted          also record deleted keys and values\n"
               "  --no-logs          do not replay transaction logs\n"
               "  -v, --verbose      print every parser anomaly on stderr\n"
               "  -h, --help         this help\n");
}

int cli_cmd_baseline(int argc, char **argv)
{
    static const struct option longs[] = {
        {"output", required_argument, NULL, 'o'}, {"deleted", no_argument, NULL, 'd'},
        {"no-logs", no_argument, NULL, 'n'},      {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    struct cli_hunt_args a;
    const char *output = NULL;
    rh_ctx *ctx;
    rh_kb *kb = NULL;
    rh_hunt *hunt = NULL;
    rh_buf b;
    int c, rc;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        baseline_usage(stdout);
        return RH_EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "create") != 0) {
        cli_error("baseline: expected 'create' (see 'reghunt baseline --help')");
        return RH_EXIT_USAGE;
    }
    argc--;
    argv++;
    memset(&a, 0, sizeof(a));
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:vh", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            output = optarg;
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
            baseline_usage(stdout);
            return RH_EXIT_OK;
        default:
            fprintf(stderr, "Try 'reghunt baseline --help'.\n");
            return RH_EXIT_USAGE;
        }
    }
    if (!output || optind >= argc) {
        cli_error("baseline create: needs PATH... and -o FILE");
        return RH_EXIT_USAGE;
    }
    a.paths = (const char *const *)argv + optind;
    a.npaths = argc - optind;
    ctx = cli_ctx_create(a.verbose);
    rc = cli_hunt_collect(ctx, &a, &kb, &hunt);
    if (rc == RH_EXIT_OK) {
        FILE *f = NULL;
        rh_buf_init(&b, ctx);
        if (rh_baseline_write(hunt, &b) == RH_OK) {
            f = rh_os_fopen(output, "wb");
        }
        if (!b.data) {
            cli_error("out of memory");
            rc = RH_EXIT_INTERNAL;
        } else if (!f) {
            cli_error("%s: cannot open for writing", output);
            rc = RH_EXIT_INTERNAL;
        } else {
            if (cli_write(f, &b) != 0 || fclose(f) != 0) {
                cli_error("%s: write failed", output);
                rc = RH_EXIT_INTERNAL;
            } else {
                fprintf(stderr,
                        "reghunt: baseline of %zu value(s) from %zu hive(s) written to %s\n",
                        rh_hunt_count(hunt), rh_hunt_get_stats(hunt)->hives_hunted, output);
            }
        }
        rh_buf_free(&b);
    }
    rh_hunt_destroy(hunt);
    rh_kb_destroy(kb);
    rh_ctx_destroy(ctx);
    return rc;
}
