/*
 * Processes: the pid-reuse rule, exits, and the parent chain of a process with its network
 * connections and created files.
 *
 * Pid-reuse rule (docs/correlation.md): a reference (pid, time t) on a host names the
 * process with that pid that started last at or before t (EV_SKEW tolerance) and had not
 * exited before t. A GUID, when the reference has one, is authoritative: candidates
 * carrying a different GUID are never chosen. Among candidates that started within EV_SKEW
 * of each other (the Sysmon 1 and Security 4688 of one process), the one with a GUID wins.
 */
#include <stdlib.h>

#include "evidence_internal.h"

uint64_t ev_proc_end(const rh_evidence *ev, const struct ev_proc *p)
{
    uint64_t end = 0;
    uint32_t i;
    if (p->pub.guid) {
        const struct ev_exit *x;
        for (i = ev_map_get(&ev->map, ev_mkey(EV_K_XGUID, p->host),
                            (uint64_t)(uintptr_t)p->pub.guid);
             i != EV_NONE; i = x->next) {
            x = ev_pool_at(&ev->exits, i);
            if (x->guid == p->pub.guid && x->time && (!end || x->time < end)) {
                end = x->time;
            }
        }
        if (end) {
            return end;
        }
    }
    if (p->pub.pid) {
        const struct ev_exit *x;
        /* Exits without a GUID (4689): the first one at or after the start is this one's
         * (an exit within the skew before the start belongs to the pid's previous owner). */
        for (i = ev_map_get(&ev->map, ev_mkey(EV_K_XPID, p->host), p->pub.pid); i != EV_NONE;
             i = x->next) {
            x = ev_pool_at(&ev->exits, i);
            if (x->time >= p->pub.start && (!end || x->time < end)) {
                end = x->time;
            }
        }
    }
    return end;
}

/* guid_given: the reference names a GUID (guid may still be NULL when it was never seen). */
static uint32_t find_by_pid(const rh_evidence *ev, uint32_t host, int guid_given, const char *guid,
                            uint32_t pid, uint64_t t)
{
    uint32_t i, best = EV_NONE, n = 0;
    const struct ev_proc *p, *b = NULL;
    for (i = ev_map_get(&ev->map, ev_mkey(EV_K_PPID, host), pid); i != EV_NONE; i = p->next_pid) {
        p = ev_pool_at(&ev->procs, i);
        if (guid_given && p->pub.guid && p->pub.guid != guid) {
            continue;
        }
        if (t) {
            uint64_t end;
            if (p->pub.start > t + EV_SKEW) {
                continue;
            }
            end = ev_proc_end(ev, p);
            if (end && end + EV_SKEW < t) {
                continue;
            }
        }
        n++;
        if (!b) {
            best = i;
            b = p;
        } else if (p->pub.start > b->pub.start + EV_SKEW) {
            best = i;
            b = p;
        } else if (p->pub.start + EV_SKEW >= b->pub.start) {
            /* Same process seen twice (Sysmon 1 + 4688): prefer the GUID, then the later. */
            if ((p->pub.guid && !b->pub.guid) ||
                (!!p->pub.guid == !!b->pub.guid && p->pub.start > b->pub.start)) {
                best = i;
                b = p;
            }
        }
    }
    if (!t && n > 1) {
        return EV_NONE; /* no time: a reused pid is ambiguous */
    }
    return best;
}

uint32_t ev_proc_find(const rh_evidence *ev, uint32_t host, const char *guid, uint32_t pid,
                      uint64_t t, rh_evidence_link *how)
{
    uint32_t i;
    if (guid) {
        i = ev_map_get(&ev->map, ev_mkey(EV_K_PGUID, host), (uint64_t)(uintptr_t)guid);
        if (i != EV_NONE) {
            *how = RH_EVIDENCE_LINK_GUID;
            return i;
        }
    }
    if (!pid) {
        return EV_NONE;
    }
    i = find_by_pid(ev, host, guid != NULL, guid, pid, t);
    *how = RH_EVIDENCE_LINK_PID_TIME;
    return i;
}

/* ---- the tree ------------------------------------------------------------------------ */

struct ev_tree {
    rh_evidence_tree pub;
    rh_evidence_node *nodes;
    uint32_t *idx; /* process index per node or EV_NONE (inferred) */
    size_t cap;
};

static int cmp_conn(const void *a, const void *b)
{
    const rh_evidence_conn *x = *(const rh_evidence_conn *const *)a;
    const rh_evidence_conn *y = *(const rh_evidence_conn *const *)b;
    if (x->time != y->time) {
        return x->time < y->time ? -1 : 1;
    }
    return x->record_id < y->record_id ? -1 : (x->record_id > y->record_id ? 1 : 0);
}

static int cmp_file(const void *a, const void *b)
{
    const rh_evidence_file *x = *(const rh_evidence_file *const *)a;
    const rh_evidence_file *y = *(const rh_evidence_file *const *)b;
    if (x->time != y->time) {
        return x->time < y->time ? -1 : 1;
    }
    return x->record_id < y->record_id ? -1 : (x->record_id > y->record_id ? 1 : 0);
}

/* Append p to a capped pointer list. */
static rh_status list_push(rh_evidence *ev, const void ***items, size_t *n, size_t *cap,
                           size_t *total, const void *p)
{
    (*total)++;
    if (*n >= ev->max_results) {
        return RH_OK;
    }
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        const void **ni;
        if (ncap > ev->max_results) {
            ncap = ev->max_results;
        }
        ni = rh_realloc(ev->ctx, (void *)*items, ncap * sizeof(*ni));
        if (!ni) {
            return RH_ERR_NOMEM;
        }
        *items = ni;
        *cap = ncap;
    }
    (*items)[(*n)++] = p;
    return RH_OK;
}

/* Connections and files of node (process index pidx, or EV_NONE for an inferred node). */
static rh_status node_activity(rh_evidence *ev, uint32_t host, uint32_t pidx,
                               rh_evidence_node *node)
{
    const void **conns = NULL, **files = NULL;
    size_t nc = 0, cc = 0, nf = 0, cf = 0;
    const char *guid = node->proc.guid;
    uint32_t pid = node->proc.pid, i;
    rh_status st = RH_OK;
    rh_evidence_link how;
    if (guid) {
        const struct ev_conn *c;
        const struct ev_file *f;
        for (i = ev_map_get(&ev->map, ev_mkey(EV_K_CGUID, host), (uint64_t)(uintptr_t)guid);
             i != EV_NONE && st == RH_OK; i = c->next) {
            c = ev_pool_at(&ev->conns, i);
            st = list_push(ev, &conns, &nc, &cc, &node->conns_total, &c->pub);
        }
        for (i = ev_map_get(&ev->map, ev_mkey(EV_K_FGUID, host), (uint64_t)(uintptr_t)guid);
             i != EV_NONE && st == RH_OK; i = f->next) {
            f = ev_pool_at(&ev->files, i);
            st = list_push(ev, &files, &nf, &cf, &node->files_total, &f->pub);
        }
    }
    if (pid && pidx != EV_NONE) {
        /* Events without a GUID belong to this process when the pid-reuse rule says so. */
        const struct ev_conn *c;
        const struct ev_file *f;
        for (i = ev_map_get(&ev->map, ev_mkey(EV_K_CPID, host), pid); i != EV_NONE && st == RH_OK;
             i = c->next) {
            c = ev_pool_at(&ev->conns, i);
            if (ev_proc_find(ev, host, NULL, pid, c->pub.time, &how) == pidx) {
                st = list_push(ev, &conns, &nc, &cc, &node->conns_total, &c->pub);
            }
        }
        for (i = ev_map_get(&ev->map, ev_mkey(EV_K_FPID, host), pid); i != EV_NONE && st == RH_OK;
             i = f->next) {
            f = ev_pool_at(&ev->files, i);
            if (ev_proc_find(ev, host, NULL, pid, f->pub.time, &how) == pidx) {
                st = list_push(ev, &files, &nf, &cf, &node->files_total, &f->pub);
            }
        }
    }
    if (nc) {
        rh_sort((void *)conns, nc, sizeof(*conns), cmp_conn);
    }
    if (nf) {
        rh_sort((void *)files, nf, sizeof(*files), cmp_file);
    }
    node->conns = (const rh_evidence_conn *const *)conns;
    node->nconns = nc;
    node->files = (const rh_evidence_file *const *)files;
    node->nfiles = nf;
    return st;
}

static rh_status tree_push(rh_evidence *ev, struct ev_tree *t, rh_evidence_node **out)
{
    if (t->pub.count == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 8;
        rh_evidence_node *nn = rh_realloc(ev->ctx, t->nodes, ncap * sizeof(*nn));
        uint32_t *ni;
        if (!nn) {
            return RH_ERR_NOMEM;
        }
        t->nodes = nn;
        t->pub.nodes = nn;
        ni = rh_realloc(ev->ctx, t->idx, ncap * sizeof(*ni));
        if (!ni) {
            return RH_ERR_NOMEM;
        }
        t->idx = ni;
        t->cap = ncap;
    }
    *out = &t->nodes[t->pub.count];
    memset(*out, 0, sizeof(**out));
    t->idx[t->pub.count] = EV_NONE;
    t->pub.count++;
    return RH_OK;
}

static rh_status push_logged(rh_evidence *ev, struct ev_tree *t, uint32_t pidx,
                             rh_evidence_link how)
{
    const struct ev_proc *p = ev_pool_at(&ev->procs, pidx);
    rh_evidence_node *n;
    rh_status st = tree_push(ev, t, &n);
    if (st != RH_OK) {
        return st;
    }
    n->proc = p->pub;
    n->proc.end = ev_proc_end(ev, p);
    n->logged = 1;
    n->link = how;
    t->idx[t->pub.count - 1] = pidx;
    return node_activity(ev, p->host, pidx, n);
}

void rh_evidence_tree_free(rh_evidence *ev, rh_evidence_tree *tree)
{
    struct ev_tree *t = (struct ev_tree *)tree;
    size_t i;
    if (!t) {
        return;
    }
    for (i = 0; i < t->pub.count; i++) {
        rh_free(ev->ctx, (void *)t->nodes[i].conns);
        rh_free(ev->ctx, (void *)t->nodes[i].files);
    }
    rh_free(ev->ctx, t->nodes);
    rh_free(ev->ctx, t->idx);
    rh_free(ev->ctx, t);
}

static int in_chain(const struct ev_tree *t, uint32_t pidx)
{
    size_t i;
    for (i = 0; i < t->pub.count; i++) {
        if (t->idx[i] == pidx) {
            return 1;
        }
    }
    return 0;
}

/* Walk parents from the last node (a logged process). */
static rh_status walk_parents(rh_evidence *ev, struct ev_tree *t)
{
    rh_status st = RH_OK;
    while (st == RH_OK) {
        uint32_t cur = t->idx[t->pub.count - 1], pidx = EV_NONE;
        const struct ev_proc *p = ev_pool_at(&ev->procs, cur);
        rh_evidence_link how = RH_EVIDENCE_LINK_GUID;
        rh_evidence_node *n;
        if (p->pub.parent_guid) {
            pidx = ev_map_get(&ev->map, ev_mkey(EV_K_PGUID, p->host),
                              (uint64_t)(uintptr_t)p->pub.parent_guid);
        }
        if (pidx == EV_NONE && p->pub.parent_pid) {
            pidx = find_by_pid(ev, p->host, p->pub.parent_guid != NULL, p->pub.parent_guid,
                               p->pub.parent_pid, p->pub.start);
            how = RH_EVIDENCE_LINK_PID_TIME;
        }
        if (pidx != EV_NONE && (pidx == cur || in_chain(t, pidx))) {
            t->pub.cycle = 1;
            return RH_OK;
        }
        if (pidx == EV_NONE && !p->pub.parent_pid && !p->pub.parent_guid && !p->pub.parent_image) {
            return RH_OK; /* a root: nothing is known about a parent */
        }
        if (t->pub.count > ev->max_depth) {
            t->pub.truncated = 1;
            return RH_OK;
        }
        if (pidx != EV_NONE) {
            st = push_logged(ev, t, pidx, how);
            continue;
        }
        /* The parent's creation was not logged: what the child says about it. */
        st = tree_push(ev, t, &n);
        if (st != RH_OK) {
            return st;
        }
        n->proc.host = p->pub.host;
        n->proc.pid = p->pub.parent_pid;
        n->proc.guid = p->pub.parent_guid;
        n->proc.image = p->pub.parent_image;
        n->proc.command_line = p->pub.parent_command_line;
        n->link = RH_EVIDENCE_LINK_INFERRED;
        return node_activity(ev, p->host, EV_NONE, n);
    }
    return st;
}

rh_status rh_evidence_process_tree(rh_evidence *ev, const char *host,
                                   const rh_evidence_proc_ref *ref, rh_evidence_tree **out)
{
    struct ev_tree *t;
    rh_buf g;
    const char *guid = NULL;
    int guid_given = 0;
    uint32_t hq, h, h0, h1, found = EV_NONE;
    rh_evidence_link how = RH_EVIDENCE_LINK_INFERRED;
    rh_status st;
    if (out) {
        *out = NULL;
    }
    if (!ev || !ref || !out) {
        return RH_ERR_ARG;
    }
    if (!ref->guid && !ref->pid && !ref->image) {
        return RH_NOT_FOUND;
    }
    hq = ev_host_find(ev, host, &st);
    if (st != RH_OK) {
        return st;
    }
    rh_buf_init(&g, ev->ctx);
    if (ref->guid) {
        st = ev_guid_norm(&g, ref->guid, strnlen(ref->guid, 128));
        if (st != RH_OK) {
            rh_buf_free(&g);
            return st;
        }
        if (g.len) {
            guid_given = 1;
            guid = ev_lookup(ev, g.data, g.len);
        }
    }
    rh_buf_free(&g);
    t = rh_calloc(ev->ctx, 1, sizeof(*t));
    if (!t) {
        return RH_ERR_NOMEM;
    }
    h0 = hq == EV_ALL ? 0 : hq;
    h1 = hq == EV_ALL ? ev->nhosts : (hq == EV_NONE ? 0 : hq + 1);
    if (hq == EV_NONE) {
        h0 = 0;
    }
    for (h = h0; h < h1 && found == EV_NONE; h++) {
        if (guid) {
            found = ev_proc_find(ev, h, guid, 0, ref->time, &how);
        }
        /* A pid alone is only meaningful on a named host (or when there is one host). */
        if (found == EV_NONE && ref->pid && (hq != EV_ALL || ev->nhosts == 1)) {
            found = find_by_pid(ev, h, guid_given, guid, ref->pid, ref->time);
            how = RH_EVIDENCE_LINK_PID_TIME;
        }
    }
    if (found != EV_NONE) {
        st = push_logged(ev, t, found, how);
        if (st == RH_OK) {
            st = walk_parents(ev, t);
        }
    } else {
        rh_evidence_node *n;
        st = tree_push(ev, t, &n);
        if (st == RH_OK) {
            n->proc.host = (hq != EV_ALL && hq != EV_NONE) ? ev->hosts[hq].name : NULL;
            n->proc.pid = ref->pid;
            n->proc.guid = guid ? guid : ref->guid; /* borrowed when never indexed */
            n->proc.image = ref->image;
            n->proc.user = ref->user;
            n->link = RH_EVIDENCE_LINK_INFERRED;
            if (guid) {
                /* Activity by GUID even though the creation was not logged. */
                for (h = h0; h < h1 && st == RH_OK && !n->nconns && !n->nfiles; h++) {
                    n->conns_total = n->files_total = 0;
                    st = node_activity(ev, h, EV_NONE, n);
                }
            }
        }
    }
    if (st != RH_OK) {
        rh_evidence_tree_free(ev, &t->pub);
        return st;
    }
    *out = &t->pub;
    return RH_OK;
}
