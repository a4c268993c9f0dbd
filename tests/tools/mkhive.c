/*
 * mkhive: builds a small, valid REGF hive from a readable TSV description. Used to generate
 * the project's own fixtures (unit tests, fuzz seeds, the demo collection, planted hives).
 *
 * Input lines (tab-separated; '#' starts a comment line):
 *   key    PATH [FILETIME]
 *   value  PATH  NAME  TYPE  DATA
 * PATH is backslash-separated, relative to the root ("" = root). NAME "@" = default value.
 * TYPE: REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ (items separated by '|'), REG_DWORD, REG_QWORD
 * (decimal or 0x..), REG_BINARY / REG_NONE / 0xNNNNNNNN (hex bytes), REG_SZ_RAW (hex bytes
 * stored with type REG_SZ). In NAME and string DATA, "\xNN" escapes a byte (\x00 = NUL),
 * "\\" is a backslash and "\u{NNNN}" a code point.
 * Usage: mkhive [-t FILETIME] [-H FILETIME] [-n ROOTNAME] OUT < spec
 * -t sets the default key timestamp (and the header's), -H only the base block's last-written
 * time (a collection taken after the keys were written).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXK 20000
#define MAXV 20000

struct val {
    char *name; /* UTF-8 */
    uint32_t type;
    uint8_t *data;
    size_t len;
};

struct key {
    char *name;
    int parent;
    int nchild, cap;
    int *child;
    struct val *vals;
    int nvals;
    uint64_t ts;
    uint32_t cell;
};

static struct key keys[MAXK];
static int nkeys;
static uint8_t *img;
static size_t used = 32, cap;
static uint64_t default_ts = 132500000000000000ull; /* 2020-11-17 */
static uint64_t header_ts;                          /* 0 = default_ts */

static void die(const char *m)
{
    fprintf(stderr, "mkhive: %s\n", m);
    exit(1);
}

/* Allocate a cell of n payload bytes; returns its offset relative to the bins. */
static uint32_t cell(size_t n)
{
    size_t sz = (n + 4 + 7) & ~(size_t)7;
    uint32_t off;
    if (used + sz > cap) {
        size_t nc = cap ? cap * 2 : 1 << 16;
        while (nc < used + sz) {
            nc *= 2;
        }
        img = realloc(img, nc);
        if (!img) {
            die("out of memory");
        }
        memset(img + cap, 0, nc - cap);
        cap = nc;
    }
    off = (uint32_t)used;
    {
        int32_t neg = -(int32_t)sz;
        memcpy(img + used, &neg, 4);
    }
    used += sz;
    return off;
}

static void w16(uint32_t off, uint16_t v)
{
    img[off] = (uint8_t)v;
    img[off + 1] = (uint8_t)(v >> 8);
}

static void w32(uint32_t off, uint32_t v)
{
    w16(off, (uint16_t)v);
    w16(off + 2, (uint16_t)(v >> 16));
}

static void w64(uint32_t off, uint64_t v)
{
    w32(off, (uint32_t)v);
    w32(off + 4, (uint32_t)(v >> 32));
}

/* Decode escapes, append UTF-16LE of the UTF-8 text to out; returns byte count. */
static size_t utf16(const char *s, uint8_t *out)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        if (p[0] == '\\' && p[1] == 'x' && p[2] && p[3]) {
            char h[3] = {(char)p[2], (char)p[3], 0};
            cp = (uint32_t)strtoul(h, NULL, 16);
            p += 4;
        } else if (p[0] == '\\' && p[1] == 'u' && p[2] == '{') {
            cp = (uint32_t)strtoul((const char *)p + 3, NULL, 16);
            p = (const unsigned char *)strchr((const char *)p, '}');
            p = p ? p + 1 : (const unsigned char *)"";
        } else if (p[0] == '\\' && p[1] == '\\') {
            cp = '\\';
            p += 2;
        } else if (p[0] < 0x80) {
            cp = *p++;
        } else if ((p[0] & 0xE0) == 0xC0) {
            cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
            p += 2;
        } else if ((p[0] & 0xF0) == 0xE0) {
            cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
            p += 3;
        } else {
            cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
                 (p[3] & 0x3Fu);
            p += 4;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out[n++] = (uint8_t)(0xD800 + (cp >> 10));
            out[n++] = (uint8_t)((0xD800 + (cp >> 10)) >> 8);
            out[n++] = (uint8_t)(0xDC00 + (cp & 0x3FF));
            out[n++] = (uint8_t)((0xDC00 + (cp & 0x3FF)) >> 8);
        } else {
            out[n++] = (uint8_t)cp;
            out[n++] = (uint8_t)(cp >> 8);
        }
    }
    return n;
}

static int upcmp(const char *a, const char *b)
{
    uint8_t ua[2048], ub[2048];
    size_t na = utf16(a, ua), nb = utf16(b, ub), i;
    for (i = 0; i + 1 < na && i + 1 < nb; i += 2) {
        unsigned ca = ua[i] | ua[i + 1] << 8, cb = ub[i] | ub[i + 1] << 8;
        if (ca >= 'a' && ca <= 'z') {
            ca -= 32;
        }
        if (cb >= 'a' && cb <= 'z') {
            cb -= 32;
        }
        if (ca != cb) {
            return ca < cb ? -1 : 1;
        }
    }
    return na < nb ? -1 : na > nb;
}

static int find_or_add(const char *path)
{
    int cur = 0;
    char buf[4096], *save = NULL, *tok;
    snprintf(buf, sizeof(buf), "%s", path);
    for (tok = strtok_r(buf, "\\", &save); tok; tok = strtok_r(NULL, "\\", &save)) {
        int i, found = -1;
        for (i = 0; i < keys[cur].nchild; i++) {
            if (upcmp(keys[keys[cur].child[i]].name, tok) == 0) {
                found = keys[cur].child[i];
            }
        }
        if (found < 0) {
            if (nkeys >= MAXK) {
                die("too many keys");
            }
            found = nkeys++;
            keys[found].name = strdup(tok);
            keys[found].parent = cur;
            keys[found].ts = default_ts;
            if (keys[cur].nchild == keys[cur].cap) {
                keys[cur].cap = keys[cur].cap ? keys[cur].cap * 2 : 4;
                keys[cur].child = realloc(keys[cur].child, sizeof(int) * (size_t)keys[cur].cap);
            }
            keys[cur].child[keys[cur].nchild++] = found;
        }
        cur = found;
    }
    return cur;
}

static int cmp_child(const void *a, const void *b)
{
    return upcmp(keys[*(const int *)a].name, keys[*(const int *)b].name);
}

static void parse_data(struct val *v, const char *type, const char *data)
{
    uint8_t *buf = malloc(strlen(data) * 4 + 8);
    size_t n = 0;
    if (!strcmp(type, "REG_SZ") || !strcmp(type, "REG_EXPAND_SZ")) {
        v->type = type[4] == 'S' ? 1 : 2;
        n = utf16(data, buf);
        buf[n++] = 0;
        buf[n++] = 0;
    } else if (!strcmp(type, "REG_MULTI_SZ")) {
        char *d = strdup(data), *save = NULL, *tok;
        v->type = 7;
        for (tok = strtok_r(d, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
            n += utf16(tok, buf + n);
            buf[n++] = 0;
            buf[n++] = 0;
        }
        buf[n++] = 0;
        buf[n++] = 0;
        free(d);
    } else if (!strcmp(type, "REG_DWORD")) {
        uint32_t x = (uint32_t)strtoul(data, NULL, 0);
        v->type = 4;
        memcpy(buf, &x, 4);
        n = 4;
    } else if (!strcmp(type, "REG_QWORD")) {
        uint64_t x = strtoull(data, NULL, 0);
        v->type = 11;
        memcpy(buf, &x, 8);
        n = 8;
    } else {
        const char *p = data;
        if (!strcmp(type, "REG_BINARY")) {
            v->type = 3;
        } else if (!strcmp(type, "REG_NONE")) {
            v->type = 0;
        } else if (!strcmp(type, "REG_SZ_RAW")) {
            v->type = 1;
        } else {
            v->type = (uint32_t)strtoul(type, NULL, 0);
        }
        while (p[0] && p[1]) {
            char h[3] = {p[0], p[1], 0};
            if (p[0] == ' ' || p[0] == ',') {
                p++;
                continue;
            }
            buf[n++] = (uint8_t)strtoul(h, NULL, 16);
            p += 2;
        }
    }
    v->data = buf;
    v->len = n;
}

static uint32_t write_key(int k, uint32_t parent_cell, uint32_t sk)
{
    struct key *kk = &keys[k];
    uint8_t name[2048];
    size_t nl = utf16(kk->name ? kk->name : "", name), i;
    int ascii = 1, c;
    uint32_t off, list = 0xFFFFFFFFu, vlist = 0xFFFFFFFFu;
    for (i = 0; i < nl; i += 2) {
        if (name[i + 1] != 0 || name[i] == 0) {
            ascii = 0;
        }
    }
    off = cell(0x4C + (ascii ? nl / 2 : nl));
    kk->cell = off;
    memcpy(img + off + 4, "nk", 2);
    w16(off + 4 + 2, (uint16_t)((k == 0 ? 0x2C : 0x20) & (ascii ? 0xFF : ~0x20)));
    w64(off + 4 + 4, kk->ts);
    w32(off + 4 + 0x10, parent_cell);
    w32(off + 4 + 0x14, (uint32_t)kk->nchild);
    w32(off + 4 + 0x1C, 0xFFFFFFFFu);
    w32(off + 4 + 0x24, (uint32_t)kk->nvals);
    w32(off + 4 + 0x28, 0xFFFFFFFFu);
    w32(off + 4 + 0x2C, sk);
    w32(off + 4 + 0x30, 0xFFFFFFFFu);
    w16(off + 4 + 0x48, (uint16_t)(ascii ? nl / 2 : nl));
    for (i = 0; i < (ascii ? nl / 2 : nl); i++) {
        img[off + 4 + 0x4C + i] = ascii ? name[2 * i] : name[i];
    }
    if (kk->nvals) {
        vlist = cell(4u * (uint32_t)kk->nvals);
        for (c = 0; c < kk->nvals; c++) {
            struct val *v = &kk->vals[c];
            uint8_t vn[2048];
            size_t vnl = strcmp(v->name, "@") ? utf16(v->name, vn) : 0, j;
            int vascii = 1;
            uint32_t vo;
            for (j = 0; j < vnl; j += 2) {
                if (vn[j + 1] != 0 || vn[j] == 0) {
                    vascii = 0;
                }
            }
            vo = cell(0x14 + (vascii ? vnl / 2 : vnl));
            w32(vlist + 4 + 4u * (uint32_t)c, vo);
            memcpy(img + vo + 4, "vk", 2);
            w16(vo + 4 + 2, (uint16_t)(vascii ? vnl / 2 : vnl));
            w32(vo + 4 + 0x0C, v->type);
            w16(vo + 4 + 0x10, (uint16_t)(vascii ? 1 : 0));
            for (j = 0; j < (vascii ? vnl / 2 : vnl); j++) {
                img[vo + 4 + 0x14 + j] = vascii ? vn[2 * j] : vn[j];
            }
            if (v->len <= 4) {
                w32(vo + 4 + 4, 0x80000000u | (uint32_t)v->len);
                memcpy(img + vo + 4 + 8, v->data, v->len);
            } else if (v->len <= 16344) {
                uint32_t d = cell(v->len);
                w32(vo + 4 + 4, (uint32_t)v->len);
                w32(vo + 4 + 8, d);
                memcpy(img + d + 4, v->data, v->len);
            } else {
                size_t nseg = (v->len + 16343) / 16344, s;
                uint32_t db = cell(8), sl = cell(4 * nseg);
                w32(vo + 4 + 4, (uint32_t)v->len);
                w32(vo + 4 + 8, db);
                memcpy(img + db + 4, "db", 2);
                w16(db + 4 + 2, (uint16_t)nseg);
                w32(db + 4 + 4, sl);
                for (s = 0; s < nseg; s++) {
                    size_t take = v->len - s * 16344 < 16344 ? v->len - s * 16344 : 16344;
                    uint32_t seg = cell(16344);
                    w32(sl + 4 + 4 * (uint32_t)s, seg);
                    memcpy(img + seg + 4, v->data + s * 16344, take);
                }
            }
        }
        w32(off + 4 + 0x28, vlist);
    }
    if (kk->nchild) {
        qsort(kk->child, (size_t)kk->nchild, sizeof(int), cmp_child);
        list = cell(4 + 8u * (uint32_t)kk->nchild);
        memcpy(img + list + 4, "lf", 2);
        w16(list + 4 + 2, (uint16_t)kk->nchild);
        w32(off + 4 + 0x1C, list);
        for (c = 0; c < kk->nchild; c++) {
            uint32_t co = write_key(kk->child[c], off, sk);
            w32(list + 4 + 4 + 8u * (uint32_t)c, co);
            memcpy(img + list + 4 + 8 + 8u * (uint32_t)c, keys[kk->child[c]].name,
                   strlen(keys[kk->child[c]].name) < 4 ? strlen(keys[kk->child[c]].name) : 4);
        }
    }
    return off;
}

int main(int argc, char **argv)
{
    char line[65536];
    const char *out = NULL, *rootname = "ROOT";
    FILE *f;
    uint8_t base[4096];
    uint32_t sk, x = 0, hb;
    size_t i, bins;
    int a;
    for (a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "-t") && a + 1 < argc) {
            default_ts = strtoull(argv[++a], NULL, 0);
        } else if (!strcmp(argv[a], "-H") && a + 1 < argc) {
            header_ts = strtoull(argv[++a], NULL, 0);
        } else if (!strcmp(argv[a], "-n") && a + 1 < argc) {
            rootname = argv[++a];
        } else {
            out = argv[a];
        }
    }
    if (!out) {
        die("usage: mkhive [-t FILETIME] [-n ROOTNAME] OUT < spec.tsv");
    }
    keys[0].name = strdup(rootname);
    keys[0].parent = -1;
    keys[0].ts = default_ts;
    nkeys = 1;
    while (fgets(line, sizeof(line), stdin)) {
        char *f1, *f2, *f3, *f4, *f5, *save = NULL;
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#') {
            continue;
        }
        f1 = strtok_r(line, "\t", &save);
        f2 = strtok_r(NULL, "\t", &save);
        if (!f1) {
            continue;
        }
        if (!f2) {
            f2 = "";
        }
        if (!strcmp(f1, "key")) {
            int k = find_or_add(f2);
            f3 = strtok_r(NULL, "\t", &save);
            if (f3) {
                keys[k].ts = strtoull(f3, NULL, 0);
            }
        } else if (!strcmp(f1, "value")) {
            int k;
            struct val *v;
            if (!strcmp(f2, "-")) {
                f2 = "";
            }
            k = find_or_add(f2);
            f3 = strtok_r(NULL, "\t", &save);
            f4 = strtok_r(NULL, "\t", &save);
            f5 = strtok_r(NULL, "\t", &save);
            if (!f3 || !f4) {
                die("value needs PATH NAME TYPE DATA");
            }
            keys[k].vals = realloc(keys[k].vals, sizeof(struct val) * (size_t)(keys[k].nvals + 1));
            v = &keys[k].vals[keys[k].nvals++];
            v->name = strdup(f3);
            parse_data(v, f4, f5 ? f5 : "");
        } else {
            die("unknown line type (key, value)");
        }
    }
    /* First hbin header is written at the end; the sk cell comes first. */
    sk = cell(0x14 + 20 + 16);
    memcpy(img + sk + 4, "sk", 2);
    w32(sk + 4 + 4, sk);
    w32(sk + 4 + 8, sk);
    w32(sk + 4 + 0x0C, (uint32_t)nkeys);
    w32(sk + 4 + 0x10, 20 + 16);
    img[sk + 4 + 0x14] = 1;      /* revision */
    w16(sk + 4 + 0x16, 0x8004);  /* SE_SELF_RELATIVE | DACL present */
    w32(sk + 4 + 0x18, 20);      /* owner at 20 */
    img[sk + 4 + 0x14 + 20] = 1; /* S-1-5-32-544 */
    img[sk + 4 + 0x14 + 21] = 2;
    img[sk + 4 + 0x14 + 27] = 5;
    w32(sk + 4 + 0x14 + 28, 32);
    w32(sk + 4 + 0x14 + 32 - 0, 544);
    write_key(0, 0xFFFFFFFFu, sk);
    /* One hbin covering everything, rounded to 4096, tail as a free cell. */
    bins = (used + 4095) & ~(size_t)4095;
    if (bins == used) {
        bins += 4096;
    }
    cell(0);
    used -= 8;
    if (bins > cap) {
        img = realloc(img, bins);
        memset(img + cap, 0, bins - cap);
        cap = bins;
    }
    {
        int32_t fr = (int32_t)(bins - used);
        memcpy(img + used, &fr, 4);
    }
    memcpy(img, "hbin", 4);
    w32(4, 0);
    w32(8, (uint32_t)bins);
    w64(20, default_ts);
    memset(base, 0, sizeof(base));
    memcpy(base, "regf", 4);
    base[4] = base[8] = 1;
    if (!header_ts) {
        header_ts = default_ts;
    }
    memcpy(base + 12, &header_ts, 8);
    base[20] = 1;
    base[24] = 5;
    base[32] = 1;
    hb = (uint32_t)bins;
    memcpy(base + 36, &keys[0].cell, 4);
    memcpy(base + 40, &hb, 4);
    base[44] = 1;
    for (i = 0; i < 508; i += 4) {
        uint32_t d;
        memcpy(&d, base + i, 4);
        x ^= d;
    }
    if (x == 0) {
        x = 1;
    } else if (x == 0xFFFFFFFFu) {
        x = 0xFFFFFFFEu;
    }
    memcpy(base + 508, &x, 4);
    f = fopen(out, "wb");
    if (!f || fwrite(base, 1, 4096, f) != 4096 || fwrite(img, 1, bins, f) != bins ||
        fclose(f) != 0) {
        die("cannot write output");
    }
    return 0;
}
