/*
 * Scoring one test row without a hive, shared by test_score_planted and test_score_reasons:
 * the planted.tsv columns (hive, key, value, type, data) and context items (`com|{CLSID}|kind|
 * server`, `progid|name|{CLSID}`, `val|HIVE|key|name|TYPE|data` for related values,
 * `build|N`) become one rh_score_input. Data: DWORD/QWORD in C notation, binary as hex,
 * MULTI_SZ items separated by `|`.
 */
#ifndef RH_TEST_SCORE_ROWS_H
#define RH_TEST_SCORE_ROWS_H

#include "common/common.h"

#define MAX_VALS 8

struct fake_val {
    rh_kb_hive hive;
    char key[512], name[128];
    uint32_t type;
    uint8_t data[512];
    size_t len;
};

struct fake {
    struct fake_val v[MAX_VALS];
    size_t n;
    rh_win_family build; /* context item build|N: the host's CurrentBuildNumber */
};

static rh_status fake_lookup(void *user, rh_kb_hive hive, const char *key, const char *name,
                             uint32_t *type, rh_buf *out)
{
    struct fake *f = user;
    size_t i;
    for (i = 0; i < f->n; i++) {
        if (f->v[i].hive == hive &&
            rh_ascii_casecmp(f->v[i].key, strlen(f->v[i].key), key, strlen(key)) == 0 &&
            rh_ascii_casecmp(f->v[i].name, strlen(f->v[i].name), name, strlen(name)) == 0) {
            *type = f->v[i].type;
            return rh_buf_append(out, f->v[i].data, f->v[i].len);
        }
    }
    return RH_NOT_FOUND;
}

static uint32_t type_of(const char *t)
{
    static const char *const names[] = {"REG_NONE",   "REG_SZ",      "REG_EXPAND_SZ",
                                        "REG_BINARY", "REG_DWORD",   "REG_DWORD_BIG_ENDIAN",
                                        "REG_LINK",   "REG_MULTI_SZ"};
    uint32_t i;
    for (i = 0; i < 8; i++) {
        if (strcmp(t, names[i]) == 0) {
            return i;
        }
    }
    return strcmp(t, "REG_QWORD") == 0 ? 11u : 0u;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Encode planted data into the decoded rh_regdata form. */
static size_t encode(uint32_t type, const char *s, uint8_t *out, size_t cap)
{
    size_t n = strlen(s), i, o = 0;
    if (type == RH_REGTYPE_DWORD || type == RH_REGTYPE_QWORD) {
        unsigned long long v = strtoull(s, NULL, 0);
        size_t w = type == RH_REGTYPE_DWORD ? 4 : 8;
        for (i = 0; i < w; i++) {
            out[i] = (uint8_t)(v >> (8 * i));
        }
        return w;
    }
    if (type == RH_REGTYPE_BINARY) {
        for (i = 0; i + 1 < n && o < cap; i += 2) {
            out[o++] = (uint8_t)(hexval(s[i]) * 16 + hexval(s[i + 1]));
        }
        return o;
    }
    if (type == RH_REGTYPE_MULTI_SZ) {
        for (i = 0; i < n && o + 1 < cap; i++) {
            out[o++] = s[i] == '|' ? '\0' : (uint8_t)s[i];
        }
        out[o++] = '\0';
        return o;
    }
    if (n > cap) {
        n = cap;
    }
    memcpy(out, s, n);
    return n;
}

static void parse_context(const char *ctxs, rh_comdb *db, struct fake *f)
{
    char buf[2048];
    char *item, *next;
    snprintf(buf, sizeof(buf), "%s", ctxs);
    f->n = 0;
    f->build = RH_WIN_UNKNOWN;
    for (item = buf; item; item = next) {
        next = strchr(item, ';');
        if (next) {
            *next++ = '\0';
        }
        char *field[8];
        int nf = 0;
        char *p = item, *bar;
        while (*p == ' ') {
            p++;
        }
        if (!*p) {
            continue;
        }
        while (nf < 7 && (bar = strchr(p, '|')) != NULL) {
            *bar = '\0';
            field[nf++] = p;
            p = bar + 1;
        }
        field[nf++] = p;
        {
            size_t l = strlen(field[nf - 1]);
            while (l && field[nf - 1][l - 1] == ' ') {
                field[nf - 1][--l] = '\0';
            }
        }
        if (strcmp(field[0], "com") == 0 && nf == 4) {
            rh_com_server k = strcmp(field[2], "local") == 0     ? RH_COM_LOCAL
                              : strcmp(field[2], "handler") == 0 ? RH_COM_HANDLER
                              : strcmp(field[2], "treatas") == 0 ? RH_COM_TREATAS
                                                                 : RH_COM_INPROC;
            RH_CHECK_EQ(rh_comdb_add(db, field[1], k, field[3]), RH_OK);
        } else if (strcmp(field[0], "progid") == 0 && nf == 3) {
            RH_CHECK_EQ(rh_comdb_add_progid(db, field[1], field[2]), RH_OK);
        } else if (strcmp(field[0], "build") == 0 && nf == 2) {
            f->build = rh_win_family_from_build((uint32_t)strtoul(field[1], NULL, 10));
        } else if (strcmp(field[0], "val") == 0 && nf == 6 && f->n < MAX_VALS) {
            struct fake_val *v = &f->v[f->n++];
            RH_CHECK_EQ(rh_kb_hive_parse(field[1], &v->hive), RH_OK);
            snprintf(v->key, sizeof(v->key), "%s", field[2]);
            snprintf(v->name, sizeof(v->name), "%s", field[3]);
            v->type = type_of(field[4]);
            v->len = encode(v->type, field[5], v->data, sizeof(v->data));
        } else {
            fprintf(stderr, "bad context item: %s\n", item);
            RH_CHECK(0);
        }
    }
}

/* Split one TSV line in place (the trailing newline removed) into at most max columns. */
static int row_split(char *line, char **col, int max)
{
    char *p = line, *tab;
    int nc = 0;
    size_t l = strlen(line);
    if (l && line[l - 1] == '\n') {
        line[--l] = '\0';
    }
    while (nc < max - 1 && (tab = strchr(p, '\t')) != NULL) {
        *tab = '\0';
        col[nc++] = p;
        p = tab + 1;
    }
    col[nc++] = p;
    return nc;
}

/* FILETIME of 2026-01-01T00:00:00Z: the key last-write time of rows with an `age=` flag. */
#define ROW_T0  134116992000000000ull
#define ROW_DAY 864000000000ull

struct score_row {
    char name[256];
    size_t name_len;
    uint8_t data[4096];
    struct fake f;
    rh_comdb *db;
    rh_score_input in;
};

/* The value name; flag name_nul_prefix hides it behind a leading NUL. */
static void score_row_name(struct score_row *r, const char *value, const char *flags)
{
    if (strstr(flags, "name_nul_prefix")) {
        r->name[0] = '\0';
        snprintf(r->name + 1, sizeof(r->name) - 1, "%s", value);
        r->name_len = strlen(value) + 1;
    } else {
        snprintf(r->name, sizeof(r->name), "%s", value);
        r->name_len = strlen(r->name);
    }
}

/* Parse the hive, set the value name (score_row_name) and match the key and value: the
 * number of matching locations in m, most specific first. */
static size_t score_row_match(rh_kb *kb, struct score_row *r, const char *hive_name,
                              const char *key, const char *value, const char *flags,
                              rh_kb_hive *hive, const rh_kb_location **m, size_t cap)
{
    size_t nm = 0;
    RH_CHECK_EQ(rh_kb_hive_parse(hive_name, hive), RH_OK);
    score_row_name(r, value, flags);
    RH_CHECK_EQ(rh_kb_match(kb, *hive, key, strlen(key), r->name, r->name_len, m, cap, &nm), RH_OK);
    return nm;
}

/* Fill r->in for one row at `loc` (after score_row_name). Flags (comma- or space-separated
 * words): deleted, replay, allowlist, baseline, nolookup (related values unknown), nocom
 * (machine COM registrations unknown), age=DAYS (reference time DAYS after the key's last
 * write; negative: the key was written after it). Free with score_row_free. */
static void score_row_fill(rh_ctx *ctx, struct score_row *r, const rh_kb_location *loc,
                           rh_kb_hive hive, const char *key, const char *type, const char *data,
                           const char *context, const char *flags)
{
    const char *age = strstr(flags, "age=");
    RH_CHECK_EQ(rh_comdb_create(ctx, &r->db), RH_OK);
    parse_context(context, r->db, &r->f);
    memset(&r->in, 0, sizeof(r->in));
    r->in.loc = loc;
    r->in.hive = hive;
    r->in.key_path = key;
    r->in.key_len = strlen(key);
    r->in.value_name = r->name;
    r->in.name_len = r->name_len;
    r->in.data.type = type_of(type);
    r->in.data.len = encode(r->in.data.type, data, r->data, sizeof(r->data));
    r->in.data.data = r->data;
    r->in.machine_com = strstr(flags, "nocom") ? NULL : r->db;
    r->in.lookup = strstr(flags, "nolookup") ? NULL : fake_lookup;
    r->in.lookup_user = &r->f;
    r->in.build = r->f.build;
    r->in.value_flags = (strstr(flags, "deleted") ? RH_SCORE_DELETED : 0u) |
                        (strstr(flags, "replay") ? RH_SCORE_FROM_REPLAY : 0u);
    r->in.in_allowlist = strstr(flags, "allowlist") != NULL;
    r->in.in_baseline = strstr(flags, "baseline") != NULL;
    if (age) {
        long days = strtol(age + 4, NULL, 10);
        r->in.key_last_write = ROW_T0;
        r->in.reference_time = (uint64_t)((int64_t)ROW_T0 + (int64_t)days * (int64_t)ROW_DAY);
    }
}

static void score_row_free(struct score_row *r)
{
    rh_comdb_destroy(r->db);
    r->db = NULL;
}

#endif
