/*
 * The registry view (include/reghunt/regpath.h): hive kinds and where they are mounted, the
 * roots as logs spell them, splitting and normalizing logged paths. Every fact comes from
 * regview.def.
 */
#include <stdio.h>

#include "common.h"
#include "reghunt/regpath.h"

/* ---- hive kinds ------------------------------------------------------------------------- */

#define RH_KB_HIVE_NONE (-1)

static const struct view {
    const char *name;
    int kb;
    const char *root, *sysmon_root;
} views[RH_HIVE_KIND_COUNT] = {
    [RH_HIVE_KIND_UNKNOWN] = {"UNKNOWN", RH_KB_HIVE_NONE, NULL, NULL},
#define RH_REGVIEW(k, kbh, root, sysmon) [RH_HIVE_KIND_##k] = {#k, RH_KB_HIVE_##kbh, root, sysmon},
#define RH_HIVE_FILE(file, k)
#define RH_REGROOT(alias, canon, sysmon)
#include "regview.def"
#undef RH_REGVIEW
#undef RH_HIVE_FILE
#undef RH_REGROOT
};

/* one row per rh_hive_kind */
enum {
    VIEW_ROWS_ = 0
#define RH_REGVIEW(k, kbh, root, sysmon) +1
#define RH_HIVE_FILE(file, k)
#define RH_REGROOT(alias, canon, sysmon)
#include "regview.def"
#undef RH_REGVIEW
#undef RH_HIVE_FILE
#undef RH_REGROOT
};
_Static_assert(VIEW_ROWS_ + 1 == RH_HIVE_KIND_COUNT, "regview.def: one row per rh_hive_kind");

static const struct {
    const char *file;
    rh_hive_kind kind;
} files[] = {
#define RH_REGVIEW(k, kbh, root, sysmon)
#define RH_HIVE_FILE(file, k) {file, RH_HIVE_KIND_##k},
#define RH_REGROOT(alias, canon, sysmon)
#include "regview.def"
#undef RH_REGVIEW
#undef RH_HIVE_FILE
#undef RH_REGROOT
};

const char *rh_hive_kind_name(rh_hive_kind k)
{
    return (unsigned)k < RH_HIVE_KIND_COUNT ? views[k].name : "UNKNOWN";
}

rh_hive_kind rh_hive_kind_from_file(const char *name, size_t len)
{
    size_t i;
    for (i = 0; name && i < sizeof(files) / sizeof(files[0]); i++) {
        if (rh_ascii_casecmp(name, len, files[i].file, strlen(files[i].file)) == 0) {
            return files[i].kind;
        }
    }
    return RH_HIVE_KIND_UNKNOWN;
}

int rh_hive_kind_kb(rh_hive_kind k, rh_kb_hive *out)
{
    if ((unsigned)k >= RH_HIVE_KIND_COUNT || views[k].kb == RH_KB_HIVE_NONE) {
        return 0;
    }
    *out = (rh_kb_hive)views[k].kb;
    return 1;
}

rh_status rh_hive_kind_root(rh_hive_kind k, const char *owner, int sysmon, rh_buf *out)
{
    const char *r;
    if ((unsigned)k >= RH_HIVE_KIND_COUNT || !views[k].root) {
        return RH_ERR_ARG;
    }
    rh_status st;
    const char *pc;
    r = sysmon ? views[k].sysmon_root : views[k].root;
    pc = strstr(r, "%s"); /* the owner's place, if any */
    if (!pc) {
        return rh_buf_puts(out, r);
    }
    st = rh_buf_append(out, r, (size_t)(pc - r));
    st = st == RH_OK ? rh_buf_puts(out, owner ? owner : "UNKNOWN") : st;
    return st == RH_OK ? rh_buf_puts(out, pc + 2) : st;
}

struct root_alias {
    const char *alias;
    const char *canon;
    const char *sysmon;
};

static const struct root_alias roots[] = {
#define RH_REGVIEW(k, kb, root, sysmon)
#define RH_HIVE_FILE(file, k)
#define RH_REGROOT(alias, canon, sysmon) {alias, canon, sysmon},
#include "regview.def"
#undef RH_REGVIEW
#undef RH_HIVE_FILE
#undef RH_REGROOT
};

/* ---- splitting logged paths ------------------------------------------------------------ */

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool sid_at(const char *p, size_t n)
{
    return n > 4 && (p[0] == 'S' || p[0] == 's') && p[1] == '-' && digit(p[2]);
}

/* The root alias at the start of p (followed by a backslash or the end), else NULL. */
static const struct root_alias *root_at(const char *p, size_t n, size_t *alias_len)
{
    size_t i;
    for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        size_t k = strlen(roots[i].alias);
        if (rh_ascii_prefix(p, n, roots[i].alias) && (n == k || p[k] == '\\')) {
            *alias_len = k;
            return &roots[i];
        }
    }
    return NULL;
}

/* The canonical root of a matched alias; rest starts after the alias. Defender writes
 * HKEY_CURRENT_USER\<SID>\X for the user's HKU\<SID>\X. */
static const char *canon_root(const struct root_alias *ra, const char *rest, size_t n)
{
    if (strcmp(ra->canon, "HKCU") == 0 && n > 1 && sid_at(rest + 1, n - 1)) {
        return "HKU";
    }
    return ra->canon;
}

void rh_regpath_split(const char *path, size_t len, rh_regpath_parts *out)
{
    const struct root_alias *ra;
    size_t k = 0, i;
    memset(out, 0, sizeof(*out));
    out->prefix = "";
    const char *canon;
    ra = path ? root_at(path, len, &k) : NULL;
    if (!ra || k + 1 >= len) {
        return;
    }
    canon = canon_root(ra, path + k, len - k);
    path += k + 1;
    len -= k + 1;
    if (strcmp(canon, "HKLM") == 0) {
        /* HKLM\<hive>\...: the hive kinds mounted under HKLM by name */
        for (i = 1; i < RH_HIVE_KIND_COUNT; i++) {
            const char *r = views[i].root;
            size_t rl;
            if (!r || strncmp(r, "HKLM\\", 5) != 0 || strstr(r, "%s")) {
                continue;
            }
            rl = strlen(r + 5);
            if (len > rl + 1 && rh_ascii_casecmp(path, rl, r + 5, rl) == 0 && path[rl] == '\\') {
                out->kind = (rh_hive_kind)i;
                out->rest = path + rl + 1;
                out->rest_len = len - rl - 1;
                return;
            }
        }
        return;
    }
    if (strcmp(canon, "HKU") == 0) {
        const char *bs = memchr(path, '\\', len);
        size_t sl;
        if (!bs || (size_t)(bs - path) + 1 >= len) {
            return;
        }
        sl = (size_t)(bs - path);
        out->kind = RH_HIVE_KIND_NTUSER;
        if (sl > 8 && rh_ascii_casecmp(path + sl - 8, 8, "_Classes", 8) == 0) {
            out->kind = RH_HIVE_KIND_USRCLASS;
            out->sid_len = sl - 8;
        } else {
            out->sid_len = sl;
            if (rh_ascii_casecmp(path, sl, ".DEFAULT", 8) == 0) {
                out->kind = RH_HIVE_KIND_DEFAULT;
            }
        }
        out->sid = path;
        out->rest = path + sl + 1;
        out->rest_len = len - sl - 1;
        return;
    }
    out->rest = path;
    out->rest_len = len;
    if (strcmp(canon, "HKCU") == 0) {
        out->kind = RH_HIVE_KIND_NTUSER;
        out->current_user = 1;
    } else if (strcmp(canon, "HKCR") == 0) {
        out->kind = RH_HIVE_KIND_SOFTWARE;
        out->prefix = "Classes\\";
    } else {
        out->kind = RH_HIVE_KIND_SYSTEM; /* HKCC */
        out->prefix = "CurrentControlSet\\Hardware Profiles\\Current\\";
    }
}

static int has_prefix(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(s, lit, l) == 0;
}

rh_status rh_regpath_aliases(const char *key, size_t n, rh_buf *a1, rh_buf *a2)
{
    rh_status st = RH_OK;
    rh_buf_reset(a1);
    rh_buf_reset(a2);
    if (has_prefix(key, n, "HKU\\")) {
        const char *sid = key + 4, *rest = memchr(sid, '\\', n - 4);
        size_t rn;
        if (!rest) {
            return RH_OK;
        }
        rn = n - (size_t)(rest - key); /* includes the leading backslash */
        st = rh_buf_lit(a1, "HKCU");
        if (st == RH_OK) {
            st = rh_buf_append(a1, rest, rn);
        }
        if (st == RH_OK && has_prefix(rest, rn, "\\SOFTWARE\\CLASSES\\")) {
            st = rh_buf_lit(a2, "HKCR");
            if (st == RH_OK) {
                st = rh_buf_append(a2, rest + 17, rn - 17);
            }
        }
    } else if (has_prefix(key, n, "HKLM\\SOFTWARE\\CLASSES\\")) {
        st = rh_buf_lit(a1, "HKCR");
        if (st == RH_OK) {
            st = rh_buf_append(a1, key + 21, n - 21);
        }
    }
    return st;
}

/* ---- Sysmon's spelling ------------------------------------------------------------------ */

rh_status rh_regpath_sysmon(const char *path, size_t len, rh_buf *out)
{
    size_t k = 0;
    const struct root_alias *ra = path ? root_at(path, len, &k) : NULL;
    const char *r;
    rh_status st;
    if (!ra) {
        return path ? rh_buf_append(out, path, len) : RH_OK;
    }
    r = strcmp(canon_root(ra, path + k, len - k), "HKU") == 0 ? "HKU" : ra->sysmon;
    path += k;
    len -= k;
    st = rh_buf_puts(out, r);
    /* HKLM\SYSTEM\ControlSetNNN -> HKLM\SYSTEM\CurrentControlSet */
    if (st == RH_OK && strcmp(r, "HKLM") == 0 && len >= 21 &&
        rh_ascii_prefix(path, len, "\\SYSTEM\\ControlSet") && digit(path[18]) && digit(path[19]) &&
        digit(path[20]) && (len == 21 || path[21] == '\\')) {
        st = rh_buf_append(out, path, 8);
        st = st == RH_OK ? rh_buf_lit(out, "CurrentControlSet") : st;
        path += 21;
        len -= 21;
    }
    return st == RH_OK ? rh_buf_append(out, path, len) : st;
}

/* ---- normalization ------------------------------------------------------------------- */

static rh_status append_upper(rh_buf *out, const char *p, size_t n)
{
    size_t i = 0;
    rh_status st = RH_OK;
    while (i < n && st == RH_OK) {
        uint32_t cp;
        size_t l = rh_utf8_decode(p + i, n - i, &cp);
        st = cp < 0x80 ? rh_buf_putc(out, (char)(cp >= 'a' && cp <= 'z' ? cp - 32 : cp))
                       : rh_buf_put_cp(out, rh_cp_upper(cp));
        i += l;
    }
    return st;
}

int rh_regpath_is_default_value(const char *name, size_t len)
{
    return len == 0 ||
           (len == 9 &&
            ((name[0] == '(' && name[8] == ')') || (name[0] == '{' && name[8] == '}')) &&
            rh_ascii_casecmp(name + 1, 7, "default", 7) == 0);
}

/* The last component of a normalized path spells the default value: make it "(DEFAULT)". */
static void canon_default_value(rh_buf *out, size_t start)
{
    size_t b = out->len;
    while (b > start && out->data[b - 1] != '\\') {
        b--;
    }
    if (b > start && out->len - b == 9 && rh_regpath_is_default_value(out->data + b, 9)) {
        out->data[b] = '(';
        out->data[b + 8] = ')';
    }
}

static rh_status normalize(const char *path, size_t len, rh_buf *out)
{
    const char *rest = path;
    size_t n = len, k = 0, start = out->len;
    const char *canon = NULL;
    const struct root_alias *ra;
    rh_status st;
    while (n && (rest[n - 1] == '\\' || rest[n - 1] == ' ')) {
        n--;
    }
    while (n && rest[0] == ' ') {
        rest++;
        n--;
    }
    ra = root_at(rest, n, &k);
    if (ra) {
        canon = canon_root(ra, rest + k, n - k);
        rest += k;
        n -= k;
    }
    if (!canon) {
        return append_upper(out, rest, n);
    }
    st = rh_buf_puts(out, canon);
    if (st != RH_OK) {
        return st;
    }
    if (strcmp(canon, "HKU") == 0 && n > 1) {
        /* HKU\<SID>_Classes\X -> HKU\<SID>\SOFTWARE\CLASSES\X */
        size_t e = 1;
        while (e < n && rest[e] != '\\') {
            e++;
        }
        if (e > 9 && rh_ascii_casecmp(rest + e - 8, 8, "_Classes", 8) == 0) {
            st = append_upper(out, rest, e - 8);
            if (st == RH_OK) {
                st = rh_buf_puts(out, "\\SOFTWARE\\CLASSES");
            }
            rest += e;
            n -= e;
            if (st != RH_OK) {
                return st;
            }
        }
    }
    st = append_upper(out, rest, n);
    if (st != RH_OK) {
        return st;
    }
    /* HKLM\SYSTEM\CONTROLSET00N -> HKLM\SYSTEM\CURRENTCONTROLSET */
    if (out->len - start >= 25 && memcmp(out->data + start, "HKLM\\SYSTEM\\CONTROLSET", 22) == 0) {
        size_t p = start + 22, d = p;
        while (d < out->len && out->data[d] >= '0' && out->data[d] <= '9') {
            d++;
        }
        if (d - p == 3 && (d == out->len || out->data[d] == '\\')) {
            size_t tail = out->len - d;
            char *t = rh_malloc(out->ctx, tail + 1);
            if (!t) {
                return RH_ERR_NOMEM;
            }
            memcpy(t, out->data + d, tail);
            rh_buf_truncate(out, start + 12);
            st = rh_buf_puts(out, "CURRENTCONTROLSET");
            if (st == RH_OK) {
                st = rh_buf_append(out, t, tail);
            }
            rh_free(out->ctx, t);
            return st;
        }
    }
    return RH_OK;
}

rh_status rh_regpath_normalize(const char *path, size_t len, rh_buf *out)
{
    size_t start = out->len;
    rh_status st = normalize(path, len, out);
    if (st == RH_OK) {
        canon_default_value(out, start);
    }
    return st;
}
