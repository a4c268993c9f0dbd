/*
 * Scorer data interpretation: Windows defaults of the host's build, list items, key-path
 * helpers, related-value lookups, binary data and known vendor components.
 */
#include <stdarg.h>
#include <stdio.h>

#include "kb/kb_internal.h"
#include "score_internal.h"

/* True when the key path ends with "\Depend" (RunOnceEx dependency list). */
int sc_key_is_depend(const char *key, size_t kn)
{
    return kn >= 7 && rh_ascii_casecmp(key + kn - 7, 7, "\\Depend", 7) == 0;
}

/* Well-known third-party components of privileged locations (docs/real-hive-findings.md):
 * in their usual install folder, without malicious features or an unexpected host, they are
 * at most Low; the same name anywhere else is judged normally and says so (no blind spot by
 * name). `name` is a glob over the target's base name (or a list item), `folder` a glob over
 * the whole target path; `host` is the only LOLBin allowed to launch it (NULL = none). */
static const struct vendor {
    const char *name, *folder, *label, *host;
} vendor_components[] = {
    {"vmhgfs.dll", NULL, "VMware Tools shared-folders network provider", NULL},
    {"vmhgfs", NULL, "VMware Tools shared-folders network provider", NULL},
    {"vsocklib.dll", NULL, "VMware vSockets Winsock provider", NULL},
    {"TPWinPrn.dll", NULL, "ThinPrint print processor of VMware Tools", NULL},
    {"TPVMMon.dll", NULL, "ThinPrint port monitor of VMware Tools", NULL},
    {"vboxmrxnp.dll", NULL, "VirtualBox Guest Additions shared-folders network provider", NULL},
    {"VBoxSF", NULL, "VirtualBox Guest Additions shared-folders network provider", NULL},
    {"hpzpp*.dll", NULL, "HP print processor", NULL},
    {"cnbjmon*.dll", NULL, "Canon BJ language monitor", NULL},
    {"NvContainerRecovery.bat", NULL, "NVIDIA container service recovery script", "cmd"},
    {NULL, "?:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\*",
     "Microsoft Defender platform folder", NULL},
    {NULL, "?:\\ProgramData\\Microsoft\\Windows Defender\\Definition Updates\\*",
     "Microsoft Defender definition-update folder", NULL},
};

#define NVENDOR (sizeof(vendor_components) / sizeof(vendor_components[0]))

static const struct vendor *vendor_by_name(const char *b, size_t bl)
{
    size_t i;
    for (i = 0; i < NVENDOR; i++) {
        const char *g = vendor_components[i].name;
        if (g && rh_kb_glob(g, strlen(g), b, bl)) {
            return &vendor_components[i];
        }
    }
    return NULL;
}

/* ---- defaults ---------------------------------------------------------------------------- */

static int default_alt_matches(struct sc *s, const char *alt, size_t an, const char *v, size_t vn)
{
    if (an && alt[0] == '~') {
        rh_buf ea, ev;
        int m = 0;
        const char *pv;
        size_t pvn;
        rh_buf_init(&ea, s->ctx);
        rh_buf_init(&ev, s->ctx);
        if (rh_env_expand(s->in->env, alt + 1, an - 1, &ea, NULL) == RH_OK &&
            rh_env_expand(s->in->env, v, vn, &ev, NULL) == RH_OK &&
            rh_buf_reserve(&ea, 0) == RH_OK && rh_buf_reserve(&ev, 0) == RH_OK) {
            pv = ev.data;
            pvn = ev.len;
            while (pvn && (pv[0] == ' ' || pv[0] == '"') && !(an > 1 && alt[1] == '"')) {
                pv++;
                pvn--;
            }
            while (pvn && (pv[pvn - 1] == ' ' || pv[pvn - 1] == '\0')) {
                pvn--;
            }
            m = rh_kb_glob(ea.data, ea.len, pv, pvn);
        }
        rh_buf_free(&ea);
        rh_buf_free(&ev);
        return m;
    }
    return interp_path_equal(s->ctx, s->in->env, alt, an, v, vn);
}

/* 1 when v equals one of the '|'-separated alternatives of `d`. */
static int alt_list_matches(struct sc *s, const char *d, const char *v, size_t vn)
{
    size_t dn = strlen(d), i, start = 0;
    for (i = 0; i <= dn; i++) {
        if (i == dn || d[i] == '|') {
            if (default_alt_matches(s, d + start, i - start, v, vn)) {
                return 1;
            }
            start = i + 1;
        }
    }
    return 0;
}

/* The location's defaults that hold for this host's build, key and value (kb_defaults.def). */
void sc_select_defaults(struct sc *s)
{
    const rh_kb_location *loc = s->in->loc;
    size_t i;
    for (i = 0; i < loc->ndefaults && s->ndefs < sizeof(s->defs) / sizeof(s->defs[0]); i++) {
        const rh_kb_default *d = &loc->defaults[i];
        if (rh_kb_default_applies(d, s->in->build, s->in->key_path, s->in->key_len,
                                  s->in->value_name, s->in->name_len)) {
            s->defs[s->ndefs++] = d;
        }
    }
}

/* 1 when v equals one of the applicable defaults. */
int sc_is_default(struct sc *s, const char *v, size_t vn)
{
    size_t i;
    for (i = 0; i < s->ndefs; i++) {
        if (alt_list_matches(s, s->defs[i]->data, v, vn)) {
            return 1;
        }
    }
    return 0;
}

int sc_has_defaults(const struct sc *s)
{
    return s->ndefs > 0;
}

/* known_names: every Windows entry of the location has a default row, so an entry without one
 * is new; strict_default: any change from the Windows default is at least Medium
 * (docs/scoring.md, "Defaults"). */
void sc_check_known_defaults(struct sc *s)
{
    const rh_kb_location *loc = s->in->loc;
    char ex[120];
    if ((loc->flags & RH_KB_F_KNOWN_NAMES) && !sc_has_defaults(s)) {
        char name[160];
        if (strcmp(loc->value_pattern, "*") == 0) {
            sc_excerpt(name, sizeof(name), s->in->value_name, s->in->name_len);
        } else {
            sc_last_component(s->in->key_path, s->in->key_len, name, sizeof(name));
        }
        sc_reason(s, "\"%s\" is not an entry Windows registers here: added", name);
        sc_floor(s, PTS_MEDIUM);
        s->specific = 1;
    } else if ((loc->flags & RH_KB_F_STRICT_DEFAULT) && sc_has_defaults(s)) {
        if (!s->said_differs) {
            const char *d = sc_default_shown(s);
            sc_reason(s, "differs from the Windows default %s",
                      strcmp(d, "~") == 0 ? "(not set)" : sc_excerpt(ex, sizeof(ex), d, strlen(d)));
            s->said_differs = 1;
        }
        sc_floor(s, PTS_MEDIUM);
        s->specific = 1;
    }
}

/* 1 when a built-in default of location `loc_id` holds on this host's build for value `name`
 * of `key` (another location's defaults, e.g. the svchost groups for a service ImagePath). */
int sc_builtin_default_holds(const struct sc *s, const char *loc_id, const char *key,
                             const char *name, size_t nl)
{
    size_t n = 0, i;
    const rh_kb_default *d = kb_builtin_defaults(&n);
    for (i = 0; i < n; i++) {
        if (strcmp(d[i].location_id, loc_id) == 0 &&
            rh_kb_default_applies(&d[i], s->in->build, key, strlen(key), name, nl)) {
            return 1;
        }
    }
    return 0;
}

/* The default shown in "differs from the Windows default ..." reasons. */
const char *sc_default_shown(const struct sc *s)
{
    return s->ndefs ? s->defs[0]->data : "";
}

/* ---- list items ---------------------------------------------------------------------------- */

static rh_status list_item(const char *item, size_t len, void *user)
{
    struct list_ctx *lc = user;
    struct sc *s = lc->s;
    lc->items++;
    if (sc_has_defaults(s) && sc_is_default(s, item, len)) {
        lc->default_seen++;
        return RH_OK;
    }
    {
        const char *b;
        size_t bl;
        const struct vendor *v;
        interp_basename(item, len, &b, &bl);
        v = memchr(item, ' ', len) ? NULL : vendor_by_name(b, bl);
        if (v) {
            lc->vendor_seen++;
            lc->vendor_label = v->label;
            return RH_OK;
        }
    }
    lc->nondefault++;
    if (lc->nondefault == 1) {
        sc_excerpt(lc->first_bad, sizeof(lc->first_bad), item, len);
    }
    sc_analyze(s,
               memchr(item, ' ', len) && lc->mode == RH_INTERP_MODE_COMMAND ? RH_INTERP_MODE_COMMAND
                                                                            : lc->mode,
               item, len);
    return s->st;
}

void sc_analyze_list(struct sc *s, const char *t, size_t n, rh_interp_mode mode, const char *seps,
                     struct list_ctx *lc)
{
    memset(lc, 0, sizeof(*lc));
    lc->s = s;
    lc->mode = mode;
    if (s->st == RH_OK) {
        rh_status st =
            rh_interp_split(t, n, s->in->data.type == RH_REGTYPE_MULTI_SZ, seps, list_item, lc);
        if (RH_FAILED(st) && s->st == RH_OK) {
            s->st = st;
        }
    }
}

/* ---- helpers on the key path ---------------------------------------------------------------- */

/* Component after `marker` (case-insensitive, marker ends with '\'); writes into buf. */
int sc_component_after(const char *key, size_t kn, const char *marker, char *buf, size_t cap)
{
    size_t p = interp_ci_find(key, kn, marker), e, ml = strlen(marker);
    if (p == (size_t)-1) {
        return 0;
    }
    p += ml;
    e = p;
    while (e < kn && key[e] != '\\') {
        e++;
    }
    if (e == p || e - p >= cap) {
        return 0;
    }
    memcpy(buf, key + p, e - p);
    buf[e - p] = '\0';
    return 1;
}

void sc_last_component(const char *key, size_t kn, char *buf, size_t cap)
{
    size_t i = kn;
    while (i > 0 && key[i - 1] != '\\') {
        i--;
    }
    if (kn - i >= cap) {
        buf[0] = '\0';
        return;
    }
    memcpy(buf, key + i, kn - i);
    buf[kn - i] = '\0';
}

rh_status sc_lookup_value(struct sc *s, rh_kb_hive hive, const char *key, const char *name,
                          uint32_t *type)
{
    rh_buf_reset(&s->tmp);
    if (!s->in->lookup) {
        return RH_NOT_FOUND;
    }
    return s->in->lookup(s->in->lookup_user, hive, key, name, type, &s->tmp);
}

int sc_lookup_number(struct sc *s, rh_kb_hive hive, const char *key, const char *name, uint64_t *v)
{
    uint32_t type = 0;
    rh_regdata d;
    if (sc_lookup_value(s, hive, key, name, &type) != RH_OK) {
        return 0;
    }
    d.type = type;
    d.data = (const uint8_t *)s->tmp.data;
    d.len = s->tmp.len;
    return d.data ? rh_regdata_number(&d, v) : 0;
}

/* The data as text (string types), else NULL. */
const char *sc_data_text(const rh_score_input *in, size_t *n)
{
    uint32_t t = in->data.type;
    if (t == RH_REGTYPE_SZ || t == RH_REGTYPE_EXPAND_SZ || t == RH_REGTYPE_MULTI_SZ ||
        t == RH_REGTYPE_LINK) {
        *n = in->data.len;
        return in->data.data ? (const char *)in->data.data : "";
    }
    *n = 0;
    return NULL;
}

/* ---- empty data and known vendor components -------------------------------------------------- */

/* 1 when the data is empty: zero bytes, or a string (SZ, EXPAND_SZ, MULTI_SZ) of only
 * blanks/NULs (it launches nothing). Only for rows whose data is the payload: not numbers,
 * not text rows whose CLSID key is the payload, not StartupApproved, not rows where the value
 * name is the payload. A DWORD 0 or zeroed binary at a command location is not "empty": it
 * is judged by the normal rules (a type Windows would not run, but worth a look). */
int sc_empty_payload(const rh_score_input *in, const char *text, size_t tn)
{
    const rh_kb_location *loc = in->loc;
    size_t i;
    if ((loc->flags & RH_KB_F_NAME_IS_DATA) || loc->interp == RH_KB_INTERP_NUMBER ||
        loc->interp == RH_KB_INTERP_TEXT || loc->interp == RH_KB_INTERP_STARTUPAPPROVED) {
        return 0;
    }
    if (!text) {
        return in->data.len == 0;
    }
    for (i = 0; i < tn; i++) {
        char c = text[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\0') {
            return 0;
        }
    }
    return 1;
}

/* The usual folders of a vendor component: admin-only Windows and Program Files folders (a
 * bare name at a system-folder location resolves to System32, see take_interp). */
static int usual_folder(const struct sc *s)
{
    return s->have_class &&
           (s->worst_class == RH_PATH_SYSTEM32 || s->worst_class == RH_PATH_WINDOWS ||
            s->worst_class == RH_PATH_PROGRAM_FILES);
}

/* Known third-party components (vendor_components): at most Low where they belong. */
void sc_check_vendor(struct sc *s)
{
    const char *b;
    size_t bl, i, tl;
    const struct vendor *v = NULL;
    if (!s->target) {
        return;
    }
    tl = strlen(s->target);
    interp_basename(s->target, tl, &b, &bl);
    for (i = 0; i < NVENDOR && !v; i++) {
        const char *f = vendor_components[i].folder;
        if (f && rh_kb_glob(f, strlen(f), s->target, tl)) {
            v = &vendor_components[i];
        }
    }
    if (!v) {
        v = vendor_by_name(b, bl);
        if (v && !usual_folder(s)) {
            sc_reason(s, "name of a known component (%s) outside its usual folder", v->label);
            s->points += 10;
            return;
        }
    }
    if (!v || (s->feats & MALICIOUS_FEATS & ~RH_FEAT_USER_WRITABLE)) {
        return;
    }
    if ((s->feats & (RH_FEAT_LOLBIN | RH_FEAT_SCRIPT_HOST)) &&
        !(v->host && rh_ascii_eq(s->lolbin, strlen(s->lolbin), v->host))) {
        sc_reason(s, "known component (%s) launched through %s", v->label,
                  s->lolbin[0] ? s->lolbin : "a LOLBin");
        return;
    }
    sc_reason(s, "known third-party component (%s) in its usual folder; verify its signer",
              v->label);
    sc_cap(s, PTS_LOW);
}
