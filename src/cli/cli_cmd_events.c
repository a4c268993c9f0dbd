/*
 * reghunt events PATH... [--event-id N[,N...]] [--from ISO] [--to ISO] [--recover]
 *                        [--threads N]
 * Normalized JSON Lines (docs/events.md) from EVTX, JSON, NDJSON (optionally gzip).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_IDS 64

static void events_usage(FILE *f)
{
    fprintf(f, "Usage: reghunt events PATH... [--event-id N[,N...]] [--from ISO] [--to ISO]\n"
               "                      [--recover] [--threads N] [-v]\n"
               "\n"
               "Reads .evtx files and SIEM exports (Winlogbeat/ECS, flat OTRF-style, evtx_dump\n"
               "JSON; JSON array or one object per line; gzip accepted) and EDR/SIEM exports\n"
               "(Defender Advanced Hunting CSV/JSON, CrowdStrike Falcon, SentinelOne Deep\n"
               "Visibility, Splunk JSON/CSV of Sysmon events: mapped to Sysmon's events) and\n"
               "writes one normalized event per line as JSON (shape: docs/events.md). A PATH\n"
               "may be a file (any name), a directory or a zip archive: those are searched for\n"
               ".evtx, .json, .ndjson, .jsonl, .csv and .gz files, in path order.\n"
               "\n"
               "  --event-id N[,N]  keep only these event ids (option may repeat)\n"
               "  --from ISO        keep events at or after this UTC time (2020-10-23T21:57:36Z)\n"
               "  --to ISO          keep events at or before this UTC time\n"
               "  --recover         EVTX: also carve records from unused space and slack\n"
               "  --threads N       EVTX: parse chunks on N threads (order unchanged)\n"
               "  -v                show anomalies on stderr\n");
}

struct filter {
    unsigned ids[MAX_IDS];
    size_t nids;
    uint64_t from, to;
    rh_buf line;
    int failed;
    const rh_events_opts *opts;
};

static rh_status on_event(const rh_event *ev, void *user)
{
    struct filter *f = user;
    size_t i;
    if (f->nids) {
        for (i = 0; i < f->nids && f->ids[i] != ev->event_id; i++) {
        }
        if (i == f->nids) {
            return RH_OK;
        }
    }
    if ((f->from && ev->timestamp < f->from) || (f->to && ev->timestamp > f->to)) {
        return RH_OK;
    }
    rh_buf_reset(&f->line);
    if (rh_event_to_json(ev, &f->line) != RH_OK || rh_buf_putc(&f->line, '\n') != RH_OK) {
        return RH_ERR_NOMEM;
    }
    if (cli_write(stdout, &f->line) != 0) {
        f->failed = 1;
        return RH_ERR_IO;
    }
    return RH_OK;
}

static int read_one(rh_ctx *ctx, rh_collection *coll, size_t i, const char *path, void *user)
{
    struct filter *f = user;
    rh_status st;
    cli_last_diag[0] = '\0';
    st = coll ? rh_collection_events_read(coll, i, f->opts, on_event, f)
              : rh_events_read_file(ctx, path, f->opts, on_event, f);
    if (f->failed) {
        cli_error("write error on standard output");
        return RH_EXIT_INTERNAL;
    }
    return st == RH_OK ? RH_EXIT_OK : cli_fail_input(path, st);
}

static int parse_ids(struct filter *f, const char *s)
{
    while (*s) {
        char *end;
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || v > 0xFFFFFFFFul || f->nids == MAX_IDS || (*end && *end != ',')) {
            return -1;
        }
        f->ids[f->nids++] = (unsigned)v;
        s = *end ? end + 1 : end;
    }
    return 0;
}

int cli_cmd_events(int argc, char **argv)
{
    struct filter f;
    rh_events_opts opts;
    const char *paths[1024];
    size_t npaths = 0;
    int verbose = 0, rc = RH_EXIT_OK, a;
    rh_ctx *ctx;
    memset(&f, 0, sizeof(f));
    memset(&opts, 0, sizeof(opts));
    for (a = 1; a < argc; a++) {
        const char *s = argv[a];
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            events_usage(stdout);
            return RH_EXIT_OK;
        } else if (strcmp(s, "--event-id") == 0 && a + 1 < argc) {
            if (parse_ids(&f, argv[++a]) != 0) {
                cli_error("events: --event-id takes numbers separated by commas");
                return RH_EXIT_USAGE;
            }
        } else if ((strcmp(s, "--from") == 0 || strcmp(s, "--to") == 0) && a + 1 < argc) {
            uint64_t *t = s[2] == 'f' ? &f.from : &f.to;
            const char *v = argv[++a];
            if (rh_time_parse_iso(v, strlen(v), t) != RH_OK) {
                cli_error("events: %s: not an ISO 8601 time: '%s'", s, v);
                return RH_EXIT_USAGE;
            }
        } else if (strcmp(s, "--recover") == 0) {
            opts.flags |= RH_EVENTS_RECOVER;
        } else if (strcmp(s, "--threads") == 0 && a + 1 < argc) {
            char *end;
            unsigned long t = strtoul(argv[++a], &end, 10);
            if (*end || t > 64) {
                cli_error("events: --threads takes a number from 0 to 64");
                return RH_EXIT_USAGE;
            }
            opts.threads = (unsigned)t;
        } else if (strcmp(s, "-v") == 0 || strcmp(s, "--verbose") == 0) {
            verbose = 1;
        } else if (s[0] == '-' && s[1]) {
            cli_error("events: unknown option '%s' (see 'reghunt events --help')", s);
            return RH_EXIT_USAGE;
        } else if (npaths < sizeof(paths) / sizeof(paths[0])) {
            paths[npaths++] = s;
        } else {
            cli_error("events: too many paths");
            return RH_EXIT_USAGE;
        }
    }
    if (!npaths) {
        events_usage(stderr);
        return RH_EXIT_USAGE;
    }
    ctx = cli_ctx_create(verbose);
    rh_buf_init(&f.line, ctx);
    f.opts = &opts;
    rc = cli_each_event_input(ctx, paths, npaths, read_one, &f);
    if (fflush(stdout) != 0 && rc == RH_EXIT_OK) {
        cli_error("write error on standard output");
        rc = RH_EXIT_INTERNAL;
    }
    rh_buf_free(&f.line);
    rh_ctx_destroy(ctx);
    return rc;
}
