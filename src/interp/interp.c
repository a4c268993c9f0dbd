/*
 * Command-line interpretation: the driver (rh_interp_analyze) that expands, scans and unwraps a
 * value and classifies its target, plus the string helpers, base64 decoding, list splitting and
 * raw-text features it shares with interp_host.c (unwrapping) and interp_path.c (paths).
 */
#include "common/common.h"
#include "interp_internal.h"
#include "reghunt/interp.h"

/* ---- small string helpers -------------------------------------------------------------- */

char interp_lc(char c)
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
        for (j = 0; j < m && interp_lc(hay[i + j]) == interp_lc(needle[j]); j++) {
        }
        if (j == m) {
            return i;
        }
    }
    return (size_t)-1;
}

int interp_ci_has(const char *hay, size_t n, const char *needle)
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

int interp_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void interp_trim(const char **s, size_t *n)
{
    while (*n && (interp_is_blank(**s) || **s == '\0')) {
        (*s)++;
        (*n)--;
    }
    while (*n && (interp_is_blank((*s)[*n - 1]) || (*s)[*n - 1] == '\0')) {
        (*n)--;
    }
}

void interp_unquote(const char **s, size_t *n)
{
    interp_trim(s, n);
    /* strip one pair only when it encloses everything: "a b.exe" -d "c" keeps its quotes */
    while (*n >= 2 &&
           (((*s)[0] == '"' && (*s)[*n - 1] == '"') || ((*s)[0] == '\'' && (*s)[*n - 1] == '\'')) &&
           (!memchr(*s + 1, (*s)[0], *n - 2) ||
            (*n >= 4 && (*s)[1] == (*s)[0] && (*s)[*n - 2] == (*s)[0]))) {
        (*s)++;
        *n -= 2;
        interp_trim(s, n);
    }
    if (*n >= 1 && (*s)[0] == '"' && !memchr(*s + 1, '"', *n - 1)) { /* unbalanced quote */
        (*s)++;
        (*n)--;
    }
}

void interp_basename(const char *p, size_t n, const char **base, size_t *blen)
{
    size_t i = n;
    interp_unquote(&p, &n);
    i = n;
    while (i > 0 && p[i - 1] != '\\' && p[i - 1] != '/') {
        i--;
    }
    *base = p + i;
    *blen = n - i;
}

/* Strip ".exe" for name comparisons. */
size_t interp_stem_len(const char *b, size_t n)
{
    return rh_ascii_suffix(b, n, ".exe") ? n - 4 : n;
}

/* ---- base64 ---------------------------------------------------------------------------- */

/* PowerShell -EncodedCommand text: either alphabet, blanks and quotes ignored, padding optional;
 * fewer than four base64 characters (under three bytes) is not base64. */
rh_status rh_base64_decode(const char *s, size_t n, int utf16, rh_buf *out)
{
    rh_buf raw;
    rh_status st;
    rh_buf_init(&raw, out->ctx);
    st = rh_base64_decode_bytes(&raw, s, n,
                                RH_B64_URLSAFE | RH_B64_SKIP_BLANKS | RH_B64_SKIP_QUOTES);
    if (st == RH_OK && raw.len < 3) {
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
            interp_unquote(&it, &len);
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

void interp_scan_text(const char *s, size_t n, rh_interp *out, rh_ctx *ctx, int cmd_context)
{
    size_t i, run = 0, carets = 0, ticks = 0;
    int upper = 0, lower = 0, digit = 0;
    for (i = 0; i < sizeof(download_tokens) / sizeof(download_tokens[0]); i++) {
        if (interp_ci_has(s, n, download_tokens[i])) {
            out->features |= RH_FEAT_DOWNLOAD;
        }
    }
    for (i = 0; i < n; i++) {
        size_t rem = n - i;
        if ((rh_ascii_prefix(s + i, rem, "http://") || rh_ascii_prefix(s + i, rem, "https://") ||
             rh_ascii_prefix(s + i, rem, "ftp://"))) {
            size_t e = i, h;
            out->features |= RH_FEAT_URL;
            while (e < n && !interp_is_blank(s[e]) && s[e] != '"' && s[e] != '\'' && s[e] != ')') {
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
            while (e < n && !interp_is_blank(s[e]) && s[e] != '"') {
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
        if (rh_base64_value(s[i], 0) >= 0) { /* standard alphabet */
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
    if (ticks >= 2 || interp_ci_has(s, n, "'+'") || interp_ci_has(s, n, "\"+\"") ||
        interp_ci_has(s, n, "[char]") || interp_ci_has(s, n, "-join") ||
        interp_ci_has(s, n, ":~") || interp_ci_has(s, n, "-bxor") ||
        interp_ci_has(s, n, "[string]::join") || interp_ci_has(s, n, "-replace") ||
        interp_ci_has(s, n, "\xE2\x80\x93")) { /* en dash used as a PowerShell switch prefix */
        out->features |= RH_FEAT_OBFUSCATED;
    }
    if (interp_ci_has(s, n, "frombase64string")) {
        out->features |= RH_FEAT_BASE64;
    }
    if (ci_has_word(s, n, "iex") || interp_ci_has(s, n, "invoke-expression")) {
        out->features |= RH_FEAT_INLINE_SCRIPT;
    }
    if (interp_ci_has(s, n, "-w hidden") || interp_ci_has(s, n, "-windowstyle hidden") ||
        interp_ci_has(s, n, "-win hidden") || interp_ci_has(s, n, "-w 1 ") ||
        interp_ci_has(s, n, "-window hidden") || interp_ci_has(s, n, "-w h ") ||
        interp_ci_has(s, n, "vbhide") || interp_ci_has(s, n, "--headless")) {
        out->features |= RH_FEAT_HIDDEN_WINDOW;
    }
    if (interp_ci_has(s, n, "bypass") || interp_ci_has(s, n, "-nop ") ||
        interp_ci_has(s, n, "-noprofile") || interp_ci_has(s, n, "unrestricted")) {
        out->features |= RH_FEAT_POLICY_BYPASS;
    }
    if (interp_ci_has(s, n, "vbscript:") || interp_ci_has(s, n, "javascript:") ||
        interp_ci_has(s, n, "runhtmlapplication")) {
        out->features |= RH_FEAT_INLINE_SCRIPT;
    }
}

/* ---- entry point --------------------------------------------------------------------------- */

rh_status rh_interp_analyze(rh_ctx *ctx, const rh_env *env, rh_interp_mode mode, uint32_t type,
                            const char *s, size_t n, rh_interp *out)
{
    struct interp_an a;
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
        interp_trim(&t, &tn);
        if (tn == 0) {
            out->features |= RH_FEAT_EMPTY;
        }
    }
    interp_scan_text(exp.data, exp.len, out, ctx, 1);
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
        interp_unquote(&t, &tn);
        if (tn && t[0] != '"' && memchr(t, '"', tn)) { /* "path" args */
            tn = (size_t)((const char *)memchr(t, '"', tn) - t);
        }
        interp_set_target(&a, t, tn);
        if (rh_ascii_prefix(t, tn, "script:")) {
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
        interp_analyze_cmd(&a, exp.data, exp.len, 0);
    }
    st = a.st;
    out->expanded = rh_strndup(ctx, exp.data, exp.len);
    out->hosts = rh_strndup(ctx, a.hosts.data ? a.hosts.data : "", a.hosts.len);
    if (st == RH_OK && a.target && a.target_len) {
        out->target = rh_strndup(ctx, a.target, a.target_len);
        if (out->target) {
            out->path_class = rh_path_classify(out->target, a.target_len);
            interp_target_features(ctx, out, out->target, a.target_len);
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
    interp_unquote(&pa, &la);
    interp_unquote(&pb, &lb);
    if (la == lb) {
        eq = 1;
        for (i = 0; i < la && eq; i++) {
            char x = pa[i] == '/' ? '\\' : interp_lc(pa[i]);
            char y = pb[i] == '/' ? '\\' : interp_lc(pb[i]);
            eq = x == y;
        }
    }
    rh_buf_free(&ea);
    rh_buf_free(&eb);
    return eq;
}
