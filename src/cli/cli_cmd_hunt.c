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
               "Hunts registry persistence in offline hives and event logs. PATH is a hive file,\n"
               "an event log (.evtx, .json, .ndjson, .jsonl, .csv, .gz; also Defender, Falcon,\n"
               "SentinelOne and Splunk exports: docs/events.md), a directory (searched\n"
               "recursively for both; KAPE and Velociraptor layouts are recognised) or a zip\n"
               "collection of hives and event logs (streamed member by member, never extracted;\n"
               "limits: docs/limits.md). Transaction logs beside each hive are replayed in\n"
               "memory; evidence is never written.\n\n"
               "With event logs, each hive finding is correlated with the registry write events\n"
               "(Correlation: confirmed, log-gap, uncovered, gone, residue, event-only) and\n"
               "carries the writer's process tree; writes at persistence locations whose value is\n"
               "gone from the hive (or whose host has no hive) become findings of their own.\n\n"
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
            "                     navigator: ATT&CK Navigator layer 4.5 (hunted and found\n"
            "                     techniques, score = highest risk)\n"
            "                     timesketch: JSONL for Timesketch, one line per key last-write\n"
            "                     and per event of each finding\n"
            "  -o, --output FILE  write the report to FILE instead of stdout\n"
            "  --min-risk LEVEL   list findings at or above LEVEL: info, low (default), medium,\n"
            "                     high, critical (known-good findings are always listed)\n"
            "  --baseline FILE    mark findings recorded by 'reghunt baseline create' known-good\n"
            "  --allowlist FILE   mark findings matching the allowlist known-good\n"
            "                     (KEY_GLOB [TAB VALUE_GLOB [TAB DATA_GLOB [TAB LOCATION]]])\n"
            "  --date YYYYMMDD    date used in the hunt ids (default: newest hive timestamp,\n"
            "                     or newest event time when no hive is hunted)\n"
            "  -r, --rules PATH   Sigma rules (file or directory; repeatable), run over every\n"
            "                     hive's state and over every event; hits on a value the\n"
            "                     knowledge base found are added to that finding's reasons;\n"
            "                     correlation rules run over the events and join the findings\n"
            "                     of their events\n"
            "  --rules-strict     fail (exit 4) when a rule cannot be loaded\n"
            "  --ioc FILE         threat-intelligence indicators (repeatable): STIX 2.1 bundle,\n"
            "                     MISP event JSON or a plain list (one indicator per line,\n"
            "                     type detected, # comments); a hit raises the finding's risk\n"
            "                     (docs/threat-intel.md); expired indicators are listed only\n"
            "  --from ISO, --to ISO  hunt window (e.g. 2026-11-19T00:00:00Z): findings whose\n"
            "                     key last-write or event time falls inside rank higher\n"
            "  --window-only      list only findings inside the window (others are counted)\n"
            "  --hypothesis TEXT  the hunt hypothesis, echoed in the report\n"
            "  --plan FILE        hunt plan (key: value lines or simple YAML: hypothesis,\n"
            "                     techniques, data_sources), echoed in the report\n"
            "  --case FILE        record the run in the case store FILE (SQLite; created when\n"
            "                     absent; shared by parallel hunts): inputs with SHA-256,\n"
            "                     hosts, findings; verdicts of 'reghunt case verdict' are\n"
            "                     shown on the findings (never hidden). Never inside an input.\n"
            "  --host-lines       jsonl: after the findings, one {\"record\":\"host\"} line per\n"
            "                     hunted host, so 'reghunt stack' counts clean hosts too\n"
            "  --live             also hunt this running Windows system through the registry\n"
            "                     API, read-only (HKLM SOFTWARE and SYSTEM, every profile's\n"
            "                     HKU hives or, when not loaded, its hive files; no deleted\n"
            "                     data or transaction logs: docs/windows.md); Windows only\n"
            "  --deleted          also recover deleted keys and values\n"
            "  --no-logs          do not replay transaction logs\n"
            "  -v, --verbose      print every parser anomaly on stderr\n"
            "  -h, --help         this help\n\n"
            "Exit codes: 0 nothing at or above the minimum risk, 1 findings reported,\n"
            "            2 usage error, 3 unreadable input, 4 rules not loadable (unreadable\n"
            "            -r path, or --rules-strict with unusable rules), 5 internal error.\n"
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

/* --case: the paths given, then every hive and event file the collection found outside
 * archives (an archive's members are covered by the archive's own hash). */
static int note_case_inputs(const struct cli_hunt_args *a, const rh_collection *coll)
{
    rh_status st = RH_OK;
    size_t i;
    int k;
    for (k = 0; k < a->npaths && st != RH_ERR_NOMEM && st != RH_ERR_LIMIT; k++) {
        st = rh_case_add_input(a->kase, a->paths[k], "input");
    }
    for (i = 0; i < rh_collection_hive_count(coll) && st != RH_ERR_NOMEM && st != RH_ERR_LIMIT;
         i++) {
        const rh_coll_hive *h = rh_collection_hive_at(coll, i);
        if (!h->in_archive) {
            st = rh_case_add_input(a->kase, h->source, "hive");
        }
    }
    for (i = 0; i < rh_collection_events_count(coll) && st != RH_ERR_NOMEM && st != RH_ERR_LIMIT;
         i++) {
        const rh_coll_events *e = rh_collection_events_at(coll, i);
        if (!e->in_archive) {
            st = rh_case_add_input(a->kase, e->source, "events");
        }
    }
    if (st == RH_ERR_NOMEM) {
        cli_error("out of memory");
        return RH_EXIT_INTERNAL;
    }
    if (st == RH_ERR_LIMIT) {
        cli_error("--case: more than %u input files to record", RH_CASE_MAX_INPUTS);
        return RH_EXIT_INPUT;
    }
    return RH_EXIT_OK;
}

int cli_hunt_collect(rh_ctx *ctx, const struct cli_hunt_args *a, rh_kb **kb, rh_hunt **hunt)
{
    rh_collection_opts co;
    rh_collection *coll = NULL;
    rh_hunt_opts ho;
    struct progress pr = {0, 0};
    rh_status st;
    size_t nhives;
    int i, rc = RH_EXIT_OK;
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
            rc = cli_fail_input(a->paths[i], st);
            goto out;
        }
    }
    if (a->live) {
        rh_live_stats ls;
        cli_last_diag[0] = '\0';
        st = rh_live_add(ctx, coll, &ls);
        if (st == RH_ERR_UNSUPPORTED) {
            cli_error("hunt: --live reads the registry of a running Windows system; this "
                      "build runs elsewhere (hunt hive files or a collection instead)");
            rc = RH_EXIT_USAGE;
            goto out;
        }
        if (st != RH_OK) {
            rc = cli_fail_input("live registry", st);
            goto out;
        }
        if (a->verbose) {
            fprintf(stderr,
                    "reghunt: live: %zu hive(s) through the API, %zu profile hive file(s), "
                    "%llu key(s), %llu value(s), %llu key(s) not readable\n",
                    ls.hives_api, ls.hives_file, (unsigned long long)ls.keys,
                    (unsigned long long)ls.values, (unsigned long long)ls.keys_denied);
        }
    }
    st = rh_collection_finish(coll);
    if (st != RH_OK) {
        rc = cli_fail_input(a->npaths ? a->paths[0] : "live registry", st);
        goto out;
    }
    if (a->kase) {
        rc = note_case_inputs(a, coll);
        if (rc != RH_EXIT_OK) {
            goto out;
        }
    }
    nhives = rh_collection_hive_count(coll);
    /* Zip collections may hold event logs only: those count as input too. */
    if (nhives == 0 && rh_collection_events_count(coll) == 0) {
        cli_error("%s%s: no registry hives or event logs found",
                  a->npaths ? a->paths[0] : "live registry", a->npaths > 1 ? " ..." : "");
        rc = RH_EXIT_INPUT;
        goto out;
    }
    memset(&ho, 0, sizeof(ho));
    ho.date = a->date;
    ho.baseline = a->baseline;
    ho.allowlist = a->allowlist;
    ho.rules = a->rules;
    ho.window_from = a->window_from;
    ho.window_to = a->window_to;
    ho.ioc = a->ioc;
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
        rh_hunt_get_stats(*hunt)->event_inputs == 0 &&
        rh_hunt_get_stats(*hunt)->hives_failed + rh_hunt_get_stats(*hunt)->event_inputs_failed >
            0) {
        const rh_hunt_stats *hs = rh_hunt_get_stats(*hunt);
        if (hs->event_inputs_failed == 0) {
            cli_error("%s: no hive could be read (%zu unreadable)",
                      a->npaths ? a->paths[0] : "live registry", hs->hives_failed);
        } else {
            cli_error("%s%s: no input could be read (%zu hive(s) and %zu event log(s) unreadable)",
                      a->npaths ? a->paths[0] : "live registry", a->npaths > 1 ? " ..." : "",
                      hs->hives_failed, hs->event_inputs_failed);
        }
        rc = RH_EXIT_INPUT;
        goto out;
    }
    if (st != RH_OK) {
        cli_error("hunt failed: %s", rh_strerror(st));
        rc = st == RH_ERR_NOMEM ? RH_EXIT_INTERNAL : RH_EXIT_INPUT;
    }
out:
    rh_collection_destroy(coll);
    return rc;
}

/* ---- rules, plan, window ------------------------------------------------------------------ */

#define CLI_MAX_RULE_PATHS 256u

static int load_rules(rh_ctx *ctx, const char *const *paths, size_t n, int strict,
                      rh_sigma_config **cfg, rh_sigma_compiler **comp, rh_ruleset **rs)
{
    rh_status st = rh_sigma_config_default(ctx, cfg);
    size_t i, nrej;
    if (st == RH_OK) {
        st = rh_sigma_compiler_create(ctx, *cfg, comp);
    }
    rh_ctx_set_diag(ctx, NULL, NULL); /* rejects are summarised below */
    for (i = 0; i < n && st == RH_OK; i++) {
        st = rh_sigma_compiler_add_path(*comp, paths[i]);
        if (st == RH_ERR_IO) {
            cli_error("hunt: %s: cannot read rules", paths[i]);
            return RH_EXIT_RULES;
        }
    }
    if (st == RH_OK) {
        st = rh_sigma_compiler_finish(*comp, rs);
    }
    if (st != RH_OK) {
        cli_error("hunt: loading rules failed: %s", rh_strerror(st));
        return st == RH_ERR_NOMEM ? RH_EXIT_INTERNAL : RH_EXIT_RULES;
    }
    nrej = rh_sigma_compiler_reject_count(*comp);
    if (nrej) {
        cli_error("hunt: %zu Sigma rule(s) not loaded (%zu loaded); first reasons:", nrej,
                  rh_ruleset_rule_count(*rs));
        for (i = 0; i < nrej && i < 5; i++) {
            const rh_sigma_reject *r = rh_sigma_compiler_reject_at(*comp, i);
            fprintf(stderr, "  %s:%d: %s%s%s\n", r->path, r->line, r->id[0] ? r->id : "",
                    r->id[0] ? ": " : "", r->reason);
        }
        if (nrej > 5) {
            fprintf(stderr, "  ... see 'reghunt sigma check' for the full list\n");
        }
        if (strict) {
            cli_error("hunt: --rules-strict: refusing to hunt with unloaded rules");
            return RH_EXIT_RULES;
        }
    }
    return -1;
}

struct plan {
    char hypothesis[1024], techniques[1024], sources[1024];
};

static void trim(char *s)
{
    size_t n = strlen(s), b = 0;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) {
        s[--n] = '\0';
    }
    while (s[b] == ' ' || s[b] == '\t') {
        b++;
    }
    if (n >= 2 && ((s[b] == '"' && s[n - 1] == '"') || (s[b] == '\'' && s[n - 1] == '\''))) {
        s[n - 1] = '\0';
        b++;
    }
    memmove(s, s + b, strlen(s + b) + 1);
}

static void plan_append(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(dst);
    if (!v[0]) {
        return;
    }
    snprintf(dst + n, cap - n, "%s%s", n ? ", " : "", v);
}

/* A hunt plan: `key: value` lines, `key:` followed by `- item` lines, `[a, b]` lists. Keys:
 * hypothesis, techniques, data_sources (or "data sources"). Unknown keys are ignored. */
static int load_plan(const char *path, struct plan *p)
{
    FILE *f = rh_os_fopen(path, "r");
    char line[1024], *cur = NULL;
    if (!f) {
        return -1;
    }
    memset(p, 0, sizeof(*p));
    while (fgets(line, sizeof(line), f)) {
        char *colon, *v;
        trim(line);
        if (!line[0] || line[0] == '#' || strcmp(line, "---") == 0) {
            continue;
        }
        if (line[0] == '-' && cur) {
            v = line + 1;
            trim(v);
            plan_append(cur, 1024, v);
            continue;
        }
        colon = strchr(line, ':');
        if (!colon) {
            continue;
        }
        *colon = '\0';
        v = colon + 1;
        trim(line);
        trim(v);
        cur = strcmp(line, "hypothesis") == 0   ? p->hypothesis
              : strcmp(line, "techniques") == 0 ? p->techniques
              : strcmp(line, "data_sources") == 0 || strcmp(line, "data sources") == 0 ? p->sources
                                                                                       : NULL;
        if (cur && v[0] == '[') {
            char *it = v + 1, *end = strchr(v, ']');
            if (end) {
                *end = '\0';
            }
            while (it && *it) {
                char *comma = strchr(it, ',');
                if (comma) {
                    *comma = '\0';
                }
                trim(it);
                plan_append(cur, 1024, it);
                it = comma ? comma + 1 : NULL;
            }
        } else if (cur) {
            plan_append(cur, 1024, v);
        }
    }
    fclose(f);
    return 0;
}

static int parse_when(const char *s, uint64_t *out)
{
    return rh_time_parse_iso(s, strlen(s), out) == RH_OK && *out ? 0 : -1;
}

/* ---- the command -------------------------------------------------------------------------- */

/* The parsed command line. */
struct hunt_cmd {
    struct cli_hunt_args a;
    rh_report_opts ro;
    const char *format, *output, *baseline, *allowlist, *plan_path, *case_path;
    const char *rule_paths[CLI_MAX_RULE_PATHS];
    size_t nrule_paths;
    const char *ioc_paths[CLI_MAX_RULE_PATHS];
    size_t nioc_paths;
    int rules_strict;
    struct plan plan; /* ro.hypothesis and ro.plan_* may point here */
};

/* The handles a hunt owns; each is NULL until loaded. */
struct hunt_state {
    rh_ctx *ctx;
    rh_kb *kb;
    rh_hunt *hunt;
    rh_baseline *bl;
    rh_allowlist *al;
    rh_ioc_set *ioc;
    rh_ctx *rctx; /* the rules' context: load_rules summarises its rejects */
    rh_sigma_config *scfg;
    rh_sigma_compiler *scomp;
    rh_ruleset *rs;
    rh_case *kase; /* --case */
};

/* Read the options into *o. Returns -1 to go on, or the exit code after --help or one error
 * line. */
static int parse_hunt_options(int argc, char **argv, struct hunt_cmd *o)
{
    static const struct option longs[] = {{"format", required_argument, NULL, 'f'},
                                          {"output", required_argument, NULL, 'o'},
                                          {"min-risk", required_argument, NULL, 'm'},
                                          {"baseline", required_argument, NULL, 'b'},
                                          {"allowlist", required_argument, NULL, 'a'},
                                          {"date", required_argument, NULL, 'D'},
                                          {"deleted", no_argument, NULL, 'd'},
                                          {"no-logs", no_argument, NULL, 'n'},
                                          {"live", no_argument, NULL, 'L'},
                                          {"verbose", no_argument, NULL, 'v'},
                                          {"rules", required_argument, NULL, 'r'},
                                          {"rules-strict", no_argument, NULL, 'S'},
                                          {"from", required_argument, NULL, 'F'},
                                          {"to", required_argument, NULL, 'T'},
                                          {"window-only", no_argument, NULL, 'W'},
                                          {"hypothesis", required_argument, NULL, 'H'},
                                          {"plan", required_argument, NULL, 'P'},
                                          {"case", required_argument, NULL, 'C'},
                                          {"host-lines", no_argument, NULL, 257},
                                          {"ioc", required_argument, NULL, 'I'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    int c;
    memset(o, 0, sizeof(*o));
    o->format = "text";
    o->ro.min_risk = RH_RISK_LOW;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:o:r:vh", longs, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (o->nrule_paths >= CLI_MAX_RULE_PATHS) {
                cli_error("hunt: more than %u --rules paths", CLI_MAX_RULE_PATHS);
                return RH_EXIT_USAGE;
            }
            o->rule_paths[o->nrule_paths++] = optarg;
            break;
        case 'S':
            o->rules_strict = 1;
            break;
        case 'I':
            if (o->nioc_paths >= CLI_MAX_RULE_PATHS) {
                cli_error("hunt: more than %u --ioc files", CLI_MAX_RULE_PATHS);
                return RH_EXIT_USAGE;
            }
            o->ioc_paths[o->nioc_paths++] = optarg;
            break;
        case 'F':
        case 'T':
            if (parse_when(optarg, c == 'F' ? &o->a.window_from : &o->a.window_to) != 0) {
                cli_error("hunt: --%s wants an ISO 8601 time (2026-11-19T06:00:00Z), got '%s'",
                          c == 'F' ? "from" : "to", optarg);
                return RH_EXIT_USAGE;
            }
            break;
        case 'W':
            o->ro.window_only = 1;
            break;
        case 'H':
            o->ro.hypothesis = optarg;
            break;
        case 'P':
            o->plan_path = optarg;
            break;
        case 'C':
            o->case_path = optarg;
            break;
        case 257: /* --host-lines (long only) */
            o->ro.host_lines = 1;
            break;
        case 'f':
            o->format = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'm':
            if (rh_risk_parse(optarg, &o->ro.min_risk) != RH_OK) {
                cli_error("hunt: unknown risk level '%s' (info, low, medium, high, critical)",
                          optarg);
                return RH_EXIT_USAGE;
            }
            break;
        case 'b':
            o->baseline = optarg;
            break;
        case 'a':
            o->allowlist = optarg;
            break;
        case 'D':
            o->a.date = optarg;
            break;
        case 'd':
            o->a.deleted = 1;
            break;
        case 'n':
            o->a.no_logs = 1;
            break;
        case 'L':
            o->a.live = 1;
            break;
        case 'v':
            o->a.verbose = 1;
            break;
        case 'h':
            hunt_usage(stdout);
            return RH_EXIT_OK;
        default:
            fprintf(stderr, "Try 'reghunt hunt --help'.\n");
            return RH_EXIT_USAGE;
        }
    }
    return -1;
}

/* Check the options, read the hunt plan and take the PATHs (argv[optind..]). Returns -1 to go
 * on, or the exit code after one error line. */
static int check_hunt_options(int argc, char **argv, struct hunt_cmd *o)
{
    size_t i;
    int known = 0;
    for (i = 0; i < rh_report_format_count(); i++) {
        known |= strcmp(o->format, rh_report_format_name(i)) == 0;
    }
    if (!known) {
        cli_error("hunt: unknown format '%s' (see 'reghunt hunt --help')", o->format);
        return RH_EXIT_USAGE;
    }
    if (o->a.date) {
        int ok = strlen(o->a.date) == 8;
        for (i = 0; ok && i < 8; i++) {
            ok = o->a.date[i] >= '0' && o->a.date[i] <= '9';
        }
        if (!ok) {
            cli_error("hunt: --date wants YYYYMMDD, got '%s'", o->a.date);
            return RH_EXIT_USAGE;
        }
    }
    if (optind >= argc && !o->a.live) {
        cli_error("hunt: no input (see 'reghunt hunt --help')");
        return RH_EXIT_USAGE;
    }
    if (o->ro.window_only && !o->a.window_from && !o->a.window_to) {
        cli_error("hunt: --window-only needs --from and/or --to");
        return RH_EXIT_USAGE;
    }
    if (o->plan_path) {
        if (load_plan(o->plan_path, &o->plan) != 0) {
            cli_error("%s: cannot read the hunt plan", o->plan_path);
            return RH_EXIT_INPUT;
        }
        if (!o->ro.hypothesis && o->plan.hypothesis[0]) {
            o->ro.hypothesis = o->plan.hypothesis;
        }
        o->ro.plan_techniques = o->plan.techniques[0] ? o->plan.techniques : NULL;
        o->ro.plan_data_sources = o->plan.sources[0] ? o->plan.sources : NULL;
    }
    o->a.paths = (const char *const *)argv + optind;
    o->a.npaths = argc - optind;
    for (i = 0; o->case_path && i < (size_t)o->a.npaths; i++) {
        if (rh_case_path_inside(o->case_path, o->a.paths[i])) {
            cli_error("hunt: --case %s is inside the evidence %s: refusing to write there",
                      o->case_path, o->a.paths[i]);
            return RH_EXIT_USAGE;
        }
    }
    return -1;
}

/* Load the --ioc feeds into s->ioc (indicators expire against the wall clock) and print one
 * summary line on stderr. Returns -1 to go on, or the exit code after the error. */
static int load_ioc(struct hunt_cmd *o, struct hunt_state *s)
{
    rh_ioc_opts io;
    const rh_ioc_stats *is;
    rh_status st;
    size_t i;
    memset(&io, 0, sizeof(io));
    /* FILETIME of now: 100 ns ticks since 1601 */
    io.now = ((uint64_t)time(NULL) + 11644473600ull) * 10000000ull;
    if (rh_ioc_create(s->ctx, &io, &s->ioc) != RH_OK) {
        cli_error("out of memory");
        return RH_EXIT_INTERNAL;
    }
    for (i = 0; i < o->nioc_paths; i++) {
        cli_last_diag[0] = '\0';
        st = rh_ioc_load_file(s->ioc, o->ioc_paths[i]);
        if (st != RH_OK) {
            return cli_fail_input(o->ioc_paths[i], st);
        }
    }
    st = rh_ioc_finish(s->ioc);
    if (st != RH_OK) {
        return cli_fail_input(o->ioc_paths[0], st);
    }
    is = rh_ioc_get_stats(s->ioc);
    fprintf(stderr,
            "reghunt: %zu indicator(s) from %zu feed(s); %zu expired (listed, not matched), "
            "%zu revoked, %zu unsupported, %zu invalid (skipped)\n",
            is->indicators, is->feeds, is->expired, is->revoked, is->unsupported, is->invalid);
    o->a.ioc = s->ioc;
    return -1;
}

/* Load the rules, then create the hunt's context and load the baseline and the allowlist into
 * *s; o->a points at them. Returns -1 to go on, or the exit code after the error. */
static int load_hunt_inputs(struct hunt_cmd *o, struct hunt_state *s)
{
    rh_status st;
    int rc;
    if (o->nrule_paths) {
        s->rctx = cli_ctx_create(0);
        rc = load_rules(s->rctx, o->rule_paths, o->nrule_paths, o->rules_strict, &s->scfg,
                        &s->scomp, &s->rs);
        if (rc >= 0) {
            return rc;
        }
        o->a.rules = s->rs;
    }
    s->ctx = cli_ctx_create(o->a.verbose);
    if (o->baseline) {
        st = rh_baseline_load(s->ctx, o->baseline, &s->bl);
        if (st != RH_OK) {
            return cli_fail_input(o->baseline, st);
        }
        o->a.baseline = s->bl;
    }
    if (o->case_path) {
        st = rh_case_open(s->ctx, o->case_path, RH_CASE_WRITE, &s->kase);
        if (st != RH_OK) {
            return cli_fail_input(o->case_path, st);
        }
        o->a.kase = s->kase;
    }
    if (o->allowlist) {
        st = rh_allowlist_load(s->ctx, o->allowlist, &s->al);
        if (st != RH_OK) {
            return cli_fail_input(o->allowlist, st);
        }
        o->a.allowlist = s->al;
    }
    if (o->nioc_paths) {
        return load_ioc(o, s);
    }
    return -1;
}

/* Write the report to -o FILE or stdout. Returns RH_EXIT_OK, or RH_EXIT_INTERNAL after one
 * error line. */
static int write_hunt_report(const struct hunt_cmd *o, const struct hunt_state *s)
{
    FILE *out = cli_output_open(o->output);
    if (!out) {
        return RH_EXIT_INTERNAL;
    }
    return cli_output_close(
        out, o->output, rh_report_write(s->ctx, o->format, s->hunt, &o->ro, cli_write_sink, out));
}

/* Print the one-line summary on stderr (t0: when the command started). Returns
 * RH_EXIT_FINDINGS when a finding that is not known-good is listed, else RH_EXIT_OK. */
static int print_hunt_summary(const struct hunt_cmd *o, const rh_hunt *hunt, uint64_t t0)
{
    const rh_hunt_stats *s = rh_hunt_get_stats(hunt);
    double secs;
    size_t i, reported = 0;
    char failed_logs[32] = "";
    if (s->event_inputs_failed) {
        snprintf(failed_logs, sizeof(failed_logs), "%zu", s->event_inputs_failed);
    }
    for (i = 0; i < rh_hunt_count(hunt); i++) {
        const rh_finding *f = rh_hunt_at(hunt, i);
        reported += rh_report_listed_opts(f, &o->ro) && !f->known_good;
    }
    secs = (double)(rh_os_monotonic_ns() - t0) / 1e9;
    if (s->event_inputs || s->event_inputs_failed || o->a.rules) {
        fprintf(stderr,
                "reghunt: %zu host(s), %zu hive(s) (%zu hunted, %zu unreadable), %llu "
                "event(s) from %zu log(s)%s%s%s, %zu rule(s), findings: %zu Critical, %zu High, "
                "%zu Medium, %zu Low, %zu Info (%zu known-good, %zu confirmed by events); "
                "%.2f s\n",
                s->hosts ? s->hosts : rh_evidence_host_count(rh_hunt_evidence(hunt)), s->hives,
                s->hives_hunted, s->hives_failed, (unsigned long long)s->events, s->event_inputs,
                s->event_inputs_failed ? " (" : "", failed_logs,
                s->event_inputs_failed ? " unreadable)" : "", s->rules, s->by_risk[4],
                s->by_risk[3], s->by_risk[2], s->by_risk[1], s->by_risk[0], s->known_good,
                s->by_fusion[1], secs);
    } else {
        fprintf(stderr,
                "reghunt: %zu host(s), %zu hive(s) (%zu hunted, %zu unreadable), findings: "
                "%zu Critical, %zu High, %zu Medium, %zu Low, %zu Info (%zu known-good); "
                "%.2f s\n",
                s->hosts, s->hives, s->hives_hunted, s->hives_failed, s->by_risk[4], s->by_risk[3],
                s->by_risk[2], s->by_risk[1], s->by_risk[0], s->known_good, secs);
    }
    return reported ? RH_EXIT_FINDINGS : RH_EXIT_OK;
}

/* The command line as one string, arguments with blanks or quotes single-quoted. */
static void command_line(rh_buf *b, int argc, const char *const *argv)
{
    int i;
    rh_buf_puts(b, "reghunt");
    for (i = 0; i < argc; i++) {
        const char *p;
        rh_buf_putc(b, ' ');
        if (argv[i][0] && !strpbrk(argv[i], " \t\n'\"\\$`;&|<>()*?")) {
            rh_buf_puts(b, argv[i]);
            continue;
        }
        rh_buf_putc(b, '\'');
        for (p = argv[i]; *p; p++) {
            (*p == '\'') ? rh_buf_puts(b, "'\\''") : rh_buf_putc(b, *p);
        }
        rh_buf_putc(b, '\'');
    }
}

/* --case: mark the findings with the case's verdicts and record the run. Returns -1 to go on,
 * or the exit code after one error line. */
static int record_case(struct hunt_state *s, const char *path, const char *const *args, int argc)
{
    rh_buf cmd = RH_BUF_INIT(s->ctx);
    int64_t run = 0;
    rh_status st = rh_case_apply_verdicts(s->kase, s->hunt);
    command_line(&cmd, argc, args);
    if (st == RH_OK) {
        st = rh_buf_status(&cmd) == RH_OK
                 ? rh_case_record(s->kase, s->hunt, cmd.data, (int64_t)time(NULL), &run)
                 : RH_ERR_NOMEM;
    }
    rh_buf_free(&cmd);
    if (st != RH_OK) {
        return st == RH_ERR_NOMEM ? cli_fail_input(path, st) : RH_EXIT_INTERNAL;
    }
    return -1;
}

static void free_hunt_state(struct hunt_state *s)
{
    rh_hunt_destroy(s->hunt);
    rh_kb_destroy(s->kb);
    rh_baseline_destroy(s->bl);
    rh_allowlist_destroy(s->al);
    rh_ioc_destroy(s->ioc);
    rh_ctx_destroy(s->ctx);
    rh_ruleset_destroy(s->rs);
    rh_sigma_compiler_destroy(s->scomp);
    rh_sigma_config_free(s->scfg);
    rh_ctx_destroy(s->rctx);
    rh_case_close(s->kase);
}

int cli_cmd_hunt(int argc, char **argv)
{
    struct hunt_cmd o;
    struct hunt_state s;
    uint64_t t0 = rh_os_monotonic_ns();
    int rc;
    const char **args = malloc(((size_t)argc + 1) * sizeof(*args));
    if (!args) {
        cli_error("out of memory");
        return RH_EXIT_INTERNAL;
    }
    /* the command line as given (getopt_long reorders argv) */
    memcpy(args, argv, (size_t)argc * sizeof(*args));
    rc = parse_hunt_options(argc, argv, &o);
    if (rc < 0) {
        rc = check_hunt_options(argc, argv, &o);
    }
    if (rc >= 0) {
        free(args);
        return rc;
    }
    memset(&s, 0, sizeof(s));
    rc = load_hunt_inputs(&o, &s);
    if (rc < 0) {
        rc = cli_hunt_collect(s.ctx, &o.a, &s.kb, &s.hunt);
    }
    if (rc == RH_EXIT_OK && s.kase) {
        rc = record_case(&s, o.case_path, args, argc);
        rc = rc < 0 ? RH_EXIT_OK : rc;
    }
    if (rc == RH_EXIT_OK) {
        rc = write_hunt_report(&o, &s);
    }
    if (rc == RH_EXIT_OK) {
        rc = print_hunt_summary(&o, s.hunt, t0);
    }
    free_hunt_state(&s);
    free(args);
    return rc;
}
