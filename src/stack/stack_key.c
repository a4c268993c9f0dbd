/*
 * The stack key: the persistence identity of a finding across hosts (docs/fleet.md).
 *
 * Two passes over the text. Pass 1 folds ASCII case, expands the environment variables that
 * name per-machine or per-user folders into the same tokens their expanded forms get, and
 * turns drive letters into <drive>. Pass 2 replaces, at token boundaries, the per-user profile
 * folder (\Users\NAME, \Documents and Settings\NAME) by <user>, domain SIDs by <sid>, GUIDs by
 * <guid>, hex runs of 16+ digits by <hex>, and version-number path components by <ver>.
 * Everything else is kept byte for byte (non-ASCII included), so different programs never
 * merge.
 */
#include "common/common.h"
#include "reghunt/stack.h"

/* Variables whose value is a machine or per-user folder, as the tokens their expanded forms
 * normalise to. Others (%USERNAME%, unknown ones) are kept, case-folded. */
static const char *const env_tokens[][2] = {
    {"appdata", "<user>\\appdata\\roaming"},
    {"localappdata", "<user>\\appdata\\local"},
    {"userprofile", "<user>"},
    {"homepath", "<user>"},
    {"homedrive", "<drive>"},
    {"temp", "<user>\\appdata\\local\\temp"},
    {"tmp", "<user>\\appdata\\local\\temp"},
    {"onedrive", "<user>\\onedrive"},
    {"systemdrive", "<drive>"},
    {"systemroot", "<drive>\\windows"},
    {"windir", "<drive>\\windows"},
    {"programfiles", "<drive>\\program files"},
    {"programw6432", "<drive>\\program files"},
    {"programfiles(x86)", "<drive>\\program files (x86)"},
    {"commonprogramfiles", "<drive>\\program files\\common files"},
    {"commonprogramw6432", "<drive>\\program files\\common files"},
    {"commonprogramfiles(x86)", "<drive>\\program files (x86)\\common files"},
    {"programdata", "<drive>\\programdata"},
    {"allusersprofile", "<drive>\\programdata"},
    {"public", "<drive>\\users\\public"},
    {"comspec", "<drive>\\windows\\system32\\cmd.exe"},
};

/* Profile folders that are not a user's: kept as they are. */
static const char *const shared_profiles[] = {"public", "default", "default user", "all users"};

#define ENV_MAX_NAME 40
#define HEX_RUN_MIN  16

static int is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static char fold(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int ends_with(const rh_buf *b, const char *lit)
{
    size_t n = strlen(lit);
    return b->len >= n && memcmp(b->data + b->len - n, lit, n) == 0;
}

/* Append a token; "<user>" swallows a "<drive>" before it (%HOMEDRIVE%%HOMEPATH%). */
static void put_token(rh_buf *out, const char *tok)
{
    if (strncmp(tok, "<user>", 6) == 0 && ends_with(out, "<drive>")) {
        rh_buf_truncate(out, out->len - 7);
    }
    rh_buf_puts(out, tok);
}

/* %NAME% at s[i]: the token it normalises to, and its length in *len; NULL otherwise. */
static const char *env_at(const char *s, size_t n, size_t i, size_t *len)
{
    size_t j, k;
    for (j = i + 1; j < n && j - i <= ENV_MAX_NAME && s[j] != '%'; j++) {
    }
    if (j >= n || s[j] != '%' || j == i + 1) {
        return NULL;
    }
    for (k = 0; k < sizeof(env_tokens) / sizeof(env_tokens[0]); k++) {
        if (rh_ascii_casecmp(s + i + 1, j - i - 1, env_tokens[k][0], strlen(env_tokens[k][0])) ==
            0) {
            *len = j - i + 1;
            return env_tokens[k][1];
        }
    }
    return NULL;
}

/* Pass 1: case fold, variables, drive letters, NT prefixes. */
static void pass_fold(rh_buf *out, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        int boundary = out->len == 0 || !is_alnum((unsigned char)out->data[out->len - 1]);
        size_t len = 0;
        const char *tok = c == '%' ? env_at(s, n, i, &len) : NULL;
        if (tok) {
            put_token(out, tok);
            i += len;
        } else if (boundary && i + 2 < n && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
                   s[i + 1] == ':' && (s[i + 2] == '\\' || s[i + 2] == '/')) {
            rh_buf_lit(out, "<drive>");
            i += 2;
        } else if (boundary && i + 4 <= n && memcmp(s + i, "\\??\\", 4) == 0) {
            i += 4; /* \??\C:\... is C:\... */
        } else if (boundary && i + 12 <= n &&
                   rh_ascii_casecmp(s + i, 12, "\\systemroot\\", 12) == 0) {
            rh_buf_lit(out, "<drive>\\windows\\");
            i += 12;
        } else {
            rh_buf_putc(out, fold((char)c));
            i++;
        }
    }
}

/* Length of a domain SID (s-1-5-21-...) at s[i], 0 if none. */
static size_t sid_at(const char *s, size_t n, size_t i)
{
    size_t j = i + 9;
    if (i + 9 > n || memcmp(s + i, "s-1-5-21-", 9) != 0) {
        return 0;
    }
    while (j < n && (is_digit((unsigned char)s[j]) || s[j] == '-')) {
        j++;
    }
    while (j > i + 9 && s[j - 1] == '-') {
        j--;
    }
    return (j > i + 9 && (j >= n || !is_alnum((unsigned char)s[j]))) ? j - i : 0;
}

/* Length of a GUID at s[i] ({8-4-4-4-12} or bare), 0 if none. */
static size_t guid_at(const char *s, size_t n, size_t i)
{
    static const size_t groups[] = {8, 4, 4, 4, 12};
    size_t j = i, g, k;
    int brace = j < n && s[j] == '{';
    j += (size_t)brace;
    for (g = 0; g < 5; g++) {
        for (k = 0; k < groups[g]; k++, j++) {
            if (j >= n || !is_hex((unsigned char)s[j])) {
                return 0;
            }
        }
        if (g < 4) {
            if (j >= n || s[j] != '-') {
                return 0;
            }
            j++;
        }
    }
    if (brace) {
        if (j >= n || s[j] != '}') {
            return 0;
        }
        j++;
    }
    return (j >= n || !is_alnum((unsigned char)s[j])) ? j - i : 0;
}

/* Length of a run of HEX_RUN_MIN+ hex digits at s[i], 0 if none. */
static size_t hex_at(const char *s, size_t n, size_t i)
{
    size_t j = i;
    while (j < n && is_hex((unsigned char)s[j])) {
        j++;
    }
    return (j - i >= HEX_RUN_MIN && (j >= n || !is_alnum((unsigned char)s[j]))) ? j - i : 0;
}

/* A version path component s[i..e): "current", or an optional prefix (letters then - or _,
 * or "v") followed by digits and at least one .digits group. */
static int is_version(const char *s, size_t i, size_t e)
{
    size_t j = i, dots = 0;
    if (e - i == 7 && memcmp(s + i, "current", 7) == 0) {
        return 1;
    }
    while (j < e && s[j] >= 'a' && s[j] <= 'z') {
        j++;
    }
    if (j > i) {
        if (j < e && (s[j] == '-' || s[j] == '_')) {
            j++;
        } else if (!(j == i + 1 && s[i] == 'v')) {
            return 0;
        }
    }
    if (j >= e || !is_digit((unsigned char)s[j])) {
        return 0;
    }
    for (; j < e; j++) {
        if (s[j] == '.' && j + 1 < e && is_digit((unsigned char)s[j + 1])) {
            dots++;
        } else if (!is_digit((unsigned char)s[j])) {
            return 0;
        }
    }
    return dots > 0;
}

/* "\users\NAME" or "\documents and settings\NAME" at s[i]: the length to consume (through
 * NAME) when NAME is a user's own profile, else 0. */
static size_t profile_at(const char *s, size_t n, size_t i)
{
    static const char *const roots[] = {"\\users\\", "\\documents and settings\\"};
    size_t r, j, e, k;
    for (r = 0; r < 2; r++) {
        size_t rl = strlen(roots[r]);
        if (i + rl > n || memcmp(s + i, roots[r], rl) != 0) {
            continue;
        }
        j = i + rl;
        for (e = j; e < n && s[e] != '\\' && s[e] != '"' && s[e] != '/'; e++) {
        }
        if (e == n || s[e] != '\\') {
            /* the profile folder itself (no component after it): its name also ends at a
             * space or a quote; inside a path it may hold both (C:\Users\carol.o'neil\) */
            for (k = j; k < e && s[k] != ' ' && s[k] != '\''; k++) {
            }
            e = k;
        }
        if (e == j || s[j] == '<') {
            return 0;
        }
        for (k = 0; k < sizeof(shared_profiles) / sizeof(shared_profiles[0]); k++) {
            if (e - j == strlen(shared_profiles[k]) &&
                memcmp(s + j, shared_profiles[k], e - j) == 0) {
                return 0;
            }
        }
        return e - i;
    }
    return 0;
}

/* Pass 2: per-user parts, SIDs, GUIDs, hex runs, versions. s is pass 1's output. */
static void pass_tokens(rh_buf *out, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        int boundary = i == 0 || !is_alnum((unsigned char)s[i - 1]);
        size_t len = 0;
        if (s[i] == '\\' && (len = profile_at(s, n, i)) > 0) {
            if (ends_with(out, "<drive>")) {
                rh_buf_truncate(out, out->len - 7);
            }
            put_token(out, "<user>");
        } else if (boundary && (len = sid_at(s, n, i)) > 0) {
            rh_buf_lit(out, "<sid>");
        } else if (boundary && (len = guid_at(s, n, i)) > 0) {
            rh_buf_lit(out, "<guid>");
        } else if (boundary && (len = hex_at(s, n, i)) > 0) {
            rh_buf_lit(out, "<hex>");
        } else if (i > 0 && s[i - 1] == '\\') {
            const char *bs = memchr(s + i, '\\', n - i);
            size_t e = bs ? (size_t)(bs - s) : n;
            if (bs && is_version(s, i, e)) {
                rh_buf_lit(out, "<ver>");
                len = e - i;
            }
        }
        if (len == 0) {
            rh_buf_putc(out, s[i]);
            len = 1;
        }
        i += len;
    }
}

rh_status rh_stack_normalize(rh_buf *out, const char *s, size_t n)
{
    rh_buf tmp = RH_BUF_INIT(out->ctx);
    rh_status st;
    pass_fold(&tmp, s ? s : "", s ? n : 0);
    st = rh_buf_status(&tmp);
    if (st == RH_OK) {
        pass_tokens(out, tmp.data ? tmp.data : "", tmp.len);
    }
    rh_buf_free(&tmp);
    return rh_buf_fail(out, st);
}

/* Append s[0..n) with every '|' as "<pipe>". */
static void put_field(rh_buf *out, const char *s, size_t n)
{
    size_t i, from = 0;
    for (i = 0; i < n; i++) {
        if (s[i] == '|') {
            rh_buf_append(out, s + from, i - from);
            rh_buf_lit(out, "<pipe>");
            from = i + 1;
        }
    }
    rh_buf_append(out, s + from, n - from);
}

rh_status rh_stack_key(rh_buf *out, const char *location_id, size_t location_id_len,
                       const char *value_name, size_t value_name_len, const char *data,
                       size_t data_len)
{
    rh_buf name = RH_BUF_INIT(out->ctx);
    put_field(out, location_id ? location_id : "", location_id ? location_id_len : 0);
    rh_buf_putc(out, '|');
    rh_stack_normalize(&name, value_name, value_name_len);
    rh_buf_fail(out, rh_buf_status(&name));
    put_field(out, name.data ? name.data : "", name.len);
    rh_buf_free(&name);
    rh_buf_putc(out, '|');
    return rh_stack_normalize(out, data, data_len);
}
