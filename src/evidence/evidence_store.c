/*
 * Evidence index storage: create/destroy, chunked pools, the multimap, string interning,
 * hosts (FQDN-tolerant keys) and case folding of names and file paths.
 */
#include "evidence_internal.h"

/* Distinct interned strings: far beyond what max_records events can hold in memory. */
#define EV_MAX_STRINGS (1u << 30)

/* ---- hashing ------------------------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

uint64_t ev_hash(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ull;
    }
    return mix64(h);
}

/* ---- pools --------------------------------------------------------------------------- */

rh_status ev_pool_add(rh_evidence *ev, struct ev_pool *p, uint32_t *idx, void **elem)
{
    uint32_t i = p->count;
    size_t c = i >> EV_CHUNK_SHIFT;
    if (i >= ev->max_records) {
        return RH_ERR_LIMIT;
    }
    if (c >= p->nchunks) {
        if (p->nchunks == p->capchunks) {
            size_t ncap = p->capchunks ? p->capchunks * 2 : 16;
            unsigned char **n = rh_realloc(ev->ctx, p->chunks, ncap * sizeof(*n));
            if (!n) {
                return RH_ERR_NOMEM;
            }
            p->chunks = n;
            p->capchunks = ncap;
        }
        p->chunks[p->nchunks] = rh_calloc(ev->ctx, EV_CHUNK, p->elem);
        if (!p->chunks[p->nchunks]) {
            return RH_ERR_NOMEM;
        }
        p->nchunks++;
        ev->counts.bytes += (uint64_t)EV_CHUNK * p->elem;
    }
    p->count++;
    *idx = i;
    *elem = ev_pool_at(p, i);
    return RH_OK;
}

void ev_pool_free(rh_evidence *ev, struct ev_pool *p)
{
    size_t i;
    for (i = 0; i < p->nchunks; i++) {
        rh_free(ev->ctx, p->chunks[i]);
    }
    rh_free(ev->ctx, p->chunks);
    p->chunks = NULL;
    p->nchunks = p->capchunks = 0;
    p->count = 0;
}

/* ---- multimap ------------------------------------------------------------------------ */

static size_t slot_of(uint64_t a, uint64_t b, size_t cap)
{
    return (size_t)(mix64(a * 0x9e3779b97f4a7c15ull ^ mix64(b)) & (cap - 1));
}

uint32_t ev_map_get(const struct ev_map *m, uint64_t a, uint64_t b)
{
    size_t i;
    if (!m->cap) {
        return EV_NONE;
    }
    for (i = slot_of(a, b, m->cap);; i = (i + 1) & (m->cap - 1)) {
        const struct ev_slot *s = &m->slots[i];
        if (!s->used) {
            return EV_NONE;
        }
        if (s->a == a && s->b == b) {
            return s->val;
        }
    }
}

static rh_status map_grow(rh_evidence *ev)
{
    struct ev_map *m = &ev->map;
    size_t ncap = m->cap ? m->cap * 2 : 1024, i;
    struct ev_slot *ns;
    if (ncap > ((size_t)1 << 40) || ncap > SIZE_MAX / sizeof(*ns)) {
        return RH_ERR_NOMEM;
    }
    ns = rh_calloc(ev->ctx, ncap, sizeof(*ns));
    if (!ns) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < m->cap; i++) {
        if (m->slots[i].used) {
            size_t j = slot_of(m->slots[i].a, m->slots[i].b, ncap);
            while (ns[j].used) {
                j = (j + 1) & (ncap - 1);
            }
            ns[j] = m->slots[i];
        }
    }
    ev->counts.bytes += (uint64_t)(ncap - m->cap) * sizeof(*ns);
    rh_free(ev->ctx, m->slots);
    m->slots = ns;
    m->cap = ncap;
    return RH_OK;
}

rh_status ev_map_put(rh_evidence *ev, uint64_t a, uint64_t b, uint32_t val)
{
    struct ev_map *m = &ev->map;
    size_t i;
    if ((m->count + 1) * 2 > m->cap) {
        rh_status st = map_grow(ev);
        if (st != RH_OK) {
            return st;
        }
    }
    for (i = slot_of(a, b, m->cap);; i = (i + 1) & (m->cap - 1)) {
        struct ev_slot *s = &m->slots[i];
        if (!s->used) {
            s->used = 1;
            s->a = a;
            s->b = b;
            s->val = val;
            m->count++;
            return RH_OK;
        }
        if (s->a == a && s->b == b) {
            s->val = val;
            return RH_OK;
        }
    }
}

/* ---- interning ----------------------------------------------------------------------- */

/* Length after the max_string cut, on a UTF-8 character boundary. */
static size_t cut_len(const rh_evidence *ev, const char *s, size_t n)
{
    if (n <= ev->max_string) {
        return n;
    }
    n = ev->max_string;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
        n--;
    }
    return n;
}

rh_status rh_evidence_text(rh_buf *b, const char *s, size_t n)
{
    size_t i, run = 0;
    rh_status st = RH_OK;
    for (i = 0; i < n && st == RH_OK; i++) {
        if (s[i] == '\0') {
            st = rh_buf_append(b, s + run, i - run);
            if (st == RH_OK) {
                st = rh_buf_lit(b, "\xEF\xBF\xBD");
            }
            run = i + 1;
        }
    }
    return st == RH_OK ? rh_buf_append(b, s + run, n - run) : st;
}

static uint32_t str_hash(const char *s, size_t n)
{
    return (uint32_t)ev_hash(s, n, 0);
}

const char *ev_intern(rh_evidence *ev, const char *s, size_t n)
{
    rh_buf clean = RH_BUF_INIT(ev->ctx);
    struct rh_strmap_entry *e;
    const char *copy = NULL;
    size_t before;
    bool added;
    if (!s) {
        s = "";
        n = 0;
    }
    n = cut_len(ev, s, n);
    if (memchr(s, '\0', n)) {
        if (rh_evidence_text(&clean, s, n) != RH_OK) {
            rh_buf_free(&clean);
            return NULL;
        }
        s = clean.data;
        n = cut_len(ev, clean.data, clean.len);
    }
    before = rh_strmap_bytes(&ev->strs);
    if (rh_strmap_put(&ev->strs, s, n, &e, &added) == RH_OK) {
        copy = e->key;
        if (added) {
            ev->counts.strings++;
            ev->counts.bytes += rh_strmap_bytes(&ev->strs) - before;
        }
    }
    rh_buf_free(&clean);
    return copy;
}

const char *ev_lookup(const rh_evidence *ev, const char *s, size_t n)
{
    rh_buf clean = RH_BUF_INIT(ev->ctx);
    const struct rh_strmap_entry *found;
    n = cut_len(ev, s, n);
    if (memchr(s, '\0', n)) {
        if (rh_evidence_text(&clean, s, n) != RH_OK) {
            rh_buf_free(&clean);
            return NULL;
        }
        s = clean.data;
        n = cut_len(ev, clean.data, clean.len);
    }
    found = rh_strmap_find(&ev->strs, s, n);
    rh_buf_free(&clean);
    return found ? found->key : NULL;
}

/* ---- folding ------------------------------------------------------------------------- */

rh_status ev_fold_append(rh_buf *out, const char *p, size_t n)
{
    size_t i = 0;
    rh_status st = rh_buf_reserve(out, n);
    while (i < n && st == RH_OK) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x80) {
            st = rh_buf_putc(out, (char)(c >= 'a' && c <= 'z' ? c - 32 : c));
            i++;
        } else {
            uint32_t cp;
            i += rh_utf8_decode(p + i, n - i, &cp);
            st = rh_buf_put_cp(out, rh_cp_upper(cp));
        }
    }
    return st;
}

rh_status ev_path_fold(rh_buf *out, const char *p, size_t n)
{
    size_t start = out->len, i;
    rh_status st;
    while (n && (*p == '"' || *p == ' ' || *p == '\'')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == '"' || p[n - 1] == ' ' || p[n - 1] == '\'')) {
        n--;
    }
    st = ev_fold_append(out, p, n);
    if (st != RH_OK) {
        return st;
    }
    for (i = start; i < out->len; i++) {
        if (out->data[i] == '/') {
            out->data[i] = '\\';
        }
    }
    /* \\?\C:\x and \??\C:\x are the same file as C:\x (Sysmon logs both forms). */
    if (out->len - start >= 4 && (memcmp(out->data + start, "\\\\?\\", 4) == 0 ||
                                  memcmp(out->data + start, "\\??\\", 4) == 0)) {
        memmove(out->data + start, out->data + start + 4, out->len - start - 4);
        out->len -= 4;
        out->data[out->len] = '\0';
    }
    return RH_OK;
}

/* ---- hosts --------------------------------------------------------------------------- */

rh_status ev_host_fold(const char *name, size_t n, rh_buf *out)
{
    size_t start, len = rh_host_key(name, n, &start);
    return ev_fold_append(out, name + start, len);
}

rh_status ev_host_get_or_add(rh_evidence *ev, const char *computer, uint32_t *out)
{
    const char *key, *name;
    size_t n;
    uint32_t h;
    rh_status st;
    struct ev_host *host;
    if (!computer) {
        computer = "";
    }
    if (ev->nhosts && ev->last_host < ev->nhosts &&
        strcmp(ev->hosts[ev->last_host].name, computer) == 0) {
        *out = ev->last_host;
        return RH_OK;
    }
    n = strlen(computer);
    rh_buf_reset(&ev->tmp2);
    st = ev_host_fold(computer, n, &ev->tmp2);
    if (st != RH_OK) {
        return st;
    }
    key = ev_intern(ev, ev->tmp2.data ? ev->tmp2.data : "", ev->tmp2.len);
    if (!key) {
        return RH_ERR_NOMEM;
    }
    h = ev_map_get(&ev->map, ev_mkey(EV_K_HOST, 0), (uint64_t)(uintptr_t)key);
    if (h != EV_NONE) {
        ev->last_host = h;
        *out = h;
        return RH_OK;
    }
    if (ev->nhosts >= ev->max_hosts) {
        *out = EV_NONE;
        return RH_OK;
    }
    name = ev_intern(ev, computer, n);
    if (!name) {
        return RH_ERR_NOMEM;
    }
    if (ev->nhosts == ev->caphosts) {
        size_t ncap = ev->caphosts ? ev->caphosts * 2 : 8;
        struct ev_host *nh = rh_realloc(ev->ctx, ev->hosts, ncap * sizeof(*nh));
        if (!nh) {
            return RH_ERR_NOMEM;
        }
        ev->hosts = nh;
        ev->caphosts = ncap;
    }
    st = ev_map_put(ev, ev_mkey(EV_K_HOST, 0), (uint64_t)(uintptr_t)key, ev->nhosts);
    if (st != RH_OK) {
        return st;
    }
    host = &ev->hosts[ev->nhosts];
    memset(host, 0, sizeof(*host));
    host->name = name;
    host->key = key;
    ev->last_host = ev->nhosts;
    *out = ev->nhosts++;
    return RH_OK;
}

uint32_t ev_host_find(const rh_evidence *ev, const char *host, rh_status *st)
{
    rh_buf b = RH_BUF_INIT(ev->ctx);
    const char *key;
    uint32_t h = EV_NONE;
    *st = RH_OK;
    if (!host || !*host) {
        return EV_ALL;
    }
    *st = ev_host_fold(host, strlen(host), &b);
    if (*st == RH_OK) {
        key = ev_lookup(ev, b.data ? b.data : "", b.len);
        if (key) {
            h = ev_map_get(&ev->map, ev_mkey(EV_K_HOST, 0), (uint64_t)(uintptr_t)key);
        }
    }
    rh_buf_free(&b);
    return h;
}

/* ---- lifecycle ----------------------------------------------------------------------- */

rh_status rh_evidence_create(rh_ctx *ctx, const rh_evidence_opts *opts, rh_evidence **out)
{
    rh_evidence *ev;
    *out = NULL;
    if (!ctx) {
        return RH_ERR_ARG;
    }
    ev = rh_calloc(ctx, 1, sizeof(*ev));
    if (!ev) {
        return RH_ERR_NOMEM;
    }
    ev->ctx = ctx;
    ev->max_records = EV_DEFAULT_MAX_RECORDS;
    ev->max_string = EV_DEFAULT_MAX_STRING;
    ev->max_depth = EV_DEFAULT_MAX_DEPTH;
    ev->max_results = EV_DEFAULT_MAX_RESULTS;
    ev->max_hosts = EV_DEFAULT_MAX_HOSTS;
    if (opts) {
        ev->max_records = opts->max_records ? opts->max_records : ev->max_records;
        ev->max_string = opts->max_string ? opts->max_string : ev->max_string;
        ev->max_depth = opts->max_depth ? opts->max_depth : ev->max_depth;
        ev->max_results = opts->max_results ? opts->max_results : ev->max_results;
        ev->max_hosts = opts->max_hosts ? opts->max_hosts : ev->max_hosts;
        ev->read = opts->read;
    }
    /* Record indexes are uint32_t with two values reserved; hosts share the map key's 32 bits. */
    if (ev->max_records > EV_ALL - 1) {
        ev->max_records = EV_ALL - 1;
    }
    if (ev->max_hosts > EV_ALL - 1) {
        ev->max_hosts = EV_ALL - 1;
    }
    ev->writes.elem = sizeof(struct ev_write);
    ev->procs.elem = sizeof(struct ev_proc);
    ev->exits.elem = sizeof(struct ev_exit);
    ev->conns.elem = sizeof(struct ev_conn);
    ev->files.elem = sizeof(struct ev_file);
    ev->seen.elem = sizeof(struct ev_seen);
    ev->spans.elem = sizeof(struct ev_span);
    rh_buf_init(&ev->tmp, ctx);
    rh_buf_init(&ev->tmp2, ctx);
    rh_strmap_init(&ev->strs, ctx, str_hash, RH_STRMAP_COPY, 4096, EV_MAX_STRINGS);
    ev->last_host = EV_NONE;
    ev->counts.bytes = sizeof(*ev);
    *out = ev;
    return RH_OK;
}

void rh_evidence_destroy(rh_evidence *ev)
{
    size_t i;
    if (!ev) {
        return;
    }
    ev_pool_free(ev, &ev->writes);
    ev_pool_free(ev, &ev->procs);
    ev_pool_free(ev, &ev->exits);
    ev_pool_free(ev, &ev->conns);
    ev_pool_free(ev, &ev->files);
    ev_pool_free(ev, &ev->seen);
    ev_pool_free(ev, &ev->spans);
    for (i = 0; i < ev->nhosts; i++) {
        rh_free(ev->ctx, ev->hosts[i].stats);
    }
    rh_free(ev->ctx, ev->hosts);
    rh_strmap_free(&ev->strs);
    rh_free(ev->ctx, ev->map.slots);
    rh_buf_free(&ev->tmp);
    rh_buf_free(&ev->tmp2);
    rh_free(ev->ctx, ev);
}

void rh_evidence_counts_get(const rh_evidence *ev, rh_evidence_counts *out)
{
    *out = ev->counts;
}

size_t rh_evidence_host_count(const rh_evidence *ev)
{
    return ev ? ev->nhosts : 0;
}

rh_status rh_evidence_host_get(rh_evidence *ev, size_t i, rh_evidence_host *out)
{
    const struct ev_host *h;
    memset(out, 0, sizeof(*out));
    if (!ev || i >= ev->nhosts) {
        return RH_NOT_FOUND;
    }
    h = &ev->hosts[i];
    out->name = h->name;
    out->stats = h->stats;
    out->nstats = h->nstats;
    out->events = h->events;
    out->writes = h->writes;
    out->processes = h->processes;
    out->conns = h->conns;
    out->files = h->files;
    out->clears = h->clears;
    out->last_clear = h->last_clear;
    out->has_registry_logs =
        ev_cover_range(ev, (uint32_t)i, (uint32_t)i + 1, NULL, 0, &out->registry);
    return RH_OK;
}

rh_status rh_evidence_host_find(rh_evidence *ev, const char *name, size_t *index)
{
    uint32_t h;
    rh_status st;
    if (!ev || !name || !*name || !index) {
        return RH_ERR_ARG;
    }
    h = ev_host_find(ev, name, &st);
    if (st != RH_OK) {
        return st;
    }
    if (h == EV_NONE || h == EV_ALL) {
        return RH_NOT_FOUND;
    }
    *index = h;
    return RH_OK;
}
