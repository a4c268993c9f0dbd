/*
 * libFuzzer target: a case store file (reghunt hunt --case) read back as untrusted input:
 * open (header, application id, schema version, meta), the runs, the per-host diff of each
 * host's last two runs, the newest run of every host (what `reghunt stack` reads, with the
 * verdicts), and the case reports. SQLite is trusted code; what is fuzzed is our reading of its
 * rows. The input is written to a temporary file (SQLite opens files by path). Seeds:
 * fuzz/corpus/case/ (small case files recorded from the demo collection, one with a verdict).
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

static rh_status on_finding(void *user, const char *host, const rh_case_finding *f)
{
    (void)host;
    if (f) {
        (*(size_t *)user) += f->value_name_len + f->value_data_len;
    }
    return RH_OK;
}

static rh_status sink(void *user, const char *data, size_t len)
{
    (void)data;
    (*(size_t *)user) += len;
    return RH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/rh-fuzz-case-XXXXXX";
    rh_ctx *ctx = NULL;
    rh_case *c = NULL;
    rh_stack *s = NULL;
    size_t n = 0;
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
    if (rh_ctx_create(NULL, &ctx) == RH_OK && rh_case_open(ctx, path, RH_CASE_READ, &c) == RH_OK) {
        if (rh_case_runs_load(c) == RH_OK) {
            (void)rh_report_case_runs(ctx, "text", c, sink, &n);
            (void)rh_report_case_runs(ctx, "jsonl", c, sink, &n);
        }
        if (rh_case_diff_load(c, 0, 0) == RH_OK) {
            (void)rh_report_case_diff(ctx, "text", c, sink, &n);
            (void)rh_report_case_diff(ctx, "jsonl", c, sink, &n);
        }
        (void)rh_case_latest(c, on_finding, &n);
    }
    rh_case_close(c);
    if (ctx && rh_stack_create(ctx, &s) == RH_OK) {
        (void)rh_stack_add_path(s, path);
        if (rh_stack_finish(s, NULL) == RH_OK) {
            (void)rh_report_stack(ctx, "jsonl", s, sink, &n);
        }
    }
    rh_stack_destroy(s);
    rh_ctx_destroy(ctx);
    unlink(path);
    {
        /* a WAL-mode header makes SQLite create these beside the file */
        char side[sizeof(path) + 4];
        snprintf(side, sizeof(side), "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", path);
        unlink(side);
    }
    return 0;
}
