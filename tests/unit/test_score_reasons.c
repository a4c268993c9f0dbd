/*
 * Every scoring reason is a fact about the data: tests/data/score_reasons.tsv holds, for each
 * reason the scorer can give, at least one row where it must be given and one where it must
 * not (a near miss: iscsiexe.dll is not "inline script code"). The reasons are read from the
 * scorer's sources (sc_reason formats, the feature table, the target-class reasons), so a new
 * reason without both tests fails here, and an expectation naming no known reason (a typo
 * that would make a "must not" check vacuous) fails too.
 *
 * Row: location, hive, key, value, type, data, context, flags, then one or more expectations:
 * `+FORMAT` (some reason matches FORMAT, printf conversions match any text) or `-FORMAT`.
 * `test_score_reasons --formats` lists the reasons found in the sources.
 */
#include <dirent.h>

#include "rh_test.h"

#include "score_rows.h"

#define MAX_FORMATS 256

static char *formats[MAX_FORMATS];
static unsigned char seen[MAX_FORMATS]; /* bit 1: must-fire row, bit 2: must-not row */
static size_t nformats;

static int verbose;

/* ---- reasons in the sources ---------------------------------------------------------------- */

/* The concatenated string literals at p ("a" "b"), unescaped, into a new string; NULL when p
 * does not start with a literal. *end is set past the last literal. */
static char *literal_at(const char *p, const char **end)
{
    char buf[1024];
    size_t o = 0;
    while (*p == ' ' || *p == '\n' || *p == '\t') {
        p++;
    }
    if (*p != '"') {
        return NULL;
    }
    while (*p == '"') {
        p++;
        while (*p && *p != '"' && o + 1 < sizeof(buf)) {
            if (*p == '\\' && p[1]) {
                p++;
            }
            buf[o++] = *p++;
        }
        if (*p == '"') {
            p++;
        }
        while (*p == ' ' || *p == '\n' || *p == '\t') {
            p++;
        }
    }
    buf[o] = '\0';
    *end = p;
    return strdup(buf);
}

/* 1 when the format has text besides its conversions ("%s" alone is a table reason). */
static int has_text(const char *f)
{
    for (; *f; f++) {
        if (*f == '%' && f[1] != '%') {
            f++;
            while (*f && strchr("-+ #0123456789.lhzjt", *f)) {
                f++;
            }
            if (!*f) {
                break;
            }
            continue;
        }
        return 1;
    }
    return 0;
}

/* A reason used verbatim (through "%s"): its percent signs are text. */
static char *as_format(char *lit)
{
    char *f;
    size_t i, o = 0;
    if (!lit) {
        return NULL;
    }
    f = malloc(2 * strlen(lit) + 1);
    for (i = 0; f && lit[i]; i++) {
        if (lit[i] == '%') {
            f[o++] = '%';
        }
        f[o++] = lit[i];
    }
    if (f) {
        f[o] = '\0';
    }
    free(lit);
    return f;
}

static void add_format(char *f)
{
    size_t i;
    if (!f || !has_text(f)) {
        free(f);
        return;
    }
    for (i = 0; i < nformats; i++) {
        if (strcmp(formats[i], f) == 0) {
            free(f);
            return;
        }
    }
    RH_CHECK(nformats < MAX_FORMATS);
    if (nformats < MAX_FORMATS) {
        formats[nformats++] = f;
    } else {
        free(f);
    }
}

/* A source file as a NUL-terminated string (NULL when unreadable). */
static char *read_text(const char *path)
{
    uint8_t *d = NULL;
    size_t n = 0;
    char *t;
    if (rh_read_file_for_test(NULL, path, &d, &n) != 0) {
        return NULL;
    }
    t = malloc(n + 1);
    if (t) {
        memcpy(t, d, n);
        t[n] = '\0';
    }
    free(d);
    return t;
}

/* Reasons of one source file: sc_reason(s, "format", ...), feature-table rows
 * {RH_FEAT_X, points, "reason"}, and the literals class_reason() returns. */
static void scan_source(const char *text)
{
    const char *p = text, *end;
    while ((p = strstr(p, "sc_reason(")) != NULL) {
        const char *comma = strchr(p, ',');
        p += 10;
        if (comma && comma - p < 8) {
            add_format(literal_at(comma + 1, &end));
        }
    }
    for (p = text; (p = strstr(p, "{RH_FEAT_")) != NULL; p++) {
        const char *c1 = strchr(p, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (c2 && strchr(p, '}') > c2) {
            add_format(as_format(literal_at(c2 + 1, &end)));
        }
    }
    if ((p = strstr(text, "static const char *class_reason(")) != NULL) {
        const char *stop = strstr(p, "\n}\n");
        while ((p = strstr(p, "return \"")) != NULL && stop && p < stop) {
            add_format(as_format(literal_at(p + 7, &end)));
            p = end;
        }
    }
}

static void scan_sources(void)
{
    DIR *d = opendir(RH_SOURCE_DIR "/src/score");
    struct dirent *e;
    RH_CHECK(d != NULL);
    while (d && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        char path[1024];
        char *text;
        if (l < 3 || strcmp(e->d_name + l - 2, ".c") != 0) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/src/score/%s", RH_SOURCE_DIR, e->d_name);
        text = read_text(path);
        RH_CHECK(text != NULL);
        if (text) {
            scan_source(text);
            free(text);
        }
    }
    if (d) {
        closedir(d);
    }
}

/* ---- matching a reason against a format ----------------------------------------------------- */

/* printf format f against text s[0..n): conversions match any text, %% a percent sign. */
static int fmt_match(const char *f, const char *s, size_t n)
{
    while (*f) {
        if (*f == '%' && f[1] == '%') {
            if (!n || *s != '%') {
                return 0;
            }
            f += 2;
            s++;
            n--;
        } else if (*f == '%') {
            size_t k;
            f++;
            while (*f && strchr("-+ #0123456789.lhzjt", *f)) {
                f++;
            }
            if (*f) {
                f++;
            }
            for (k = 0; k <= n; k++) {
                if (fmt_match(f, s + k, n - k)) {
                    return 1;
                }
            }
            return 0;
        } else {
            if (!n || *f != *s) {
                return 0;
            }
            f++;
            s++;
            n--;
        }
    }
    return n == 0;
}

/* 1 when some reason matches the format. Reasons are joined by "; " and may contain it
 * themselves ("...usual folder; verify its signer"), so every run of whole pieces is tried. */
static int has_reason(const char *reasons, const char *fmt)
{
    const char *p = reasons;
    size_t total = strlen(reasons);
    for (;;) {
        const char *q = p;
        for (;;) {
            const char *e = strstr(q, "; ");
            size_t n = e ? (size_t)(e - p) : (size_t)(reasons + total - p);
            if (fmt_match(fmt, p, n)) {
                return 1;
            }
            if (!e) {
                break;
            }
            q = e + 2;
        }
        p = strstr(p, "; ");
        if (!p) {
            return 0;
        }
        p += 2;
    }
}

/* ---- the rows ------------------------------------------------------------------------------ */

static void run_row(rh_ctx *ctx, rh_kb *kb, int lineno, char **col, int nc)
{
    rh_kb_hive hive;
    struct score_row r;
    rh_score_result res;
    const rh_kb_location *m[16];
    size_t nm = score_row_match(kb, &r, col[1], col[2], col[3], col[7], &hive, m, 16);
    int i;
    if (nm == 0 || strcmp(m[0]->id, col[0]) != 0) {
        fprintf(stderr, "score_reasons.tsv:%d: expected location %s, got %s\n", lineno, col[0],
                nm ? m[0]->id : "(none)");
        RH_CHECK(0);
        return;
    }
    score_row_fill(ctx, &r, m[0], hive, col[2], col[4], col[5], col[6], col[7]);
    RH_CHECK_EQ(rh_score_value(ctx, &r.in, &res), RH_OK);
    if (verbose) {
        printf("%d %s: %s\n", lineno, col[0], res.reasons);
    }
    for (i = 8; i < nc; i++) {
        const char *fmt = col[i] + 1;
        int want = col[i][0] == '+';
        size_t k;
        if (col[i][0] != '+' && col[i][0] != '-') {
            fprintf(stderr, "score_reasons.tsv:%d: expectation without +/-: %s\n", lineno, col[i]);
            RH_CHECK(0);
            continue;
        }
        for (k = 0; k < nformats && strcmp(formats[k], fmt) != 0; k++) {
        }
        if (k == nformats) {
            fprintf(stderr, "score_reasons.tsv:%d: no scoring reason \"%s\" in src/score\n", lineno,
                    fmt);
            RH_CHECK(0);
            continue;
        }
        seen[k] |= want ? 1 : 2;
        if (has_reason(res.reasons, fmt) != want) {
            fprintf(stderr, "score_reasons.tsv:%d %s: reason \"%s\" %s: %s\n", lineno, col[0], fmt,
                    want ? "missing" : "given", res.reasons);
        }
        RH_CHECK_EQ(has_reason(res.reasons, fmt), want);
    }
    rh_score_result_free(ctx, &res);
    score_row_free(&r);
}

int main(int argc, char **argv)
{
    rh_ctx *ctx = NULL;
    rh_kb *kb = NULL;
    FILE *fp;
    char line[8192];
    int lineno = 0;
    size_t i;
    verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    scan_sources();
    if (argc > 1 && strcmp(argv[1], "--formats") == 0) {
        for (i = 0; i < nformats; i++) {
            printf("%s\n", formats[i]);
        }
        return 0;
    }
    RH_CHECK(nformats > 100); /* the scan found the scorer's reasons */
    RH_CHECK(has_reason("a; target in System32; b", "target in System32"));
    RH_CHECK(!has_reason("target in System32x", "target in System32"));
    RH_CHECK(!has_reason("a target in System32", "target in System32"));
    RH_CHECK(has_reason("x; known (HP) in its usual folder; verify its signer; y",
                        "known (%s) in its usual folder; verify its signer"));
    RH_CHECK(has_reason("LOLBin rundll32", "LOLBin %s"));
    RH_CHECK(has_reason("value 5 differs from the Windows default 0",
                        "value %s differs from the Windows default %s"));
    RH_CHECK_EQ(rh_ctx_create(NULL, &ctx), RH_OK);
    RH_CHECK_EQ(rh_kb_create(ctx, &kb), RH_OK);
    fp = fopen(RH_SOURCE_DIR "/tests/data/score_reasons.tsv", "r");
    RH_CHECK(fp != NULL);
    while (fp && fgets(line, sizeof(line), fp)) {
        char *col[40];
        int nc;
        lineno++;
        if (line[0] == '#' || line[0] == '\n' || !line[0]) {
            continue;
        }
        nc = row_split(line, col, 40);
        if (nc < 9) {
            fprintf(stderr, "score_reasons.tsv:%d: %d columns (want 8 and expectations)\n", lineno,
                    nc);
            RH_CHECK(0);
            continue;
        }
        run_row(ctx, kb, lineno, col, nc);
    }
    if (fp) {
        fclose(fp);
    }
    for (i = 0; i < nformats; i++) {
        if (seen[i] != 3) {
            fprintf(stderr, "reason \"%s\" lacks a %s row\n", formats[i],
                    seen[i] & 1   ? "must-not"
                    : seen[i] & 2 ? "must-fire"
                                  : "must-fire and a must-not");
        }
        RH_CHECK_EQ(seen[i], 3);
        free(formats[i]);
    }
    rh_kb_destroy(kb);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_score_reasons");
}
