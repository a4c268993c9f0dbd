/*
 * reghunt sigma: check rules, run them on event logs or hives, and measure throughput.
 *
 *   reghunt sigma check [--config F] RULES...
 *   reghunt sigma run -r RULES [-r RULES...] [--config F] [--keys] [--deleted] [--root R]
 *                     [--sid S] INPUT...
 *   reghunt sigma bench -r RULES [--config F] [--iterations N] [--exhaustive] INPUT...
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct sig_opts {
    const char *rules[64];
    int nrules;
    const char *config;
    const char *root;
    const char *sid;
    unsigned hive_flags;
    long iterations;
    int verbose;
    int exhaustive;
};

static void sigma_usage(FILE *f)
{
    fprintf(f,
            "Usage: reghunt sigma check [--config FILE] RULES...\n"
            "       reghunt sigma run -r RULES [-r RULES...] [options] INPUT...\n"
            "       reghunt sigma bench -r RULES [--iterations N] [--exhaustive] INPUT...\n\n"
            "RULES is a rule file or a directory (searched recursively for *.yml/*.yaml).\n"
            "INPUT is an .evtx, JSON or NDJSON event file, or a registry hive (synthetic\n"
            "Sysmon registry events built from its contents, flagged from_state).\n\n"
            "Options:\n"
            "  -r, --rules PATH    rules to load (repeatable)\n"
            "  -c, --config FILE   logsource mapping / placeholders (thor.yml format)\n"
            "      --keys          hives: also one CreateKey event per key\n"
            "      --deleted       hives: include recovered deleted keys and values\n"
            "      --root ROOT     hives: Sysmon root, e.g. HKLM\\SOFTWARE or HKU\\<SID>\n"
            "      --sid SID       hives: SID for NTUSER.DAT / UsrClass.dat roots\n"
            "  -n, --iterations N  bench: passes over the events (default 20)\n"
            "      --exhaustive    bench: try every rule on every event (no index, no\n"
            "                      prefilter; same matches, for comparison)\n"
            "  -v, --verbose       show anomalies\n\n"
            "run prints one JSON object per match (JSON Lines) and exits 1 if anything\n"
            "matched, 0 if nothing did. check lists every rule it cannot use with the reason.\n");
}

static int parse_opts(int argc, char **argv, struct sig_opts *o)
{
    static const struct option longopts[] = {{"rules", required_argument, NULL, 'r'},
                                             {"config", required_argument, NULL, 'c'},
                                             {"keys", no_argument, NULL, 'K'},
                                             {"deleted", no_argument, NULL, 'D'},
                                             {"root", required_argument, NULL, 'R'},
                                             {"sid", required_argument, NULL, 'S'},
                                             {"iterations", required_argument, NULL, 'n'},
                                             {"exhaustive", no_argument, NULL, 'X'},
                                             {"verbose", no_argument, NULL, 'v'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c;
    memset(o, 0, sizeof(*o));
    o->iterations = 20;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:c:n:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (o->nrules == 64) {
                cli_error("sigma: too many -r options");
                return RH_EXIT_USAGE;
            }
            o->rules[o->nrules++] = optarg;
            break;
        case 'c':
            o->config = optarg;
            break;
        case 'K':
            o->hive_flags |= RH_SIGMA_HIVE_KEYS;
            break;
        case 'X':
            o->exhaustive = 1;
            break;
        case 'D':
            o->hive_flags |= RH_SIGMA_HIVE_DELETED;
            break;
        case 'R':
            o->root = optarg;
            break;
        case 'S':
            o->sid = optarg;
            break;
        case 'n': {
            char *end;
            o->iterations = strtol(optarg, &end, 10);
            if (*end || o->iterations < 1 || o->iterations > 1000000) {
                cli_error("sigma: bad --iterations");
                return RH_EXIT_USAGE;
            }
            break;
        }
        case 'v':
            o->verbose = 1;
            break;
        case 'h':
            sigma_usage(stdout);
            exit(RH_EXIT_OK);
        default:
            sigma_usage(stderr);
            return RH_EXIT_USAGE;
        }
    }
    return -1;
}

/* Load the config and every rule path. *rejects_out counts unusable rules. */
static int load_rules(rh_ctx *ctx, const struct sig_opts *o, const char *const *paths, int npaths,
                      rh_sigma_config **cfg, rh_sigma_compiler **comp, rh_ruleset **rs)
{
    rh_status st;
    int i;
    st = rh_sigma_config_default(ctx, cfg);
    if (st == RH_OK && o->config) {
        st = rh_sigma_config_load(*cfg, o->config);
        if (st != RH_OK) {
            cli_error("sigma: %s: cannot load config (%s)", o->config, rh_strerror(st));
            return RH_EXIT_RULES;
        }
    }
    if (st == RH_OK) {
        st = rh_sigma_compiler_create(ctx, *cfg, comp);
    }
    for (i = 0; i < npaths && st == RH_OK; i++) {
        st = rh_sigma_compiler_add_path(*comp, paths[i]);
        if (st == RH_ERR_IO) {
            cli_error("sigma: %s: cannot read rules", paths[i]);
            return RH_EXIT_RULES;
        }
    }
    if (st == RH_OK) {
        st = rh_sigma_compiler_finish(*comp, rs);
    }
    if (st != RH_OK) {
        cli_error("sigma: loading rules failed: %s", rh_strerror(st));
        return st == RH_ERR_NOMEM ? RH_EXIT_INTERNAL : RH_EXIT_RULES;
    }
    return -1;
}

/* ---- check --------------------------------------------------------------------------------------
 */

struct counter {
    char key[96];
    unsigned n;
};

static void count(struct counter *c, size_t *n, size_t cap, const char *k)
{
    size_t i;
    for (i = 0; i < *n; i++) {
        if (strcmp(c[i].key, k) == 0) {
            c[i].n++;
            return;
        }
    }
    if (*n < cap) {
        snprintf(c[*n].key, sizeof(c[*n].key), "%s", k);
        c[*n].n = 1;
        (*n)++;
    }
}

static int cmp_counter(const void *a, const void *b)
{
    const struct counter *x = a, *y = b;
    if (x->n != y->n) {
        return x->n < y->n ? 1 : -1;
    }
    return strcmp(x->key, y->key);
}

static void print_counts(const char *title, struct counter *c, size_t n)
{
    size_t i;
    qsort(c, n, sizeof(*c), cmp_counter);
    printf("%s:\n", title);
    for (i = 0; i < n; i++) {
        printf("  %6u  %s\n", c[i].n, c[i].key);
    }
}

static int cmd_check(int argc, char **argv)
{
    struct sig_opts o;
    rh_ctx *ctx;
    rh_sigma_config *cfg = NULL;
    rh_sigma_compiler *comp = NULL;
    rh_ruleset *rs = NULL;
    static struct counter by_status[64], by_level[64], by_ls[512];
    size_t ns = 0, nl = 0, nls = 0, i, nrej;
    int rc = parse_opts(argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    if (optind >= argc) {
        sigma_usage(stderr);
        return RH_EXIT_USAGE;
    }
    ctx = cli_ctx_create(o.verbose);
    rh_ctx_set_diag(ctx, NULL, NULL); /* rejects are printed below, once each */
    rc = load_rules(ctx, &o, (const char *const *)argv + optind, argc - optind, &cfg, &comp, &rs);
    if (rc < 0) {
        nrej = rh_sigma_compiler_reject_count(comp);
        for (i = 0; i < nrej; i++) {
            const rh_sigma_reject *r = rh_sigma_compiler_reject_at(comp, i);
            printf("not loaded: %s:%d:%d: %s%s%s: %s\n", r->path, r->line, r->col,
                   r->id[0] ? r->id : "(no id)", r->title[0] ? " " : "", r->title, r->reason);
        }
        for (i = 0; i < rh_ruleset_rule_count(rs); i++) {
            const rh_sigma_rule_info *ri = rh_ruleset_rule_at(rs, i);
            char ls[96];
            count(by_status, &ns, 64, ri->status[0] ? ri->status : "(none)");
            count(by_level, &nl, 64, ri->level[0] ? ri->level : "(none)");
            if (ri->kind == RH_SIGMA_CORRELATION) {
                snprintf(ls, sizeof(ls), "correlation/%s", ri->correlation_type);
            } else if (ri->kind == RH_SIGMA_FILTER) {
                snprintf(ls, sizeof(ls), "filter");
            } else {
                snprintf(ls, sizeof(ls), "%s/%s/%s", ri->product[0] ? ri->product : "-",
                         ri->category[0] ? ri->category : "-", ri->service[0] ? ri->service : "-");
            }
            count(by_ls, &nls, 512, ls);
        }
        printf("loaded %zu rules, %zu not loaded\n", rh_ruleset_rule_count(rs), nrej);
        print_counts("by status", by_status, ns);
        print_counts("by level", by_level, nl);
        print_counts("by logsource (product/category/service)", by_ls, nls);
        rc = RH_EXIT_OK;
    }
    rh_ruleset_destroy(rs);
    rh_sigma_compiler_destroy(comp);
    rh_sigma_config_free(cfg);
    rh_ctx_destroy(ctx);
    return rc;
}

/* ---- run ----------------------------------------------------------------------------------------
 */

struct run_state {
    rh_ctx *ctx;
    rh_sigma_matcher *m;
    rh_buf out;
    unsigned long long matches;
    int write_error;
};

static rh_status put_str(rh_buf *b, const char *key, const char *v)
{
    rh_status st = rh_buf_printf(b, ",\"%s\":\"", key);
    if (st == RH_OK && v) {
        st = rh_escape_append(b, v, strlen(v), RH_ESC_JSON);
    }
    return st == RH_OK ? rh_buf_putc(b, '"') : st;
}

static rh_status on_match(const rh_sigma_match *mt, void *user)
{
    struct run_state *s = user;
    rh_buf *b = &s->out;
    const rh_sigma_rule_info *r = mt->rule;
    const rh_event *ev = mt->event;
    rh_status st;
    size_t i;
    rh_buf_reset(b);
    st = rh_buf_puts(b, "{\"rule_id\":\"");
    if (st == RH_OK) {
        st = rh_escape_append(b, r->id, strlen(r->id), RH_ESC_JSON);
    }
    if (st == RH_OK) {
        st = rh_buf_putc(b, '"');
    }
    if (st == RH_OK) {
        st = put_str(b, "title", r->title);
    }
    if (st == RH_OK) {
        st = put_str(b, "level", r->level);
    }
    if (st == RH_OK) {
        st = put_str(b, "rule_path", r->path);
    }
    if (st == RH_OK) {
        st = rh_buf_puts(b, ",\"tags\":[");
    }
    for (i = 0; i < r->ntags && st == RH_OK; i++) {
        st = rh_buf_printf(b, "%s\"", i ? "," : "");
        if (st == RH_OK) {
            st = rh_escape_append(b, r->tags[i], strlen(r->tags[i]), RH_ESC_JSON);
        }
        if (st == RH_OK) {
            st = rh_buf_putc(b, '"');
        }
    }
    if (st == RH_OK) {
        st = rh_buf_putc(b, ']');
    }
    if (st == RH_OK && r->kind == RH_SIGMA_CORRELATION) {
        st = put_str(b, "correlation", r->correlation_type);
        if (st == RH_OK) {
            st = put_str(b, "group", mt->group);
        }
        if (st == RH_OK) {
            st = rh_buf_printf(b, ",\"value\":%llu", (unsigned long long)mt->value);
        }
    }
    if (st == RH_OK && ev) {
        st = rh_buf_printf(b, ",\"from_state\":%s",
                           (ev->flags & RH_EVENT_FROM_STATE) ? "true" : "false");
        if (st == RH_OK) {
            st = put_str(b, "source", ev->source);
        }
        if (st == RH_OK) {
            st = rh_buf_printf(b, ",\"record_id\":%llu,\"event_id\":%u",
                               (unsigned long long)ev->record_id, ev->event_id);
        }
        if (st == RH_OK) {
            st = put_str(b, "provider", ev->provider);
        }
        if (st == RH_OK) {
            st = put_str(b, "channel", ev->channel);
        }
        if (st == RH_OK) {
            st = put_str(b, "computer", ev->computer);
        }
        if (st == RH_OK && ev->timestamp) {
            st = rh_buf_puts(b, ",\"timestamp\":\"");
            if (st == RH_OK) {
                st = rh_filetime_to_iso(b, ev->timestamp);
            }
            if (st == RH_OK) {
                st = rh_buf_putc(b, '"');
            }
        }
        if (st == RH_OK) {
            st = rh_buf_puts(b, ",\"fields\":{");
        }
        for (i = 0; i < ev->nfields && st == RH_OK; i++) {
            const rh_event_field *f = &ev->fields[i];
            const char *name = f->name ? f->name : "Data";
            st = rh_buf_printf(b, "%s\"", i ? "," : "");
            if (st == RH_OK) {
                st = rh_escape_append(b, name, strlen(name), RH_ESC_JSON);
            }
            if (st == RH_OK) {
                st = rh_buf_puts(b, "\":\"");
            }
            if (st == RH_OK) {
                st = rh_escape_append(b, f->value, f->value_len, RH_ESC_JSON);
            }
            if (st == RH_OK) {
                st = rh_buf_putc(b, '"');
            }
        }
        if (st == RH_OK) {
            st = rh_buf_putc(b, '}');
        }
    }
    if (st == RH_OK) {
        st = rh_buf_puts(b, "}\n");
    }
    if (st != RH_OK) {
        return st;
    }
    if (cli_write(stdout, b) != 0) {
        s->write_error = 1;
        return RH_ERR_IO;
    }
    s->matches++;
    return RH_OK;
}

static rh_status on_event(const rh_event *ev, void *user)
{
    struct run_state *s = user;
    return rh_sigma_matcher_match(s->m, ev, on_match, s);
}

static int is_hive(const char *path)
{
    FILE *f = rh_os_fopen(path, "rb");
    char magic[4] = {0};
    int r;
    if (!f) {
        return 0;
    }
    r = fread(magic, 1, 4, f) == 4 && memcmp(magic, "regf", 4) == 0;
    fclose(f);
    return r;
}

typedef rh_status (*input_fn)(const rh_event *ev, void *user);

/* Feed one input (events or hive) to fn. Returns an exit code or -1 on success. */
static int feed_input(rh_ctx *ctx, const struct sig_opts *o, const char *path, input_fn fn,
                      void *user)
{
    rh_status st;
    cli_last_diag[0] = '\0';
    if (is_hive(path)) {
        rh_hive *h = NULL;
        rh_sigma_hive_opts ho;
        st = rh_hive_open(ctx, path, NULL, &h);
        if (st != RH_OK) {
            return cli_fail_input(path, st);
        }
        memset(&ho, 0, sizeof(ho));
        ho.root = o->root;
        ho.sid = o->sid;
        ho.flags = o->hive_flags;
        st = rh_sigma_hive_events(ctx, h, &ho, fn, user);
        rh_hive_close(h);
    } else {
        st = rh_events_read_file(ctx, path, NULL, fn, user);
    }
    if (st != RH_OK) {
        return cli_fail_input(path, st);
    }
    return -1;
}

static int cmd_run(int argc, char **argv)
{
    struct sig_opts o;
    rh_ctx *ctx;
    rh_sigma_config *cfg = NULL;
    rh_sigma_compiler *comp = NULL;
    rh_ruleset *rs = NULL;
    struct run_state s;
    int rc = parse_opts(argc, argv, &o), i, worst = -1;
    if (rc >= 0) {
        return rc;
    }
    if (o.nrules == 0 || optind >= argc) {
        sigma_usage(stderr);
        return RH_EXIT_USAGE;
    }
    ctx = cli_ctx_create(o.verbose);
    memset(&s, 0, sizeof(s));
    rc = load_rules(ctx, &o, o.rules, o.nrules, &cfg, &comp, &rs);
    if (rc < 0 && rh_sigma_compiler_reject_count(comp)) {
        cli_error("sigma: %zu rules not loaded (see 'reghunt sigma check')",
                  rh_sigma_compiler_reject_count(comp));
    }
    if (rc < 0 && rh_sigma_matcher_create(ctx, rs, &s.m) != RH_OK) {
        rc = RH_EXIT_INTERNAL;
    }
    if (rc < 0) {
        s.ctx = ctx;
        rh_buf_init(&s.out, ctx);
        for (i = optind; i < argc && !s.write_error; i++) {
            int r = feed_input(ctx, &o, argv[i], on_event, &s);
            if (r >= 0 && r > worst) {
                worst = r;
            }
        }
        if (!s.write_error && rh_sigma_matcher_flush(s.m, on_match, &s) != RH_OK) {
            worst = RH_EXIT_INTERNAL;
        }
        if (s.write_error || fflush(stdout) != 0) {
            cli_error("sigma: write error");
            worst = RH_EXIT_INTERNAL;
        }
        rh_buf_free(&s.out);
        rc = worst >= 0 ? worst : (s.matches ? RH_EXIT_FINDINGS : RH_EXIT_OK);
    }
    rh_sigma_matcher_destroy(s.m);
    rh_ruleset_destroy(rs);
    rh_sigma_compiler_destroy(comp);
    rh_sigma_config_free(cfg);
    rh_ctx_destroy(ctx);
    return rc;
}

/* ---- bench: events copied to memory, then matched repeatedly ------------------------------------
 */

struct stored_event {
    rh_event ev;
    rh_event_field *f;
    char *strings;
};

struct bench_state {
    struct stored_event *evs;
    size_t n, cap;
    size_t bytes;
};

static char *dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        if (n) {
            memcpy(p, s, n);
        }
        p[n] = '\0';
    }
    return p;
}

static rh_status store_event(const rh_event *ev, void *user)
{
    struct bench_state *b = user;
    struct stored_event *se;
    size_t i;
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 1024;
        struct stored_event *t = realloc(b->evs, ncap * sizeof(*t));
        if (!t) {
            return RH_ERR_NOMEM;
        }
        b->evs = t;
        b->cap = ncap;
    }
    se = &b->evs[b->n];
    memset(se, 0, sizeof(*se));
    se->ev = *ev;
    se->f = calloc(ev->nfields ? ev->nfields : 1, sizeof(*se->f));
    if (!se->f) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < ev->nfields; i++) {
        se->f[i] = ev->fields[i];
        se->f[i].name =
            ev->fields[i].name ? dupn(ev->fields[i].name, strlen(ev->fields[i].name)) : NULL;
        se->f[i].value = dupn(ev->fields[i].value, ev->fields[i].value_len);
        b->bytes += ev->fields[i].value_len;
    }
    se->ev.fields = se->f;
    se->ev.provider = ev->provider ? dupn(ev->provider, strlen(ev->provider)) : NULL;
    se->ev.channel = ev->channel ? dupn(ev->channel, strlen(ev->channel)) : NULL;
    se->ev.computer = ev->computer ? dupn(ev->computer, strlen(ev->computer)) : NULL;
    se->ev.user_sid = NULL;
    se->ev.source = NULL;
    b->n++;
    return RH_OK;
}

static void bench_free(struct bench_state *b)
{
    size_t i, j;
    for (i = 0; i < b->n; i++) {
        for (j = 0; j < b->evs[i].ev.nfields; j++) {
            free((void *)b->evs[i].f[j].name);
            free((void *)b->evs[i].f[j].value);
        }
        free(b->evs[i].f);
        free((void *)b->evs[i].ev.provider);
        free((void *)b->evs[i].ev.channel);
        free((void *)b->evs[i].ev.computer);
    }
    free(b->evs);
}

static rh_status count_match(const rh_sigma_match *mt, void *user)
{
    (void)mt;
    (*(unsigned long long *)user)++;
    return RH_OK;
}

static double now_sec(void)
{
    return (double)rh_os_monotonic_ns() / 1e9;
}

static int cmd_bench(int argc, char **argv)
{
    struct sig_opts o;
    rh_ctx *ctx;
    rh_sigma_config *cfg = NULL;
    rh_sigma_compiler *comp = NULL;
    rh_ruleset *rs = NULL;
    rh_sigma_matcher *m = NULL;
    struct bench_state b;
    unsigned long long matches = 0;
    double t0, t1, tl0, tl1;
    long it;
    size_t i;
    int rc = parse_opts(argc, argv, &o), k;
    if (rc >= 0) {
        return rc;
    }
    if (o.nrules == 0 || optind >= argc) {
        sigma_usage(stderr);
        return RH_EXIT_USAGE;
    }
    ctx = cli_ctx_create(o.verbose);
    rh_ctx_set_diag(ctx, NULL, NULL);
    memset(&b, 0, sizeof(b));
    tl0 = now_sec();
    rc = load_rules(ctx, &o, o.rules, o.nrules, &cfg, &comp, &rs);
    tl1 = now_sec();
    for (k = optind; k < argc && rc < 0; k++) {
        int r = feed_input(ctx, &o, argv[k], store_event, &b);
        if (r >= 0) {
            rc = r;
        }
    }
    if (rc < 0 && rh_sigma_matcher_create(ctx, rs, &m) != RH_OK) {
        rc = RH_EXIT_INTERNAL;
    }
    if (rc < 0) {
        if (o.exhaustive) {
            rh_sigma_matcher_set_flags(m, RH_SIGMA_MATCH_EXHAUSTIVE);
        }
        t0 = now_sec();
        for (it = 0; it < o.iterations; it++) {
            for (i = 0; i < b.n; i++) {
                rh_sigma_matcher_match(m, &b.evs[i].ev, count_match, &matches);
            }
            rh_sigma_matcher_flush(m, count_match, &matches);
        }
        t1 = now_sec();
        printf("rules loaded: %zu (not loaded: %zu), load time %.3f s\n", rh_ruleset_rule_count(rs),
               rh_sigma_compiler_reject_count(comp), tl1 - tl0);
        printf("events: %zu x %ld passes, field bytes per pass: %zu\n", b.n, o.iterations, b.bytes);
        printf("matches per pass: %llu\n", matches / (unsigned long long)o.iterations);
        printf("time: %.3f s, %.0f events/s, %.1f MB/s of field text (one thread%s)\n", t1 - t0,
               (double)b.n * (double)o.iterations / (t1 - t0),
               (double)b.bytes * (double)o.iterations / (t1 - t0) / 1e6,
               o.exhaustive ? ", exhaustive: no index, no prefilter" : "");
        rc = RH_EXIT_OK;
    }
    bench_free(&b);
    rh_sigma_matcher_destroy(m);
    rh_ruleset_destroy(rs);
    rh_sigma_compiler_destroy(comp);
    rh_sigma_config_free(cfg);
    rh_ctx_destroy(ctx);
    return rc;
}

int cli_cmd_sigma(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        sigma_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? RH_EXIT_USAGE : RH_EXIT_OK;
    }
    if (strcmp(argv[1], "check") == 0) {
        return cmd_check(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "run") == 0) {
        return cmd_run(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "bench") == 0) {
        return cmd_bench(argc - 1, argv + 1);
    }
    cli_error("sigma: unknown subcommand '%s'", argv[1]);
    sigma_usage(stderr);
    return RH_EXIT_USAGE;
}
