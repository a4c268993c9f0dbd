/*
 * Deterministic scoring of one value at a persistence location (rules: docs/scoring.md).
 */
#include <stdarg.h>
#include <stdio.h>

#include "common/common.h"
#include "interp/interp_internal.h"
#include "reghunt/kb.h"
#include "reghunt/score.h"

/* ---- names ---------------------------------------------------------------------------- */

const char *rh_confidence_name(rh_confidence c)
{
    static const char *const n[] = {"Low", "Medium", "High"};
    return (unsigned)c <= RH_CONF_HIGH ? n[c] : "?";
}

const char *rh_action_name(rh_action a)
{
    static const char *const n[] = {"Monitoring", "Investigation", "Containment"};
    return (unsigned)a <= RH_ACTION_CONTAINMENT ? n[a] : "?";
}

/* ---- weights (docs/scoring.md, "Points") ------------------------------------------------ */

#define PTS_INFO     0
#define PTS_LOW      20
#define PTS_MEDIUM   40
#define PTS_HIGH     60
#define PTS_CRITICAL 90

static const int base_points[] = {PTS_INFO, PTS_LOW, PTS_MEDIUM, PTS_HIGH, PTS_CRITICAL};

struct feat_rule {
    uint64_t bit;
    int points;
    const char *reason; /* %s = lolbin / masquerade name where relevant */
};

static const struct feat_rule feat_rules[] = {
    {RH_FEAT_INLINE_SCRIPT, 20, "inline script code"},
    {RH_FEAT_ENCODED, 20, "encoded PowerShell command"},
    {RH_FEAT_DOWNLOAD, 15, "downloads content"},
    {RH_FEAT_RAW_IP, 10, "contacts a raw IP address"},
    {RH_FEAT_URL, 15, "remote URL in the data"},
    {RH_FEAT_UNC, 15, "UNC path in the data"},
    {RH_FEAT_LOLBIN, 10, "runs through a LOLBin"},
    {RH_FEAT_SCRIPT_HOST, 5, "script host"},
    {RH_FEAT_OBFUSCATED, 15, "obfuscated command"},
    {RH_FEAT_BASE64, 10, "long base64 blob"},
    {RH_FEAT_HIDDEN_WINDOW, 5, "hidden window"},
    {RH_FEAT_POLICY_BYPASS, 5, "execution-policy bypass"},
    {RH_FEAT_CHAINED, 5, "chains several commands"},
    {RH_FEAT_SCRIPT_FILE, 10, "runs a script file"},
    {RH_FEAT_DOUBLE_EXT, 20, "double file extension"},
    {RH_FEAT_ODD_EXT, 10, "DLL with a non-DLL extension"},
    {RH_FEAT_SCROBJ, 20, "regsvr32 scriptlet (Squiblydoo)"},
    {RH_FEAT_MASQUERADE, 25, "name imitates a system binary"},
    {RH_FEAT_SYSNAME_MISPLACED, 20, "system binary name outside System32"},
    {RH_FEAT_EXPAND_SZ, 5, "REG_EXPAND_SZ indirection"},
    {RH_FEAT_ENV_UNRESOLVED, 5, "unresolved environment variable"},
    {RH_FEAT_NON_ASCII, 10, "non-ASCII characters in the target name"},
    {RH_FEAT_CONTROL_CHARS, 20, "control characters in the data"},
    {RH_FEAT_RUNDLL_ORDINAL, 5, "rundll32 export by ordinal"},
};

static int class_points(rh_path_class c)
{
    switch (c) {
    case RH_PATH_TEMP:
    case RH_PATH_PUBLIC:
        return 25;
    case RH_PATH_APPDATA:
    case RH_PATH_PROGRAMDATA:
    case RH_PATH_USERS:
        return 15;
    case RH_PATH_LOCALAPPDATA:
        return 10;
    case RH_PATH_OTHER:
        return 5;
    case RH_PATH_WINDOWS:
        return -5;
    case RH_PATH_SYSTEM32:
    case RH_PATH_PROGRAM_FILES:
        return -10;
    default:
        return 0;
    }
}

static const char *class_reason(rh_path_class c)
{
    switch (c) {
    case RH_PATH_TEMP:
        return "target in a Temp folder";
    case RH_PATH_PUBLIC:
        return "target in C:\\Users\\Public";
    case RH_PATH_APPDATA:
        return "target in %APPDATA% (Roaming)";
    case RH_PATH_PROGRAMDATA:
        return "target in ProgramData";
    case RH_PATH_USERS:
        return "target in a user profile folder";
    case RH_PATH_LOCALAPPDATA:
        return "target in %LOCALAPPDATA%";
    case RH_PATH_OTHER:
        return "target outside the Windows and Program Files folders";
    case RH_PATH_SYSTEM32:
        return "target in System32";
    case RH_PATH_WINDOWS:
        return "target in the Windows folder";
    case RH_PATH_PROGRAM_FILES:
        return "target in Program Files";
    default:
        return NULL;
    }
}

/* CLSIDs hijacked in the wild (research lists and the Sigma builtin list). */
static const char *const hijack_clsids[] = {
    "{b5f8350b-0548-48b1-a6ee-88bd00b4a5e7}", /* CAccPropServicesClass (Turla, APT28) */
    "{BCDE0395-E52F-467C-8E3D-C4579291692E}", /* MMDeviceEnumerator */
    "{42aedc87-2188-41fd-b9a3-0c966feabec1}", /* MruPidlList (Turla ComRAT) */
    "{AB8902B4-09CA-4bb6-B78D-A8F59079A8D5}", /* thumbnail cache (checked by Autoruns) */
    "{4590F811-1D3A-11D0-891F-00AA004B2E24}", /* WbemLocator */
    "{9BA05972-F6A8-11CF-A442-00A0C90A8F39}", /* ShellWindows */
    "{0A29FF9E-7F9C-4437-8B11-F424491E3931}", /* NarratorHelper / used by loaders */
};

static const char *const accessibility[] = {"sethc",   "utilman",       "osk",     "narrator",
                                            "magnify", "displayswitch", "atbroker"};

/* Third-party components that install into admin-only Windows folders at privileged
 * locations (verified on the real sample hives, docs/real-hive-findings.md): visible at
 * Medium for review, never High on their own. Matched by file name AND a System32/Windows
 * target without malicious features, so a copy in a user-writable folder is judged normally. */
static const struct {
    const char *file, *label;
} vendor_components[] = {
    {"vmhgfs.dll", "VMware Tools shared-folders network provider"},
    {"vboxmrxnp.dll", "VirtualBox Guest Additions shared-folders network provider"},
    {"NvContainerRecovery.bat", "NVIDIA container service recovery script"},
};

/* Features that make an otherwise known or empty-looking value suspicious again. */
#define MALICIOUS_FEATS                                                                            \
    (RH_FEAT_INLINE_SCRIPT | RH_FEAT_ENCODED | RH_FEAT_BASE64 | RH_FEAT_OBFUSCATED |               \
     RH_FEAT_DOWNLOAD | RH_FEAT_RAW_IP | RH_FEAT_URL | RH_FEAT_UNC | RH_FEAT_MASQUERADE |          \
     RH_FEAT_SYSNAME_MISPLACED | RH_FEAT_HIDDEN_WINDOW | RH_FEAT_POLICY_BYPASS |                   \
     RH_FEAT_DOUBLE_EXT | RH_FEAT_ODD_EXT | RH_FEAT_SCROBJ | RH_FEAT_NON_ASCII |                   \
     RH_FEAT_CONTROL_CHARS | RH_FEAT_RUNDLL_ORDINAL | RH_FEAT_USER_WRITABLE)

static int ci_eq_s(const char *a, size_t an, const char *b)
{
    return rh_ascii_casecmp(a, an, b, strlen(b)) == 0;
}

/* True when the key path ends with "\Depend" (RunOnceEx dependency list). */
static int ci_suffix_key(const char *key, size_t kn)
{
    return kn >= 7 && rh_ascii_casecmp(key + kn - 7, 7, "\\Depend", 7) == 0;
}

/* ---- state ------------------------------------------------------------------------------ */

struct sc {
    rh_ctx *ctx;
    const rh_score_input *in;
    rh_score_result *out;
    rh_buf reasons;
    rh_buf tmp;
    int points;
    int floor;    /* minimum points from specific rules */
    int cap;      /* maximum points (INT_MAX = none) */
    int strong;   /* independent strong signals (confidence) */
    int specific; /* a location-specific rule fired */
    int nondefault_items;
    uint64_t feats; /* union over analysed items */
    rh_path_class worst_class;
    int worst_class_pts;
    int have_class;
    char *target;
    const rh_kb_default *defs[16]; /* applicable defaults (select_defaults) */
    size_t ndefs;
    rh_status st;
};

static void reason(struct sc *s, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void reason(struct sc *s, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n;
    if (s->st != RH_OK || s->out->nreasons >= 24) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if (s->reasons.len) {
        s->st = rh_buf_puts(&s->reasons, "; ");
    }
    if (s->st == RH_OK) {
        /* attacker text may be inside: keep it valid UTF-8 (escaping is the reporter's job) */
        s->st = rh_utf8_sanitize(&s->reasons, line, strlen(line));
    }
    s->out->nreasons++;
}

static void floor_at(struct sc *s, int pts)
{
    if (pts > s->floor) {
        s->floor = pts;
    }
}

static void cap_at(struct sc *s, int pts)
{
    if (pts < s->cap) {
        s->cap = pts;
    }
}

/* Short, bounded, printable excerpt of attacker text for reasons. */
static const char *excerpt(char *buf, size_t cap, const char *s, size_t n)
{
    size_t i, o = 0;
    for (i = 0; i < n && o + 4 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[o++] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
    }
    if (i < n && o + 4 <= cap) {
        buf[o++] = '.';
        buf[o++] = '.';
        buf[o++] = '.';
    }
    buf[o] = '\0';
    return buf;
}

/* ---- item analysis -------------------------------------------------------------------------- */

static void take_interp(struct sc *s, const rh_interp *r)
{
    int cp = class_points(r->path_class);
    s->feats |= r->features;
    if (r->target && (!s->have_class || cp > s->worst_class_pts)) {
        rh_free(s->ctx, s->target);
        s->target = rh_strdup(s->ctx, r->target);
        if (!s->target) {
            s->st = RH_ERR_NOMEM;
        }
        s->worst_class = r->path_class;
        s->worst_class_pts = cp;
        s->have_class = 1;
    }
    if (r->lolbin && (r->features & RH_FEAT_LOLBIN)) {
        reason(s, "%s %s", (r->features & RH_FEAT_SCRIPT_HOST) ? "script host" : "LOLBin",
               r->lolbin);
    }
    if (r->masquerade_of) {
        reason(s, "name imitates %s.exe", r->masquerade_of);
    }
    if (r->decoded) {
        char ex[96];
        reason(s, "decoded -EncodedCommand: %s",
               excerpt(ex, sizeof(ex), r->decoded, strlen(r->decoded)));
    }
    if (r->url && (r->features & (RH_FEAT_URL | RH_FEAT_UNC))) {
        char ex[96];
        reason(s, "remote location %s", excerpt(ex, sizeof(ex), r->url, strlen(r->url)));
    }
}

static void analyze(struct sc *s, rh_interp_mode mode, const char *t, size_t n)
{
    rh_interp r;
    rh_status st;
    if (s->st != RH_OK) {
        return;
    }
    st = rh_interp_analyze(s->ctx, s->in->env, mode, s->in->data.type, t, n, &r);
    if (st != RH_OK) {
        s->st = st;
        return;
    }
    take_interp(s, &r);
    rh_interp_free(s->ctx, &r);
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
static void select_defaults(struct sc *s)
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
static int is_default_value(struct sc *s, const char *v, size_t vn)
{
    size_t i;
    for (i = 0; i < s->ndefs; i++) {
        if (alt_list_matches(s, s->defs[i]->data, v, vn)) {
            return 1;
        }
    }
    return 0;
}

static int has_defaults(const struct sc *s)
{
    return s->ndefs > 0;
}

/* The default shown in "differs from the Windows default ..." reasons. */
static const char *default_shown(const struct sc *s)
{
    return s->ndefs ? s->defs[0]->data : "";
}

/* ---- list items ---------------------------------------------------------------------------- */

struct list_ctx {
    struct sc *s;
    rh_interp_mode mode;
    int items, nondefault, default_seen;
    char first_bad[160];
};

static rh_status list_item(const char *item, size_t len, void *user)
{
    struct list_ctx *lc = user;
    struct sc *s = lc->s;
    lc->items++;
    if (has_defaults(s) && is_default_value(s, item, len)) {
        lc->default_seen++;
        return RH_OK;
    }
    lc->nondefault++;
    if (lc->nondefault == 1) {
        excerpt(lc->first_bad, sizeof(lc->first_bad), item, len);
    }
    analyze(s,
            memchr(item, ' ', len) && lc->mode == RH_INTERP_MODE_COMMAND ? RH_INTERP_MODE_COMMAND
                                                                         : lc->mode,
            item, len);
    return s->st;
}

static void analyze_list(struct sc *s, const char *t, size_t n, rh_interp_mode mode,
                         const char *seps, struct list_ctx *lc)
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
static int component_after(const char *key, size_t kn, const char *marker, char *buf, size_t cap)
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

static void last_component(const char *key, size_t kn, char *buf, size_t cap)
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

static rh_status lookup_value(struct sc *s, rh_kb_hive hive, const char *key, const char *name,
                              uint32_t *type)
{
    rh_buf_reset(&s->tmp);
    if (!s->in->lookup) {
        return RH_NOT_FOUND;
    }
    return s->in->lookup(s->in->lookup_user, hive, key, name, type, &s->tmp);
}

static int lookup_number(struct sc *s, rh_kb_hive hive, const char *key, const char *name,
                         uint64_t *v)
{
    uint32_t type = 0;
    rh_regdata d;
    if (lookup_value(s, hive, key, name, &type) != RH_OK) {
        return 0;
    }
    d.type = type;
    d.data = (const uint8_t *)s->tmp.data;
    d.len = s->tmp.len;
    return d.data ? rh_regdata_number(&d, v) : 0;
}

/* The data as text (string types), else NULL. */
static const char *data_text(const rh_score_input *in, size_t *n)
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

/* Extract path-like strings from binary data (ASCII and UTF-16LE runs). */
static void analyze_binary(struct sc *s)
{
    const uint8_t *d = s->in->data.data;
    size_t n = s->in->data.len, i = 0, found = 0;
    rh_buf str;
    rh_buf_init(&str, s->ctx);
    while (i < n && found < 4 && s->st == RH_OK) {
        size_t j = i, wide = 0;
        rh_buf_reset(&str);
        if (i + 1 < n && d[i] >= 0x20 && d[i] < 0x7F && d[i + 1] == 0) {
            while (j + 1 < n && d[j] >= 0x20 && d[j] < 0x7F && d[j + 1] == 0) {
                s->st = rh_buf_putc(&str, (char)d[j]);
                j += 2;
            }
            wide = 1;
        } else {
            while (j < n && d[j] >= 0x20 && d[j] < 0x7F) {
                s->st = rh_buf_putc(&str, (char)d[j]);
                j++;
            }
        }
        if (str.len >= 6 && (interp_ci_find(str.data, str.len, ":\\") != (size_t)-1 ||
                             interp_ci_find(str.data, str.len, "%") != (size_t)-1 ||
                             interp_ci_find(str.data, str.len, "\\\\") != (size_t)-1 ||
                             interp_ci_find(str.data, str.len, "://") != (size_t)-1)) {
            analyze(s, RH_INTERP_MODE_COMMAND, str.data, str.len);
            found++;
        }
        i = j > i ? j : i + 1;
        (void)wide;
    }
    rh_buf_free(&str);
}

/* ---- location-specific checks ----------------------------------------------------------- */

static void check_run(struct sc *s)
{
    const char *nm = s->in->value_name;
    if (s->in->name_len && nm[0] == '*') {
        reason(s, "'*' name prefix: also runs in Safe Mode");
        s->points += 5;
    } else if (s->in->name_len && nm[0] == '!') {
        reason(s, "'!' name prefix: retried until it succeeds");
    }
}

static void check_runonceex(struct sc *s, const char *t, size_t n)
{
    const char *bar;
    if (ci_suffix_key(s->in->key_path, s->in->key_len)) {
        analyze(s, RH_INTERP_MODE_PATH, t, n);
        reason(s, "RunOnceEx Depend DLL loaded by runonce.exe");
        floor_at(s, PTS_MEDIUM);
        return;
    }
    if (n >= 2 && t[0] == '|' && t[1] == '|') {
        analyze(s, RH_INTERP_MODE_COMMAND, t + 2, n - 2);
        reason(s, "RunOnceEx command line (||) run by runonce.exe");
        floor_at(s, PTS_MEDIUM);
        return;
    }
    bar = memchr(t, '|', n);
    if (bar) {
        analyze(s, RH_INTERP_MODE_PATH, t, (size_t)(bar - t));
        reason(s, "RunOnceEx DLL|function line loaded by runonce.exe");
        floor_at(s, PTS_MEDIUM);
        return;
    }
    analyze(s, RH_INTERP_MODE_COMMAND, t, n);
}

static void check_startupapproved(struct sc *s)
{
    const uint8_t *d = s->in->data.data;
    size_t n = s->in->data.len;
    uint8_t flag;
    rh_buf iso;
    if (!d || n < 1) {
        reason(s, "empty StartupApproved data");
        s->points += 10;
        return;
    }
    flag = d[0];
    if (n >= 12) {
        s->out->time_info = rh_le64(d + 4);
    }
    rh_buf_init(&iso, s->ctx);
    if (s->out->time_info) {
        rh_filetime_to_iso(&iso, s->out->time_info);
    }
    if (flag == 0x02 || flag == 0x06) {
        reason(s, "enabled in Task Manager (flag 0x%02X)", flag);
    } else if (flag == 0x03 || flag == 0x07 || flag == 0x01) {
        reason(s, "disabled in Task Manager (flag 0x%02X) at %s", flag,
               iso.data ? iso.data : "unknown time");
        cap_at(s, PTS_LOW - 1);
    } else {
        reason(s, "unknown StartupApproved flag 0x%02X (tampered)", flag);
        s->points += 25;
        s->strong++;
        s->specific = 1;
    }
    if (n != 12) {
        reason(s, "StartupApproved data of %zu bytes (expected 12)", n);
        s->points += 5;
    }
    if (s->out->time_info && s->in->reference_time && s->out->time_info > s->in->reference_time) {
        reason(s, "StartupApproved time after the reference time");
        s->points += 10;
    }
    rh_buf_free(&iso);
    /* the value name is the Run value or Startup file it controls */
    analyze(s, RH_INTERP_MODE_PATH, s->in->value_name, s->in->name_len);
}

static void check_shellfolder(struct sc *s, const char *t, size_t n)
{
    rh_buf e;
    static const char tail[] =
        "\\appdata\\roaming\\microsoft\\windows\\start menu\\programs\\startup";
    rh_buf_init(&e, s->ctx);
    if (rh_env_expand(s->in->env, t, n, &e, NULL) == RH_OK && rh_buf_reserve(&e, 0) == RH_OK) {
        /* Shell Folders caches the literal profile path: C:\Users\<any>\AppData\...\Startup */
        size_t tl = sizeof(tail) - 1;
        if (e.len > tl + 9 && rh_ascii_casecmp(e.data, 9, "c:\\users\\", 9) == 0 &&
            rh_ascii_casecmp(e.data + e.len - tl, tl, tail, tl) == 0 &&
            !memchr(e.data + 9, '\\', e.len - tl - 9)) {
            s->out->is_default = 1;
        }
    }
    rh_buf_free(&e);
    if (!s->out->is_default) {
        char ex[160];
        reason(s, "Startup folder redirected to %s", excerpt(ex, sizeof(ex), t, n));
        floor_at(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
    }
}

static void check_winlogon(struct sc *s, const struct list_ctx *lc)
{
    const char *v = s->in->value_name;
    size_t vn = s->in->name_len;
    char vname[32];
    excerpt(vname, sizeof(vname), v, vn);
    if (!has_defaults(s)) {
        if (lc->items) {
            reason(s, "per-user Winlogon %s set (absent by default): %s", vname, lc->first_bad);
            floor_at(s, PTS_HIGH);
            s->strong++;
            s->specific = 1;
        }
        return;
    }
    if (lc->nondefault && lc->default_seen) {
        reason(s, "extra Winlogon %s entry: %s", vname, lc->first_bad);
        floor_at(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
    } else if (lc->nondefault) {
        reason(s, "Winlogon %s replaced: %s", vname, lc->first_bad);
        floor_at(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
    } else if (lc->default_seen > 1) {
        reason(s, "Winlogon %s repeats the default entry", vname);
        s->points += 10;
    }
}

static int image_of(const rh_score_input *in, char *buf, size_t cap)
{
    return component_after(in->key_path, in->key_len, "Image File Execution Options\\", buf, cap) ||
           component_after(in->key_path, in->key_len, "SilentProcessExit\\", buf, cap);
}

static size_t stem(const char *b)
{
    size_t n = strlen(b);
    return (n > 4 && rh_ascii_casecmp(b + n - 4, 4, ".exe", 4) == 0) ? n - 4 : n;
}

static void check_ifeo_debugger(struct sc *s)
{
    char image[260], ifeo[512];
    size_t i;
    int filtered = 0;
    if (!image_of(s->in, image, sizeof(image))) {
        image[0] = '\0';
    }
    snprintf(ifeo, sizeof(ifeo),
             "%sMicrosoft\\Windows NT\\CurrentVersion\\Image File Execution "
             "Options\\%s",
             interp_ci_find(s->in->key_path, s->in->key_len, "Wow6432Node\\") == 0 ? "Wow6432Node\\"
                                                                                   : "",
             image);
    if (interp_ci_find(s->in->key_path, s->in->key_len, "Options\\") != (size_t)-1 &&
        s->in->key_len > strlen(ifeo)) {
        uint64_t use = 0;
        filtered = 1;
        if (lookup_number(s, RH_KB_HIVE_SOFTWARE, ifeo, "UseFilter", &use) && use) {
            reason(s, "filtered IFEO (UseFilter=1 on %s)", image);
        } else {
            reason(s, "IFEO filter subkey (UseFilter not confirmed)");
        }
    }
    for (i = 0; i < sizeof(accessibility) / sizeof(accessibility[0]); i++) {
        if (rh_ascii_casecmp(image, stem(image), accessibility[i], strlen(accessibility[i])) == 0) {
            reason(s, "Debugger on accessibility binary %s: pre-logon SYSTEM backdoor", image);
            s->out->technique = "T1546.008";
            floor_at(s, PTS_CRITICAL);
            s->strong += 2;
            s->specific = 1;
            return;
        }
    }
    if (s->target) {
        const char *b;
        size_t bl;
        interp_basename(s->target, strlen(s->target), &b, &bl);
        if (ci_eq_s(b, bl, "vsjitdebugger.exe") || ci_eq_s(b, bl, "windbg.exe") ||
            ((ci_eq_s(b, bl, "procexp.exe") || ci_eq_s(b, bl, "procexp64.exe") ||
              ci_eq_s(b, bl, "procexp64a.exe")) &&
             ci_eq_s(image, strlen(image), "taskmgr.exe"))) {
            reason(s, "known debugger / Task Manager replacement");
            if (!(s->feats & (RH_FEAT_USER_WRITABLE | RH_FEAT_URL | RH_FEAT_UNC))) {
                cap_at(s, PTS_LOW);
            }
            return;
        }
    }
    reason(s, "Debugger hijacks every start of %s%s", image[0] ? image : "the image",
           filtered ? " (filtered)" : "");
    floor_at(s, PTS_HIGH);
    s->strong++;
    s->specific = 1;
}

static void check_globalflag(struct sc *s)
{
    uint64_t gf = 0, rm = 0;
    char image[260], key[512];
    int have = rh_regdata_number(&s->in->data, &gf);
    if (!have) {
        reason(s, "GlobalFlag is not a number");
        s->points += 5;
        return;
    }
    if (!image_of(s->in, image, sizeof(image))) {
        image[0] = '\0';
    }
    if (gf & 0x200) {
        uint32_t type = 0;
        snprintf(key, sizeof(key), "Microsoft\\Windows NT\\CurrentVersion\\SilentProcessExit\\%s",
                 image);
        if (lookup_value(s, RH_KB_HIVE_SOFTWARE, key, "MonitorProcess", &type) == RH_OK &&
            s->tmp.len) {
            char ex[160], *copy = rh_strndup(s->ctx, s->tmp.data, s->tmp.len);
            reason(s, "GlobalFlag 0x200 arms SilentProcessExit MonitorProcess %s",
                   excerpt(ex, sizeof(ex), s->tmp.data, s->tmp.len));
            if (copy) {
                analyze(s, RH_INTERP_MODE_COMMAND, copy, strlen(copy));
                rh_free(s->ctx, copy);
            }
            if (lookup_number(s, RH_KB_HIVE_SOFTWARE, key, "ReportingMode", &rm) && (rm & 1)) {
                reason(s, "ReportingMode %llu launches the monitor", (unsigned long long)rm);
            }
            floor_at(s, PTS_HIGH);
            s->strong++;
        } else {
            reason(s, "GlobalFlag 0x200 (silent process exit monitoring) on %s", image);
        }
        s->specific = 1;
    }
    if (gf & 0x100) {
        uint32_t type = 0;
        snprintf(key, sizeof(key),
                 "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\%s", image);
        if (lookup_value(s, RH_KB_HIVE_SOFTWARE, key, "VerifierDlls", &type) == RH_OK &&
            s->tmp.len) {
            char ex[160];
            reason(s, "GlobalFlag 0x100 loads VerifierDlls %s",
                   excerpt(ex, sizeof(ex), s->tmp.data, s->tmp.len));
            floor_at(s, PTS_HIGH);
            s->strong++;
        } else {
            reason(s, "GlobalFlag 0x100 (Application Verifier) on %s", image);
        }
        s->specific = 1;
    }
    if (!(gf & 0x300)) {
        reason(s, "debugging GlobalFlag 0x%llx only", (unsigned long long)gf);
        cap_at(s, PTS_LOW);
    }
}

static void check_verifier(struct sc *s)
{
    char image[260], key[512];
    uint64_t gf = 0;
    if (!image_of(s->in, image, sizeof(image))) {
        image[0] = '\0';
    }
    snprintf(key, sizeof(key),
             "%sMicrosoft\\Windows NT\\CurrentVersion\\Image File Execution "
             "Options\\%s",
             interp_ci_find(s->in->key_path, s->in->key_len, "Wow6432Node\\") == 0 ? "Wow6432Node\\"
                                                                                   : "",
             image);
    if (lookup_number(s, RH_KB_HIVE_SOFTWARE, key, "GlobalFlag", &gf) && (gf & 0x100)) {
        reason(s, "armed by GlobalFlag 0x100: injected into %s at start", image);
        s->strong++;
    } else {
        reason(s, "verifier DLL for %s (GlobalFlag 0x100 not seen)", image);
    }
    s->specific = 1;
}

static void check_spe_monitor(struct sc *s)
{
    char image[260], key[512];
    uint64_t gf = 0, rm = 0;
    int armed_gf, armed_rm;
    if (!image_of(s->in, image, sizeof(image))) {
        image[0] = '\0';
    }
    snprintf(key, sizeof(key),
             "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\%s", image);
    armed_gf = lookup_number(s, RH_KB_HIVE_SOFTWARE, key, "GlobalFlag", &gf) && (gf & 0x200);
    armed_rm =
        !s->in->lookup ||
        (lookup_number(s, RH_KB_HIVE_SOFTWARE, s->in->key_path, "ReportingMode", &rm) && (rm & 1));
    if (armed_gf && armed_rm) {
        reason(s, "armed: IFEO GlobalFlag 0x200 and ReportingMode 1 launch it when %s exits",
               image);
        floor_at(s, PTS_HIGH);
        s->strong++;
    } else if (armed_gf) {
        reason(s, "IFEO GlobalFlag 0x200 set for %s (ReportingMode not 1)", image);
    } else {
        reason(s, "not armed: IFEO GlobalFlag 0x200 missing for %s", image);
        s->points -= 10;
    }
    s->specific = 1;
}

static void check_spe_reporting(struct sc *s)
{
    char image[260];
    uint64_t rm = 0;
    if (!image_of(s->in, image, sizeof(image))) {
        image[0] = '\0';
    }
    if (!rh_regdata_number(&s->in->data, &rm)) {
        return;
    }
    if ((rm & 2) && ci_eq_s(image, strlen(image), "lsass.exe")) {
        reason(s, "ReportingMode %llu dumps lsass.exe on exit (credential theft)",
               (unsigned long long)rm);
        floor_at(s, PTS_HIGH);
        s->strong += 2;
        s->out->technique = "T1546.012";
    } else if (rm & 1) {
        reason(s, "ReportingMode %llu launches MonitorProcess when %s exits",
               (unsigned long long)rm, image);
    } else if (rm & 2) {
        reason(s, "ReportingMode %llu writes a local dump of %s", (unsigned long long)rm, image);
    } else {
        cap_at(s, PTS_LOW);
    }
    s->specific = 1;
}

static int is_hijack_clsid(const char *c)
{
    size_t i;
    for (i = 0; i < sizeof(hijack_clsids) / sizeof(hijack_clsids[0]); i++) {
        if (rh_ascii_casecmp(c, strlen(c), hijack_clsids[i], strlen(hijack_clsids[i])) == 0) {
            return 1;
        }
    }
    return 0;
}

static void check_com_server(struct sc *s, const char *t, size_t n)
{
    char clsid[64], kindname[32];
    rh_com_server kind = RH_COM_INPROC;
    const char *msrv = NULL;
    int known = 0, per_user = s->in->loc->hive == RH_KB_HIVE_USRCLASS;
    if (!component_after(s->in->key_path, s->in->key_len, "CLSID\\", clsid, sizeof(clsid))) {
        return;
    }
    last_component(s->in->key_path, s->in->key_len, kindname, sizeof(kindname));
    if (ci_eq_s(kindname, strlen(kindname), "LocalServer32")) {
        kind = RH_COM_LOCAL;
    } else if (ci_eq_s(kindname, strlen(kindname), "InprocHandler32")) {
        kind = RH_COM_HANDLER;
    }
    if (is_hijack_clsid(clsid)) {
        reason(s, "%s is a CLSID hijacked in the wild", clsid);
        s->points += 10;
    }
    if (s->target) {
        const char *b;
        size_t bl;
        interp_basename(s->target, strlen(s->target), &b, &bl);
        if (ci_eq_s(b, bl, "scrobj.dll")) {
            reason(s, "scriptlet COM server (scrobj.dll)");
            s->points += 20;
            s->strong++;
        }
    }
    if (!per_user) {
        if (is_hijack_clsid(clsid) && (s->feats & RH_FEAT_USER_WRITABLE)) {
            floor_at(s, PTS_HIGH);
            s->strong++;
        }
        return;
    }
    if (!s->in->machine_com) {
        reason(s, "machine COM registrations unknown");
        return;
    }
    if (rh_comdb_get(s->in->machine_com, clsid, kind, &msrv, &known) == RH_OK || known) {
        if (msrv && interp_path_equal(s->ctx, s->in->env, msrv, strlen(msrv), t, n)) {
            reason(s, "same server as the machine registration of %s", clsid);
            cap_at(s, PTS_LOW);
            return;
        }
        {
            char ex[160];
            reason(s, "per-user %s shadows the machine registration of %s (machine: %s)", kindname,
                   clsid, msrv ? excerpt(ex, sizeof(ex), msrv, strlen(msrv)) : "other kind");
        }
        floor_at(s, (s->feats & RH_FEAT_VENDOR_USERDIR) ? PTS_MEDIUM : PTS_HIGH);
        s->strong++;
        s->specific = 1;
        return;
    }
    reason(s, "per-user COM server with no machine counterpart");
}

/* Server of a CLSID registered in the user's own classes (UsrClass.dat, or NTUSER
 * Software\Classes): copies it into s->tmp and returns 1, with *local for LocalServer32. */
static int user_clsid_server(struct sc *s, const char *clsid, int *local)
{
    static const struct {
        rh_kb_hive hive;
        const char *prefix, *suffix;
        int local;
    } where[] = {
        {RH_KB_HIVE_USRCLASS, "CLSID\\", "\\InprocServer32", 0},
        {RH_KB_HIVE_USRCLASS, "WOW6432Node\\CLSID\\", "\\InprocServer32", 0},
        {RH_KB_HIVE_USRCLASS, "CLSID\\", "\\LocalServer32", 1},
        {RH_KB_HIVE_NTUSER, "Software\\Classes\\CLSID\\", "\\InprocServer32", 0},
        {RH_KB_HIVE_NTUSER, "Software\\Classes\\CLSID\\", "\\LocalServer32", 1},
    };
    char key[160];
    size_t i;
    uint32_t type = 0;
    for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
        snprintf(key, sizeof(key), "%s%s%s", where[i].prefix, clsid, where[i].suffix);
        if (lookup_value(s, where[i].hive, key, "", &type) == RH_OK && s->tmp.len &&
            s->tmp.data[0] != '\0') {
            *local = where[i].local;
            return 1;
        }
    }
    return 0;
}

static void check_com_treatas(struct sc *s, const char *t, size_t n)
{
    char clsid[64], target[64], ex[96];
    const char *srv = NULL;
    int per_user = s->in->loc->hive == RH_KB_HIVE_USRCLASS, have_server = 0, local = 0;
    int proxystub =
        interp_ci_find(s->in->key_path, s->in->key_len, "\\ProxyStubClsid32") != (size_t)-1;
    if (!component_after(s->in->key_path, s->in->key_len, "CLSID\\", clsid, sizeof(clsid)) &&
        !component_after(s->in->key_path, s->in->key_len, "Interface\\", clsid, sizeof(clsid))) {
        clsid[0] = '\0';
    }
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\0')) {
        n--;
    }
    excerpt(target, sizeof(target), t, n);
    reason(s, "%s redirects %s to %s", per_user ? "per-user redirection" : "redirection", clsid,
           target);
    if (s->in->machine_com &&
        rh_comdb_get(s->in->machine_com, target, RH_COM_INPROC, &srv, NULL) == RH_OK) {
        reason(s, "redirect target server %s", excerpt(ex, sizeof(ex), srv, strlen(srv)));
        analyze(s, RH_INTERP_MODE_PATH, srv, strlen(srv));
        have_server = 1;
    }
    if (per_user && !have_server && n == 38 && target[0] == '{' &&
        user_clsid_server(s, target, &local)) {
        char *copy = rh_strndup(s->ctx, s->tmp.data, s->tmp.len);
        if (!copy) {
            s->st = RH_ERR_NOMEM;
            return;
        }
        reason(s, "%s is registered by this user with server %s", target,
               excerpt(ex, sizeof(ex), copy, strlen(copy)));
        analyze(s, local ? RH_INTERP_MODE_COMMAND : RH_INTERP_MODE_PATH, copy, strlen(copy));
        rh_free(s->ctx, copy);
        have_server = 1;
    }
    if (!per_user) {
        return;
    }
    if (!proxystub) {
        floor_at(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
        return;
    }
    /* ProxyStubClsid32: the proxy DLL is loaded into every process that marshals the
     * interface, so the referenced server is what matters (the well-known system proxies are
     * the kb defaults). */
    if (!have_server) {
        reason(s,
               "no COM server registered for %s in the collection: the redirection loads "
               "nothing by itself",
               target);
        cap_at(s, PTS_MEDIUM);
    } else if ((s->feats & RH_FEAT_USER_WRITABLE) && !(s->feats & RH_FEAT_VENDOR_USERDIR)) {
        reason(s, "proxy/stub server in a user-writable folder");
        floor_at(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
    }
}

static void check_com_progid(struct sc *s, const char *t, size_t n)
{
    char progid[256];
    const char *mclsid = NULL;
    size_t i = 0;
    while (i < s->in->key_len && s->in->key_path[i] != '\\' && i + 1 < sizeof(progid)) {
        progid[i] = s->in->key_path[i];
        i++;
    }
    progid[i] = '\0';
    if (s->in->machine_com && rh_comdb_get_progid(s->in->machine_com, progid, &mclsid) == RH_OK) {
        if (interp_path_equal(s->ctx, NULL, mclsid, strlen(mclsid), t, n)) {
            cap_at(s, PTS_INFO);
            reason(s, "same CLSID as the machine ProgID %s", progid);
        } else {
            char ex[64];
            reason(s, "per-user ProgID %s remapped from %s to %s", progid, mclsid,
                   excerpt(ex, sizeof(ex), t, n));
            floor_at(s, PTS_HIGH);
            s->strong++;
            s->specific = 1;
        }
    }
}

static void check_clsid_ref(struct sc *s, const char *t, size_t n)
{
    char clsid[64];
    const char *srv = NULL;
    if (n != 38 || t[0] != '{') {
        return;
    }
    memcpy(clsid, t, 38);
    clsid[38] = '\0';
    if (!s->in->machine_com) {
        return;
    }
    if (rh_comdb_get(s->in->machine_com, clsid, RH_COM_INPROC, &srv, NULL) == RH_OK ||
        rh_comdb_get(s->in->machine_com, clsid, RH_COM_LOCAL, &srv, NULL) == RH_OK) {
        char ex[160];
        reason(s, "%s is served by %s", clsid, excerpt(ex, sizeof(ex), srv, strlen(srv)));
        analyze(s, RH_INTERP_MODE_COMMAND, srv, strlen(srv));
    } else {
        reason(s, "%s has no machine COM registration", clsid);
        s->points += 5;
    }
}

/* ---- actions -------------------------------------------------------------------------------- */

struct action_text {
    const char *prefix; /* technique prefix */
    const char *contain, *investigate, *monitor;
};

static const struct action_text actions[] = {
    {"T1547.001", "isolate the host, collect the payload, remove the value after imaging",
     "collect the target file and its hash, check who wrote the key and when (event logs)",
     "keep in the baseline and alert on changes"},
    {"T1547.004", "isolate the host, restore the Winlogon value to its default after imaging",
     "compare every Winlogon entry with the default, collect the extra binaries",
     "keep the Winlogon values in the baseline"},
    {"T1546.008",
     "isolate the host, restore the accessibility binary settings, hunt for RDP "
     "logons that used them",
     "check RDP/console logons at the lock screen and the debugger binary",
     "baseline IFEO for accessibility binaries"},
    {"T1546.012", "isolate the host, remove the IFEO/SilentProcessExit values after imaging",
     "collect the debugger/monitor binary, check which images it hijacks",
     "baseline IFEO and SilentProcessExit"},
    {"T1546.015",
     "isolate the host, delete the hijacking CLSID after imaging, collect the server "
     "DLL",
     "compare the per-user CLSID with the machine registration, collect the server",
     "keep per-user COM servers in the baseline"},
    {"T1543.003",
     "isolate the host, stop and disable the service after imaging, collect the "
     "binary",
     "collect the service binary, check 7045/4697 events and the creator",
     "baseline services and alert on new ones"},
    {"T1547.002", "isolate the host, treat credentials as compromised, remove the package",
     "collect the LSA package DLL and check its signer", "baseline LSA packages"},
    {"T1547.005", "isolate the host, treat credentials as compromised, remove the SSP",
     "collect the SSP DLL and check its signer", "baseline LSA packages"},
    {"T1556", "isolate the host, treat credentials as compromised, remove the provider",
     "collect the provider DLL and check its signer", "baseline authentication providers"},
    {"T1037", "isolate the host, remove the logon script after imaging, collect it",
     "collect the script and check its author", "baseline logon scripts"},
    {"T1548", "isolate the host, remove the hijacked handler, check for elevated payloads",
     "collect the command target and check process creation events",
     "alert on writes to auto-elevation handlers"},
    {"T1137", "isolate the host, remove the Office persistence, collect the DLL or add-in",
     "collect the add-in/DLL and review Office process events", "baseline Office add-ins"},
    {"T1", "isolate the host, collect the referenced file, remove the value after imaging",
     "collect the referenced file, establish who wrote the value and when",
     "keep in the baseline and alert on changes"},
};

static rh_status make_action(struct sc *s)
{
    const char *tech = s->out->technique;
    size_t i;
    const struct action_text *a = &actions[sizeof(actions) / sizeof(actions[0]) - 1];
    rh_buf b;
    rh_status st;
    for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (strncmp(tech, actions[i].prefix, strlen(actions[i].prefix)) == 0) {
            a = &actions[i];
            break;
        }
    }
    if (s->out->risk >= RH_RISK_HIGH) {
        s->out->action = RH_ACTION_CONTAINMENT;
    } else if (s->out->risk == RH_RISK_MEDIUM) {
        s->out->action = RH_ACTION_INVESTIGATION;
    } else {
        s->out->action = RH_ACTION_MONITORING;
    }
    rh_buf_init(&b, s->ctx);
    st = rh_buf_printf(&b, "%s \xE2\x80\x94 %s", rh_action_name(s->out->action),
                       s->out->action == RH_ACTION_CONTAINMENT     ? a->contain
                       : s->out->action == RH_ACTION_INVESTIGATION ? a->investigate
                       : s->out->risk == RH_RISK_INFO ? "no action: known-good or default value"
                                                      : a->monitor);
    if (st == RH_OK) {
        s->out->action_text = rh_strndup(s->ctx, b.data, b.len);
        st = s->out->action_text ? RH_OK : RH_ERR_NOMEM;
    }
    rh_buf_free(&b);
    return st;
}

/* ---- empty data and known vendor components -------------------------------------------------- */

/* 1 when the data is empty: zero bytes, or a string (SZ, EXPAND_SZ, MULTI_SZ) of only
 * blanks/NULs (it launches nothing). Only for rows whose data is the payload: not numbers,
 * not text rows whose CLSID key is the payload, not StartupApproved, not rows where the value
 * name is the payload. A DWORD 0 or zeroed binary at a command location is not "empty": it
 * is judged by the normal rules (a type Windows would not run, but worth a look). */
static int empty_payload(const rh_score_input *in, const char *text, size_t tn)
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

/* Cap a known third-party component in an admin-only folder at Medium (see vendor_components). */
static void check_vendor(struct sc *s)
{
    const char *b;
    size_t bl, i;
    if (!s->target || !s->have_class ||
        (s->worst_class != RH_PATH_SYSTEM32 && s->worst_class != RH_PATH_WINDOWS) ||
        (s->feats & MALICIOUS_FEATS)) {
        return;
    }
    interp_basename(s->target, strlen(s->target), &b, &bl);
    for (i = 0; i < sizeof(vendor_components) / sizeof(vendor_components[0]); i++) {
        if (ci_eq_s(b, bl, vendor_components[i].file)) {
            reason(s,
                   "known third-party component (%s) in an admin-only Windows folder; verify "
                   "its signer",
                   vendor_components[i].label);
            cap_at(s, PTS_MEDIUM);
            return;
        }
    }
}

/* ---- main ------------------------------------------------------------------------------------ */

#define FT_DAY 864000000000ull

rh_status rh_score_value(rh_ctx *ctx, const rh_score_input *in, rh_score_result *out)
{
    struct sc s;
    const rh_kb_location *loc;
    const char *text, *why_hidden = NULL;
    size_t tn = 0, i;
    int hidden, present, empty, points;
    struct list_ctx lc;
    rh_interp_mode mode;
    rh_status st;

    memset(out, 0, sizeof(*out));
    if (!in || !in->loc || !in->key_path) {
        return RH_ERR_ARG;
    }
    loc = in->loc;
    memset(&s, 0, sizeof(s));
    s.ctx = ctx;
    s.in = in;
    s.out = out;
    s.cap = 1000;
    rh_buf_init(&s.reasons, ctx);
    rh_buf_init(&s.tmp, ctx);
    s.reasons.cap_limit = 4096;
    out->technique = loc->technique;
    memset(&lc, 0, sizeof(lc));
    select_defaults(&s);

    s.points = base_points[loc->base_risk <= RH_RISK_CRITICAL ? loc->base_risk : 0];
    text = data_text(in, &tn);
    mode = (loc->interp == RH_KB_INTERP_DLLPATH || loc->interp == RH_KB_INTERP_FOLDER)
               ? RH_INTERP_MODE_PATH
               : RH_INTERP_MODE_COMMAND;

    hidden = rh_name_is_hidden(in->value_name ? in->value_name : "", in->name_len, &why_hidden);
    /* a deleted value's data may simply be unrecoverable: never call it empty */
    empty = !(in->value_flags & RH_SCORE_DELETED) && empty_payload(in, text, tn);
    present = (text ? tn > 0 : in->data.len > 0) && !empty;

    /* 1. interpretation of the data, and the Windows default */
    switch (loc->interp) {
    case RH_KB_INTERP_LIST:
    case RH_KB_INTERP_CMDLIST:
        if (text) {
            const char *seps = loc->interp == RH_KB_INTERP_CMDLIST ? ","
                               : memchr(text, '=', tn)             ? " "
                                                                   : " ,";
            analyze_list(&s, text, tn,
                         loc->interp == RH_KB_INTERP_CMDLIST ? RH_INTERP_MODE_COMMAND
                                                             : RH_INTERP_MODE_PATH,
                         seps, &lc);
            if (has_defaults(&s) && lc.nondefault == 0) {
                out->is_default = 1;
            } else if (has_defaults(&s) && loc->check != RH_KB_CHECK_WINLOGON_LIST) {
                reason(&s, "item not in the Windows default: %s", lc.first_bad);
                s.points += 10;
            }
        }
        break;
    case RH_KB_INTERP_NUMBER: {
        uint64_t v = 0;
        if (rh_regdata_number(&in->data, &v)) {
            char num[32];
            snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
            if (has_defaults(&s)) {
                if (is_default_value(&s, num, strlen(num))) {
                    out->is_default = 1;
                } else {
                    reason(&s, "value %s differs from the Windows default %s", num,
                           default_shown(&s));
                    s.points += 10;
                    s.specific = 1;
                }
            }
        } else if (text) {
            analyze(&s, RH_INTERP_MODE_COMMAND, text, tn);
        }
        break;
    }
    case RH_KB_INTERP_STARTUPAPPROVED:
        check_startupapproved(&s);
        break;
    case RH_KB_INTERP_BINARY:
        if (text) {
            analyze(&s, RH_INTERP_MODE_COMMAND, text, tn);
        } else {
            analyze_binary(&s);
        }
        break;
    default:
        if (text) {
            if (has_defaults(&s) && is_default_value(&s, text, tn)) {
                out->is_default = 1;
            } else if (loc->check == RH_KB_CHECK_RUNONCEEX) {
                check_runonceex(&s, text, tn);
            } else {
                analyze(&s, mode, text, tn);
                if (has_defaults(&s) && loc->check == RH_KB_CHECK_NONE) {
                    char ex[120];
                    reason(&s, "differs from the Windows default %s",
                           excerpt(ex, sizeof(ex), default_shown(&s), strlen(default_shown(&s))));
                    s.points += 10;
                }
            }
            if (loc->interp == RH_KB_INTERP_CLSID && !out->is_default) {
                const char *t = text;
                size_t n = tn;
                while (n && (t[n - 1] == ' ' || t[n - 1] == '\0')) {
                    n--;
                }
                check_clsid_ref(&s, t, n);
            }
        } else if (in->data.len) {
            analyze_binary(&s);
        }
        break;
    }
    /* CLSID-named keys (credential providers, AMSI, BHOs, ShellServiceObjects ...): the server
     * of the CLSID in the key path is the payload */
    if ((loc->interp == RH_KB_INTERP_NUMBER || loc->interp == RH_KB_INTERP_TEXT) &&
        loc->hive != RH_KB_HIVE_USRCLASS && !out->is_default) {
        size_t e = in->key_len, b;
        while (e > 0) {
            b = e;
            while (b > 0 && in->key_path[b - 1] != '\\') {
                b--;
            }
            if (e - b == 38 && in->key_path[b] == '{') {
                check_clsid_ref(&s, in->key_path + b, 38);
                break;
            }
            e = b ? b - 1 : 0;
        }
    }
    if ((loc->flags & RH_KB_F_NAME_IS_DATA) && in->name_len && !hidden) {
        if (loc->interp == RH_KB_INTERP_CLSID) {
            check_clsid_ref(&s, in->value_name, in->name_len);
        } else {
            analyze(&s, RH_INTERP_MODE_PATH, in->value_name, in->name_len);
        }
    }

    /* 2. location-specific rules */
    if (!out->is_default) {
        switch (loc->check) {
        case RH_KB_CHECK_RUN:
            check_run(&s);
            break;
        case RH_KB_CHECK_SHELLFOLDER:
            if (text) {
                check_shellfolder(&s, text, tn);
            }
            break;
        case RH_KB_CHECK_WINLOGON_LIST:
            check_winlogon(&s, &lc);
            break;
        case RH_KB_CHECK_IFEO_DEBUGGER:
            check_ifeo_debugger(&s);
            break;
        case RH_KB_CHECK_IFEO_GLOBALFLAG:
            check_globalflag(&s);
            break;
        case RH_KB_CHECK_IFEO_VERIFIER:
            check_verifier(&s);
            break;
        case RH_KB_CHECK_SPE_MONITOR:
            check_spe_monitor(&s);
            break;
        case RH_KB_CHECK_SPE_REPORTING:
            check_spe_reporting(&s);
            break;
        case RH_KB_CHECK_COM_SERVER:
            if (text) {
                check_com_server(&s, text, tn);
            }
            break;
        case RH_KB_CHECK_COM_TREATAS:
            if (text) {
                check_com_treatas(&s, text, tn);
            }
            break;
        case RH_KB_CHECK_COM_SCRIPTLET:
            if (text &&
                (interp_ci_find(text, tn, "script:") != (size_t)-1 ||
                 interp_ci_find(s.in->key_path, s.in->key_len, "ScriptletURL") != (size_t)-1)) {
                reason(&s, "scriptlet-backed COM object");
                floor_at(&s, PTS_HIGH);
                s.strong++;
                s.specific = 1;
            }
            break;
        case RH_KB_CHECK_COM_PROGID:
            if (text) {
                check_com_progid(&s, text, tn);
            }
            break;
        default:
            break;
        }
    }

    /* 3. feature points and reasons */
    if (!out->is_default) {
        uint64_t f = s.feats;
        if (f & RH_FEAT_ENCODED) {
            f &= ~RH_FEAT_BASE64;
        }
        for (i = 0; i < sizeof(feat_rules) / sizeof(feat_rules[0]); i++) {
            if (f & feat_rules[i].bit) {
                s.points += feat_rules[i].points;
                if (feat_rules[i].bit != RH_FEAT_LOLBIN &&
                    feat_rules[i].bit != RH_FEAT_SCRIPT_HOST &&
                    feat_rules[i].bit != RH_FEAT_MASQUERADE) {
                    reason(&s, "%s", feat_rules[i].reason);
                }
            }
        }
        if (s.have_class) {
            const char *cr = class_reason(s.worst_class);
            s.points += s.worst_class_pts;
            if (cr) {
                reason(&s, "%s", cr);
            }
        }
        if (f & RH_FEAT_VENDOR_USERDIR) {
            s.points -= 20;
            reason(&s, "known per-user software folder");
        }
        s.strong +=
            !!(f & RH_FEAT_INLINE_SCRIPT) + !!(f & RH_FEAT_ENCODED) + !!(f & RH_FEAT_DOWNLOAD) +
            !!(f & RH_FEAT_MASQUERADE) + !!(f & RH_FEAT_SCROBJ) + !!(f & RH_FEAT_DOUBLE_EXT) +
            !!(f & RH_FEAT_RAW_IP) + !!(f & RH_FEAT_UNC) + !!(f & RH_FEAT_CONTROL_CHARS) +
            (s.have_class && (s.worst_class == RH_PATH_TEMP || s.worst_class == RH_PATH_PUBLIC));
        if ((loc->flags & RH_KB_F_ABSENT_DEFAULT) && present) {
            s.points += 10;
            reason(&s, "location is empty on a clean Windows");
        }
        if ((loc->flags & RH_KB_F_LEGACY) && present) {
            reason(&s, "legacy location ignored by current Windows");
        }
        if ((loc->flags & RH_KB_F_PRIVILEGED) && s.strong) {
            s.points += 10;
            reason(&s, "runs with SYSTEM/LSASS privileges");
        }
    } else {
        reason(&s, "matches the Windows default");
    }

    /* 4. hidden tricks, provenance, recency */
    if (hidden) {
        reason(&s, "hidden value name (%s)", why_hidden);
        s.points += 40;
        floor_at(&s, PTS_HIGH);
        s.strong += 2;
    }
    if (in->value_flags & RH_SCORE_DELETED) {
        reason(&s, "value recovered from a deleted cell");
        s.points += 10;
        floor_at(&s, PTS_MEDIUM);
    }
    if (in->value_flags & RH_SCORE_FROM_REPLAY) {
        reason(&s, "present only after transaction-log replay (recent write)");
        s.points += 10;
        floor_at(&s, PTS_MEDIUM);
        s.strong++;
    }
    if (in->reference_time && in->key_last_write) {
        if (in->key_last_write > in->reference_time) {
            reason(&s, "key written after the reference time");
        } else if (in->reference_time - in->key_last_write <= 7 * FT_DAY) {
            reason(&s, "key written within 7 days of the reference time");
            s.points += 10;
        } else if (in->reference_time - in->key_last_write <= 30 * FT_DAY) {
            reason(&s, "key written within 30 days of the reference time");
            s.points += 5;
        }
    }

    /* 5. known-good, empty data, known vendor components */
    if (out->is_default && !hidden && !(in->value_flags & RH_SCORE_DELETED)) {
        cap_at(&s, PTS_INFO);
    }
    if (!out->is_default && empty) {
        /* present but empty: runs nothing (ExcludeFromKnownDlls, SetupExecute, RDP-Tcp
         * InitialProgram, Windows\Load exist empty on every install) */
        reason(&s, "empty: the value runs nothing");
        cap_at(&s, hidden ? PTS_MEDIUM : PTS_INFO);
    }
    if (!out->is_default && !hidden) {
        check_vendor(&s);
    }
    if (in->in_allowlist) {
        reason(&s, "allowlisted");
        cap_at(&s, PTS_INFO);
    } else if (in->in_baseline) {
        reason(&s, "in baseline");
        cap_at(&s, PTS_LOW);
    } else if (!out->is_default && in->reference_time) {
        reason(&s, "not in baseline");
    }
    if ((loc->flags & RH_KB_F_MODIFIER) && !hidden && !s.specific && !s.strong) {
        cap_at(&s, PTS_LOW);
    }

    /* 6. level */
    points = s.points;
    if (points < s.floor) {
        points = s.floor;
    }
    if (points > s.cap) {
        points = s.cap;
    }
    out->points = points;
    out->risk = points >= PTS_CRITICAL ? RH_RISK_CRITICAL
                : points >= PTS_HIGH   ? RH_RISK_HIGH
                : points >= PTS_MEDIUM ? RH_RISK_MEDIUM
                : points >= PTS_LOW    ? RH_RISK_LOW
                                       : RH_RISK_INFO;

    /* 7. confidence */
    if (out->is_default || in->in_allowlist || in->in_baseline) {
        out->confidence = RH_CONF_HIGH;
    } else if (s.strong >= 2 || (s.strong >= 1 && s.specific)) {
        out->confidence = RH_CONF_HIGH;
    } else if (s.strong == 1 || s.specific || (loc->flags & RH_KB_F_ABSENT_DEFAULT) ||
               out->risk <= RH_RISK_LOW) {
        out->confidence = RH_CONF_MEDIUM;
    } else {
        out->confidence = RH_CONF_LOW;
    }
    if ((in->value_flags & RH_SCORE_DELETED) && out->confidence > RH_CONF_LOW) {
        out->confidence = (rh_confidence)(out->confidence - 1);
    }
    if (!in->machine_com && loc->check == RH_KB_CHECK_COM_SERVER &&
        loc->hive == RH_KB_HIVE_USRCLASS && out->confidence > RH_CONF_LOW) {
        out->confidence = (rh_confidence)(out->confidence - 1);
    }

    out->technique_name = rh_technique_name(out->technique);
    if (!out->technique_name) {
        out->technique_name = loc->technique_name ? loc->technique_name : "";
    }
    out->features = s.feats;
    out->path_class = s.have_class ? s.worst_class : RH_PATH_NONE;
    out->target = s.target;
    s.target = NULL;
    st = s.st;
    if (st == RH_OK) {
        if (!s.reasons.len) {
            reason(&s, "value at a persistence location");
        }
        out->reasons = rh_strndup(ctx, s.reasons.data ? s.reasons.data : "", s.reasons.len);
        st = out->reasons ? make_action(&s) : RH_ERR_NOMEM;
    }
    rh_buf_free(&s.reasons);
    rh_buf_free(&s.tmp);
    rh_free(ctx, s.target);
    return st;
}

void rh_score_result_free(rh_ctx *ctx, rh_score_result *r)
{
    if (!r) {
        return;
    }
    rh_free(ctx, r->reasons);
    rh_free(ctx, r->action_text);
    rh_free(ctx, r->target);
    r->reasons = r->action_text = r->target = NULL;
}
