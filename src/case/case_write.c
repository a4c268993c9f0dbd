/*
 * Writing a case: the inputs of a run (SHA-256 of each file, streamed), the run with its hosts
 * and findings in one IMMEDIATE transaction (concurrent writers wait for each other through the
 * busy timeout; none loses a row), and verdicts.
 */
#include <time.h>

#include "case_internal.h"
#include "reghunt/reghunt.h"

#define HASH_CHUNK (256u * 1024u)

/* SHA-256 of a regular file as hex into out[65]; *size its bytes. */
static rh_status hash_file(rh_case *c, const char *path, char out[65], int64_t *size)
{
    static const char hex[] = "0123456789abcdef";
    struct rh_sha256_ctx h;
    uint8_t dig[32];
    unsigned char *buf;
    int64_t got;
    int64_t total = 0;
    size_t i;
    int fd = rh_fd_open(path);
    if (fd < 0) {
        return RH_ERR_IO;
    }
    buf = rh_malloc(c->ctx, HASH_CHUNK);
    if (!buf) {
        rh_fd_close(fd);
        return RH_ERR_NOMEM;
    }
    rh_sha256_init(&h);
    while ((got = rh_fd_read(fd, buf, HASH_CHUNK)) > 0) {
        rh_sha256_update(&h, buf, (size_t)got);
        total += got;
    }
    rh_fd_close(fd);
    rh_free(c->ctx, buf);
    if (got < 0) {
        return RH_ERR_IO;
    }
    rh_sha256_final(&h, dig);
    for (i = 0; i < 32; i++) {
        out[2 * i] = hex[dig[i] >> 4];
        out[2 * i + 1] = hex[dig[i] & 15];
    }
    out[64] = '\0';
    *size = total;
    return RH_OK;
}

rh_status rh_case_add_input(rh_case *c, const char *path, const char *kind)
{
    struct case_input *in;
    rh_status st = RH_OK;
    if (!c || !path) {
        return RH_ERR_ARG;
    }
    if (c->ninputs >= RH_CASE_MAX_INPUTS) {
        return RH_ERR_LIMIT;
    }
    if (c->ninputs == c->capinputs) {
        size_t cap = c->capinputs ? c->capinputs * 2 : 16;
        struct case_input *n = rh_realloc(c->ctx, c->inputs, cap * sizeof(*n));
        if (!n) {
            return RH_ERR_NOMEM;
        }
        c->inputs = n;
        c->capinputs = cap;
    }
    in = &c->inputs[c->ninputs];
    memset(in, 0, sizeof(*in));
    in->path = rh_strdup(c->ctx, path);
    in->kind = rh_strdup(c->ctx, kind ? kind : "input");
    if (!in->path || !in->kind) {
        rh_free(c->ctx, in->path);
        rh_free(c->ctx, in->kind);
        return RH_ERR_NOMEM;
    }
    c->ninputs++;
    in->size = -1;
    if (rh_os_path_kind(path, 1, NULL) == RH_FS_DIR) {
        return RH_OK; /* a folder: its files are noted one by one */
    }
    st = hash_file(c, path, in->sha256, &in->size);
    if (st == RH_ERR_IO) {
        rh_diagf(c->ctx, RH_DIAG_ANOMALY, "case", path, -1,
                 "cannot read to hash; recorded without SHA-256");
    }
    return st;
}

/* The verdict of finding f (case_verdict). */
static rh_status verdict_of(rh_case *c, sqlite3_stmt *q, rh_buf *hk, const rh_finding *f,
                            const char **v, const char **note)
{
    rh_buf_reset(hk);
    if (case_host_key(hk, f->host, strlen(f->host)) != RH_OK) {
        return RH_ERR_NOMEM;
    }
    return case_verdict(c, q, hk, f->stack_key, f->stack_key_len, v, note);
}

rh_status rh_case_apply_verdicts(rh_case *c, rh_hunt *hunt)
{
    sqlite3_stmt *q = NULL;
    rh_buf hk;
    size_t i, n = rh_hunt_count(hunt);
    rh_status st = case_prepare(c, CASE_VERDICT_SQL, &q);
    rh_buf_init(&hk, c->ctx);
    for (i = 0; i < n && st == RH_OK; i++) {
        const char *v, *note;
        st = verdict_of(c, q, &hk, rh_hunt_at(hunt, i), &v, &note);
        if (st == RH_OK && v) {
            st = rh_hunt_set_verdict(hunt, i, v, note);
        }
    }
    rh_buf_free(&hk);
    sqlite3_finalize(q);
    return st;
}

/* Bind helpers: text of a NUL-terminated string, blob of counted bytes (never NULL). */
static void bt(sqlite3_stmt *q, int i, const char *s)
{
    sqlite3_bind_text(q, i, s ? s : "", -1, SQLITE_STATIC);
}

static void bb(sqlite3_stmt *q, int i, const char *s, size_t n)
{
    sqlite3_bind_blob(q, i, s ? s : "", (int)n, SQLITE_STATIC);
}

/* Text, or NULL when s is NULL. */
static void bt_null(sqlite3_stmt *q, int i, const char *s)
{
    if (s) {
        bt(q, i, s);
    } else {
        sqlite3_bind_null(q, i);
    }
}

/* Host keys are TEXT (compared with the text '*'). */
static void bk(sqlite3_stmt *q, int i, const rh_buf *hk)
{
    sqlite3_bind_text(q, i, hk->data ? hk->data : "", (int)hk->len, SQLITE_STATIC);
}

static rh_status step_done(rh_case *c, sqlite3_stmt *q, const char *what)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? RH_OK : case_fail(c, rc, what);
}

static rh_status record_inputs(rh_case *c, int64_t run)
{
    sqlite3_stmt *q = NULL;
    size_t i;
    rh_status st = case_prepare(c, "INSERT INTO inputs VALUES(?1, ?2, ?3, ?4, ?5)", &q);
    for (i = 0; i < c->ninputs && st == RH_OK; i++) {
        const struct case_input *in = &c->inputs[i];
        sqlite3_bind_int64(q, 1, run);
        bt(q, 2, in->path);
        bt(q, 3, in->kind);
        if (in->size >= 0) {
            sqlite3_bind_int64(q, 4, in->size);
        } else {
            sqlite3_bind_null(q, 4);
        }
        bt_null(q, 5, in->sha256[0] ? in->sha256 : NULL);
        st = step_done(c, q, "recording inputs");
    }
    sqlite3_finalize(q);
    return st;
}

static rh_status record_hosts(rh_case *c, int64_t run, const rh_hunt *hunt, rh_buf *hk)
{
    sqlite3_stmt *q = NULL;
    size_t i;
    rh_status st = case_prepare(c, "INSERT INTO hosts VALUES(?1, ?2, ?3, ?4)", &q);
    for (i = 0; i < rh_hunt_host_count(hunt) && st == RH_OK; i++) {
        const rh_hunt_host *h = rh_hunt_host_at(hunt, i);
        rh_buf_reset(hk);
        st = case_host_key(hk, h->name, strlen(h->name));
        sqlite3_bind_int64(q, 1, run);
        bt(q, 2, h->name);
        bk(q, 3, hk);
        sqlite3_bind_int64(q, 4, (int64_t)h->findings);
        st = st == RH_OK ? step_done(c, q, "recording hosts") : st;
    }
    sqlite3_finalize(q);
    return st;
}

static void bind_time(sqlite3_stmt *q, int i, uint64_t t)
{
    if (t && t <= (uint64_t)INT64_MAX) {
        sqlite3_bind_int64(q, i, (int64_t)t);
    } else {
        sqlite3_bind_null(q, i);
    }
}

static rh_status record_findings(rh_case *c, int64_t run, const rh_hunt *hunt, rh_buf *hk)
{
    sqlite3_stmt *q = NULL;
    size_t i;
    rh_status st = case_prepare(c,
                                "INSERT INTO findings VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                                "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
                                "?23, ?24, ?25)",
                                &q);
    for (i = 0; i < rh_hunt_count(hunt) && st == RH_OK; i++) {
        const rh_finding *f = rh_hunt_at(hunt, i);
        rh_buf_reset(hk);
        st = case_host_key(hk, f->host, strlen(f->host));
        sqlite3_bind_int64(q, 1, run);
        bt(q, 2, f->host);
        bk(q, 3, hk);
        bt(q, 4, f->hunt_id);
        bt(q, 5, rh_finding_source_name(f->source));
        bt(q, 6, f->technique);
        bt(q, 7, f->location_id);
        bb(q, 8, f->stack_key, f->stack_key_len);
        bt(q, 9, f->user);
        bt(q, 10, f->user_sid);
        bt(q, 11, f->hive_kind);
        bt(q, 12, f->source_file);
        bb(q, 13, f->key_path, f->key_path_len);
        bb(q, 14, f->value_name, f->value_name_len);
        bt(q, 15, f->value_type);
        bb(q, 16, f->value_data, f->value_data_len);
        bt(q, 17, f->target_path);
        bt(q, 18, rh_risk_name(f->risk));
        bt(q, 19, rh_confidence_name(f->confidence));
        bt_null(q, 20, f->fusion_state);
        bind_time(q, 21, f->key_last_write);
        bind_time(q, 22, f->event_time);
        sqlite3_bind_int64(q, 23, (int64_t)f->stack_hosts);
        sqlite3_bind_int64(q, 24, (int64_t)f->total_hosts);
        bt_null(q, 25, f->verdict);
        st = st == RH_OK ? step_done(c, q, "recording findings") : st;
    }
    sqlite3_finalize(q);
    return st;
}

rh_status rh_case_record(rh_case *c, const rh_hunt *hunt, const char *command, int64_t started,
                         int64_t *run_id)
{
    sqlite3_stmt *q = NULL;
    char t0[32], t1[32];
    int64_t run = 0;
    rh_buf hk;
    rh_status st;
    if (!c || !hunt || c->mode != RH_CASE_WRITE) {
        return RH_ERR_ARG;
    }
    case_now_iso(started, t0);
    case_now_iso((int64_t)time(NULL), t1);
    rh_buf_init(&hk, c->ctx);
    st = case_exec(c, "BEGIN IMMEDIATE");
    if (st != RH_OK) {
        return st;
    }
    st = case_prepare(c,
                      "INSERT INTO runs(started, finished, command, tool, hosts, findings) "
                      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                      &q);
    if (st == RH_OK) {
        bt(q, 1, t0);
        bt(q, 2, t1);
        bt(q, 3, command);
        bt(q, 4, "reghunt " RH_VERSION_STRING);
        sqlite3_bind_int64(q, 5, (int64_t)rh_hunt_host_count(hunt));
        sqlite3_bind_int64(q, 6, (int64_t)rh_hunt_count(hunt));
        st = step_done(c, q, "recording the run");
        run = sqlite3_last_insert_rowid(c->db);
    }
    sqlite3_finalize(q);
    st = st == RH_OK ? record_inputs(c, run) : st;
    st = st == RH_OK ? record_hosts(c, run, hunt, &hk) : st;
    st = st == RH_OK ? record_findings(c, run, hunt, &hk) : st;
    st = st == RH_OK ? case_exec(c, "COMMIT") : st;
    if (st != RH_OK) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    }
    rh_buf_free(&hk);
    if (st == RH_OK && run_id) {
        *run_id = run;
    }
    return st;
}

static const char *const rh_case_verdict_names[] = {"tp", "benign", "review"};

rh_status rh_case_set_verdict(rh_case *c, const char *key, const char *verdict, const char *note)
{
    const char *bar;
    sqlite3_stmt *q = NULL;
    rh_buf host, hk;
    char now[32];
    size_t i;
    int known = 0;
    rh_status st;
    if (!c || !key || !verdict || c->mode != RH_CASE_WRITE) {
        return RH_ERR_ARG;
    }
    for (i = 0; i < 3; i++) {
        known |= strcmp(verdict, rh_case_verdict_names[i]) == 0;
    }
    bar = strchr(key, '|');
    if (!known || !bar || bar == key || !bar[1]) {
        return RH_ERR_ARG;
    }
    rh_buf_init(&host, c->ctx);
    rh_buf_init(&hk, c->ctx);
    /* the host part, "<pipe>" back to '|' */
    for (i = 0; key + i < bar; i++) {
        if ((size_t)(bar - key) - i >= 6 && memcmp(key + i, "<pipe>", 6) == 0) {
            rh_buf_putc(&host, '|');
            i += 5;
        } else {
            rh_buf_putc(&host, key[i]);
        }
    }
    if (host.len == 1 && host.data[0] == '*') {
        rh_buf_putc(&hk, '*');
    } else if (rh_buf_status(&host) == RH_OK) {
        case_host_key(&hk, host.data, host.len);
    }
    st = rh_buf_status(&host) != RH_OK || rh_buf_status(&hk) != RH_OK ? RH_ERR_NOMEM : RH_OK;
    if (st == RH_OK && hk.len == 0) {
        st = RH_ERR_ARG;
    }
    case_now_iso((int64_t)time(NULL), now);
    st = st == RH_OK ? case_prepare(c,
                                    "INSERT INTO verdicts(host, host_key, stack_key, verdict, "
                                    "note, time) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                                    &q)
                     : st;
    if (st == RH_OK) {
        sqlite3_bind_text(q, 1, host.data, (int)host.len, SQLITE_STATIC);
        bk(q, 2, &hk);
        bb(q, 3, bar + 1, strlen(bar + 1));
        bt(q, 4, verdict);
        bt_null(q, 5, note);
        bt(q, 6, now);
        st = step_done(c, q, "recording the verdict");
    }
    sqlite3_finalize(q);
    rh_buf_free(&host);
    rh_buf_free(&hk);
    return st;
}
