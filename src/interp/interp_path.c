/*
 * Path and name classification: where a target lives (rh_path_classify), system binary names
 * and their look-alikes, hidden value names, and the features of the final target path.
 */
#include "common/common.h"
#include "interp_internal.h"
#include "reghunt/interp.h"

/* ---- tables ------------------------------------------------------------------------------ */

/* Binaries that live only in System32/SysWOW64/Windows (masquerading targets). */
static const char *const system_names[] = {
    "svchost",       "lsass",         "csrss",    "winlogon", "services",  "smss",
    "explorer",      "spoolsv",       "rundll32", "taskhost", "taskhostw", "dllhost",
    "conhost",       "wininit",       "lsm",      "userinit", "ctfmon",    "sihost",
    "searchindexer", "runtimebroker", "wuauclt",  "taskmgr",  "regsvr32",  "cmd",
    "powershell",    "mshta",         "wscript",  "cscript",  "msiexec",   "dwm",
    "fontdrvhost",   "audiodg",       "lsaiso",   "wmiprvse", "spoolsv",   "winword",
};

int rh_interp_is_system_name(const char *base, size_t n)
{
    size_t i, sl;
    if (!rh_ascii_suffix(base, n, ".exe")) {
        return 0;
    }
    sl = n - 4;
    for (i = 0; i < sizeof(system_names) / sizeof(system_names[0]); i++) {
        if (rh_ascii_eq(base, sl, system_names[i]) && strcmp(system_names[i], "winword") != 0) {
            return 1;
        }
    }
    return 0;
}

/* Fold look-alike digits to letters: svch0st -> svchost, 1sass -> lsass. */
static char homoglyph(char c)
{
    c = interp_lc(c);
    switch (c) {
    case '0':
        return 'o';
    case '1':
        return 'l';
    case '3':
        return 'e';
    case '5':
        return 's';
    case '!':
        return 'i';
    default:
        return c;
    }
}

/* Optimal string alignment distance with a cap (returns cap+1 when larger). */
static unsigned osa_distance(const char *a, size_t an, const char *b, size_t bn, unsigned cap)
{
    unsigned d[3][40];
    size_t i, j;
    if (an >= 39 || bn >= 39) {
        return cap + 1;
    }
    if ((an > bn ? an - bn : bn - an) > cap) {
        return cap + 1;
    }
    for (j = 0; j <= bn; j++) {
        d[0][j] = (unsigned)j;
    }
    for (i = 1; i <= an; i++) {
        unsigned *cur = d[i % 3], *prev = d[(i - 1) % 3], *pp = d[(i + 1) % 3];
        cur[0] = (unsigned)i;
        for (j = 1; j <= bn; j++) {
            unsigned cost = homoglyph(a[i - 1]) == homoglyph(b[j - 1]) ? 0u : 1u;
            unsigned v = prev[j] + 1;
            if (cur[j - 1] + 1 < v) {
                v = cur[j - 1] + 1;
            }
            if (prev[j - 1] + cost < v) {
                v = prev[j - 1] + cost;
            }
            if (i > 1 && j > 1 && homoglyph(a[i - 1]) == homoglyph(b[j - 2]) &&
                homoglyph(a[i - 2]) == homoglyph(b[j - 1]) && pp[j - 2] + 1 < v) {
                v = pp[j - 2] + 1;
            }
            cur[j] = v;
        }
    }
    return d[an % 3][bn];
}

const char *rh_interp_masquerade(const char *base, size_t n)
{
    size_t i, sl = interp_stem_len(base, n), k;
    int has_glyph = 0;
    if (sl < 4 || sl > 30) {
        return NULL;
    }
    for (k = 0; k < sl; k++) {
        has_glyph |= homoglyph(base[k]) != interp_lc(base[k]);
    }
    for (i = 0; i < sizeof(system_names) / sizeof(system_names[0]); i++) {
        const char *s = system_names[i];
        size_t l = strlen(s);
        unsigned dist;
        if (l < 5 && !has_glyph) {
            continue; /* short names (cmd, lsm, dwm) give too many near misses */
        }
        if (rh_ascii_eq(base, sl, s)) {
            return NULL; /* the real name */
        }
        dist = osa_distance(base, sl, s, l, 1);
        if (dist == 0 || (dist == 1 && l >= 6)) {
            return s;
        }
    }
    return NULL;
}

/* Known per-user software folders (after \AppData\Local\ or \AppData\Roaming\). */
static const char *const vendor_dirs[] = {
    "\\appdata\\local\\microsoft\\onedrive\\",
    "\\appdata\\local\\microsoft\\teams\\",
    "\\appdata\\local\\microsoft\\teamsmeetingaddin\\",
    "\\appdata\\local\\microsoft\\teamsmeetingadd-in\\",
    "\\appdata\\local\\microsoft\\windowsapps\\",
    "\\appdata\\local\\microsoft\\edge\\",
    "\\appdata\\local\\google\\chrome\\",
    "\\appdata\\local\\programs\\",
    "\\appdata\\local\\discord\\",
    "\\appdata\\local\\slack\\",
    "\\appdata\\local\\dropbox\\",
    "\\appdata\\roaming\\zoom\\bin\\",
    "\\appdata\\roaming\\spotify\\",
    "\\appdata\\local\\1password\\",
    "\\appdata\\local\\webex\\",
    "\\onedrive\\",
    "\\anaconda3\\condabin\\",
    "\\miniconda3\\condabin\\",
};

/* ---- classification -------------------------------------------------------------------- */

static const char *const class_names[] = {
    "none", "system32", "windows", "program_files", "programdata", "appdata",  "localappdata",
    "temp", "public",   "users",   "unc",           "url",         "relative", "other"};
_Static_assert(sizeof(class_names) / sizeof(class_names[0]) == RH_PATH_COUNT,
               "one name per rh_path_class");

const char *rh_path_class_name(rh_path_class c)
{
    return (unsigned)c < RH_PATH_COUNT ? class_names[c] : "?";
}

int rh_path_class_user_writable(rh_path_class c)
{
    return c == RH_PATH_PROGRAMDATA || c == RH_PATH_APPDATA || c == RH_PATH_LOCALAPPDATA ||
           c == RH_PATH_TEMP || c == RH_PATH_PUBLIC || c == RH_PATH_USERS;
}

int interp_is_url(const char *p, size_t n)
{
    return rh_ascii_prefix(p, n, "http://") || rh_ascii_prefix(p, n, "https://") ||
           rh_ascii_prefix(p, n, "ftp://") || rh_ascii_prefix(p, n, "file://") ||
           rh_ascii_prefix(p, n, "script:") || rh_ascii_prefix(p, n, "\\\\http");
}

rh_path_class rh_path_classify(const char *path, size_t n)
{
    const char *p = path;
    interp_unquote(&p, &n);
    if (n == 0) {
        return RH_PATH_NONE;
    }
    if (interp_is_url(p, n)) {
        return RH_PATH_URL;
    }
    if (n >= 2 && (p[0] == '\\' || p[0] == '/') && (p[1] == '\\' || p[1] == '/')) {
        if (n >= 4 && (p[2] == '?' || p[2] == '.') && p[3] == '\\') {
            p += 4;
            n -= 4;
        } else {
            return RH_PATH_UNC;
        }
    }
    if (interp_ci_has(p, n, "\\temp\\") || interp_ci_has(p, n, "\\tmp\\") ||
        rh_ascii_suffix(p, n, "\\temp") || interp_ci_has(p, n, "\\temporary internet files\\") ||
        interp_ci_has(p, n, "\\inetcache\\")) {
        return RH_PATH_TEMP;
    }
    if (!(n >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/'))) {
        if (!memchr(p, '\\', n) && !memchr(p, '/', n)) {
            return RH_PATH_RELATIVE;
        }
        if (rh_ascii_prefix(p, n, "system32\\") || rh_ascii_prefix(p, n, "syswow64\\")) {
            return RH_PATH_SYSTEM32; /* ImagePath relative to SystemRoot */
        }
        return RH_PATH_OTHER;
    }
    p += 3;
    n -= 3;
    if (rh_ascii_prefix(p, n, "windows\\")) {
        if (rh_ascii_prefix(p + 8, n - 8, "system32\\") ||
            rh_ascii_prefix(p + 8, n - 8, "syswow64\\") ||
            rh_ascii_prefix(p + 8, n - 8, "sysnative\\")) {
            if (rh_ascii_prefix(p + 8, n - 8, "system32\\tasks\\") ||
                rh_ascii_prefix(p + 8, n - 8, "system32\\spool\\drivers\\color\\")) {
                return RH_PATH_TEMP; /* world-writable folders inside System32 */
            }
            return RH_PATH_SYSTEM32;
        }
        if (rh_ascii_prefix(p + 8, n - 8, "tasks\\") ||
            rh_ascii_prefix(p + 8, n - 8, "tracing\\")) {
            return RH_PATH_TEMP;
        }
        return RH_PATH_WINDOWS;
    }
    if (rh_ascii_prefix(p, n, "program files\\") ||
        rh_ascii_prefix(p, n, "program files (x86)\\") || rh_ascii_prefix(p, n, "progra~1\\") ||
        rh_ascii_prefix(p, n, "progra~2\\")) {
        return RH_PATH_PROGRAM_FILES;
    }
    if (rh_ascii_prefix(p, n, "programdata\\")) {
        return RH_PATH_PROGRAMDATA;
    }
    if (rh_ascii_prefix(p, n, "users\\")) {
        if (rh_ascii_prefix(p + 6, n - 6, "public\\")) {
            return RH_PATH_PUBLIC;
        }
        if (interp_ci_has(p, n, "\\appdata\\roaming\\")) {
            return RH_PATH_APPDATA;
        }
        if (interp_ci_has(p, n, "\\appdata\\local\\") ||
            interp_ci_has(p, n, "\\appdata\\locallow\\")) {
            return RH_PATH_LOCALAPPDATA;
        }
        return RH_PATH_USERS;
    }
    if (rh_ascii_prefix(p, n, "documents and settings\\")) { /* XP / Server 2003 profiles */
        if (rh_ascii_prefix(p + 23, n - 23, "all users\\")) {
            return RH_PATH_PROGRAMDATA;
        }
        if (interp_ci_has(p, n, "\\local settings\\application data\\")) {
            return RH_PATH_LOCALAPPDATA;
        }
        if (interp_ci_has(p, n, "\\application data\\")) {
            return RH_PATH_APPDATA;
        }
        return RH_PATH_USERS;
    }
    if (rh_ascii_prefix(p, n, "perflogs\\") || rh_ascii_prefix(p, n, "$recycle.bin\\") ||
        rh_ascii_prefix(p, n, "recycler\\")) {
        return RH_PATH_TEMP;
    }
    return RH_PATH_OTHER;
}

/* ---- hidden names ---------------------------------------------------------------------- */

int rh_name_is_hidden(const char *name, size_t n, const char **why)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t l = rh_utf8_decode(name + i, n - i, &cp);
        const char *w = NULL;
        if (cp == 0) {
            w = "NUL character in name";
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
            w = "control character in name";
        } else if (cp == 0x202E || cp == 0x202D || cp == 0x202A || cp == 0x202B || cp == 0x202C ||
                   (cp >= 0x2066 && cp <= 0x2069)) {
            w = "bidirectional override (RLO) in name";
        } else if (cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0xFEFF || cp == 0x2060) {
            w = "zero-width character in name";
        }
        if (w) {
            if (why) {
                *why = w;
            }
            return 1;
        }
        i += l ? l : 1;
    }
    return 0;
}

/* ---- target features ------------------------------------------------------------------- */

void interp_target_features(rh_ctx *ctx, rh_interp *out, const char *t, size_t n)
{
    const char *base;
    size_t bl, i, dots = 0;
    static const char *const script_exts[] = {".ps1", ".vbs", ".vbe", ".js",  ".jse", ".wsf",
                                              ".wsh", ".hta", ".bat", ".cmd", ".sct", ".psm1"};
    static const char *const doc_exts[] = {".pdf", ".doc", ".docx", ".xls", ".xlsx",
                                           ".txt", ".jpg", ".png",  ".zip", ".rtf"};
    interp_basename(t, n, &base, &bl);
    for (i = 0; i < sizeof(script_exts) / sizeof(script_exts[0]); i++) {
        if (rh_ascii_suffix(base, bl, script_exts[i])) {
            out->features |= RH_FEAT_SCRIPT_FILE;
        }
    }
    for (i = 0; i < bl; i++) {
        dots += base[i] == '.';
        if ((unsigned char)base[i] >= 0x80) {
            out->features |= RH_FEAT_NON_ASCII;
        }
    }
    if (dots >= 2) {
        for (i = 0; i < sizeof(doc_exts) / sizeof(doc_exts[0]); i++) {
            size_t el = strlen(doc_exts[i]);
            size_t k;
            for (k = 0; k + el < bl; k++) {
                if (rh_ascii_casecmp(base + k, el, doc_exts[i], el) == 0 && base[k + el] == '.') {
                    out->features |= RH_FEAT_DOUBLE_EXT;
                }
            }
        }
    }
    {
        const char *m = rh_interp_masquerade(base, bl);
        if (m) {
            out->features |= RH_FEAT_MASQUERADE;
            if (!out->masquerade_of) {
                out->masquerade_of = rh_strndup(ctx, m, strlen(m));
            }
        }
    }
    if (rh_interp_is_system_name(base, bl) && out->path_class != RH_PATH_SYSTEM32 &&
        out->path_class != RH_PATH_WINDOWS && out->path_class != RH_PATH_RELATIVE &&
        out->path_class != RH_PATH_NONE) {
        out->features |= RH_FEAT_SYSNAME_MISPLACED;
    }
    if (out->path_class == RH_PATH_RELATIVE) {
        out->features |= RH_FEAT_RELATIVE;
    }
    if (rh_path_class_user_writable(out->path_class)) {
        out->features |= RH_FEAT_USER_WRITABLE;
    }
    if (out->path_class == RH_PATH_URL) {
        out->features |= RH_FEAT_URL;
    }
    if (out->path_class == RH_PATH_UNC) {
        out->features |= RH_FEAT_UNC;
    }
    for (i = 0; i < sizeof(vendor_dirs) / sizeof(vendor_dirs[0]); i++) {
        if (interp_ci_has(t, n, vendor_dirs[i]) &&
            (out->path_class == RH_PATH_LOCALAPPDATA || out->path_class == RH_PATH_APPDATA ||
             out->path_class == RH_PATH_USERS)) {
            out->features |= RH_FEAT_VENDOR_USERDIR;
        }
    }
}
