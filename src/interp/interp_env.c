/*
 * Environment expansion and decoded registry data (rh_regdata).
 */
#include "common/common.h"
#include "interp_internal.h"
#include "reghunt/interp.h"

/* Defaults of a clean Windows 10/11 x64 install; per-user ones use a placeholder profile. */
static const char *const env_defaults[][2] = {
    {"SystemRoot", "C:\\Windows"},
    {"windir", "C:\\Windows"},
    {"SystemDrive", "C:"},
    {"ProgramFiles", "C:\\Program Files"},
    {"ProgramFiles(x86)", "C:\\Program Files (x86)"},
    {"ProgramW6432", "C:\\Program Files"},
    {"CommonProgramFiles", "C:\\Program Files\\Common Files"},
    {"CommonProgramFiles(x86)", "C:\\Program Files (x86)\\Common Files"},
    {"CommonProgramW6432", "C:\\Program Files\\Common Files"},
    {"ProgramData", "C:\\ProgramData"},
    {"ALLUSERSPROFILE", "C:\\ProgramData"},
    {"PUBLIC", "C:\\Users\\Public"},
    {"ComSpec", "C:\\Windows\\system32\\cmd.exe"},
    {"DriverData", "C:\\Windows\\System32\\Drivers\\DriverData"},
    {"USERPROFILE", "C:\\Users\\user"},
    {"USERNAME", "user"},
    {"HOMEDRIVE", "C:"},
    {"HOMEPATH", "\\Users\\user"},
    {"APPDATA", "%USERPROFILE%\\AppData\\Roaming"},
    {"LOCALAPPDATA", "%USERPROFILE%\\AppData\\Local"},
    {"TEMP", "%USERPROFILE%\\AppData\\Local\\Temp"},
    {"TMP", "%USERPROFILE%\\AppData\\Local\\Temp"},
    {"OneDrive", "%USERPROFILE%\\OneDrive"},
};

#define ENV_NDEFAULTS (sizeof(env_defaults) / sizeof(env_defaults[0]))
#define ENV_MAX_VARS  1024
#define ENV_MAX_NAME  128

struct env_var {
    char *name;
    char *value;
};

struct rh_env {
    rh_ctx *ctx;
    struct env_var *vars;
    size_t n, cap;
};

rh_status rh_env_create(rh_ctx *ctx, rh_env **out)
{
    rh_env *e = rh_calloc(ctx, 1, sizeof(*e));
    *out = NULL;
    if (!e) {
        return RH_ERR_NOMEM;
    }
    e->ctx = ctx;
    *out = e;
    return RH_OK;
}

void rh_env_destroy(rh_env *env)
{
    size_t i;
    if (!env) {
        return;
    }
    for (i = 0; i < env->n; i++) {
        rh_free(env->ctx, env->vars[i].name);
        rh_free(env->ctx, env->vars[i].value);
    }
    rh_free(env->ctx, env->vars);
    rh_free(env->ctx, env);
}

rh_status rh_env_set(rh_env *env, const char *name, const char *value)
{
    size_t i, nl;
    char *v;
    if (!env || !name || !value) {
        return RH_ERR_ARG;
    }
    nl = strlen(name);
    if (nl == 0 || nl > ENV_MAX_NAME || memchr(name, '%', nl)) {
        return RH_ERR_ARG;
    }
    v = rh_strdup(env->ctx, value);
    if (!v) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < env->n; i++) {
        if (rh_ascii_casecmp(env->vars[i].name, strlen(env->vars[i].name), name, nl) == 0) {
            rh_free(env->ctx, env->vars[i].value);
            env->vars[i].value = v;
            return RH_OK;
        }
    }
    if (env->n >= ENV_MAX_VARS) {
        rh_free(env->ctx, v);
        return RH_ERR_LIMIT;
    }
    if (env->n == env->cap) {
        size_t ncap = env->cap ? env->cap * 2 : 16;
        struct env_var *nv = rh_realloc(env->ctx, env->vars, ncap * sizeof(*nv));
        if (!nv) {
            rh_free(env->ctx, v);
            return RH_ERR_NOMEM;
        }
        env->vars = nv;
        env->cap = ncap;
    }
    env->vars[env->n].name = rh_strdup(env->ctx, name);
    if (!env->vars[env->n].name) {
        rh_free(env->ctx, v);
        return RH_ERR_NOMEM;
    }
    env->vars[env->n].value = v;
    env->n++;
    return RH_OK;
}

rh_status rh_env_set_profile(rh_env *env, const char *profile_dir, const char *user)
{
    static const char *const derived[][2] = {
        {"APPDATA", "\\AppData\\Roaming"},  {"LOCALAPPDATA", "\\AppData\\Local"},
        {"TEMP", "\\AppData\\Local\\Temp"}, {"TMP", "\\AppData\\Local\\Temp"},
        {"OneDrive", "\\OneDrive"},
    };
    rh_buf b;
    size_t i;
    rh_status st;
    if (!env || !profile_dir) {
        return RH_ERR_ARG;
    }
    st = rh_env_set(env, "USERPROFILE", profile_dir);
    if (st == RH_OK && user) {
        st = rh_env_set(env, "USERNAME", user);
    }
    if (st == RH_OK && strlen(profile_dir) > 2 && profile_dir[1] == ':') {
        st = rh_env_set(env, "HOMEPATH", profile_dir + 2);
    }
    rh_buf_init(&b, env->ctx);
    for (i = 0; st == RH_OK && i < sizeof(derived) / sizeof(derived[0]); i++) {
        rh_buf_reset(&b);
        st = rh_buf_puts(&b, profile_dir);
        if (st == RH_OK) {
            st = rh_buf_puts(&b, derived[i][1]);
        }
        if (st == RH_OK) {
            st = rh_env_set(env, derived[i][0], b.data);
        }
    }
    rh_buf_free(&b);
    return st;
}

const char *rh_env_get(const rh_env *env, const char *name, size_t len)
{
    size_t i;
    if (env) {
        for (i = 0; i < env->n; i++) {
            if (rh_ascii_casecmp(env->vars[i].name, strlen(env->vars[i].name), name, len) == 0) {
                return env->vars[i].value;
            }
        }
    }
    for (i = 0; i < ENV_NDEFAULTS; i++) {
        if (rh_ascii_casecmp(env_defaults[i][0], strlen(env_defaults[i][0]), name, len) == 0) {
            return env_defaults[i][1];
        }
    }
    return NULL;
}

static rh_status expand_rec(const rh_env *env, const char *s, size_t n, rh_buf *out,
                            unsigned *unresolved, unsigned depth)
{
    size_t i = 0;
    rh_status st = RH_OK;
    while (i < n && st == RH_OK) {
        if (s[i] == '%') {
            size_t j = i + 1;
            while (j < n && j - i <= ENV_MAX_NAME && s[j] != '%' && s[j] != '\\' && s[j] != '"') {
                j++;
            }
            if (j < n && s[j] == '%' && j > i + 1) {
                const char *v = rh_env_get(env, s + i + 1, j - i - 1);
                if (v && depth < RH_INTERP_MAX_ENV_DEPTH) {
                    st = expand_rec(env, v, strlen(v), out, unresolved, depth + 1);
                } else {
                    if (unresolved) {
                        (*unresolved)++;
                    }
                    st = rh_buf_append(out, s + i, j - i + 1);
                }
                i = j + 1;
                continue;
            }
        }
        st = rh_buf_putc(out, s[i]);
        i++;
    }
    return st;
}

rh_status rh_env_expand(const rh_env *env, const char *s, size_t n, rh_buf *out,
                        unsigned *unresolved)
{
    static const char sysroot[] = "\\SystemRoot\\";
    rh_status st;
    if (n > RH_INTERP_MAX_INPUT) {
        n = RH_INTERP_MAX_INPUT;
    }
    /* NT object-manager prefixes seen in ImagePath and PendingFileRenameOperations. */
    if (n >= 4 && (memcmp(s, "\\??\\", 4) == 0 || memcmp(s, "\\\\?\\", 4) == 0)) {
        s += 4;
        n -= 4;
    }
    if (n >= sizeof(sysroot) - 1 &&
        rh_ascii_casecmp(s, sizeof(sysroot) - 1, sysroot, sizeof(sysroot) - 1) == 0) {
        const char *v = rh_env_get(env, "SystemRoot", 10);
        st = expand_rec(env, v, strlen(v), out, unresolved, 1);
        if (st != RH_OK) {
            return st;
        }
        s += sizeof(sysroot) - 2; /* keep the backslash */
        n -= sizeof(sysroot) - 2;
    }
    return expand_rec(env, s, n, out, unresolved, 0);
}

/* ---- decoded data -------------------------------------------------------------------------- */

rh_status rh_regdata_decode(uint32_t type, const uint8_t *raw, size_t len, rh_buf *out)
{
    if (!raw) {
        len = 0;
    }
    if (type == RH_REGTYPE_SZ || type == RH_REGTYPE_EXPAND_SZ || type == RH_REGTYPE_LINK) {
        return rh_utf16le_to_utf8(out, raw, len & ~(size_t)1, 1);
    }
    if (type == RH_REGTYPE_MULTI_SZ) {
        size_t i = 0, start = 0, items = 0, used = len;
        rh_status st = RH_OK;
        /* An empty item inside the data is an item (PendingFileRenameOperations "delete"
         * pairs); one followed only by NULs ends the list. `used` = end of the last non-NUL. */
        while (used > 0 && raw[used - 1] == 0) {
            used--;
        }
        for (i = 0; i + 1 < len && st == RH_OK; i += 2) {
            if (raw[i] == 0 && raw[i + 1] == 0) {
                if (i == start && i >= used) {
                    break; /* the terminating empty item: only NULs follow */
                }
                st = rh_utf16le_to_utf8(out, raw + start, i - start, 0);
                if (st == RH_OK) {
                    st = rh_buf_putc(out, '\0');
                }
                start = i + 2;
                if (++items > 65536) {
                    return RH_ERR_LIMIT;
                }
            }
        }
        if (st == RH_OK && i + 1 >= len && start + 1 < len) { /* unterminated last item */
            st = rh_utf16le_to_utf8(out, raw + start, (len - start) & ~(size_t)1, 0);
            if (st == RH_OK) {
                st = rh_buf_putc(out, '\0');
            }
        }
        return st;
    }
    return rh_buf_append(out, raw, len);
}

int interp_parse_number(const char *s, size_t n, uint64_t *out)
{
    size_t i = 0;
    uint64_t v = 0;
    int hex = 0, digits = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) {
        i++;
    }
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\0')) {
        n--;
    }
    if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        hex = 1;
        i += 2;
    }
    for (; i < n; i++) {
        unsigned d;
        char c = s[i];
        if (c >= '0' && c <= '9') {
            d = (unsigned)(c - '0');
        } else if (hex && c >= 'a' && c <= 'f') {
            d = (unsigned)(c - 'a' + 10);
        } else if (hex && c >= 'A' && c <= 'F') {
            d = (unsigned)(c - 'A' + 10);
        } else {
            return 0;
        }
        if (v > (UINT64_MAX - d) / (hex ? 16u : 10u)) {
            return 0;
        }
        v = v * (hex ? 16u : 10u) + d;
        digits++;
    }
    if (!digits) {
        return 0;
    }
    *out = v;
    return 1;
}

int rh_regdata_number(const rh_regdata *d, uint64_t *out)
{
    if (!d || !out) {
        return 0;
    }
    switch (d->type) {
    case RH_REGTYPE_DWORD:
    case RH_REGTYPE_BINARY:
        if (d->len == 4) {
            *out = rh_le32(d->data);
            return 1;
        }
        if (d->len == 8 && d->type == RH_REGTYPE_BINARY) {
            *out = rh_le64(d->data);
            return 1;
        }
        return 0;
    case RH_REGTYPE_DWORD_BE:
        if (d->len == 4) {
            *out = ((uint32_t)d->data[0] << 24) | ((uint32_t)d->data[1] << 16) |
                   ((uint32_t)d->data[2] << 8) | d->data[3];
            return 1;
        }
        return 0;
    case RH_REGTYPE_QWORD:
        if (d->len == 8) {
            *out = rh_le64(d->data);
            return 1;
        }
        return 0;
    case RH_REGTYPE_SZ:
    case RH_REGTYPE_EXPAND_SZ:
        return interp_parse_number((const char *)d->data, d->len, out);
    default:
        return 0;
    }
}
