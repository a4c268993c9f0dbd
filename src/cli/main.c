/*
 * reghunt: command-line entry point and shared CLI helpers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_command commands[] = {
#define CLI_COMMAND(name, fn, summary) {name, fn, summary},
#include "commands.def"
#undef CLI_COMMAND
};

char cli_last_diag[512];
static int cli_verbose;
static int cli_error_printed;

void cli_error(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    size_t i;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (i = 0; msg[i]; i++) {
        if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f) {
            msg[i] = '?';
        }
    }
    fprintf(stderr, "reghunt: %s\n", msg);
}

static const char *level_name(rh_diag_level l)
{
    switch (l) {
    case RH_DIAG_INFO:
        return "info";
    case RH_DIAG_ANOMALY:
        return "anomaly";
    case RH_DIAG_WARNING:
        return "warning";
    case RH_DIAG_ERROR:
        return "error";
    }
    return "?";
}

static void cli_diag(const rh_diag *d, void *user)
{
    char where[64] = "";
    (void)user;
    if (d->offset >= 0) {
        snprintf(where, sizeof(where), " @0x%llx", (unsigned long long)d->offset);
    } else if (d->line > 0) {
        snprintf(where, sizeof(where), ":%d:%d", d->line, d->col);
    }
    if (d->level == RH_DIAG_ERROR || d->level == RH_DIAG_ANOMALY) {
        snprintf(cli_last_diag, sizeof(cli_last_diag), "%s%s: %s", d->source ? d->source : "",
                 where, d->message);
    }
    if (d->level == RH_DIAG_ERROR) {
        cli_error_printed = 1;
    }
    if (d->level == RH_DIAG_ERROR || d->level == RH_DIAG_WARNING || cli_verbose) {
        fprintf(stderr, "reghunt: %s: %s: %s%s: %s\n", level_name(d->level), d->component,
                d->source ? d->source : "-", where, d->message);
    }
}

/* Limits a user may set in REGHUNT_LIMITS (docs/limits.md). */
static const struct {
    const char *name;
    size_t off;
    int wide; /* uint64_t, else uint32_t */
} limit_names[] = {
    {"max_file_size", offsetof(rh_limits, max_file_size), 1},
    {"max_hive_size", offsetof(rh_limits, max_hive_size), 1},
    {"hive_cache_size", offsetof(rh_limits, hive_cache_size), 1},
    {"max_key_depth", offsetof(rh_limits, max_key_depth), 0},
    {"max_keys", offsetof(rh_limits, max_keys), 0},
    {"max_subkeys", offsetof(rh_limits, max_subkeys), 0},
    {"max_values", offsetof(rh_limits, max_values), 0},
    {"max_value_size", offsetof(rh_limits, max_value_size), 0},
    {"max_name_len", offsetof(rh_limits, max_name_len), 0},
    {"max_diags", offsetof(rh_limits, max_diags), 0},
    {"max_xml_depth", offsetof(rh_limits, max_xml_depth), 0},
    {"max_log_entries", offsetof(rh_limits, max_log_entries), 0},
};

/* One NAME=VALUE[K|M|G] of REGHUNT_LIMITS into lim; 0 on success. */
static int set_limit(rh_limits *lim, const char *item, size_t n)
{
    const char *eq = memchr(item, '=', n);
    size_t i;
    for (i = 0; eq && i < sizeof(limit_names) / sizeof(limit_names[0]); i++) {
        char num[32], *end;
        unsigned long long v;
        size_t vn = n - (size_t)(eq + 1 - item);
        if (strlen(limit_names[i].name) != (size_t)(eq - item) ||
            memcmp(limit_names[i].name, item, (size_t)(eq - item)) != 0) {
            continue;
        }
        if (vn == 0 || vn >= sizeof(num) || eq[1] == '-') {
            return -1;
        }
        memcpy(num, eq + 1, vn);
        num[vn] = '\0';
        errno = 0;
        v = strtoull(num, &end, 10);
        switch (*end) {
        case 'K':
        case 'k':
            v = v > (~0ull >> 10) ? ~0ull : v << 10;
            end++;
            break;
        case 'M':
        case 'm':
            v = v > (~0ull >> 20) ? ~0ull : v << 20;
            end++;
            break;
        case 'G':
        case 'g':
            v = v > (~0ull >> 30) ? ~0ull : v << 30;
            end++;
            break;
        default:
            break;
        }
        if (errno != 0 || end == num || *end != '\0' || v == 0 ||
            (!limit_names[i].wide && v > 0xFFFFFFFFull) || v == ~0ull) {
            return -1;
        }
        if (limit_names[i].wide) {
            uint64_t w = v;
            memcpy((char *)lim + limit_names[i].off, &w, sizeof(w));
        } else {
            uint32_t w = (uint32_t)v;
            memcpy((char *)lim + limit_names[i].off, &w, sizeof(w));
        }
        return 0;
    }
    return -1;
}

/* REGHUNT_LIMITS="name=value,...": raise or lower rh_limits for this run. A bad entry is a
 * usage error naming it. */
static void apply_env_limits(rh_ctx *ctx)
{
    const char *env = getenv("REGHUNT_LIMITS"), *p;
    rh_limits lim = *rh_ctx_limits(ctx);
    if (!env || !*env) {
        return;
    }
    for (p = env; *p;) {
        size_t n = strcspn(p, ",");
        if (n > 0 && set_limit(&lim, p, n) != 0) {
            cli_error("REGHUNT_LIMITS: bad entry '%.*s' (want NAME=NUMBER[K|M|G], NAME one of "
                      "the limits in docs/limits.md)",
                      (int)(n > 80 ? 80 : n), p);
            exit(RH_EXIT_USAGE);
        }
        p += n + (p[n] == ',');
    }
    rh_ctx_set_limits(ctx, &lim);
}

rh_ctx *cli_ctx_create(int verbose)
{
    rh_ctx *ctx = NULL;
    if (rh_ctx_create(NULL, &ctx) != RH_OK) {
        cli_error("out of memory");
        exit(RH_EXIT_INTERNAL);
    }
    cli_verbose = verbose;
    rh_ctx_set_diag(ctx, cli_diag, NULL);
    apply_env_limits(ctx);
    return ctx;
}

int cli_fail_input(const char *path, rh_status st)
{
    if (st == RH_ERR_NOMEM) {
        cli_error("%s: out of memory", path);
        return RH_EXIT_INTERNAL;
    }
    if (st == RH_ERR_STRICT) {
        /* Strict mode: name the anomaly that stopped us. */
        cli_error("%s: strict mode: %s", path, cli_last_diag[0] ? cli_last_diag : "anomaly");
        return RH_EXIT_INPUT;
    }
    /* Errors were already printed through the diag callback; otherwise say what failed. */
    if (!cli_error_printed) {
        cli_error("%s: %s%s%s", path, rh_strerror(st), cli_last_diag[0] ? ": " : "", cli_last_diag);
    }
    return RH_EXIT_INPUT;
}

int cli_write(FILE *f, const rh_buf *b)
{
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len) {
        return -1;
    }
    return 0;
}

rh_status cli_write_sink(void *user, const char *data, size_t len)
{
    return fwrite(data, 1, len, (FILE *)user) == len ? RH_OK : RH_ERR_IO;
}

FILE *cli_output_open(const char *path)
{
    FILE *out = path ? rh_os_fopen(path, "wb") : stdout;
    if (!out) {
        cli_error("%s: cannot open for writing", path);
    }
    return out;
}

int cli_output_close(FILE *out, const char *path, rh_status st)
{
    if (out != stdout ? fclose(out) != 0 : fflush(out) != 0) {
        st = st == RH_OK ? RH_ERR_IO : st;
    }
    if (st != RH_OK) {
        cli_error("%s: write failed: %s", path ? path : "stdout", rh_strerror(st));
        return RH_EXIT_INTERNAL;
    }
    return RH_EXIT_OK;
}

int cli_stderr_is_tty(void)
{
    return rh_os_isatty(stderr);
}

static void usage(FILE *f)
{
    size_t i;
    fprintf(f, "Usage: reghunt <command> [options] [args]\n\n"
               "Hunts Windows registry persistence in offline hives, event logs and triage "
               "collections.\n\nCommands:\n");
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "\nRun 'reghunt <command> --help' for a command's options.\n\n"
               "Exit codes: 0 ok, 1 findings reported, 2 usage error, 3 input error,\n"
               "            4 rule error, 5 internal error.\n\n"
               "Environment: REGHUNT_LIMITS=\"name=value[K|M|G],...\" raises or lowers the input\n"
               "limits (e.g. hive_cache_size=1G, max_hive_size=4G); docs/limits.md lists them.\n");
}

int main(int argc, char **argv)
{
    size_t i;
    rh_os_init(&argc, &argv);
    if (argc < 2) {
        usage(stderr);
        return RH_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return RH_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("reghunt %s\n", RH_VERSION_STRING);
        return RH_EXIT_OK;
    }
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    cli_error("unknown command '%s' (see 'reghunt --help')", argv[1]);
    return RH_EXIT_USAGE;
}
