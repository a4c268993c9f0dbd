/*
 * Machine COM registrations (CLSID -> servers, ProgID -> CLSID): entries in insertion order,
 * found through two ASCII case-insensitive string maps (CLSIDs and ProgIDs are separate names).
 */
#include "common/common.h"
#include "reghunt/score.h"

#define COMDB_MAX_ENTRIES (4u << 20) /* a large SOFTWARE hive has ~20k CLSIDs */

struct com_entry {
    char *val[RH_COM_SERVER_COUNT];
};

struct rh_comdb {
    rh_ctx *ctx;
    struct com_entry *e;
    size_t n, cap;
    struct rh_strmap by_name[2]; /* [0] CLSID, [1] ProgID -> index into e (keys copied) */
};

rh_status rh_comdb_create(rh_ctx *ctx, rh_comdb **out)
{
    rh_comdb *db = rh_calloc(ctx, 1, sizeof(*db));
    *out = NULL;
    if (!db) {
        return RH_ERR_NOMEM;
    }
    db->ctx = ctx;
    rh_strmap_init(&db->by_name[0], ctx, rh_hash_fnv1a_ci, RH_STRMAP_COPY | RH_STRMAP_ICASE, 512,
                   COMDB_MAX_ENTRIES);
    rh_strmap_init(&db->by_name[1], ctx, rh_hash_fnv1a_ci, RH_STRMAP_COPY | RH_STRMAP_ICASE, 512,
                   COMDB_MAX_ENTRIES);
    *out = db;
    return RH_OK;
}

void rh_comdb_destroy(rh_comdb *db)
{
    size_t i, k;
    if (!db) {
        return;
    }
    for (i = 0; i < db->n; i++) {
        for (k = 0; k < RH_COM_SERVER_COUNT; k++) {
            rh_free(db->ctx, db->e[i].val[k]);
        }
    }
    rh_free(db->ctx, db->e);
    rh_strmap_free(&db->by_name[0]);
    rh_strmap_free(&db->by_name[1]);
    rh_free(db->ctx, db);
}

static struct com_entry *lookup(const rh_comdb *db, const char *key, int progid)
{
    const struct rh_strmap_entry *m =
        db ? rh_strmap_find(&db->by_name[progid], key, strlen(key)) : NULL;
    return m ? &db->e[m->val] : NULL;
}

static rh_status get_or_add(rh_comdb *db, const char *key, int progid, struct com_entry **out)
{
    struct rh_strmap_entry *m;
    void *arr = db->e;
    bool added;
    rh_status st = rh_array_reserve(db->ctx, &arr, &db->cap, db->n + 1, sizeof(*db->e));
    if (st != RH_OK) {
        return st;
    }
    db->e = arr;
    st = rh_strmap_put(&db->by_name[progid], key, strlen(key), &m, &added);
    if (st != RH_OK) {
        return st;
    }
    if (added) {
        memset(&db->e[db->n], 0, sizeof(db->e[0]));
        m->val = db->n++;
    }
    *out = &db->e[m->val];
    return RH_OK;
}

rh_status rh_comdb_add(rh_comdb *db, const char *clsid, rh_com_server kind, const char *server)
{
    struct com_entry *e;
    char *v;
    rh_status st;
    if (!db || !clsid || !rh_is_braced_guid(clsid, strlen(clsid)) ||
        (unsigned)kind >= RH_COM_SERVER_COUNT || !server) {
        return RH_ERR_ARG;
    }
    st = get_or_add(db, clsid, 0, &e);
    if (st != RH_OK) {
        return st;
    }
    v = rh_strdup(db->ctx, server);
    if (!v) {
        return RH_ERR_NOMEM;
    }
    rh_free(db->ctx, e->val[kind]);
    e->val[kind] = v;
    return RH_OK;
}

rh_status rh_comdb_add_progid(rh_comdb *db, const char *progid, const char *clsid)
{
    struct com_entry *e;
    char *v;
    rh_status st;
    if (!db || !progid || !*progid || strlen(progid) > 512 || !clsid) {
        return RH_ERR_ARG;
    }
    st = get_or_add(db, progid, 1, &e);
    if (st != RH_OK) {
        return st;
    }
    v = rh_strdup(db->ctx, clsid);
    if (!v) {
        return RH_ERR_NOMEM;
    }
    rh_free(db->ctx, e->val[0]);
    e->val[0] = v;
    return RH_OK;
}

rh_status rh_comdb_get(const rh_comdb *db, const char *clsid, rh_com_server kind,
                       const char **server, int *known)
{
    struct com_entry *e = clsid ? lookup(db, clsid, 0) : NULL;
    if (known) {
        *known = e != NULL;
    }
    if (!e || (unsigned)kind >= RH_COM_SERVER_COUNT || !e->val[kind]) {
        return RH_NOT_FOUND;
    }
    if (server) {
        *server = e->val[kind];
    }
    return RH_OK;
}

rh_status rh_comdb_get_progid(const rh_comdb *db, const char *progid, const char **clsid)
{
    struct com_entry *e = progid ? lookup(db, progid, 1) : NULL;
    if (!e || !e->val[0]) {
        return RH_NOT_FOUND;
    }
    *clsid = e->val[0];
    return RH_OK;
}
