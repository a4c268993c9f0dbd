/*
 * Machine COM registrations (CLSID -> servers, ProgID -> CLSID), hashed by upper-cased key.
 */
#include "common/common.h"
#include "reghunt/score.h"

#define COMDB_MAX_ENTRIES (4u << 20) /* a large SOFTWARE hive has ~20k CLSIDs */

struct com_entry {
    char *key; /* upper-case CLSID or ProgID */
    char *val[RH_COM_SERVER_COUNT];
    int is_progid;
};

struct rh_comdb {
    rh_ctx *ctx;
    struct com_entry *e;
    size_t n, cap;
    uint32_t *slots; /* index+1, 0 = empty */
    size_t nslots;
};

static uint32_t hash_key(const char *s, size_t n, int progid)
{
    uint32_t h = progid ? 0x9E3779B9u : 2166136261u;
    size_t i;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z') {
            c = (char)(c - 32);
        }
        h = (h ^ (uint8_t)c) * 16777619u;
    }
    return h;
}

rh_status rh_comdb_create(rh_ctx *ctx, rh_comdb **out)
{
    rh_comdb *db = rh_calloc(ctx, 1, sizeof(*db));
    *out = NULL;
    if (!db) {
        return RH_ERR_NOMEM;
    }
    db->ctx = ctx;
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
        rh_free(db->ctx, db->e[i].key);
        for (k = 0; k < RH_COM_SERVER_COUNT; k++) {
            rh_free(db->ctx, db->e[i].val[k]);
        }
    }
    rh_free(db->ctx, db->e);
    rh_free(db->ctx, db->slots);
    rh_free(db->ctx, db);
}

static struct com_entry *lookup(const rh_comdb *db, const char *key, int progid)
{
    size_t n = strlen(key), i;
    uint32_t h;
    if (!db || !db->nslots) {
        return NULL;
    }
    h = hash_key(key, n, progid);
    for (i = 0; i < db->nslots; i++) {
        uint32_t s = db->slots[(h + i) & (db->nslots - 1)];
        struct com_entry *e;
        if (!s) {
            return NULL;
        }
        e = &db->e[s - 1];
        if (e->is_progid == progid && rh_ascii_casecmp(e->key, strlen(e->key), key, n) == 0) {
            return e;
        }
    }
    return NULL;
}

static rh_status rehash(rh_comdb *db, size_t nslots)
{
    uint32_t *s = rh_calloc(db->ctx, nslots, sizeof(uint32_t));
    size_t i;
    if (!s) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < db->n; i++) {
        uint32_t h = hash_key(db->e[i].key, strlen(db->e[i].key), db->e[i].is_progid);
        while (s[h & (nslots - 1)]) {
            h++;
        }
        s[h & (nslots - 1)] = (uint32_t)(i + 1);
    }
    rh_free(db->ctx, db->slots);
    db->slots = s;
    db->nslots = nslots;
    return RH_OK;
}

static rh_status get_or_add(rh_comdb *db, const char *key, int progid, struct com_entry **out)
{
    struct com_entry *e = lookup(db, key, progid);
    rh_status st;
    if (e) {
        *out = e;
        return RH_OK;
    }
    if (db->n >= COMDB_MAX_ENTRIES) {
        return RH_ERR_LIMIT;
    }
    if (db->n == db->cap) {
        size_t ncap = db->cap ? db->cap * 2 : 256;
        struct com_entry *ne = rh_realloc(db->ctx, db->e, ncap * sizeof(*ne));
        if (!ne) {
            return RH_ERR_NOMEM;
        }
        db->e = ne;
        db->cap = ncap;
    }
    e = &db->e[db->n];
    memset(e, 0, sizeof(*e));
    e->key = rh_strdup(db->ctx, key);
    if (!e->key) {
        return RH_ERR_NOMEM;
    }
    e->is_progid = progid;
    db->n++;
    if (db->n * 2 > db->nslots) {
        st = rehash(db, db->nslots ? db->nslots * 2 : 512);
        if (st != RH_OK) {
            db->n--;
            rh_free(db->ctx, e->key);
            return st;
        }
    } else {
        uint32_t h = hash_key(key, strlen(key), progid);
        while (db->slots[h & (db->nslots - 1)]) {
            h++;
        }
        db->slots[h & (db->nslots - 1)] = (uint32_t)db->n;
    }
    *out = &db->e[db->n - 1];
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
