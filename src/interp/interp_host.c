/*
 * Command-host unwrapping: the table of hosts that run other code (cmd, PowerShell, rundll32,
 * regsvr32, mshta, script hosts, msiexec ...), the command-line tokenizer, and the walk that
 * follows each host to the program or script it finally starts.
 */
#include "common/common.h"
#include "interp_internal.h"
#include "reghunt/interp.h"

/* ---- tables ------------------------------------------------------------------------------ */

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
    size_t i, sl = interp_stem_len(base, n);
    for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        if (rh_ascii_eq(base, sl, hosts[i].name)) {
            return &hosts[i];
        }
    }
    return NULL;
}

/* ---- tokenizer ------------------------------------------------------------------------- */

/* Next argument: quoted "..." (quotes removed) or up to whitespace. */
static int next_tok(const char *s, size_t n, size_t *pos, const char **tok, size_t *len)
{
    size_t i = *pos;
    while (i < n && interp_is_blank(s[i])) {
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
    while (i < n && !interp_is_blank(s[i])) {
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
                    (i + el == n || interp_is_blank(s[i + el]) || s[i + el] == ',')) {
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

void interp_set_target(struct interp_an *a, const char *t, size_t n)
{
    interp_unquote(&t, &n);
    while (n && (t[n - 1] == ',' || t[n - 1] == ';')) {
        n--;
    }
    a->target = t;
    a->target_len = n;
}

static void add_host(struct interp_an *a, const char *name)
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

/* True when s is a non-empty abbreviation of `full` (PowerShell switch matching). */
static int is_abbrev(const char *s, size_t n, const char *full)
{
    size_t fl = strlen(full);
    return n >= 1 && n <= fl && rh_ascii_casecmp(s, n, full, n) == 0;
}

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
        while (i < n && (s[i] == '&' || s[i] == '|' || interp_is_blank(s[i]))) {
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
            ok |= rh_ascii_eq(tok, len, builtins[k]);
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
        if (interp_is_url(v, vl) || (vl > 2 && v[1] == ':' && v[2] == '\\') ||
            (vl > 2 && v[0] == '\\' && v[1] == '\\')) {
            *t = v;
            *tl = vl;
            return 1;
        }
    }
    return 0;
}

static void analyze_powershell(struct interp_an *a, const char *s, size_t n, size_t pos,
                               unsigned depth)
{
    const char *tok;
    size_t len, guard = 0;
    while (next_tok(s, n, &pos, &tok, &len) && guard++ < 256) {
        const char *sw = tok;
        size_t sl = len;
        if (sl >= 2 && (sw[0] == '-' || sw[0] == '/')) {
            sw++;
            sl--;
            if (is_abbrev(sw, sl, "encodedcommand") || rh_ascii_eq(sw, sl, "ec") ||
                rh_ascii_eq(sw, sl, "encodedarguments") || rh_ascii_eq(sw, sl, "ea")) {
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
                    interp_scan_text(dec->data, dec->len, a->out, a->ctx, 0);
                    a->out->features |= RH_FEAT_INLINE_SCRIPT;
                    {
                        const char *t;
                        size_t tl;
                        if (find_path_arg(dec->data, dec->len, 0, &t, &tl)) {
                            interp_set_target(a, t, tl);
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
                    interp_set_target(a, t, tl);
                }
                return;
            }
            if (is_abbrev(sw, sl, "file")) {
                const char *f;
                size_t fl;
                if (next_tok(s, n, &pos, &f, &fl)) {
                    interp_set_target(a, f, fl);
                }
                return;
            }
            if (is_abbrev(sw, sl, "windowstyle") || is_abbrev(sw, sl, "executionpolicy") ||
                rh_ascii_eq(sw, sl, "ep") || is_abbrev(sw, sl, "configurationname")) {
                next_tok(s, n, &pos, &tok, &len); /* skip the switch argument */
            }
            continue;
        }
        /* first non-switch argument: a script file or inline code */
        if (rh_ascii_suffix(tok, len, ".ps1")) {
            interp_set_target(a, tok, len);
        } else {
            const char *t;
            size_t tl;
            a->out->features |= RH_FEAT_INLINE_SCRIPT;
            if (find_path_arg(s, n, (size_t)(tok - s), &t, &tl)) {
                interp_set_target(a, t, tl);
            }
        }
        return;
    }
}

/* rundll32 DLL,Entry: the DLL is the target; proxy entry points run the rest of the line. */
static void analyze_rundll32(struct interp_an *a, const char *s, size_t n, size_t pos,
                             unsigned depth)
{
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
    if (rh_ascii_prefix(dll, dl, "javascript:") || rh_ascii_prefix(dll, dl, "vbscript:")) {
        a->out->features |= RH_FEAT_INLINE_SCRIPT;
        return;
    }
    interp_set_target(a, dll, dl);
    if (entry && el) {
        if (!a->out->entry) {
            a->out->entry = rh_strndup(a->ctx, entry, el);
        }
        if (entry[0] == '#') {
            a->out->features |= RH_FEAT_RUNDLL_ORDINAL;
        }
        /* proxy entry points that start another program */
        if (interp_ci_has(entry, el, "shellexec_rundll") ||
            interp_ci_has(entry, el, "fileprotocolhandler") ||
            interp_ci_has(entry, el, "routethecall") ||
            interp_ci_has(entry, el, "launchapplication") || interp_ci_has(entry, el, "openurl") ||
            interp_ci_has(entry, el, "launchinfsection") ||
            interp_ci_has(entry, el, "registerocx")) {
            const char *in = s + pos;
            size_t il = n - pos;
            interp_unquote(&in, &il);
            if (il) {
                interp_analyze_cmd(a, in, il, depth + 1);
            }
            return;
        }
    }
    {
        const char *b;
        size_t bl;
        interp_basename(dll, dl, &b, &bl);
        if (memchr(b, '.', bl) && !rh_ascii_suffix(b, bl, ".dll") &&
            !rh_ascii_suffix(b, bl, ".cpl") && !rh_ascii_suffix(b, bl, ".ocx") &&
            !rh_ascii_suffix(b, bl, ".drv") && !rh_ascii_suffix(b, bl, ".ax")) {
            a->out->features |= RH_FEAT_ODD_EXT;
        }
    }
}

/* regsvr32 [/s] [/i:arg] DLL: the DLL, or a URL or path given to /i (scriptlets), is the target. */
static void analyze_regsvr32(struct interp_an *a, const char *s, size_t n, size_t pos)
{
    const char *tok;
    size_t len, guard = 0;
    const char *dll = NULL, *iarg = NULL;
    size_t dl = 0, il = 0;
    while (next_tok(s, n, &pos, &tok, &len) && guard++ < 64) {
        if (len >= 3 && (tok[0] == '/' || tok[0] == '-') && interp_lc(tok[1]) == 'i' &&
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
        if (rh_ascii_eq(b, bl, "scrobj.dll") && iarg) {
            a->out->features |= RH_FEAT_SCROBJ | RH_FEAT_INLINE_SCRIPT;
        }
        interp_set_target(a, dll, dl);
    }
    if (iarg && il && (interp_is_url(iarg, il) || memchr(iarg, '\\', il))) {
        interp_set_target(a, iarg, il);
    }
}

static void analyze_host(struct interp_an *a, const struct host_def *h, const char *prog,
                         size_t plen, const char *s, size_t n, size_t pos, unsigned depth)
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
    interp_set_target(a, prog, plen);
    a->out->unwrap_depth = depth + 1;
    switch (h->kind) {
    case H_CMD:
        while (next_tok(s, n, &pos, &tok, &len) && guard++ < 64) {
            if (rh_ascii_eq(tok, len, "/c") || rh_ascii_eq(tok, len, "/k") ||
                rh_ascii_eq(tok, len, "/r")) {
                const char *in = s + pos;
                size_t il = n - pos;
                interp_unquote(&in, &il);
                if (cmd_builtins_only(in, il)) {
                    a->out->features |= RH_FEAT_CLEANUP_ONLY;
                    return;
                }
                interp_analyze_cmd(a, in, il, depth + 1);
                return;
            }
            if (len >= 2 && (rh_ascii_prefix(tok, len, "/c") || rh_ascii_prefix(tok, len, "/k"))) {
                interp_analyze_cmd(a, tok + 2, n - (size_t)(tok + 2 - s), depth + 1);
                return;
            }
        }
        return;
    case H_POWERSHELL:
        analyze_powershell(a, s, n, pos, depth);
        return;
    case H_RUNDLL32:
        analyze_rundll32(a, s, n, pos, depth);
        return;
    case H_REGSVR32:
        analyze_regsvr32(a, s, n, pos);
        return;
    case H_MSHTA:
        if (next_tok(s, n, &pos, &tok, &len)) {
            if (rh_ascii_prefix(tok, len, "vbscript:") ||
                rh_ascii_prefix(tok, len, "javascript:") || rh_ascii_prefix(tok, len, "about:")) {
                const char *t;
                size_t tl;
                a->out->features |= RH_FEAT_INLINE_SCRIPT;
                if (a->out->features & RH_FEAT_URL && a->out->url) {
                    interp_set_target(a, a->out->url, strlen(a->out->url));
                } else if (find_path_arg(s, n, pos, &t, &tl)) {
                    interp_set_target(a, t, tl);
                }
            } else {
                interp_set_target(a, tok, len);
            }
        }
        return;
    case H_WSCRIPT:
        while (next_tok(s, n, &pos, &tok, &len) && guard++ < 64) {
            if (len && tok[0] == '/') {
                if (rh_ascii_prefix(tok, len, "//e:") && !interp_ci_has(tok, len, "vbs") &&
                    !interp_ci_has(tok, len, "js")) {
                    a->out->features |= RH_FEAT_OBFUSCATED;
                }
                continue;
            }
            interp_set_target(a, tok, len);
            return;
        }
        return;
    case H_MSIEXEC:
        while (next_tok(s, n, &pos, &tok, &len) && guard++ < 64) {
            if (rh_ascii_eq(tok, len, "/i") || rh_ascii_eq(tok, len, "/package") ||
                rh_ascii_eq(tok, len, "/y") || rh_ascii_eq(tok, len, "/z") ||
                rh_ascii_eq(tok, len, "-i") || rh_ascii_eq(tok, len, "/j")) {
                if (next_tok(s, n, &pos, &tok, &len)) {
                    interp_set_target(a, tok, len);
                }
                return;
            }
            if (rh_ascii_prefix(tok, len, "/i") && len > 2) {
                interp_set_target(a, tok + 2, len - 2);
                return;
            }
        }
        return;
    case H_CONHOST:
        while (next_tok(s, n, &pos, &tok, &len) && guard++ < 64) {
            if (rh_ascii_prefix(tok, len, "--") || rh_ascii_prefix(tok, len, "0x")) {
                if (rh_ascii_eq(tok, len, "--width") || rh_ascii_eq(tok, len, "--height") ||
                    rh_ascii_eq(tok, len, "--signal") || rh_ascii_eq(tok, len, "--server")) {
                    next_tok(s, n, &pos, &tok, &len);
                }
                continue;
            }
            interp_analyze_cmd(a, tok, n - (size_t)(tok - s), depth + 1);
            return;
        }
        return;
    case H_FORFILES:
        while (next_tok(s, n, &pos, &tok, &len) && guard++ < 64) {
            if (rh_ascii_eq(tok, len, "/c") || rh_ascii_eq(tok, len, "-c")) {
                if (next_tok(s, n, &pos, &tok, &len)) {
                    interp_analyze_cmd(a, tok, len, depth + 1);
                }
                return;
            }
        }
        return;
    case H_EXPLORER: {
        const char *in = s + pos;
        size_t il = n - pos;
        interp_trim(&in, &il);
        if (il && in[0] != '/' && in[0] != ',') {
            interp_analyze_cmd(a, in, il, depth + 1);
        } else {
            a->out->features &= ~RH_FEAT_LOLBIN; /* plain "explorer.exe" is the shell */
        }
        return;
    }
    default: {
        const char *t;
        size_t tl;
        if (find_path_arg(s, n, pos, &t, &tl)) {
            interp_set_target(a, t, tl);
        }
        return;
    }
    }
}

void interp_analyze_cmd(struct interp_an *a, const char *s, size_t n, unsigned depth)
{
    const char *prog, *base;
    size_t plen, rest, blen;
    const struct host_def *h;
    interp_unquote(&s, &n);
    if (n == 0 || a->st != RH_OK) {
        return;
    }
    /* "start [/b] [/min] ["title"] cmd" inside cmd /c */
    if (rh_ascii_prefix(s, n, "start ")) {
        size_t pos = 6;
        const char *tok;
        size_t len, guard = 0;
        while (next_tok(s, n, &pos, &tok, &len) && guard++ < 16) {
            if ((len && tok[0] == '/') || (tok > s && tok[-1] == '"' && len == 0)) {
                if (rh_ascii_eq(tok, len, "/min")) {
                    a->out->features |= RH_FEAT_HIDDEN_WINDOW;
                }
                continue;
            }
            interp_analyze_cmd(a, tok > s && tok[-1] == '"' ? tok - 1 : tok,
                               n - (size_t)(tok - s) + (tok > s && tok[-1] == '"'), depth);
            return;
        }
        return;
    }
    if (rh_ascii_prefix(s, n, "vbscript:") || rh_ascii_prefix(s, n, "javascript:")) {
        a->out->features |= RH_FEAT_INLINE_SCRIPT;
        return;
    }
    if (interp_is_url(s, n)) {
        interp_set_target(a, s, n);
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
    interp_set_target(a, prog, plen);
}
