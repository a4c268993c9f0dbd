/*
 * EDR and SIEM export shapes (events_edr.c: record access, Sysmon value forms, entry points;
 * events_edr_map.c: one mapping per product).
 */
#ifndef RH_EVENTS_EDR_INTERNAL_H
#define RH_EVENTS_EDR_INTERNAL_H

#include "events_internal.h"
#include "reghunt/regpath.h"

#define SYSMON_PROVIDER "Microsoft-Windows-Sysmon"
#define SYSMON_CHANNEL  "Microsoft-Windows-Sysmon/Operational"

/* Falcon registry events name their process only by id: the image and pid of each
 * ProcessRollup2 seen earlier in the same input are kept for them, up to these caps. */
#define EDR_MAX_PROCS      65536u
#define EDR_MAX_PROC_BYTES (32u << 20)

struct edr_proc {
    const char *image, *pid;
};

struct edr {
    rh_ctx *ctx;
    struct rh_arena arena; /* computed strings of the current event */
    rh_event_field *out;
    size_t n, cap;
    rh_buf tmp;
    bool nomem;
    struct rh_strmap procs;     /* "host\nTargetProcessId" -> struct edr_proc * */
    struct rh_arena proc_arena; /* the edr_procs (capped: EDR_MAX_PROC_BYTES) */
};

struct rec {
    const rh_event_field *f;
    size_t n;
};

/* ---- events_edr.c: record access and Sysmon forms ---- */
const rh_event_field *edr_get(const struct rec *r, const char *name);
const rh_event_field *edr_get_any(const struct rec *r, const char *const *names);
bool edr_has(const struct rec *r, const char *name);
bool edr_val_eq(const rh_event_field *f, const char *lit);
uint64_t edr_num_of(const rh_event_field *f, bool *ok);
void edr_put_n(struct edr *e, const char *name, const char *v, size_t n);
void edr_put_f(struct edr *e, const char *name, const rh_event_field *src);
void edr_put_tmp(struct edr *e, const char *name);
const char *edr_dup_f(struct edr *e, const rh_event_field *f);
void edr_put_target(struct edr *e, const rh_event_field *key, const rh_event_field *vname,
                    bool value);
int edr_reg_type_of(const rh_event_field *t);
void edr_put_details(struct edr *e, int type, const rh_event_field *text,
                     const rh_event_field *num);
void edr_put_utctime(struct edr *e, uint64_t ft);
uint64_t edr_time_of(const rh_event_field *f);
void edr_put_guid(struct edr *e, const char *name, const char *host, const rh_event_field *id,
                  const rh_event_field *start);
void edr_put_image(struct edr *e, const char *name, const rh_event_field *folder,
                   const rh_event_field *file);
void edr_put_user(struct edr *e, const rh_event_field *domain, const rh_event_field *name);
void edr_sysmon_header(rh_event *ev, uint32_t id);

/* ---- events_edr_map.c: one mapping per product (Defender, Falcon, SentinelOne, Splunk) ---- */
void edr_map_mde(struct edr *e, const struct rec *r, const char *table, rh_event *ev);
void edr_map_falcon(struct edr *e, const struct rec *r, rh_event *ev);
void edr_map_s1(struct edr *e, const struct rec *r, rh_event *ev);
void edr_map_splunk(struct edr *e, const struct rec *r, rh_event *ev);

#endif
