/*
 * Event inputs of `reghunt events` and `reghunt evtx`: files as given, directories and zip
 * archives through the collection reader (rh_collection), which also finds the hunt's inputs.
 */
#include <string.h>

#include "cli.h"

/* A zip archive by its first bytes. */
static int is_zip(const char *path)
{
    unsigned char sig[4];
    size_t n = 0;
    FILE *f = rh_os_fopen(path, "rb");
    if (f) {
        n = fread(sig, 1, sizeof(sig), f);
        fclose(f);
    }
    return n == 4 && memcmp(sig, "PK\x03\x04", 4) == 0;
}

static int each_in_collection(rh_ctx *ctx, const char *path, cli_event_input_fn fn, void *user)
{
    rh_collection_opts co;
    rh_collection *coll = NULL;
    rh_status st;
    size_t i, n;
    int rc = RH_EXIT_OK;
    memset(&co, 0, sizeof(co));
    co.flags = RH_COLL_NO_LOGS;
    if (rh_collection_create(ctx, &co, &coll) != RH_OK) {
        cli_error("out of memory");
        return RH_EXIT_INTERNAL;
    }
    cli_last_diag[0] = '\0';
    st = rh_collection_add(coll, path);
    if (st == RH_OK) {
        st = rh_collection_finish(coll);
    }
    if (st != RH_OK) {
        rc = cli_fail_input(path, st);
    } else if ((n = rh_collection_events_count(coll)) == 0) {
        cli_error("%s: no event logs found (.evtx, .json, .ndjson, .jsonl, .csv, .gz)", path);
        rc = RH_EXIT_INPUT;
    } else {
        for (i = 0; i < n && rc != RH_EXIT_INTERNAL; i++) {
            int r = fn(ctx, coll, i, rh_collection_events_at(coll, i)->source, user);
            rc = r > rc ? r : rc;
        }
    }
    rh_collection_destroy(coll);
    return rc;
}

int cli_each_event_input(rh_ctx *ctx, const char *const *paths, size_t n, cli_event_input_fn fn,
                         void *user)
{
    size_t i;
    int rc = RH_EXIT_OK;
    for (i = 0; i < n && rc != RH_EXIT_INTERNAL; i++) {
        int r;
        rh_fs_kind kind = rh_os_path_kind(paths[i], 1, NULL);
        if (kind == RH_FS_DIR || (kind != RH_FS_NONE && is_zip(paths[i]))) {
            r = each_in_collection(ctx, paths[i], fn, user);
        } else {
            r = fn(ctx, NULL, 0, paths[i], user);
        }
        rc = r > rc ? r : rc;
    }
    return rc;
}
