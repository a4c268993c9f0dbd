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

/* ---- Windows build ------------------------------------------------------------------------- */

static uint32_t parse_uint(const char *s, size_t n)
{
    uint32_t v = 0;
    size_t i;
    for (i = 0; i < n && s[i] >= '0' && s[i] <= '9' && v < 100000000u; i++) {
        v = v * 10u + (uint32_t)(s[i] - '0');
    }
    return i ? v : 0;
}

/* SOFTWARE: CurrentBuildNumber, CurrentBuild, else the NT version ("5.1", "6.1" ...). */
static uint32_t build_from_software(const rh_hive *h, rh_buf *b, const char **src)
{
    static const char cv[] = "Microsoft\\Windows NT\\CurrentVersion";
    static const struct {
        const char *version;
        uint32_t build;
    } versions[] = {{"5.", 2600}, {"6.0", 6002}, {"6.1", 7601}, {"6.2", 9200}, {"6.3", 9600}};
    uint32_t v;
    size_t i;
    if (get_string(h, cv, "CurrentBuildNumber", b) == RH_OK &&
        (v = parse_uint(b->data, b->len)) != 0) {
        *src = "SOFTWARE CurrentBuildNumber";
        return v;
    }
    if (get_string(h, cv, "CurrentBuild", b) == RH_OK && (v = parse_uint(b->data, b->len)) != 0) {
        *src = "SOFTWARE CurrentBuild";
        return v;
    }
    if (get_string(h, cv, "CurrentVersion", b) == RH_OK) {
        for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
            size_t vl = strlen(versions[i].version);
            if (b->len >= vl && memcmp(b->data, versions[i].version, vl) == 0) {
                *src = "SOFTWARE CurrentVersion";
                return versions[i].build;
            }
        }
    }
    return 0;
}

/* SYSTEM: services that each family introduced (Delivery Optimization in 10, the broker
 * infrastructure in 8, the Base Filtering Engine in Vista). */
static uint32_t build_from_system(const rh_hive *h, uint32_t ccs)
{
    static const struct {
        const char *service;
        uint32_t build;
    } markers[] = {{"DoSvc", 10240}, {"BrokerInfrastructure", 9600}, {"BFE", 7601}};
    char path[128];
    rh_key k;
    size_t i;
    if (!ccs) {
        return 0;
    }
    for (i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
        snprintf(path, sizeof(path), "ControlSet%03u\\Services\\%s", ccs, markers[i].service);
        if (rh_key_find(h, RH_KEY_NONE, path, &k) == RH_OK) {
            return markers[i].build;
        }
    }
    snprintf(path, sizeof(path), "ControlSet%03u\\Services\\Tcpip", ccs);
    return rh_key_find(h, RH_KEY_NONE, path, &k) == RH_OK ? 2600 : 0;
}

/* NTUSER: keys each family's shell writes, else the profile layout of the AppData folder. */
static uint32_t build_from_ntuser(const rh_hive *h, rh_buf *b)
{
    static const char cv[] = "Software\\Microsoft\\Windows\\CurrentVersion\\";
    char path[160];
    rh_key k;
    snprintf(path, sizeof(path), "%sCloudStore", cv);
    if (rh_key_find(h, RH_KEY_NONE, path, &k) == RH_OK) {
        return 10240;
    }
    snprintf(path, sizeof(path), "%sImmersiveShell", cv);
    if (rh_key_find(h, RH_KEY_NONE, path, &k) == RH_OK) {
        return 9600;
    }
    snprintf(path, sizeof(path), "%sExplorer\\Shell Folders", cv);
    if (get_string(h, path, "AppData", b) == RH_OK) {
        if (rh_ascii_contains(b->data, "\\Application Data")) {
            return 2600;
        }
        if (rh_ascii_contains(b->data, "\\AppData\\Roaming")) {
            return 7601;
        }
    }
    return 0;
}

static rh_status detect_build(rh_collection *c, struct coll_host *host, size_t first, size_t end)
{
    rh_buf b = RH_BUF_INIT(c->ctx);
    size_t i;
    if (host->pub.software != RH_COLL_NONE && c->e[host->pub.software].hive) {
        host->pub.build =
            build_from_software(c->e[host->pub.software].hive, &b, &host->pub.build_source);
    }
    if (!host->pub.build && host->pub.system != RH_COLL_NONE && c->e[host->pub.system].hive) {
        host->pub.build =
            build_from_system(c->e[host->pub.system].hive, host->pub.current_control_set);
        host->pub.build_source = host->pub.build ? "SYSTEM services" : NULL;
    }
    for (i = first; i < end && !host->pub.build; i++) {
        rh_hive *hv = NULL;
        int was_open = c->e[i].hive != NULL;
        if (c->e[i].pub.kind != RH_HIVE_KIND_NTUSER || rh_collection_open(c, i, &hv) != RH_OK) {
            continue;
        }
        host->pub.build = build_from_ntuser(hv, &b);
        host->pub.build_source = host->pub.build ? "NTUSER layout" : NULL;
        if (!was_open) {
            rh_collection_release(c, i);
        }
    }
    rh_buf_free(&b);
    return RH_OK;
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

/* ---- user hives: profile name from the content ------------------------------------------- */

/* "<drive>:\Users\<name>\..." or "...\Documents and Settings\<name>\..." -> name. */
static int profile_name_of(const char *s, size_t n, const char **name, size_t *len)
{
    static const char *const roots[] = {":\\Users\\", ":\\Documents and Settings\\"};
    size_t r, i;
    for (r = 0; r < sizeof(roots) / sizeof(roots[0]); r++) {
        size_t rl = strlen(roots[r]);
        for (i = 1; i + rl < n; i++) {
            if (rh_ascii_casecmp(s + i, rl, roots[r], rl) == 0) {
                const char *u = s + i + rl, *e = memchr(u, '\\', n - i - rl);
                if (e && e > u && (size_t)(e - u) < 256 && !memchr(u, '\0', (size_t)(e - u))) {
                    *name = u;
                    *len = (size_t)(e - u);
                    return 1;
                }
                break;
            }
        }
    }
    return 0;
}

/* Profile folder name written inside a user hive: NTUSER Volatile Environment / Shell Folders
 * data, UsrClass MuiCache value names (C:\Users\<name>\...). Sets e->user when found. Used for
 * loose hives whose path and embedded name do not say whose they are (regipy's
 * NTUSER_modified.DAT embeds "...ny\Desktop\Vibranium-NTUSER.DAT"; UsrClass.dat embeds only
 * "\Microsoft\Windows\UsrClass.dat"). */
static rh_status user_from_content(rh_collection *c, struct coll_entry *e, const rh_hive *h)
{
    static const struct {
        const char *key, *value; /* value NULL: scan value names */
    } probes[] = {
        {"Volatile Environment", "USERPROFILE"},
        {"Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders", "AppData"},
        {"Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders", "Desktop"},
        {"Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders", "Personal"},
        {"Local Settings\\Software\\Microsoft\\Windows\\Shell\\MuiCache", NULL},
    };
    rh_buf b = RH_BUF_INIT(c->ctx);
    rh_status st = RH_OK;
    size_t p;
    const char *nm;
    size_t nl;
    for (p = 0; p < sizeof(probes) / sizeof(probes[0]) && st == RH_OK && !e->user; p++) {
        if (probes[p].value) {
            if (get_string(h, probes[p].key, probes[p].value, &b) == RH_OK &&
                profile_name_of(b.data, b.len, &nm, &nl)) {
                st = set_str(c->ctx, &e->user, nm, nl);
            }
        } else {
            rh_key k;
            uint32_t i, nv;
            if (rh_key_find(h, RH_KEY_NONE, probes[p].key, &k) != RH_OK) {
                continue;
            }
            nv = rh_key_value_count(h, k);
            for (i = 0; i < nv && i < 256 && st == RH_OK && !e->user; i++) {
                rh_buf_reset(&b);
                if (rh_value_name(h, rh_key_value_at(h, k, i), &b) == RH_OK && b.len &&
                    profile_name_of(b.data, b.len, &nm, &nl)) {
                    st = set_str(c->ctx, &e->user, nm, nl);
                }
            }
        }
    }
    rh_buf_free(&b);
    return st;
}

/* ---- loose files: several hives of one kind are several hosts ------------------------------ */

/* Kind name token as it appears in file names. */
static const char *kind_token(rh_hive_kind k)
{
    switch (k) {
    case RH_HIVE_KIND_SOFTWARE:
        return "software";
    case RH_HIVE_KIND_SYSTEM:
        return "system";
    case RH_HIVE_KIND_SAM:
        return "sam";
    case RH_HIVE_KIND_SECURITY:
        return "security";
    case RH_HIVE_KIND_NTUSER:
        return "ntuser";
    case RH_HIVE_KIND_USRCLASS:
        return "usrclass";
    case RH_HIVE_KIND_DEFAULT:
        return "default";
    case RH_HIVE_KIND_AMCACHE:
        return "amcache";
    case RH_HIVE_KIND_BCD:
        return "bcd";
    default:
        return NULL;
    }
}

static int is_sep(char ch)
{
    return ch == '_' || ch == '-' || ch == '.' || ch == ' ';
}

/* File-name stem that tells sibling hives of different machines apart: the base name without
 * its extension and without the kind token, lower-cased ("SYSTEM_B" -> "b", "NTUSER_modified.DAT"
 * -> "modified", "SYSTEM" -> ""). Written into out (NUL-terminated). */
static void file_stem(const struct coll_entry *e, char *out, size_t cap)
{
    const char *b = strrchr(e->norm, '/'), *tok = kind_token(e->pub.kind), *dot;
    size_t n, tl = tok ? strlen(tok) : 0, i, o = 0, cut = (size_t)-1;
    b = b ? b + 1 : e->norm;
    n = strlen(b);
    dot = strrchr(b, '.');
    if (dot && dot != b && n - (size_t)(dot - b) <= 4) {
        n = (size_t)(dot - b);
    }
    for (i = 0; tl && i + tl <= n; i++) {
        if (rh_ascii_casecmp(b + i, tl, tok, tl) == 0) {
            cut = i;
            break;
        }
    }
    for (i = 0; i < n && o + 1 < cap; i++) {
        char ch = b[i];
        if (cut != (size_t)-1 && i >= cut && i < cut + tl) {
            continue;
        }
        if (is_sep(ch)) {
            if (o == 0 || is_sep(out[o - 1])) {
                continue;
            }
            ch = '_';
        }
        out[o++] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
    while (o && is_sep(out[o - 1])) {
        o--;
    }
    out[o] = '\0';
}

/* In a loose-files group (no KAPE/Velociraptor layout) holding more than one SYSTEM or
 * SOFTWARE hive, every hive whose file-name stem is not empty moves to its own host, keyed by
 * that stem (SYSTEM_B and SOFTWARE_B stay together; NTUSER.DAT stays with SYSTEM). Each SYSTEM
 * then supplies its own ComputerName and CurrentControlSet. Entries must be sorted by host
 * key; returns 1 in *changed when host keys were rewritten (sort again). */
static rh_status split_loose(rh_collection *c, int *changed)
{
    size_t i, j, k;
    rh_status st = RH_OK;
    *changed = 0;
    for (i = 0; i < c->n && st == RH_OK; i = j) {
        unsigned nsys = 0, nsw = 0;
        for (j = i; j < c->n && strcmp(c->e[j].host_key, c->e[i].host_key) == 0; j++) {
            struct coll_entry *e = &c->e[j];
            if (strcmp(e->layout, "files") != 0) {
                continue;
            }
            if (e->pub.kind == RH_HIVE_KIND_UNKNOWN) {
                rh_hive *hv = NULL;
                if (rh_collection_open(c, j, &hv) == RH_OK) {
                    e->pub.kind = sniff_kind(hv);
                    rh_collection_release(c, j);
                }
            }
            nsys += e->pub.kind == RH_HIVE_KIND_SYSTEM;
            nsw += e->pub.kind == RH_HIVE_KIND_SOFTWARE;
        }
        if (nsys < 2 && nsw < 2) {
            continue;
        }
        for (k = i; k < j && st == RH_OK; k++) {
            struct coll_entry *e = &c->e[k];
            char stem[128];
            rh_buf key = RH_BUF_INIT(c->ctx), folder = RH_BUF_INIT(c->ctx);
            const char *b, *dot;
            size_t bn;
            if (strcmp(e->layout, "files") != 0) {
                continue;
            }
            file_stem(e, stem, sizeof(stem));
            if (!stem[0]) {
                continue;
            }
            b = strrchr(e->norm, '/');
            b = b ? b + 1 : e->norm;
            bn = strlen(b);
            dot = strrchr(b, '.');
            if (dot && dot != b && bn - (size_t)(dot - b) <= 4) {
                bn = (size_t)(dot - b);
            }
            st = rh_buf_printf(&key, "%s//%s", e->host_key, stem);
            if (st == RH_OK) {
                st = rh_buf_printf(&folder, "%s/%.*s", e->host_folder, (int)bn, b);
            }
            if (st == RH_OK) {
                rh_free(c->ctx, e->host_key);
                rh_free(c->ctx, e->host_folder);
                e->host_key = key.data;
                e->host_folder = folder.data;
                *changed = 1;
            } else {
                rh_buf_free(&key);
                rh_buf_free(&folder);
            }
        }
    }
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
    if (st == RH_OK && !e->user && e->hive) {
        st = user_from_content(c, e, e->hive);
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
    int changed = 0;
    if (c->n > 1) {
        rh_sort(c->e, c->n, sizeof(c->e[0]), cmp_entry);
        st = split_loose(c, &changed);
        if (st != RH_OK) {
            return st;
        }
        if (changed) {
            rh_sort(c->e, c->n, sizeof(c->e[0]), cmp_entry);
        }
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
        if (st == RH_OK) {
            st = detect_build(c, host, i, j);
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

static int cmp_events(const void *a, const void *b)
{
    return strcmp(((const struct coll_events *)a)->source, ((const struct coll_events *)b)->source);
}

/* Event log members: deterministic order, and the host whose hives share their folder. */
static void resolve_events(rh_collection *c)
{
    size_t i, lo, hi;
    if (c->nev > 1) {
        rh_sort(c->ev, c->nev, sizeof(c->ev[0]), cmp_events);
    }
    for (i = 0; i < c->nev; i++) {
        struct coll_events *ev = &c->ev[i];
        ev->pub.source = ev->source;
        ev->pub.folder = ev->host_folder;
        ev->pub.host = RH_COLL_NONE;
        /* Hives are sorted by host key (collect_resolve): binary search for it. */
        lo = 0;
        hi = c->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(c->e[mid].host_key, ev->host_key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < c->n && strcmp(c->e[lo].host_key, ev->host_key) == 0) {
            ev->pub.host = c->e[lo].pub.host;
        }
    }
}

rh_status rh_collection_finish(rh_collection *c)
{
    rh_status st;
    if (!c || c->finished) {
        return RH_ERR_ARG;
    }
    c->finished = 1;
    st = collect_resolve(c);
    if (st == RH_OK) {
        resolve_events(c);
    }
    return st;
}
