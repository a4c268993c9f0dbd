/*
 * The live reader: the running system's registry, read through the platform layer's
 * registry calls (os.c), becomes hive images (rh_hive_writer) in a collection
 * (include/reghunt/live.h). Portable: off Windows the first open says RH_ERR_UNSUPPORTED.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "reghunt/live.h"

#define LIVE_MAX_DEPTH 512u /* Windows' own key nesting limit */
#define COMP           "live"

struct live {
    rh_ctx *ctx;
    rh_collection *coll;
    rh_live_stats *stats;
    char host[256];
};

/* UTF-16 units of an ASCII literal (registry paths of our own). */
static size_t units(const char *s, uint16_t *out, size_t cap)
{
    size_t n = 0;
    while (s[n] && n < cap) {
        out[n] = (uint8_t)s[n];
        n++;
    }
    return n;
}

static rh_status open_path(struct live *L, rh_os_key *parent, const char *path, rh_os_key **out)
{
    uint16_t w[512];
    return rh_os_key_open(L->ctx, parent, w, units(path, w, 512), out);
}

static int is_ccs(const rh_buf *name)
{
    static const char ccs[] = "currentcontrolset";
    size_t i, n = name->len / 2;
    const uint8_t *p = (const uint8_t *)name->data;
    if (n != sizeof(ccs) - 1) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        unsigned c = rh_le16(p + 2 * i);
        if ((c | 0x20u) != (unsigned)ccs[i]) {
            return 0;
        }
    }
    return 1;
}

/* Copy the values and the subtree of k into the writer under wk. */
static rh_status copy_tree(struct live *L, rh_hive_writer *w, rh_os_key *k, rh_key wk,
                           unsigned depth, int top_of_system)
{
    rh_buf name, data;
    rh_status st = RH_OK;
    uint32_t i, type;
    uint64_t lw;
    rh_buf_init(&name, L->ctx);
    rh_buf_init(&data, L->ctx);
    for (i = 0; st == RH_OK; i++) {
        st = rh_os_value_enum(k, i, &name, &type, &data);
        if (st == RH_OK) {
            st = rh_hive_writer_value(w, wk, (const uint16_t *)(const void *)name.data,
                                      name.len / 2, type, data.data, data.len);
            L->stats->values++;
        }
    }
    st = st == RH_END || st == RH_ERR_IO || st == RH_ERR_CORRUPT ? RH_OK : st;
    for (i = 0; st == RH_OK; i++) {
        rh_os_key *child = NULL;
        rh_key wc;
        rh_status os;
        st = rh_os_key_enum(k, i, &name, &lw);
        if (st != RH_OK) {
            break;
        }
        if (top_of_system && is_ccs(&name)) {
            static const uint16_t cs1[] = {'C', 'o', 'n', 't', 'r', 'o', 'l',
                                           'S', 'e', 't', '0', '0', '1'};
            rh_os_key *probe = NULL;
            if (rh_os_key_is_link(L->ctx, k, (const uint16_t *)(const void *)name.data,
                                  name.len / 2) ||
                rh_os_key_open(L->ctx, k, cs1, 13, &probe) == RH_OK) {
                rh_os_key_close(probe);
                continue; /* a link to ControlSet00N, not a key of the hive file */
            }
            /* Wine keeps the control set as a real CurrentControlSet key (no ControlSet00N,
             * Select\Current = 1): it is the hive's ControlSet001 there. */
            st = rh_hive_writer_key(w, wk, cs1, 13, lw, &wc);
        } else {
            st = rh_hive_writer_key(w, wk, (const uint16_t *)(const void *)name.data, name.len / 2,
                                    lw, &wc);
        }
        if (st != RH_OK) {
            break;
        }
        L->stats->keys++;
        if (depth + 1 >= LIVE_MAX_DEPTH) {
            continue;
        }
        os = rh_os_key_open(L->ctx, k, (const uint16_t *)(const void *)name.data, name.len / 2,
                            &child);
        if (os == RH_OK) {
            st = copy_tree(L, w, child, wc, depth + 1, 0);
            rh_os_key_close(child);
        } else if (os == RH_ERR_NOMEM) {
            st = os;
        } else {
            L->stats->keys_denied++;
        }
    }
    rh_buf_free(&name);
    rh_buf_free(&data);
    return st == RH_END || st == RH_ERR_IO || st == RH_ERR_CORRUPT ? RH_OK : st;
}

/* Build an image of the key at nt_path and add it at layout_path (below the host folder). */
static rh_status add_key_image(struct live *L, const char *nt_path, const char *source,
                               const char *layout, int system)
{
    static const uint16_t root_name[] = {'R', 'O', 'O', 'T'};
    rh_os_key *k = NULL;
    rh_hive_writer *w = NULL;
    uint8_t *img = NULL;
    size_t len = 0;
    uint64_t lw = 0;
    rh_buf lp;
    rh_status st = open_path(L, NULL, nt_path, &k);
    if (st != RH_OK) {
        return st;
    }
    (void)rh_os_key_last_write(k, &lw);
    st = rh_hive_writer_create(L->ctx, root_name, 4, lw, &w);
    if (st == RH_OK) {
        st = copy_tree(L, w, k, 0, 0, system);
    }
    if (st == RH_OK) {
        st = rh_hive_writer_finish(w, &img, &len);
    }
    rh_hive_writer_destroy(w);
    rh_os_key_close(k);
    if (st != RH_OK) {
        rh_diagf(L->ctx, RH_DIAG_ERROR, COMP, source, -1, "cannot copy the key: %s",
                 rh_strerror(st));
        return st;
    }
    rh_buf_init(&lp, L->ctx);
    rh_buf_printf(&lp, "%s/%s", L->host, layout);
    st = rh_buf_status(&lp);
    if (st == RH_OK) {
        st = rh_collection_add_image(L->coll, source, lp.data, img, len);
        img = NULL;
        L->stats->hives_api++;
    }
    rh_free(L->ctx, img);
    rh_buf_free(&lp);
    return st;
}

/* A string value of an open key as UTF-8 (stops at the first NUL). */
static rh_status value_utf8(struct live *L, rh_os_key *k, const char *want, rh_buf *out)
{
    rh_buf name, data, u;
    rh_status st = RH_NOT_FOUND;
    uint32_t i, type;
    rh_buf_init(&name, L->ctx);
    rh_buf_init(&data, L->ctx);
    rh_buf_init(&u, L->ctx);
    for (i = 0; rh_os_value_enum(k, i, &name, &type, &data) == RH_OK; i++) {
        rh_buf_reset(&u);
        rh_utf16le_to_utf8(&u, (const uint8_t *)name.data, name.len, 0);
        if (u.data && strlen(u.data) == strlen(want) &&
            rh_ascii_casecmp(u.data, u.len, want, strlen(want)) == 0) {
            rh_buf_reset(out);
            st = rh_utf16le_to_utf8(out, (const uint8_t *)data.data, data.len & ~(size_t)1, 1);
            break;
        }
    }
    rh_buf_free(&name);
    rh_buf_free(&data);
    rh_buf_free(&u);
    return st;
}

/* %VAR% expanded from the environment (ProfileImagePath is REG_EXPAND_SZ). */
static rh_status expand_env(const char *s, rh_buf *out)
{
    while (*s) {
        const char *end;
        if (*s == '%' && (end = strchr(s + 1, '%')) != NULL && end > s + 1) {
            char var[128];
            size_t n = (size_t)(end - s - 1);
            const char *v;
            if (n < sizeof(var)) {
                memcpy(var, s + 1, n);
                var[n] = 0;
                if ((v = getenv(var)) != NULL) {
                    rh_buf_puts(out, v);
                    s = end + 1;
                    continue;
                }
            }
        }
        rh_buf_putc(out, *s++);
    }
    return rh_buf_status(out);
}

/* The last component of a Windows path ("C:\Users\bob" -> "bob"), made safe as a folder. */
static void leaf_name(const char *path, char *out, size_t cap)
{
    const char *b = path, *p;
    size_t n = 0;
    for (p = path; *p; p++) {
        if ((*p == '\\' || *p == '/') && p[1]) {
            b = p + 1;
        }
    }
    for (p = b; *p && *p != '\\' && *p != '/' && n + 1 < cap; p++) {
        out[n++] = *p == ':' ? '_' : *p;
    }
    out[n] = 0;
}

/* An unloaded profile's hive file, read through the offline parser's share-mode open. */
static void add_file_image(struct live *L, const char *dir, const char *rel, const char *layout)
{
    rh_buf p;
    uint8_t *img = NULL;
    size_t len = 0;
    rh_buf_init(&p, L->ctx);
    rh_buf_printf(&p, "%s\\%s", dir, rel);
    if (rh_buf_status(&p) == RH_OK && rh_os_path_kind(p.data, 1, NULL) == RH_FS_FILE &&
        rh_read_file(L->ctx, p.data, rh_ctx_limits(L->ctx)->max_hive_size, &img, &len) == RH_OK) {
        rh_buf lp;
        rh_buf_init(&lp, L->ctx);
        rh_buf_printf(&lp, "%s/%s", L->host, layout);
        if (rh_buf_status(&lp) == RH_OK &&
            rh_collection_add_image(L->coll, p.data, lp.data, img, len) == RH_OK) {
            L->stats->hives_file++;
        }
        rh_buf_free(&lp);
    }
    rh_buf_free(&p);
}

static rh_status add_profiles(struct live *L)
{
    rh_os_key *pl = NULL;
    rh_buf sid, img_path, exp, a, b;
    rh_status st;
    uint32_t i;
    uint64_t lw;
    st = open_path(L, NULL,
                   "\\Registry\\Machine\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\"
                   "ProfileList",
                   &pl);
    if (st != RH_OK) {
        return st == RH_NOT_FOUND ? RH_OK : st;
    }
    rh_buf_init(&sid, L->ctx);
    rh_buf_init(&img_path, L->ctx);
    rh_buf_init(&exp, L->ctx);
    rh_buf_init(&a, L->ctx);
    rh_buf_init(&b, L->ctx);
    for (i = 0; st == RH_OK; i++) {
        rh_os_key *pk = NULL;
        char leaf[256], s8[256];
        st = rh_os_key_enum(pl, i, &sid, &lw);
        if (st != RH_OK) {
            break;
        }
        rh_buf_reset(&a);
        rh_utf16le_to_utf8(&a, (const uint8_t *)sid.data, sid.len, 1);
        if (!a.data || a.len >= sizeof(s8) || strchr(a.data, '\\') || strchr(a.data, '/')) {
            continue;
        }
        memcpy(s8, a.data, a.len + 1);
        if (rh_os_key_open(L->ctx, pl, (const uint16_t *)(const void *)sid.data, sid.len / 2,
                           &pk) != RH_OK) {
            continue;
        }
        rh_buf_reset(&exp);
        if (value_utf8(L, pk, "ProfileImagePath", &img_path) == RH_OK && img_path.data) {
            expand_env(img_path.data, &exp);
        }
        rh_os_key_close(pk);
        if (!exp.data || !exp.len) {
            continue;
        }
        leaf_name(exp.data, leaf, sizeof(leaf));
        if (!leaf[0]) {
            continue;
        }
        rh_buf_reset(&a);
        rh_buf_reset(&b);
        rh_buf_printf(&a, "\\Registry\\User\\%s", s8);
        rh_buf_printf(&b, "live:HKU\\%s", s8);
        if (rh_buf_status(&a) != RH_OK || rh_buf_status(&b) != RH_OK) {
            st = RH_ERR_NOMEM;
            break;
        }
        {
            char layout[600];
            snprintf(layout, sizeof(layout), "C/Users/%s/NTUSER.DAT", leaf);
            if (add_key_image(L, a.data, b.data, layout, 0) != RH_OK) {
                add_file_image(L, exp.data, "NTUSER.DAT", layout);
            }
            rh_buf_puts(&a, "_Classes");
            rh_buf_puts(&b, "_Classes");
            snprintf(layout, sizeof(layout),
                     "C/Users/%s/AppData/Local/Microsoft/Windows/UsrClass.dat", leaf);
            if (rh_buf_status(&a) == RH_OK && rh_buf_status(&b) == RH_OK &&
                add_key_image(L, a.data, b.data, layout, 0) != RH_OK) {
                add_file_image(L, exp.data, "AppData\\Local\\Microsoft\\Windows\\UsrClass.dat",
                               layout);
            }
        }
    }
    rh_os_key_close(pl);
    rh_buf_free(&sid);
    rh_buf_free(&img_path);
    rh_buf_free(&exp);
    rh_buf_free(&a);
    rh_buf_free(&b);
    return st == RH_END || st == RH_ERR_IO ? RH_OK : st;
}

static void host_name(struct live *L)
{
    rh_os_key *k = NULL;
    rh_buf v;
    size_t i, n = 0;
    rh_buf_init(&v, L->ctx);
    snprintf(L->host, sizeof(L->host), "localhost");
    if (open_path(L, NULL,
                  "\\Registry\\Machine\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\"
                  "ComputerName",
                  &k) == RH_OK &&
        value_utf8(L, k, "ComputerName", &v) == RH_OK && v.data && v.len) {
        for (i = 0; i < v.len && n + 1 < sizeof(L->host); i++) {
            char c = v.data[i];
            L->host[n++] = (c == '/' || c == '\\' || c == ':' || (unsigned char)c < 0x20) ? '_' : c;
        }
        L->host[n] = 0;
    }
    rh_os_key_close(k);
    rh_buf_free(&v);
}

rh_status rh_live_add(rh_ctx *ctx, rh_collection *coll, rh_live_stats *stats)
{
    struct live L;
    rh_live_stats local;
    rh_os_key *probe = NULL;
    rh_status st;
    if (!ctx || !coll) {
        return RH_ERR_ARG;
    }
    memset(&L, 0, sizeof(L));
    memset(&local, 0, sizeof(local));
    L.ctx = ctx;
    L.coll = coll;
    L.stats = stats ? stats : &local;
    memset(L.stats, 0, sizeof(*L.stats));
    st = open_path(&L, NULL, "\\Registry\\Machine", &probe);
    rh_os_key_close(probe);
    if (st == RH_ERR_UNSUPPORTED) {
        return st;
    }
    host_name(&L);
    st = add_key_image(&L, "\\Registry\\Machine\\SOFTWARE", "live:HKLM\\SOFTWARE",
                       "C/Windows/System32/config/SOFTWARE", 0);
    if (st == RH_OK) {
        st = add_key_image(&L, "\\Registry\\Machine\\SYSTEM", "live:HKLM\\SYSTEM",
                           "C/Windows/System32/config/SYSTEM", 1);
    }
    if (st == RH_NOT_FOUND) {
        st = RH_ERR_IO;
    }
    if (st == RH_OK) {
        st = add_profiles(&L);
    }
    return st;
}
