/*
 * Collection hosts: grouping, hive kinds by content, ComputerName, control sets, profiles.
 */
#include <stdio.h>
#include <stdlib.h>

#include "collect_internal.h"
#include "reghunt/interp.h"

#define COMP "collect"

static int cmp_entry(const void *a, const void *b)
{
    const struct coll_entry *x = a, *y = b;
    int r = strcmp(x->host_key, y->host_key);
    return r ? r : strcmp(x->source, y->source);
}

/* Read a string value (SZ/EXPAND_SZ) into out (reset first). RH_OK or RH_NOT_FOUND. */
static rh_status get_string(const rh_hive *h, const char *key, const char *name, rh_buf *out)
{
    rh_key k;
    rh_value v;
    rh_value_info vi;
    const uint8_t *d;
    size_t n;
    rh_buf scratch = RH_BUF_INIT(out->ctx);
    rh_status st;
    rh_buf_reset(out);
    if (rh_key_find(h, RH_KEY_NONE, key, &k) != RH_OK ||
        rh_key_value_find(h, k, name, strlen(name), &v) != RH_OK ||
        rh_value_get_info(h, v, &vi) != RH_OK || !rh_reg_type_is_string(vi.type)) {
        return RH_NOT_FOUND;
    }
    st = rh_value_data(h, v, &d, &n, &scratch);
    if (st == RH_OK) {
        st = rh_reg_string(d, n, out);
    }
    rh_buf_free(&scratch);
    return st == RH_OK && out->len > 0 ? RH_OK : (st == RH_ERR_NOMEM ? st : RH_NOT_FOUND);
}

static int get_dword(rh_ctx *ctx, const rh_hive *h, const char *key, const char *name,
                     uint32_t *out)
{
    rh_key k;
    rh_value v;
    const uint8_t *d;
    size_t n;
    rh_buf scratch = RH_BUF_INIT(ctx);
    int ok = 0;
    if (rh_key_find(h, RH_KEY_NONE, key, &k) == RH_OK &&
        rh_key_value_find(h, k, name, strlen(name), &v) == RH_OK &&
        rh_value_data(h, v, &d, &n, &scratch) == RH_OK && n >= 4) {
        *out = rh_le32(d);
        ok = 1;
    }
    rh_buf_free(&scratch);
    return ok;
}

static int has_child(const rh_hive *h, const char *name)
{
    rh_key k;
    return rh_key_child(h, rh_hive_root(h), name, strlen(name), &k) == RH_OK;
}

/* Kind from the root's children, for files whose name and embedded name say nothing. */
static rh_hive_kind sniff_kind(const rh_hive *h)
{
    if (has_child(h, "Select") && has_child(h, "ControlSet001")) {
        return RH_HIVE_KIND_SYSTEM;
    }
    if (has_child(h, "Software") &&
        (has_child(h, "Environment") || has_child(h, "Control Panel") || has_child(h, "Console"))) {
        return RH_HIVE_KIND_NTUSER;
    }
    if (has_child(h, "Microsoft") && (has_child(h, "Classes") || has_child(h, "Policies"))) {
        return RH_HIVE_KIND_SOFTWARE;
    }
    if (has_child(h, "Local Settings") || (has_child(h, "CLSID") && !has_child(h, "Software"))) {
        return RH_HIVE_KIND_USRCLASS;
    }
    if (has_child(h, "SAM")) {
        return RH_HIVE_KIND_SAM;
    }
    if (has_child(h, "Policy")) {
        return RH_HIVE_KIND_SECURITY;
    }
    if (has_child(h, "Objects")) {
        return RH_HIVE_KIND_BCD;
    }
    if (has_child(h, "Root")) {
        return RH_HIVE_KIND_AMCACHE;
    }
    return RH_HIVE_KIND_UNKNOWN;
}

static rh_status set_str(rh_ctx *ctx, char **dst, const char *s, size_t n)
{
    char *v = rh_strndup(ctx, s, n);
    if (!v) {
        return RH_ERR_NOMEM;
    }
    rh_free(ctx, *dst);
    *dst = v;
    return RH_OK;
}

/* ---- SYSTEM ------------------------------------------------------------------------------ */

static rh_status read_system(rh_collection *c, struct coll_host *host, const rh_hive *h)
{
    uint32_t cur = 0, n;
    rh_key k;
    rh_buf b = RH_BUF_INIT(c->ctx);
    rh_status st = RH_OK;
    char path[128];
    for (k = rh_key_first_child(h, rh_hive_root(h)); k != RH_KEY_NONE;
         k = rh_key_next_sibling(h, k)) {
        rh_key_info ki;
        if (rh_key_get_info(h, k, &ki) == RH_OK && !(ki.flags & RH_KEY_DELETED) &&
            ki.name_len == 13 && rh_ascii_casecmp(ki.name, 10, "ControlSet", 10) == 0 &&
            ki.name[10] >= '0' && ki.name[10] <= '9' && ki.name[11] >= '0' && ki.name[11] <= '9' &&
            ki.name[12] >= '0' && ki.name[12] <= '9') {
            n = (uint32_t)((ki.name[10] - '0') * 100 + (ki.name[11] - '0') * 10 +
                           (ki.name[12] - '0'));
            if (n >= 1 && n <= 31) {
                host->pub.control_sets |= 1u << n;
            }
        }
    }
    if (get_dword(c->ctx, h, "Select", "Current", &cur) && cur >= 1 && cur <= 31 &&
        (host->pub.control_sets & (1u << cur))) {
        host->pub.current_control_set = cur;
    } else {
        for (n = 1; n <= 31; n++) {
            if (host->pub.control_sets & (1u << n)) {
                host->pub.current_control_set = n;
                break;
            }
        }
    }
    if (host->pub.current_control_set) {
        snprintf(path, sizeof(path), "ControlSet%03u\\Control\\ComputerName\\ComputerName",
                 host->pub.current_control_set);
        st = get_string(h, path, "ComputerName", &b);
        if (st == RH_OK) {
            st = set_str(c->ctx, &host->name, b.data, b.len);
        } else if (st == RH_NOT_FOUND) {
            st = RH_OK;
        }
    }
    rh_buf_free(&b);
    return st;
}

/* ---- SOFTWARE ProfileList ------------------------------------------------------------------ */

/* Expand %SystemDrive% / %SystemRoot% in a ProfileImagePath. */
static rh_status expand_profile(rh_collection *c, const struct coll_host *host, const char *s,
                                char **out)
{
    rh_env *env = NULL;
    rh_buf b = RH_BUF_INIT(c->ctx);
    rh_status st = rh_env_create(c->ctx, &env);
    if (st == RH_OK && host->system_root) {
        st = rh_env_set(env, "SystemRoot", host->system_root);
        if (st == RH_OK && strlen(host->system_root) >= 2 && host->system_root[1] == ':') {
            char drive[3] = {host->system_root[0], ':', '\0'};
            st = rh_env_set(env, "SystemDrive", drive);
        }
    }
    if (st == RH_OK) {
        st = rh_env_expand(env, s, strlen(s), &b, NULL);
    }
    rh_env_destroy(env);
    if (st == RH_OK) {
        *out = b.data ? b.data : rh_strdup(c->ctx, "");
        return *out ? RH_OK : RH_ERR_NOMEM;
    }
    rh_buf_free(&b);
    return st;
}

static const char *last_component(const char *p)
{
    const char *s = strrchr(p, '\\');
    return s ? s + 1 : p;
}

/* Map the host's user hives through ProfileList. */
static rh_status read_profiles(rh_collection *c, struct coll_host *host, const rh_hive *h,
                               size_t first, size_t end)
{
    rh_key pl, k;
    rh_buf b = RH_BUF_INIT(c->ctx);
    rh_status st = RH_OK;
    unsigned guard = 0;
    if (get_string(h, "Microsoft\\Windows NT\\CurrentVersion", "SystemRoot", &b) == RH_OK) {
        st = set_str(c->ctx, &host->system_root, b.data, b.len);
        host->pub.system_root = host->system_root;
    }
    if (st != RH_OK ||
        rh_key_find(h, RH_KEY_NONE, "Microsoft\\Windows NT\\CurrentVersion\\ProfileList", &pl) !=
            RH_OK) {
        rh_buf_free(&b);
        return st;
    }
    for (k = rh_key_first_child(h, pl); k != RH_KEY_NONE && st == RH_OK && guard < 100000;
         k = rh_key_next_sibling(h, k), guard++) {
        rh_key_info ki;
        rh_value v;
        const uint8_t *d;
        size_t n, i;
        char *sid = NULL, *profile = NULL;
        rh_buf scratch = RH_BUF_INIT(c->ctx);
        if (rh_key_get_info(h, k, &ki) != RH_OK || (ki.flags & RH_KEY_DELETED) || ki.name_len < 4 ||
            memchr(ki.name, '\0', ki.name_len) ||
            rh_key_value_find(h, k, "ProfileImagePath", 16, &v) != RH_OK ||
            rh_value_data(h, v, &d, &n, &scratch) != RH_OK) {
            rh_buf_free(&scratch);
            continue;
        }
        rh_buf_reset(&b);
        st = rh_reg_string(d, n, &b);
        rh_buf_free(&scratch);
        if (st != RH_OK || !b.data) {
            continue;
        }
        sid = rh_strndup(c->ctx, ki.name, ki.name_len);
        st = sid ? expand_profile(c, host, b.data, &profile) : RH_ERR_NOMEM;
        for (i = first; i < end && st == RH_OK; i++) {
            struct coll_entry *e = &c->e[i];
            const char *pn = last_component(profile);
            int match;
            if (e->pub.kind != RH_HIVE_KIND_NTUSER && e->pub.kind != RH_HIVE_KIND_USRCLASS) {
                continue;
            }
            match = e->user_sid ? strcmp(e->user_sid, sid) == 0
                                : (e->user &&
                                   rh_ascii_casecmp(e->user, strlen(e->user), pn, strlen(pn)) == 0);
            if (!match) {
                continue;
            }
            if (!e->user_sid) {
                st = set_str(c->ctx, &e->user_sid, sid, strlen(sid));
            }
            if (st == RH_OK) {
                st = set_str(c->ctx, &e->profile_dir, profile, strlen(profile));
            }
            if (st == RH_OK && !e->user) {
                st = set_str(c->ctx, &e->user, pn, strlen(pn));
            }
        }
        rh_free(c->ctx, sid);
        rh_free(c->ctx, profile);
    }
    rh_buf_free(&b);
    return st;
}

/* ---- resolve ----------------------------------------------------------------------------- */

static rh_status resolve_user_fallbacks(rh_collection *c, struct coll_entry *e)
{
    rh_status st = RH_OK;
    if (e->pub.kind != RH_HIVE_KIND_NTUSER && e->pub.kind != RH_HIVE_KIND_USRCLASS) {
        return RH_OK;
    }
    if (!e->user && e->embedded_user) {
        st = set_str(c->ctx, &e->user, e->embedded_user, strlen(e->embedded_user));
    }
    if (st == RH_OK && !e->user_sid && e->hive) {
        rh_buf b = RH_BUF_INIT(c->ctx);
        if (rh_key_owner_sid(e->hive, rh_hive_root(e->hive), &b) == RH_OK && b.data &&
            strncmp(b.data, "S-1-5-21-", 9) == 0) {
            st = set_str(c->ctx, &e->user_sid, b.data, b.len);
        }
        rh_buf_free(&b);
    }
    if (st == RH_OK && !e->profile_dir && e->user) {
        rh_buf b = RH_BUF_INIT(c->ctx);
        st = rh_buf_printf(&b, "C:\\Users\\%s", e->user);
        if (st == RH_OK) {
            e->profile_dir = b.data;
        } else {
            rh_buf_free(&b);
        }
    }
    return st;
}

rh_status collect_resolve(rh_collection *c)
{
    size_t i, j, h = 0;
    rh_status st = RH_OK;
    if (c->n > 1) {
        qsort(c->e, c->n, sizeof(c->e[0]), cmp_entry);
    }
    for (i = 0; i < c->n; i++) {
        if (i == 0 || strcmp(c->e[i].host_key, c->e[i - 1].host_key) != 0) {
            c->nhosts++;
        }
    }
    c->hosts = rh_calloc(c->ctx, c->nhosts ? c->nhosts : 1, sizeof(*c->hosts));
    if (!c->hosts) {
        c->nhosts = 0;
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < c->n && st == RH_OK; i = j) {
        struct coll_host *host = &c->hosts[h];
        host->pub.system = RH_COLL_NONE;
        host->pub.software = RH_COLL_NONE;
        host->folder = rh_strdup(c->ctx, c->e[i].host_folder);
        host->pub.layout = c->e[i].layout;
        if (!host->folder) {
            return RH_ERR_NOMEM;
        }
        for (j = i; j < c->n && strcmp(c->e[j].host_key, c->e[i].host_key) == 0; j++) {
            struct coll_entry *e = &c->e[j];
            rh_hive *hv = NULL;
            e->pub.host = h;
            if (e->pub.kind == RH_HIVE_KIND_UNKNOWN && rh_collection_open(c, j, &hv) == RH_OK) {
                e->pub.kind = sniff_kind(hv);
                if (e->pub.kind != RH_HIVE_KIND_SYSTEM && e->pub.kind != RH_HIVE_KIND_SOFTWARE) {
                    rh_collection_release(c, j);
                }
            }
            if (e->pub.kind == RH_HIVE_KIND_SYSTEM && host->pub.system == RH_COLL_NONE &&
                rh_collection_open(c, j, &hv) == RH_OK) {
                host->pub.system = j;
                st = read_system(c, host, hv);
            } else if (e->pub.kind == RH_HIVE_KIND_SOFTWARE && host->pub.software == RH_COLL_NONE &&
                       rh_collection_open(c, j, &hv) == RH_OK) {
                host->pub.software = j;
            }
        }
        if (st == RH_OK && host->pub.software != RH_COLL_NONE) {
            st = read_profiles(c, host, c->e[host->pub.software].hive, i, j);
        }
        for (size_t k = i; k < j && st == RH_OK; k++) {
            struct coll_entry *e = &c->e[k];
            if (!e->user_sid &&
                (e->pub.kind == RH_HIVE_KIND_NTUSER || e->pub.kind == RH_HIVE_KIND_USRCLASS)) {
                rh_hive *hv = NULL;
                int was_open = e->hive != NULL;
                if (rh_collection_open(c, k, &hv) == RH_OK) {
                    st = resolve_user_fallbacks(c, e);
                    if (!was_open) {
                        rh_collection_release(c, k);
                    }
                } else {
                    st = resolve_user_fallbacks(c, e);
                }
            } else if (st == RH_OK) {
                st = resolve_user_fallbacks(c, e);
            }
        }
        if (st == RH_OK && !host->name) {
            host->name = rh_strdup(c->ctx, host->folder);
            if (!host->name) {
                st = RH_ERR_NOMEM;
            }
        }
        host->pub.name = host->name;
        host->pub.folder = host->folder;
        h++;
    }
    /* Publish the per-entry strings. */
    for (i = 0; i < c->n; i++) {
        struct coll_entry *e = &c->e[i];
        e->pub.source = e->source;
        e->pub.user = e->user;
        e->pub.user_sid = e->user_sid;
        e->pub.profile_dir = e->profile_dir;
    }
    return st;
}

rh_status rh_collection_finish(rh_collection *c)
{
    rh_status st;
    if (!c || c->finished) {
        return RH_ERR_ARG;
    }
    c->finished = 1;
    st = collect_resolve(c);
    return st;
}
