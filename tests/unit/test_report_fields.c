/*
 * Unit tests for the finding field table (src/hunt/finding_fields.def): every format's
 * positions are 1..N without gaps or repeats, every listed field has a name, the JSON keys and
 * the ECS names are the ones docs/hunt-output.md documents; the hunt owns exactly the table's
 * strings (rh_hunt_add copies required ones, leaves absent optional ones NULL, and fails
 * cleanly at every allocation).
 */
#include "rh_test.h"

#include "reghunt/hunt.h"
#include "reghunt/kb.h"
#include "report/report_internal.h"

static void test_positions(void)
{
    int fmt;
    for (fmt = 0; fmt < REPORT_FIELDS_FORMAT_COUNT; fmt++) {
        unsigned seen[REPORT_FIELD_COUNT + 1];
        enum report_field_id ids[REPORT_FIELD_COUNT];
        size_t i, n = 0, listed;
        memset(seen, 0, sizeof(seen));
        for (i = 0; i < REPORT_FIELD_COUNT; i++) {
            unsigned p = report_field_pos((enum report_field_id)i, (enum report_fields_format)fmt);
            RH_CHECK(p <= REPORT_FIELD_COUNT);
            if (p && p <= REPORT_FIELD_COUNT) {
                seen[p]++;
                n++;
                RH_CHECK(report_field_name((enum report_field_id)i,
                                           (enum report_fields_format)fmt)[0] != '\0');
            }
        }
        for (i = 1; i <= n; i++) {
            if (seen[i] != 1) {
                fprintf(stderr, "format %d: position %zu used %u times\n", fmt, i, seen[i]);
            }
            RH_CHECK_EQ(seen[i], 1u);
        }
        listed = report_fields_order((enum report_fields_format)fmt, ids);
        RH_CHECK_EQ(listed, n);
        for (i = 0; i < listed; i++) {
            RH_CHECK_EQ(report_field_pos(ids[i], (enum report_fields_format)fmt), i + 1);
        }
    }
}

/* JSON keys in the FINDING tables, ECS names in the ECS table of docs/hunt-output.md. */
static void test_docs(void)
{
    static char doc[1 << 20];
    size_t i;
    if (!rh_test_read_text(RH_SOURCE_DIR "/docs/hunt-output.md", doc, sizeof(doc))) {
        return;
    }
    for (i = 0; i < REPORT_FIELD_COUNT; i++) {
        const char *ecs = report_field_ecs((enum report_field_id)i), *p = ecs;
        char needle[128];
        snprintf(needle, sizeof(needle), "| `%s` |",
                 report_field_name((enum report_field_id)i, REPORT_FIELDS_JSON));
        if (!strstr(doc, needle)) {
            fprintf(stderr, "docs/hunt-output.md lacks the FINDING row %s\n", needle);
        }
        RH_CHECK(strstr(doc, needle) != NULL);
        while (*p) {
            size_t l = strcspn(p, ",");
            snprintf(needle, sizeof(needle), "`%.*s`", (int)l, p);
            if (!strstr(doc, needle)) {
                fprintf(stderr, "docs/hunt-output.md lacks the ECS field %s\n", needle);
            }
            RH_CHECK(strstr(doc, needle) != NULL);
            p += l;
            p += strspn(p, ", ");
        }
    }
}

static void fill(rh_finding *f)
{
    memset(f, 0, sizeof(*f));
    f->technique = "T1547.001";
    f->technique_name = "Registry Run Keys / Startup Folder";
    f->location_id = "run_hkcu";
    f->host = "WKSTN-1";
    f->user = "bob";
    f->user_sid = NULL; /* required: becomes "" */
    f->source_file = "NTUSER.DAT";
    f->hive_kind = "NTUSER";
    f->key_path = "HKU\\S\\Run\0x";
    f->key_path_len = 11; /* counted: keeps the NUL */
    f->value_name = NULL; /* required counted: "" */
    f->value_name_len = 7;
    f->value_type = "REG_SZ";
    f->value_data = "a.exe";
    f->value_data_len = 5;
    f->target_path = "a.exe";
    f->path_class = "relative";
    f->reasons = "r";
    f->recommended_action = "x";
    f->evidence = "unused";
    f->evidence_len = 0; /* optional counted, empty: absent */
    f->process_executable = "";
    f->fusion_state = NULL;
}

static void test_hunt_owns(void)
{
    rh_allocator a = rh_test_allocator();
    rh_ctx *ctx = NULL;
    rh_kb *kb = NULL;
    rh_hunt *h = NULL;
    rh_finding in;
    const rh_finding *out;
    long k;
    int failures = 0;
    RH_CHECK_EQ(rh_ctx_create(&a, &ctx), RH_OK);
    RH_CHECK_EQ(rh_kb_create(ctx, &kb), RH_OK);
    RH_CHECK_EQ(rh_hunt_create(ctx, kb, NULL, &h), RH_OK);
    fill(&in);
    RH_CHECK_EQ(rh_hunt_add(h, &in), RH_OK);
    out = rh_hunt_at(h, 0);
    RH_CHECK(out != NULL);
    if (out) {
        RH_CHECK(out->host != in.host);
        RH_CHECK_STR(out->host, "WKSTN-1");
        RH_CHECK_STR(out->user_sid, "");
        RH_CHECK_EQ(out->key_path_len, (size_t)11);
        RH_CHECK(memcmp(out->key_path, "HKU\\S\\Run\0x", 12) == 0);
        RH_CHECK_STR(out->value_name, "");
        RH_CHECK_EQ(out->value_name_len, (size_t)0);
        RH_CHECK(out->evidence == NULL);
        RH_CHECK_EQ(out->evidence_len, (size_t)0);
        RH_CHECK(out->process_executable != NULL && out->process_executable[0] == '\0');
        RH_CHECK(out->fusion_state == NULL);
    }
    /* A failed allocation at any point: RH_ERR_NOMEM and nothing kept (ASan: nothing leaked). */
    for (k = 1; k < 64; k++) {
        rh_status st;
        rh_test_fail_alloc_at(k);
        st = rh_hunt_add(h, &in);
        rh_test_fail_alloc_at(0);
        if (st == RH_OK) {
            break;
        }
        RH_CHECK_EQ(st, RH_ERR_NOMEM);
        failures++;
    }
    RH_CHECK(failures > 0);
    RH_CHECK_EQ(rh_hunt_count(h), (size_t)2);
    rh_hunt_destroy(h);
    rh_kb_destroy(kb);
    rh_ctx_destroy(ctx);
}

int main(void)
{
    test_positions();
    test_docs();
    test_hunt_owns();
    return rh_test_summary("test_report_fields");
}
