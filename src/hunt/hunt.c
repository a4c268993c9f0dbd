/*
 * The hunt: per host, environment and machine COM registrations from the hives, then a
 * pruned walk of every SOFTWARE / SYSTEM / NTUSER / UsrClass hive, scoring each value at a
 * knowledge-base location.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hunt_internal.h"

#define COMP "hunt"

/* Everything one hive walk needs. */
struct walk {
    rh_hunt *h;
    rh_collection *coll;
    const rh_coll_host *host;
    const rh_coll_hive *ch;
    rh_hive *hive;
    rh_kb_hive kbh;
    const char *hive_kind;
    rh_buf prefix; /* canonical prefix: "HKLM\SOFTWARE\", "HKU\<SID>\" ... */
    rh_env *env;
    const rh_comdb *com;
    rh_hive *sw, *sys, *ntuser, *usrclass; /* related hives for the lookup callback */
    uint32_t ccs;
    const char *user, *user_sid, *profile_dir;
    rh_buf path, name, scratch, decoded, text, canon, tmp;
};

/* ---- small hive helpers ------------------------------------------------------------------ */

/* Raw data of value `name` under `key` of h. RH_OK, RH_NOT_FOUND. */
static rh_status value_raw(const rh_hive *h, const char *key, const char *name, uint32_t *type,
                           const uint8_t **d, size_t *n, rh_buf *scratch)
{
    rh_key k;
    rh_value v;
    rh_value_info vi;
    if (!h || rh_key_find(h, RH_KEY_NONE, key, &k) != RH_OK ||
        rh_key_value_find(h, k, name, strlen(name), &v) != RH_OK ||
        rh_value_get_info(h, v, &vi) != RH_OK) {
        return RH_NOT_FOUND;
    }
    *type = vi.type;
    return rh_value_data(h, v, d, n, scratch) == RH_OK ? RH_OK : RH_NOT_FOUND;
}

static rh_status env_from_value(rh_env *env, const rh_hive *h, const char *key, const char *name,
                                const char *var, rh_buf *scratch, rh_buf *tmp)
{
    uint32_t type;
    const uint8_t *d;
    size_t n;
    if (value_raw(h, key, name, &type, &d, &n, scratch) != RH_OK || !rh_reg_type_is_string(type)) {
        return RH_OK;
    }
    rh_buf_reset(tmp);
    if (rh_reg_string(d, n, tmp) != RH_OK) {
        return RH_ERR_NOMEM;
    }
    if (!tmp->data || !tmp->len) {
        return RH_OK;
    }
    return rh_env_set(env, var, tmp->data) == RH_ERR_NOMEM ? RH_ERR_NOMEM : RH_OK;
}

/* Every string value of a key as a variable (Session Manager\Environment, HKCU\Environment). */
static rh_status env_from_key(rh_env *env, const rh_hive *h, const char *key, rh_buf *scratch,
                              rh_buf *tmp, rh_buf *name)
{
    rh_key k;
    uint32_t i, n;
    rh_status st = RH_OK;
    if (!h || rh_key_find(h, RH_KEY_NONE, key, &k) != RH_OK) {
        return RH_OK;
    }
    n = rh_key_value_count(h, k);
    for (i = 0; i < n && i < 4096 && st == RH_OK; i++) {
        rh_value v = rh_key_value_at(h, k, i);
        rh_value_info vi;
        const uint8_t *d;
        size_t dl;
        rh_buf_reset(name);
        if (rh_value_get_info(h, v, &vi) != RH_OK || (vi.flags & RH_VALUE_DELETED) ||
            !rh_reg_type_is_string(vi.type) || rh_value_name(h, v, name) != RH_OK || !name->len ||
            memchr(name->data, '\0', name->len) || rh_value_data(h, v, &d, &dl, scratch) != RH_OK) {
            continue;
        }
        rh_buf_reset(tmp);
        st = rh_reg_string(d, dl, tmp);
        if (st == RH_OK && tmp->data && tmp->len &&
            rh_env_set(env, name->data, tmp->data) == RH_ERR_NOMEM) {
            st = RH_ERR_NOMEM;
        }
    }
    return st;
}

static rh_status build_env(struct walk *w)
{
    rh_status st = rh_env_create(w->h->ctx, &w->env);
    char key[96];
    if (st != RH_OK) {
        return st;
    }
    if (w->sys && w->ccs) {
        snprintf(key, sizeof(key), "ControlSet%03u\\Control\\Session Manager\\Environment", w->ccs);
        st = env_from_key(w->env, w->sys, key, &w->scratch, &w->tmp, &w->name);
    }
    if (st == RH_OK && w->sw) {
        static const char *const map[][3] = {
            {"Microsoft\\Windows NT\\CurrentVersion", "SystemRoot", "SystemRoot"},
            {"Microsoft\\Windows NT\\CurrentVersion", "SystemRoot", "windir"},
            {"Microsoft\\Windows\\CurrentVersion", "ProgramFilesDir", "ProgramFiles"},
            {"Microsoft\\Windows\\CurrentVersion", "ProgramFilesDir (x86)", "ProgramFiles(x86)"},
            {"Microsoft\\Windows\\CurrentVersion", "ProgramW6432Dir", "ProgramW6432"},
            {"Microsoft\\Windows\\CurrentVersion", "CommonFilesDir", "CommonProgramFiles"},
            {"Microsoft\\Windows NT\\CurrentVersion\\ProfileList", "ProgramData", "ProgramData"},
            {"Microsoft\\Windows NT\\CurrentVersion\\ProfileList", "ProgramData",
             "ALLUSERSPROFILE"},
            {"Microsoft\\Windows NT\\CurrentVersion\\ProfileList", "Public", "PUBLIC"},
        };
        size_t i;
        for (i = 0; i < sizeof(map) / sizeof(map[0]) && st == RH_OK; i++) {
            st = env_from_value(w->env, w->sw, map[i][0], map[i][1], map[i][2], &w->scratch,
                                &w->tmp);
        }
    }
    if (st == RH_OK && w->host->system_root && strlen(w->host->system_root) >= 2 &&
        w->host->system_root[1] == ':') {
        char drive[3] = {w->host->system_root[0], ':', '\0'};
        st = rh_env_set(w->env, "SystemDrive", drive);
    }
    if (st == RH_OK && w->profile_dir) {
        st = rh_env_set_profile(w->env, w->profile_dir, w->user ? w->user : "user");
    }
    if (st == RH_OK && w->ntuser) {
        st = env_from_key(w->env, w->ntuser, "Environment", &w->scratch, &w->tmp, &w->name);
        if (st == RH_OK) {
            st = env_from_key(w->env, w->ntuser, "Volatile Environment", &w->scratch, &w->tmp,
                              &w->name);
        }
    }
    return st;
}

/* ---- machine COM database -------------------------------------------------------------- */

static rh_status default_string(const rh_hive *h, rh_key k, rh_buf *scratch, rh_buf *out)
{
    rh_value v;
    rh_value_info vi;
    const uint8_t *d;
    size_t n;
    rh_buf_reset(out);
    if (rh_key_value_find(h, k, "", 0, &v) != RH_OK || rh_value_get_info(h, v, &vi) != RH_OK ||
        !rh_reg_type_is_string(vi.type) || rh_value_data(h, v, &d, &n, scratch) != RH_OK) {
        return RH_NOT_FOUND;
    }
    return rh_reg_string(d, n, out);
}

static rh_status com_view(rh_comdb *db, const rh_hive *h, const char *root, struct walk *w)
{
    static const struct {
        const char *sub;
        rh_com_server kind;
    } subs[] = {{"InprocServer32", RH_COM_INPROC},
                {"LocalServer32", RH_COM_LOCAL},
                {"InprocHandler32", RH_COM_HANDLER},
                {"TreatAs", RH_COM_TREATAS}};
    rh_key base, k;
    uint32_t guard = 0;
    rh_status st = RH_OK;
    if (rh_key_find(h, RH_KEY_NONE, root, &base) != RH_OK) {
        return RH_OK;
    }
    for (k = rh_key_first_child(h, base);
         k != RH_KEY_NONE && st == RH_OK && guard < HUNT_MAX_CLASSES;
         k = rh_key_next_sibling(h, k), guard++) {
        rh_key_info ki;
        size_t i;
        if (rh_key_get_info(h, k, &ki) != RH_OK || (ki.flags & RH_KEY_DELETED) ||
            !rh_is_braced_guid(ki.name, ki.name_len)) {
            continue;
        }
        rh_buf_reset(&w->name);
        st = rh_buf_append(&w->name, ki.name, ki.name_len);
        for (i = 0; i < sizeof(subs) / sizeof(subs[0]) && st == RH_OK; i++) {
            rh_key sk;
            rh_status ds;
            if (rh_key_child(h, k, subs[i].sub, strlen(subs[i].sub), &sk) != RH_OK) {
                continue;
            }
            ds = default_string(h, sk, &w->scratch, &w->tmp);
            if (ds == RH_ERR_NOMEM) {
                st = ds;
                break;
            }
            ds = rh_comdb_add(db, w->name.data, subs[i].kind,
                              ds == RH_OK && w->tmp.data ? w->tmp.data : "");
            if (ds == RH_ERR_NOMEM) {
                st = ds;
            }
        }
    }
    return st;
}

static rh_status com_progids(rh_comdb *db, const rh_hive *h, struct walk *w)
{
    rh_key base, k;
    uint32_t guard = 0;
    rh_status st = RH_OK;
    if (rh_key_find(h, RH_KEY_NONE, "Classes", &base) != RH_OK) {
        return RH_OK;
    }
    for (k = rh_key_first_child(h, base);
         k != RH_KEY_NONE && st == RH_OK && guard < HUNT_MAX_CLASSES;
         k = rh_key_next_sibling(h, k), guard++) {
        rh_key_info ki;
        rh_key ck;
        rh_status ds;
        if (rh_key_get_info(h, k, &ki) != RH_OK || (ki.flags & RH_KEY_DELETED) ||
            ki.name_len == 0 || ki.name[0] == '.' || ki.name[0] == '{' ||
            memchr(ki.name, '\0', ki.name_len) || rh_key_child(h, k, "CLSID", 5, &ck) != RH_OK) {
            continue;
        }
        ds = default_string(h, ck, &w->scratch, &w->tmp);
        if (ds == RH_ERR_NOMEM) {
            return ds;
        }
        if (ds != RH_OK || !w->tmp.data) {
            continue;
        }
        rh_buf_reset(&w->name);
        st = rh_buf_append(&w->name, ki.name, ki.name_len);
        if (st == RH_OK && rh_comdb_add_progid(db, w->name.data, w->tmp.data) == RH_ERR_NOMEM) {
            st = RH_ERR_NOMEM;
        }
    }
    return st;
}

static rh_status build_comdb(rh_ctx *ctx, const rh_hive *sw, struct walk *w, rh_comdb **out)
{
    rh_status st = rh_comdb_create(ctx, out);
    if (st == RH_OK) {
        st = com_view(*out, sw, "Wow6432Node\\Classes\\CLSID", w);
    }
    if (st == RH_OK) {
        st = com_view(*out, sw, "Classes\\CLSID", w); /* native view wins */
    }
    if (st == RH_OK) {
        st = com_progids(*out, sw, w);
    }
    if (st != RH_OK) {
        rh_comdb_destroy(*out);
        *out = NULL;
    }
    return st;
}

/* ---- related values for the scorer --------------------------------------------------------- */

static rh_status lookup_cb(void *user, rh_kb_hive hive, const char *key_path,
                           const char *value_name, uint32_t *type, rh_buf *out)
{
    struct walk *w = user;
    const rh_hive *h = NULL;
    rh_buf key = RH_BUF_INIT(w->h->ctx);
    rh_buf scratch = RH_BUF_INIT(w->h->ctx);
    const uint8_t *d;
    size_t n;
    rh_status st;
    switch (hive) {
    case RH_KB_HIVE_SOFTWARE:
        h = w->sw;
        break;
    case RH_KB_HIVE_SYSTEM:
        h = w->sys;
        break;
    case RH_KB_HIVE_NTUSER:
        h = w->ntuser;
        break;
    case RH_KB_HIVE_USRCLASS:
        h = w->usrclass;
        break;
    default:
        break;
    }
    if (hive == RH_KB_HIVE_SYSTEM && w->ccs &&
        (rh_ascii_casecmp(key_path, strlen(key_path) < 17 ? strlen(key_path) : 17,
                          "CurrentControlSet", 17) == 0 ||
         rh_ascii_casecmp(key_path, strlen(key_path) < 13 ? strlen(key_path) : 13, "ControlSet00*",
                          13) == 0)) {
        const char *rest = strchr(key_path, '\\');
        st = rh_buf_printf(&key, "ControlSet%03u%s", w->ccs, rest ? rest : "");
    } else if (hive == RH_KB_HIVE_USRCLASS && !h && w->ntuser) {
        h = w->ntuser;
        st = rh_buf_printf(&key, "Software\\Classes\\%s", key_path);
    } else {
        st = rh_buf_puts(&key, key_path);
    }
    if (st == RH_OK) {
        st = value_raw(h, key.data ? key.data : "", value_name, type, &d, &n, &scratch);
        if (st == RH_OK) {
            st = rh_regdata_decode(*type, d, n, out);
        }
    }
    rh_buf_free(&key);
    rh_buf_free(&scratch);
    return st;
}

/* ---- one value ---------------------------------------------------------------------------- */

/* For a SYSTEM path in a non-current control set: RH_OK and *same = 1 when the current set
 * has the same value with the same type and bytes; *ccs_of_path = N of ControlSet00N. */
static uint32_t control_set_of(const char *p, size_t n)
{
    if (n >= 13 && rh_ascii_casecmp(p, 10, "ControlSet", 10) == 0 && p[10] >= '0' && p[10] <= '9' &&
        p[11] >= '0' && p[11] <= '9' && p[12] >= '0' && p[12] <= '9' &&
        (n == 13 || p[13] == '\\')) {
        return (uint32_t)((p[10] - '0') * 100 + (p[11] - '0') * 10 + (p[12] - '0'));
    }
    return 0;
}

static int same_in_current(struct walk *w, const char *path, size_t plen, const char *name,
                           size_t name_len, uint32_t type, const uint8_t *d, size_t n, int *exists)
{
    rh_buf key = RH_BUF_INIT(w->h->ctx);
    rh_buf scratch = RH_BUF_INIT(w->h->ctx);
    rh_key k;
    rh_value v;
    rh_value_info vi;
    const uint8_t *cd;
    size_t cn;
    int same = 0;
    *exists = 0;
    if (rh_buf_printf(&key, "ControlSet%03u%.*s", w->ccs, (int)(plen - 13), path + 13) == RH_OK &&
        rh_key_find(w->hive, RH_KEY_NONE, key.data, &k) == RH_OK &&
        rh_key_value_find(w->hive, k, name, name_len, &v) == RH_OK &&
        rh_value_get_info(w->hive, v, &vi) == RH_OK) {
        *exists = 1;
        if (vi.type == type && rh_value_data(w->hive, v, &cd, &cn, &scratch) == RH_OK && cn == n &&
            (n == 0 || memcmp(cd, d, n) == 0)) {
            same = 1;
        }
    }
    rh_buf_free(&key);
    rh_buf_free(&scratch);
    return same;
}

/* The value's decoded data (w->decoded), its text for the finding (w->text, cut at
 * HUNT_MAX_DATA_TEXT) and its key's canonical path (w->canon). */
static rh_status value_texts(struct walk *w, uint32_t type, const uint8_t *d, size_t dn)
{
    rh_status st;
    rh_buf_reset(&w->decoded);
    st = rh_regdata_decode(type, d, dn, &w->decoded);
    if (st == RH_ERR_NOMEM) {
        return st;
    }
    rh_buf_reset(&w->text);
    st = rh_reg_data_text(type, d, dn, HUNT_MAX_HEX, &w->text);
    if (st != RH_OK) {
        return st;
    }
    if (w->text.len > HUNT_MAX_DATA_TEXT) {
        size_t cut = HUNT_MAX_DATA_TEXT;
        while (cut > 0 && ((unsigned char)w->text.data[cut] & 0xC0) == 0x80) {
            cut--; /* stay on a UTF-8 boundary */
        }
        w->text.len = cut;
        st = rh_buf_lit(&w->text, "...");
        if (st != RH_OK) {
            return st;
        }
    }
    rh_buf_reset(&w->canon);
    st = rh_buf_append(&w->canon, w->prefix.data, w->prefix.len);
    if (st == RH_OK) {
        st = rh_buf_append(&w->canon, w->path.data, w->path.len);
    }
    return st;
}

/* The scorer's view of value `loc` matched: names, decoded data, flags and context. */
static void score_input(struct walk *w, const rh_kb_location *loc, const rh_key_info *ki,
                        const rh_value_info *vi, rh_score_input *in)
{
    const rh_hunt *h = w->h;
    memset(in, 0, sizeof(*in));
    in->loc = loc;
    in->hive = w->kbh;
    in->key_path = w->path.data ? w->path.data : "";
    in->key_len = w->path.len;
    in->value_name = w->name.data ? w->name.data : "";
    in->name_len = w->name.len;
    in->data.type = vi->type;
    in->data.data = (const uint8_t *)(w->decoded.data ? w->decoded.data : "");
    in->data.len = w->decoded.len;
    in->value_flags =
        ((vi->flags & RH_VALUE_DELETED) || (ki->flags & RH_KEY_DELETED) ? RH_SCORE_DELETED : 0) |
        ((vi->flags & RH_VALUE_FROM_REPLAY) || (ki->flags & RH_KEY_FROM_REPLAY)
             ? RH_SCORE_FROM_REPLAY
             : 0);
    in->key_last_write = ki->last_write;
    in->reference_time = h->stats.reference_time;
    hunt_known_mark(h, in, w->hive_kind, w->canon.data, w->canon.len, w->text.data, w->text.len,
                    w->profile_dir);
    in->env = w->env;
    in->machine_com = w->com;
    in->build = rh_win_family_from_build(w->host->build);
    in->lookup = lookup_cb;
    in->lookup_user = w;
}

static rh_status process_value(struct walk *w, rh_key key, const rh_key_info *ki, rh_value v,
                               const rh_kb_location *const *locs, size_t nlocs)
{
    rh_hunt *h = w->h;
    const rh_kb_location *loc = NULL;
    rh_value_info vi;
    const uint8_t *d = NULL;
    size_t dn = 0, i;
    rh_score_input in;
    rh_score_result res;
    struct finding_in fi;
    rh_buf type_name = RH_BUF_INIT(h->ctx);
    rh_buf reasons = RH_BUF_INIT(h->ctx);
    const char *hidden_why = NULL;
    char cs_note[96] = "";
    uint32_t cs;
    rh_status st;
    (void)key;
    if (rh_value_get_info(w->hive, v, &vi) != RH_OK) {
        return RH_OK;
    }
    rh_buf_reset(&w->name);
    st = rh_value_name(w->hive, v, &w->name);
    if (st != RH_OK) {
        return st;
    }
    for (i = 0; i < nlocs; i++) {
        if (rh_kb_value_matches(locs[i], w->name.data ? w->name.data : "", w->name.len)) {
            loc = locs[i];
            break;
        }
    }
    if (!loc) {
        return RH_OK;
    }
    if (rh_value_data(w->hive, v, &d, &dn, &w->scratch) != RH_OK) {
        d = NULL;
        dn = 0;
    }
    /* Non-current control sets: only what differs from the current one. */
    cs = w->kbh == RH_KB_HIVE_SYSTEM ? control_set_of(w->path.data, w->path.len) : 0;
    if (cs && w->ccs && cs != w->ccs) {
        int exists = 0;
        if (same_in_current(w, w->path.data, w->path.len, w->name.data ? w->name.data : "",
                            w->name.len, vi.type, d, dn, &exists)) {
            h->stats.same_as_ccs++;
            return RH_OK;
        }
        snprintf(cs_note, sizeof(cs_note), "%s ControlSet%03u (current: ControlSet%03u)",
                 exists ? "differs from the current control set in" : "only in", cs, w->ccs);
    }
    h->stats.values++;
    st = value_texts(w, vi.type, d, dn);
    if (st != RH_OK) {
        return st;
    }

    score_input(w, loc, ki, &vi, &in);
    st = rh_score_value(h->ctx, &in, &res);
    if (st != RH_OK) {
        rh_score_result_free(h->ctx, &res);
        return st;
    }
    st = rh_reg_type_append(vi.type, &type_name);
    if (st == RH_OK) {
        st = rh_buf_puts(&reasons, res.reasons ? res.reasons : "");
    }
    if (st == RH_OK && cs_note[0]) {
        st = rh_buf_printf(&reasons, "%s%s", reasons.len ? "; " : "", cs_note);
    }
    if (st == RH_OK) {
        memset(&fi, 0, sizeof(fi));
        fi.pub.source = RH_FINDING_KB;
        fi.pub.technique = res.technique ? res.technique : loc->technique;
        fi.pub.technique_name = res.technique_name ? res.technique_name : loc->technique_name;
        fi.pub.location_id = loc->id;
        fi.pub.host = w->host->name;
        fi.pub.user = w->user ? w->user : "";
        fi.pub.user_sid = w->user_sid ? w->user_sid : "";
        fi.pub.source_file = w->ch->source;
        fi.pub.hive_kind = w->hive_kind;
        fi.pub.key_path = w->canon.data;
        fi.pub.key_path_len = w->canon.len;
        fi.rel_key = in.key_path;
        fi.rel_key_len = in.key_len;
        fi.pub.value_name = in.value_name;
        fi.pub.value_name_len = in.name_len;
        fi.pub.value_type = type_name.data ? type_name.data : "";
        fi.pub.value_data = w->text.data ? w->text.data : "";
        fi.pub.value_data_len = w->text.len;
        fi.pub.key_last_write = ki->last_write;
        fi.pub.target_path = res.target ? res.target : "";
        fi.pub.path_class = res.target ? rh_path_class_name(res.path_class) : "";
        fi.pub.risk = res.risk;
        fi.pub.confidence = res.confidence;
        fi.pub.action = res.action;
        fi.pub.reasons = reasons.data ? reasons.data : "";
        fi.pub.recommended_action = res.action_text ? res.action_text : "";
        fi.pub.deleted = (in.value_flags & RH_SCORE_DELETED) != 0;
        fi.pub.from_log_replay = (in.value_flags & RH_SCORE_FROM_REPLAY) != 0;
        fi.pub.hidden_name = rh_name_is_hidden(in.value_name, in.name_len, &hidden_why);
        fi.pub.is_default = res.is_default;
        fi.pub.known_good = hunt_known_flags(&in);
        fi.profile_dir = w->profile_dir;
        st = hunt_finding_add(h, &fi);
    }
    rh_buf_free(&type_name);
    rh_buf_free(&reasons);
    rh_score_result_free(h->ctx, &res);
    return st;
}

static rh_status process_key(struct walk *w, rh_key k, const rh_key_info *ki)
{
    const rh_kb_location *locs[HUNT_MAX_LOCS];
    size_t n = 0;
    uint32_t i, nv;
    rh_status st = RH_OK;
    if (rh_kb_match_key(w->h->kb, w->kbh, w->path.data ? w->path.data : "", w->path.len, locs,
                        HUNT_MAX_LOCS, &n) != RH_OK ||
        n == 0) {
        return RH_OK;
    }
    if (n > HUNT_MAX_LOCS) {
        n = HUNT_MAX_LOCS;
    }
    nv = rh_key_value_count(w->hive, k);
    for (i = 0; i < nv && st == RH_OK; i++) {
        st = process_value(w, k, ki, rh_key_value_at(w->hive, k, i), locs, n);
    }
    return st;
}

struct frame {
    rh_key next;
    size_t plen;
};

static rh_status walk_hive(struct walk *w)
{
    const rh_limits *lim = rh_ctx_limits(w->h->ctx);
    uint32_t maxd = lim->max_key_depth ? lim->max_key_depth : 512;
    struct frame *stack = rh_malloc(w->h->ctx, (size_t)(maxd + 1) * sizeof(*stack));
    size_t sp = 0;
    uint64_t visits = 0, cap = (uint64_t)rh_hive_key_count(w->hive) + 1;
    rh_key root = rh_hive_root(w->hive);
    rh_key_info ki;
    rh_status st = RH_OK;
    if (!stack) {
        return RH_ERR_NOMEM;
    }
    rh_buf_reset(&w->path);
    if (root != RH_KEY_NONE && rh_key_get_info(w->hive, root, &ki) == RH_OK) {
        st = process_key(w, root, &ki);
        stack[sp].next = rh_key_first_child(w->hive, root);
        stack[sp].plen = 0;
        sp++;
    }
    while (sp > 0 && st == RH_OK) {
        struct frame *fr = &stack[sp - 1];
        rh_key k = fr->next;
        if (k == RH_KEY_NONE || ++visits > cap) {
            if (k != RH_KEY_NONE) {
                break; /* more visits than keys: a linking cycle; stop walking this hive */
            }
            sp--;
            continue;
        }
        fr->next = rh_key_next_sibling(w->hive, k);
        if (rh_key_get_info(w->hive, k, &ki) != RH_OK) {
            continue;
        }
        w->h->stats.keys++;
        w->path.len = fr->plen;
        if (fr->plen > 0) {
            st = rh_buf_putc(&w->path, '\\');
        }
        if (st == RH_OK) {
            st = rh_buf_append(&w->path, ki.name, ki.name_len);
        }
        if (st != RH_OK) {
            break;
        }
        /* The parent's rh_kb_should_descend() let us here: this key may match itself; its
         * children are only visited when some location could lie below it. */
        st = process_key(w, k, &ki);
        if (st == RH_OK && sp <= maxd &&
            rh_kb_should_descend(w->h->kb, w->kbh, w->path.data, w->path.len)) {
            stack[sp].next = rh_key_first_child(w->hive, k);
            stack[sp].plen = w->path.len;
            sp++;
        }
    }
    rh_free(w->h->ctx, stack);
    /* Deleted values whose owner key is known but which are no longer in its value list. */
    if (st == RH_OK) {
        uint32_t i, n = rh_hive_orphan_value_count(w->hive);
        for (i = 0; i < n && st == RH_OK; i++) {
            rh_value v = rh_hive_orphan_value_at(w->hive, i);
            rh_value_info vi;
            const rh_kb_location *locs[HUNT_MAX_LOCS];
            size_t nl = 0;
            if (rh_value_get_info(w->hive, v, &vi) != RH_OK || vi.key == RH_KEY_NONE ||
                rh_key_get_info(w->hive, vi.key, &ki) != RH_OK) {
                continue;
            }
            rh_buf_reset(&w->path);
            if (rh_key_path(w->hive, vi.key, &w->path) != RH_OK) {
                continue;
            }
            if (rh_kb_match_key(w->h->kb, w->kbh, w->path.data ? w->path.data : "", w->path.len,
                                locs, HUNT_MAX_LOCS, &nl) == RH_OK &&
                nl > 0) {
                st =
                    process_value(w, vi.key, &ki, v, locs, nl > HUNT_MAX_LOCS ? HUNT_MAX_LOCS : nl);
            }
        }
    }
    return st;
}

/* ---- per host -------------------------------------------------------------------------- */

static int same_user(const rh_coll_hive *a, const rh_coll_hive *b)
{
    if (a->host != b->host) {
        return 0;
    }
    if (a->user_sid && b->user_sid) {
        return strcmp(a->user_sid, b->user_sid) == 0;
    }
    return rh_ascii_streq(a->user, b->user);
}

/* The partner user hive (NTUSER for a UsrClass and back) in the same host, or RH_COLL_NONE. */
static size_t partner_of(rh_collection *coll, size_t i, size_t first, size_t end, rh_hive_kind want)
{
    const rh_coll_hive *a = rh_collection_hive_at(coll, i);
    size_t j;
    for (j = first; j < end; j++) {
        const rh_coll_hive *b = rh_collection_hive_at(coll, j);
        if (j != i && b->kind == want && same_user(a, b)) {
            return j;
        }
    }
    return RH_COLL_NONE;
}

static void walk_free(struct walk *w)
{
    rh_buf_free(&w->prefix);
    rh_buf_free(&w->path);
    rh_buf_free(&w->name);
    rh_buf_free(&w->scratch);
    rh_buf_free(&w->decoded);
    rh_buf_free(&w->text);
    rh_buf_free(&w->canon);
    rh_buf_free(&w->tmp);
    rh_env_destroy(w->env);
    w->env = NULL;
}

static void walk_init(struct walk *w, rh_hunt *h, rh_collection *coll)
{
    memset(w, 0, sizeof(*w));
    w->h = h;
    w->coll = coll;
    rh_buf_init(&w->prefix, h->ctx);
    rh_buf_init(&w->path, h->ctx);
    rh_buf_init(&w->name, h->ctx);
    rh_buf_init(&w->scratch, h->ctx);
    rh_buf_init(&w->decoded, h->ctx);
    rh_buf_init(&w->text, h->ctx);
    rh_buf_init(&w->canon, h->ctx);
    rh_buf_init(&w->tmp, h->ctx);
}

static rh_status hunt_host(rh_hunt *h, rh_collection *coll, size_t hi, size_t first, size_t end,
                           size_t *done)
{
    const rh_coll_host *host = rh_collection_host_at(coll, hi);
    rh_hive *sw = NULL, *sys = NULL;
    rh_comdb *com = NULL;
    struct walk w;
    size_t i;
    rh_status st = RH_OK;
    if (host->software != RH_COLL_NONE) {
        rh_collection_open(coll, host->software, &sw);
    }
    if (host->system != RH_COLL_NONE) {
        rh_collection_open(coll, host->system, &sys);
    }
    st = hunt_note_host(h, coll, hi, first, end);
    if (st == RH_OK) {
        rh_win_family fam = rh_win_family_from_build(host->build);
        st = fam == RH_WIN_UNKNOWN
                 ? rh_diagf(h->ctx, RH_DIAG_INFO, "hunt", host->name, -1,
                            "Windows build unknown: every family's defaults apply")
                 : rh_diagf(h->ctx, RH_DIAG_INFO, "hunt", host->name, -1,
                            "Windows family %s (build %u) from %s: judged against its defaults",
                            rh_win_family_name(fam), (unsigned)host->build, host->build_source);
    }
    walk_init(&w, h, coll);
    if (sw && st == RH_OK) {
        st = build_comdb(h->ctx, sw, &w, &com);
    }
    walk_free(&w);
    for (i = first; i < end && st == RH_OK; i++) {
        const rh_coll_hive *ch = rh_collection_hive_at(coll, i);
        rh_kb_hive kbh;
        rh_hive *hv = NULL, *other = NULL;
        size_t pi;
        if (h->opts.progress) {
            h->opts.progress(h->opts.progress_user, *done, rh_collection_hive_count(coll),
                             ch->source);
        }
        (*done)++;
        if (!rh_hive_kind_kb(ch->kind, &kbh)) {
            continue;
        }
        if (rh_collection_open(coll, i, &hv) != RH_OK) {
            h->stats.hives_failed++;
            continue;
        }
        h->stats.hives_hunted++;
        walk_init(&w, h, coll);
        w.host = host;
        w.ch = ch;
        w.hive = hv;
        w.kbh = kbh;
        w.hive_kind = rh_hive_kind_name(ch->kind);
        w.sw = sw;
        w.sys = sys;
        w.ccs = host->current_control_set;
        w.com = com;
        if (ch->kind == RH_HIVE_KIND_NTUSER || ch->kind == RH_HIVE_KIND_USRCLASS) {
            w.user = ch->user;
            w.user_sid = ch->user_sid;
            w.profile_dir = ch->profile_dir;
            pi = partner_of(coll, i, first, end,
                            ch->kind == RH_HIVE_KIND_NTUSER ? RH_HIVE_KIND_USRCLASS
                                                            : RH_HIVE_KIND_NTUSER);
            if (pi != RH_COLL_NONE && rh_collection_open(coll, pi, &other) != RH_OK) {
                other = NULL;
            }
            w.ntuser = ch->kind == RH_HIVE_KIND_NTUSER ? hv : other;
            w.usrclass = ch->kind == RH_HIVE_KIND_USRCLASS ? hv : other;
        } else if (ch->kind == RH_HIVE_KIND_DEFAULT) {
            w.user = ".DEFAULT";
            w.user_sid = ".DEFAULT";
            w.ntuser = hv;
        }
        if (hv == sys) {
            w.sys = hv;
        }
        if (hv == sw) {
            w.sw = hv;
        }
        st = rh_hive_kind_root(ch->kind, ch->user_sid ? ch->user_sid : ch->user, 0, &w.prefix);
        st = st == RH_OK ? rh_buf_putc(&w.prefix, '\\') : st;
        if (st == RH_OK) {
            st = build_env(&w);
        }
        if (st == RH_OK) {
            st = walk_hive(&w);
        }
        if (st == RH_OK && h->opts.rules) {
            st = hunt_sigma_hive(h, host, ch, hv);
        }
        walk_free(&w);
        /* Keep the machine hives and the partner for later hives of this host. */
        if (hv != sw && hv != sys) {
            rh_collection_release(coll, i);
        }
    }
    rh_comdb_destroy(com);
    for (i = first; i < end; i++) {
        rh_collection_release(coll, i);
    }
    return st;
}

/* ---- public ------------------------------------------------------------------------------ */

static int parse_date(const char *s, char out[9])
{
    size_t i;
    if (!s || strlen(s) != 8) {
        return 0;
    }
    for (i = 0; i < 8; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    memcpy(out, s, 9);
    return 1;
}

/* FILETIME -> "YYYYMMDD" (civil-from-days, Howard Hinnant's algorithm). */
static void filetime_date(uint64_t ft, char out[9])
{
    int64_t y;
    unsigned m, dd;
    rh_civil_from_days((int64_t)(ft / 10000000ull / 86400ull) - RH_FILETIME_EPOCH_DAYS, &y, &m,
                       &dd);
    if (y < 1601 || y > 9999) {
        memcpy(out, "16010101", 9);
        return;
    }
    snprintf(out, 9, "%04d%02d%02d", (int)y, (int)m, (int)dd);
}

rh_status rh_hunt_create(rh_ctx *ctx, const rh_kb *kb, const rh_hunt_opts *opts, rh_hunt **out)
{
    rh_hunt *h;
    *out = NULL;
    if (!ctx || !kb) {
        return RH_ERR_ARG;
    }
    h = rh_calloc(ctx, 1, sizeof(*h));
    if (!h) {
        return RH_ERR_NOMEM;
    }
    h->ctx = ctx;
    h->kb = kb;
    if (opts) {
        h->opts = *opts;
    }
    memcpy(h->stats.date, "16010101", 9);
    h->stats.kb_locations = rh_kb_count(kb);
    h->stats.rules = h->opts.rules ? rh_ruleset_rule_count(h->opts.rules) : 0;
    /* Two matchers: logged events (their correlations see only logged events, with the
     * matches of referenced rules for the join to findings) and hive state. */
    if (h->opts.rules &&
        (rh_sigma_matcher_create(ctx, h->opts.rules, &h->matcher) != RH_OK ||
         rh_sigma_matcher_create(ctx, h->opts.rules, &h->state_matcher) != RH_OK)) {
        rh_sigma_matcher_destroy(h->matcher);
        rh_free(ctx, h);
        return RH_ERR_NOMEM;
    }
    if (h->matcher) {
        rh_sigma_matcher_set_flags(h->matcher, RH_SIGMA_MATCH_REFERENCED);
    }
    if (h->opts.date) {
        if (!parse_date(h->opts.date, h->stats.date)) {
            rh_sigma_matcher_destroy(h->matcher);
            rh_sigma_matcher_destroy(h->state_matcher);
            rh_free(ctx, h);
            return RH_ERR_ARG;
        }
        h->date_fixed = 1;
    }
    *out = h;
    return RH_OK;
}

rh_status rh_hunt_collection(rh_hunt *h, rh_collection *coll)
{
    size_t i, n, first = 0, done = 0;
    rh_status st = RH_OK;
    if (!h || !coll || h->finished) {
        return RH_ERR_ARG;
    }
    n = rh_collection_hive_count(coll);
    for (i = 0; i < n; i++) {
        const rh_coll_hive *ch = rh_collection_hive_at(coll, i);
        if (ch->last_written > h->stats.reference_time && ch->last_written < (1ull << 62)) {
            h->stats.reference_time = ch->last_written;
        }
    }
    if (!h->date_fixed && h->stats.reference_time) {
        filetime_date(h->stats.reference_time, h->stats.date);
    }
    h->stats.hosts += rh_collection_host_count(coll);
    h->stats.hives += n;
    h->stats.bytes += rh_collection_bytes(coll);
    st = hunt_collection_events(h, coll);
    for (i = 0; i <= n && st == RH_OK; i++) {
        if (i == n || (i > first && rh_collection_hive_at(coll, i)->host !=
                                        rh_collection_hive_at(coll, first)->host)) {
            if (i > first) {
                st = hunt_host(h, coll, rh_collection_hive_at(coll, first)->host, first, i, &done);
            }
            first = i;
        }
    }
    return st;
}

rh_status rh_hunt_finish(rh_hunt *h)
{
    rh_status st;
    if (!h || h->finished) {
        return RH_ERR_ARG;
    }
    st = hunt_sigma_flush(h);
    st = st == RH_OK ? hunt_fuse(h) : st;
    if (st != RH_OK) {
        return st;
    }
    h->finished = 1;
    if (!h->date_fixed && !h->stats.reference_time) {
        /* No hive header: the ids carry the date of the newest event behind a finding, so
         * an events-only hunt is still numbered by its data, never by the wall clock. */
        uint64_t newest = 0;
        size_t i;
        for (i = 0; i < h->n; i++) {
            if (h->f[i]->pub.event_time > newest && h->f[i]->pub.event_time < (1ull << 62)) {
                newest = h->f[i]->pub.event_time;
            }
        }
        if (newest) {
            filetime_date(newest, h->stats.date);
        }
    }
    hunt_findings_order(h);
    st = hunt_prevalence(h);
    return st == RH_OK ? hunt_chains_build(h) : st;
}

void rh_hunt_destroy(rh_hunt *h)
{
    size_t i;
    if (!h) {
        return;
    }
    for (i = 0; i < h->n; i++) {
        hunt_finding_free(h->ctx, h->f[i]);
    }
    rh_free(h->ctx, h->f);
    hunt_prevalence_free(h);
    hunt_chains_free(h);
    hunt_fuse_free(h);
    rh_free(h->ctx, h);
}

const rh_hunt_stats *rh_hunt_get_stats(const rh_hunt *h)
{
    return h ? &h->stats : NULL;
}
