/*
 * Transaction log discovery and replay, in memory only (input files are never written): every
 * write goes through regf_image_write(), which owns the image and records what it overwrites
 * (or, for a hive read on demand, writes an overlay of the pages changed).
 *
 * New format (Windows 8.1+): HvLE entries with Marvin32 hashes, applied in sequence from the
 * log whose entries start earlier, continuing with the other log at last + 1 (yarp,
 * msuhanov's specification). Old format: a dirty vector (DIRT) of 512-byte pages.
 */
#include <stdio.h>

#include "regf_internal.h"

static uint32_t rotl32(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

uint64_t regf_marvin32(const uint8_t *p, size_t n, uint64_t seed)
{
    uint32_t lo = (uint32_t)seed, hi = (uint32_t)(seed >> 32), fin = 0x80;
    size_t i = 0;
#define MARVIN_MIX(v)                                                                              \
    do {                                                                                           \
        lo += (v);                                                                                 \
        hi ^= lo;                                                                                  \
        lo = rotl32(lo, 20) + hi;                                                                  \
        hi = rotl32(hi, 9) ^ lo;                                                                   \
        lo = rotl32(lo, 27) + hi;                                                                  \
        hi = rotl32(hi, 19);                                                                       \
    } while (0)
    for (; n - i >= 4; i += 4) {
        MARVIN_MIX(rh_le32(p + i));
    }
    switch (n - i) {
    case 3:
        fin = (fin << 8) | p[i + 2];
        /* fall through */
    case 2:
        fin = (fin << 8) | p[i + 1];
        /* fall through */
    case 1:
        fin = (fin << 8) | p[i];
        break;
    default:
        break;
    }
    MARVIN_MIX(fin);
    MARVIN_MIX(0u);
#undef MARVIN_MIX
    return ((uint64_t)hi << 32) | lo;
}

enum log_kind { LOG_BAD = 0, LOG_OLD = 1, LOG_NEW = 2 };

struct log_file {
    const char *path;
    const uint8_t *data; /* the caller's buffer (borrowed) or `owned` */
    uint8_t *owned;      /* a log file read here */
    size_t len;
    enum log_kind kind;
    uint32_t seq; /* base block primary sequence number */
    uint64_t ts;  /* base block last written */
    uint32_t hbins, root, minor;
    const char *why; /* reason when LOG_BAD */
};

static void classify(struct log_file *l)
{
    const uint8_t *b = l->data;
    uint32_t type;
    l->kind = LOG_BAD;
    if (l->len < REGF_LOG_BASE_SIZE || !REGF_SIG4(b, 'r', 'e', 'g', 'f')) {
        l->why = l->len == 0 ? "empty" : "no regf base block";
        return;
    }
    if (regf_checksum(b) != rh_le32(b + REGF_B_CHECKSUM)) {
        l->why = "bad base block checksum";
        return;
    }
    if (rh_le32(b + REGF_B_SEQ1) != rh_le32(b + REGF_B_SEQ2)) {
        l->why = "base block sequence numbers differ";
        return;
    }
    l->seq = rh_le32(b + REGF_B_SEQ1);
    l->ts = rh_le64(b + REGF_B_LASTWRITE);
    l->hbins = rh_le32(b + REGF_B_HBINS_SIZE);
    l->root = rh_le32(b + REGF_B_ROOT);
    l->minor = rh_le32(b + REGF_B_MINOR);
    type = rh_le32(b + REGF_B_TYPE);
    if (type == REGF_TYPE_LOG_NEW) {
        if (l->len <= REGF_LOG_BASE_SIZE + HVLE_REFS) {
            l->why = "no log entries";
            return;
        }
        l->kind = LOG_NEW;
    } else if (type == REGF_TYPE_LOG_OLD || type == REGF_TYPE_LOG_VERYOLD) {
        size_t vec = l->hbins / REGF_HBIN_ALIGN, start = REGF_LOG_BASE_SIZE + 4 + vec;
        start = (start + 511) / 512 * 512;
        if (l->len < REGF_LOG_BASE_SIZE + 4 ||
            !REGF_SIG4(b + REGF_LOG_BASE_SIZE, 'D', 'I', 'R', 'T')) {
            l->why = "no DIRT dirty vector";
            return;
        }
        if (l->len < start + 512) {
            l->why = "no dirty pages";
            return;
        }
        l->kind = LOG_OLD;
    } else {
        l->why = "not a transaction log file type";
    }
}

/* Grow the image so that it holds 4096 + hbins bytes (the file's bytes, then zeros). */
static rh_status grow_image(rh_hive *h, size_t want)
{
    return regf_image_write(h, want, NULL, 0); /* empty write at `want`: extends, saves nothing */
}

/* Validate one HvLE entry at `pos` with the expected sequence number. */
static bool entry_ok(const struct log_file *l, size_t pos, uint32_t expect, uint32_t *size)
{
    const uint8_t *e = l->data + pos;
    uint32_t sz, hb, np;
    if (!rh_fits(l->len, pos, HVLE_REFS) || !REGF_SIG4(e, 'H', 'v', 'L', 'E')) {
        return false;
    }
    sz = rh_le32(e + HVLE_SIZE);
    hb = rh_le32(e + HVLE_HBINS);
    np = rh_le32(e + HVLE_NPAGES);
    if (sz < 512 || sz % 512 != 0 || !rh_fits(l->len, pos, sz) || hb < REGF_HBIN_ALIGN ||
        hb % REGF_HBIN_ALIGN != 0 || np == 0 || (uint64_t)np * 8 > sz - HVLE_REFS) {
        return false;
    }
    if (rh_le32(e + HVLE_SEQ) != expect) {
        return false;
    }
    if (regf_marvin32(e + HVLE_REFS, sz - HVLE_REFS, MARVIN32_SEED) != rh_le64(e + HVLE_HASH1) ||
        regf_marvin32(e, 32, MARVIN32_SEED) != rh_le64(e + HVLE_HASH2)) {
        return false;
    }
    *size = sz;
    return true;
}

struct replay {
    bool have_last;
    uint32_t last_seq;
    uint32_t entries, pages;
};

/* Apply every valid consecutive entry of one new-format log. Returns entries applied. */
static rh_status apply_new(rh_hive *h, const struct log_file *l, struct replay *r, unsigned *n)
{
    size_t pos = REGF_LOG_BASE_SIZE;
    uint32_t expect = l->seq, size;
    unsigned count = 0;
    rh_status st = RH_OK;
    *n = 0;
    h->base.root = l->root;
    h->base.minor = l->minor;
    h->base.last_written = l->ts;
    while (count < rh_ctx_limits(h->ctx)->max_log_entries && entry_ok(l, pos, expect, &size)) {
        const uint8_t *e = l->data + pos;
        uint32_t np = rh_le32(e + HVLE_NPAGES), hb = rh_le32(e + HVLE_HBINS), i;
        size_t src = HVLE_REFS + (size_t)np * 8;
        st = grow_image(h, (size_t)REGF_BASE_SIZE + hb);
        if (st != RH_OK) {
            return st;
        }
        for (i = 0; i < np; i++) {
            uint32_t off = rh_le32(e + HVLE_REFS + 8u * i),
                     psz = rh_le32(e + HVLE_REFS + 8u * i + 4);
            if (!rh_fits(size, src, psz) || !rh_fits(hb, off, psz)) {
                st = rh_diagf(h->ctx, RH_DIAG_ANOMALY, "regf", l->path, (int64_t)pos,
                              "log entry %u: dirty page outside the entry or the hive: skipped",
                              expect);
                if (st != RH_OK) {
                    return st;
                }
                break;
            }
            st = regf_image_write(h, (size_t)REGF_BASE_SIZE + off, e + src, psz);
            if (st != RH_OK) {
                return st;
            }
            src += psz;
            r->pages++;
        }
        h->base.hbins_size = hb;
        r->last_seq = expect;
        r->have_last = true;
        r->entries++;
        count++;
        pos += size;
        expect++;
    }
    *n = count;
    return RH_OK;
}

static rh_status apply_old(rh_hive *h, const struct log_file *l, struct replay *r)
{
    size_t vec = l->hbins / REGF_HBIN_ALIGN, start, i, k = 0;
    const uint8_t *bits = l->data + REGF_LOG_BASE_SIZE + 4;
    rh_status st;
    start = (REGF_LOG_BASE_SIZE + 4 + vec + 511) / 512 * 512;
    st = grow_image(h, (size_t)REGF_BASE_SIZE + l->hbins);
    if (st != RH_OK) {
        return st;
    }
    h->base.root = l->root;
    h->base.minor = l->minor;
    h->base.last_written = l->ts;
    h->base.hbins_size = l->hbins;
    for (i = 0; i < vec * 8; i++) {
        size_t src;
        if (!((bits[i / 8] >> (i % 8)) & 1)) {
            continue;
        }
        src = start + k * 512;
        if (!rh_fits(l->len, src, 512)) {
            return rh_diagf(h->ctx, RH_DIAG_ANOMALY, "regf", l->path, (int64_t)src,
                            "old-format log ends before dirty page %zu: rest not applied", k);
        }
        st = regf_image_write(h, REGF_BASE_SIZE + i * 512, l->data + src, 512);
        if (st != RH_OK) {
            return st;
        }
        k++;
        r->pages++;
    }
    r->last_seq = l->seq;
    r->have_last = true;
    return RH_OK;
}

/* Case-insensitive discovery of <hive>.LOG, .LOG1, .LOG2 in the hive's directory. */
static rh_status discover(rh_hive *h)
{
    const char *slash = strrchr(h->path, '/');
    const char *base = slash ? slash + 1 : h->path;
    size_t blen = strlen(base), n = 0, j;
    char *dir = slash ? rh_strndup(h->ctx, h->path, (size_t)(slash - h->path) + (slash == h->path))
                      : rh_strdup(h->ctx, ".");
    static const char *const sfx[3] = {".LOG", ".LOG1", ".LOG2"};
    char **names = NULL;
    rh_status st;
    if (!dir) {
        return RH_ERR_NOMEM;
    }
    /* Sorted listing: with several case variants (aa.LOG1, AA.log1) the choice is stable. */
    st = rh_dir_list(h->ctx, dir, 1u << 20, &names, &n);
    if (st == RH_ERR_NOMEM) {
        rh_free(h->ctx, dir);
        return st;
    }
    for (j = 0; j < n; j++) {
        size_t len = strlen(names[j]);
        int i;
        if (len <= blen || rh_ascii_casecmp(names[j], blen, base, blen) != 0) {
            continue;
        }
        for (i = 0; i < 3; i++) {
            size_t sl = strlen(sfx[i]);
            if (len == blen + sl && rh_ascii_casecmp(names[j] + blen, sl, sfx[i], sl) == 0 &&
                !h->log_paths[i]) {
                rh_buf p = RH_BUF_INIT(h->ctx);
                if (rh_buf_printf(&p, "%s/%s", dir, names[j]) != RH_OK) {
                    rh_buf_free(&p);
                    rh_dir_list_free(h->ctx, names, n);
                    rh_free(h->ctx, dir);
                    return RH_ERR_NOMEM;
                }
                h->log_paths[i] = p.data;
            }
        }
    }
    rh_dir_list_free(h->ctx, names, n);
    rh_free(h->ctx, dir);
    return RH_OK;
}

/* True if sequence a comes before b (with wrap-around, as yarp does). */
static bool seq_before(uint32_t a, uint32_t b)
{
    return (uint32_t)(b - a) <= 0x7FFFFFFFu && a != b;
}

/* Slot of an explicit log by its suffix (.LOG 0, .LOG1 1, .LOG2 2), or -1. */
static int log_slot(const char *p)
{
    size_t n = strlen(p);
    if (n >= 5 && rh_ascii_casecmp(p + n - 5, 5, ".LOG1", 5) == 0) {
        return 1;
    }
    if (n >= 5 && rh_ascii_casecmp(p + n - 5, 5, ".LOG2", 5) == 0) {
        return 2;
    }
    if (n >= 4 && rh_ascii_casecmp(p + n - 4, 4, ".LOG", 4) == 0) {
        return 0;
    }
    return -1;
}

/* Explicit logs into h->log_paths: slot by suffix if recognisable, else in order. The bytes of
 * in-memory logs (data, lens) follow their paths into mem and memlen. */
static rh_status take_logs(rh_hive *h, const char *const *paths, const void *const *data,
                           const size_t *lens, const void **mem, size_t *memlen)
{
    rh_ctx *ctx = h->ctx;
    unsigned i;
    for (i = 0; i < 3 && paths[i]; i++) {
        int slot = log_slot(paths[i]);
        unsigned k = 0;
        if (slot < 0 || h->log_paths[slot]) {
            while (k < 3 && h->log_paths[k]) {
                k++;
            }
        } else {
            k = (unsigned)slot;
        }
        if (k >= 3) {
            break;
        }
        h->log_paths[k] = rh_strdup(ctx, paths[i]);
        if (!h->log_paths[k]) {
            return RH_ERR_NOMEM;
        }
        if (data) {
            mem[k] = data[i];
            memlen[k] = lens ? lens[i] : 0;
        }
    }
    return RH_OK;
}

/* Load every log of h into logs (the in-memory ones borrowed, else the file) and classify it.
 * An unreadable file is marked LOG_BAD "unreadable"; only running out of memory fails. */
static rh_status read_logs(rh_hive *h, const void *const *mem, const size_t *memlen,
                           struct log_file *logs)
{
    rh_ctx *ctx = h->ctx;
    rh_status st;
    unsigned i;
    for (i = 0; i < 3; i++) {
        if (!h->log_paths[i]) {
            continue;
        }
        logs[i].path = h->log_paths[i];
        if (mem[i]) {
            logs[i].data = mem[i]; /* read only during replay: never copied */
            logs[i].len = memlen[i];
            classify(&logs[i]);
            continue;
        }
        st = rh_read_file(ctx, h->log_paths[i], rh_ctx_limits(ctx)->max_file_size, &logs[i].owned,
                          &logs[i].len);
        logs[i].data = logs[i].owned;
        if (st == RH_ERR_NOMEM) {
            return st;
        }
        if (st != RH_OK) {
            logs[i].why = "unreadable";
            continue;
        }
        classify(&logs[i]);
    }
    return RH_OK;
}

rh_status regf_replay_logs(rh_hive *h, const char *const *paths, const void *const *data,
                           const size_t *lens)
{
    const void *mem[3] = {NULL, NULL, NULL};
    size_t memlen[3] = {0, 0, 0};
    struct log_file logs[3];
    struct replay r = {0};
    rh_status st = RH_OK;
    unsigned i, napplied = 0, n;
    int first = -1, second = -1;
    bool primary_ok = h->info.checksum_ok != 0;
    rh_ctx *ctx = h->ctx;

    memset(logs, 0, sizeof(logs));
    st = paths ? take_logs(h, paths, data, lens, mem, memlen) : discover(h);
    if (st != RH_OK) {
        return st;
    }
    for (i = 0; i < 3; i++) {
        if (h->log_paths[i]) {
            h->info.log_paths[h->info.logs_found++] = h->log_paths[i];
        }
    }
    if (h->info.logs_found == 0) {
        return RH_OK;
    }
    if (!h->info.dirty) {
        snprintf(h->log_status, sizeof(h->log_status),
                 "clean hive: %u transaction log(s) present, not needed", h->info.logs_found);
        return RH_OK;
    }
    st = read_logs(h, mem, memlen, logs);
    if (st != RH_OK) {
        goto out;
    }

    /* Prefer the new format and dual logging (LOG1 + LOG2), then single logs, then old. */
    if (logs[1].kind == LOG_NEW && logs[2].kind == LOG_NEW) {
        bool one_first = !seq_before(logs[2].seq, logs[1].seq);
        first = one_first ? 1 : 2;
        second = one_first ? 2 : 1;
    } else if (logs[1].kind == LOG_NEW) {
        first = 1;
    } else if (logs[2].kind == LOG_NEW) {
        first = 2;
    } else if (logs[0].kind == LOG_NEW) {
        first = 0;
    }
    if (first >= 0) {
        if (second >= 0 && !primary_ok) {
            /* Untrusted primary base block: only the latest log and its base block. */
            first = second;
            second = -1;
        }
        if (primary_ok && seq_before(logs[first].seq, h->info.seq_secondary)) {
            /* First log holds only entries older than the primary: try the other one. */
            if (second >= 0) {
                first = second;
                second = -1;
            } else {
                first = -1;
            }
        }
        if (first >= 0) {
            st = apply_new(h, &logs[first], &r, &n);
            if (st != RH_OK) {
                goto out;
            }
            napplied += n > 0;
            if (second >= 0 && r.have_last && logs[second].seq == r.last_seq + 1) {
                st = apply_new(h, &logs[second], &r, &n);
                if (st != RH_OK) {
                    goto out;
                }
                napplied += n > 0;
            }
        }
    } else {
        int pick = -1;
        uint64_t primary_ts = h->base.last_written;
        if (logs[1].kind == LOG_OLD && logs[2].kind == LOG_OLD) {
            pick = logs[1].ts >= logs[2].ts ? 1 : 2;
        } else if (logs[1].kind == LOG_OLD) {
            pick = 1;
        } else if (logs[2].kind == LOG_OLD) {
            pick = 2;
        } else if (logs[0].kind == LOG_OLD) {
            pick = 0;
        }
        if (pick >= 0 && logs[pick].ts < primary_ts) {
            st = rh_diagf(ctx, RH_DIAG_ANOMALY, "regf", logs[pick].path, REGF_B_LASTWRITE,
                          "old-format log is older than the hive: not applied");
            pick = -1;
            if (st != RH_OK) {
                goto out;
            }
        }
        if (pick >= 0) {
            st = apply_old(h, &logs[pick], &r);
            if (st != RH_OK) {
                goto out;
            }
            napplied = 1;
        }
    }

    h->info.logs_applied = napplied;
    h->info.log_entries_applied = r.entries;
    h->info.log_pages_applied = r.pages;
    if (napplied > 0) {
        h->info.seq_after_replay = r.last_seq;
        h->info.base_block_from_log = !primary_ok;
        snprintf(h->log_status, sizeof(h->log_status),
                 "replayed %u log(s): %u entries, %u pages, sequence now %u", napplied, r.entries,
                 r.pages, r.last_seq);
    } else {
        char why[160] = "";
        size_t off = 0;
        for (i = 0; i < 3; i++) {
            if (logs[i].path && off < sizeof(why)) {
                int w = snprintf(why + off, sizeof(why) - off, "%s%s: %s", off ? "; " : "",
                                 i == 0 ? "LOG" : (i == 1 ? "LOG1" : "LOG2"),
                                 logs[i].kind == LOG_BAD ? logs[i].why : "no applicable entries");
                off += w > 0 ? (size_t)w : 0;
            }
        }
        snprintf(h->log_status, sizeof(h->log_status), "dirty hive, no log applied (%s)", why);
        st = rh_diagf(ctx, RH_DIAG_ANOMALY, "regf", h->path, -1,
                      "dirty hive: transaction logs unusable (%s); reading the hive as it is", why);
    }
out:
    for (i = 0; i < 3; i++) {
        rh_free(ctx, logs[i].owned);
    }
    return st;
}
