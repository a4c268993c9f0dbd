/*
 * Rules over hive state: every value of an offline hive becomes a synthetic Sysmon 13
 * (SetValue) event, and with RH_SIGMA_HIVE_KEYS every key a Sysmon 12 (CreateKey) event, so
 * SigmaHQ's registry rules hunt hives as well as logs. Events carry RH_EVENT_FROM_STATE.
 *
 * Sysmon's forms (seen in the sample EVTX corpus, docs/sigma-support.md):
 *   TargetObject  HKLM\SOFTWARE\..., HKLM\System\CurrentControlSet\..., HKU\<SID>\...,
 *                 HKU\<SID>_Classes\...; the unnamed value is "(Default)".
 *   Details       strings as-is, "DWORD (0x%08x)", "QWORD (0x%08x-0x%08x)" (high-low),
 *                 "Binary Data" for everything else, "(Empty)" for empty strings.
 */
#include <stdio.h>

#include "reghunt/regpath.h"
#include "sigma_internal.h"

#define SYSMON_PROVIDER "Microsoft-Windows-Sysmon"
#define SYSMON_CHANNEL  "Microsoft-Windows-Sysmon/Operational"
#define DEFAULT_SID     "S-1-5-21-0-0-0-0"

static const char *base_name(const char *p)
{
    const char *b = p;
    for (; *p; p++) {
        if (*p == '\\' || *p == '/') {
            b = p + 1;
        }
    }
    return b;
}

rh_status rh_sigma_hive_guess_root(const rh_hive *hive, const char *sid, rh_buf *out)
{
    const rh_hive_info *info = rh_hive_get_info(hive);
    const char *cands[2];
    size_t c;
    cands[0] = info->embedded_name ? base_name(info->embedded_name) : "";
    cands[1] = info->path ? base_name(info->path) : "";
    if (!sid) {
        sid = DEFAULT_SID;
    }
    for (c = 0; c < 2; c++) {
        rh_hive_kind k = rh_hive_kind_from_file(cands[c], strlen(cands[c]));
        if (k != RH_HIVE_KIND_UNKNOWN) {
            return rh_hive_kind_root(k, k == RH_HIVE_KIND_OTHER ? cands[c] : sid, 1, out);
        }
    }
    {
        rh_status st = rh_buf_printf(out, "HKLM\\%s", cands[0][0] ? cands[0] : "UNKNOWN");
        return st == RH_OK ? RH_NOT_FOUND : st;
    }
}

struct hive_walk {
    rh_ctx *ctx;
    const rh_hive *hive;
    const rh_sigma_hive_opts *opts;
    rh_event_fn fn;
    void *user;
    rh_buf root, path, target, details, name, scratch, tbuf;
    char ccs[32]; /* "ControlSet001" when the hive is SYSTEM */
    uint64_t seq;
};

/* Key path with the current control set renamed, appended to root. */
static rh_status key_target(struct hive_walk *w, rh_key key)
{
    rh_status st;
    rh_buf_reset(&w->path);
    rh_buf_reset(&w->target);
    st = rh_key_path(w->hive, key, &w->path);
    if (st != RH_OK) {
        return st;
    }
    st = rh_buf_append(&w->target, w->root.data, w->root.len);
    if (st != RH_OK || w->path.len == 0) {
        return st;
    }
    st = rh_buf_putc(&w->target, '\\');
    if (st != RH_OK) {
        return st;
    }
    if (w->ccs[0]) {
        size_t l = strlen(w->ccs);
        if (rh_ascii_prefix(w->path.data, w->path.len, w->ccs) &&
            (w->path.len == l || w->path.data[l] == '\\')) {
            st = rh_buf_puts(&w->target, "CurrentControlSet");
            return st == RH_OK ? rh_buf_append(&w->target, w->path.data + l, w->path.len - l) : st;
        }
    }
    return rh_buf_append(&w->target, w->path.data, w->path.len);
}

static rh_status render_details(struct hive_walk *w, rh_value v, const rh_value_info *vi)
{
    const uint8_t *d = NULL;
    size_t n = 0;
    rh_status st;
    rh_buf_reset(&w->details);
    st = rh_value_data(w->hive, v, &d, &n, &w->scratch);
    if (st != RH_OK) {
        n = 0; /* unreadable data: rendered like Sysmon renders binary data */
    }
    switch (vi->type) {
    case 1: /* REG_SZ */
    case 2: /* REG_EXPAND_SZ */
    case 6: /* REG_LINK */
        if (n) {
            st = rh_reg_string(d, n, &w->details);
            if (st != RH_OK) {
                return st;
            }
        }
        return w->details.len ? RH_OK : rh_buf_puts(&w->details, "(Empty)");
    case 4: /* REG_DWORD */
        if (n >= 4) {
            return rh_buf_printf(&w->details, "DWORD (0x%08x)", (unsigned)rh_le32(d));
        }
        break;
    case 5: /* REG_DWORD_BIG_ENDIAN */
        if (n >= 4) {
            return rh_buf_printf(&w->details, "DWORD (0x%02x%02x%02x%02x)", d[0], d[1], d[2], d[3]);
        }
        break;
    case 11: /* REG_QWORD: Sysmon prints the high then the low half */
        if (n >= 8) {
            return rh_buf_printf(&w->details, "QWORD (0x%08x-0x%08x)", (unsigned)rh_le32(d + 4),
                                 (unsigned)rh_le32(d));
        }
        break;
    default:
        break;
    }
    return rh_buf_puts(&w->details, "Binary Data");
}

static rh_status emit(struct hive_walk *w, uint32_t eid, const char *etype, uint64_t ts,
                      bool with_details, uint32_t flags)
{
    rh_event ev;
    rh_event_field f[5];
    size_t nf = 0;
    rh_status st;
    rh_buf_reset(&w->tbuf);
    st = rh_filetime_to_iso(&w->tbuf, ts);
    if (st != RH_OK) {
        return st;
    }
    memset(&ev, 0, sizeof(ev));
    memset(f, 0, sizeof(f));
    f[nf].name = "EventType";
    f[nf].value = etype;
    f[nf++].value_len = strlen(etype);
    f[nf].name = "UtcTime";
    f[nf].value = w->tbuf.data;
    f[nf].value_len = w->tbuf.len;
    f[nf++].type = RH_FIELD_TIME;
    f[nf - 1].num = ts;
    f[nf].name = "Image";
    f[nf].value = "";
    f[nf++].value_len = 0;
    f[nf].name = "TargetObject";
    f[nf].value = w->target.data ? w->target.data : "";
    f[nf++].value_len = w->target.len;
    if (with_details) {
        f[nf].name = "Details";
        f[nf].value = w->details.data ? w->details.data : "";
        f[nf++].value_len = w->details.len;
    }
    ev.provider = SYSMON_PROVIDER;
    ev.channel = SYSMON_CHANNEL;
    ev.event_id = eid;
    ev.record_id = ++w->seq;
    ev.timestamp = ts;
    ev.fields = f;
    ev.nfields = nf;
    ev.source = rh_hive_get_info(w->hive)->path;
    ev.flags = RH_EVENT_FROM_STATE | flags;
    return w->fn(&ev, w->user);
}

static rh_status find_ccs(struct hive_walk *w)
{
    rh_key sel;
    rh_value cur;
    const uint8_t *d;
    size_t n;
    rh_value_info vi;
    if (rh_key_find(w->hive, RH_KEY_NONE, "Select", &sel) != RH_OK ||
        rh_key_value_find(w->hive, sel, "Current", 7, &cur) != RH_OK ||
        rh_value_get_info(w->hive, cur, &vi) != RH_OK || vi.type != 4 ||
        rh_value_data(w->hive, cur, &d, &n, &w->scratch) != RH_OK || n < 4) {
        return RH_OK;
    }
    snprintf(w->ccs, sizeof(w->ccs), "ControlSet%03u", (unsigned)(rh_le32(d) % 1000));
    return RH_OK;
}

rh_status rh_sigma_hive_events(rh_ctx *ctx, const rh_hive *hive, const rh_sigma_hive_opts *opts,
                               rh_event_fn fn, void *user)
{
    static const rh_sigma_hive_opts none = {NULL, NULL, 0};
    struct hive_walk w;
    uint32_t nk, k;
    rh_status st = RH_OK;
    memset(&w, 0, sizeof(w));
    w.ctx = ctx;
    w.hive = hive;
    w.opts = opts ? opts : &none;
    w.fn = fn;
    w.user = user;
    rh_buf_init(&w.root, ctx);
    rh_buf_init(&w.path, ctx);
    rh_buf_init(&w.target, ctx);
    rh_buf_init(&w.details, ctx);
    rh_buf_init(&w.name, ctx);
    rh_buf_init(&w.scratch, ctx);
    rh_buf_init(&w.tbuf, ctx);
    if (w.opts->root) {
        st = rh_buf_puts(&w.root, w.opts->root);
    } else {
        st = rh_sigma_hive_guess_root(hive, w.opts->sid, &w.root);
        if (st == RH_NOT_FOUND) {
            st = RH_OK;
        }
    }
    while (st == RH_OK && w.root.len && w.root.data[w.root.len - 1] == '\\') {
        w.root.data[--w.root.len] = '\0';
    }
    if (st == RH_OK && rh_ascii_eq(w.root.data, w.root.len, "HKLM\\System")) {
        st = find_ccs(&w);
    }
    nk = rh_hive_key_count(hive);
    for (k = 0; k < nk && st == RH_OK; k++) {
        rh_key_info ki;
        uint32_t nv, i;
        uint32_t flags;
        if (rh_key_get_info(hive, k, &ki) != RH_OK) {
            continue;
        }
        if ((ki.flags & RH_KEY_DELETED) && !(w.opts->flags & RH_SIGMA_HIVE_DELETED)) {
            continue;
        }
        flags = (ki.flags & RH_KEY_DELETED) ? RH_EVENT_RECOVERED : 0;
        st = key_target(&w, k);
        if (st != RH_OK) {
            break;
        }
        if ((w.opts->flags & RH_SIGMA_HIVE_KEYS) && !(ki.flags & RH_KEY_ROOT)) {
            st = emit(&w, 12, "CreateKey", ki.last_write, false, flags);
            if (st != RH_OK) {
                break;
            }
        }
        nv = rh_key_value_count(hive, k);
        for (i = 0; i < nv && st == RH_OK; i++) {
            rh_value v = rh_key_value_at(hive, k, i);
            rh_value_info vi;
            size_t keylen = w.target.len;
            if (v == RH_VALUE_NONE || rh_value_get_info(hive, v, &vi) != RH_OK) {
                continue;
            }
            if ((vi.flags & RH_VALUE_DELETED) && !(w.opts->flags & RH_SIGMA_HIVE_DELETED)) {
                continue;
            }
            rh_buf_reset(&w.name);
            st = rh_value_name(hive, v, &w.name);
            if (st != RH_OK) {
                break;
            }
            st = rh_buf_putc(&w.target, '\\');
            if (st == RH_OK) {
                st = w.name.len ? rh_buf_append(&w.target, w.name.data, w.name.len)
                                : rh_buf_puts(&w.target, "(Default)");
            }
            if (st == RH_OK) {
                st = render_details(&w, v, &vi);
            }
            if (st == RH_OK) {
                st = emit(&w, 13, "SetValue", ki.last_write, true,
                          flags | ((vi.flags & RH_VALUE_DELETED) ? RH_EVENT_RECOVERED : 0));
            }
            w.target.len = keylen;
            w.target.data[keylen] = '\0';
        }
    }
    rh_buf_free(&w.root);
    rh_buf_free(&w.path);
    rh_buf_free(&w.target);
    rh_buf_free(&w.details);
    rh_buf_free(&w.name);
    rh_buf_free(&w.scratch);
    rh_buf_free(&w.tbuf);
    return st;
}
