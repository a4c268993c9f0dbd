/*
 * reghunt evidence PATH... [--host H] [--key KEYPATH [--value NAME]] [--subtree] [--json]
 *                          [--recover] [-v]
 * Builds the evidence index (docs/correlation.md) from event logs and prints either the
 * registry writes of one key or value with each writer's process tree, or a summary of what
 * the logs hold per host.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_PATHS      1024
#define MAX_WALK_DEPTH 16
#define MAX_WALK_FILES 200000

static void evidence_usage(FILE *f)
{
    fprintf(f, "Usage: reghunt evidence PATH... [--host H] [--key KEYPATH [--value NAME]]\n"
               "                        [--subtree] [--json] [--recover] [-v]\n"
               "\n"
               "Indexes event logs (.evtx, SIEM JSON/NDJSON, EDR/SIEM CSV, gzip; directories\n"
               "are walked for .evtx/.json/.ndjson/.jsonl/.csv/.gz files) for correlation with\n"
               "registry state:\n"
               "registry writes (Sysmon 12/13/14, Security 4657), processes (Sysmon 1, Security\n"
               "4688), network connections (Sysmon 3), file creations (Sysmon 11/29) and the\n"
               "time each log covers (docs/correlation.md).\n"
               "\n"
               "Without --key: a summary per host (events per channel and event id, first and\n"
               "last time, log clears). With --key: every registry event that wrote, deleted or\n"
               "renamed the key (or the value, with --value), in time order, each with the\n"
               "writer's process tree (parents, network connections, created files).\n"
               "\n"
               "  --host H        only this host (FQDN or short name, case-insensitive)\n"
               "  --key KEYPATH   HKLM\\..., HKU\\<SID>\\..., HKCU\\..., \\REGISTRY\\MACHINE\\...\n"
               "  --value NAME    a value of the key (\"\" = the default value)\n"
               "  --subtree       with --key and no --value: also every subkey\n"
               "  --json          one JSON object per line instead of text\n"
               "  --recover       EVTX: also carve records from unused space and slack\n"
               "  -v              show anomalies on stderr\n"
               "\n"
               "Exit codes: 0 ok (summary, or no write found), 1 writes found for --key,\n"
               "            2 usage error, 3 input error, 5 internal error.\n");
}

/* ---- inputs ------------------------------------------------------------------------ */

static int has_log_ext(const char *name)
{
    static const char *const exts[] = {".evtx", ".json", ".ndjson", ".jsonl", ".csv", ".gz"};
    size_t n = strlen(name), i;
    for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        size_t k = strlen(exts[i]), j;
        int eq = n > k;
        for (j = 0; eq && j < k; j++) {
            char c = name[n - k + j];
            if (c >= 'A' && c <= 'Z') {
                c = (char)(c + 32);
            }
            eq = c == exts[i][j];
        }
        if (eq) {
            return 1;
        }
    }
    return 0;
}

struct walk {
    rh_ctx *ctx;
    rh_evidence *ev;
    size_t files;
    int rc;
};

static void add_one(struct walk *w, const char *path)
{
    rh_status st;
    cli_last_diag[0] = '\0';
    st = rh_evidence_add_file(w->ev, path);
    if (st != RH_OK) {
        int rc = cli_fail_input(path, st);
        if (rc > w->rc) {
            w->rc = rc;
        }
    }
    w->files++;
}

static void walk_dir(struct walk *w, const char *dir, unsigned depth)
{
    char **names = NULL;
    size_t n = 0, i;
    rh_status st;
    if (depth > MAX_WALK_DEPTH) {
        cli_error("%s: directory nesting deeper than %u: not walked", dir, MAX_WALK_DEPTH);
        return;
    }
    st = rh_dir_list(w->ctx, dir, MAX_WALK_FILES, &names, &n);
    if (st == RH_ERR_IO || st == RH_ERR_NOMEM) {
        cli_error("%s: cannot open directory", dir);
        w->rc = st == RH_ERR_IO ? RH_EXIT_INPUT : RH_EXIT_INTERNAL;
        return;
    }
    for (i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *p = malloc(len);
        rh_fs_kind kind;
        if (!p) {
            break;
        }
        snprintf(p, len, "%s/%s", dir, names[i]);
        if (w->files < MAX_WALK_FILES && (kind = rh_os_path_kind(p, 0, NULL)) != RH_FS_NONE) {
            if (kind == RH_FS_DIR) {
                walk_dir(w, p, depth + 1);
            } else if (kind == RH_FS_FILE && has_log_ext(p)) {
                add_one(w, p);
            }
        }
        free(p);
    }
    rh_dir_list_free(w->ctx, names, n);
}

/* ---- output ------------------------------------------------------------------------ */

static rh_status put_esc(rh_buf *b, const char *s, rh_escape mode)
{
    return s ? rh_escape_append(b, s, strlen(s), mode) : RH_OK;
}

static rh_status put_time(rh_buf *b, uint64_t t)
{
    return t ? rh_filetime_to_iso(b, t) : rh_buf_puts(b, "-");
}

static rh_status json_str(rh_buf *b, const char *name, const char *v, int comma)
{
    rh_status st = rh_buf_printf(b, "%s\"%s\":", comma ? "," : "", name);
    if (st != RH_OK) {
        return st;
    }
    if (!v) {
        return rh_buf_lit(b, "null");
    }
    st = rh_buf_putc(b, '"');
    if (st == RH_OK) {
        st = put_esc(b, v, RH_ESC_JSON);
    }
    return st == RH_OK ? rh_buf_putc(b, '"') : st;
}

static rh_status json_time(rh_buf *b, const char *name, uint64_t t)
{
    rh_status st = rh_buf_printf(b, ",\"%s\":", name);
    if (st != RH_OK) {
        return st;
    }
    if (!t) {
        return rh_buf_lit(b, "null");
    }
    st = rh_buf_putc(b, '"');
    if (st == RH_OK) {
        st = rh_filetime_to_iso(b, t);
    }
    return st == RH_OK ? rh_buf_putc(b, '"') : st;
}

static rh_status write_text(rh_buf *b, const rh_evidence_write *w, const rh_evidence_tree *t)
{
    rh_status st = put_time(b, w->time);
    if (st == RH_OK) {
        st = rh_buf_lit(b, "  ");
    }
    if (st == RH_OK) {
        st = put_esc(b, w->host[0] ? w->host : "(no host)", RH_ESC_TERMINAL);
    }
    if (st == RH_OK) {
        st = rh_buf_printf(b, "  %s  ", rh_evidence_op_name(w->op));
    }
    if (st == RH_OK) {
        st = put_esc(b, w->target, RH_ESC_TERMINAL);
    }
    if (st == RH_OK && w->new_name) {
        st = rh_buf_lit(b, " -> ");
        if (st == RH_OK) {
            st = put_esc(b, w->new_name, RH_ESC_TERMINAL);
        }
    }
    if (st == RH_OK && w->details) {
        st = rh_buf_lit(b, "\n    data: ");
        if (st == RH_OK) {
            st = put_esc(b, w->details, RH_ESC_TERMINAL);
        }
    }
    if (st == RH_OK && w->old_value) {
        st = rh_buf_lit(b, "\n    old data: ");
        if (st == RH_OK) {
            st = put_esc(b, w->old_value, RH_ESC_TERMINAL);
        }
    }
    if (st == RH_OK) {
        st = rh_buf_printf(b, "\n    event: %u record %llu%s in ", w->event_id,
                           (unsigned long long)w->record_id,
                           (w->flags & RH_EVENT_RECOVERED) ? " (carved)" : "");
    }
    if (st == RH_OK) {
        st = put_esc(b, w->source ? w->source : "-", RH_ESC_TERMINAL);
    }
    if (st == RH_OK) {
        st = rh_buf_lit(b, "\n    writer process tree:\n");
    }
    if (st == RH_OK) {
        st = t ? rh_evidence_tree_render(t, RH_EVIDENCE_RENDER_TEXT, 6, b)
               : rh_buf_lit(b, "      (no process information in the event)\n");
    }
    return st == RH_OK ? rh_buf_putc(b, '\n') : st;
}

static rh_status write_json(rh_buf *b, const rh_evidence_write *w, const rh_evidence_tree *t)
{
    rh_status st = rh_buf_putc(b, '{');
    if (st == RH_OK) {
        st = json_str(b, "host", w->host, 0);
    }
    if (st == RH_OK) {
        st = json_str(b, "op", rh_evidence_op_name(w->op), 1);
    }
    if (st == RH_OK) {
        st = rh_buf_printf(b, ",\"event_id\":%u,\"record_id\":%llu", w->event_id,
                           (unsigned long long)w->record_id);
    }
    if (st == RH_OK) {
        st = json_time(b, "time", w->time);
    }
    if (st == RH_OK) {
        st = json_str(b, "target", w->target, 1);
    }
    if (st == RH_OK) {
        st = json_str(b, "key", w->key, 1);
    }
    if (st == RH_OK) {
        st = json_str(b, "value", w->value, 1);
    }
    if (st == RH_OK) {
        st = json_str(b, "new_name", w->new_name, 1);
    }
    if (st == RH_OK) {
        st = json_str(b, "details", w->details, 1);
    }
    if (st == RH_OK) {
        st = json_str(b, "old_value", w->old_value, 1);
    }
    if (st == RH_OK) {
        st = json_str(b, "source", w->source, 1);
    }
    if (st == RH_OK) {
        st = rh_buf_printf(
            b, ",\"recovered\":%s,\"tree\":", (w->flags & RH_EVENT_RECOVERED) ? "true" : "false");
    }
    if (st == RH_OK) {
        st = t ? rh_evidence_tree_render(t, RH_EVIDENCE_RENDER_JSON, 0, b) : rh_buf_lit(b, "null");
    }
    if (st == RH_OK) {
        st = rh_buf_lit(b, "}\n");
    }
    return st;
}

static int query_key(rh_ctx *ctx, rh_evidence *ev, const char *host, const char *key,
                     const char *value, unsigned flags, int json)
{
    rh_evidence_list l;
    rh_buf b;
    size_t i;
    int rc = RH_EXIT_OK;
    rh_status st = rh_evidence_writes(ev, host, key, value, flags, &l);
    if (st != RH_OK) {
        cli_error("evidence: query failed: %s", rh_strerror(st));
        return RH_EXIT_INTERNAL;
    }
    rh_buf_init(&b, ctx);
    for (i = 0; i < l.count && rc == RH_EXIT_OK; i++) {
        const rh_evidence_write *w = l.items[i];
        rh_evidence_tree *t = NULL;
        st = rh_evidence_process_tree(ev, w->host, &w->writer, &t);
        if (st != RH_OK && st != RH_NOT_FOUND) {
            cli_error("evidence: process tree: %s", rh_strerror(st));
            rc = RH_EXIT_INTERNAL;
            break;
        }
        rh_buf_reset(&b);
        st = json ? write_json(&b, w, t) : write_text(&b, w, t);
        rh_evidence_tree_free(ev, t);
        if (st != RH_OK) {
            cli_error("evidence: out of memory");
            rc = RH_EXIT_INTERNAL;
        } else if (cli_write(stdout, &b) != 0) {
            cli_error("write error on standard output");
            rc = RH_EXIT_INTERNAL;
        }
    }
    if (rc == RH_EXIT_OK && !json && !l.count) {
        printf("no registry event for this %s in the logs\n", value ? "value" : "key");
    }
    if (rc == RH_EXIT_OK && l.count < l.total) {
        cli_error("evidence: %zu of %zu writes shown (result cap)", l.count, l.total);
    }
    if (rc == RH_EXIT_OK && l.count) {
        rc = RH_EXIT_FINDINGS;
    }
    rh_buf_free(&b);
    rh_evidence_list_free(ev, &l);
    return rc;
}

/* Summary of one host: text block or one JSON line. */
static rh_status host_summary(const rh_evidence_host *h, int json, rh_buf *b)
{
    rh_status st = RH_OK;
    size_t i;
    const rh_evidence_cover reg = h->registry;
    int has_reg = h->has_registry_logs;
    if (json) {
        st = rh_buf_putc(b, '{');
        if (st == RH_OK) {
            st = json_str(b, "host", h->name, 0);
        }
        if (st == RH_OK) {
            st = rh_buf_printf(b,
                               ",\"events\":%llu,\"writes\":%llu,\"processes\":%llu,"
                               "\"connections\":%llu,\"files\":%llu,\"clears\":%llu",
                               (unsigned long long)h->events, (unsigned long long)h->writes,
                               (unsigned long long)h->processes, (unsigned long long)h->conns,
                               (unsigned long long)h->files, (unsigned long long)h->clears);
        }
        if (st == RH_OK) {
            st = json_time(b, "last_clear", h->last_clear);
        }
        if (st == RH_OK) {
            st = rh_buf_printf(b, ",\"registry_logs\":%s", has_reg ? "{" : "null");
        }
        if (st == RH_OK && has_reg) {
            st = rh_buf_printf(b, "\"events\":%llu", (unsigned long long)reg.count);
            if (st == RH_OK) {
                st = json_time(b, "first", reg.first);
            }
            if (st == RH_OK) {
                st = json_time(b, "last", reg.last);
            }
            if (st == RH_OK) {
                st = rh_buf_putc(b, '}');
            }
        }
        if (st == RH_OK) {
            st = rh_buf_lit(b, ",\"logs\":[");
        }
        for (i = 0; i < h->nstats && st == RH_OK; i++) {
            const rh_evidence_stat *s = &h->stats[i];
            st = rh_buf_lit(b, i ? ",{" : "{");
            if (st == RH_OK) {
                st = json_str(b, "channel", s->channel, 0);
            }
            if (st == RH_OK) {
                st = json_str(b, "provider", s->provider, 1);
            }
            if (st == RH_OK) {
                st = rh_buf_printf(b, ",\"event_id\":%u,\"count\":%llu", s->event_id,
                                   (unsigned long long)s->count);
            }
            if (st == RH_OK) {
                st = json_time(b, "first", s->first);
            }
            if (st == RH_OK) {
                st = json_time(b, "last", s->last);
            }
            if (st == RH_OK) {
                st = rh_buf_putc(b, '}');
            }
        }
        return st == RH_OK ? rh_buf_lit(b, "]}\n") : st;
    }
    st = rh_buf_lit(b, "host ");
    if (st == RH_OK) {
        st = put_esc(b, h->name[0] ? h->name : "(no host name)", RH_ESC_TERMINAL);
    }
    if (st == RH_OK) {
        st = rh_buf_printf(b,
                           ": %llu events; %llu registry writes, %llu processes, "
                           "%llu connections, %llu file creations\n",
                           (unsigned long long)h->events, (unsigned long long)h->writes,
                           (unsigned long long)h->processes, (unsigned long long)h->conns,
                           (unsigned long long)h->files);
    }
    if (st == RH_OK) {
        if (has_reg) {
            st = rh_buf_lit(b, "  registry logging (Sysmon / Security 4657) covers ");
            if (st == RH_OK) {
                st = put_time(b, reg.first);
            }
            if (st == RH_OK) {
                st = rh_buf_lit(b, " .. ");
            }
            if (st == RH_OK) {
                st = put_time(b, reg.last);
            }
            if (st == RH_OK) {
                st = rh_buf_printf(b, " in %u span(s)\n", reg.spans);
            }
        } else {
            st = rh_buf_lit(b, "  no registry logging (no Sysmon, no Security 4657): registry "
                               "findings for this host are uncorroborated\n");
        }
    }
    if (st == RH_OK && h->clears) {
        st =
            rh_buf_printf(b, "  log cleared %llu time(s), last at ", (unsigned long long)h->clears);
        if (st == RH_OK) {
            st = put_time(b, h->last_clear);
        }
        if (st == RH_OK) {
            st = rh_buf_putc(b, '\n');
        }
    }
    for (i = 0; i < h->nstats && st == RH_OK; i++) {
        const rh_evidence_stat *s = &h->stats[i];
        if (i == 0 || strcmp(s->channel, h->stats[i - 1].channel) != 0) {
            st = rh_buf_lit(b, "  ");
            if (st == RH_OK) {
                st = put_esc(b, s->channel[0] ? s->channel : "(no channel)", RH_ESC_TERMINAL);
            }
            if (st == RH_OK) {
                st = rh_buf_putc(b, '\n');
            }
        }
        if (st == RH_OK) {
            st = rh_buf_printf(b, "    %6u %10llu  ", s->event_id, (unsigned long long)s->count);
        }
        if (st == RH_OK) {
            st = put_time(b, s->first);
        }
        if (st == RH_OK) {
            st = rh_buf_lit(b, " .. ");
        }
        if (st == RH_OK) {
            st = put_time(b, s->last);
        }
        if (st == RH_OK) {
            st = rh_buf_putc(b, '\n');
        }
    }
    return st;
}

static int summary(rh_ctx *ctx, rh_evidence *ev, const char *host, int json)
{
    rh_buf b;
    size_t i, shown = 0, only = 0;
    int rc = RH_EXIT_OK;
    rh_evidence_counts c;
    rh_buf_init(&b, ctx);
    if (host && *host && rh_evidence_host_find(ev, host, &only) != RH_OK) {
        cli_error("evidence: no events from host '%s'", host);
        rh_buf_free(&b);
        return RH_EXIT_OK;
    }
    for (i = 0; i < rh_evidence_host_count(ev) && rc == RH_EXIT_OK; i++) {
        rh_evidence_host h;
        if ((host && *host && i != only) || rh_evidence_host_get(ev, i, &h) != RH_OK) {
            continue;
        }
        rh_buf_reset(&b);
        if (host_summary(&h, json, &b) != RH_OK) {
            cli_error("evidence: out of memory");
            rc = RH_EXIT_INTERNAL;
        } else if (cli_write(stdout, &b) != 0) {
            cli_error("write error on standard output");
            rc = RH_EXIT_INTERNAL;
        }
        shown++;
    }
    rh_evidence_counts_get(ev, &c);
    if (rc == RH_EXIT_OK && !json) {
        printf("%zu host(s); %llu events read, %llu indexed, %llu duplicates dropped, "
               "%llu dropped at limits\n",
               shown, (unsigned long long)c.events, (unsigned long long)c.indexed,
               (unsigned long long)c.duplicates, (unsigned long long)c.dropped);
    }
    rh_buf_free(&b);
    return rc;
}

int cli_cmd_evidence(int argc, char **argv)
{
    const char *paths[MAX_PATHS];
    const char *host = NULL, *key = NULL, *value = NULL;
    size_t npaths = 0, i;
    int verbose = 0, json = 0, a, rc;
    unsigned flags = 0;
    rh_evidence_opts opts;
    struct walk w;
    rh_ctx *ctx;
    rh_status st;
    memset(&opts, 0, sizeof(opts));
    for (a = 1; a < argc; a++) {
        const char *s = argv[a];
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            evidence_usage(stdout);
            return RH_EXIT_OK;
        } else if (strcmp(s, "--host") == 0 && a + 1 < argc) {
            host = argv[++a];
        } else if (strcmp(s, "--key") == 0 && a + 1 < argc) {
            key = argv[++a];
        } else if (strcmp(s, "--value") == 0 && a + 1 < argc) {
            value = argv[++a];
        } else if (strcmp(s, "--subtree") == 0) {
            flags |= RH_EVIDENCE_SUBTREE;
        } else if (strcmp(s, "--json") == 0) {
            json = 1;
        } else if (strcmp(s, "--recover") == 0) {
            opts.read.flags |= RH_EVENTS_RECOVER;
        } else if (strcmp(s, "-v") == 0 || strcmp(s, "--verbose") == 0) {
            verbose = 1;
        } else if (s[0] == '-' && s[1]) {
            cli_error("evidence: unknown option or missing argument '%s' (see 'reghunt "
                      "evidence --help')",
                      s);
            return RH_EXIT_USAGE;
        } else if (npaths < MAX_PATHS) {
            paths[npaths++] = s;
        } else {
            cli_error("evidence: too many paths");
            return RH_EXIT_USAGE;
        }
    }
    if (!npaths) {
        evidence_usage(stderr);
        return RH_EXIT_USAGE;
    }
    if (value && !key) {
        cli_error("evidence: --value needs --key");
        return RH_EXIT_USAGE;
    }
    ctx = cli_ctx_create(verbose);
    memset(&w, 0, sizeof(w));
    w.ctx = ctx;
    st = rh_evidence_create(ctx, &opts, &w.ev);
    if (st != RH_OK) {
        cli_error("out of memory");
        rh_ctx_destroy(ctx);
        return RH_EXIT_INTERNAL;
    }
    for (i = 0; i < npaths; i++) {
        if (rh_os_path_kind(paths[i], 1, NULL) == RH_FS_DIR) {
            walk_dir(&w, paths[i], 0);
        } else {
            add_one(&w, paths[i]);
        }
    }
    if (w.rc == RH_EXIT_INTERNAL) {
        rc = w.rc;
    } else if (key) {
        rc = query_key(ctx, w.ev, host, key, value, flags, json);
    } else {
        rc = summary(ctx, w.ev, host, json);
    }
    if (fflush(stdout) != 0 && rc != RH_EXIT_INTERNAL) {
        cli_error("write error on standard output");
        rc = RH_EXIT_INTERNAL;
    }
    if (rc == RH_EXIT_OK && w.rc) {
        rc = w.rc;
    }
    rh_evidence_destroy(w.ev);
    rh_ctx_destroy(ctx);
    return rc;
}
