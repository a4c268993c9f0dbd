/*
 * The planted-hive suite without hives: every row of tests/data/planted/planted.tsv goes
 * through rh_kb_match + rh_score_value. Malicious rows must match their location (most
 * specific match first), carry the expected technique and reach min_risk; benign rows must
 * stay at or below max_risk. Every kb location must have a malicious row.
 */
#include "rh_test.h"

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

static int verbose;

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

int main(int argc, char **argv)
{
    rh_ctx *ctx = NULL;
    rh_kb *kb = NULL;
    FILE *fp;
    char line[8192];
    int lineno = 0, rows = 0;
    unsigned char *covered;
    size_t i;
    verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    RH_CHECK_EQ(rh_ctx_create(NULL, &ctx), RH_OK);
    RH_CHECK_EQ(rh_kb_create(ctx, &kb), RH_OK);
    covered = calloc(rh_kb_count(kb), 1);
    fp = fopen(RH_SOURCE_DIR "/tests/data/planted/planted.tsv", "r");
    RH_CHECK(fp != NULL);
    while (fp && fgets(line, sizeof(line), fp)) {
        char *col[13], *p = line, *tab;
        int nc = 0;
        size_t l = strlen(line);
        lineno++;
        if (l && line[l - 1] == '\n') {
            line[--l] = '\0';
        }
        if (line[0] == '#' || strncmp(line, "kind\t", 5) == 0 || !line[0]) {
            continue;
        }
        while (nc < 12 && (tab = strchr(p, '\t')) != NULL) {
            *tab = '\0';
            col[nc++] = p;
            p = tab + 1;
        }
        col[nc++] = p;
        if (nc != 13) {
            fprintf(stderr, "planted.tsv:%d: %d columns\n", lineno, nc);
            RH_CHECK(0);
            continue;
        }
        rows++;
        {
            int malicious = strcmp(col[0], "malicious") == 0;
            rh_kb_hive hive;
            char name[256];
            size_t name_len;
            uint8_t data[4096];
            rh_score_input in;
            rh_score_result res;
            rh_comdb *db = NULL;
            struct fake f;
            const rh_kb_location *m[16];
            size_t nm = 0;
            rh_risk lim;
            RH_CHECK_EQ(rh_kb_hive_parse(col[2], &hive), RH_OK);
            if (strstr(col[11], "name_nul_prefix")) {
                name[0] = '\0';
                snprintf(name + 1, sizeof(name) - 1, "%s", col[4]);
                name_len = strlen(col[4]) + 1;
            } else {
                snprintf(name, sizeof(name), "%s", col[4]);
                name_len = strlen(name);
            }
            RH_CHECK_EQ(rh_kb_match(kb, hive, col[3], strlen(col[3]), name, name_len, m, 16, &nm),
                        RH_OK);
            if (strcmp(col[1], "-") == 0) {
                if (nm != 0) {
                    fprintf(stderr, "planted.tsv:%d: expected no location, got %s\n", lineno,
                            m[0]->id);
                }
                RH_CHECK_EQ(nm, 0);
                continue;
            }
            if (nm == 0 || strcmp(m[0]->id, col[1]) != 0) {
                fprintf(stderr, "planted.tsv:%d: expected location %s, got %s\n", lineno, col[1],
                        nm ? m[0]->id : "(none)");
                RH_CHECK(0);
                continue;
            }
            covered[(size_t)(m[0] - rh_kb_at(kb, 0))] |= malicious ? 1 : 0;
            RH_CHECK_EQ(rh_comdb_create(ctx, &db), RH_OK);
            parse_context(col[10], db, &f);
            memset(&in, 0, sizeof(in));
            in.loc = m[0];
            in.hive = hive;
            in.key_path = col[3];
            in.key_len = strlen(col[3]);
            in.value_name = name;
            in.name_len = name_len;
            in.data.type = type_of(col[5]);
            in.data.len = encode(in.data.type, col[6], data, sizeof(data));
            in.data.data = data;
            in.machine_com = db;
            in.lookup = fake_lookup;
            in.lookup_user = &f;
            in.build = f.build;
            if (strstr(col[11], "deleted")) {
                in.value_flags |= RH_SCORE_DELETED;
            }
            RH_CHECK_EQ(rh_score_value(ctx, &in, &res), RH_OK);
            if (malicious) {
                RH_CHECK_EQ(rh_risk_parse(col[8], &lim), RH_OK);
                if (res.risk < lim || strcmp(res.technique, col[7]) != 0) {
                    fprintf(stderr,
                            "planted.tsv:%d %s: risk %s (min %s) technique %s (want %s): %s\n",
                            lineno, col[1], rh_risk_name(res.risk), col[8], res.technique, col[7],
                            res.reasons);
                }
                RH_CHECK(res.risk >= lim);
                RH_CHECK_STR(res.technique, col[7]);
                RH_CHECK(res.nreasons > 0);
            } else {
                RH_CHECK_EQ(rh_risk_parse(col[9], &lim), RH_OK);
                if (res.risk > lim) {
                    fprintf(stderr, "planted.tsv:%d %s (benign): risk %s (max %s): %s\n", lineno,
                            col[1], rh_risk_name(res.risk), col[9], res.reasons);
                }
                RH_CHECK(res.risk <= lim);
                RH_CHECK(res.risk < RH_RISK_HIGH);
            }
            if (verbose) {
                printf("%-5s %-36s %-8s %-6s %s\n", malicious ? "MAL" : "ok", col[1],
                       rh_risk_name(res.risk), rh_confidence_name(res.confidence), res.reasons);
            }
            RH_CHECK(res.action_text != NULL);
            rh_score_result_free(ctx, &res);
            rh_comdb_destroy(db);
        }
    }
    if (fp) {
        fclose(fp);
    }
    for (i = 0; i < rh_kb_count(kb); i++) {
        if (!covered[i]) {
            fprintf(stderr, "no malicious planted row for location %s\n", rh_kb_at(kb, i)->id);
        }
        RH_CHECK(covered[i]);
    }
    RH_CHECK(rows > 300);
    free(covered);
    rh_kb_destroy(kb);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_score_planted");
}
