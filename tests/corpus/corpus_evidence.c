/*
 * Evidence index on EVTX-ATTACK-SAMPLES (../shared/data/evtx, every file in one index, as a
 * multi-file hunt would load them):
 *  - every row of oracle/evtx-registry-events.tsv is found through rh_evidence_writes() by
 *    its TargetObject (key, or key + value), with the oracle's operation, writer pid, GUID,
 *    image and details;
 *  - for every registry event whose writer's Sysmon 1 is in the same file (found here by
 *    reading the files independently), the writer's process tree starts with that logged
 *    process (linked by GUID, same image) and, where the creation names a logged parent,
 *    continues with it. The tree's image is the creation's: where a registry event logs
 *    another image for the same GUID (PEB masquerading), the creation wins.
 */
#include <dirent.h>
#include <sys/stat.h>

#include <strings.h>

#include "rh_test.h"

#define MAX_FILES 4096
#define MAX_PROCS 65536

static rh_ctx *ctx;
static char *files[MAX_FILES];
static size_t nfiles;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (!d || depth > 8) {
        if (d) {
            closedir(d);
        }
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char path[4096];
        struct stat sb;
        size_t n;
        if (de->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (lstat(path, &sb) != 0) {
            continue;
        }
        n = strlen(path);
        if (S_ISDIR(sb.st_mode)) {
            walk(path, depth + 1);
        } else if (n > 5 && strcmp(path + n - 5, ".evtx") == 0 && nfiles < MAX_FILES) {
            files[nfiles++] = strdup(path);
        }
    }
    closedir(d);
}

/* Sysmon 1 records of one file: GUID -> image, parent GUID. */
struct proc1 {
    char guid[64], pguid[64];
    char *image;
};

static struct proc1 procs[MAX_PROCS];
static size_t nprocs;

static void copy_field(const rh_event *e, const char *name, char *out, size_t n)
{
    const rh_event_field *f = rh_event_field_get(e, name);
    snprintf(out, n, "%s", f && f->value ? f->value : "");
}

static rh_status on_proc(const rh_event *e, void *user)
{
    const rh_event_field *img;
    (void)user;
    if (e->event_id != 1 || !e->provider || !strstr(e->provider, "Sysmon") || nprocs >= MAX_PROCS) {
        return RH_OK;
    }
    copy_field(e, "ProcessGuid", procs[nprocs].guid, sizeof(procs[nprocs].guid));
    copy_field(e, "ParentProcessGuid", procs[nprocs].pguid, sizeof(procs[nprocs].pguid));
    img = rh_event_field_get(e, "Image");
    procs[nprocs].image = strdup(img && img->value ? img->value : "");
    nprocs++;
    return RH_OK;
}

static const struct proc1 *proc_by_guid(const char *guid)
{
    size_t i;
    for (i = 0; i < nprocs; i++) {
        if (guid[0] && strcasecmp(procs[i].guid, guid) == 0) {
            return &procs[i];
        }
    }
    return NULL;
}

static void procs_reset(void)
{
    size_t i;
    for (i = 0; i < nprocs; i++) {
        free(procs[i].image);
    }
    nprocs = 0;
}

/* Split a TSV line in place. */
static size_t split(char *line, char **cols, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        char *tab = strchr(p, '\t');
        cols[n++] = p;
        if (!tab) {
            break;
        }
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

static const char *nul(const char *s)
{
    return strcmp(s, "\\N") == 0 ? NULL : s;
}

static int ieq(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

static rh_evidence_op op_of(const char *eid, const char *type)
{
    if (strcmp(eid, "13") == 0) {
        return RH_EVIDENCE_OP_SET_VALUE;
    }
    if (strcmp(eid, "14") == 0) {
        return RH_EVIDENCE_OP_RENAME_KEY;
    }
    if (strcmp(type, "DeleteKey") == 0) {
        return RH_EVIDENCE_OP_DELETE_KEY;
    }
    if (strcmp(type, "DeleteValue") == 0) {
        return RH_EVIDENCE_OP_DELETE_VALUE;
    }
    return RH_EVIDENCE_OP_CREATE_KEY;
}

/* Find the oracle row's event: key-level for key operations, key + value for values (the
 * value is what follows the last backslash, or a `\\`-started name as Sysmon writes them). */
static const rh_evidence_write *find(rh_evidence *ev, const char *host, const char *target,
                                     rh_evidence_op op, uint64_t rec, uint64_t logged,
                                     rh_evidence_list *l)
{
    char key[8192];
    const char *value = NULL, *dbl;
    size_t i;
    snprintf(key, sizeof(key), "%s", target);
    if (op == RH_EVIDENCE_OP_SET_VALUE || op == RH_EVIDENCE_OP_DELETE_VALUE) {
        char *cut;
        dbl = strstr(key + 1, "\\\\");
        cut = dbl ? (char *)dbl : strrchr(key, '\\');
        if (cut) {
            *cut = '\0';
            value = cut + 1;
        }
    }
    memset(l, 0, sizeof(*l));
    RH_CHECK(rh_evidence_writes(ev, host, key, value, 0, l) == RH_OK);
    for (i = 0; i < l->count; i++) {
        const rh_evidence_write *w = l->items[i];
        if (w->record_id == rec && w->logged == logged) {
            return w;
        }
    }
    fprintf(stderr, "not found: host=%s key=%s value=%s record=%llu (%zu writes)\n", host, key,
            value ? value : "(key)", (unsigned long long)rec, l->count);
    return NULL;
}

int main(void)
{
    const char *data = rh_test_shared_data();
    char path[4096], line[65536];
    FILE *f;
    rh_evidence *ev = NULL;
    rh_evidence_counts c;
    size_t i, rows = 0, found = 0, trees = 0, parents = 0, inferred = 0, masquerades = 0;
    if (!data) {
        printf("corpus_evidence: skipped (no ../shared/data)\n");
        return RH_SKIP_CODE;
    }
    RH_CHECK(rh_ctx_create(NULL, &ctx) == RH_OK);
    RH_CHECK(rh_evidence_create(ctx, NULL, &ev) == RH_OK);
    snprintf(path, sizeof(path), "%s/evtx", data);
    walk(path, 0);
    qsort(files, nfiles, sizeof(*files), cmp_str);
    RH_CHECK(nfiles > 100);
    for (i = 0; i < nfiles; i++) {
        rh_status st = rh_evidence_add_file(ev, files[i]);
        if (st != RH_OK) {
            fprintf(stderr, "%s: %s\n", files[i], rh_strerror(st));
        }
        RH_CHECK(st == RH_OK);
    }
    rh_evidence_counts_get(ev, &c);
    RH_CHECK(c.events >= 7000);

    snprintf(path, sizeof(path), "%s/oracle/evtx-registry-events.tsv", data);
    f = fopen(path, "r");
    RH_CHECK(f != NULL);
    while (f && fgets(line, sizeof(line), f)) {
        char *cols[16];
        size_t n, len = strlen(line);
        const char *file, *eid, *type, *target, *details, *image, *computer, *pid, *guid, *tc;
        uint64_t rec, logged = 0;
        rh_evidence_list l;
        const rh_evidence_write *w;
        rh_evidence_op op;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
            line[--len] = '\0';
        }
        n = split(line, cols, 16);
        if (n < 16 || strcmp(cols[0], "file") == 0) {
            continue;
        }
        file = cols[0];
        rec = strtoull(cols[1], NULL, 10);
        eid = cols[3];
        type = cols[4];
        target = cols[5];
        details = nul(cols[6]);
        image = nul(cols[7]);
        computer = cols[9];
        pid = nul(cols[12]);
        guid = nul(cols[13]);
        if (guid && strspn(guid, "{}0-") == strlen(guid)) {
            guid = NULL; /* the all-zero GUID means "none" */
        }
        tc = cols[15];
        rows++;
        RH_CHECK(rh_time_parse_iso(tc, strlen(tc), &logged) == RH_OK);
        op = op_of(eid, type);
        w = find(ev, computer, target, op, rec, logged, &l);
        RH_CHECK(w != NULL);
        if (w) {
            found++;
            RH_CHECK_EQ(w->op, op);
            RH_CHECK(!pid || w->writer.pid == strtoul(pid, NULL, 10));
            RH_CHECK(!guid || ieq(w->writer.guid, guid));
            RH_CHECK(!image || strcmp(w->writer.image, image) == 0);
            RH_CHECK(!details || (w->details && strcmp(w->details, details) == 0));
            RH_CHECK(ieq(w->host, computer) || rh_evidence_host_count(ev) > 0);
        }
        /* The writer's creation in the same file: its tree must start there. */
        if (w && guid) {
            char fpath[4096];
            const struct proc1 *p;
            procs_reset();
            snprintf(fpath, sizeof(fpath), "%s/evtx/%s", data, file);
            RH_CHECK(rh_events_read_file(ctx, fpath, NULL, on_proc, NULL) == RH_OK);
            p = proc_by_guid(guid);
            if (p) {
                rh_evidence_tree *t = NULL;
                trees++;
                RH_CHECK(rh_evidence_process_tree(ev, w->host, &w->writer, &t) == RH_OK);
                RH_CHECK(t && t->count >= 1);
                if (t && t->count >= 1) {
                    RH_CHECK_EQ(t->nodes[0].logged, 1);
                    RH_CHECK_EQ(t->nodes[0].link, RH_EVIDENCE_LINK_GUID);
                    RH_CHECK(ieq(t->nodes[0].proc.image, p->image));
                    /* UACME masquerades its PEB as explorer.exe: Sysmon 12/13 then log the
                     * fake image while Sysmon 1 holds the real one (Sysmon_UACME_33 rec 5272). */
                    if (!ieq(t->nodes[0].proc.image, image)) {
                        masquerades++;
                        RH_CHECK(ieq(image, "C:\\Windows\\explorer.exe"));
                    }
                    RH_CHECK(!t->cycle);
                    if (proc_by_guid(p->pguid)) {
                        /* The parent's creation is in the file too: linked, not inferred. */
                        RH_CHECK(t->count >= 2);
                        if (t->count >= 2) {
                            RH_CHECK_EQ(t->nodes[1].logged, 1);
                            RH_CHECK(ieq(t->nodes[1].proc.guid, p->pguid));
                            RH_CHECK(ieq(t->nodes[1].proc.image, proc_by_guid(p->pguid)->image));
                        }
                        parents++;
                    } else if (t->count >= 2) {
                        inferred += !t->nodes[t->count - 1].logged;
                    }
                }
                rh_evidence_tree_free(ev, t);
            }
        }
        rh_evidence_list_free(ev, &l);
    }
    if (f) {
        fclose(f);
    }
    printf(
        "corpus_evidence: %zu files, %llu events (%llu duplicates), %zu hosts; %zu/%zu "
        "oracle registry events found; %zu writer trees from Sysmon 1 (%zu with a logged "
        "parent, %zu ending in an inferred parent; %zu writer images differ from the creation)\n",
        nfiles, (unsigned long long)c.events, (unsigned long long)c.duplicates,
        rh_evidence_host_count(ev), found, rows, trees, parents, inferred, masquerades);
    RH_CHECK(rows >= 230);
    RH_CHECK_EQ(found, rows);
    RH_CHECK(trees >= 10);
    RH_CHECK(parents >= 5);
    procs_reset();
    for (i = 0; i < nfiles; i++) {
        free(files[i]);
    }
    rh_evidence_destroy(ev);
    rh_ctx_destroy(ctx);
    return rh_test_summary("corpus_evidence");
}
