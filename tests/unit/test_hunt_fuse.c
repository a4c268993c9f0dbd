/*
 * Unit tests for the fusion internals of src/hunt (hunt_fuse_util.c): the mapping of logged
 * registry paths to kb hives, merge keys (host + normalized path) and the merge index. The
 * fusion states and HKCU attribution end to end are in tests/scripts/hunt_fused.sh.
 */
#include "rh_test.h"

#include "hunt/hunt_fuse_internal.h"

static void check_map(rh_ctx *ctx, const char *path, rh_status want, rh_kb_hive kbh,
                      const char *rel, const char *value, const char *sid)
{
    struct target_map m;
    rh_status st;
    hunt_map_init(&m, ctx);
    st = hunt_map_target(path, strlen(path), &m);
    RH_CHECK_EQ(st, want);
    if (st == RH_OK) {
        RH_CHECK_EQ(m.kbh, kbh);
        RH_CHECK_STR(m.rel_key.data ? m.rel_key.data : "", rel);
        RH_CHECK_STR(m.value.data ? m.value.data : "", value);
        RH_CHECK_STR(m.sid.data ? m.sid.data : "", sid);
    }
    hunt_map_free(&m);
}

static void test_map_target(rh_ctx *ctx)
{
    check_map(ctx, "HKLM\\System\\CurrentControlSet\\Services\\evil\\ImagePath", RH_OK,
              RH_KB_HIVE_SYSTEM, "ControlSet001\\Services\\evil", "ImagePath", "");
    check_map(ctx, "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Upd",
              RH_OK, RH_KB_HIVE_SOFTWARE, "Microsoft\\Windows\\CurrentVersion\\Run", "Upd", "");
    check_map(ctx,
              "HKU\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\"
              "(Default)",
              RH_OK, RH_KB_HIVE_NTUSER, "Software\\Microsoft\\Windows\\CurrentVersion\\Run", "",
              "S-1-5-21-1-2-3-1001");
    check_map(ctx,
              "HKU\\S-1-5-21-1-2-3-1001_Classes\\CLSID\\{B5F8350B-0548-48B1-A6EE-88BD00B4A5E7}\\"
              "InprocServer32\\(Default)",
              RH_OK, RH_KB_HIVE_USRCLASS,
              "CLSID\\{B5F8350B-0548-48B1-A6EE-88BD00B4A5E7}\\InprocServer32", "",
              "S-1-5-21-1-2-3-1001");
    check_map(ctx, "HKLM\\Evil", RH_NOT_FOUND, RH_KB_HIVE_SOFTWARE, "", "", "");
    check_map(ctx, "C:\\Windows\\System32\\drivers\\etc\\hosts", RH_NOT_FOUND, RH_KB_HIVE_SOFTWARE,
              "", "", "");
}

static void test_merge_key(rh_ctx *ctx)
{
    const char *a = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Upd";
    const char *b = "HKEY_LOCAL_MACHINE\\software\\microsoft\\windows\\currentversion\\run\\UPD";
    const char *c = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Other";
    char *ka = hunt_merge_key(ctx, "wkstn-1.corp.example", a, strlen(a));
    char *kb = hunt_merge_key(ctx, "WKSTN-1", b, strlen(b));
    char *kc = hunt_merge_key(ctx, "WKSTN-1", c, strlen(c));
    char *kd = hunt_merge_key(ctx, "WKSTN-2", a, strlen(a));
    RH_CHECK(ka && kb && kc && kd);
    if (ka && kb && kc && kd) {
        RH_CHECK_STR(ka, kb); /* FQDN vs short name, root alias, case */
        RH_CHECK(strcmp(ka, kc) != 0);
        RH_CHECK(strcmp(ka, kd) != 0);
    }
    rh_free(ctx, ka);
    rh_free(ctx, kb);
    rh_free(ctx, kc);
    rh_free(ctx, kd);
}

static void test_mindex(rh_ctx *ctx)
{
    struct mindex m;
    size_t i, idx = 0;
    int all = 1;
    hunt_mindex_init(ctx, &m);
    for (i = 0; i < 1000; i++) {
        char k[32];
        char *own;
        snprintf(k, sizeof(k), "H|KEY%zu", i);
        own = rh_strdup(ctx, k);
        RH_CHECK(own != NULL);
        RH_CHECK_EQ(hunt_mindex_put(ctx, &m, own, i), RH_OK);
    }
    for (i = 0; i < 1000; i++) {
        char k[32];
        snprintf(k, sizeof(k), "H|KEY%zu", i);
        all &= hunt_mindex_get(&m, k, &idx) && idx == i;
    }
    RH_CHECK(all);
    RH_CHECK(!hunt_mindex_get(&m, "H|KEY1000", &idx));
    hunt_mindex_free(ctx, &m);
}

int main(void)
{
    rh_ctx *ctx = NULL;
    RH_CHECK_EQ(rh_ctx_create(NULL, &ctx), RH_OK);
    test_map_target(ctx);
    test_merge_key(ctx);
    test_mindex(ctx);
    rh_ctx_destroy(ctx);
    return rh_test_summary("test_hunt_fuse");
}
