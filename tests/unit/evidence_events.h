/*
 * Synthetic normalized events for the evidence tests: ev_add(index, host, event id, record
 * id, time, "Field", "value", ..., NULL). Event ids below 256 are Sysmon, others Security
 * (1102 and 104 come from the Eventlog provider).
 */
#ifndef RH_TEST_EVIDENCE_EVENTS_H
#define RH_TEST_EVIDENCE_EVENTS_H

#include <stdarg.h>

#include "reghunt/evidence.h"

/* FILETIME of 2020-01-01T00:00:00Z plus seconds. */
#define T0   132223104000000000ull
#define S(x) (T0 + (uint64_t)(x)*10000000ull)

#define EVT_MAX_FIELDS 40

static const char *evt_source = "synthetic.evtx";
static uint32_t evt_flags;

static inline rh_status ev_addv(rh_evidence *ev, const char *host, uint32_t eid, uint64_t rec,
                                uint64_t ts, va_list ap)
{
    rh_event_field f[EVT_MAX_FIELDS];
    rh_event e;
    size_t n = 0;
    const char *name;
    memset(&e, 0, sizeof(e));
    memset(f, 0, sizeof(f));
    while ((name = va_arg(ap, const char *)) != NULL && n < EVT_MAX_FIELDS) {
        const char *v = va_arg(ap, const char *);
        f[n].name = name;
        f[n].value = v;
        f[n].value_len = strlen(v);
        f[n].type = RH_FIELD_STRING;
        n++;
    }
    if (eid < 256) {
        e.provider = "Microsoft-Windows-Sysmon";
        e.channel = "Microsoft-Windows-Sysmon/Operational";
    } else if (eid == 1102) {
        e.provider = "Microsoft-Windows-Eventlog";
        e.channel = "Security";
    } else {
        e.provider = "Microsoft-Windows-Security-Auditing";
        e.channel = "Security";
    }
    e.computer = host;
    e.event_id = eid;
    e.record_id = rec;
    e.timestamp = ts;
    e.fields = f;
    e.nfields = n;
    e.source = evt_source;
    e.flags = evt_flags;
    return rh_evidence_add_event(ev, &e);
}

static inline rh_status ev_add(rh_evidence *ev, const char *host, uint32_t eid, uint64_t rec,
                               uint64_t ts, ...)
{
    va_list ap;
    rh_status st;
    va_start(ap, ts);
    st = ev_addv(ev, host, eid, rec, ts, ap);
    va_end(ap);
    return st;
}

/* Sysmon 1 with the fields the index keeps. */
static inline rh_status ev_proc1(rh_evidence *ev, const char *host, uint64_t rec, uint64_t ts,
                                 const char *guid, const char *pid, const char *image,
                                 const char *cmd, const char *pguid, const char *ppid,
                                 const char *pimage)
{
    return ev_add(ev, host, 1, rec, ts, "ProcessGuid", guid, "ProcessId", pid, "Image", image,
                  "CommandLine", cmd, "User", "CORP\\bob", "IntegrityLevel", "Medium",
                  "ParentProcessGuid", pguid, "ParentProcessId", ppid, "ParentImage", pimage,
                  "ParentCommandLine", pimage, NULL);
}

/* Security 4688 (pids in hex as Windows writes them). */
static inline rh_status ev_4688(rh_evidence *ev, const char *host, uint64_t rec, uint64_t ts,
                                const char *pid, const char *image, const char *ppid)
{
    return ev_add(ev, host, 4688, rec, ts, "SubjectUserSid", "S-1-5-18", "SubjectUserName",
                  "WKSTN$", "SubjectDomainName", "CORP", "NewProcessId", pid, "NewProcessName",
                  image, "ProcessId", ppid, "CommandLine", image, "TargetUserSid", "S-1-0-0",
                  "TargetUserName", "-", NULL);
}

#endif
