/*
 * reghunt evtx info PATH...
 * reghunt evtx dump PATH... [--format jsonl|xml] [--recover] [--threads N]
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void evtx_usage(FILE *f)
{
    fprintf(f, "Usage: reghunt evtx info PATH... [-v]\n"
               "       reghunt evtx dump PATH... [--format jsonl|xml] [--recover] [--threads N]\n"
               "                         [-v]\n"
               "\n"
               "A PATH is an .evtx file or a directory (searched for .evtx files, in path\n"
               "order). Event logs inside zip archives: use 'reghunt events'.\n"
               "\n"
               "info   file header, chunk and record counters, checksum state, and record\n"
               "       counts per (provider, channel, event id).\n"
               "dump   every record, one per line: evtx_dump-style JSON (jsonl, default) or\n"
               "       Windows-style XML (xml).\n"
               "\n"
               "  --recover     also carve records from unused chunk space and file slack\n"
               "                (flagged recovered in the output)\n"
               "  --threads N   parse chunks on N threads (output order is unchanged)\n"
               "  -v            show anomalies (checksum mismatches, skipped records) on stderr\n");
}

struct info_row {
    char *provider, *channel;
    unsigned eid;
    unsigned long n;
};

struct info_acc {
    struct info_row *rows;
    size_t n;
    uint64_t first, last;
};

static rh_status info_cb(const rh_evtx_record *rec, void *user)
{
    struct info_acc *a = user;
    const rh_event *ev = rec->event;
    const char *p = ev->provider ? ev->provider : "", *c = ev->channel ? ev->channel : "";
    size_t i;
    if (ev->timestamp && (!a->first || ev->timestamp < a->first)) {
        a->first = ev->timestamp;
    }
    if (ev->timestamp > a->last) {
        a->last = ev->timestamp;
    }
    for (i = 0; i < a->n; i++) {
        if (a->rows[i].eid == ev->event_id && strcmp(a->rows[i].provider, p) == 0 &&
            strcmp(a->rows[i].channel, c) == 0) {
            a->rows[i].n++;
            return RH_OK;
        }
    }
    {
        struct info_row *nr = realloc(a->rows, (a->n + 1) * sizeof(*nr));
        if (!nr) {
            return RH_ERR_NOMEM;
        }
        a->rows = nr;
        nr[a->n].provider = strdup(p);
        nr[a->n].channel = strdup(c);
        nr[a->n].eid = ev->event_id;
        nr[a->n].n = 1;
        if (!nr[a->n].provider || !nr[a->n].channel) {
            return RH_ERR_NOMEM;
        }
        a->n++;
    }
    return RH_OK;
}

static void put_escaped(const char *s)
{
    rh_buf b = RH_BUF_INIT(NULL);
    if (rh_escape_append(&b, s, strlen(s), RH_ESC_TERMINAL) == RH_OK && b.data) {
        fputs(b.data, stdout);
    }
    rh_buf_free(&b);
}

static void put_time(const char *label, uint64_t ft)
{
    rh_buf b = RH_BUF_INIT(NULL);
    printf("%s", label);
    if (ft && rh_filetime_to_iso(&b, ft) == RH_OK) {
        printf("%s\n", b.data);
    } else {
        printf("-\n");
    }
    rh_buf_free(&b);
}

static int cmd_info(rh_ctx *ctx, const char *path, unsigned flags, unsigned threads)
{
    rh_evtx *e = NULL;
    rh_evtx_read_opts ro = {flags, threads};
    struct info_acc acc;
    const rh_evtx_info *in;
    const rh_evtx_stats *s;
    rh_status st = rh_evtx_open(ctx, path, &e);
    size_t i;
    if (st != RH_OK) {
        return cli_fail_input(path, st);
    }
    memset(&acc, 0, sizeof(acc));
    st = rh_evtx_read(e, &ro, info_cb, &acc);
    in = rh_evtx_get_info(e);
    s = rh_evtx_get_stats(e);
    printf("file:            ");
    put_escaped(path);
    printf("\nsize:            %llu bytes\n", (unsigned long long)in->file_size);
    printf("version:         %u.%u\n", in->major, in->minor);
    printf("header:          %s, checksum %s (stored 0x%08x, computed 0x%08x)%s%s\n",
           in->header_ok ? "ElfFile" : "MISSING", in->checksum_ok ? "ok" : "MISMATCH",
           in->checksum_stored, in->checksum_computed,
           (in->flags & RH_EVTX_FILE_DIRTY) ? ", dirty" : "",
           (in->flags & RH_EVTX_FILE_FULL) ? ", full" : "");
    printf("chunks:          %u in header (first %llu, last %llu), %llu in file, %llu bytes "
           "slack\n",
           in->header_chunk_count, (unsigned long long)in->first_chunk,
           (unsigned long long)in->last_chunk, (unsigned long long)in->chunks_in_file,
           (unsigned long long)in->slack_bytes);
    printf("chunk damage:    %llu without signature, %llu empty, %llu header CRC, %llu data CRC\n",
           (unsigned long long)s->chunks_bad, (unsigned long long)s->chunks_empty,
           (unsigned long long)s->chunk_header_crc_bad, (unsigned long long)s->chunk_data_crc_bad);
    printf("next record id:  %llu\n", (unsigned long long)in->next_record_id);
    printf("records:         %llu (%llu skipped as damaged, %llu recovered)\n",
           (unsigned long long)s->records, (unsigned long long)s->records_bad,
           (unsigned long long)s->records_recovered);
    printf("anomalies:       %llu\n", (unsigned long long)s->anomalies);
    put_time("first event:     ", acc.first);
    put_time("last event:      ", acc.last);
    printf("events:\n");
    for (i = 0; i < acc.n; i++) {
        printf("  %8lu  ", acc.rows[i].n);
        put_escaped(acc.rows[i].provider);
        printf("  ");
        put_escaped(acc.rows[i].channel[0] ? acc.rows[i].channel : "-");
        printf("  %u\n", acc.rows[i].eid);
        free(acc.rows[i].provider);
        free(acc.rows[i].channel);
    }
    free(acc.rows);
    rh_evtx_close(e);
    if (st != RH_OK) {
        return cli_fail_input(path, st);
    }
    return RH_EXIT_OK;
}

struct dump_ctx {
    int xml;
    int failed;
};

static rh_status dump_cb(const rh_evtx_record *rec, void *user)
{
    struct dump_ctx *d = user;
    const char *s = d->xml ? rec->xml : rec->json;
    size_t n = d->xml ? rec->xml_len : rec->json_len;
    if (!s) {
        return RH_OK;
    }
    if (rec->flags & RH_EVENT_RECOVERED) {
        /* Mark carved records without breaking the line format. */
        if (d->xml) {
            fputs("<!-- recovered -->", stdout);
        } else if (n > 1 && s[0] == '{') {
            fputs("{\"#recovered\":true,", stdout);
            s++;
            n--;
        }
    }
    if (fwrite(s, 1, n, stdout) != n || putchar('\n') == EOF) {
        d->failed = 1;
        return RH_ERR_IO;
    }
    return RH_OK;
}

static int cmd_dump(rh_ctx *ctx, const char *path, int xml, unsigned flags, unsigned threads)
{
    rh_evtx *e = NULL;
    rh_evtx_read_opts ro;
    struct dump_ctx d = {xml, 0};
    rh_status st = rh_evtx_open(ctx, path, &e);
    if (st != RH_OK) {
        return cli_fail_input(path, st);
    }
    ro.flags = flags | (xml ? RH_EVTX_XML : RH_EVTX_JSON);
    ro.threads = threads;
    st = rh_evtx_read(e, &ro, dump_cb, &d);
    rh_evtx_close(e);
    if (d.failed || fflush(stdout) != 0) {
        cli_error("write error on standard output");
        return RH_EXIT_INTERNAL;
    }
    if (st != RH_OK) {
        return cli_fail_input(path, st);
    }
    return RH_EXIT_OK;
}

struct evtx_cmd {
    int info, xml;
    unsigned flags, threads;
};

static int has_evtx_suffix(const char *p)
{
    static const char sfx[] = ".evtx";
    size_t n = strlen(p), k;
    if (n < 5) {
        return 0;
    }
    for (k = 0; k < 5; k++) {
        char ch = p[n - 5 + k];
        if ((ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch) != sfx[k]) {
            return 0;
        }
    }
    return 1;
}

/* One input of cli_each_event_input(): .evtx files, whether given or found in a directory. */
static int evtx_one(rh_ctx *ctx, rh_collection *coll, size_t i, const char *path, void *user)
{
    const struct evtx_cmd *c = user;
    if (coll) {
        const rh_coll_events *ce = rh_collection_events_at(coll, i);
        if (!has_evtx_suffix(path)) {
            return RH_EXIT_OK; /* SIEM exports found beside the logs: 'reghunt events' */
        }
        if (ce->in_archive) {
            cli_error("%s: inside an archive: not dumped (use 'reghunt events')", path);
            return RH_EXIT_INPUT;
        }
    }
    return c->info ? cmd_info(ctx, path, c->flags, c->threads)
                   : cmd_dump(ctx, path, c->xml, c->flags, c->threads);
}

int cli_cmd_evtx(int argc, char **argv)
{
    const char *sub, *files[1024];
    size_t nfiles = 0;
    struct evtx_cmd c;
    int xml = 0, verbose = 0, i, rc;
    unsigned flags = 0, threads = 0;
    rh_ctx *ctx;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        evtx_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? RH_EXIT_USAGE : RH_EXIT_OK;
    }
    sub = argv[1];
    if (strcmp(sub, "info") != 0 && strcmp(sub, "dump") != 0) {
        cli_error("evtx: unknown subcommand '%s' (see 'reghunt evtx --help')", sub);
        return RH_EXIT_USAGE;
    }
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            evtx_usage(stdout);
            return RH_EXIT_OK;
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "xml") == 0) {
                xml = 1;
            } else if (strcmp(f, "jsonl") == 0 || strcmp(f, "json") == 0) {
                xml = 0;
            } else {
                cli_error("evtx: unknown format '%s' (jsonl or xml)", f);
                return RH_EXIT_USAGE;
            }
        } else if (strcmp(a, "--recover") == 0) {
            flags |= RH_EVTX_RECOVER;
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            char *end;
            unsigned long t = strtoul(argv[++i], &end, 10);
            if (*end || t > 64) {
                cli_error("evtx: --threads takes a number from 0 to 64");
                return RH_EXIT_USAGE;
            }
            threads = (unsigned)t;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            verbose = 1;
        } else if (a[0] == '-' && a[1]) {
            cli_error("evtx: unknown option '%s' (see 'reghunt evtx --help')", a);
            return RH_EXIT_USAGE;
        } else if (nfiles < sizeof(files) / sizeof(files[0])) {
            files[nfiles++] = a;
        } else {
            cli_error("evtx: too many paths");
            return RH_EXIT_USAGE;
        }
    }
    if (!nfiles) {
        cli_error("evtx %s: PATH missing (see 'reghunt evtx --help')", sub);
        return RH_EXIT_USAGE;
    }
    ctx = cli_ctx_create(verbose);
    c.info = strcmp(sub, "info") == 0;
    c.xml = xml;
    c.flags = flags;
    c.threads = threads;
    rc = cli_each_event_input(ctx, files, nfiles, evtx_one, &c);
    rh_ctx_destroy(ctx);
    return rc;
}
