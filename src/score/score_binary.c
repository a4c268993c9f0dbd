/*
 * Binary values the knowledge base judges, decoded (docs/scoring.md, "Binary values"):
 * Winsock catalog entries (PackedCatalogItem), scheduled-task actions (TaskCache Actions),
 * else the path-like strings found in the data.
 */
#include <stdio.h>

#include "score_internal.h"

#define BSTR_MAX         32768u /* one UTF-16 string of a task action, in bytes */
#define TASK_MAX_ACTIONS 32

/* Extract path-like strings from binary data (ASCII and UTF-16LE runs). */
static void scan_strings(struct sc *s)
{
    const uint8_t *d = s->in->data.data;
    size_t n = s->in->data.len, i = 0, found = 0;
    rh_buf str;
    rh_buf_init(&str, s->ctx);
    while (i < n && found < 4 && s->st == RH_OK) {
        size_t j = i, wide = 0;
        rh_buf_reset(&str);
        if (i + 1 < n && d[i] >= 0x20 && d[i] < 0x7F && d[i + 1] == 0) {
            while (j + 1 < n && d[j] >= 0x20 && d[j] < 0x7F && d[j + 1] == 0) {
                s->st = rh_buf_putc(&str, (char)d[j]);
                j += 2;
            }
            wide = 1;
        } else {
            while (j < n && d[j] >= 0x20 && d[j] < 0x7F) {
                s->st = rh_buf_putc(&str, (char)d[j]);
                j++;
            }
        }
        if (str.len >= 6 && (interp_ci_find(str.data, str.len, ":\\") != (size_t)-1 ||
                             interp_ci_find(str.data, str.len, "%") != (size_t)-1 ||
                             interp_ci_find(str.data, str.len, "\\\\") != (size_t)-1 ||
                             interp_ci_find(str.data, str.len, "://") != (size_t)-1)) {
            sc_analyze(s, RH_INTERP_MODE_COMMAND, str.data, str.len);
            found++;
        }
        i = j > i ? j : i + 1;
        (void)wide;
    }
    rh_buf_free(&str);
}

/* Winsock PackedCatalogItem: the provider DLL path, ANSI, NUL-terminated, at offset 0 in a
 * MAX_PATH field (WSAPROTOCOL_INFOW follows). 0 when the data does not look like one. */
static int winsock_path(const uint8_t *d, size_t n, char *out, size_t cap)
{
    size_t i, lim = n < 260 ? n : 260;
    for (i = 0; i < lim && d[i]; i++) {
        if (d[i] < 0x20 || d[i] >= 0x7F || i + 1 >= cap) {
            return 0;
        }
        out[i] = (char)d[i];
    }
    out[i] = '\0';
    return i >= 4 && i < lim;
}

static int decode_winsock(struct sc *s)
{
    char path[264], ex[120];
    if (!winsock_path(s->in->data.data, s->in->data.len, path, sizeof(path))) {
        return 0;
    }
    if (sc_has_defaults(s) && sc_is_default(s, path, strlen(path))) {
        s->out->is_default = 1;
        sc_analyze(s, RH_INTERP_MODE_PATH, path, strlen(path)); /* the target, for the report */
        return 1;
    }
    sc_analyze(s, RH_INTERP_MODE_PATH, path, strlen(path));
    sc_reason(s, "Winsock provider DLL %s", sc_excerpt(ex, sizeof(ex), path, strlen(path)));
    if (sc_has_defaults(s)) {
        sc_reason(s, "differs from the Windows default %s", sc_default_shown(s));
        s->points += 10;
        s->specific = 1;
    }
    return 1;
}

/* A length-prefixed UTF-16LE string of a task action into `out` (replaced). */
static int read_bstr(struct rh_cur *c, rh_buf *out, struct sc *s)
{
    uint32_t len;
    const uint8_t *p;
    rh_buf_reset(out);
    if (!rh_cur_u32le(c, &len) || len > BSTR_MAX || !rh_cur_bytes(c, len, &p)) {
        return 0;
    }
    if (s->st == RH_OK) {
        s->st = rh_utf16le_to_utf8(out, p, len & ~1u, 1);
    }
    return s->st == RH_OK;
}

/* Exec action: "command" arguments, judged as one command line. */
static int task_exec(struct sc *s, struct rh_cur *c, int version, rh_buf *a, rh_buf *b)
{
    rh_buf line = RH_BUF_INIT(s->ctx);
    uint16_t flags;
    char ex[160];
    int ok = read_bstr(c, a, s) && read_bstr(c, b, s);
    if (ok && s->st == RH_OK && a->len) {
        int quote = memchr(a->data, ' ', a->len) && a->data[0] != '"';
        s->st = rh_buf_printf(&line, "%s%s%s%s%s", quote ? "\"" : "", a->data, quote ? "\"" : "",
                              b->len ? " " : "", b->len ? b->data : "");
        if (s->st == RH_OK) {
            sc_analyze(s, RH_INTERP_MODE_COMMAND, line.data, line.len);
            sc_reason(s, "task runs %s", sc_excerpt(ex, sizeof(ex), line.data, line.len));
        }
    }
    rh_buf_free(&line);
    ok = ok && read_bstr(c, a, s); /* working directory */
    if (ok && version == 3) {
        ok = rh_cur_u16le(c, &flags);
    }
    return ok;
}

/* COM handler action: the CLSID's server is the payload. */
static int task_com(struct sc *s, struct rh_cur *c, rh_buf *a)
{
    const uint8_t *g;
    char clsid[40];
    if (!rh_cur_bytes(c, 16, &g)) {
        return 0;
    }
    snprintf(clsid, sizeof(clsid), "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
             (unsigned)rh_le32(g), (unsigned)(g[4] | g[5] << 8), (unsigned)(g[6] | g[7] << 8), g[8],
             g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
    sc_reason(s, "task runs COM handler %s", clsid);
    sc_check_clsid_ref(s, clsid, strlen(clsid));
    return read_bstr(c, a, s);
}

/* TaskCache Actions: u16 version (1-3), [v3: principal bstr], then actions (u16 magic, id
 * bstr, properties): 0x6666 exec, 0x7777 COM handler; e-mail and message-box actions end the
 * walk (deprecated, no payload to judge). Layout: GDATA winreg-tasks actions.ksy. */
static int decode_task_actions(struct sc *s)
{
    struct rh_cur c = rh_cur_make(s->in->data.data, s->in->data.len);
    rh_buf a = RH_BUF_INIT(s->ctx), b = RH_BUF_INIT(s->ctx);
    uint16_t version, magic;
    int n = 0, ok;
    ok = rh_cur_u16le(&c, &version) && version >= 1 && version <= 3 &&
         (version != 3 || read_bstr(&c, &a, s));
    while (ok && n < TASK_MAX_ACTIONS && rh_cur_left(&c) >= 2 && rh_cur_u16le(&c, &magic)) {
        ok = read_bstr(&c, &a, s); /* action id */
        if (ok && magic == 0x6666) {
            ok = task_exec(s, &c, version, &a, &b);
        } else if (ok && magic == 0x7777) {
            ok = task_com(s, &c, &a);
        } else {
            break;
        }
        n += ok;
    }
    rh_buf_free(&a);
    rh_buf_free(&b);
    return n > 0;
}

void sc_analyze_binary(struct sc *s)
{
    const char *nm = s->in->value_name;
    size_t nl = s->in->name_len;
    if (!s->in->data.data) {
        return;
    }
    if (rh_ascii_eq(nm, nl, "PackedCatalogItem") && decode_winsock(s)) {
        return;
    }
    if (rh_ascii_eq(nm, nl, "Actions") && decode_task_actions(s)) {
        return;
    }
    scan_strings(s);
}
