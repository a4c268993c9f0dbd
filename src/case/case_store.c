/*
 * The case file: open, create the schema (docs/fleet.md "Case store"), check that an existing
 * file is a case of this schema version, and turn SQLite failures into one diagnostic each.
 *
 * A case file read back is untrusted: the connection is opened with defensive settings
 * (SQLITE_DBCONFIG_DEFENSIVE, no triggers, no views, untrusted schema, capped string length),
 * so a hostile file can neither run code through its schema nor make us allocate without
 * bound; every statement's result code is checked.
 */
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <time.h>

#include "case_internal.h"
#include "reghunt/reghunt.h"

static const char magic[16] = "SQLite format 3";

/* The schema of version 1. Strings that may hold NUL (stack key, key path, value name and
 * data) are BLOBs; times of findings are FILETIME integers, run times ISO 8601 text. */
static const char schema_v1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE runs(id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL,"
    " finished TEXT NOT NULL, command TEXT NOT NULL, tool TEXT NOT NULL,"
    " hosts INTEGER NOT NULL, findings INTEGER NOT NULL);"
    "CREATE TABLE inputs(run_id INTEGER NOT NULL REFERENCES runs(id), path TEXT NOT NULL,"
    " kind TEXT NOT NULL, size INTEGER, sha256 TEXT);"
    "CREATE TABLE hosts(run_id INTEGER NOT NULL REFERENCES runs(id), host TEXT NOT NULL,"
    " host_key TEXT NOT NULL, findings INTEGER NOT NULL);"
    "CREATE TABLE findings(run_id INTEGER NOT NULL REFERENCES runs(id), host TEXT NOT NULL,"
    " host_key TEXT NOT NULL, hunt_id TEXT NOT NULL, source TEXT NOT NULL,"
    " technique TEXT NOT NULL, location_id TEXT NOT NULL, stack_key BLOB NOT NULL,"
    " user TEXT NOT NULL, user_sid TEXT NOT NULL, hive TEXT NOT NULL, source_file TEXT NOT NULL,"
    " key_path BLOB NOT NULL, value_name BLOB NOT NULL, value_type TEXT NOT NULL,"
    " value_data BLOB NOT NULL, target_path TEXT NOT NULL, risk TEXT NOT NULL,"
    " confidence TEXT NOT NULL, fusion_state TEXT, key_last_write INTEGER, event_time INTEGER,"
    " stack_hosts INTEGER NOT NULL, total_hosts INTEGER NOT NULL, verdict TEXT);"
    "CREATE TABLE verdicts(id INTEGER PRIMARY KEY AUTOINCREMENT, host TEXT NOT NULL,"
    " host_key TEXT NOT NULL, stack_key BLOB NOT NULL, verdict TEXT NOT NULL, note TEXT,"
    " time TEXT NOT NULL);"
    "CREATE INDEX hosts_run ON hosts(run_id, host_key);"
    "CREATE INDEX hosts_key ON hosts(host_key, run_id);"
    "CREATE INDEX findings_run ON findings(run_id, host_key);"
    "CREATE INDEX verdicts_key ON verdicts(stack_key, host_key);";

rh_status case_fail(rh_case *c, int rc, const char *what)
{
    int base = rc & 0xff;
    const char *msg = c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
    rh_status st = base == SQLITE_NOMEM    ? RH_ERR_NOMEM
                   : base == SQLITE_NOTADB ? RH_ERR_FORMAT
                   : base == SQLITE_IOERR || base == SQLITE_CANTOPEN || base == SQLITE_PERM ||
                           base == SQLITE_READONLY || base == SQLITE_FULL
                       ? RH_ERR_IO
                       : RH_ERR_CORRUPT;
    if (base == SQLITE_NOTADB) {
        rh_diagf(c->ctx, RH_DIAG_ERROR, "case", c->path, -1,
                 "not a reghunt case file (SQLite cannot read it: %s)", msg);
    } else {
        rh_diagf(c->ctx, RH_DIAG_ERROR, "case", c->path, -1, "%s: %s", what, msg);
    }
    return st;
}

rh_status case_prepare(rh_case *c, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(c->db, sql, -1, st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return case_fail(c, rc, "reading the case file failed");
    }
    return RH_OK;
}

rh_status case_exec(rh_case *c, const char *sql)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? RH_OK : case_fail(c, rc, "writing the case file failed");
}

rh_status case_host_key(rh_buf *out, const char *host, size_t n)
{
    size_t start = 0, k = rh_host_key(host, n, &start), i;
    for (i = 0; i < k; i++) {
        char ch = host[start + i];
        rh_buf_putc(out, ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch);
    }
    return rh_buf_status(out);
}

const char *case_col_text(sqlite3_stmt *st, int i, size_t *n)
{
    const unsigned char *p = sqlite3_column_text(st, i);
    int len = sqlite3_column_bytes(st, i);
    *n = p && len > 0 ? (size_t)len : 0;
    return p ? (const char *)p : "";
}

const char *case_col_copy(rh_case *c, sqlite3_stmt *st, int i, size_t *n)
{
    size_t len;
    const void *p;
    size_t dummy;
    if (!n) {
        n = &dummy;
    }
    /* Blobs keep their NULs; everything else is read as text. */
    if (sqlite3_column_type(st, i) == SQLITE_BLOB) {
        p = sqlite3_column_blob(st, i);
        len = (size_t)sqlite3_column_bytes(st, i);
    } else {
        p = case_col_text(st, i, &len);
    }
    *n = p ? len : 0;
    return rh_arena_strndup(&c->rows, p ? p : "", p ? len : 0);
}

rh_status case_verdict(rh_case *c, sqlite3_stmt *q, const rh_buf *hk, const char *key,
                       size_t key_len, const char **v, const char **note)
{
    int rc;
    *v = *note = NULL;
    sqlite3_reset(q);
    sqlite3_bind_blob(q, 1, key ? key : "", (int)key_len, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, hk->data ? hk->data : "", (int)hk->len, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        size_t n;
        const char *s = case_col_text(q, 0, &n);
        *v = strcmp(s, "tp") == 0       ? "tp"
             : strcmp(s, "benign") == 0 ? "benign"
             : strcmp(s, "review") == 0 ? "review"
                                        : NULL;
        *note = sqlite3_column_type(q, 1) == SQLITE_NULL ? NULL : case_col_text(q, 1, &n);
        return RH_OK;
    }
    return rc == SQLITE_DONE ? RH_OK : case_fail(c, rc, "reading verdicts");
}

void case_now_iso(int64_t t, char out[32])
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400), y, sec = t - days * 86400;
    unsigned m, d;
    rh_civil_from_days(days, &y, &m, &d);
    snprintf(out, 32, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
             (unsigned)(sec / 3600), (unsigned)(sec / 60 % 60), (unsigned)(sec % 60));
}

int rh_case_is_sqlite(const char *path)
{
    char head[16];
    int64_t got;
    int fd = rh_fd_open(path);
    if (fd < 0) {
        return 0;
    }
    got = rh_fd_read(fd, head, sizeof(head));
    rh_fd_close(fd);
    return got == (int64_t)sizeof(head) && memcmp(head, magic, sizeof(head)) == 0;
}

/* An integer PRAGMA (user_version, application_id). */
static rh_status pragma_int(rh_case *c, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    rh_status s = case_prepare(c, sql, &st);
    int rc;
    if (s != RH_OK) {
        return s;
    }
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? RH_OK : case_fail(c, rc, "reading the schema");
}

/* Check an existing case (inside a transaction when writing). *empty: a file without tables
 * (new: the caller creates the schema). */
static rh_status check_schema(rh_case *c, int *empty)
{
    int64_t app = 0, ver = 0, tables = 0;
    sqlite3_stmt *st = NULL;
    rh_status s = pragma_int(c, "PRAGMA application_id", &app);
    s = s == RH_OK ? pragma_int(c, "PRAGMA user_version", &ver) : s;
    s = s == RH_OK ? pragma_int(c, "SELECT count(*) FROM sqlite_master", &tables) : s;
    if (s != RH_OK) {
        return s;
    }
    *empty = app == 0 && ver == 0 && tables == 0;
    if (*empty) {
        return RH_OK;
    }
    if (app != RH_CASE_APPLICATION_ID) {
        rh_diagf(c->ctx, RH_DIAG_ERROR, "case", c->path, -1,
                 "an SQLite file that is not a reghunt case (application_id 0x%08llx, want "
                 "0x%08x); refusing to use it",
                 (unsigned long long)(uint64_t)app, (unsigned)RH_CASE_APPLICATION_ID);
        return RH_ERR_FORMAT;
    }
    if (ver != RH_CASE_SCHEMA_VERSION) {
        rh_diagf(c->ctx, RH_DIAG_ERROR, "case", c->path, -1,
                 "case schema version %lld, this reghunt reads version %d (docs/fleet.md)",
                 (long long)ver, RH_CASE_SCHEMA_VERSION);
        return RH_ERR_UNSUPPORTED;
    }
    s = case_prepare(c, "SELECT value FROM meta WHERE key = 'schema_version'", &st);
    if (s == RH_OK) {
        int rc = sqlite3_step(st);
        size_t n;
        const char *v = rc == SQLITE_ROW ? case_col_text(st, 0, &n) : NULL;
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            s = case_fail(c, rc, "reading the meta table");
        } else if (!v || strcmp(v, "1") != 0) {
            rh_diagf(c->ctx, RH_DIAG_ERROR, "case", c->path, -1,
                     "meta.schema_version is '%s', PRAGMA user_version is %lld: damaged case",
                     v ? v : "(missing)", (long long)ver);
            s = RH_ERR_CORRUPT;
        }
    }
    sqlite3_finalize(st);
    return s;
}

static rh_status create_schema(rh_case *c)
{
    char sql[256];
    char now[32];
    rh_status s = case_exec(c, schema_v1);
    case_now_iso((int64_t)time(NULL), now);
    snprintf(sql, sizeof(sql),
             "PRAGMA application_id = %d; PRAGMA user_version = %d;"
             "INSERT INTO meta VALUES('format', 'reghunt-case'), ('schema_version', '%d'),"
             "('created', '%s'), ('created_by', 'reghunt %s');",
             RH_CASE_APPLICATION_ID, RH_CASE_SCHEMA_VERSION, RH_CASE_SCHEMA_VERSION, now,
             RH_VERSION_STRING);
    return s == RH_OK ? case_exec(c, sql) : s;
}

/* WAL mode (persistent in the file): another process may hold a lock for a moment. */
static rh_status set_wal(rh_case *c)
{
    int tries;
    for (tries = 0; tries < 200; tries++) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(st);
        }
        sqlite3_finalize(st);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
            return RH_OK;
        }
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) {
            return case_fail(c, rc, "setting WAL mode");
        }
        sqlite3_sleep(50);
    }
    return case_fail(c, SQLITE_BUSY, "setting WAL mode");
}

static void harden(sqlite3 *db)
{
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, (int)RH_CASE_MAX_FIELD);
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 1 << 20);
    sqlite3_busy_timeout(db, RH_CASE_BUSY_MS);
}

/* Before SQLite sees it: an existing non-empty file must carry the SQLite header. */
static rh_status check_file(rh_case *c, int *exists)
{
    uint64_t size = 0;
    rh_fs_kind kind = rh_os_path_kind(c->path, 1, &size);
    *exists = kind != RH_FS_NONE;
    if (!*exists) {
        if (c->mode == RH_CASE_READ) {
            rh_diagf(c->ctx, RH_DIAG_ERROR, "case", c->path, -1, "cannot open: %s",
                     strerror(errno));
            return RH_ERR_IO;
        }
        return RH_OK;
    }
    if (kind != RH_FS_FILE) {
        rh_diagf(c->ctx, RH_DIAG_ERROR, "case", c->path, -1, "not a regular file");
        return RH_ERR_IO;
    }
    if (size == 0 && c->mode == RH_CASE_WRITE) {
        return RH_OK;
    }
    if (!rh_case_is_sqlite(c->path)) {
        rh_diagf(c->ctx, RH_DIAG_ERROR, "case", c->path, -1,
                 "not a reghunt case file (no SQLite header)");
        return RH_ERR_FORMAT;
    }
    return RH_OK;
}

static rh_status open_db(rh_case *c)
{
    int empty = 0, exists = 0, rc;
    int flags = c->mode == RH_CASE_WRITE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                         : SQLITE_OPEN_READONLY;
    rh_status s = check_file(c, &exists);
    if (s != RH_OK) {
        return s;
    }
    rc = sqlite3_open_v2(c->path, &c->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        return case_fail(c, rc, "cannot open");
    }
    harden(c->db);
    if (c->mode == RH_CASE_READ) {
        s = check_schema(c, &empty);
        if (s == RH_OK && empty) {
            rh_diagf(c->ctx, RH_DIAG_ERROR, "case", c->path, -1,
                     "an SQLite file without tables, not a reghunt case");
            s = RH_ERR_FORMAT;
        }
        return s;
    }
    s = set_wal(c);
    s = s == RH_OK ? case_exec(c, "BEGIN IMMEDIATE") : s;
    if (s != RH_OK) {
        return s;
    }
    s = check_schema(c, &empty);
    if (s == RH_OK && empty) {
        s = create_schema(c);
    }
    if (s == RH_OK) {
        return case_exec(c, "COMMIT");
    }
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return s;
}

rh_status rh_case_open(rh_ctx *ctx, const char *path, rh_case_mode mode, rh_case **out)
{
    rh_case *c;
    rh_status s;
    *out = NULL;
    if (!ctx || !path || !path[0]) {
        return RH_ERR_ARG;
    }
    c = rh_calloc(ctx, 1, sizeof(*c));
    if (!c) {
        return RH_ERR_NOMEM;
    }
    c->ctx = ctx;
    c->mode = mode;
    c->path = rh_strdup(ctx, path);
    rh_arena_init(&c->rows, ctx, 64 * 1024, 0);
    if (!c->path) {
        rh_case_close(c);
        return RH_ERR_NOMEM;
    }
    s = open_db(c);
    if (s != RH_OK) {
        rh_case_close(c);
        return s;
    }
    *out = c;
    return RH_OK;
}

void rh_case_close(rh_case *c)
{
    size_t i;
    if (!c) {
        return;
    }
    sqlite3_close_v2(c->db);
    for (i = 0; i < c->ninputs; i++) {
        rh_free(c->ctx, c->inputs[i].path);
        rh_free(c->ctx, c->inputs[i].kind);
    }
    rh_free(c->ctx, c->inputs);
    rh_free(c->ctx, c->runs);
    rh_free(c->ctx, c->changes);
    rh_arena_free(&c->rows);
    rh_free(c->ctx, c->path);
    rh_free(c->ctx, c);
}

/* The resolved form of path; a path that does not exist yet is resolved through its folder. */
static char *resolve(const char *path)
{
    char *r = rh_os_realpath(path), *slash, *dir, *base, *out;
    size_t n;
    if (r) {
        return r;
    }
    n = strlen(path);
    dir = malloc(n + 2);
    if (!dir) {
        return NULL;
    }
    memcpy(dir, path, n + 1);
    slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        base = slash + 1;
        r = rh_os_realpath(dir[0] ? dir : "/");
    } else {
        base = dir;
        r = rh_os_realpath(".");
    }
    out = r ? malloc(strlen(r) + strlen(base) + 2) : NULL;
    if (out) {
        snprintf(out, strlen(r) + strlen(base) + 2, "%s/%s", r, base);
    }
    free(r);
    free(dir);
    return out;
}

int rh_case_path_inside(const char *case_path, const char *input)
{
    char *a = resolve(case_path), *b = rh_os_realpath(input);
    int inside = 0;
    if (a && b) {
        size_t bn = strlen(b);
        inside = strcmp(a, b) == 0 ||
                 (strncmp(a, b, bn) == 0 && (a[bn] == '/' || (bn == 1 && b[0] == '/')));
    }
    free(a);
    free(b);
    return inside;
}
