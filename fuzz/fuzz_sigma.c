/*
 * Fuzz the Sigma compiler (YAML, modifiers, conditions, correlations) and the matcher: the
 * input is rule text; every loaded rule is then run on one fixed synthetic event.
 */
#include <stdint.h>
#include <string.h>

#include "reghunt/reghunt.h"

static rh_status cb(const rh_sigma_match *m, void *user)
{
    (void)m;
    (void)user;
    return RH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rh_ctx *ctx = NULL;
    rh_sigma_compiler *c = NULL;
    rh_ruleset *rs = NULL;
    rh_sigma_matcher *m = NULL;
    rh_event ev;
    rh_event_field f[4] = {
        {"TargetObject", "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\x", 53,
         RH_FIELD_STRING, 0},
        {"Details", "C:\\Users\\Public\\a.exe -enc SQBFAFgA", 33, RH_FIELD_STRING, 0},
        {"Image", "C:\\Windows\\System32\\reg.exe", 27, RH_FIELD_STRING, 0},
        {"EventType", "SetValue", 8, RH_FIELD_STRING, 0}};
    static rh_ctx *cfg_ctx;
    static rh_sigma_config *cfg; /* parsed once: the built-in mapping is not the target */
    if (!cfg && (rh_ctx_create(NULL, &cfg_ctx) != RH_OK ||
                 rh_sigma_config_default(cfg_ctx, &cfg) != RH_OK)) {
        return 0;
    }
    if (size > 65536 || rh_ctx_create(NULL, &ctx) != RH_OK) {
        return 0;
    }
    if (rh_sigma_compiler_create(ctx, cfg, &c) == RH_OK) {
        rh_sigma_compiler_add_string(c, "fuzz.yml", (const char *)data, size);
        if (rh_sigma_compiler_finish(c, &rs) == RH_OK &&
            rh_sigma_matcher_create(ctx, rs, &m) == RH_OK) {
            memset(&ev, 0, sizeof(ev));
            ev.event_id = 13;
            ev.channel = "Microsoft-Windows-Sysmon/Operational";
            ev.fields = f;
            ev.nfields = 4;
            ev.timestamp = 1;
            rh_sigma_matcher_match(m, &ev, cb, NULL);
            ev.event_id = 1;
            rh_sigma_matcher_match(m, &ev, cb, NULL);
            rh_sigma_matcher_flush(m, cb, NULL);
        }
    }
    rh_sigma_matcher_destroy(m);
    rh_ruleset_destroy(rs);
    rh_sigma_compiler_destroy(c);
    rh_ctx_destroy(ctx);
    return 0;
}
