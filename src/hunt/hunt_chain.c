/*
 * Attack chains (docs/hunting.md "Attack chains"): the findings whose writing processes share
 * one process tree below the session are one chain, with the ATT&CK tactics that tree and the
 * findings show.
 *
 * The rule, per finding with a known writer (its write event or Sigma event) and event input:
 *   1. the writer's parent chain comes from the evidence index (rh_evidence_process_tree);
 *   2. the chain's root is the oldest process of it below the session: the walk up from the
 *      writer stops before the first session process (explorer.exe, services.exe, svchost.exe,
 *      winlogon.exe, ...: session_images below); when the writer is one itself, it is the root;
 *   3. findings with the same host and root (by ProcessGuid, else pid + start + image) are one
 *      chain; a chain needs one logged process creation (Sysmon 1 / 4688) in its trees;
 *   4. tactics: each finding's technique's tactic (rh_technique_tactic); execution for the
 *      logged process creations; command and control for network connections; initial access
 *      when a process of the trees (or the root's parent) is a mail client, Office application
 *      or browser, or ran from or names a download or mail-attachment folder.
 * Chains are ordered by their highest risk, then by their first finding, and numbered.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hunt_internal.h"

/* Processes that belong to the logon session or the service host, not to an intrusion: the
 * walk up a writer's tree stops below them. */
static const char *const session_images[] = {
    "explorer.exe",  "userinit.exe", "winlogon.exe", "services.exe",      "svchost.exe",
    "wininit.exe",   "smss.exe",     "csrss.exe",    "lsass.exe",         "system",
    "taskhostw.exe", "sihost.exe",   "taskeng.exe",  "runtimebroker.exe",
};

/* Mail clients, Office applications and browsers: a tree below one of them came in through
 * a message, a document or a web page (initial access). */
static const char *const entry_images[] = {
    "outlook.exe",     "winword.exe", "excel.exe",  "powerpnt.exe", "onenote.exe",
    "thunderbird.exe", "chrome.exe",  "msedge.exe", "firefox.exe",  "iexplore.exe",
};

/* Folders that hold downloads and mail attachments. */
static const char *const entry_folders[] = {
    "\\Downloads\\",
    "\\Content.Outlook\\",
    "\\INetCache\\",
    "\\Temporary Internet Files\\",
};

static const char *base_name(const char *path)
{
    const char *b = path, *p;
    for (p = path; p && *p; p++) {
        if (*p == '\\' || *p == '/') {
            b = p + 1;
        }
    }
    return b;
}

static int in_list(const char *image, const char *const *list, size_t n)
{
    size_t i;
    const char *b = image ? base_name(image) : NULL;
    for (i = 0; b && i < n; i++) {
        if (rh_ascii_streq(b, list[i])) {
            return 1;
        }
    }
    return 0;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int is_session(const char *image)
{
    return in_list(image, session_images, NELEM(session_images));
}

static int names_entry_folder(const char *s)
{
    size_t i;
    for (i = 0; s && i < NELEM(entry_folders); i++) {
        if (rh_ascii_contains(s, entry_folders[i])) {
            return 1;
        }
    }
    return 0;
}

static int is_entry(const rh_evidence_process *p)
{
    return in_list(p->image, entry_images, NELEM(entry_images)) || names_entry_folder(p->image) ||
           names_entry_folder(p->command_line) || names_entry_folder(p->current_directory);
}

/* A chain under construction: the public record plus its finding list. */
struct chain_acc {
    rh_hunt_chain pub;
    size_t *items;
    size_t n, cap;
    size_t first_finding;
};

struct chain_build {
    rh_hunt *h;
    struct rh_strmap roots; /* host|root -> chain index + 1 */
    struct rh_strmap procs; /* chain index|process -> seen */
    struct chain_acc *c;
    size_t n, cap;
};

static void span(rh_hunt_chain *c, uint64_t t)
{
    if (!t) {
        return;
    }
    if (!c->first || t < c->first) {
        c->first = t;
    }
    if (t > c->last) {
        c->last = t;
    }
}

/* The identity of a process node: its GUID, else pid + start + image. */
static rh_status proc_key(rh_buf *b, const rh_evidence_process *p)
{
    if (p->guid && p->guid[0]) {
        return rh_buf_printf(b, "g%s", p->guid);
    }
    return rh_buf_printf(b, "p%u:%llu:%s", p->pid, (unsigned long long)p->start,
                         p->image ? p->image : "");
}

/* Account the nodes[0..root] of one writer's tree to chain ci. */
static rh_status add_tree(struct chain_build *b, size_t ci, const rh_evidence_tree *t, size_t root)
{
    rh_hunt_chain *c = &b->c[ci].pub;
    rh_buf key = RH_BUF_INIT(b->h->ctx);
    rh_status st = RH_OK;
    size_t k, j;
    for (k = 0; k <= root && st == RH_OK; k++) {
        const rh_evidence_node *nd = &t->nodes[k];
        struct rh_strmap_entry *e;
        bool added = false;
        rh_buf_reset(&key);
        rh_buf_printf(&key, "%zu|", ci);
        st = proc_key(&key, &nd->proc);
        st = st == RH_OK ? rh_strmap_put(&b->procs, key.data, key.len, &e, &added) : st;
        if (st != RH_OK || !added) {
            continue;
        }
        if (nd->logged) {
            c->processes++;
            c->tactics |= 1u << RH_TACTIC_EXECUTION;
            span(c, nd->proc.start);
        }
        if (is_entry(&nd->proc) ||
            (k == root && nd->proc.parent_image &&
             in_list(nd->proc.parent_image, entry_images, NELEM(entry_images)))) {
            c->tactics |= 1u << RH_TACTIC_INITIAL_ACCESS;
        }
        c->connections += nd->conns_total;
        c->files += nd->files_total;
        if (nd->conns_total) {
            c->tactics |= 1u << RH_TACTIC_COMMAND_AND_CONTROL;
        }
        for (j = 0; j < nd->nconns; j++) {
            span(c, nd->conns[j]->time);
        }
        for (j = 0; j < nd->nfiles; j++) {
            span(c, nd->files[j]->time);
            if (names_entry_folder(nd->files[j]->path) &&
                in_list(nd->proc.image, entry_images, NELEM(entry_images))) {
                c->tactics |= 1u << RH_TACTIC_INITIAL_ACCESS;
            }
        }
    }
    rh_buf_free(&key);
    return st;
}

/* An owned copy of s, or NULL for NULL. */
static char *dup_opt(rh_ctx *ctx, const char *s)
{
    return s ? rh_strdup(ctx, s) : NULL;
}

/* The chain of root node r (created on first use): its index into *ci. */
static rh_status chain_get(struct chain_build *b, const char *host, const rh_evidence_node *r,
                           size_t finding, size_t *ci)
{
    rh_buf key = RH_BUF_INIT(b->h->ctx);
    struct rh_strmap_entry *e;
    struct chain_acc *c;
    bool added = false;
    rh_status st = rh_buf_printf(&key, "%s|", host);
    st = st == RH_OK ? proc_key(&key, &r->proc) : st;
    st = st == RH_OK ? rh_strmap_put(&b->roots, key.data, key.len, &e, &added) : st;
    rh_buf_free(&key);
    if (st != RH_OK) {
        return st;
    }
    if (!added) {
        *ci = e->val - 1;
        return RH_OK;
    }
    {
        void *arr = b->c;
        st = rh_array_reserve(b->h->ctx, &arr, &b->cap, b->n + 1, sizeof(*b->c));
        if (st != RH_OK) {
            return st;
        }
        b->c = arr;
    }
    c = &b->c[b->n];
    memset(c, 0, sizeof(*c));
    c->first_finding = finding;
    c->pub.host = b->h->f[finding]->pub.host;
    c->pub.root_pid = r->proc.pid;
    c->pub.root_start = r->logged ? r->proc.start : 0;
    c->pub.root_image = dup_opt(b->h->ctx, r->proc.image ? r->proc.image : "?");
    c->pub.root_command_line = dup_opt(b->h->ctx, r->proc.command_line);
    c->pub.root_guid = dup_opt(b->h->ctx, r->proc.guid);
    e->val = ++b->n;
    *ci = b->n - 1;
    if (!c->pub.root_image || (r->proc.command_line && !c->pub.root_command_line) ||
        (r->proc.guid && !c->pub.root_guid)) {
        return RH_ERR_NOMEM;
    }
    return RH_OK;
}

/* Add finding i to its chain, if its writer's tree makes one. */
static rh_status chain_finding(struct chain_build *b, size_t i)
{
    rh_hunt *h = b->h;
    struct hunt_finding *f = h->f[i];
    rh_evidence_proc_ref ref;
    rh_evidence_tree *t = NULL;
    size_t root = 0, k, ci;
    int logged = 0;
    rh_tactic tac;
    rh_status st;
    if (!f->has_writer) {
        return RH_OK;
    }
    memset(&ref, 0, sizeof(ref));
    ref.guid = f->writer_guid;
    ref.pid = f->writer_pid;
    ref.time = f->writer_time;
    ref.image = f->writer_image;
    st = rh_evidence_process_tree(h->ev, f->pub.host, &ref, &t);
    if (st == RH_NOT_FOUND) {
        return RH_OK;
    }
    if (st != RH_OK) {
        return st;
    }
    while (root + 1 < t->count && !is_session(t->nodes[root + 1].proc.image)) {
        root++;
    }
    for (k = 0; k <= root && k < t->count; k++) {
        logged |= t->nodes[k].logged;
    }
    if (t->count && logged) {
        st = chain_get(b, f->pub.host, &t->nodes[root], i, &ci);
        if (st == RH_OK) {
            struct chain_acc *c = &b->c[ci];
            RH_ARRAY_PUSH(h->ctx, c->items, c->n, c->cap, i, st);
            if (f->pub.risk > c->pub.risk) {
                c->pub.risk = f->pub.risk;
            }
            if (rh_technique_tactic(f->pub.technique, &tac) == RH_OK) {
                c->pub.tactics |= 1u << tac;
            }
            span(&c->pub, f->pub.event_time);
        }
        st = st == RH_OK ? add_tree(b, ci, t, root) : st;
    }
    rh_evidence_tree_free(h->ev, t);
    return st;
}

static int cmp_chain(const void *pa, const void *pb)
{
    const struct chain_acc *a = pa, *b = pb;
    if (a->pub.risk != b->pub.risk) {
        return a->pub.risk > b->pub.risk ? -1 : 1;
    }
    return a->first_finding < b->first_finding ? -1 : a->first_finding > b->first_finding;
}

static void acc_free(rh_ctx *ctx, struct chain_acc *c)
{
    rh_free(ctx, (char *)c->pub.root_image);
    rh_free(ctx, (char *)c->pub.root_command_line);
    rh_free(ctx, (char *)c->pub.root_guid);
    rh_free(ctx, c->items);
}

rh_status hunt_chains_build(rh_hunt *h)
{
    struct chain_build b;
    rh_status st = RH_OK;
    size_t i, k, total = 0, off = 0;
    if (!h->ev || !h->n) {
        return RH_OK;
    }
    memset(&b, 0, sizeof(b));
    b.h = h;
    rh_strmap_init(&b.roots, h->ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 16, HUNT_MAX_FINDINGS);
    rh_strmap_init(&b.procs, h->ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 16, HUNT_MAX_HITS);
    for (i = 0; i < h->n && st == RH_OK; i++) {
        st = chain_finding(&b, i);
    }
    if (st == RH_OK && b.n) {
        rh_sort(b.c, b.n, sizeof(*b.c), cmp_chain);
        for (i = 0; i < b.n; i++) {
            total += b.c[i].n;
        }
        h->chains = rh_calloc(h->ctx, b.n, sizeof(*h->chains));
        h->chain_items = rh_calloc(h->ctx, total ? total : 1, sizeof(size_t));
        h->chain_of = rh_calloc(h->ctx, h->n, sizeof(size_t));
        if (!h->chains || !h->chain_items || !h->chain_of) {
            st = RH_ERR_NOMEM;
        }
    }
    for (i = 0; st == RH_OK && i < b.n; i++) {
        rh_hunt_chain *c = &h->chains[i];
        *c = b.c[i].pub;
        snprintf(c->id, sizeof(c->id), "CHAIN-%03u", (unsigned)(i + 1));
        c->findings = h->chain_items + off;
        c->nfindings = b.c[i].n;
        for (k = 0; k < b.c[i].n; k++) {
            h->chain_items[off + k] = b.c[i].items[k];
            h->chain_of[b.c[i].items[k]] = i + 1;
        }
        off += b.c[i].n;
        /* the root strings now belong to h->chains */
        b.c[i].pub.root_image = b.c[i].pub.root_command_line = b.c[i].pub.root_guid = NULL;
        h->nchains++;
    }
    for (i = 0; i < b.n; i++) {
        acc_free(h->ctx, &b.c[i]);
    }
    rh_free(h->ctx, b.c);
    rh_strmap_free(&b.roots);
    rh_strmap_free(&b.procs);
    return st;
}

void hunt_chains_free(rh_hunt *h)
{
    size_t i;
    for (i = 0; i < h->nchains; i++) {
        rh_free(h->ctx, (char *)h->chains[i].root_image);
        rh_free(h->ctx, (char *)h->chains[i].root_command_line);
        rh_free(h->ctx, (char *)h->chains[i].root_guid);
    }
    rh_free(h->ctx, h->chains);
    rh_free(h->ctx, h->chain_items);
    rh_free(h->ctx, h->chain_of);
    h->chains = NULL;
    h->chain_items = h->chain_of = NULL;
    h->nchains = 0;
}

size_t rh_hunt_chain_count(const rh_hunt *h)
{
    return h ? h->nchains : 0;
}

const rh_hunt_chain *rh_hunt_chain_at(const rh_hunt *h, size_t i)
{
    return h && i < h->nchains ? &h->chains[i] : NULL;
}

const rh_hunt_chain *rh_hunt_chain_of(const rh_hunt *h, size_t finding)
{
    if (!h || !h->chain_of || finding >= h->n || !h->chain_of[finding]) {
        return NULL;
    }
    return &h->chains[h->chain_of[finding] - 1];
}

const rh_kb *rh_hunt_kb(const rh_hunt *h)
{
    return h ? h->kb : NULL;
}
