/*
 * libFuzzer target: a triage archive (zip) through the collection reader: member scan by name
 * and first bytes, hive members streamed out of the archive and opened with their logs,
 * event members streamed through the events reader. The input is written to a temporary file
 * (the collection reads archives by path). Seeds: fuzz/corpus/collect/ (small zips built from
 * the project's own fixtures).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkstemp, unlink */
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "reghunt/reghunt.h"

static rh_status on_event(const rh_event *ev, void *user)
{
    (void)ev;
    (*(size_t *)user)++;
    return RH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/rh-fuzz-collect-XXXXXX";
    rh_ctx *ctx = NULL;
    rh_collection *coll = NULL;
    size_t i, n = 0;
    int fd = mkstemp(path);
    if (fd < 0) {
        return 0;
    }
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    if (rh_ctx_create(NULL, &ctx) == RH_OK && rh_collection_create(ctx, NULL, &coll) == RH_OK &&
        rh_collection_add(coll, path) == RH_OK && rh_collection_finish(coll) == RH_OK) {
        for (i = 0; i < rh_collection_hive_count(coll); i++) {
            rh_hive *h = NULL;
            if (rh_collection_open(coll, i, &h) == RH_OK) {
                (void)rh_hive_key_count(h);
            }
            rh_collection_release(coll, i);
        }
        for (i = 0; i < rh_collection_events_count(coll); i++) {
            (void)rh_collection_events_read(coll, i, NULL, on_event, &n);
        }
    }
    rh_collection_destroy(coll);
    rh_ctx_destroy(ctx);
    unlink(path);
    return 0;
}
