/*
 * Deterministic scoring of one value at a persistence location (rules: docs/scoring.md).
 */
#include <stdarg.h>
#include <stdio.h>

#include "score_internal.h"

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

static const int base_points[] = {PTS_INFO, PTS_LOW, PTS_MEDIUM, PTS_HIGH, PTS_CRITICAL};

struct feat_rule {
    uint64_t bit;
    int points;
    const char *reason; /* NULL: the analysis gives a more specific reason (names the host) */
};

static const struct feat_rule feat_rules[] = {
    {RH_FEAT_INLINE_SCRIPT, 20, "inline script code"},
    {RH_FEAT_ENCODED, 20, "encoded PowerShell command"},
    {RH_FEAT_DOWNLOAD, 15, "downloads content"},
    {RH_FEAT_RAW_IP, 10, "contacts a raw IP address"},
    {RH_FEAT_URL, 15, "remote URL in the data"},
    {RH_FEAT_UNC, 15, "UNC path in the data"},
    {RH_FEAT_LOLBIN, 10, NULL},
    {RH_FEAT_SCRIPT_HOST, 5, NULL},
    {RH_FEAT_OBFUSCATED, 15, "obfuscated command"},
    {RH_FEAT_BASE64, 10, "long base64 blob"},
    {RH_FEAT_HIDDEN_WINDOW, 5, "hidden window"},
    {RH_FEAT_POLICY_BYPASS, 5, "execution-policy bypass"},
    {RH_FEAT_CHAINED, 5, "chains several commands"},
    {RH_FEAT_SCRIPT_FILE, 10, "runs a script file"},
    {RH_FEAT_DOUBLE_EXT, 20, "double file extension"},
    {RH_FEAT_ODD_EXT, 10, "DLL with a non-DLL extension"},
    {RH_FEAT_SCROBJ, 20, "regsvr32 scriptlet (Squiblydoo)"},
    {RH_FEAT_MASQUERADE, 25, NULL},
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

static const char *class_reason(rh_path_class c, int sysdir_bare)
{
    if (sysdir_bare && c == RH_PATH_SYSTEM32) {
        return "bare file name: loaded from the Windows system folder";
    }
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

/* ---- state ------------------------------------------------------------------------------ */

void sc_reason(struct sc *s, const char *fmt, ...)
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

void sc_floor(struct sc *s, int pts)
{
    if (pts > s->floor) {
        s->floor = pts;
    }
}

void sc_cap(struct sc *s, int pts)
{
    if (pts < s->cap) {
        s->cap = pts;
    }
}

/* Short, bounded, printable excerpt of attacker text for reasons. */
const char *sc_excerpt(char *buf, size_t cap, const char *s, size_t n)
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

/* A target where software is installed (Windows, Program Files, a known per-user software
 * folder) with no suspicious feature: recency alone does not make it worth a look. */
static int clean_target(const struct sc *s)
{
    uint64_t bad = MALICIOUS_FEATS | RH_FEAT_LOLBIN | RH_FEAT_SCRIPT_HOST | RH_FEAT_SCRIPT_FILE;
    if (s->out->is_default || !s->have_class) {
        return 0;
    }
    if (s->feats & RH_FEAT_VENDOR_USERDIR) {
        return !(s->feats & bad & ~RH_FEAT_USER_WRITABLE);
    }
    return (s->worst_class == RH_PATH_SYSTEM32 || s->worst_class == RH_PATH_WINDOWS ||
            s->worst_class == RH_PATH_PROGRAM_FILES) &&
           !(s->feats & bad);
}

/* ---- item analysis -------------------------------------------------------------------------- */

static void take_interp(struct sc *s, const rh_interp *r)
{
    rh_path_class pc = r->path_class;
    int cp;
    if (pc == RH_PATH_RELATIVE && (s->in->loc->flags & RH_KB_F_SYSDIR)) {
        pc = RH_PATH_SYSTEM32; /* a bare name here loads from the system folder */
        s->sysdir_bare = 1;
    }
    cp = class_points(pc);
    if (r->lolbin && !s->lolbin[0]) {
        snprintf(s->lolbin, sizeof(s->lolbin), "%s", r->lolbin);
    }
    s->feats |= r->features;
    if (r->target && (!s->have_class || cp > s->worst_class_pts)) {
        rh_free(s->ctx, s->target);
        s->target = rh_strdup(s->ctx, r->target);
        if (!s->target) {
            s->st = RH_ERR_NOMEM;
        }
        s->worst_class = pc;
        s->worst_class_pts = cp;
        s->have_class = 1;
    }
    if (r->lolbin && (r->features & RH_FEAT_LOLBIN)) {
        if (r->features & RH_FEAT_SCRIPT_HOST) {
            sc_reason(s, "script host %s", r->lolbin);
        } else {
            sc_reason(s, "LOLBin %s", r->lolbin);
        }
    }
    if (r->masquerade_of) {
        sc_reason(s, "name imitates %s.exe", r->masquerade_of);
    }
    if (r->decoded) {
        char ex[96];
        sc_reason(s, "decoded -EncodedCommand: %s",
                  sc_excerpt(ex, sizeof(ex), r->decoded, strlen(r->decoded)));
    }
    if (r->url && (r->features & (RH_FEAT_URL | RH_FEAT_UNC))) {
        char ex[96];
        sc_reason(s, "remote location %s", sc_excerpt(ex, sizeof(ex), r->url, strlen(r->url)));
    }
}

void sc_analyze(struct sc *s, rh_interp_mode mode, const char *t, size_t n)
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

rh_status sc_make_action(struct sc *s)
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

/* ---- phases and main (docs/scoring.md, sections 1-7)
 * ------------------------------------------------------------------------------------ */

#define FT_DAY 864000000000ull

/* Phase 1. interpretation of the data, and the Windows default */
static void sc_phase_interpret(struct sc *s)
{
    const rh_score_input *in = s->in;
    const rh_kb_location *loc = in->loc;
    rh_score_result *out = s->out;
    switch (loc->interp) {
    case RH_KB_INTERP_LIST:
    case RH_KB_INTERP_CMDLIST:
        if (s->text && loc->check == RH_KB_CHECK_PENDING_RENAME) {
            sc_check_pending_rename(s, s->text, s->tn);
        } else if (s->text) {
            const char *seps = loc->interp == RH_KB_INTERP_CMDLIST ? ","
                               : memchr(s->text, '=', s->tn)       ? " "
                                                                   : " ,";
            sc_analyze_list(s, s->text, s->tn,
                            loc->interp == RH_KB_INTERP_CMDLIST ? RH_INTERP_MODE_COMMAND
                                                                : RH_INTERP_MODE_PATH,
                            seps, s->lc);
            if (s->lc->nondefault == 0 && s->lc->vendor_seen) {
                sc_reason(s, "known third-party component (%s) besides the Windows defaults",
                          s->lc->vendor_label);
                sc_cap(s, PTS_LOW);
            } else if (sc_has_defaults(s) && s->lc->nondefault == 0) {
                out->is_default = 1;
            } else if (sc_has_defaults(s) && loc->check != RH_KB_CHECK_WINLOGON_LIST) {
                sc_reason(s, "item not in the Windows default: %s", s->lc->first_bad);
                s->points += 10;
                s->said_differs = 1;
            }
        }
        break;
    case RH_KB_INTERP_NUMBER: {
        uint64_t v = 0;
        if (rh_regdata_number(&in->data, &v)) {
            char num[32];
            snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
            if (sc_has_defaults(s)) {
                if (sc_is_default(s, num, strlen(num))) {
                    out->is_default = 1;
                } else {
                    sc_reason(s, "value %s differs from the Windows default %s", num,
                              sc_default_shown(s));
                    s->points += 10;
                    s->said_differs = 1;
                    s->specific = 1;
                }
            }
        } else if (s->text) {
            sc_analyze(s, RH_INTERP_MODE_COMMAND, s->text, s->tn);
        }
        break;
    }
    case RH_KB_INTERP_STARTUPAPPROVED:
        sc_check_startupapproved(s);
        break;
    case RH_KB_INTERP_BINARY:
        if (s->text) {
            sc_analyze(s, RH_INTERP_MODE_COMMAND, s->text, s->tn);
        } else {
            sc_analyze_binary(s);
        }
        break;
    default:
        /* name_is_data rows (URLSearchHooks, ...) hold their default in the value name */
        if (sc_has_defaults(s) &&
            ((loc->flags & RH_KB_F_NAME_IS_DATA) ? sc_is_default(s, in->value_name, in->name_len)
                                                 : s->text && sc_is_default(s, s->text, s->tn))) {
            out->is_default = 1;
        } else if (s->text) {
            if (loc->check == RH_KB_CHECK_RUNONCEEX) {
                sc_check_runonceex(s, s->text, s->tn);
            } else {
                sc_analyze(s, s->mode, s->text, s->tn);
                if (sc_has_defaults(s) && loc->check == RH_KB_CHECK_NONE) {
                    char ex[120];
                    sc_reason(s, "differs from the Windows default %s",
                              sc_excerpt(ex, sizeof(ex), sc_default_shown(s),
                                         strlen(sc_default_shown(s))));
                    s->points += 10;
                    s->said_differs = 1;
                }
            }
            if (loc->interp == RH_KB_INTERP_CLSID && !out->is_default) {
                const char *t = s->text;
                size_t n = s->tn;
                while (n && (t[n - 1] == ' ' || t[n - 1] == '\0')) {
                    n--;
                }
                sc_check_clsid_ref(s, t, n);
            }
        } else if (in->data.len) {
            sc_analyze_binary(s);
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
            if (rh_is_braced_guid(in->key_path + b, e - b)) {
                sc_check_clsid_ref(s, in->key_path + b, 38);
                break;
            }
            e = b ? b - 1 : 0;
        }
    }
    if ((loc->flags & RH_KB_F_NAME_IS_DATA) && in->name_len && !s->hidden && !out->is_default) {
        if (loc->interp == RH_KB_INTERP_CLSID) {
            sc_check_clsid_ref(s, in->value_name, in->name_len);
        } else {
            sc_analyze(s, RH_INTERP_MODE_PATH, in->value_name, in->name_len);
        }
    }
}

/* Phase 2. location-specific rules */
static void sc_phase_checks(struct sc *s)
{
    rh_score_result *out = s->out;
    if (!out->is_default && s->present) {
        sc_check_known_defaults(s);
    }
    if (!out->is_default) {
        sc_run_check(s, s->text, s->tn, s->lc);
    }
}

/* Phase 3. feature points and reasons */
static void sc_phase_features(struct sc *s)
{
    const rh_score_input *in = s->in;
    const rh_kb_location *loc = in->loc;
    rh_score_result *out = s->out;
    size_t i;
    if (!out->is_default) {
        uint64_t f = s->feats;
        if (f & RH_FEAT_ENCODED) {
            f &= ~RH_FEAT_BASE64;
        }
        for (i = 0; i < sizeof(feat_rules) / sizeof(feat_rules[0]); i++) {
            if (f & feat_rules[i].bit) {
                s->points += feat_rules[i].points;
                if (feat_rules[i].reason) {
                    sc_reason(s, "%s", feat_rules[i].reason);
                }
            }
        }
        if (s->have_class) {
            const char *cr = class_reason(s->worst_class, s->sysdir_bare);
            s->points += s->worst_class_pts;
            if (cr) {
                sc_reason(s, "%s", cr);
            }
        }
        if (f & RH_FEAT_VENDOR_USERDIR) {
            s->points -= 20;
            sc_reason(s, "known per-user software folder");
            if (!(f & MALICIOUS_FEATS & ~RH_FEAT_USER_WRITABLE)) {
                sc_cap(s, PTS_MEDIUM); /* user-writable: visible, never High on its own */
            }
        }
        if ((f & RH_FEAT_CLEANUP_ONLY) && !(f & MALICIOUS_FEATS)) {
            sc_reason(s, "cmd only deletes files or folders: runs no program");
            sc_cap(s, PTS_LOW);
        }
        s->strong +=
            !!(f & RH_FEAT_INLINE_SCRIPT) + !!(f & RH_FEAT_ENCODED) + !!(f & RH_FEAT_DOWNLOAD) +
            !!(f & RH_FEAT_MASQUERADE) + !!(f & RH_FEAT_SCROBJ) + !!(f & RH_FEAT_DOUBLE_EXT) +
            !!(f & RH_FEAT_RAW_IP) + !!(f & RH_FEAT_UNC) + !!(f & RH_FEAT_CONTROL_CHARS) +
            (s->have_class && (s->worst_class == RH_PATH_TEMP || s->worst_class == RH_PATH_PUBLIC));
        if ((loc->flags & RH_KB_F_ABSENT_DEFAULT) && s->present) {
            s->points += 10;
            sc_reason(s, "location is empty on a clean Windows");
        }
        if ((loc->flags & RH_KB_F_LEGACY) && s->present) {
            sc_reason(s, "legacy location ignored by current Windows");
        }
        if ((loc->flags & RH_KB_F_PRIVILEGED) && s->strong) {
            s->points += 10;
            sc_reason(s, "runs with SYSTEM/LSASS privileges");
        }
    } else {
        sc_reason(s, "matches the Windows default");
    }
}

/* Phase 4. hidden tricks, provenance, recency */
static void sc_phase_provenance(struct sc *s)
{
    const rh_score_input *in = s->in;
    if (s->hidden) {
        sc_reason(s, "hidden value name (%s)", s->why_hidden);
        s->points += 40;
        sc_floor(s, PTS_HIGH);
        s->strong += 2;
    }
    if (in->value_flags & RH_SCORE_DELETED) {
        sc_reason(s, "value recovered from a deleted cell");
        s->points += 10;
        sc_floor(s, PTS_MEDIUM);
    }
    if (in->value_flags & RH_SCORE_FROM_REPLAY) {
        sc_reason(s, "present only after transaction-log replay (recent write)");
        s->points += 10;
        sc_floor(s, PTS_MEDIUM);
        s->strong++;
    }
    if (in->reference_time && in->key_last_write) {
        if (in->key_last_write > in->reference_time) {
            sc_reason(s, "key written after the reference time");
        } else if (in->reference_time - in->key_last_write <= 7 * FT_DAY) {
            sc_reason(s, "key written within 7 days of the reference time");
            s->points += clean_target(s) ? 0 : 10;
        } else if (in->reference_time - in->key_last_write <= 30 * FT_DAY) {
            sc_reason(s, "key written within 30 days of the reference time");
            s->points += clean_target(s) ? 0 : 5;
        }
    }
}

/* Phase 5. known-good, empty data, known vendor components */
static void sc_phase_caps(struct sc *s)
{
    const rh_score_input *in = s->in;
    const rh_kb_location *loc = in->loc;
    rh_score_result *out = s->out;
    if (out->is_default && !s->hidden && !(in->value_flags & RH_SCORE_DELETED)) {
        sc_cap(s, PTS_INFO);
    }
    if (!out->is_default && s->empty) {
        /* s->present but s->empty: runs nothing (ExcludeFromKnownDlls, SetupExecute, RDP-Tcp
         * InitialProgram, Windows\Load exist s->empty on every install) */
        sc_reason(s, "empty: the value runs nothing");
        sc_cap(s, s->hidden ? PTS_MEDIUM : PTS_INFO);
    }
    if (!out->is_default && !s->hidden) {
        sc_check_vendor(s);
    }
    if (in->in_allowlist) {
        sc_reason(s, "allowlisted");
        sc_cap(s, PTS_INFO);
    } else if (in->in_baseline) {
        sc_reason(s, "in baseline");
        sc_cap(s, PTS_LOW);
    } else if (!out->is_default && in->reference_time) {
        sc_reason(s, "not in baseline");
    }
    if ((loc->flags & RH_KB_F_MODIFIER) && !s->hidden && !s->specific && !s->strong) {
        sc_cap(s, PTS_LOW);
    }
}

/* Phase 6. level */
static void sc_phase_level(struct sc *s)
{
    rh_score_result *out = s->out;
    int points;
    points = s->points;
    if (points < s->floor) {
        points = s->floor;
    }
    if (points > s->cap) {
        points = s->cap;
    }
    out->points = points;
    out->risk = points >= PTS_CRITICAL ? RH_RISK_CRITICAL
                : points >= PTS_HIGH   ? RH_RISK_HIGH
                : points >= PTS_MEDIUM ? RH_RISK_MEDIUM
                : points >= PTS_LOW    ? RH_RISK_LOW
                                       : RH_RISK_INFO;
}

/* Phase 7. confidence */
static void sc_phase_confidence(struct sc *s)
{
    const rh_score_input *in = s->in;
    const rh_kb_location *loc = in->loc;
    rh_score_result *out = s->out;
    if (out->is_default || in->in_allowlist || in->in_baseline) {
        out->confidence = RH_CONF_HIGH;
    } else if (s->strong >= 2 || (s->strong >= 1 && s->specific)) {
        out->confidence = RH_CONF_HIGH;
    } else if (s->strong == 1 || s->specific || (loc->flags & RH_KB_F_ABSENT_DEFAULT) ||
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
}

rh_status rh_score_value(rh_ctx *ctx, const rh_score_input *in, rh_score_result *out)
{
    struct sc s;
    const rh_kb_location *loc;
    struct list_ctx lc;
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
    s.lc = &lc;
    sc_select_defaults(&s);

    s.points = base_points[loc->base_risk <= RH_RISK_CRITICAL ? loc->base_risk : 0];
    s.text = sc_data_text(in, &s.tn);
    s.mode = (loc->interp == RH_KB_INTERP_DLLPATH || loc->interp == RH_KB_INTERP_FOLDER)
                 ? RH_INTERP_MODE_PATH
                 : RH_INTERP_MODE_COMMAND;
    s.hidden = rh_name_is_hidden(in->value_name ? in->value_name : "", in->name_len, &s.why_hidden);
    /* a deleted value's data may simply be unrecoverable: never call it empty */
    s.empty = !(in->value_flags & RH_SCORE_DELETED) && sc_empty_payload(in, s.text, s.tn);
    s.present = (s.text ? s.tn > 0 : in->data.len > 0) && !s.empty;

    sc_phase_interpret(&s);
    sc_phase_checks(&s);
    sc_phase_features(&s);
    sc_phase_provenance(&s);
    sc_phase_caps(&s);
    sc_phase_level(&s);
    sc_phase_confidence(&s);

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
            sc_reason(&s, "value at a persistence location");
        }
        out->reasons = rh_strndup(ctx, s.reasons.data ? s.reasons.data : "", s.reasons.len);
        st = out->reasons ? sc_make_action(&s) : RH_ERR_NOMEM;
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
