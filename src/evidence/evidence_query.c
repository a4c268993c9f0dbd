/*
 * Evidence queries: registry writes for a key or value, file creations for a path, log
 * coverage of a time, and the fusion classifier.
 */
#include <stdlib.h>

#include "evidence_internal.h"
#include "reghunt/regpath.h"

const char *rh_evidence_op_name(rh_evidence_op op)
{
    switch (op) {
    case RH_EVIDENCE_OP_CREATE_KEY:
        return "create-key";
    case RH_EVIDENCE_OP_DELETE_KEY:
        return "delete-key";
    case RH_EVIDENCE_OP_SET_VALUE:
        return "set-value";
    case RH_EVIDENCE_OP_DELETE_VALUE:
        return "delete-value";
    case RH_EVIDENCE_OP_RENAME_KEY:
        return "rename-key";
    }
    return "?";
}

const char *rh_evidence_link_name(rh_evidence_link link)
{
    switch (link) {
    case RH_EVIDENCE_LINK_GUID:
        return "guid";
    case RH_EVIDENCE_LINK_PID_TIME:
        return "pid+time";
    case RH_EVIDENCE_LINK_INFERRED:
        return "inferred";
    }
    return "?";
}

const char *rh_evidence_fusion_name(rh_evidence_fusion f)
{
    switch (f) {
    case RH_FUSION_NONE:
        return "none";
    case RH_FUSION_CONFIRMED:
        return "confirmed";
    case RH_FUSION_LOG_GAP:
        return "log-gap";
    case RH_FUSION_UNCOVERED:
        return "uncovered";
    case RH_FUSION_GONE:
        return "gone";
    case RH_FUSION_RESIDUE:
        return "residue";
    case RH_FUSION_EVENT_ONLY:
        return "event-only";
    }
    return "?";
}

rh_status rh_evidence_fusion_parse(const char *name, rh_evidence_fusion *out)
{
    int f;
    for (f = 0; name && f < RH_FUSION_COUNT; f++) {
        if (strcmp(name, rh_evidence_fusion_name((rh_evidence_fusion)f)) == 0) {
            *out = (rh_evidence_fusion)f;
            return RH_OK;
        }
    }
    return RH_NOT_FOUND;
}

const char *rh_evidence_fusion_text(rh_evidence_fusion f)
{
    switch (f) {
    case RH_FUSION_NONE:
        return "not in the hive and no write event in the logs";
    case RH_FUSION_CONFIRMED:
        return "present in the hive and its write event is logged";
    case RH_FUSION_LOG_GAP:
        return "present in the hive, but no write event although the logs cover the key's "
               "last-write time (logging gap or cleared log)";
    case RH_FUSION_UNCOVERED:
        return "present in the hive; the logs do not cover the key's last-write time";
    case RH_FUSION_GONE:
        return "a write event is logged but the value is gone from the hive (RunOnce consumed "
               "or cleaned up)";
    case RH_FUSION_RESIDUE:
        return "seen only in a deleted cell or only after transaction-log replay";
    case RH_FUSION_EVENT_ONLY:
        return "a write event is logged; no hive of the host was examined";
    }
    return "?";
}

void rh_evidence_list_free(rh_evidence *ev, rh_evidence_list *list)
{
    if (!ev || !list) {
        return;
    }
    rh_free(ev->ctx, (void *)list->items);
    list->items = NULL;
    list->count = list->total = 0;
}

/* ---- collecting indices ------------------------------------------------------------- */

struct idxset {
    uint32_t *v;
    size_t n, cap;
};

static rh_status idx_add(rh_evidence *ev, struct idxset *s, uint32_t i)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        uint32_t *nv;
        /* Each match is reached through at most four chains: bound the scratch list. */
        if (s->n >= (size_t)ev->max_results * 4 + 64) {
            return RH_OK;
        }
        nv = rh_realloc(ev->ctx, s->v, ncap * sizeof(*nv));
        if (!nv) {
            return RH_ERR_NOMEM;
        }
        s->v = nv;
        s->cap = ncap;
    }
    s->v[s->n++] = i;
    return RH_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

static int cmp_write(const void *a, const void *b)
{
    const rh_evidence_write *x = *(const rh_evidence_write *const *)a;
    const rh_evidence_write *y = *(const rh_evidence_write *const *)b;
    if (x->time != y->time) {
        return x->time < y->time ? -1 : 1;
    }
    if (x->record_id != y->record_id) {
        return x->record_id < y->record_id ? -1 : 1;
    }
    return x < y ? -1 : (x > y ? 1 : 0);
}

static int cmp_filep(const void *a, const void *b)
{
    const rh_evidence_file *x = *(const rh_evidence_file *const *)a;
    const rh_evidence_file *y = *(const rh_evidence_file *const *)b;
    if (x->time != y->time) {
        return x->time < y->time ? -1 : 1;
    }
    if (x->record_id != y->record_id) {
        return x->record_id < y->record_id ? -1 : 1;
    }
    return x < y ? -1 : (x > y ? 1 : 0);
}

/* Sort, unique, map to records of `pool`, order with cmp and cap. */
static rh_status finish_list(rh_evidence *ev, struct idxset *s, const struct ev_pool *pool,
                             int (*cmp)(const void *, const void *), rh_evidence_list *out)
{
    size_t i, n = 0;
    const void **items;
    if (!s->n) {
        return RH_OK;
    }
    rh_sort(s->v, s->n, sizeof(*s->v), cmp_u32);
    for (i = 0; i < s->n; i++) {
        if (!n || s->v[n - 1] != s->v[i]) {
            s->v[n++] = s->v[i];
        }
    }
    items = rh_malloc(ev->ctx, n * sizeof(*items));
    if (!items) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        items[i] = ev_pool_at(pool, s->v[i]); /* pub is the first member */
    }
    rh_sort((void *)items, n, sizeof(*items), cmp);
    out->items = items;
    out->total = n;
    out->count = n < ev->max_results ? n : ev->max_results;
    return RH_OK;
}

static void host_range(const rh_evidence *ev, uint32_t hq, uint32_t *h0, uint32_t *h1)
{
    if (hq == EV_ALL) {
        *h0 = 0;
        *h1 = ev->nhosts;
    } else if (hq == EV_NONE) {
        *h0 = *h1 = 0;
    } else {
        *h0 = hq;
        *h1 = hq + 1;
    }
}

/* ---- registry writes --------------------------------------------------------------- */

struct wquery {
    const char *key;   /* interned normalized key, or NULL (never seen) */
    const char *value; /* interned folded value, NULL for key-level */
    int key_level;
};

/* Walk one chain; next_of selects which link of the record continues it. */
static rh_status walk_writes(rh_evidence *ev, enum ev_kind kind, uint32_t host, const char *k,
                             const char *value, int key_level, struct idxset *s)
{
    uint32_t i;
    rh_status st = RH_OK;
    const struct ev_write *w;
    if (!k) {
        return RH_OK;
    }
    for (i = ev_map_get(&ev->map, ev_mkey(kind, host), (uint64_t)(uintptr_t)k);
         i != EV_NONE && st == RH_OK;) {
        w = ev_pool_at(&ev->writes, i);
        if (key_level || (w->pub.value && w->pub.value == value)) {
            st = idx_add(ev, s, i);
        }
        switch (kind) {
        case EV_K_WKEY:
            i = w->next_key;
            break;
        case EV_K_WALIAS:
            i = w->next_alias;
            break;
        case EV_K_WALIAS2:
            i = w->next_alias2;
            break;
        default:
            i = w->next_new;
            break;
        }
    }
    return st;
}

static int key_has_prefix(const char *key, const char *pre, size_t pn)
{
    return strncmp(key, pre, pn) == 0 && (key[pn] == '\0' || key[pn] == '\\');
}

/* Subtree: every write whose key (or one of its views) lies at or below `pre`. */
static rh_status scan_subtree(rh_evidence *ev, uint32_t h0, uint32_t h1, const char *pre, size_t pn,
                              struct idxset *s)
{
    rh_buf a1 = RH_BUF_INIT(ev->ctx), a2 = RH_BUF_INIT(ev->ctx);
    rh_status st = RH_OK;
    uint32_t i;
    int views = strncmp(pre, "HKCU\\", 5) == 0 || strncmp(pre, "HKCR\\", 5) == 0 ||
                strcmp(pre, "HKCU") == 0 || strcmp(pre, "HKCR") == 0;
    for (i = 0; i < ev->writes.count && st == RH_OK; i++) {
        const struct ev_write *w = ev_pool_at(&ev->writes, i);
        int hit;
        if (w->host < h0 || w->host >= h1) {
            continue;
        }
        hit = key_has_prefix(w->pub.key, pre, pn) ||
              (w->pub.new_name && key_has_prefix(w->pub.new_name, pre, pn));
        if (!hit && views) {
            st = rh_regpath_aliases(w->pub.key, strlen(w->pub.key), &a1, &a2);
            hit = (a1.len && key_has_prefix(a1.data, pre, pn)) ||
                  (a2.len && key_has_prefix(a2.data, pre, pn));
        }
        if (hit && st == RH_OK) {
            st = idx_add(ev, s, i);
        }
    }
    rh_buf_free(&a1);
    rh_buf_free(&a2);
    return st;
}

rh_status rh_evidence_writes(rh_evidence *ev, const char *host, const char *key_path,
                             const char *value_name, unsigned flags, rh_evidence_list *out)
{
    rh_buf k = RH_BUF_INIT(ev ? ev->ctx : NULL), v = RH_BUF_INIT(ev ? ev->ctx : NULL);
    rh_buf a1 = RH_BUF_INIT(ev ? ev->ctx : NULL), a2 = RH_BUF_INIT(ev ? ev->ctx : NULL);
    rh_buf full = RH_BUF_INIT(ev ? ev->ctx : NULL);
    struct idxset s = {NULL, 0, 0};
    struct wquery q[2];
    size_t nq = 0, j;
    uint32_t hq, h, h0, h1;
    rh_status st;
    if (out) {
        memset(out, 0, sizeof(*out));
    }
    if (!ev || !key_path || !out) {
        return RH_ERR_ARG;
    }
    hq = ev_host_find(ev, host, &st);
    if (st != RH_OK || hq == EV_NONE) {
        return st;
    }
    host_range(ev, hq, &h0, &h1);
    st = rh_regpath_normalize(key_path, strnlen(key_path, ev->max_string), &k);
    if (st != RH_OK) {
        goto out;
    }
    memset(q, 0, sizeof(q));
    q[0].key = ev_lookup(ev, k.data ? k.data : "", k.len);
    q[0].key_level = value_name == NULL;
    nq = 1;
    if (value_name) {
        size_t vn = strnlen(value_name, ev->max_string), kl;
        st = vn ? ev_fold_append(&v, value_name, vn) : rh_buf_lit(&v, "(DEFAULT)");
        if (st != RH_OK) {
            goto out;
        }
        q[0].value = ev_lookup(ev, v.data, v.len);
        /* Sysmon joins key and value: split the joined path the way ingestion did. */
        st = rh_buf_append(&full, key_path, strnlen(key_path, ev->max_string));
        if (st == RH_OK) {
            st = rh_buf_putc(&full, '\\');
        }
        if (st == RH_OK) {
            st = vn ? rh_buf_append(&full, value_name, vn) : rh_buf_lit(&full, "(Default)");
        }
        rh_buf_reset(&v);
        if (st == RH_OK) {
            st = rh_regpath_normalize(full.data, full.len, &v);
        }
        if (st != RH_OK) {
            goto out;
        }
        kl = ev_split_value(v.data ? v.data : "", v.len);
        if (kl < v.len) {
            q[1].key = ev_lookup(ev, v.data, kl);
            q[1].value = ev_lookup(ev, v.data + kl + 1, v.len - kl - 1);
            nq = 2;
        }
    }
    if (k.len) {
        st = rh_regpath_aliases(k.data, k.len, &a1, &a2);
        if (st != RH_OK) {
            goto out;
        }
    }
    for (h = h0; h < h1 && st == RH_OK; h++) {
        for (j = 0; j < nq && st == RH_OK; j++) {
            const char *kk = q[j].key;
            if (!kk || (!q[j].key_level && !q[j].value)) {
                continue;
            }
            st = walk_writes(ev, EV_K_WKEY, h, kk, q[j].value, q[j].key_level, &s);
            if (st == RH_OK && (strncmp(kk, "HKCU", 4) == 0 || strncmp(kk, "HKCR", 4) == 0)) {
                /* A view: every user's (or the machine's) key behind it. */
                st = walk_writes(ev, EV_K_WALIAS, h, kk, q[j].value, q[j].key_level, &s);
                if (st == RH_OK) {
                    st = walk_writes(ev, EV_K_WALIAS2, h, kk, q[j].value, q[j].key_level, &s);
                }
            }
            if (st == RH_OK && q[j].key_level) {
                st = walk_writes(ev, EV_K_WNEW, h, kk, NULL, 1, &s);
            }
        }
        /* Events logged through a view (HKCU\X, HKCR\X) of the key asked about. */
        if (st == RH_OK && a1.len) {
            st = walk_writes(ev, EV_K_WKEY, h, ev_lookup(ev, a1.data, a1.len), q[0].value,
                             q[0].key_level, &s);
        }
        if (st == RH_OK && a2.len) {
            st = walk_writes(ev, EV_K_WKEY, h, ev_lookup(ev, a2.data, a2.len), q[0].value,
                             q[0].key_level, &s);
        }
    }
    if (st == RH_OK && !value_name && (flags & RH_EVIDENCE_SUBTREE) && k.len) {
        st = scan_subtree(ev, h0, h1, k.data, k.len, &s);
    }
    if (st == RH_OK) {
        st = finish_list(ev, &s, &ev->writes, cmp_write, out);
    }
out:
    rh_free(ev->ctx, s.v);
    rh_buf_free(&k);
    rh_buf_free(&v);
    rh_buf_free(&a1);
    rh_buf_free(&a2);
    rh_buf_free(&full);
    if (st != RH_OK) {
        rh_evidence_list_free(ev, out);
    }
    return st;
}

/* ---- file creations ------------------------------------------------------------------- */

rh_status rh_evidence_file_created(rh_evidence *ev, const char *host, const char *path,
                                   rh_evidence_list *out)
{
    rh_buf p = RH_BUF_INIT(ev ? ev->ctx : NULL);
    struct idxset s = {NULL, 0, 0};
    const char *in, *base, *exact = NULL, *suffix = NULL;
    size_t n, bo, sn = 0;
    uint32_t hq, h, h0, h1, i;
    rh_status st;
    if (out) {
        memset(out, 0, sizeof(*out));
    }
    if (!ev || !path || !out) {
        return RH_ERR_ARG;
    }
    hq = ev_host_find(ev, host, &st);
    if (st != RH_OK || hq == EV_NONE) {
        return st;
    }
    host_range(ev, hq, &h0, &h1);
    in = path;
    n = strnlen(path, ev->max_string);
    while (n && *in == ' ') {
        in++;
        n--;
    }
    if (n && *in == '"') {
        /* A quoted command line: the program is the quoted part. */
        const char *q = memchr(in + 1, '"', n - 1);
        in++;
        n = q ? (size_t)(q - in) : n - 1;
    }
    st = ev_path_fold(&p, in, n);
    if (st != RH_OK || !p.len) {
        goto out;
    }
    bo = p.len;
    while (bo > 0 && p.data[bo - 1] != '\\') {
        bo--;
    }
    base = ev_lookup(ev, p.data + bo, p.len - bo);
    if (!base) {
        goto out;
    }
    if (p.data[0] == '%') {
        const char *e = memchr(p.data + 1, '%', p.len - 1);
        if (e && e[1] == '\\') {
            suffix = e + 1;
            sn = p.len - (size_t)(suffix - p.data);
        }
    }
    if (!suffix && bo > 0) {
        exact = ev_lookup(ev, p.data, p.len);
        if (!exact) {
            goto out;
        }
    }
    for (h = h0; h < h1 && st == RH_OK; h++) {
        const struct ev_file *f;
        for (i = ev_map_get(&ev->map, ev_mkey(EV_K_FNAME, h), (uint64_t)(uintptr_t)base);
             i != EV_NONE && st == RH_OK; i = f->next_name) {
            size_t fl;
            f = ev_pool_at(&ev->files, i);
            if (exact && f->folded != exact) {
                continue;
            }
            fl = strlen(f->folded);
            if (suffix && (fl < sn || memcmp(f->folded + fl - sn, suffix, sn) != 0)) {
                continue;
            }
            st = idx_add(ev, &s, i);
        }
    }
    if (st == RH_OK) {
        st = finish_list(ev, &s, &ev->files, cmp_filep, out);
    }
out:
    rh_free(ev->ctx, s.v);
    rh_buf_free(&p);
    if (st != RH_OK) {
        rh_evidence_list_free(ev, out);
    }
    return st;
}

/* ---- coverage ---------------------------------------------------------------------- */

static int span_is(const rh_evidence *ev, const struct ev_span *sp, const char *what)
{
    int sysmon =
        rh_ascii_contains(sp->channel, "sysmon") || rh_ascii_contains(sp->provider, "sysmon");
    int security = rh_ascii_streq(sp->channel, "Security") ||
                   rh_ascii_streq(sp->provider, "Microsoft-Windows-Security-Auditing");
    if (!what) {
        return sysmon || (security && ev->hosts[sp->host].n4657 > 0);
    }
    if (rh_ascii_streq(what, "sysmon")) {
        return sysmon;
    }
    if (rh_ascii_streq(what, "security")) {
        return security;
    }
    return rh_ascii_streq(sp->channel, what) || rh_ascii_streq(sp->provider, what);
}

/* Coverage over hosts [h0, h1): 1 when a log of that kind exists. */
int ev_cover_range(const rh_evidence *ev, uint32_t h0, uint32_t h1, const char *what,
                   uint64_t filetime, rh_evidence_cover *out)
{
    uint32_t h, i;
    int found = 0;
    memset(out, 0, sizeof(*out));
    for (h = h0; h < h1; h++) {
        out->clears += ev->hosts[h].clears;
        if (ev->hosts[h].last_clear > out->last_clear) {
            out->last_clear = ev->hosts[h].last_clear;
        }
    }
    for (i = 0; i < ev->spans.count; i++) {
        const struct ev_span *sp = ev_pool_at(&ev->spans, i);
        if (sp->host < h0 || sp->host >= h1 || !span_is(ev, sp, what)) {
            continue;
        }
        found = 1;
        out->count += sp->count;
        out->spans++;
        if (!out->first || sp->first < out->first) {
            out->first = sp->first;
        }
        if (sp->last > out->last) {
            out->last = sp->last;
        }
        if (filetime && sp->first <= filetime && filetime <= sp->last) {
            out->covered = 1;
        }
    }
    return found;
}

rh_status rh_evidence_coverage(rh_evidence *ev, const char *host, const char *what,
                               uint64_t filetime, rh_evidence_cover *out)
{
    uint32_t hq, h0, h1;
    rh_status st;
    if (out) {
        memset(out, 0, sizeof(*out));
    }
    if (!ev || !out) {
        return RH_ERR_ARG;
    }
    hq = ev_host_find(ev, host, &st);
    if (st != RH_OK) {
        return st;
    }
    if (hq == EV_NONE) {
        return RH_NOT_FOUND;
    }
    host_range(ev, hq, &h0, &h1);
    return ev_cover_range(ev, h0, h1, what, filetime, out) ? RH_OK : RH_NOT_FOUND;
}

/* ---- fusion ------------------------------------------------------------------------ */

static void note(uint64_t *first, uint64_t *last, uint64_t t)
{
    if (first && (!*first || t < *first)) {
        *first = t;
    }
    if (t > *last) {
        *last = t;
    }
}

int rh_evidence_write_for_user(const rh_evidence_write *w, const char *user_name,
                               const char *user_sid)
{
    const char *t = w ? w->target : NULL, *u = w ? w->writer.user : NULL, *bs, *name;
    size_t nl, dl, pl;
    int hkcu;
    if (!t || !u || !u[0] || strcmp(u, "-") == 0) {
        return 1;
    }
    hkcu = (strlen(t) >= 5 && rh_ascii_casecmp(t, 5, "HKCU\\", 5) == 0) ||
           (strlen(t) >= 18 && rh_ascii_casecmp(t, 18, "HKEY_CURRENT_USER\\", 18) == 0);
    if (!hkcu) {
        return 1; /* the path itself names the hive */
    }
    if (strncmp(u, "S-1-", 4) == 0) {
        return !user_sid || !user_sid[0] ||
               rh_ascii_casecmp(u, strlen(u), user_sid, strlen(user_sid)) == 0;
    }
    if (!user_name || !user_name[0]) {
        return 1;
    }
    bs = strrchr(u, '\\');
    name = bs ? bs + 1 : u;
    nl = strlen(name);
    dl = bs ? (size_t)(bs - u) : 0;
    pl = strlen(user_name);
    if (pl < nl || rh_ascii_casecmp(user_name, nl, name, nl) != 0) {
        return 0;
    }
    /* "bob" or the profile folder form "bob.DOMAIN" */
    return pl == nl || (dl && pl == nl + 1 + dl && user_name[nl] == '.' &&
                        rh_ascii_casecmp(user_name + nl + 1, dl, u, dl) == 0);
}

rh_status rh_evidence_state(rh_evidence *ev, const rh_evidence_subject *subj,
                            rh_evidence_verdict *out)
{
    rh_evidence_list l = {NULL, 0, 0}, kl = {NULL, 0, 0};
    rh_buf k = RH_BUF_INIT(ev ? ev->ctx : NULL);
    const char *kn;
    size_t i;
    rh_status st;
    if (out) {
        memset(out, 0, sizeof(*out));
    }
    if (!ev || !subj || !subj->key_path || !out) {
        return RH_ERR_ARG;
    }
    st = rh_evidence_writes(ev, subj->host, subj->key_path, subj->value_name, 0, &l);
    if (st == RH_OK && subj->value_name) {
        /* Deleting the key deletes its values. */
        st = rh_evidence_writes(ev, subj->host, subj->key_path, NULL, 0, &kl);
    }
    if (st == RH_OK) {
        st = rh_regpath_normalize(subj->key_path, strnlen(subj->key_path, ev->max_string), &k);
    }
    if (st != RH_OK) {
        goto out;
    }
    kn = ev_lookup(ev, k.data ? k.data : "", k.len);
    for (i = 0; i < l.count; i++) {
        const rh_evidence_write *w = l.items[i];
        int del;
        if (!rh_evidence_write_for_user(w, subj->user_name, subj->user_sid)) {
            continue; /* another user's HKCU write */
        }
        del = w->op == RH_EVIDENCE_OP_DELETE_KEY || w->op == RH_EVIDENCE_OP_DELETE_VALUE ||
              (w->op == RH_EVIDENCE_OP_RENAME_KEY && !subj->value_name && w->key == kn &&
               w->new_name != kn);
        if (del) {
            out->deletes++;
            note(NULL, &out->last_delete, w->time);
        } else {
            out->writes++;
            note(&out->first_write, &out->last_write_event, w->time);
        }
    }
    for (i = 0; i < kl.count; i++) {
        const rh_evidence_write *w = kl.items[i];
        if (!rh_evidence_write_for_user(w, subj->user_name, subj->user_sid)) {
            continue;
        }
        if (w->op == RH_EVIDENCE_OP_DELETE_KEY ||
            (w->op == RH_EVIDENCE_OP_RENAME_KEY && w->key == kn)) {
            out->deletes++;
            note(NULL, &out->last_delete, w->time);
        }
    }
    st = rh_evidence_coverage(ev, subj->host, NULL, subj->last_write, &out->cover);
    if (st == RH_NOT_FOUND) {
        st = RH_OK;
    }
    if (st != RH_OK) {
        goto out;
    }
    switch (subj->presence) {
    case RH_PRESENCE_DELETED:
    case RH_PRESENCE_REPLAYED:
        out->state = RH_FUSION_RESIDUE;
        break;
    case RH_PRESENCE_LIVE:
        if (out->writes) {
            out->state = RH_FUSION_CONFIRMED;
        } else if (subj->last_write && out->cover.covered) {
            out->state = RH_FUSION_LOG_GAP;
        } else {
            out->state = RH_FUSION_UNCOVERED;
        }
        break;
    case RH_PRESENCE_ABSENT:
        out->state = (out->writes || out->deletes) ? RH_FUSION_GONE : RH_FUSION_NONE;
        break;
    case RH_PRESENCE_UNKNOWN:
    default:
        out->state = (out->writes || out->deletes) ? RH_FUSION_EVENT_ONLY : RH_FUSION_NONE;
        break;
    }
out:
    rh_evidence_list_free(ev, &l);
    rh_evidence_list_free(ev, &kl);
    rh_buf_free(&k);
    return st;
}
