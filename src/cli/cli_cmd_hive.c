/*
 * reghunt hive info|ls|export: inspect, list and export offline registry hives.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void hive_usage(FILE *f)
{
    fprintf(f,
            "Usage: reghunt hive info FILE [options]\n"
            "       reghunt hive ls FILE [KEYPATH] [options]\n"
            "       reghunt hive export FILE [--format reg|jsonl] [options]\n\n"
            "Reads an offline registry hive (REGF). Transaction logs (.LOG/.LOG1/.LOG2, any\n"
            "case) beside the hive are replayed in memory; the input files are never written.\n\n"
            "Options:\n"
            "  --format FMT     export format: jsonl (default) or reg\n"
            "  --deleted        recover deleted keys and values (flagged \"deleted\")\n"
            "  --no-logs        do not replay transaction logs\n"
            "  --log FILE       use this transaction log (repeatable, up to 3) instead of\n"
            "                   discovering logs beside the hive\n"
            "  --strict         treat any anomaly as an error (exit 3)\n"
            "  -v, --verbose    print every anomaly on stderr\n"
            "  -o, --output F   write to F instead of stdout\n"
            "  -h, --help       this help\n\n"
            "The JSON Lines format is documented in docs/hive-export.md.\n");
}

struct hive_opts {
    const char *format;
    const char *output;
    const char *logs[4];
    int nlogs;
    int deleted, no_logs, strict, verbose;
};

static int parse_opts(int argc, char **argv, struct hive_opts *o)
{
    static const struct option longs[] = {{"format", required_argument, NULL, 'f'},
                                          {"deleted", no_argument, NULL, 'd'},
                                          {"no-logs", no_argument, NULL, 'n'},
                                          {"log", required_argument, NULL, 'l'},
                                          {"strict", no_argument, NULL, 's'},
                                          {"verbose", no_argument, NULL, 'v'},
                                          {"output", required_argument, NULL, 'o'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    int c;
    memset(o, 0, sizeof(*o));
    o->format = "jsonl";
    optind = 1;
    while ((c = getopt_long(argc, argv, "vo:h", longs, NULL)) != -1) {
        switch (c) {
        case 'f':
            o->format = optarg;
            break;
        case 'd':
            o->deleted = 1;
            break;
        case 'n':
            o->no_logs = 1;
            break;
        case 'l':
            if (o->nlogs >= 3) {
                cli_error("hive: at most 3 --log files");
                return -1;
            }
            o->logs[o->nlogs++] = optarg;
            break;
        case 's':
            o->strict = 1;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'h':
            hive_usage(stdout);
            return 1;
        default:
            fprintf(stderr, "Try 'reghunt hive --help'.\n");
            return -1;
        }
    }
    if (strcmp(o->format, "jsonl") != 0 && strcmp(o->format, "reg") != 0) {
        cli_error("hive: unknown format '%s' (use jsonl or reg)", o->format);
        return -1;
    }
    return 0;
}

static rh_status open_hive(rh_ctx *ctx, const char *path, const struct hive_opts *o, rh_hive **h)
{
    rh_hive_opts ho;
    memset(&ho, 0, sizeof(ho));
    ho.flags = (o->deleted ? RH_HIVE_DELETED : 0) | (o->no_logs ? RH_HIVE_NO_LOGS : 0);
    ho.log_paths = o->nlogs ? o->logs : NULL;
    if (o->strict) {
        rh_ctx_set_strict(ctx, 1);
    }
    return rh_hive_open(ctx, path, &ho, h);
}

static void put_term(rh_buf *b, const char *s, size_t n)
{
    rh_escape_append(b, s, n, RH_ESC_TERMINAL);
}

static int cmd_info(rh_hive *h, FILE *out)
{
    const rh_hive_info *i = rh_hive_get_info(h);
    rh_buf b = RH_BUF_INIT(NULL);
    unsigned k;
    rh_buf_puts(&b, "file:               ");
    put_term(&b, i->path, strlen(i->path));
    rh_buf_printf(&b, "\nsize:               %llu bytes\n", (unsigned long long)i->file_size);
    rh_buf_printf(&b, "version:            %u.%u\n", i->major, i->minor);
    rh_buf_puts(&b, "embedded name:      ");
    put_term(&b, i->embedded_name, strlen(i->embedded_name));
    rh_buf_printf(&b, "\nsequence numbers:   %u / %u\n", i->seq_primary, i->seq_secondary);
    rh_buf_puts(&b, "last written:       ");
    rh_filetime_to_iso(&b, i->last_written);
    rh_buf_printf(&b, "\nchecksum:           0x%08x (%s, computed 0x%08x)\n", i->checksum_stored,
                  i->checksum_ok ? "ok" : "MISMATCH", i->checksum_computed);
    rh_buf_printf(&b, "hive bins size:     %u declared, %u in the hbin chain%s\n", i->hbins_size,
                  i->hbins_size_effective, i->truncated ? " (TRUNCATED)" : "");
    rh_buf_printf(&b, "root cell:          0x%x\n", i->root_cell);
    rh_buf_printf(&b, "dirty:              %s\n", i->dirty ? "yes" : "no");
    rh_buf_printf(&b, "logs found:         %u\n", i->logs_found);
    for (k = 0; k < i->logs_found; k++) {
        rh_buf_puts(&b, "  ");
        put_term(&b, i->log_paths[k], strlen(i->log_paths[k]));
        rh_buf_putc(&b, '\n');
    }
    rh_buf_printf(&b, "logs applied:       %u (%u entries, %u pages)\n", i->logs_applied,
                  i->log_entries_applied, i->log_pages_applied);
    rh_buf_printf(&b, "log status:         %s\n", i->log_status ? i->log_status : "");
    if (i->logs_applied) {
        rh_buf_printf(&b, "sequence after:     %u%s\n", i->seq_after_replay,
                      i->base_block_from_log ? " (base block taken from the log)" : "");
        rh_buf_printf(&b, "from replay:        %u keys, %u values new or changed\n", i->replay_keys,
                      i->replay_values);
    }
    rh_buf_printf(&b, "keys:               %u\n", i->keys);
    rh_buf_printf(&b, "values:             %u\n", i->values);
    rh_buf_printf(&b, "deleted keys:       %u\n", i->deleted_keys);
    rh_buf_printf(&b, "deleted values:     %u\n", i->deleted_values);
    rh_buf_printf(&b, "cells:              %u allocated, %u free, %u allocated but unreferenced\n",
                  i->cells_allocated, i->cells_free, i->cells_unreferenced);
    rh_buf_printf(&b, "read:               %s, %llu bytes read\n",
                  i->on_demand ? "on demand (hive_cache_size)" : "whole",
                  (unsigned long long)rh_hive_bytes_read(h));
    rh_buf_printf(&b, "anomalies:          %llu%s\n", (unsigned long long)i->anomalies,
                  i->anomalies ? " (run with -v to list them)" : "");
    k = cli_write(out, &b) == 0 ? RH_EXIT_OK : RH_EXIT_INTERNAL;
    rh_buf_free(&b);
    return (int)k;
}

static void key_flags_text(rh_buf *b, uint32_t f)
{
    if (f & RH_KEY_DELETED) {
        rh_buf_puts(b, " [deleted]");
    }
    if (f & RH_KEY_PARTIAL_PATH) {
        rh_buf_puts(b, " [partial path]");
    }
    if (f & RH_KEY_FROM_REPLAY) {
        rh_buf_puts(b, " [from log replay]");
    }
    if (f & RH_KEY_CHANGED_BY_REPLAY) {
        rh_buf_puts(b, " [values changed by log replay]");
    }
    if (f & RH_KEY_SYMLINK) {
        rh_buf_puts(b, " [symlink]");
    }
}

static int cmd_ls(rh_hive *h, const char *keypath, FILE *out)
{
    rh_key key, c;
    rh_key_info ki;
    rh_buf b = RH_BUF_INIT(NULL), name = RH_BUF_INIT(NULL), scratch = RH_BUF_INIT(NULL);
    uint32_t i, n;
    int rc;
    if (rh_hive_root(h) == RH_KEY_NONE) {
        cli_error("%s: the hive has no readable root key", rh_hive_get_info(h)->path);
        return RH_EXIT_INPUT;
    }
    if (rh_key_find(h, RH_KEY_NONE, keypath ? keypath : "", &key) != RH_OK) {
        cli_error("%s: key not found: %s", rh_hive_get_info(h)->path, keypath);
        return RH_EXIT_INPUT;
    }
    rh_key_get_info(h, key, &ki);
    rh_buf_puts(&b, "key: ");
    rh_key_path(h, key, &name);
    put_term(&b, name.data, name.len);
    rh_buf_puts(&b, "\nlast written: ");
    rh_filetime_to_iso(&b, ki.last_write);
    rh_buf_printf(&b, "\nsubkeys (%u):\n", ki.subkeys);
    for (c = rh_key_first_child(h, key); c != RH_KEY_NONE; c = rh_key_next_sibling(h, c)) {
        rh_key_info ci;
        rh_key_get_info(h, c, &ci);
        rh_buf_puts(&b, "  ");
        rh_filetime_to_iso(&b, ci.last_write);
        rh_buf_puts(&b, "  ");
        put_term(&b, ci.name, ci.name_len);
        key_flags_text(&b, ci.flags);
        rh_buf_putc(&b, '\n');
    }
    n = rh_key_value_count(h, key);
    rh_buf_printf(&b, "values (%u):\n", n);
    for (i = 0; i < n; i++) {
        rh_value v = rh_key_value_at(h, key, i);
        rh_value_info vi;
        const uint8_t *d;
        size_t dl;
        rh_value_get_info(h, v, &vi);
        rh_buf_reset(&name);
        rh_value_name(h, v, &name);
        rh_buf_puts(&b, "  ");
        if (name.len == 0) {
            rh_buf_puts(&b, "(default)");
        } else {
            put_term(&b, name.data, name.len);
        }
        rh_buf_puts(&b, "  ");
        rh_reg_type_append(vi.type, &b);
        rh_buf_puts(&b, "  ");
        if (rh_value_data(h, v, &d, &dl, &scratch) == RH_OK) {
            rh_buf_reset(&name);
            rh_reg_data_text(vi.type, d, dl, 64, &name);
            put_term(&b, name.data ? name.data : "", name.len);
        } else {
            rh_buf_puts(&b, "(data unreadable)");
        }
        if (vi.flags & RH_VALUE_DELETED) {
            rh_buf_puts(&b, " [deleted]");
        }
        if (vi.flags & RH_VALUE_FROM_REPLAY) {
            rh_buf_puts(&b, " [from log replay]");
        }
        rh_buf_putc(&b, '\n');
    }
    rc = cli_write(out, &b) == 0 ? RH_EXIT_OK : RH_EXIT_INTERNAL;
    rh_buf_free(&b);
    rh_buf_free(&name);
    rh_buf_free(&scratch);
    return rc;
}

/* One exporter writes keys and values through these two functions per format. */
struct exporter {
    rh_hive *h;
    FILE *out;
    rh_buf line, tmp, scratch, path, path_json;
    int reg;
    const char *prefix;
    size_t prefix_len;
};

static void json_str(rh_buf *b, const char *s, size_t n)
{
    rh_buf_putc(b, '"');
    rh_escape_append(b, s, n, RH_ESC_JSON);
    rh_buf_putc(b, '"');
}

/* Lines accumulate in e->line and are written in 64 KiB batches (see export_all's end). */
static int flush_line(struct exporter *e)
{
    int rc = 0;
    if (e->line.len >= (1u << 16)) {
        rc = cli_write(e->out, &e->line);
        rh_buf_reset(&e->line);
    }
    return rc;
}

/* path_json: the key path already escaped for JSON (computed once per key), or NULL. */
static int export_value(struct exporter *e, rh_value v, const char *path, size_t plen,
                        const rh_buf *path_json)
{
    rh_value_info vi;
    const uint8_t *d;
    size_t dl;
    rh_status st;
    rh_value_get_info(e->h, v, &vi);
    rh_buf_reset(&e->tmp);
    rh_value_name(e->h, v, &e->tmp);
    st = rh_value_data(e->h, v, &d, &dl, &e->scratch);
    if (!e->reg) {
        rh_buf_lit(&e->line, "{\"type\":\"value\",\"path\":");
        if (path_json) {
            rh_buf_putc(&e->line, '"');
            rh_buf_append(&e->line, path_json->data, path_json->len);
            rh_buf_putc(&e->line, '"');
        } else if (path) {
            json_str(&e->line, path, plen);
        } else {
            rh_buf_lit(&e->line, "null");
        }
        rh_buf_lit(&e->line, ",\"name\":");
        json_str(&e->line, e->tmp.data ? e->tmp.data : "", e->tmp.len);
        rh_buf_lit(&e->line, ",\"reg_type\":\"");
        rh_reg_type_append(vi.type, &e->line);
        rh_buf_lit(&e->line, "\",\"data\":");
        if (st == RH_OK) {
            rh_reg_data_json(vi.type, d, dl, &e->line);
        } else {
            rh_buf_lit(&e->line, "null");
        }
        if (vi.flags & RH_VALUE_DELETED) {
            rh_buf_lit(&e->line, ",\"deleted\":true");
        } else {
            rh_buf_lit(&e->line, ",\"deleted\":false");
        }
        if (vi.flags & RH_VALUE_FROM_REPLAY) {
            rh_buf_lit(&e->line, ",\"from_replay\":true}\n");
        } else {
            rh_buf_lit(&e->line, ",\"from_replay\":false}\n");
        }
        return flush_line(e);
    }
    /* .reg: strings without control characters as "..", dword:, others hex(type): */
    if (e->tmp.len == 0) {
        rh_buf_putc(&e->line, '@');
    } else {
        /* .reg cannot carry NUL or control characters in a name: show them as visible
         * escapes (\x00, \u{202e}) and say so, rather than writing them raw. */
        rh_buf visible = RH_BUF_INIT(NULL);
        rh_escape_append(&visible, e->tmp.data, e->tmp.len, RH_ESC_TERMINAL);
        if (visible.len != e->tmp.len || memcmp(visible.data, e->tmp.data, e->tmp.len) != 0) {
            rh_buf_lit(&e->line, "; value name contains hidden characters, shown escaped\r\n");
        }
        rh_buf_putc(&e->line, '"');
        rh_escape_append(&e->line, visible.data, visible.len, RH_ESC_REG);
        rh_buf_putc(&e->line, '"');
        rh_buf_free(&visible);
    }
    rh_buf_putc(&e->line, '=');
    if (st != RH_OK) {
        dl = 0;
    }
    if (vi.type == 1 && dl % 2 == 0) {
        size_t i;
        int plain = 1;
        rh_buf_reset(&e->tmp);
        rh_reg_string(d, dl, &e->tmp);
        for (i = 0; i < e->tmp.len; i++) {
            if ((unsigned char)e->tmp.data[i] < 0x20) {
                plain = 0;
            }
        }
        if (plain && (e->tmp.len + 1) * 2 >= dl) {
            rh_buf_putc(&e->line, '"');
            rh_escape_append(&e->line, e->tmp.data, e->tmp.len, RH_ESC_REG);
            rh_buf_lit(&e->line, "\"\r\n");
            return flush_line(e);
        }
    }
    if (vi.type == 4 && dl == 4) {
        rh_buf_printf(&e->line, "dword:%08x\r\n",
                      (unsigned)(d[0] | d[1] << 8 | d[2] << 16 | (unsigned)d[3] << 24));
        return flush_line(e);
    }
    if (vi.type == 3) {
        rh_buf_lit(&e->line, "hex:");
    } else {
        rh_buf_printf(&e->line, "hex(%x):", vi.type);
    }
    {
        size_t i;
        for (i = 0; i < dl; i++) {
            rh_buf_printf(&e->line, "%02x%s", d[i], i + 1 < dl ? "," : "");
            if (i + 1 < dl && i % 25 == 24) {
                rh_buf_lit(&e->line, "\\\r\n  ");
            }
        }
    }
    rh_buf_lit(&e->line, "\r\n");
    return flush_line(e);
}

#define MAX_DEPTH_CACHE 512

static int export_all(rh_hive *h, const struct hive_opts *o, FILE *out)
{
    size_t depth_len[MAX_DEPTH_CACHE];
    uint32_t cached_depth = MAX_DEPTH_CACHE;
    struct exporter e;
    uint32_t k, nk = rh_hive_key_count(h), i;
    int rc = 0;
    rh_key_info ri;
    memset(&e, 0, sizeof(e));
    e.h = h;
    e.out = out;
    e.reg = strcmp(o->format, "reg") == 0;
    rh_buf_init(&e.line, NULL);
    rh_buf_init(&e.tmp, NULL);
    rh_buf_init(&e.scratch, NULL);
    rh_buf_init(&e.path, NULL);
    rh_buf_init(&e.path_json, NULL);
    e.prefix = "ROOT";
    e.prefix_len = 4;
    if (rh_hive_root(h) != RH_KEY_NONE && rh_key_get_info(h, rh_hive_root(h), &ri) == RH_OK) {
        e.prefix = ri.name; /* borrowed, not NUL-terminated: use name_len */
        e.prefix_len = ri.name_len;
    }
    if (e.reg) {
        rh_buf_lit(&e.line, "Windows Registry Editor Version 5.00\r\n");
        rc |= flush_line(&e);
    }
    for (k = 0; k < nk && rc == 0; k++) {
        rh_key_info ki;
        rh_key_get_info(h, k, &ki);
        rh_buf_reset(&e.path);
        if (e.reg) {
            rh_key_path(h, k, &e.path);
        }
        if (!e.reg) {
            /* Live keys come in depth-first order: extend the parent's escaped path instead
             * of escaping the whole path again (each name is escaped once). */
            if (!(ki.flags & (RH_KEY_DELETED | RH_KEY_PARTIAL_PATH)) && ki.depth > 0 &&
                ki.depth < MAX_DEPTH_CACHE && cached_depth != MAX_DEPTH_CACHE &&
                ki.depth <= cached_depth + 1) {
                rh_buf_truncate(&e.path_json, depth_len[ki.depth - 1]);
                if (ki.depth > 1) {
                    rh_buf_lit(&e.path_json, "\\\\");
                }
                rh_escape_append(&e.path_json, ki.name, ki.name_len, RH_ESC_JSON);
                depth_len[ki.depth] = e.path_json.len;
                cached_depth = ki.depth;
            } else {
                rh_key_path(h, k, &e.path);
                rh_buf_reset(&e.path_json);
                rh_escape_append(&e.path_json, e.path.data, e.path.len, RH_ESC_JSON);
                if (ki.depth == 0 && !(ki.flags & RH_KEY_DELETED)) {
                    depth_len[0] = e.path_json.len;
                    cached_depth = 0;
                } else {
                    cached_depth = MAX_DEPTH_CACHE;
                }
            }
            rh_buf_lit(&e.line, "{\"type\":\"key\",\"path\":\"");
            rh_buf_append(&e.line, e.path_json.data, e.path_json.len);
            rh_buf_putc(&e.line, '"');
            rh_buf_lit(&e.line, ",\"last_write\":\"");
            rh_filetime_to_iso(&e.line, ki.last_write);
            if (ki.flags & RH_KEY_DELETED) {
                rh_buf_lit(&e.line, "\",\"deleted\":true");
            } else {
                rh_buf_lit(&e.line, "\",\"deleted\":false");
            }
            if (ki.flags & RH_KEY_FROM_REPLAY) {
                rh_buf_lit(&e.line, ",\"from_replay\":true}\n");
            } else {
                rh_buf_lit(&e.line, ",\"from_replay\":false}\n");
            }
        } else {
            rh_buf_lit(&e.line, "\r\n[");
            rh_escape_append(&e.line, e.prefix, e.prefix_len, RH_ESC_TERMINAL);
            if (e.path.len) {
                rh_buf_putc(&e.line, '\\');
                rh_escape_append(&e.line, e.path.data, e.path.len, RH_ESC_TERMINAL);
            }
            rh_buf_lit(&e.line, "]\r\n");
            if (ki.flags & RH_KEY_DELETED) {
                rh_buf_lit(&e.line, "; deleted key recovered by reghunt\r\n");
            }
        }
        rc |= flush_line(&e);
        for (i = 0; i < ki.values && rc == 0; i++) {
            rc |= export_value(&e, rh_key_value_at(h, k, i), e.path.data, e.path.len,
                               e.reg ? NULL : &e.path_json);
        }
    }
    for (i = 0; i < rh_hive_orphan_value_count(h) && rc == 0; i++) {
        rh_value v = rh_hive_orphan_value_at(h, i);
        rh_value_info vi;
        rh_value_get_info(h, v, &vi);
        rh_buf_reset(&e.path);
        if (vi.key != RH_KEY_NONE) {
            rh_key_path(h, vi.key, &e.path);
        }
        if (e.reg) {
            rh_buf_lit(&e.line, "; unassociated deleted value\r\n");
            rc |= flush_line(&e);
        }
        rc |= export_value(&e, v, vi.key != RH_KEY_NONE ? e.path.data : NULL, e.path.len, NULL);
    }
    if (rc == 0 && cli_write(out, &e.line) != 0) {
        rc = 1;
    }
    rh_buf_free(&e.line);
    rh_buf_free(&e.tmp);
    rh_buf_free(&e.scratch);
    rh_buf_free(&e.path);
    rh_buf_free(&e.path_json);
    return rc ? RH_EXIT_INTERNAL : RH_EXIT_OK;
}

int cli_cmd_hive(int argc, char **argv)
{
    struct hive_opts o;
    const char *sub, *file, *keypath = NULL;
    rh_ctx *ctx;
    rh_hive *h = NULL;
    rh_status st;
    FILE *out = stdout;
    int rc;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        hive_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? RH_EXIT_USAGE : RH_EXIT_OK;
    }
    sub = argv[1];
    if (strcmp(sub, "info") != 0 && strcmp(sub, "ls") != 0 && strcmp(sub, "export") != 0) {
        cli_error("hive: unknown subcommand '%s' (info, ls, export)", sub);
        return RH_EXIT_USAGE;
    }
    rc = parse_opts(argc - 1, argv + 1, &o);
    if (rc != 0) {
        return rc > 0 ? RH_EXIT_OK : RH_EXIT_USAGE;
    }
    if (optind >= argc - 1) {
        cli_error("hive %s: missing FILE", sub);
        return RH_EXIT_USAGE;
    }
    file = argv[1 + optind];
    if (optind + 1 < argc - 1) {
        if (strcmp(sub, "ls") != 0 || optind + 2 < argc - 1) {
            cli_error("hive %s: unexpected argument '%s'", sub, argv[2 + optind]);
            return RH_EXIT_USAGE;
        }
        keypath = argv[2 + optind];
    }
    ctx = cli_ctx_create(o.verbose);
    st = open_hive(ctx, file, &o, &h);
    if (st != RH_OK) {
        rc = cli_fail_input(file, st);
        rh_ctx_destroy(ctx);
        return rc;
    }
    if (o.output) {
        out = rh_os_fopen(o.output, "wb");
        if (!out) {
            cli_error("cannot write %s", o.output);
            rh_hive_close(h);
            rh_ctx_destroy(ctx);
            return RH_EXIT_INTERNAL;
        }
    }
    if (strcmp(sub, "info") == 0) {
        rc = cmd_info(h, out);
    } else if (strcmp(sub, "ls") == 0) {
        rc = cmd_ls(h, keypath, out);
    } else {
        rc = export_all(h, &o, out);
    }
    if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
        cli_error("write error");
        rc = RH_EXIT_INTERNAL;
    }
    rh_hive_close(h);
    rh_ctx_destroy(ctx);
    return rc;
}
