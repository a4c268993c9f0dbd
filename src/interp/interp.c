/*
 * Command-line interpretation: unwrap command hosts, extract and classify the target, and
 * find the suspicious features of attacker-controlled strings.
 */
#include "common/common.h"
#include "interp_internal.h"
#include "reghunt/interp.h"

/* ---- small string helpers -------------------------------------------------------------- */

static char lc(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

size_t interp_ci_find(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle), i, j;
    if (m == 0 || m > n) {
        return (size_t)-1;
    }
    for (i = 0; i + m <= n; i++) {
        for (j = 0; j < m && lc(hay[i + j]) == lc(needle[j]); j++) {
        }
        if (j == m) {
            return i;
        }
    }
    return (size_t)-1;
}

static int ci_has(const char *hay, size_t n, const char *needle)
{
    return interp_ci_find(hay, n, needle) != (size_t)-1;
}

/* A word character of a command token: part of a name, a path or a file name. */
static int is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == '\\' || c == '/' || c == ':';
}

/* True when `needle` occurs in hay as a whole word: "| iex" and "iex(" but not "msiexec" or
 * "iscsiexe.dll". */
static int ci_has_word(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    size_t off = 0;
    while (off + m <= n) {
        size_t at = interp_ci_find(hay + off, n - off, needle);
        if (at == (size_t)-1) {
            return 0;
        }
        at += off;
        if ((at == 0 || !is_word_char(hay[at - 1])) &&
            (at + m == n || !is_word_char(hay[at + m]))) {
            return 1;
        }
        off = at + 1;
    }
    return 0;
}

static int ci_eq(const char *a, size_t an, const char *b)
{
    return rh_ascii_casecmp(a, an, b, strlen(b)) == 0;
}

static int ci_prefix(const char *a, size_t an, const char *p)
{
    size_t pn = strlen(p);
    return an >= pn && rh_ascii_casecmp(a, pn, p, pn) == 0;
}

static int ci_suffix(const char *a, size_t an, const char *p)
{
    size_t pn = strlen(p);
    return an >= pn && rh_ascii_casecmp(a + an - pn, pn, p, pn) == 0;
}

/* True when s is a non-empty abbreviation of `full` (PowerShell switch matching). */
static int is_abbrev(const char *s, size_t n, const char *full)
{
    size_t fl = strlen(full);
    return n >= 1 && n <= fl && rh_ascii_casecmp(s, n, full, n) == 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **s, size_t *n)
{
    while (*n && (is_blank(**s) || **s == '\0')) {
        (*s)++;
        (*n)--;
    }
    while (*n && (is_blank((*s)[*n - 1]) || (*s)[*n - 1] == '\0')) {
        (*n)--;
    }
}

static void unquote(const char **s, size_t *n)
{
    trim(s, n);
    /* strip one pair only when it encloses everything: "a b.exe" -d "c" keeps its quotes */
    while (*n >= 2 &&
           (((*s)[0] == '"' && (*s)[*n - 1] == '"') || ((*s)[0] == '\'' && (*s)[*n - 1] == '\'')) &&
           (!memchr(*s + 1, (*s)[0], *n - 2) ||
            (*n >= 4 && (*s)[1] == (*s)[0] && (*s)[*n - 2] == (*s)[0]))) {
        (*s)++;
        *n -= 2;
        trim(s, n);
    }
    if (*n >= 1 && (*s)[0] == '"' && !memchr(*s + 1, '"', *n - 1)) { /* unbalanced quote */
        (*s)++;
        (*n)--;
    }
}

void interp_basename(const char *p, size_t n, const char **base, size_t *blen)
{
    size_t i = n;
    unquote(&p, &n);
    i = n;
    while (i > 0 && p[i - 1] != '\\' && p[i - 1] != '/') {
        i--;
    }
    *base = p + i;
    *blen = n - i;
}

/* Strip ".exe" for name comparisons. */
static size_t stem_len(const char *b, size_t n)
{
    return ci_suffix(b, n, ".exe") ? n - 4 : n;
}

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

/* Hosts that run other code. `unwrap` says how the payload is found. */
enum host_kind {
    H_NONE = 0,
    H_CMD,
    H_POWERSHELL,
    H_RUNDLL32,
    H_REGSVR32,
    H_MSHTA,
    H_WSCRIPT,
    H_MSIEXEC,
    H_CONHOST,
    H_FORFILES,
    H_EXPLORER,
    H_OTHER_LOLBIN
};

struct host_def {
    const char *name;
    enum host_kind kind;
    int script_host;
};

static const struct host_def hosts[] = {
    {"cmd", H_CMD, 1},
    {"powershell", H_POWERSHELL, 1},
    {"pwsh", H_POWERSHELL, 1},
    {"powershell_ise", H_POWERSHELL, 1},
    {"rundll32", H_RUNDLL32, 0},
    {"regsvr32", H_REGSVR32, 0},
    {"mshta", H_MSHTA, 1},
    {"wscript", H_WSCRIPT, 1},
    {"cscript", H_WSCRIPT, 1},
    {"msiexec", H_MSIEXEC, 0},
    {"conhost", H_CONHOST, 0},
    {"forfiles", H_FORFILES, 0},
    {"explorer", H_EXPLORER, 0},
    {"certutil", H_OTHER_LOLBIN, 0},
    {"bitsadmin", H_OTHER_LOLBIN, 0},
    {"msbuild", H_OTHER_LOLBIN, 0},
    {"installutil", H_OTHER_LOLBIN, 0},
    {"regasm", H_OTHER_LOLBIN, 0},
    {"regsvcs", H_OTHER_LOLBIN, 0},
    {"odbcconf", H_OTHER_LOLBIN, 0},
    {"cmstp", H_OTHER_LOLBIN, 0},
    {"wmic", H_OTHER_LOLBIN, 0},
    {"hh", H_OTHER_LOLBIN, 0},
    {"pcalua", H_OTHER_LOLBIN, 0},
    {"control", H_OTHER_LOLBIN, 0},
    {"schtasks", H_OTHER_LOLBIN, 0},
    {"bash", H_OTHER_LOLBIN, 1},
    {"wsl", H_OTHER_LOLBIN, 1},
    {"msdt", H_OTHER_LOLBIN, 0},
    {"mavinject", H_OTHER_LOLBIN, 0},
    {"msxsl", H_OTHER_LOLBIN, 0},
    {"ieexec", H_OTHER_LOLBIN, 0},
    {"presentationhost", H_OTHER_LOLBIN, 0},
    {"infdefaultinstall", H_OTHER_LOLBIN, 0},
    {"scriptrunner", H_OTHER_LOLBIN, 0},
    {"syncappvpublishingserver", H_OTHER_LOLBIN, 1},
    {"esentutl", H_OTHER_LOLBIN, 0},
    {"extrac32", H_OTHER_LOLBIN, 0},
    {"expand", H_OTHER_LOLBIN, 0},
    {"curl", H_OTHER_LOLBIN, 0},
    {"ftp", H_OTHER_LOLBIN, 0},
    {"finger", H_OTHER_LOLBIN, 0},
    {"msconfig", H_OTHER_LOLBIN, 0},
    {"dnscmd", H_OTHER_LOLBIN, 0},
    {"diskshadow", H_OTHER_LOLBIN, 0},
    {"wlrmdr", H_OTHER_LOLBIN, 0},
    {"appvlp", H_OTHER_LOLBIN, 0},
    {"atbroker", H_OTHER_LOLBIN, 0},
    {"csi", H_OTHER_LOLBIN, 1},
    {"rcsi", H_OTHER_LOLBIN, 1},
    {"jsc", H_OTHER_LOLBIN, 0},
    {"csc", H_OTHER_LOLBIN, 0},
    {"vbc", H_OTHER_LOLBIN, 0},
    {"ntdsutil", H_OTHER_LOLBIN, 0},
    {"psexec", H_OTHER_LOLBIN, 0},
    {"psexec64", H_OTHER_LOLBIN, 0},
};

static const struct host_def *find_host(const char *base, size_t n)
{
    size_t i, sl = stem_len(base, n);
    for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        if (ci_eq(base, sl, hosts[i].name)) {
            return &hosts[i];
        }
    }
    return NULL;
}

int rh_interp_is_system_name(const char *base, size_t n)
{
    size_t i, sl;
    if (!ci_suffix(base, n, ".exe")) {
        return 0;
    }
    sl = n - 4;
    for (i = 0; i < sizeof(system_names) / sizeof(system_names[0]); i++) {
        if (ci_eq(base, sl, system_names[i]) && strcmp(system_names[i], "winword") != 0) {
            return 1;
        }
    }
    return 0;
}

/* Fold look-alike digits to letters: svch0st -> svchost, 1sass -> lsass. */
static char homoglyph(char c)
{
    c = lc(c);
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
    size_t i, sl = stem_len(base, n), k;
    int has_glyph = 0;
    if (sl < 4 || sl > 30) {
        return NULL;
    }
    for (k = 0; k < sl; k++) {
        has_glyph |= homoglyph(base[k]) != lc(base[k]);
    }
    for (i = 0; i < sizeof(system_names) / sizeof(system_names[0]); i++) {
        const char *s = system_names[i];
        size_t l = strlen(s);
        unsigned dist;
        if (l < 5 && !has_glyph) {
            continue; /* short names (cmd, lsm, dwm) give too many near misses */
        }
        if (ci_eq(base, sl, s)) {
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

const char *rh_path_class_name(rh_path_class c)
{
    return (unsigned)c < RH_PATH_COUNT ? class_names[c] : "?";
}

int rh_path_class_user_writable(rh_path_class c)
{
    return c == RH_PATH_PROGRAMDATA || c == RH_PATH_APPDATA || c == RH_PATH_LOCALAPPDATA ||
           c == RH_PATH_TEMP || c == RH_PATH_PUBLIC || c == RH_PATH_USERS;
}

static int is_url(const char *p, size_t n)
{
    return ci_prefix(p, n, "http://") || ci_prefix(p, n, "https://") || ci_prefix(p, n, "ftp://") ||
           ci_prefix(p, n, "file://") || ci_prefix(p, n, "script:") || ci_prefix(p, n, "\\\\http");
}

rh_path_class rh_path_classify(const char *path, size_t n)
{
    const char *p = path;
    unquote(&p, &n);
    if (n == 0) {
        return RH_PATH_NONE;
    }
    if (is_url(p, n)) {
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
    if (ci_has(p, n, "\\temp\\") || ci_has(p, n, "\\tmp\\") || ci_suffix(p, n, "\\temp") ||
        ci_has(p, n, "\\temporary internet files\\") || ci_has(p, n, "\\inetcache\\")) {
        return RH_PATH_TEMP;
    }
    if (!(n >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/'))) {
        if (!memchr(p, '\\', n) && !memchr(p, '/', n)) {
            return RH_PATH_RELATIVE;
        }
        if (ci_prefix(p, n, "system32\\") || ci_prefix(p, n, "syswow64\\")) {
            return RH_PATH_SYSTEM32; /* ImagePath relative to SystemRoot */
        }
        return RH_PATH_OTHER;
    }
    p += 3;
    n -= 3;
    if (ci_prefix(p, n, "windows\\")) {
        if (ci_prefix(p + 8, n - 8, "system32\\") || ci_prefix(p + 8, n - 8, "syswow64\\") ||
            ci_prefix(p + 8, n - 8, "sysnative\\")) {
            if (ci_prefix(p + 8, n - 8, "system32\\tasks\\") ||
                ci_prefix(p + 8, n - 8, "system32\\spool\\drivers\\color\\")) {
                return RH_PATH_TEMP; /* world-writable folders inside System32 */
            }
            return RH_PATH_SYSTEM32;
        }
        if (ci_prefix(p + 8, n - 8, "tasks\\") || ci_prefix(p + 8, n - 8, "tracing\\")) {
            return RH_PATH_TEMP;
        }
        return RH_PATH_WINDOWS;
    }
    if (ci_prefix(p, n, "program files\\") || ci_prefix(p, n, "program files (x86)\\") ||
        ci_prefix(p, n, "progra~1\\") || ci_prefix(p, n, "progra~2\\")) {
        return RH_PATH_PROGRAM_FILES;
    }
    if (ci_prefix(p, n, "programdata\\")) {
        return RH_PATH_PROGRAMDATA;
    }
    if (ci_prefix(p, n, "users\\")) {
        if (ci_prefix(p + 6, n - 6, "public\\")) {
            return RH_PATH_PUBLIC;
        }
        if (ci_has(p, n, "\\appdata\\roaming\\")) {
            return RH_PATH_APPDATA;
        }
        if (ci_has(p, n, "\\appdata\\local\\") || ci_has(p, n, "\\appdata\\locallow\\")) {
            return RH_PATH_LOCALAPPDATA;
        }
        return RH_PATH_USERS;
    }
    if (ci_prefix(p, n, "documents and settings\\")) { /* XP / Server 2003 profiles */
        if (ci_prefix(p + 23, n - 23, "all users\\")) {
            return RH_PATH_PROGRAMDATA;
        }
        if (ci_has(p, n, "\\local settings\\application data\\")) {
            return RH_PATH_LOCALAPPDATA;
        }
        if (ci_has(p, n, "\\application data\\")) {
            return RH_PATH_APPDATA;
        }
        return RH_PATH_USERS;
    }
    if (ci_prefix(p, n, "perflogs\\") || ci_prefix(p, n, "$recycle.bin\\") ||
        ci_prefix(p, n, "recycler\\")) {
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

/* ---- base64 ---------------------------------------------------------------------------- */

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+' || c == '-') {
        return 62;
    }
    if (c == '/' || c == '_') {
        return 63;
    }
    return -1;
}

rh_status rh_base64_decode(const char *s, size_t n, int utf16, rh_buf *out)
{
    rh_buf raw;
    uint32_t acc = 0;
    int bits = 0;
    size_t i, chars = 0;
    rh_status st = RH_OK;
    rh_buf_init(&raw, out->ctx);
    for (i = 0; i < n && st == RH_OK; i++) {
        int v;
        if (is_blank(s[i]) || s[i] == '"' || s[i] == '\'') {
            continue;
        }
        if (s[i] == '=') {
            break;
        }
        v = b64val(s[i]);
        if (v < 0) {
            rh_buf_free(&raw);
            return RH_ERR_FORMAT;
        }
        chars++;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            st = rh_buf_putc(&raw, (char)((acc >> bits) & 0xFF));
        }
    }
    if (st == RH_OK && chars < 4) {
        st = RH_ERR_FORMAT;
    }
    if (st == RH_OK) {
        st = utf16 ? rh_utf16le_to_utf8(out, (const uint8_t *)raw.data, raw.len & ~(size_t)1, 0)
                   : rh_utf8_sanitize(out, raw.data ? raw.data : "", raw.len);
    }
    rh_buf_free(&raw);
    return st;
}

/* ---- list splitting -------------------------------------------------------------------- */

rh_status rh_interp_split(const char *s, size_t n, int multi_sz, const char *seps,
                          rh_status (*fn)(const char *item, size_t len, void *user), void *user)
{
    size_t i = 0, start = 0, items = 0;
    if (!s) {
        return RH_OK;
    }
    for (i = 0; i <= n; i++) {
        int sep = i == n || (multi_sz ? s[i] == '\0' : (s[i] == '\0' || strchr(seps, s[i])));
        if (sep) {
            const char *it = s + start;
            size_t len = i - start;
            unquote(&it, &len);
            if (len) {
                rh_status st;
                if (++items > 4096) {
                    return RH_ERR_LIMIT;
                }
                st = fn(it, len, user);
                if (st != RH_OK) {
                    return st;
                }
            }
            start = i + 1;
        }
    }
    return RH_OK;
}

/* ---- features of raw text ---------------------------------------------------------------- */

static int is_ipv4_at(const char *p, size_t n)
{
    size_t i = 0;
    int parts = 0;
    while (parts < 4) {
        size_t d = 0;
        unsigned v = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9' && d < 4) {
            v = v * 10 + (unsigned)(p[i] - '0');
            i++;
            d++;
        }
        if (d == 0 || d > 3 || v > 255) {
            return 0;
        }
        parts++;
        if (parts < 4) {
            if (i >= n || p[i] != '.') {
                return 0;
            }
            i++;
        }
    }
    return i == n || !(p[i] >= '0' && p[i] <= '9');
}

static const char *const download_tokens[] = {
    "downloadstring",
    "downloadfile",
    "downloaddata",
    "invoke-webrequest",
    "iwr ",
    "invoke-restmethod",
    "irm ",
    "net.webclient",
    "start-bitstransfer",
    "/transfer",
    "-urlcache",
    "urlcache",
    "msxml2.xmlhttp",
    "winhttp.winhttprequest",
    "xmlhttp",
    "wget ",
    "curl ",
    "bitsadmin",
    "certutil -f",
};

static void scan_text(const char *s, size_t n, rh_interp *out, rh_ctx *ctx, int cmd_context)
{
    size_t i, run = 0, carets = 0, ticks = 0;
    int upper = 0, lower = 0, digit = 0;
    for (i = 0; i < sizeof(download_tokens) / sizeof(download_tokens[0]); i++) {
        if (ci_has(s, n, download_tokens[i])) {
            out->features |= RH_FEAT_DOWNLOAD;
        }
    }
    for (i = 0; i < n; i++) {
        size_t rem = n - i;
        if ((ci_prefix(s + i, rem, "http://") || ci_prefix(s + i, rem, "https://") ||
             ci_prefix(s + i, rem, "ftp://"))) {
            size_t e = i, h;
            out->features |= RH_FEAT_URL;
            while (e < n && !is_blank(s[e]) && s[e] != '"' && s[e] != '\'' && s[e] != ')') {
                e++;
            }
            h = i + (size_t)(memchr(s + i, '/', rem)
                                 ? ((const char *)memchr(s + i, '/', rem) - (s + i)) + 2
                                 : 0);
            if (h < e && is_ipv4_at(s + h, e - h)) {
                out->features |= RH_FEAT_RAW_IP;
            }
            if (!out->url) {
                out->url = rh_strndup(ctx, s + i, e - i);
            }
        }
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\\' && (i == 0 || s[i - 1] != '\\') &&
            i + 2 < n && s[i + 2] != '?' && s[i + 2] != '.') {
            size_t e = i + 2;
            out->features |= RH_FEAT_UNC;
            if (is_ipv4_at(s + i + 2, n - i - 2)) {
                out->features |= RH_FEAT_RAW_IP;
            }
            while (e < n && !is_blank(s[e]) && s[e] != '"') {
                e++;
            }
            if (!out->url) {
                out->url = rh_strndup(ctx, s + i, e - i);
            }
        }
        if (s[i] == '^') {
            carets++;
        }
        if (s[i] == '`') {
            ticks++;
        }
        if (b64val(s[i]) >= 0 && s[i] != '-' && s[i] != '_') {
            run++;
            upper |= s[i] >= 'A' && s[i] <= 'Z';
            lower |= s[i] >= 'a' && s[i] <= 'z';
            digit |= s[i] >= '0' && s[i] <= '9';
            if (run >= 48 && upper && lower && digit) {
                out->features |= RH_FEAT_BASE64;
            }
        } else {
            run = 0;
            upper = lower = digit = 0;
        }
        if ((unsigned char)s[i] < 0x20 && s[i] != '\t' && s[i] != '\0') {
            out->features |= RH_FEAT_CONTROL_CHARS;
        }
    }
    if (carets >= 2 && cmd_context) {
        out->features |= RH_FEAT_OBFUSCATED;
    }
    if (ticks >= 2 || ci_has(s, n, "'+'") || ci_has(s, n, "\"+\"") || ci_has(s, n, "[char]") ||
        ci_has(s, n, "-join") || ci_has(s, n, ":~") || ci_has(s, n, "-bxor") ||
        ci_has(s, n, "[string]::join") || ci_has(s, n, "-replace") ||
        ci_has(s, n, "\xE2\x80\x93")) { /* en dash used as a PowerShell switch prefix */
        out->features |= RH_FEAT_OBFUSCATED;
    }
    if (ci_has(s, n, "frombase64string")) {
        out->features |= RH_FEAT_BASE64;
    }
    if (ci_has_word(s, n, "iex") || ci_has(s, n, "invoke-expression")) {
        out->features |= RH_FEAT_INLINE_SCRIPT;
    }
    if (ci_has(s, n, "-w hidden") || ci_has(s, n, "-windowstyle hidden") ||
        ci_has(s, n, "-win hidden") || ci_has(s, n, "-w 1 ") || ci_has(s, n, "-window hidden") ||
        ci_has(s, n, "-w h ") || ci_has(s, n, "vbhide") || ci_has(s, n, "--headless")) {
        out->features |= RH_FEAT_HIDDEN_WINDOW;
    }
    if (ci_has(s, n, "bypass") || ci_has(s, n, "-nop ") || ci_has(s, n, "-noprofile") ||
        ci_has(s, n, "unrestricted")) {
        out->features |= RH_FEAT_POLICY_BYPASS;
    }
    if (ci_has(s, n, "vbscript:") || ci_has(s, n, "javascript:") ||
        ci_has(s, n, "runhtmlapplication")) {
        out->features |= RH_FEAT_INLINE_SCRIPT;
    }
}

/* ---- tokenizer ------------------------------------------------------------------------- */

/* Next argument: quoted "..." (quotes removed) or up to whitespace. */
static int next_tok(const char *s, size_t n, size_t *pos, const char **tok, size_t *len)
{
    size_t i = *pos;
    while (i < n && is_blank(s[i])) {
        i++;
    }
    if (i >= n) {
        *pos = n;
        return 0;
    }
    if (s[i] == '"') {
        size_t j = i + 1;
        while (j < n && s[j] != '"') {
            j++;
        }
        *tok = s + i + 1;
        *len = j - i - 1;
        *pos = j < n ? j + 1 : n;
        return 1;
    }
    *tok = s + i;
    while (i < n && !is_blank(s[i])) {
        i++;
    }
    *len = (size_t)(s + i - *tok);
    *pos = i;
    return 1;
}

static const char *const exec_exts[] = {".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".dll",
                                        ".cpl", ".ocx", ".vbs", ".vbe", ".js",  ".jse", ".wsf",
                                        ".wsh", ".ps1", ".hta", ".msc", ".jar", ".lnk", ".sys"};

/* Program token of a command line. Unquoted paths with spaces ("C:\Program Files\x\y.exe
 * -a") are taken up to the first executable extension followed by a blank, as CreateProcess
 * ends up resolving them. */
static void program_token(const char *s, size_t n, const char **tok, size_t *len, size_t *rest)
{
    size_t pos = 0, i, k;
    const char *t = NULL;
    size_t tl = 0;
    if (!next_tok(s, n, &pos, &t, &tl)) {
        *tok = s;
        *len = 0;
        *rest = n;
        return;
    }
    if (t > s && t[-1] == '"') {
        *tok = t;
        *len = tl;
        *rest = pos;
        return;
    }
    if (pos < n && memchr(t, '\\', tl)) {
        for (i = (size_t)(t - s); i < n; i++) {
            for (k = 0; k < sizeof(exec_exts) / sizeof(exec_exts[0]); k++) {
                size_t el = strlen(exec_exts[k]);
                if (i + el <= n && rh_ascii_casecmp(s + i, el, exec_exts[k], el) == 0 &&
                    (i + el == n || is_blank(s[i + el]) || s[i + el] == ',')) {
                    if (i + el > (size_t)(t - s) + tl) {
                        *tok = t;
                        *len = i + el - (size_t)(t - s);
                        *rest = i + el;
                        return;
                    }
                    goto plain;
                }
            }
        }
    }
plain:
    *tok = t;
    *len = tl;
    *rest = pos;
}

/* ---- unwrapping -------------------------------------------------------------------------- */

struct an {
    rh_ctx *ctx;
    const rh_env *env;
    rh_interp *out;
    rh_buf hosts;
    rh_buf scratch[RH_INTERP_MAX_UNWRAP + 1];
    const char *target;
    size_t target_len;
    rh_status st;
};

static void set_target(struct an *a, const char *t, size_t n)
{
    unquote(&t, &n);
    while (n && (t[n - 1] == ',' || t[n - 1] == ';')) {
        n--;
    }
    a->target = t;
    a->target_len = n;
}

static void add_host(struct an *a, const char *name)
{
    if (a->st != RH_OK) {
        return;
    }
    if (a->hosts.len) {
        a->st = rh_buf_putc(&a->hosts, '>');
    }
    if (a->st == RH_OK) {
        a->st = rh_buf_puts(&a->hosts, name);
    }
}

static void analyze_cmd(struct an *a, const char *s, size_t n, unsigned depth);

/* True when a cmd /c command line chains only built-ins that start no program (del, erase,
 * rd, rmdir, echo, cd): the OneDrive and installer "delete cached binary" RunOnce lines. */
static int cmd_builtins_only(const char *s, size_t n)
{
    static const char *const builtins[] = {"del", "erase", "rd", "rmdir", "echo", "cd"};
    size_t i = 0, pieces = 0;
    while (i < n && pieces < 32) {
        size_t start, e, k;
        const char *tok;
        size_t len, pos = 0;
        int ok = 0;
        while (i < n && (s[i] == '&' || s[i] == '|' || is_blank(s[i]))) {
            i++;
        }
        start = i;
        while (i < n && s[i] != '&' && s[i] != '|') {
            if (s[i] == '^' || s[i] == '(' || s[i] == '`') {
                return 0; /* escapes and blocks: judge normally */
            }
            i++;
        }
        e = i;
        if (e == start) {
            continue;
        }
        if (!next_tok(s + start, e - start, &pos, &tok, &len)) {
            continue;
        }
        for (k = 0; k < sizeof(builtins) / sizeof(builtins[0]); k++) {
            ok |= ci_eq(tok, len, builtins[k]);
        }
        if (!ok) {
            return 0;
        }
        pieces++;
    }
    return pieces > 0 && i >= n;
}

/* First argument that looks like a path or URL (for LOLBins we do not unwrap). */
static int find_path_arg(const char *s, size_t n, size_t pos, const char **t, size_t *tl)
{
    const char *tok;
    size_t len, guard = 0;
    while (next_tok(s, n, &pos, &tok, &len) && guard++ < 256) {
        const char *v = tok;
        size_t vl = len;
        const char *colon = memchr(tok, ':', len);
        if (len > 3 && (tok[0] == '/' || tok[0] == '-') && colon && colon + 1 < tok + len) {
            v = colon + 1; /* /i:C:\x.dll, -config:... */
            vl = len - (size_t)(v - tok);
        }
        if (is_url(v, vl) || (vl > 2 && v[1] == ':' && v[2] == '\\') ||
            (vl > 2 && v[0] == '\\' && v[1] == '\\')) {
            *t = v;
            *tl = vl;
            return 1;
        }
    }
    return 0;
}

static void analyze_powershell(struct an *a, const char *s, size_t n, size_t pos, unsigned depth)
{
    const char *tok;
    size_t len, guard = 0;
    while (next_tok(s, n, &pos, &tok, &len) && guard++ < 256) {
        const char *sw = tok;
        size_t sl = len;
        if (sl >= 2 && (sw[0] == '-' || sw[0] == '/')) {
            sw++;
            sl--;
            if (is_abbrev(sw, sl, "encodedcommand") || ci_eq(sw, sl, "ec") ||
                ci_eq(sw, sl, "encodedarguments") || ci_eq(sw, sl, "ea")) {
                const char *b;
                size_t bl;
                rh_buf *dec = &a->scratch[depth];
                a->out->features |= RH_FEAT_ENCODED;
                if (!next_tok(s, n, &pos, &b, &bl)) {
                    return;
                }
                rh_buf_reset(dec);
                if (rh_base64_decode(b, bl, 1, dec) == RH_OK) {
                    if (!a->out->decoded) {
                        a->out->decoded = rh_strndup(a->ctx, dec->data, dec->len);
                    }
                    scan_text(dec->data, dec->len, a->out, a->ctx, 0);
                    a->out->features |= RH_FEAT_INLINE_SCRIPT;
                    {
                        const char *t;
                        size_t tl;
                        if (find_path_arg(dec->data, dec->len, 0, &t, &tl)) {
                            set_target(a, t, tl);
                        }
                    }
                } else {
                    a->out->features |= RH_FEAT_OBFUSCATED;
                }
                return;
            }
            if (is_abbrev(sw, sl, "command")) {
                const char *t;
                size_t tl;
                a->out->features |= RH_FEAT_INLINE_SCRIPT;
                if (find_path_arg(s, n, pos, &t, &tl)) {
                    set_target(a, t, tl);
                }
                return;
            }
            if (is_abbrev(sw, sl, "file")) {
                const char *f;
                size_t fl;
                if (next_tok(s, n, &pos, &f, &fl)) {
                    set_target(a, f, fl);
                }
                return;
            }
            if (is_abbrev(sw, sl, "windowstyle") || is_abbrev(sw, sl, "executionpolicy") ||
                ci_eq(sw, sl, "ep") || is_abbrev(sw, sl, "configurationname")) {
                next_tok(s, n, &pos, &tok, &len); /* skip the switch argument */
            }
            continue;
        }
        /* first non-switch argument: a script file or inline code */
        if (ci_suffix(tok, len, ".ps1")) {
            set_target(a, tok, len);
        } else {
            const char *t;
            size_t tl;
            a->out->features |= RH_FEAT_INLINE_SCRIPT;
            if (find_path_arg(s, n, (size_t)(tok - s), &t, &tl)) {
                set_target(a, t, tl);
            }
        }
        return;
    }
}

static void analyze_host(struct an *a, const struct host_def *h, const char *prog, size_t plen,
                         const char *s, size_t n, size_t pos, unsigned depth)
{
    const char *tok;
    size_t len, guard = 0;
    a->out->features |= RH_FEAT_LOLBIN;
    if (h->script_host) {
        a->out->features |= RH_FEAT_SCRIPT_HOST;
    }
    if (!a->out->lolbin) {
        a->out->lolbin = rh_strndup(a->ctx, h->name, strlen(h->name));
    }
    add_host(a, h->name);
    set_target(a, prog, plen);
    a->out->unwrap_depth = depth + 1;
    switch (h->kind) {
    case H_CMD:
        while (next_tok(s, n, &pos, &tok, &len) && guard++ < 64) {
            if (ci_eq(tok, len, "/c") || ci_eq(tok, len, "/k") || ci_eq(tok, len, "/r")) {
                const char *in = s + pos;
                size_t il = n - pos;
                unquote(&in, &il);
                if (cmd_builtins_only(in, il)) {
                    a->out->features |= RH_FEAT_CLEANUP_ONLY;
                    return;
                }
                analyze_cmd(a, in, il, depth + 1);
                return;
            }
            if (len >= 2 && (ci_prefix(tok, len, "/c") || ci_prefix(tok, len, "/k"))) {
                analyze_cmd(a, tok + 2, n - (size_t)(tok + 2 - s), depth + 1);
                return;
            }
        }
        return;
    case H_POWERSHELL:
        analyze_powershell(a, s, n, pos, depth);
        return;
    case H_RUNDLL32: {
        const char *dll, *comma, *entry;
        size_t dl, el;
        if (!next_tok(s, n, &pos, &dll, &dl)) {
            return;
        }
        comma = memchr(dll, ',', dl);
        if (comma) {
            entry = comma + 1;
            el = dl - (size_t)(entry - dll);
            dl = (size_t)(comma - dll);
        } else if (!next_tok(s, n, &pos, &entry, &el)) {
            entry = NULL;
            el = 0;
        }
        if (ci_prefix(dll, dl, "javascript:") || ci_prefix(dll, dl, "vbscript:")) {
            a->out->features |= RH_FEAT_INLINE_SCRIPT;
            return;
        }
        set_target(a, dll, dl);
        if (entry && el) {
            if (!a->out->entry) {
                a->out->entry = rh_strndup(a->ctx, entry, el);
            }
            if (entry[0] == '#') {
                a->out->features |= RH_FEAT_RUNDLL_ORDINAL;
            }
            /* proxy entry points that start another program */
            if (ci_has(entry, el, "shellexec_rundll") || ci_has(entry, el, "fileprotocolhandler") ||
                ci_has(entry, el, "routethecall") || ci_has(entry, el, "launchapplication") ||
                ci_has(entry, el, "openurl") || ci_has(entry, el, "launchinfsection") ||
                ci_has(entry, el, "registerocx")) {
                const char *in = s + pos;
                size_t il = n - pos;
                unquote(&in, &il);
                if (il) {
                    analyze_cmd(a, in, il, depth + 1);
                }
                return;
            }
        }
        {
            const char *b;
            size_t bl;
            interp_basename(dll, dl, &b, &bl);
            if (memchr(b, '.', bl) && !ci_suffix(b, bl, ".dll") && !ci_suffix(b, bl, ".cpl") &&
                !ci_suffix(b, bl, ".ocx") && !ci_suffix(b, bl, ".drv") &&
                !ci_suffix(b, bl, ".ax")) {
                a->out->features |= RH_FEAT_ODD_EXT;
            }
        }
        return;
    }
    case H_REGSVR32: {
        const char *dll = NULL, *iarg = NULL;
        size_t dl = 0, il = 0;
        while (next_tok(s, n, &pos, &tok, &len) && guard++ < 64) {
            if (len >= 3 && (tok[0] == '/' || tok[0] == '-') && lc(tok[1]) == 'i' &&
                tok[2] == ':') {
                iarg = tok + 3;
                il = len - 3;
            } else if (len && tok[0] != '/' && tok[0] != '-') {
                dll = tok;
                dl = len;
            }
        }
        if (dll) {
            const char *b;
            size_t bl;
            interp_basename(dll, dl, &b, &bl);
            if (ci_eq(b, bl, "scrobj.dll") && iarg) {
                a->out->features |= RH_FEAT_SCROBJ | RH_FEAT_INLINE_SCRIPT;
            }
            set_target(a, dll, dl);
        }
        if (iarg && il && (is_url(iarg, il) || memchr(iarg, '\\', il))) {
            set_target(a, iarg, il);
        }
        return;
    }
    case H_MSHTA:
        if (next_tok(s, n, &pos, &tok, &len)) {
            if (ci_prefix(tok, len, "vbscript:") || ci_prefix(tok, len, "javascript:") ||
                ci_prefix(tok, len, "about:")) {
                const char *t;
                size_t tl;
                a->out->features |= RH_FEAT_INLINE_SCRIPT;
                if (a->out->features & RH_FEAT_URL && a->out->url) {
                    set_target(a, a->out->url, strlen(a->out->url));
                } else if (find_path_arg(s, n, pos, &t, &tl)) {
                    set_target(a, t, tl);
                }
            } else {
                set_target(a, tok, len);
            }
        }
        return;
    case H_WSCRIPT:
        while (next_tok(s, n, &pos, &tok, &len) && guard++ < 64) {
            if (len && tok[0] == '/') {
                if (ci_prefix(tok, len, "//e:") && !ci_has(tok, len, "vbs") &&
                    !ci_has(tok, len, "js")) {
                    a->out->features |= RH_FEAT_OBFUSCATED;
                }
                continue;
            }
            set_target(a, tok, len);
            return;
        }
        return;
    case H_MSIEXEC:
        while (next_tok(s, n, &pos, &tok, &len) && guard++ < 64) {
            if (ci_eq(tok, len, "/i") || ci_eq(tok, len, "/package") || ci_eq(tok, len, "/y") ||
                ci_eq(tok, len, "/z") || ci_eq(tok, len, "-i") || ci_eq(tok, len, "/j")) {
                if (next_tok(s, n, &pos, &tok, &len)) {
                    set_target(a, tok, len);
                }
                return;
            }
            if (ci_prefix(tok, len, "/i") && len > 2) {
                set_target(a, tok + 2, len - 2);
                return;
            }
        }
        return;
    case H_CONHOST:
        while (next_tok(s, n, &pos, &tok, &len) && guard++ < 64) {
            if (ci_prefix(tok, len, "--") || ci_prefix(tok, len, "0x")) {
                if (ci_eq(tok, len, "--width") || ci_eq(tok, len, "--height") ||
                    ci_eq(tok, len, "--signal") || ci_eq(tok, len, "--server")) {
                    next_tok(s, n, &pos, &tok, &len);
                }
                continue;
            }
            analyze_cmd(a, tok, n - (size_t)(tok - s), depth + 1);
            return;
        }
        return;
    case H_FORFILES:
        while (next_tok(s, n, &pos, &tok, &len) && guard++ < 64) {
            if (ci_eq(tok, len, "/c") || ci_eq(tok, len, "-c")) {
                if (next_tok(s, n, &pos, &tok, &len)) {
                    analyze_cmd(a, tok, len, depth + 1);
                }
                return;
            }
        }
        return;
    case H_EXPLORER: {
        const char *in = s + pos;
        size_t il = n - pos;
        trim(&in, &il);
        if (il && in[0] != '/' && in[0] != ',') {
            analyze_cmd(a, in, il, depth + 1);
        } else {
            a->out->features &= ~RH_FEAT_LOLBIN; /* plain "explorer.exe" is the shell */
        }
        return;
    }
    default: {
        const char *t;
        size_t tl;
        if (find_path_arg(s, n, pos, &t, &tl)) {
            set_target(a, t, tl);
        }
        return;
    }
    }
}

static void analyze_cmd(struct an *a, const char *s, size_t n, unsigned depth)
{
    const char *prog, *base;
    size_t plen, rest, blen;
    const struct host_def *h;
    unquote(&s, &n);
    if (n == 0 || a->st != RH_OK) {
        return;
    }
    /* "start [/b] [/min] ["title"] cmd" inside cmd /c */
    if (ci_prefix(s, n, "start ")) {
        size_t pos = 6;
        const char *tok;
        size_t len, guard = 0;
        while (next_tok(s, n, &pos, &tok, &len) && guard++ < 16) {
            if ((len && tok[0] == '/') || (tok > s && tok[-1] == '"' && len == 0)) {
                if (ci_eq(tok, len, "/min")) {
                    a->out->features |= RH_FEAT_HIDDEN_WINDOW;
                }
                continue;
            }
            analyze_cmd(a, tok > s && tok[-1] == '"' ? tok - 1 : tok,
                        n - (size_t)(tok - s) + (tok > s && tok[-1] == '"'), depth);
            return;
        }
        return;
    }
    if (ci_prefix(s, n, "vbscript:") || ci_prefix(s, n, "javascript:")) {
        a->out->features |= RH_FEAT_INLINE_SCRIPT;
        return;
    }
    if (is_url(s, n)) {
        set_target(a, s, n);
        return;
    }
    program_token(s, n, &prog, &plen, &rest);
    interp_basename(prog, plen, &base, &blen);
    h = depth < RH_INTERP_MAX_UNWRAP ? find_host(base, blen) : NULL;
    if (h) {
        if (depth > 0 || h->kind != H_EXPLORER || rest < n) {
            a->out->features |= RH_FEAT_WRAPPED * (depth > 0);
        }
        analyze_host(a, h, prog, plen, s, n, rest, depth);
        return;
    }
    set_target(a, prog, plen);
}

/* ---- entry point --------------------------------------------------------------------------- */

static void target_features(rh_ctx *ctx, rh_interp *out, const char *t, size_t n)
{
    const char *base;
    size_t bl, i, dots = 0;
    static const char *const script_exts[] = {".ps1", ".vbs", ".vbe", ".js",  ".jse", ".wsf",
                                              ".wsh", ".hta", ".bat", ".cmd", ".sct", ".psm1"};
    static const char *const doc_exts[] = {".pdf", ".doc", ".docx", ".xls", ".xlsx",
                                           ".txt", ".jpg", ".png",  ".zip", ".rtf"};
    interp_basename(t, n, &base, &bl);
    for (i = 0; i < sizeof(script_exts) / sizeof(script_exts[0]); i++) {
        if (ci_suffix(base, bl, script_exts[i])) {
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
        if (ci_has(t, n, vendor_dirs[i]) &&
            (out->path_class == RH_PATH_LOCALAPPDATA || out->path_class == RH_PATH_APPDATA ||
             out->path_class == RH_PATH_USERS)) {
            out->features |= RH_FEAT_VENDOR_USERDIR;
        }
    }
}

rh_status rh_interp_analyze(rh_ctx *ctx, const rh_env *env, rh_interp_mode mode, uint32_t type,
                            const char *s, size_t n, rh_interp *out)
{
    struct an a;
    rh_buf exp;
    unsigned unresolved = 0;
    size_t i;
    rh_status st;
    memset(out, 0, sizeof(*out));
    if (!s) {
        s = "";
        n = 0;
    }
    if (n > RH_INTERP_MAX_INPUT) {
        n = RH_INTERP_MAX_INPUT;
    }
    if (n > 1024) {
        out->features |= RH_FEAT_LONG;
    }
    while (n && s[n - 1] == '\0') {
        n--;
    }
    rh_buf_init(&exp, ctx);
    st = rh_env_expand(env, s, n, &exp, &unresolved);
    if (st == RH_OK) {
        st = rh_buf_reserve(&exp, 0);
    }
    if (st != RH_OK) {
        rh_buf_free(&exp);
        return st;
    }
    if (exp.len != n || memcmp(exp.data, s, n) != 0) {
        out->features |= RH_FEAT_ENV_EXPANDED;
        if (type == RH_REGTYPE_EXPAND_SZ) {
            out->features |= RH_FEAT_EXPAND_SZ;
        }
    }
    if (unresolved) {
        out->features |= RH_FEAT_ENV_UNRESOLVED;
    }
    {
        const char *t = exp.data;
        size_t tn = exp.len;
        trim(&t, &tn);
        if (tn == 0) {
            out->features |= RH_FEAT_EMPTY;
        }
    }
    scan_text(exp.data, exp.len, out, ctx, 1);
    memset(&a, 0, sizeof(a));
    a.ctx = ctx;
    a.env = env;
    a.out = out;
    rh_buf_init(&a.hosts, ctx);
    for (i = 0; i <= RH_INTERP_MAX_UNWRAP; i++) {
        rh_buf_init(&a.scratch[i], ctx);
    }
    if (mode == RH_INTERP_MODE_PATH) {
        const char *t = exp.data;
        size_t tn = exp.len;
        unquote(&t, &tn);
        if (tn && t[0] != '"' && memchr(t, '"', tn)) { /* "path" args */
            tn = (size_t)((const char *)memchr(t, '"', tn) - t);
        }
        set_target(&a, t, tn);
        if (ci_prefix(t, tn, "script:")) {
            out->features |= RH_FEAT_INLINE_SCRIPT;
        }
    } else {
        /* chaining outside quotes */
        int q = 0;
        for (i = 0; i < exp.len; i++) {
            char c = exp.data[i];
            if (c == '"') {
                q = !q;
            } else if (!q && (c == '&' || c == '|') && i > 0 && exp.data[i - 1] != '^') {
                out->features |= RH_FEAT_CHAINED;
            }
        }
        analyze_cmd(&a, exp.data, exp.len, 0);
    }
    st = a.st;
    out->expanded = rh_strndup(ctx, exp.data, exp.len);
    out->hosts = rh_strndup(ctx, a.hosts.data ? a.hosts.data : "", a.hosts.len);
    if (st == RH_OK && a.target && a.target_len) {
        out->target = rh_strndup(ctx, a.target, a.target_len);
        if (out->target) {
            out->path_class = rh_path_classify(out->target, a.target_len);
            target_features(ctx, out, out->target, a.target_len);
        }
    }
    if (st == RH_OK &&
        (!out->expanded || !out->hosts || (a.target && a.target_len && !out->target))) {
        st = RH_ERR_NOMEM;
    }
    if (out->features & RH_FEAT_VENDOR_USERDIR) {
        out->features &= ~RH_FEAT_USER_WRITABLE;
    }
    rh_buf_free(&a.hosts);
    for (i = 0; i <= RH_INTERP_MAX_UNWRAP; i++) {
        rh_buf_free(&a.scratch[i]);
    }
    rh_buf_free(&exp);
    if (st != RH_OK) {
        rh_interp_free(ctx, out);
    }
    return st;
}

void rh_interp_free(rh_ctx *ctx, rh_interp *r)
{
    if (!r) {
        return;
    }
    rh_free(ctx, r->expanded);
    rh_free(ctx, r->target);
    rh_free(ctx, r->hosts);
    rh_free(ctx, r->entry);
    rh_free(ctx, r->decoded);
    rh_free(ctx, r->url);
    rh_free(ctx, r->lolbin);
    rh_free(ctx, r->masquerade_of);
    memset(r, 0, sizeof(*r));
}

static const char *const feature_names[] = {"lolbin",
                                            "script_host",
                                            "inline_script",
                                            "encoded",
                                            "base64",
                                            "obfuscated",
                                            "download",
                                            "raw_ip",
                                            "url",
                                            "unc",
                                            "user_writable",
                                            "masquerade",
                                            "sysname_misplaced",
                                            "hidden_window",
                                            "policy_bypass",
                                            "chained",
                                            "script_file",
                                            "double_ext",
                                            "odd_ext",
                                            "scrobj",
                                            "env_expanded",
                                            "env_unresolved",
                                            "expand_sz",
                                            "vendor_userdir",
                                            "relative",
                                            "empty",
                                            "long",
                                            "non_ascii",
                                            "control_chars",
                                            "rundll_ordinal",
                                            "wrapped",
                                            "cleanup_only"};

const char *rh_interp_feature_name(uint64_t bit)
{
    unsigned i;
    for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
        if (bit == (1ull << i)) {
            return feature_names[i];
        }
    }
    return NULL;
}

int interp_path_equal(rh_ctx *ctx, const rh_env *env, const char *a, size_t an, const char *b,
                      size_t bn)
{
    rh_buf ea, eb;
    int eq = 0;
    const char *pa, *pb;
    size_t la, lb, i;
    rh_buf_init(&ea, ctx);
    rh_buf_init(&eb, ctx);
    if (rh_env_expand(env, a, an, &ea, NULL) != RH_OK ||
        rh_env_expand(env, b, bn, &eb, NULL) != RH_OK || rh_buf_reserve(&ea, 0) != RH_OK ||
        rh_buf_reserve(&eb, 0) != RH_OK) {
        rh_buf_free(&ea);
        rh_buf_free(&eb);
        return an == bn && rh_ascii_casecmp(a, an, b, bn) == 0;
    }
    pa = ea.data;
    la = ea.len;
    pb = eb.data;
    lb = eb.len;
    unquote(&pa, &la);
    unquote(&pb, &lb);
    if (la == lb) {
        eq = 1;
        for (i = 0; i < la && eq; i++) {
            char x = pa[i] == '/' ? '\\' : lc(pa[i]);
            char y = pb[i] == '/' ? '\\' : lc(pb[i]);
            eq = x == y;
        }
    }
    rh_buf_free(&ea);
    rh_buf_free(&eb);
    return eq;
}
