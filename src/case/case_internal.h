/*
 * Case store internals shared by case_store.c (open, schema, errors), case_write.c (inputs,
 * runs, verdicts) and case_read.c (runs, diff, newest run per host).
 */
#ifndef RH_CASE_INTERNAL_H
#define RH_CASE_INTERNAL_H

#include <sqlite3.h>

#include "common/common.h"
#include "reghunt/case.h"

/* An input noted for the next run. */
struct case_input {
    char *path, *kind;
    char sha256[65]; /* hex, "" when not hashed (folder, unreadable) */
    int64_t size;    /* bytes, -1 for a folder */
};

struct rh_case {
    rh_ctx *ctx;
    sqlite3 *db;
    char *path;
    rh_case_mode mode;
    struct case_input *inputs;
    size_t ninputs, capinputs;
    /* what the read calls loaded (rows borrow strings from `rows`) */
    struct rh_arena rows;
    rh_case_run *runs;
    size_t nruns;
    rh_case_change *changes;
    size_t nchanges, capchanges;
};

/* One error diagnostic "case: <what>: <sqlite message>" naming the file; returns the status
 * an SQLite result code maps to (RH_ERR_CORRUPT for damage and other failures, RH_ERR_IO for
 * I/O and permission errors, RH_ERR_FORMAT for "not a database", RH_ERR_NOMEM). */
rh_status case_fail(rh_case *c, int rc, const char *what);
/* Prepare sql (on failure: case_fail). */
rh_status case_prepare(rh_case *c, const char *sql, sqlite3_stmt **st);
/* Run one statement without results (on failure: case_fail). */
rh_status case_exec(rh_case *c, const char *sql);
/* The host-equality key of a host name (rh_host_key, ASCII lower case) into out. */
rh_status case_host_key(rh_buf *out, const char *host, size_t n);
/* Column i of a row as text (never NULL, "" for NULL) and its length. */
const char *case_col_text(sqlite3_stmt *st, int i, size_t *n);
/* An owned-by-c->rows copy of column i ("" for NULL); NULL on allocation failure. */
const char *case_col_copy(rh_case *c, sqlite3_stmt *st, int i, size_t *n);
/* The newest verdict of (host key, stack key), else of ("*", stack key): prepared
 * CASE_VERDICT_SQL q. *v is "tp", "benign", "review" (a static string; anything else in the
 * file is not believed) or NULL; *note borrowed until the next step of q, or NULL. */
#define CASE_VERDICT_SQL                                                                           \
    "SELECT verdict, note FROM verdicts WHERE stack_key = ?1 AND (host_key = ?2 OR host_key = "    \
    "'*') ORDER BY host_key = '*', id DESC LIMIT 1"
rh_status case_verdict(rh_case *c, sqlite3_stmt *q, const rh_buf *hk, const char *key,
                       size_t key_len, const char **v, const char **note);
/* Current UTC time as ISO 8601 (seconds) into out[32]. */
void case_now_iso(int64_t unix_seconds, char out[32]);

#endif
