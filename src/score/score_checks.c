/*
 * Location-specific scoring rules (the `check` column of the knowledge base, docs/scoring.md).
 */
#include <stdarg.h>
#include <stdio.h>

#include "score_internal.h"

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

/* ---- location-specific checks ----------------------------------------------------------- */

static void check_run(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    (void)t;
    (void)n;
    (void)lc;
    const char *nm = s->in->value_name;
    if (s->in->name_len && nm[0] == '*') {
        sc_reason(s, "'*' name prefix: also runs in Safe Mode");
        s->points += 5;
    } else if (s->in->name_len && nm[0] == '!') {
        sc_reason(s, "'!' name prefix: retried until it succeeds");
    }
}

void sc_check_runonceex(struct sc *s, const char *t, size_t n)
{
    const char *bar;
    if (sc_key_is_depend(s->in->key_path, s->in->key_len)) {
        sc_analyze(s, RH_INTERP_MODE_PATH, t, n);
        sc_reason(s, "RunOnceEx Depend DLL loaded by runonce.exe");
        sc_floor(s, PTS_MEDIUM);
        return;
    }
    if (n >= 2 && t[0] == '|' && t[1] == '|') {
        sc_analyze(s, RH_INTERP_MODE_COMMAND, t + 2, n - 2);
        sc_reason(s, "RunOnceEx command line (||) run by runonce.exe");
        sc_floor(s, PTS_MEDIUM);
        return;
    }
    bar = memchr(t, '|', n);
    if (bar) {
        sc_analyze(s, RH_INTERP_MODE_PATH, t, (size_t)(bar - t));
        sc_reason(s, "RunOnceEx DLL|function line loaded by runonce.exe");
        sc_floor(s, PTS_MEDIUM);
        return;
    }
    sc_analyze(s, RH_INTERP_MODE_COMMAND, t, n);
}

void sc_check_startupapproved(struct sc *s)
{
    const uint8_t *d = s->in->data.data;
    size_t n = s->in->data.len;
    uint8_t flag;
    rh_buf iso;
    if (!d || n < 1) {
        sc_reason(s, "empty StartupApproved data");
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
        sc_reason(s, "enabled in Task Manager (flag 0x%02X)", flag);
    } else if (flag == 0x03 || flag == 0x07 || flag == 0x01) {
        sc_reason(s, "disabled in Task Manager (flag 0x%02X) at %s", flag,
                  iso.data ? iso.data : "unknown time");
        sc_cap(s, PTS_LOW - 1);
    } else {
        sc_reason(s, "unknown StartupApproved flag 0x%02X (tampered)", flag);
        s->points += 25;
        s->strong++;
        s->specific = 1;
    }
    if (n != 12) {
        sc_reason(s, "StartupApproved data of %zu bytes (expected 12)", n);
        s->points += 5;
    }
    if (s->out->time_info && s->in->reference_time && s->out->time_info > s->in->reference_time) {
        sc_reason(s, "StartupApproved time after the reference time");
        s->points += 10;
    }
    rh_buf_free(&iso);
    /* the value name is the Run value or Startup file it controls */
    sc_analyze(s, RH_INTERP_MODE_PATH, s->in->value_name, s->in->name_len);
}

/* Not one of the build's Startup folders (the defaults table holds both profile layouts). */
static void check_shellfolder(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    char ex[160];
    (void)lc;
    sc_reason(s, "Startup folder redirected to %s", sc_excerpt(ex, sizeof(ex), t, n));
    sc_floor(s, PTS_HIGH);
    s->strong++;
    s->specific = 1;
}

static void check_winlogon(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    (void)t;
    (void)n;
    const char *v = s->in->value_name;
    size_t vn = s->in->name_len;
    char vname[32];
    sc_excerpt(vname, sizeof(vname), v, vn);
    if (!sc_has_defaults(s)) {
        if (lc->items) {
            sc_reason(s, "per-user Winlogon %s set (absent by default): %s", vname, lc->first_bad);
            sc_floor(s, PTS_HIGH);
            s->strong++;
            s->specific = 1;
        }
        return;
    }
    if (lc->nondefault && lc->default_seen) {
        sc_reason(s, "extra Winlogon %s entry: %s", vname, lc->first_bad);
        sc_floor(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
    } else if (lc->nondefault) {
        sc_reason(s, "Winlogon %s replaced: %s", vname, lc->first_bad);
        sc_floor(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
    }
}

static int image_of(const rh_score_input *in, char *buf, size_t cap)
{
    return sc_component_after(in->key_path, in->key_len, "Image File Execution Options\\", buf,
                              cap) ||
           sc_component_after(in->key_path, in->key_len, "SilentProcessExit\\", buf, cap);
}

static size_t stem(const char *b)
{
    size_t n = strlen(b);
    return (n > 4 && rh_ascii_casecmp(b + n - 4, 4, ".exe", 4) == 0) ? n - 4 : n;
}

static void check_ifeo_debugger(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    (void)t;
    (void)n;
    (void)lc;
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
        if (sc_lookup_number(s, RH_KB_HIVE_SOFTWARE, ifeo, "UseFilter", &use) && use) {
            sc_reason(s, "filtered IFEO (UseFilter=1 on %s)", image);
        } else {
            sc_reason(s, "IFEO filter subkey (UseFilter not confirmed)");
        }
    }
    for (i = 0; i < sizeof(accessibility) / sizeof(accessibility[0]); i++) {
        if (rh_ascii_casecmp(image, stem(image), accessibility[i], strlen(accessibility[i])) == 0) {
            sc_reason(s, "Debugger on accessibility binary %s: pre-logon SYSTEM backdoor", image);
            s->out->technique = "T1546.008";
            sc_floor(s, PTS_CRITICAL);
            s->strong += 2;
            s->specific = 1;
            return;
        }
    }
    if (s->target) {
        const char *b;
        size_t bl;
        interp_basename(s->target, strlen(s->target), &b, &bl);
        if (rh_ascii_eq(b, bl, "vsjitdebugger.exe") || rh_ascii_eq(b, bl, "windbg.exe") ||
            ((rh_ascii_eq(b, bl, "procexp.exe") || rh_ascii_eq(b, bl, "procexp64.exe") ||
              rh_ascii_eq(b, bl, "procexp64a.exe")) &&
             rh_ascii_eq(image, strlen(image), "taskmgr.exe"))) {
            sc_reason(s, "known debugger / Task Manager replacement");
            if (!(s->feats & (RH_FEAT_USER_WRITABLE | RH_FEAT_URL | RH_FEAT_UNC))) {
                sc_cap(s, PTS_LOW);
            }
            return;
        }
    }
    sc_reason(s, "Debugger hijacks every start of %s%s", image[0] ? image : "the image",
              filtered ? " (filtered)" : "");
    sc_floor(s, PTS_HIGH);
    s->strong++;
    s->specific = 1;
}

static void check_globalflag(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    (void)t;
    (void)n;
    (void)lc;
    uint64_t gf = 0, rm = 0;
    char image[260], key[512];
    int have = rh_regdata_number(&s->in->data, &gf);
    if (!have) {
        sc_reason(s, "GlobalFlag is not a number");
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
        if (sc_lookup_value(s, RH_KB_HIVE_SOFTWARE, key, "MonitorProcess", &type) == RH_OK &&
            s->tmp.len) {
            char ex[160], *copy = rh_strndup(s->ctx, s->tmp.data, s->tmp.len);
            sc_reason(s, "GlobalFlag 0x200 arms SilentProcessExit MonitorProcess %s",
                      sc_excerpt(ex, sizeof(ex), s->tmp.data, s->tmp.len));
            if (copy) {
                sc_analyze(s, RH_INTERP_MODE_COMMAND, copy, strlen(copy));
                rh_free(s->ctx, copy);
            }
            if (sc_lookup_number(s, RH_KB_HIVE_SOFTWARE, key, "ReportingMode", &rm) && (rm & 1)) {
                sc_reason(s, "ReportingMode %llu launches the monitor", (unsigned long long)rm);
            }
            sc_floor(s, PTS_HIGH);
            s->strong++;
        } else {
            sc_reason(s, "GlobalFlag 0x200 (silent process exit monitoring) on %s", image);
        }
        s->specific = 1;
    }
    if (gf & 0x100) {
        uint32_t type = 0;
        snprintf(key, sizeof(key),
                 "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\%s", image);
        if (sc_lookup_value(s, RH_KB_HIVE_SOFTWARE, key, "VerifierDlls", &type) == RH_OK &&
            s->tmp.len) {
            char ex[160];
            sc_reason(s, "GlobalFlag 0x100 loads VerifierDlls %s",
                      sc_excerpt(ex, sizeof(ex), s->tmp.data, s->tmp.len));
            sc_floor(s, PTS_HIGH);
            s->strong++;
        } else {
            sc_reason(s, "GlobalFlag 0x100 (Application Verifier) on %s", image);
        }
        s->specific = 1;
    }
    if (!(gf & 0x300)) {
        sc_reason(s, "debugging GlobalFlag 0x%llx only", (unsigned long long)gf);
        sc_cap(s, PTS_LOW);
    }
}

static void check_verifier(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    (void)t;
    (void)n;
    (void)lc;
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
    if (sc_lookup_number(s, RH_KB_HIVE_SOFTWARE, key, "GlobalFlag", &gf) && (gf & 0x100)) {
        sc_reason(s, "armed by GlobalFlag 0x100: injected into %s at start", image);
        s->strong++;
    } else {
        sc_reason(s, "verifier DLL for %s (GlobalFlag 0x100 not seen)", image);
    }
    s->specific = 1;
}

static void check_spe_monitor(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    (void)t;
    (void)n;
    (void)lc;
    char image[260], key[512];
    uint64_t gf = 0, rm = 0;
    int armed_gf, armed_rm;
    if (!image_of(s->in, image, sizeof(image))) {
        image[0] = '\0';
    }
    snprintf(key, sizeof(key),
             "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\%s", image);
    armed_gf = sc_lookup_number(s, RH_KB_HIVE_SOFTWARE, key, "GlobalFlag", &gf) && (gf & 0x200);
    armed_rm = !s->in->lookup ||
               (sc_lookup_number(s, RH_KB_HIVE_SOFTWARE, s->in->key_path, "ReportingMode", &rm) &&
                (rm & 1));
    if (armed_gf && armed_rm) {
        sc_reason(s, "armed: IFEO GlobalFlag 0x200 and ReportingMode 1 launch it when %s exits",
                  image);
        sc_floor(s, PTS_HIGH);
        s->strong++;
    } else if (armed_gf) {
        sc_reason(s, "IFEO GlobalFlag 0x200 set for %s (ReportingMode not 1)", image);
    } else {
        sc_reason(s, "not armed: IFEO GlobalFlag 0x200 missing for %s", image);
        s->points -= 10;
    }
    s->specific = 1;
}

static void check_spe_reporting(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    (void)t;
    (void)n;
    (void)lc;
    char image[260];
    uint64_t rm = 0;
    if (!image_of(s->in, image, sizeof(image))) {
        image[0] = '\0';
    }
    if (!rh_regdata_number(&s->in->data, &rm)) {
        return;
    }
    if ((rm & 2) && rh_ascii_eq(image, strlen(image), "lsass.exe")) {
        sc_reason(s, "ReportingMode %llu dumps lsass.exe on exit (credential theft)",
                  (unsigned long long)rm);
        sc_floor(s, PTS_HIGH);
        s->strong += 2;
        s->out->technique = "T1546.012";
    } else if (rm & 1) {
        sc_reason(s, "ReportingMode %llu launches MonitorProcess when %s exits",
                  (unsigned long long)rm, image);
    } else if (rm & 2) {
        sc_reason(s, "ReportingMode %llu writes a local dump of %s", (unsigned long long)rm, image);
    } else {
        sc_cap(s, PTS_LOW);
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

static void check_com_server(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    (void)lc;
    char clsid[64], kindname[32];
    rh_com_server kind = RH_COM_INPROC;
    const char *msrv = NULL;
    int known = 0, per_user = s->in->loc->hive == RH_KB_HIVE_USRCLASS;
    if (!sc_component_after(s->in->key_path, s->in->key_len, "CLSID\\", clsid, sizeof(clsid))) {
        return;
    }
    sc_last_component(s->in->key_path, s->in->key_len, kindname, sizeof(kindname));
    if (rh_ascii_eq(kindname, strlen(kindname), "LocalServer32")) {
        kind = RH_COM_LOCAL;
    } else if (rh_ascii_eq(kindname, strlen(kindname), "InprocHandler32")) {
        kind = RH_COM_HANDLER;
    }
    if (is_hijack_clsid(clsid)) {
        sc_reason(s, "%s is a CLSID hijacked in the wild", clsid);
        s->points += 10;
    }
    if (s->target) {
        const char *b;
        size_t bl;
        interp_basename(s->target, strlen(s->target), &b, &bl);
        if (rh_ascii_eq(b, bl, "scrobj.dll")) {
            sc_reason(s, "scriptlet COM server (scrobj.dll)");
            s->points += 20;
            s->strong++;
        }
    }
    if (!per_user) {
        if (is_hijack_clsid(clsid) && (s->feats & RH_FEAT_USER_WRITABLE)) {
            sc_floor(s, PTS_HIGH);
            s->strong++;
        }
        return;
    }
    if (!s->in->machine_com) {
        sc_reason(s, "machine COM registrations unknown");
        return;
    }
    if (rh_comdb_get(s->in->machine_com, clsid, kind, &msrv, &known) == RH_OK || known) {
        if (msrv && interp_path_equal(s->ctx, s->in->env, msrv, strlen(msrv), t, n)) {
            sc_reason(s, "same server as the machine registration of %s", clsid);
            sc_cap(s, PTS_LOW);
            return;
        }
        {
            char ex[160];
            sc_reason(s, "per-user %s shadows the machine registration of %s (machine: %s)",
                      kindname, clsid,
                      msrv ? sc_excerpt(ex, sizeof(ex), msrv, strlen(msrv)) : "other kind");
        }
        sc_floor(s, (s->feats & RH_FEAT_VENDOR_USERDIR) ? PTS_MEDIUM : PTS_HIGH);
        s->strong++;
        s->specific = 1;
        return;
    }
    sc_reason(s, "per-user COM server with no machine counterpart");
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
        if (sc_lookup_value(s, where[i].hive, key, "", &type) == RH_OK && s->tmp.len &&
            s->tmp.data[0] != '\0') {
            *local = where[i].local;
            return 1;
        }
    }
    return 0;
}

static void check_com_treatas(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    (void)lc;
    char clsid[64], target[64], ex[96];
    const char *srv = NULL;
    int per_user = s->in->loc->hive == RH_KB_HIVE_USRCLASS, have_server = 0, local = 0;
    int proxystub =
        interp_ci_find(s->in->key_path, s->in->key_len, "\\ProxyStubClsid32") != (size_t)-1;
    if (!sc_component_after(s->in->key_path, s->in->key_len, "CLSID\\", clsid, sizeof(clsid)) &&
        !sc_component_after(s->in->key_path, s->in->key_len, "Interface\\", clsid, sizeof(clsid))) {
        clsid[0] = '\0';
    }
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\0')) {
        n--;
    }
    sc_excerpt(target, sizeof(target), t, n);
    sc_reason(s, "%s redirects %s to %s", per_user ? "per-user redirection" : "redirection", clsid,
              target);
    if (s->in->machine_com &&
        rh_comdb_get(s->in->machine_com, target, RH_COM_INPROC, &srv, NULL) == RH_OK) {
        sc_reason(s, "redirect target server %s", sc_excerpt(ex, sizeof(ex), srv, strlen(srv)));
        sc_analyze(s, RH_INTERP_MODE_PATH, srv, strlen(srv));
        have_server = 1;
    }
    if (per_user && !have_server && rh_is_braced_guid(target, n) &&
        user_clsid_server(s, target, &local)) {
        char *copy = rh_strndup(s->ctx, s->tmp.data, s->tmp.len);
        if (!copy) {
            s->st = RH_ERR_NOMEM;
            return;
        }
        sc_reason(s, "%s is registered by this user with server %s", target,
                  sc_excerpt(ex, sizeof(ex), copy, strlen(copy)));
        sc_analyze(s, local ? RH_INTERP_MODE_COMMAND : RH_INTERP_MODE_PATH, copy, strlen(copy));
        rh_free(s->ctx, copy);
        have_server = 1;
    }
    if (!per_user) {
        return;
    }
    if (!proxystub) {
        sc_floor(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
        return;
    }
    /* ProxyStubClsid32: the proxy DLL is loaded into every process that marshals the
     * interface, so the referenced server is what matters (the well-known system proxies are
     * the kb defaults). */
    if (!have_server) {
        sc_reason(s,
                  "no COM server registered for %s in the collection: the redirection loads "
                  "nothing by itself",
                  target);
        sc_cap(s, PTS_MEDIUM);
    } else if ((s->feats & RH_FEAT_USER_WRITABLE) && !(s->feats & RH_FEAT_VENDOR_USERDIR)) {
        sc_reason(s, "proxy/stub server in a user-writable folder");
        sc_floor(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
    }
}

static void check_com_progid(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    (void)lc;
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
            sc_cap(s, PTS_INFO);
            sc_reason(s, "same CLSID as the machine ProgID %s", progid);
        } else {
            char ex[64];
            sc_reason(s, "per-user ProgID %s remapped from %s to %s", progid, mclsid,
                      sc_excerpt(ex, sizeof(ex), t, n));
            sc_floor(s, PTS_HIGH);
            s->strong++;
            s->specific = 1;
        }
    }
}

void sc_check_clsid_ref(struct sc *s, const char *t, size_t n)
{
    char clsid[64];
    const char *srv = NULL;
    if (!rh_is_braced_guid(t, n)) {
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
        sc_reason(s, "%s is served by %s", clsid, sc_excerpt(ex, sizeof(ex), srv, strlen(srv)));
        sc_analyze(s, RH_INTERP_MODE_COMMAND, srv, strlen(srv));
    } else {
        sc_reason(s, "%s has no machine COM registration", clsid);
        s->points += 5;
    }
}

/* COM_SCRIPTLET: a TypeLib or ScriptletURL whose data is a script: moniker. */
static void check_com_scriptlet(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    (void)lc;
    if (interp_ci_find(t, n, "script:") != (size_t)-1 ||
        interp_ci_find(s->in->key_path, s->in->key_len, "ScriptletURL") != (size_t)-1) {
        sc_reason(s, "scriptlet-backed COM object");
        sc_floor(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
    }
}

/* ---- services ----------------------------------------------------------------------------------
 */

/* The service key (the value's key without a trailing "\Parameters") into buf. */
static int service_key(const struct sc *s, char *buf, size_t cap)
{
    size_t kn = s->in->key_len;
    if (kn >= 11 && rh_ascii_casecmp(s->in->key_path + kn - 11, 11, "\\Parameters", 11) == 0) {
        kn -= 11;
    }
    if (kn == 0 || kn >= cap) {
        return 0;
    }
    memcpy(buf, s->in->key_path, kn);
    buf[kn] = '\0';
    return 1;
}

/* An unquoted image path with a space before the program's extension: Windows tries each
 * space-cut prefix first (C:\Program.exe for C:\Program Files\A B\c.exe). */
static int unquoted_with_spaces(const char *t, size_t n)
{
    size_t e = interp_ci_find(t, n, ".exe");
    if (!n || t[0] == '"' || e == (size_t)-1) {
        return 0;
    }
    return memchr(t, ' ', e) != NULL && memchr(t, '\\', e) != NULL;
}

/* SERVICE_FAILURE_ACTIONS as stored in FailureActions: reset period, two reserved pointers,
 * action count at offset 12, then (type, delay) pairs from offset 20; type 3 runs the
 * FailureCommand. -1 = value absent or unreadable, else 1 when a run-command action exists. */
static int failure_runs_command(struct sc *s, const char *svc)
{
    uint32_t type = 0, count, i;
    const uint8_t *d;
    if (sc_lookup_value(s, RH_KB_HIVE_SYSTEM, svc, "FailureActions", &type) != RH_OK ||
        s->tmp.len < 20) {
        return -1;
    }
    d = (const uint8_t *)s->tmp.data;
    count = rh_le32(d + 12);
    for (i = 0; i < count && i < 64 && 20 + 8 * (size_t)i + 8 <= s->tmp.len; i++) {
        if (rh_le32(d + 20 + 8 * (size_t)i) == 3) {
            return 1;
        }
    }
    return 0;
}

/* The `-k` group of a svchost command line ("%SystemRoot%\\system32\\svchost.exe -k netsvcs -p")
 * into grp; 0 when the command is not svchost with a group. */
static int svchost_group(const char *t, size_t n, char *grp, size_t cap)
{
    size_t i = interp_ci_find(t, n, "svchost"), g = 0;
    if (i == (size_t)-1) {
        return 0;
    }
    for (i += 7; i + 3 < n; i++) {
        if ((t[i] == '-' || t[i] == '/') && (t[i + 1] == 'k' || t[i + 1] == 'K') &&
            t[i + 2] == ' ' && (t[i - 1] == ' ' || t[i - 1] == '"')) {
            i += 3;
            while (i < n && t[i] == ' ') {
                i++;
            }
            while (i < n && t[i] != ' ' && t[i] != '"' && t[i] != '\0' && g + 1 < cap) {
                grp[g++] = t[i++];
            }
            grp[g] = '\0';
            return g > 0;
        }
    }
    return 0;
}

/* A svchost service in a group Windows does not define (TinyTurla's "-k TimeService"). */
static void svchost_group_check(struct sc *s, const char *t, size_t n)
{
    char g[128];
    if (svchost_group(t, n, g, sizeof(g)) &&
        !sc_builtin_default_holds(s, "svchost_groups",
                                  "Microsoft\\Windows NT\\CurrentVersion\\Svchost", g, strlen(g))) {
        char ex[80];
        sc_reason(s, "svchost group \"%s\" is not a Windows group",
                  sc_excerpt(ex, sizeof(ex), g, strlen(g)));
        sc_floor(s, PTS_MEDIUM);
        s->specific = 1;
    }
}

static void service_image(struct sc *s, const char *t, size_t n, const char *svc)
{
    uint64_t start = 0;
    char ex[120];
    if (sc_has_defaults(s)) {
        sc_reason(s, "built-in service changed from its Windows default %s",
                  sc_excerpt(ex, sizeof(ex), sc_default_shown(s), strlen(sc_default_shown(s))));
        sc_floor(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
    }
    if (s->feats & (RH_FEAT_LOLBIN | RH_FEAT_SCRIPT_HOST)) {
        sc_reason(s, "service runs %s", s->lolbin[0] ? s->lolbin : "a LOLBin or script host");
        sc_floor(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
    } else if (s->have_class && rh_path_class_user_writable(s->worst_class) &&
               s->worst_class != RH_PATH_PROGRAMDATA) {
        sc_reason(s, "service binary in a user-writable folder");
        sc_floor(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
    } else if (s->have_class &&
               (s->worst_class == RH_PATH_OTHER || s->worst_class == RH_PATH_PROGRAMDATA ||
                s->worst_class == RH_PATH_UNC || s->worst_class == RH_PATH_URL)) {
        sc_reason(s, "service binary outside the Windows and Program Files folders");
        sc_floor(s, PTS_MEDIUM);
        s->specific = 1;
    }
    svchost_group_check(s, t, n);
    if (unquoted_with_spaces(t, n)) {
        sc_reason(s, "unquoted service path with spaces: Windows tries each prefix first");
        s->out->technique = "T1574.009";
        sc_floor(s, PTS_MEDIUM);
        s->specific = 1;
    }
    if (sc_lookup_number(s, RH_KB_HIVE_SYSTEM, svc, "Start", &start) && start == 4) {
        sc_reason(s, "service is disabled (Start=4)");
        s->points -= 10;
    }
}

static void service_dll(struct sc *s, const char *svc)
{
    uint32_t type = 0;
    if (sc_lookup_value(s, RH_KB_HIVE_SYSTEM, svc, "ImagePath", &type) == RH_OK &&
        (type == RH_REGTYPE_SZ || type == RH_REGTYPE_EXPAND_SZ) && s->tmp.len) {
        char img[512];
        size_t il = s->tmp.len < sizeof(img) ? s->tmp.len : sizeof(img) - 1;
        memcpy(img, s->tmp.data, il);
        svchost_group_check(s, img, il);
    }
    if (sc_has_defaults(s)) {
        sc_reason(s, "built-in service DLL changed from its Windows default %s",
                  sc_default_shown(s));
        sc_floor(s, PTS_HIGH);
        s->strong++;
        s->specific = 1;
    }
    if (!s->have_class || s->worst_class == RH_PATH_SYSTEM32) {
        return;
    }
    if (s->worst_class == RH_PATH_WINDOWS) {
        sc_reason(s, "svchost service DLL in the Windows folder, not System32");
        s->points += 5;
        return;
    }
    if (s->worst_class == RH_PATH_PROGRAM_FILES) {
        sc_reason(s, "svchost service DLL outside System32");
        sc_floor(s, PTS_MEDIUM);
    } else {
        sc_reason(s, "svchost service DLL outside the Windows and Program Files folders");
        sc_floor(s, PTS_HIGH);
        s->strong++;
    }
    s->specific = 1;
}

/* FailureCommand runs only through a run-command failure action: dormant otherwise (still
 * judged on its own features, since the action is one `sc failure` away). */
static void service_failure(struct sc *s, const char *svc)
{
    int runs = s->in->lookup ? failure_runs_command(s, svc) : 2;
    if (runs == 1) {
        sc_reason(s, "runs when the service fails (FailureActions has a run-command action)");
        s->points += 5;
        s->specific = 1;
    } else if (runs != 2) {
        sc_reason(s, "dormant: %s",
                  runs == 0 ? "no run-command action in FailureActions"
                            : "the service has no FailureActions");
        if (!(s->feats & MALICIOUS_FEATS)) {
            sc_cap(s, PTS_LOW);
        }
    }
}

/* SERVICE: ImagePath, ServiceDll and FailureCommand of one service (docs/scoring.md). */
static void check_service(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    char svc[512];
    const char *nm = s->in->value_name;
    size_t nl = s->in->name_len;
    (void)lc;
    if (!service_key(s, svc, sizeof(svc))) {
        return;
    }
    if (rh_ascii_eq(nm, nl, "ImagePath")) {
        service_image(s, t, n, svc);
    } else if (rh_ascii_eq(nm, nl, "ServiceDll")) {
        service_dll(s, svc);
    } else if (rh_ascii_eq(nm, nl, "FailureCommand")) {
        service_failure(s, svc);
    }
}

/* ---- PendingFileRenameOperations ------------------------------------------------------------- */

static size_t item_len(const char *p, size_t n)
{
    const char *z = memchr(p, '\0', n);
    return z ? (size_t)(z - p) : n;
}

/* Skip the "\??\" NT prefix and the "!" replace-existing marker of a rename path. */
static void rename_path(const char **p, size_t *n)
{
    if (*n && (*p)[0] == '!') {
        (*p)++;
        (*n)--;
    }
    if (*n >= 4 && memcmp(*p, "\\??\\", 4) == 0) {
        *p += 4;
        *n -= 4;
    }
}

/* MULTI_SZ (source, target) pairs smss applies at the next boot, before security software
 * starts; an empty target deletes the source. A file renamed over a Windows or System32 file
 * from outside the Windows servicing folders replaces a system binary. */
void sc_check_pending_rename(struct sc *s, const char *t, size_t n)
{
    size_t i = 0, pairs = 0, deletes = 0;
    char ex[160], ex2[160];
    int replaced = 0;
    while (i < n && pairs < 4096 && s->st == RH_OK) {
        const char *src = t + i, *dst;
        size_t sl = item_len(src, n - i), dl;
        i += sl + 1;
        dst = i < n ? t + i : "";
        dl = i < n ? item_len(dst, n - i) : 0;
        i += dl + 1;
        pairs++;
        rename_path(&src, &sl);
        rename_path(&dst, &dl);
        if (!sl) {
            continue;
        }
        if (!dl) {
            deletes++;
            continue;
        }
        sc_analyze(s, RH_INTERP_MODE_PATH, src, sl);
        {
            rh_path_class dc = rh_path_classify(dst, dl), sc_ = rh_path_classify(src, sl);
            if ((dc == RH_PATH_SYSTEM32 || dc == RH_PATH_WINDOWS) && sc_ != RH_PATH_SYSTEM32 &&
                sc_ != RH_PATH_WINDOWS && !replaced) {
                replaced = 1;
                sc_reason(s, "replaces %s at the next boot with %s",
                          sc_excerpt(ex, sizeof(ex), dst, dl),
                          sc_excerpt(ex2, sizeof(ex2), src, sl));
                sc_floor(s, rh_path_class_user_writable(sc_) ? PTS_HIGH : PTS_MEDIUM);
                s->strong++;
                s->specific = 1;
            }
        }
    }
    if (pairs && deletes == pairs) {
        sc_reason(s, "only deletes files at the next boot (%zu pending delete%s): runs nothing",
                  deletes, deletes == 1 ? "" : "s");
        if (!(s->feats & MALICIOUS_FEATS)) {
            sc_cap(s, PTS_LOW);
        }
    }
}

/* ---- Active Setup -----------------------------------------------------------------------------
 */

/* A component key name: Windows and installers name components by a CLSID-style GUID, which
 * Microsoft's ordering prefixes "<" and ">" may precede. */
static int component_is_guid(const char *name, size_t n)
{
    while (n && (*name == '<' || *name == '>')) {
        name++;
        n--;
    }
    return rh_is_braced_guid(name, n);
}

/* ACTIVE_SETUP: StubPath of a component not named by a GUID (Atomic T1547.014 "atomic_test",
 * hand-made persistence) is at least Medium whatever it runs. */
static void check_active_setup(struct sc *s, const char *t, size_t n, const struct list_ctx *lc)
{
    const char *k = s->in->key_path, *leaf;
    size_t kn = s->in->key_len;
    (void)t;
    (void)n;
    (void)lc;
    leaf = k + kn;
    while (leaf > k && leaf[-1] != '\\') {
        leaf--;
    }
    if (leaf < k + kn && !component_is_guid(leaf, (size_t)(k + kn - leaf))) {
        char ex[80];
        sc_reason(s, "Active Setup component \"%s\" is not named by a GUID",
                  sc_excerpt(ex, sizeof(ex), leaf, (size_t)(k + kn - leaf)));
        sc_floor(s, PTS_MEDIUM);
        s->specific = 1;
    }
}

/* ---- the check table ------------------------------------------------------------------------ */

typedef void (*check_fn)(struct sc *s, const char *t, size_t n, const struct list_ctx *lc);

/* Rules applied after the data is interpreted, when the value is not a Windows default.
 * RUNONCEEX and STARTUPAPPROVED shape the interpretation itself (score.c phase 1). */
static const struct {
    check_fn fn;
    int needs_text; /* only for string data */
} check_table[RH_KB_CHECK_COUNT] = {
    [RH_KB_CHECK_RUN] = {check_run, 0},
    [RH_KB_CHECK_SHELLFOLDER] = {check_shellfolder, 1},
    [RH_KB_CHECK_WINLOGON_LIST] = {check_winlogon, 0},
    [RH_KB_CHECK_IFEO_DEBUGGER] = {check_ifeo_debugger, 0},
    [RH_KB_CHECK_IFEO_GLOBALFLAG] = {check_globalflag, 0},
    [RH_KB_CHECK_IFEO_VERIFIER] = {check_verifier, 0},
    [RH_KB_CHECK_SPE_MONITOR] = {check_spe_monitor, 0},
    [RH_KB_CHECK_SPE_REPORTING] = {check_spe_reporting, 0},
    [RH_KB_CHECK_COM_SERVER] = {check_com_server, 1},
    [RH_KB_CHECK_COM_TREATAS] = {check_com_treatas, 1},
    [RH_KB_CHECK_COM_SCRIPTLET] = {check_com_scriptlet, 1},
    [RH_KB_CHECK_COM_PROGID] = {check_com_progid, 1},
    [RH_KB_CHECK_SERVICE] = {check_service, 1},
    [RH_KB_CHECK_ACTIVE_SETUP] = {check_active_setup, 0},
};

void sc_run_check(struct sc *s, const char *text, size_t tn, const struct list_ctx *lc)
{
    unsigned c = (unsigned)s->in->loc->check;
    if (c >= RH_KB_CHECK_COUNT || !check_table[c].fn || (check_table[c].needs_text && !text)) {
        return;
    }
    check_table[c].fn(s, text, tn, lc);
}
