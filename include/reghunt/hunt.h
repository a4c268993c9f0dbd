/*
 * reghunt: the hunt. Runs the persistence knowledge base over every hive of a collection and
 * turns what it finds into findings: one scored, explained record per persistence value.
 *
 * For each host the hunt reads the machine's environment (SOFTWARE CurrentVersion and
 * ProfileList, SYSTEM Session Manager\Environment of the current control set) and COM
 * registrations (SOFTWARE Classes\CLSID in both views, ProgIDs), then walks SOFTWARE, SYSTEM
 * (every ControlSet00N; values of a non-current set are reported only where they differ from
 * the current set), each NTUSER.DAT and each UsrClass.dat, pruned by rh_kb_should_descend(),
 * and scores every value at a kb location with rh_score_value(). Per-user COM registrations
 * are compared with the machine's.
 *
 * Findings are ordered deterministically (risk, then host, user, key path, value name,
 * source) and numbered TH-HUNTIN-YYYYMMDD-NNN, where the date is opts.date or, by default,
 * the newest hive header timestamp of the collection or, when no hive was hunted, the newest
 * event time behind a finding (never the wall clock): the same input always yields the same
 * ids.
 *
 * Other finding sources (Sigma rules on hive state, event logs) add records through
 * rh_hunt_add() before rh_hunt_finish().
 */
#ifndef REGHUNT_HUNT_H
#define REGHUNT_HUNT_H

#include <stddef.h>
#include <stdint.h>

#include "collection.h"
#include "ctx.h"
#include "evidence.h"
#include "ioc.h"
#include "kb.h"
#include "score.h"
#include "sigma.h"
#include "status.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rh_hunt rh_hunt;
typedef struct rh_baseline rh_baseline;
typedef struct rh_allowlist rh_allowlist;

/** Where a finding comes from. */
typedef enum rh_finding_source {
    RH_FINDING_KB = 0,          /* knowledge-base location in a hive */
    RH_FINDING_SIGMA_STATE = 1, /* Sigma rule matched against hive state */
    RH_FINDING_EVENT = 2,       /* event log record */
    RH_FINDING_SOURCE_COUNT = 3
} rh_finding_source;

/** "kb", "sigma-state", "event". */
RH_API const char *rh_finding_source_name(rh_finding_source s);

/* Known-good marks (rh_finding.known_good). Known-good findings are kept and flagged. */
#define RH_KNOWN_BASELINE  0x1u /* same location, key, value and data in the --baseline */
#define RH_KNOWN_ALLOWLIST 0x2u /* matched an --allowlist line */

/**
 * One finding. Read-only; every string is UTF-8 and may hold attacker-controlled bytes
 * (control characters, bidi overrides; value_name and key_path may contain NUL: use the
 * lengths). Escape for the output format (rh_escape_append). Strings are never NULL unless
 * stated. Borrowed: valid until rh_hunt_destroy().
 * (Inside reghunt, src/hunt/finding_fields.def lists these fields once: a new field is a member
 * here and a row there, which gives its ownership in the hunt and its csv/json/ecs output.)
 */
typedef struct rh_finding {
    char hunt_id[40]; /* "TH-HUNTIN-20261125-001" (set by rh_hunt_finish) */
    rh_finding_source source;
    const char *technique;      /* "T1547.001" */
    const char *technique_name; /* "Registry Run Keys / Startup Folder" */
    const char *location_id;    /* kb location id ("run_hkcu"), rule id for Sigma */
    const char *host;
    const char *user;     /* profile name, "" for machine hives */
    const char *user_sid; /* "" when unknown or machine hive */
    const char *source_file;
    const char *hive_kind; /* "SOFTWARE", "SYSTEM", "NTUSER", "USRCLASS" */
    const char *key_path;  /* canonical: HKLM\SOFTWARE\..., HKU\<SID>\..., HKU\<SID>_Classes\... */
    size_t key_path_len;
    const char *value_name; /* "" = the default value */
    size_t value_name_len;
    const char *value_type; /* "REG_SZ" or "0x0000001F" */
    const char *value_data; /* display text (rh_reg_data_text), unescaped */
    size_t value_data_len;
    uint64_t key_last_write; /* FILETIME, 0 = unknown */
    const char *target_path; /* resolved target, "" if none */
    const char *path_class;  /* rh_path_class_name(), "" if none */
    rh_risk risk;
    rh_confidence confidence;
    rh_action action;
    const char *reasons;            /* one line, "; "-separated */
    const char *recommended_action; /* "Containment: isolate the host, ..." */
    int deleted;                    /* value or key recovered from a deleted cell */
    int from_log_replay;            /* exists or changed only after transaction-log replay */
    int hidden_name;                /* value name with NUL/control/bidi characters */
    int is_default;                 /* data equals the Windows default */
    unsigned known_good;            /* RH_KNOWN_* */
    /* Optional correlation results (zero/NULL when the hunt has none; reporters show them
     * when present): */
    const char *evidence;           /* preformatted text (process tree, ...), NULL = none */
    size_t evidence_len;            /* bytes of evidence (may contain NUL) */
    uint64_t event_time;            /* FILETIME of the correlated write event, 0 = none */
    const char *process_executable; /* image of the writing process, NULL = unknown */
    /* Fusion with event logs (rh_hunt_add_events): rh_evidence_fusion_name() of the state
     * ("confirmed", "log-gap", "uncovered", "gone", "residue", "event-only"), or NULL when
     * the hunt read no event input. */
    const char *fusion_state;
    int in_window; /* key last-write or event time inside opts.window_from/to (0 = no) */
    /* Prevalence (set by rh_hunt_finish): the finding's persistence identity rh_stack_key()
     * (location id, normalised value name and data; docs/fleet.md), how many hunted hosts have
     * a finding of that stack key, and how many hosts the hunt covered (hosts without any
     * finding included). */
    const char *stack_key;
    size_t stack_key_len;
    size_t stack_hosts;
    size_t total_hosts;
    /* Case-store verdict of host + stack key (rh_hunt_set_verdict: "tp", "benign", "review")
     * and its note; NULL = none. A verdict marks a finding, it never hides one. */
    const char *verdict;
    const char *verdict_note;
    /* Threat-intelligence hits (opts.ioc), "; "-separated, each
     * `<indicator id> "<name>" (<feed>): <property> <pattern> in <where>`; NULL = none. */
    const char *threat_intel;
} rh_finding;

/** Counters of a hunt. */
typedef struct rh_hunt_stats {
    size_t hosts;
    size_t hives;                  /* hives in the collection */
    size_t hives_hunted;           /* SOFTWARE/SYSTEM/NTUSER/USRCLASS/DEFAULT hives walked */
    size_t hives_failed;           /* hives that could not be opened */
    uint64_t bytes;                /* bytes of hive data in the collection */
    uint64_t keys;                 /* keys visited */
    uint64_t values;               /* values scored */
    size_t same_as_ccs;            /* non-current control set values identical to the current set */
    size_t by_risk[RH_RISK_COUNT]; /* findings per rh_risk */
    size_t known_good;             /* findings marked known-good */
    char date[9];                  /* "YYYYMMDD" used in the hunt ids */
    uint64_t reference_time;       /* FILETIME used for recency (newest hive header) */
    /* Event inputs, rules and fusion (zero without rh_hunt_add_events / opts.rules). */
    size_t event_inputs; /* event files read */
    size_t event_inputs_failed;
    uint64_t events;         /* events read (before de-duplication) */
    size_t kb_locations;     /* knowledge-base locations searched */
    size_t rules;            /* Sigma rules run */
    size_t sigma_state_hits; /* rule matches on synthetic hive-state events */
    size_t sigma_event_hits; /* rule matches on logged events */
    size_t merged;           /* records merged into an existing finding (same host+key+value) */
    size_t by_fusion[RH_FUSION_COUNT]; /* findings per rh_evidence_fusion state */
    size_t outside_window;      /* findings outside opts.window_from/to (0 without a window) */
    size_t ioc_findings;        /* findings with at least one threat-intelligence hit */
    size_t ioc_hits;            /* indicator hits over all findings */
    size_t sigma_correlations;  /* Sigma correlation matches over the logged events */
    size_t correlations_joined; /* ... of them that joined existing findings (the rest made
                                   findings of their own) */
} rh_hunt_stats;

/** Progress callback: called before each hive is walked. */
typedef void (*rh_hunt_progress_fn)(void *user, size_t done, size_t total, const char *source);

typedef struct rh_hunt_opts {
    const char *date;              /* "YYYYMMDD" for the ids, NULL = newest hive/event time */
    const rh_baseline *baseline;   /* may be NULL */
    const rh_allowlist *allowlist; /* may be NULL */
    rh_hunt_progress_fn progress;  /* may be NULL */
    void *progress_user;
    /* Sigma rules run over every hive's synthetic state events and over every event read by
     * rh_hunt_add_events(). Borrowed; must outlive the hunt. NULL = none. */
    const rh_ruleset *rules;
    /* Hunt window (FILETIME, 0 = open end). Findings whose key last-write or event time lies
     * inside get in_window = 1, a reason, and rank above the others of the same risk. */
    uint64_t window_from, window_to;
    /* Threat-intelligence indicators (rh_ioc_finish()ed), matched against every finding when
     * the hunt finishes (docs/threat-intel.md, risk rule in docs/scoring.md). Borrowed; must
     * outlive the hunt. NULL = none. */
    const rh_ioc_set *ioc;
} rh_hunt_opts;

/**
 * Create a hunt. kb is borrowed (must outlive the hunt); opts may be NULL; its baseline and
 * allowlist are borrowed. Owned: free with rh_hunt_destroy().
 * Returns RH_OK, RH_ERR_ARG (bad date) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_hunt_create(rh_ctx *ctx, const rh_kb *kb, const rh_hunt_opts *opts,
                                rh_hunt **out);

/**
 * Hunt every hive of a finished collection (rh_collection_finish). Hives that cannot be
 * opened are counted in stats.hives_failed (the open already raised an error diag). Event log
 * members of its archives are read first (rh_hunt_add_events_mem); an unreadable one is
 * counted in stats.event_inputs_failed and does not stop the hunt.
 * Returns RH_OK or RH_ERR_NOMEM / RH_ERR_STRICT.
 */
RH_API rh_status rh_hunt_collection(rh_hunt *hunt, rh_collection *coll);

/**
 * Read one event input (EVTX, JSON, NDJSON, gzip; rh_events_read_file) into the hunt's
 * evidence index. Registry writes at knowledge-base locations and Sigma matches (opts.rules)
 * are kept; rh_hunt_finish() fuses them with the hive findings (docs/correlation.md): one
 * finding per host + key + value, with its fusion state, the writer's process tree as
 * evidence, the event time and the writer's image. Call before rh_hunt_finish(), in any
 * order with rh_hunt_collection(). Returns RH_OK, RH_ERR_IO, RH_ERR_FORMAT, RH_ERR_NOMEM,
 * RH_ERR_STRICT or RH_ERR_ARG (after finish); events read before a failure are kept.
 */
RH_API rh_status rh_hunt_add_events(rh_hunt *hunt, const char *path);

/**
 * Same as rh_hunt_add_events() for an event input held in memory (rh_events_read_mem; `name`
 * becomes each event's source). host: the name given to events that carry no Computer (the
 * host folder the input sat in), or NULL. Borrowed: data is read during the call only.
 * rh_hunt_collection() calls it for every event log member of the collection's archives
 * (rh_collection_events_at), with the name of the host whose hives share its folder.
 */
RH_API rh_status rh_hunt_add_events_mem(rh_hunt *hunt, const char *name, const void *data,
                                        size_t len, const char *host);

/**
 * The evidence index built by rh_hunt_add_events(), or NULL when no event input was read.
 * Borrowed: valid until rh_hunt_destroy().
 */
RH_API rh_evidence *rh_hunt_evidence(const rh_hunt *hunt);

/** One data source searched for a host (after rh_hunt_finish). */
typedef struct rh_hunt_source {
    const char *host;
    const char *kind;     /* "hive" or "events" */
    const char *name;     /* hive kind ("SOFTWARE") or channel */
    uint64_t count;       /* hives of that kind, or events */
    uint64_t first, last; /* events: time coverage (FILETIME); hives: 0 */
} rh_hunt_source;

/** The indicator set of opts.ioc, or NULL (reporters list its feeds and expired ones). */
RH_API const rh_ioc_set *rh_hunt_ioc(const rh_hunt *hunt);

/** Data sources per host, ordered by host then kind then name. Borrowed until destroy. */
RH_API size_t rh_hunt_source_count(const rh_hunt *hunt);
RH_API const rh_hunt_source *rh_hunt_source_at(const rh_hunt *hunt, size_t i);

/**
 * Coverage gaps found by the hunt, one English sentence each ("no Sysmon logs for host X:
 * registry findings for it are uncorroborated"). Borrowed until rh_hunt_destroy().
 */
RH_API size_t rh_hunt_gap_count(const rh_hunt *hunt);
RH_API const char *rh_hunt_gap_at(const rh_hunt *hunt, size_t i);

/** The knowledge base the hunt searched (borrowed from rh_hunt_create()). */
RH_API const rh_kb *rh_hunt_kb(const rh_hunt *hunt);

/**
 * An attack chain (docs/hunting.md "Attack chains"): findings whose writing processes share
 * one process tree, below the session (explorer.exe, services.exe, ...), in the event logs.
 * Built by rh_hunt_finish() from the evidence index; none without event input. Borrowed:
 * valid until rh_hunt_destroy().
 */
typedef struct rh_hunt_chain {
    char id[24];      /* "CHAIN-001", numbered in report order */
    const char *host; /* the findings' host */
    /* The chain's root: the oldest process of the writers' trees below the session. */
    const char *root_image;
    const char *root_command_line; /* NULL when not logged */
    const char *root_guid;         /* NULL when not logged */
    uint32_t root_pid;
    uint64_t root_start; /* FILETIME, 0 = unknown */
    unsigned tactics;   /* bit (1u << rh_tactic) per ATT&CK tactic seen; print in rh_tactic order */
    rh_risk risk;       /* the highest risk of its findings */
    size_t processes;   /* distinct processes of the trees below the session, logged ones */
    size_t connections; /* their network connections (Sysmon 3) */
    size_t files;       /* their created files (Sysmon 11/29) */
    uint64_t first, last;   /* time span of those events and of the findings' write events */
    const size_t *findings; /* indices for rh_hunt_at(), ascending */
    size_t nfindings;
} rh_hunt_chain;

/** Attack chains, highest risk first (after rh_hunt_finish). Borrowed until destroy. */
RH_API size_t rh_hunt_chain_count(const rh_hunt *hunt);
RH_API const rh_hunt_chain *rh_hunt_chain_at(const rh_hunt *hunt, size_t i);
/** The chain finding i belongs to, or NULL. */
RH_API const rh_hunt_chain *rh_hunt_chain_of(const rh_hunt *hunt, size_t finding);

/**
 * Add a finding from another source (its strings are copied; hunt_id is ignored).
 * Returns RH_OK, RH_ERR_ARG (after rh_hunt_finish) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_hunt_add(rh_hunt *hunt, const rh_finding *f);

/** Order the findings and assign the hunt ids. Call once, after the last add. */
RH_API rh_status rh_hunt_finish(rh_hunt *hunt);

RH_API size_t rh_hunt_count(const rh_hunt *hunt);
/** Borrowed finding i (in order after rh_hunt_finish), or NULL when out of range. */
RH_API const rh_finding *rh_hunt_at(const rh_hunt *hunt, size_t i);
/** Borrowed: valid until rh_hunt_destroy(). */
RH_API const rh_hunt_stats *rh_hunt_get_stats(const rh_hunt *hunt);

/**
 * Set (or, with verdict NULL, clear) the verdict and note of finding i of a finished hunt
 * (copied). Returns RH_OK, RH_ERR_ARG (not finished, i out of range) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_hunt_set_verdict(rh_hunt *hunt, size_t i, const char *verdict,
                                     const char *note);

/** One host the hunt covered (after rh_hunt_finish): the collection's hosts in collection
 * order, then hosts known only from event findings. Borrowed until rh_hunt_destroy(). */
typedef struct rh_hunt_host {
    const char *name;
    size_t findings; /* findings of this host, whatever their risk (0 for a clean host) */
} rh_hunt_host;

RH_API size_t rh_hunt_host_count(const rh_hunt *hunt);
RH_API const rh_hunt_host *rh_hunt_host_at(const rh_hunt *hunt, size_t i);

/** One stack key of the hunt's findings, for the "rarest persistence" summary. */
typedef struct rh_hunt_rare {
    const rh_finding *example; /* its first finding in report order (stack_key, location, ...) */
    size_t hosts;              /* hosts with a finding of this key */
    size_t findings;           /* findings of this key */
    rh_risk max_risk;          /* highest risk of those findings */
    double score;              /* rh_stack_score(max_risk, hosts, total hosts) */
} rh_hunt_rare;

/** The hunt's stack keys ranked rare-and-risky first (score, then stack key byte order), after
 * rh_hunt_finish. Borrowed until rh_hunt_destroy(). */
RH_API size_t rh_hunt_rare_count(const rh_hunt *hunt);
RH_API const rh_hunt_rare *rh_hunt_rare_at(const rh_hunt *hunt, size_t i);
RH_API void rh_hunt_destroy(rh_hunt *hunt);

/* ---- known-good ---------------------------------------------------------------------------- */

/**
 * Append a baseline (JSON Lines, docs/hunt-output.md) of every finding of a finished hunt,
 * whatever its risk. Keys are hive-relative (no SID), so a golden image matches other hosts;
 * the profile folder in data is written as %USERPROFILE%.
 */
RH_API rh_status rh_baseline_write(const rh_hunt *hunt, rh_buf *out);

/**
 * Load a baseline file. Returns RH_OK, RH_ERR_IO, RH_ERR_FORMAT (bad line: diag with the line
 * number), RH_ERR_LIMIT or RH_ERR_NOMEM. Owned: free with rh_baseline_destroy().
 */
RH_API rh_status rh_baseline_load(rh_ctx *ctx, const char *path, rh_baseline **out);
RH_API void rh_baseline_destroy(rh_baseline *b);
RH_API size_t rh_baseline_count(const rh_baseline *b);

/**
 * Load an allowlist: one entry per line, tab-separated globs (`*`, `?`, case-insensitive)
 *   KEY_PATH [TAB VALUE_NAME [TAB DATA [TAB LOCATION_ID]]]
 * matched against the canonical key path, the value name ("(default)" for the default
 * value), the data text and the location id; missing fields match anything; '#' comments.
 * Returns RH_OK, RH_ERR_IO, RH_ERR_LIMIT or RH_ERR_NOMEM. Owned: rh_allowlist_destroy().
 */
RH_API rh_status rh_allowlist_load(rh_ctx *ctx, const char *path, rh_allowlist **out);
RH_API void rh_allowlist_destroy(rh_allowlist *a);
RH_API size_t rh_allowlist_count(const rh_allowlist *a);

#ifdef __cplusplus
}
#endif
#endif
