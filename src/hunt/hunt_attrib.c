/*
 * Attribution of HKCU writes to the writer's user hive: by the writer's SID or account, else
 * the only user hive of the host that holds the value (inferred, and said so).
 */
#include <stdio.h>
#include <stdlib.h>

#include "hunt_fuse_internal.h"
#include "reghunt/evtx.h"
#include "reghunt/regpath.h"

#define COMP "hunt"

/* ---- HKCU writes -> the writer's user hive -------------------------------------------------- */

/* Length of an HKCU root (any spelling, with its backslash) starting t, else 0. */
static size_t hkcu_root_len(const char *t, size_t n)
{
    rh_regpath_parts pp;
    rh_regpath_split(t, n, &pp);
    return pp.current_user ? (size_t)(pp.rest - t) : 0;
}

static int user_by_sid(const struct hunt_host_rec *r, const char *sid)
{
    size_t i;
    for (i = 0; i < r->nusers; i++) {
        if (r->users[i].sid &&
            rh_ascii_casecmp(r->users[i].sid, strlen(r->users[i].sid), sid, strlen(sid)) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* The host's user hive (index in r->users) of the account that wrote x, or -1. *named says
 * whether the event names a writer at all (SID, or Sysmon User / 4657 SubjectUserName as
 * "DOMAIN\name"). The name matches a profile folder "name" or "name.DOMAIN". */
static int writer_user(const struct hunt_host_rec *r, const struct hunt_hit *x, int *named)
{
    static const struct {
        const char *name, *sid;
    } wk[] = {{"SYSTEM", "S-1-5-18"},
              {"LOCAL SERVICE", "S-1-5-19"},
              {"LOCALSERVICE", "S-1-5-19"},
              {"NETWORK SERVICE", "S-1-5-20"},
              {"NETWORKSERVICE", "S-1-5-20"}};
    const char *u = x->user, *bs, *name;
    size_t i, nl, dl;
    int k;
    *named = 0;
    if (x->writer_sid[0]) {
        *named = 1;
        if ((k = user_by_sid(r, x->writer_sid)) >= 0) {
            return k;
        }
    }
    if (!u[0] || strcmp(u, "-") == 0) {
        return -1;
    }
    *named = 1;
    if (strncmp(u, "S-1-", 4) == 0) {
        return user_by_sid(r, u);
    }
    bs = strrchr(u, '\\');
    name = bs ? bs + 1 : u;
    nl = strlen(name);
    dl = bs ? (size_t)(bs - u) : 0;
    for (i = 0; i < sizeof(wk) / sizeof(wk[0]); i++) {
        if (rh_ascii_casecmp(name, nl, wk[i].name, strlen(wk[i].name)) == 0 &&
            (k = user_by_sid(r, wk[i].sid)) >= 0) {
            return k;
        }
    }
    for (i = 0; i < r->nusers; i++) {
        const char *p = r->users[i].user;
        size_t pl = p ? strlen(p) : 0;
        if (!p || pl < nl || rh_ascii_casecmp(p, nl, name, nl) != 0) {
            continue;
        }
        if (pl == nl || (dl && pl == nl + 1 + dl && p[nl] == '.' &&
                         rh_ascii_casecmp(p + nl + 1, dl, u, dl) == 0)) {
            return (int)i;
        }
    }
    return -1;
}

/* "HKU\<hku>\<rest>" for an HKCU target. Owned by out. */
static rh_status hku_path(const char *hku, const char *rest, size_t n, rh_buf *out)
{
    rh_status st;
    rh_buf_reset(out);
    st = rh_buf_printf(out, "HKU\\%s\\", hku);
    return st == RH_OK ? rh_buf_append(out, rest, n) : st;
}

/* Sysmon logs HKCU\... when it cannot name the SID (and SIEM exports may rewrite it). Point an
 * HKCU target at the writer's user hive on its host so that it merges with that hive's
 * finding; when the event names no writer, at the only user hive whose findings hold the
 * value (x->user_inferred). Otherwise the target stays as logged. */
rh_status hunt_resolve_hkcu(rh_hunt *h, struct hunt_hit *x, const struct mindex *mi)
{
    size_t rl = hkcu_root_len(x->target, x->target_len), i, rn;
    const struct hunt_host_rec *r;
    rh_buf p = RH_BUF_INIT(h->ctx);
    rh_status st = RH_OK;
    int named, k, found = -1, hits = 0;
    char *nt;
    if (!rl || (x->kind != HIT_WRITE && x->kind != HIT_SIGMA_EVENT)) {
        return RH_OK;
    }
    r = hunt_host_rec(h, x->host);
    if (!r || !r->nusers) {
        return RH_OK;
    }
    rn = x->target_len - rl;
    k = writer_user(r, x, &named);
    for (i = 0; k < 0 && !named && i < r->nusers && st == RH_OK; i++) {
        char *mk;
        size_t idx;
        st = hku_path(r->users[i].hku, x->target + rl, rn, &p);
        mk = st == RH_OK ? hunt_merge_key(h->ctx, r->name, p.data, p.len) : NULL;
        if (st == RH_OK && !mk) {
            st = RH_ERR_NOMEM;
        }
        if (mk && hunt_mindex_get(mi, mk, &idx)) {
            hits++;
            found = (int)i;
        }
        rh_free(h->ctx, mk);
    }
    if (st == RH_OK && k < 0 && hits == 1) {
        k = found;
        x->user_inferred = 1;
    }
    if (st == RH_OK && k >= 0) {
        st = hku_path(r->users[k].hku, x->target + rl, rn, &p);
        nt = st == RH_OK ? rh_strndup(h->ctx, p.data, p.len) : NULL;
        if (st == RH_OK && !nt) {
            st = RH_ERR_NOMEM;
        }
        if (nt) {
            rh_free(h->ctx, x->target);
            x->target = nt;
            x->target_len = p.len;
        }
    }
    rh_buf_free(&p);
    return st;
}

rh_status hunt_note_inferred(rh_hunt *h, struct hunt_finding *f)
{
    return hunt_add_reason(
        h, f,
        "HKCU write merged with this user's hive: user inferred (the event names "
        "no user and no other user hive on the host holds the value)");
}
