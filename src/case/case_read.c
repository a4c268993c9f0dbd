/*
 * Reading a case: the runs, the per-host difference between two runs, and the newest run of
 * every host (what `reghunt stack` stacks). Rows are untrusted: text columns are read as text
 * whatever their stored type, risk names are parsed and a row with a bad one is skipped with
 * an anomaly, integers are clamped, lengths are capped by SQLITE_LIMIT_LENGTH.
 */
#include <stdlib.h>

#include "case_internal.h"

static uint64_t col_u64(sqlite3_stmt *q, int i)
{
    int64_t v = sqlite3_column_int64(q, i);
    return v > 0 ? (uint64_t)v : 0;
}

/* ---- runs ------------------------------------------------------------------------------ */

rh_status rh_case_runs_load(rh_case *c)
{
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    int rc;
    rh_status st;
    rh_free(c->ctx, c->runs);
    c->runs = NULL;
    c->nruns = 0;
    st = case_prepare(c,
                      "SELECT r.id, r.started, r.finished, r.command, r.tool, r.hosts, r.findings, "
                      "(SELECT count(*) FROM inputs i WHERE i.run_id = r.id) FROM runs r "
                      "ORDER BY r.id",
                      &q);
    while (st == RH_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        rh_case_run *r;
        if (c->nruns == cap) {
            size_t nc = cap ? cap * 2 : 64;
            rh_case_run *nr = rh_realloc(c->ctx, c->runs, nc * sizeof(*nr));
            if (!nr) {
                st = RH_ERR_NOMEM;
                break;
            }
            c->runs = nr;
            cap = nc;
        }
        r = &c->runs[c->nruns];
        r->id = sqlite3_column_int64(q, 0);
        r->started = case_col_copy(c, q, 1, NULL);
        r->finished = case_col_copy(c, q, 2, NULL);
        r->command = case_col_copy(c, q, 3, NULL);
        r->tool = case_col_copy(c, q, 4, NULL);
        r->hosts = col_u64(q, 5);
        r->findings = col_u64(q, 6);
        r->inputs = col_u64(q, 7);
        if (!r->started || !r->finished || !r->command || !r->tool) {
            st = RH_ERR_NOMEM;
            break;
        }
        c->nruns++;
    }
    if (st == RH_OK && rc != SQLITE_DONE) {
        st = case_fail(c, rc, "reading runs");
    }
    sqlite3_finalize(q);
    return st;
}

size_t rh_case_run_count(const rh_case *c)
{
    return c ? c->nruns : 0;
}

const rh_case_run *rh_case_run_at(const rh_case *c, size_t i)
{
    return c && i < c->nruns ? &c->runs[i] : NULL;
}

/* ---- diff ------------------------------------------------------------------------------ */

static const char *const change_names[RH_CASE_CHANGE_COUNT] = {"new", "gone", "changed", "host-new",
                                                               "host-gone"};

const char *rh_case_change_name(rh_case_change_kind k)
{
    return (unsigned)k < RH_CASE_CHANGE_COUNT ? change_names[k] : "unknown";
}

/* One finding of a run as the diff reads it (strings in c->rows). */
struct drow {
    const char *host, *lid, *tech, *key, *name, *data, *fusion, *skey;
    size_t key_n, name_n, data_n, skey_n;
    rh_risk risk;
    int matched;
};

#define DIFF_SQL                                                                                   \
    "SELECT host, location_id, technique, key_path, value_name, value_data, risk, fusion_state, "  \
    "stack_key FROM findings WHERE run_id = ?1 AND host_key = ?2 ORDER BY rowid"

/* The findings of (run, host key) into *out (owned: rh_free). Bad rows: one anomaly, skipped. */
static rh_status load_rows(rh_case *c, sqlite3_stmt *q, int64_t run, const char *hk,
                           struct drow **out, size_t *n)
{
    size_t cap = 0;
    int rc;
    rh_status st = RH_OK;
    *out = NULL;
    *n = 0;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, run);
    sqlite3_bind_text(q, 2, hk, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct drow r;
        size_t rn;
        const char *risk = case_col_text(q, 6, &rn);
        memset(&r, 0, sizeof(r));
        if (rh_risk_parse(risk, &r.risk) != RH_OK) {
            rh_diagf(c->ctx, RH_DIAG_ANOMALY, "case", c->path, -1,
                     "run %lld: a finding with an unknown risk, skipped", (long long)run);
            continue;
        }
        r.host = case_col_copy(c, q, 0, NULL);
        r.lid = case_col_copy(c, q, 1, NULL);
        r.tech = case_col_copy(c, q, 2, NULL);
        r.key = case_col_copy(c, q, 3, &r.key_n);
        r.name = case_col_copy(c, q, 4, &r.name_n);
        r.data = case_col_copy(c, q, 5, &r.data_n);
        r.fusion = case_col_copy(c, q, 7, NULL);
        r.skey = case_col_copy(c, q, 8, &r.skey_n);
        if (!r.host || !r.lid || !r.tech || !r.key || !r.name || !r.data || !r.fusion || !r.skey) {
            st = RH_ERR_NOMEM;
            break;
        }
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct drow *nr = rh_realloc(c->ctx, *out, nc * sizeof(*nr));
            if (!nr) {
                st = RH_ERR_NOMEM;
                break;
            }
            *out = nr;
            cap = nc;
        }
        (*out)[(*n)++] = r;
    }
    if (st == RH_OK && rc != SQLITE_DONE) {
        st = case_fail(c, rc, "reading findings");
    }
    return st;
}

/* Identity of a persistence in the diff: location, key path, value name (length-prefixed). */
static rh_status ident(rh_buf *b, const struct drow *r)
{
    uint32_t n[3] = {(uint32_t)strlen(r->lid), (uint32_t)r->key_n, (uint32_t)r->name_n};
    rh_buf_reset(b);
    rh_buf_append(b, (const char *)n, sizeof(n));
    rh_buf_append(b, r->lid, n[0]);
    rh_buf_append(b, r->key, r->key_n);
    rh_buf_append(b, r->name, r->name_n);
    return rh_buf_status(b);
}

/* Append a change (strings borrowed from c->rows). */
static rh_status add_change(rh_case *c, const rh_case_change *ch)
{
    if (c->nchanges == c->capchanges) {
        size_t nc = c->capchanges ? c->capchanges * 2 : 64;
        rh_case_change *n = rh_realloc(c->ctx, c->changes, nc * sizeof(*n));
        if (!n) {
            return RH_ERR_NOMEM;
        }
        c->changes = n;
        c->capchanges = nc;
    }
    c->changes[c->nchanges++] = *ch;
    return RH_OK;
}

struct diff {
    rh_case *c;
    sqlite3_stmt *rows, *verdict;
    rh_buf id, hk;
};

/* A persistence change of kind k: r is the new (or only) row, old the old one (CHANGED). */
static rh_status change_of(struct diff *d, rh_case_change_kind k, int64_t a, int64_t b,
                           const struct drow *r, const struct drow *old)
{
    rh_case_change ch;
    const char *v = NULL, *note = NULL;
    rh_status st = case_verdict(d->c, d->verdict, &d->hk, r->skey, r->skey_n, &v, &note);
    if (st != RH_OK) {
        return st;
    }
    memset(&ch, 0, sizeof(ch));
    ch.kind = k;
    ch.run_a = a;
    ch.run_b = b;
    ch.host = r->host;
    ch.stack_key = r->skey;
    ch.stack_key_len = r->skey_n;
    ch.location_id = r->lid;
    ch.technique = r->tech;
    ch.key_path = r->key;
    ch.key_path_len = r->key_n;
    ch.value_name = r->name;
    ch.value_name_len = r->name_n;
    ch.value_data = r->data;
    ch.value_data_len = r->data_n;
    ch.risk = ch.old_risk = r->risk;
    ch.fusion_state = ch.old_fusion_state = r->fusion;
    ch.old_value_data = "";
    if (old) {
        ch.old_value_data = old->data;
        ch.old_value_data_len = old->data_n;
        ch.old_risk = old->risk;
        ch.old_fusion_state = old->fusion;
    }
    ch.verdict = v ? v : "";
    return add_change(d->c, &ch);
}

static int same(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && memcmp(a, b, an) == 0;
}

/* Compare host key hk between runs a and b. */
static rh_status diff_host(struct diff *d, const char *hk, int64_t a, int64_t b)
{
    struct drow *ra = NULL, *rb = NULL;
    size_t na = 0, nb = 0, i;
    struct rh_strmap map;
    rh_status st;
    rh_strmap_init(&map, d->c->ctx, rh_hash_fnv1a, RH_STRMAP_COPY, 64, (size_t)1 << 24);
    rh_buf_reset(&d->hk);
    rh_buf_puts(&d->hk, hk);
    st = load_rows(d->c, d->rows, a, hk, &ra, &na);
    st = st == RH_OK ? load_rows(d->c, d->rows, b, hk, &rb, &nb) : st;
    for (i = 0; i < na && st == RH_OK; i++) {
        struct rh_strmap_entry *e;
        bool added = false;
        st = ident(&d->id, &ra[i]);
        st = st == RH_OK ? rh_strmap_put(&map, d->id.data, d->id.len, &e, &added) : st;
        if (st == RH_OK && added) {
            e->val = i + 1;
        }
    }
    for (i = 0; i < nb && st == RH_OK; i++) {
        struct rh_strmap_entry *e;
        struct drow *o;
        st = ident(&d->id, &rb[i]);
        e = st == RH_OK ? rh_strmap_find(&map, d->id.data, d->id.len) : NULL;
        if (st != RH_OK) {
            break;
        }
        if (!e) {
            st = change_of(d, RH_CASE_NEW, a, b, &rb[i], NULL);
            continue;
        }
        o = &ra[e->val - 1];
        o->matched = 1;
        if (!same(o->data, o->data_n, rb[i].data, rb[i].data_n) || o->risk != rb[i].risk ||
            strcmp(o->fusion, rb[i].fusion) != 0) {
            st = change_of(d, RH_CASE_CHANGED, a, b, &rb[i], o);
        }
    }
    for (i = 0; i < na && st == RH_OK; i++) {
        if (!ra[i].matched) {
            struct rh_strmap_entry *e;
            st = ident(&d->id, &ra[i]);
            e = st == RH_OK ? rh_strmap_find(&map, d->id.data, d->id.len) : NULL;
            /* a duplicate identity within run a counts once */
            if (st == RH_OK && e && e->val == i + 1) {
                st = change_of(d, RH_CASE_GONE, a, b, &ra[i], NULL);
            }
        }
    }
    rh_strmap_free(&map);
    rh_free(d->c->ctx, ra);
    rh_free(d->c->ctx, rb);
    return st;
}

static rh_status host_change(rh_case *c, rh_case_change_kind k, int64_t a, int64_t b,
                             const char *host)
{
    rh_case_change ch;
    memset(&ch, 0, sizeof(ch));
    ch.kind = k;
    ch.run_a = a;
    ch.run_b = b;
    ch.host = host;
    ch.stack_key = ch.location_id = ch.technique = ch.key_path = ch.value_name = "";
    ch.value_data = ch.old_value_data = ch.fusion_state = ch.old_fusion_state = ch.verdict = "";
    return add_change(c, &ch);
}

static rh_status run_exists(rh_case *c, int64_t id)
{
    sqlite3_stmt *q = NULL;
    rh_status st = case_prepare(c, "SELECT 1 FROM runs WHERE id = ?1", &q);
    int rc;
    if (st != RH_OK) {
        return st;
    }
    sqlite3_bind_int64(q, 1, id);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc == SQLITE_ROW) {
        return RH_OK;
    }
    if (rc != SQLITE_DONE) {
        return case_fail(c, rc, "reading runs");
    }
    rh_diagf(c->ctx, RH_DIAG_ERROR, "case", c->path, -1,
             "no run %lld in the case ('reghunt case "
             "runs' lists them)",
             (long long)id);
    return RH_NOT_FOUND;
}

/* Every host key with its two newest runs (default) or its presence in runs a and b. The
 * query lists (host_key, host, run_id) newest run first per host key. */
static rh_status diff_all(struct diff *d, int64_t a, int64_t b)
{
    rh_case *c = d->c;
    sqlite3_stmt *q = NULL;
    int explicit = a || b, rc;
    const char *cur = NULL, *host = NULL;
    int64_t runs[2] = {0, 0};
    int have_a = 0, have_b = 0;
    size_t nr = 0;
    rh_status st = case_prepare(
        c,
        explicit ? "SELECT host_key, host, run_id FROM hosts WHERE run_id IN (?1, ?2) "
                   "GROUP BY host_key, run_id ORDER BY host_key, run_id DESC"
                 : "SELECT host_key, host, run_id FROM hosts GROUP BY host_key, run_id "
                   "ORDER BY host_key, run_id DESC",
        &q);
    if (st == RH_OK && explicit) {
        sqlite3_bind_int64(q, 1, a);
        sqlite3_bind_int64(q, 2, b);
    }
    for (;;) {
        const char *hk = NULL;
        int64_t run = 0;
        rc = st == RH_OK ? sqlite3_step(q) : SQLITE_DONE;
        if (rc == SQLITE_ROW) {
            hk = case_col_copy(c, q, 0, NULL);
            run = sqlite3_column_int64(q, 2);
            if (!hk) {
                st = RH_ERR_NOMEM;
                break;
            }
        } else if (rc != SQLITE_DONE) {
            st = case_fail(c, rc, "reading hosts");
            break;
        }
        if (cur && (!hk || strcmp(hk, cur) != 0)) {
            /* the previous host key is complete */
            if (!explicit && nr == 2) {
                st = diff_host(d, cur, runs[1], runs[0]);
            } else if (explicit && have_a && have_b) {
                st = diff_host(d, cur, a, b);
            } else if (explicit && have_b) {
                st = host_change(c, RH_CASE_HOST_NEW, a, b, host);
            } else if (explicit && have_a) {
                st = host_change(c, RH_CASE_HOST_GONE, a, b, host);
            }
            nr = 0;
            have_a = have_b = 0;
        }
        if (!hk || st != RH_OK) {
            break;
        }
        if (!cur || strcmp(hk, cur) != 0) {
            cur = hk;
            host = case_col_copy(c, q, 1, NULL);
            if (!host) {
                st = RH_ERR_NOMEM;
                break;
            }
        }
        if (nr < 2) {
            runs[nr++] = run;
        }
        have_a |= run == a;
        have_b |= run == b;
    }
    sqlite3_finalize(q);
    return st;
}

rh_status rh_case_diff_load(rh_case *c, int64_t run_a, int64_t run_b)
{
    struct diff d;
    rh_status st = RH_OK;
    c->nchanges = 0;
    if (run_a || run_b) {
        st = run_exists(c, run_a);
        st = st == RH_OK ? run_exists(c, run_b) : st;
        if (st != RH_OK) {
            return st;
        }
    }
    memset(&d, 0, sizeof(d));
    d.c = c;
    rh_buf_init(&d.id, c->ctx);
    rh_buf_init(&d.hk, c->ctx);
    st = case_prepare(c, DIFF_SQL, &d.rows);
    st = st == RH_OK ? case_prepare(c, CASE_VERDICT_SQL, &d.verdict) : st;
    st = st == RH_OK ? diff_all(&d, run_a, run_b) : st;
    sqlite3_finalize(d.rows);
    sqlite3_finalize(d.verdict);
    rh_buf_free(&d.id);
    rh_buf_free(&d.hk);
    return st;
}

size_t rh_case_change_count(const rh_case *c)
{
    return c ? c->nchanges : 0;
}

const rh_case_change *rh_case_change_at(const rh_case *c, size_t i)
{
    return c && i < c->nchanges ? &c->changes[i] : NULL;
}

/* ---- the newest run of every host ---------------------------------------------------------- */

#define LATEST_HOSTS_SQL                                                                           \
    "SELECT host_key, host, max(run_id) FROM hosts GROUP BY host_key ORDER BY host_key"
#define LATEST_ROWS_SQL                                                                            \
    "SELECT host, location_id, technique, target_path, value_name, value_data, risk, "             \
    "key_last_write, event_time, stack_key FROM findings WHERE run_id = ?1 AND host_key = ?2 "     \
    "ORDER BY rowid"

static rh_status latest_host(rh_case *c, sqlite3_stmt *rows, sqlite3_stmt *vq, rh_buf *hk,
                             int64_t run, const char *host, rh_case_finding_fn fn, void *user)
{
    int rc;
    rh_status st = fn(user, host, NULL);
    sqlite3_reset(rows);
    sqlite3_bind_int64(rows, 1, run);
    sqlite3_bind_text(rows, 2, hk->data ? hk->data : "", (int)hk->len, SQLITE_STATIC);
    while (st == RH_OK && (rc = sqlite3_step(rows)) == SQLITE_ROW) {
        rh_case_finding f;
        size_t n, kn;
        const char *risk = case_col_text(rows, 6, &n), *note, *key;
        memset(&f, 0, sizeof(f));
        f.host = case_col_text(rows, 0, &n);
        f.location_id = case_col_text(rows, 1, &n);
        if (rh_risk_parse(risk, &f.risk) != RH_OK || !f.host[0] || !n) {
            rh_diagf(c->ctx, RH_DIAG_ANOMALY, "case", c->path, -1,
                     "run %lld: a finding without host, location or a valid risk, skipped",
                     (long long)run);
            continue;
        }
        f.technique = case_col_text(rows, 2, &n);
        f.target_path = case_col_text(rows, 3, &n);
        f.value_name = sqlite3_column_blob(rows, 4);
        f.value_name_len = (size_t)sqlite3_column_bytes(rows, 4);
        f.value_data = sqlite3_column_blob(rows, 5);
        f.value_data_len = (size_t)sqlite3_column_bytes(rows, 5);
        f.value_name = f.value_name ? f.value_name : "";
        f.value_data = f.value_data ? f.value_data : "";
        f.key_last_write = col_u64(rows, 7);
        f.event_time = col_u64(rows, 8);
        key = sqlite3_column_blob(rows, 9);
        kn = (size_t)sqlite3_column_bytes(rows, 9);
        st = case_verdict(c, vq, hk, key ? key : "", kn, &f.verdict, &note);
        st = st == RH_OK ? fn(user, host, &f) : st;
    }
    if (st == RH_OK && rc != SQLITE_DONE) {
        st = case_fail(c, rc, "reading findings");
    }
    return st;
}

rh_status rh_case_latest(rh_case *c, rh_case_finding_fn fn, void *user)
{
    sqlite3_stmt *hosts = NULL, *rows = NULL, *vq = NULL;
    rh_buf hk, host;
    int rc = SQLITE_DONE;
    rh_status st = case_prepare(c, LATEST_HOSTS_SQL, &hosts);
    st = st == RH_OK ? case_prepare(c, LATEST_ROWS_SQL, &rows) : st;
    st = st == RH_OK ? case_prepare(c, CASE_VERDICT_SQL, &vq) : st;
    rh_buf_init(&hk, c->ctx);
    rh_buf_init(&host, c->ctx);
    while (st == RH_OK && (rc = sqlite3_step(hosts)) == SQLITE_ROW) {
        size_t n;
        const char *k = case_col_text(hosts, 0, &n);
        rh_buf_reset(&hk);
        rh_buf_append(&hk, k, n);
        k = case_col_text(hosts, 1, &n);
        rh_buf_reset(&host);
        rh_buf_append(&host, k, n);
        rh_buf_putc(&host, '\0');
        if (rh_buf_status(&hk) != RH_OK || rh_buf_status(&host) != RH_OK) {
            st = RH_ERR_NOMEM;
            break;
        }
        if (host.data[0] == '\0') {
            continue; /* a host row without a name (hostile file) */
        }
        st = latest_host(c, rows, vq, &hk, sqlite3_column_int64(hosts, 2), host.data, fn, user);
    }
    if (st == RH_OK && rc != SQLITE_DONE) {
        st = case_fail(c, rc, "reading hosts");
    }
    rh_buf_free(&hk);
    rh_buf_free(&host);
    sqlite3_finalize(hosts);
    sqlite3_finalize(rows);
    sqlite3_finalize(vq);
    return st;
}
