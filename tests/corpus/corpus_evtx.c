/*
 * Corpus tier: every .evtx under ../shared/data/evtx against the oracles.
 *  - per file and per (provider, channel, event id): record counts equal
 *    oracle/evtx-event-counts.tsv (libevtx and python-evtx agree on them);
 *  - for every row of oracle/evtx-registry-events.tsv (file, record id): EventType,
 *    TargetObject, Details, Image, ProcessGuid and UtcTime are identical (\N = absent);
 *  - --threads 2 delivers exactly the same record sequence as single-threaded reading.
 * Mismatches are printed as a diff ("- oracle" / "+ ours").
 */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>

#include "rh_test.h"

#define MAX_FILES 4096

struct count_row {
    char *file, *provider, *channel;
    unsigned eid;
    unsigned long count;
    int seen;
};

struct reg_row {
    char *file;
    uint64_t rid;
    char *cols[6]; /* EventType TargetObject Details Image ProcessGuid UtcTime */
    int seen;
};

static const char *const reg_names[6] = {"EventType", "TargetObject", "Details",
                                         "Image",     "ProcessGuid",  "UtcTime"};

static struct count_row *counts;
static size_t ncounts;
static struct reg_row *regs;
static size_t nregs;
static char *files[MAX_FILES];
static size_t nfiles;

static char *xstrdup(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (!p) {
        exit(2);
    }
    memcpy(p, s, n + 1);
    return p;
}

/* Split a TSV line in place; returns the number of columns. */
static int split(char *line, char **cols, int max)
{
    int n = 0;
    char *p = line;
    cols[n++] = p;
    while (*p && n < max) {
        if (*p == '\t') {
            *p = '\0';
            cols[n++] = p + 1;
        } else if (*p == '\n' || *p == '\r') {
            *p = '\0';
            break;
        }
        p++;
    }
    for (; *p; p++) {
        if (*p == '\n' || *p == '\r') {
            *p = '\0';
        }
    }
    return n;
}

static int load_oracles(const char *shared)
{
    char path[4096], line[65536];
    FILE *f;
    snprintf(path, sizeof(path), "%s/oracle/evtx-event-counts.tsv", shared);
    f = fopen(path, "r");
    if (!f) {
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        char *c[8];
        if (split(line, c, 8) < 6 || strcmp(c[0], "file") == 0) {
            continue;
        }
        counts = realloc(counts, (ncounts + 1) * sizeof(*counts));
        counts[ncounts].file = xstrdup(c[0]);
        counts[ncounts].provider = xstrdup(c[1]);
        counts[ncounts].channel = xstrdup(c[2]);
        counts[ncounts].eid = (unsigned)strtoul(c[3], NULL, 10);
        counts[ncounts].count = strtoul(c[4], NULL, 10);
        counts[ncounts].seen = 0;
        ncounts++;
    }
    fclose(f);
    snprintf(path, sizeof(path), "%s/oracle/evtx-registry-events.tsv", shared);
    f = fopen(path, "r");
    if (!f) {
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        char *c[20];
        if (split(line, c, 20) < 16 || strcmp(c[0], "file") == 0) {
            continue;
        }
        regs = realloc(regs, (nregs + 1) * sizeof(*regs));
        regs[nregs].file = xstrdup(c[0]);
        regs[nregs].rid = strtoull(c[1], NULL, 10);
        regs[nregs].cols[0] = xstrdup(c[4]);
        regs[nregs].cols[1] = xstrdup(c[5]);
        regs[nregs].cols[2] = xstrdup(c[6]);
        regs[nregs].cols[3] = xstrdup(c[7]);
        regs[nregs].cols[4] = xstrdup(c[13]);
        regs[nregs].cols[5] = xstrdup(c[10]);
        regs[nregs].seen = 0;
        nregs++;
    }
    fclose(f);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void find_files(const char *root, const char *rel)
{
    char path[4096];
    DIR *d;
    struct dirent *e;
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    d = opendir(path);
    while (d && (e = readdir(d)) != NULL) {
        char sub[4096];
        struct stat st;
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.') {
            continue;
        }
        if (snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name) >=
            (int)sizeof(sub)) {
            continue;
        }
        if (snprintf(path, sizeof(path), "%s/%s", root, sub) >= (int)sizeof(path) ||
            stat(path, &st) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            find_files(root, sub);
        } else if (n > 5 && strcmp(e->d_name + n - 5, ".evtx") == 0 && nfiles < MAX_FILES) {
            files[nfiles++] = xstrdup(sub);
        }
    }
    if (d) {
        closedir(d);
    }
}

/* Our counts for one file. */
struct ours {
    char provider[256], channel[256];
    unsigned eid;
    unsigned long count;
};

struct file_state {
    const char *rel;
    struct ours *o;
    size_t n;
    uint64_t *rids;
    size_t nrids;
    int reg_mismatch;
};

static rh_status on_record(const rh_evtx_record *rec, void *user)
{
    struct file_state *fs = user;
    const rh_event *ev = rec->event;
    const char *prov = ev->provider ? ev->provider : "";
    const char *chan = ev->channel ? ev->channel : "";
    size_t i;
    fs->rids = realloc(fs->rids, (fs->nrids + 1) * sizeof(*fs->rids));
    fs->rids[fs->nrids++] = rec->record_id;
    for (i = 0; i < fs->n; i++) {
        if (fs->o[i].eid == ev->event_id && strcmp(fs->o[i].provider, prov) == 0 &&
            strcmp(fs->o[i].channel, chan) == 0) {
            break;
        }
    }
    if (i == fs->n) {
        fs->o = realloc(fs->o, (fs->n + 1) * sizeof(*fs->o));
        snprintf(fs->o[i].provider, sizeof(fs->o[i].provider), "%s", prov);
        snprintf(fs->o[i].channel, sizeof(fs->o[i].channel), "%s", chan);
        fs->o[i].eid = ev->event_id;
        fs->o[i].count = 0;
        fs->n++;
    }
    fs->o[i].count++;
    /* Registry oracle rows for this record. */
    for (i = 0; i < nregs; i++) {
        int k;
        if (regs[i].rid != ev->record_id || strcmp(regs[i].file, fs->rel) != 0) {
            continue;
        }
        regs[i].seen = 1;
        for (k = 0; k < 6; k++) {
            const rh_event_field *f = rh_event_field_get(ev, reg_names[k]);
            const char *want = regs[i].cols[k];
            int absent = strcmp(want, "\\N") == 0;
            if (absent ? f != NULL : (!f || strcmp(f->value, want) != 0)) {
                rh_test_failed++;
                fs->reg_mismatch++;
                fprintf(stderr, "%s record %llu %s:\n- %s\n+ %s\n", fs->rel,
                        (unsigned long long)ev->record_id, reg_names[k], want,
                        f ? f->value : "\\N");
            } else {
                rh_test_passed++;
            }
        }
    }
    return RH_OK;
}

static void check_file(rh_ctx *ctx, const char *root, const char *rel)
{
    char path[4096];
    struct file_state fs, fs2;
    rh_evtx *e = NULL;
    rh_evtx_read_opts ro;
    size_t i, j;
    unsigned long ours_total = 0, oracle_total = 0;
    int bad = 0;
    memset(&fs, 0, sizeof(fs));
    memset(&fs2, 0, sizeof(fs2));
    fs.rel = fs2.rel = rel;
    if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path) ||
        rh_evtx_open(ctx, path, &e) != RH_OK) {
        fprintf(stderr, "%s: cannot open\n", rel);
        rh_test_failed++;
        return;
    }
    memset(&ro, 0, sizeof(ro));
    RH_CHECK_EQ(rh_evtx_read(e, &ro, on_record, &fs), RH_OK);
    for (i = 0; i < ncounts; i++) {
        if (strcmp(counts[i].file, rel) != 0) {
            continue;
        }
        oracle_total += counts[i].count;
        for (j = 0; j < fs.n; j++) {
            if (fs.o[j].eid == counts[i].eid && strcmp(fs.o[j].provider, counts[i].provider) == 0 &&
                strcmp(fs.o[j].channel, counts[i].channel) == 0) {
                break;
            }
        }
        if (j == fs.n || fs.o[j].count != counts[i].count) {
            fprintf(stderr, "%s: %s / %s / %u:\n- %lu\n+ %lu\n", rel, counts[i].provider,
                    counts[i].channel, counts[i].eid, counts[i].count,
                    j == fs.n ? 0ul : fs.o[j].count);
            bad++;
        }
    }
    for (j = 0; j < fs.n; j++) {
        ours_total += fs.o[j].count;
        for (i = 0; i < ncounts; i++) {
            if (strcmp(counts[i].file, rel) == 0 && fs.o[j].eid == counts[i].eid &&
                strcmp(fs.o[j].provider, counts[i].provider) == 0 &&
                strcmp(fs.o[j].channel, counts[i].channel) == 0) {
                break;
            }
        }
        if (i == ncounts) {
            fprintf(stderr, "%s: %s / %s / %u:\n- (absent)\n+ %lu\n", rel, fs.o[j].provider,
                    fs.o[j].channel, fs.o[j].eid, fs.o[j].count);
            bad++;
        }
    }
    if (ours_total != oracle_total) {
        fprintf(stderr, "%s: total records:\n- %lu\n+ %lu\n", rel, oracle_total, ours_total);
        bad++;
    }
    if (bad) {
        rh_test_failed++;
    } else {
        rh_test_passed++;
    }
    /* Threaded read: same records in the same order. */
    ro.threads = 2;
    for (i = 0; i < nregs; i++) {
        regs[i].seen = regs[i].seen ? 2 : 0;
    }
    {
        size_t saved = nregs;
        nregs = 0; /* registry rows were checked in the first pass */
        RH_CHECK_EQ(rh_evtx_read(e, &ro, on_record, &fs2), RH_OK);
        nregs = saved;
    }
    RH_CHECK_EQ(fs2.nrids, fs.nrids);
    if (fs2.nrids == fs.nrids && fs.nrids &&
        memcmp(fs2.rids, fs.rids, fs.nrids * sizeof(*fs.rids)) != 0) {
        fprintf(stderr, "%s: threaded read delivered records in another order\n", rel);
        rh_test_failed++;
    }
    rh_evtx_close(e);
    free(fs.o);
    free(fs.rids);
    free(fs2.o);
    free(fs2.rids);
}

int main(void)
{
    const char *shared = rh_test_shared_data();
    char root[4096];
    rh_ctx *ctx = NULL;
    size_t i;
    if (!shared) {
        printf("corpus_evtx: skipped (../shared/data not found; set RH_SHARED_DATA)\n");
        return RH_SKIP_CODE;
    }
    if (load_oracles(shared) != 0) {
        printf("corpus_evtx: skipped (oracle files missing under %s/oracle)\n", shared);
        return RH_SKIP_CODE;
    }
    if (snprintf(root, sizeof(root), "%s/evtx", shared) >= (int)sizeof(root)) {
        return 1;
    }
    find_files(root, "");
    qsort(files, nfiles, sizeof(files[0]), cmp_str);
    RH_CHECK(nfiles > 0);
    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    for (i = 0; i < nfiles; i++) {
        check_file(ctx, root, files[i]);
    }
    for (i = 0; i < nregs; i++) {
        if (!regs[i].seen) {
            fprintf(stderr, "%s record %llu: registry oracle row not found in our output\n",
                    regs[i].file, (unsigned long long)regs[i].rid);
            rh_test_failed++;
        }
    }
    printf("corpus_evtx: %zu files, %zu count rows, %zu registry rows, %llu anomalies\n", nfiles,
           ncounts, nregs, (unsigned long long)rh_ctx_anomaly_count(ctx));
    rh_ctx_destroy(ctx);
    return rh_test_summary("corpus_evtx");
}
