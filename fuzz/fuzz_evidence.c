/*
 * libFuzzer target: the evidence index. Fuzzed SIEM JSON (document mode: arrays, objects
 * back to back, every shape mapping) becomes normalized events that are indexed; then every
 * indexed registry write is queried back by its key and value, the writer's process tree is
 * built and rendered in every format, each created file is looked up, and the fusion
 * classifier and coverage run for every host. Small caps keep each run fast and reach the
 * cap paths. Seeds: fuzz/corpus/evidence/ (hand-written NDJSON: Sysmon and Security chains,
 * cycles, hostile strings).
 */
#include <stddef.h>
#include <stdint.h>

#include "events/events_internal.h"
#include "evidence/evidence_internal.h"

#define FUZZ_MAX_QUERIES 32

static rh_status on_event(const rh_event *e, void *user)
{
    rh_status st = rh_evidence_add_event(user, e);
    return st == RH_ERR_NOMEM ? st : RH_OK;
}

static void query_all(rh_evidence *ev, rh_buf *b)
{
    uint32_t i;
    size_t h;
    for (i = 0; i < ev->writes.count && i < FUZZ_MAX_QUERIES; i++) {
        const struct ev_write *w = ev_pool_at(&ev->writes, i);
        rh_evidence_list l;
        rh_evidence_tree *t = NULL;
        rh_evidence_subject s;
        rh_evidence_verdict v;
        if (rh_evidence_writes(ev, w->pub.host, w->pub.key, w->pub.value, 0, &l) == RH_OK) {
            rh_evidence_list_free(ev, &l);
        }
        if (rh_evidence_writes(ev, NULL, w->pub.target, NULL, RH_EVIDENCE_SUBTREE, &l) == RH_OK) {
            rh_evidence_list_free(ev, &l);
        }
        if (rh_evidence_process_tree(ev, w->pub.host, &w->pub.writer, &t) == RH_OK) {
            rh_buf_reset(b);
            (void)rh_evidence_tree_render(t, RH_EVIDENCE_RENDER_TEXT, 2, b);
            (void)rh_evidence_tree_render(t, RH_EVIDENCE_RENDER_JSON, 0, b);
            (void)rh_evidence_tree_render(t, RH_EVIDENCE_RENDER_HTML, 0, b);
            rh_evidence_tree_free(ev, t);
        }
        memset(&s, 0, sizeof(s));
        s.host = w->pub.host;
        s.key_path = w->pub.key;
        s.value_name = w->pub.value;
        s.presence = (rh_evidence_presence)(i % 5);
        s.last_write = w->pub.time;
        (void)rh_evidence_state(ev, &s, &v);
    }
    for (i = 0; i < ev->files.count && i < FUZZ_MAX_QUERIES; i++) {
        const struct ev_file *f = ev_pool_at(&ev->files, i);
        rh_evidence_list l;
        if (rh_evidence_file_created(ev, f->pub.host, f->pub.path, &l) == RH_OK) {
            rh_evidence_list_free(ev, &l);
        }
    }
    for (i = 0; i < ev->procs.count && i < FUZZ_MAX_QUERIES; i++) {
        const struct ev_proc *p = ev_pool_at(&ev->procs, i);
        rh_evidence_proc_ref r;
        rh_evidence_tree *t = NULL;
        memset(&r, 0, sizeof(r));
        r.pid = p->pub.pid;
        r.time = p->pub.start;
        r.image = p->pub.image;
        if (rh_evidence_process_tree(ev, p->pub.host, &r, &t) == RH_OK) {
            rh_evidence_tree_free(ev, t);
        }
    }
    for (h = 0; h < rh_evidence_host_count(ev) && h < FUZZ_MAX_QUERIES; h++) {
        rh_evidence_host hi;
        rh_evidence_cover c;
        if (rh_evidence_host_get(ev, h, &hi) == RH_OK) {
            (void)rh_evidence_coverage(ev, hi.name, NULL, hi.last_clear, &c);
            (void)rh_evidence_coverage(ev, hi.name, "sysmon", 0, &c);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rh_ctx *ctx = NULL;
    rh_evidence *ev = NULL;
    rh_evidence_opts o;
    rh_buf b;
    if (rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 0;
    }
    memset(&o, 0, sizeof(o));
    o.max_records = 512;
    o.max_string = 256;
    o.max_depth = 16;
    o.max_results = 64;
    o.max_hosts = 16;
    if (rh_evidence_create(ctx, &o, &ev) != RH_OK) {
        rh_ctx_destroy(ctx);
        return 0;
    }
    (void)rh_events_read_mem(ctx, "fuzz", data, size, NULL, on_event, ev);
    rh_buf_init(&b, ctx);
    query_all(ev, &b);
    rh_buf_free(&b);
    rh_evidence_destroy(ev);
    rh_ctx_destroy(ctx);
    return 0;
}
