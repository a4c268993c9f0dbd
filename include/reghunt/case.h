/*
 * reghunt: the case store. One SQLite file that remembers hunts: every `reghunt hunt --case`
 * run (time, command line, inputs with SHA-256, hosts, findings with their fusion state and
 * stack key), the analyst's verdicts keyed by host + stack key, and what changed between runs.
 * Schema (versioned: PRAGMA user_version, PRAGMA application_id and a meta table), locking and
 * the KEY syntax are documented in docs/fleet.md.
 *
 * Several processes may record into one case file at once (parallel workers): the file is in
 * WAL mode, every write is one IMMEDIATE transaction and waits for the others
 * (RH_CASE_BUSY_MS). A case file is untrusted input when read: a file that is not SQLite, a
 * foreign or damaged SQLite file, or another schema version is one error diagnostic and an
 * error status; row contents are checked (types, risk names, sizes) before use.
 */
#ifndef REGHUNT_CASE_H
#define REGHUNT_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "hunt.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Schema version written to PRAGMA user_version and meta.schema_version. */
#define RH_CASE_SCHEMA_VERSION 1
/** PRAGMA application_id of a case file: "RHCS". */
#define RH_CASE_APPLICATION_ID 0x52484353
/** How long a writer waits for another writer's transaction (milliseconds). */
#define RH_CASE_BUSY_MS 120000
/** Bytes of one string or blob read from a case file (SQLITE_LIMIT_LENGTH). */
#define RH_CASE_MAX_FIELD (16u << 20)
/** Files recorded as inputs of one run. */
#define RH_CASE_MAX_INPUTS 100000u

typedef struct rh_case rh_case;

/** Open modes. */
typedef enum rh_case_mode {
    RH_CASE_READ = 0,  /* read only; the file must exist and be a case file */
    RH_CASE_WRITE = 1, /* read and write; an absent or empty file becomes a new case file */
} rh_case_mode;

/**
 * 1 when the file at path starts with the SQLite header ("SQLite format 3\0"), else 0 (also
 * when it cannot be read).
 */
RH_API int rh_case_is_sqlite(const char *path);

/**
 * Open a case file. Returns RH_OK; RH_ERR_IO (cannot open or create); RH_ERR_FORMAT (not an
 * SQLite file, or an SQLite file that is not a reghunt case); RH_ERR_UNSUPPORTED (a case file
 * of another schema version); RH_ERR_CORRUPT (damaged or truncated); RH_ERR_NOMEM. Each error
 * is one RH_DIAG_ERROR diagnostic naming the file. Owned: free with rh_case_close().
 */
RH_API rh_status rh_case_open(rh_ctx *ctx, const char *path, rh_case_mode mode, rh_case **out);
/** Accepts NULL. */
RH_API void rh_case_close(rh_case *c);

/**
 * 1 when writing the case file at case_path would write inside the evidence at input (the
 * same file, or a path below the folder input), judged on resolved paths; else 0.
 */
RH_API int rh_case_path_inside(const char *case_path, const char *input);

/**
 * Note an input of the next rh_case_record(): a file given or found (hive, event log, zip) is
 * hashed (SHA-256, streamed) now; a folder is noted without a hash. kind names it ("input",
 * "hive", "events"). Returns RH_OK, RH_ERR_IO (unreadable: noted without a hash, one anomaly),
 * RH_ERR_LIMIT (more than RH_CASE_MAX_INPUTS) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_case_add_input(rh_case *c, const char *path, const char *kind);

/**
 * Set each finding's verdict (rh_hunt_set_verdict) from the case's verdicts: the newest
 * verdict of its host and stack key, else of "*" and its stack key. Returns RH_OK,
 * RH_ERR_CORRUPT (the case file failed; one diagnostic) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_case_apply_verdicts(rh_case *c, rh_hunt *hunt);

/**
 * Record a finished hunt as a new run (one transaction): command line, start time (Unix
 * seconds), the inputs noted by rh_case_add_input(), every host and every finding. *run_id
 * (may be NULL) is the new run's id. Returns RH_OK, RH_ERR_CORRUPT / RH_ERR_IO (the write
 * failed: nothing is recorded; one diagnostic) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_case_record(rh_case *c, const rh_hunt *hunt, const char *command,
                                int64_t started, int64_t *run_id);

/** Verdict names accepted by rh_case_set_verdict(). */
#define RH_CASE_VERDICTS "tp, benign, review"

/**
 * Record a verdict. key is "HOST|STACK_KEY": the host (as hunt output shows it, compared as
 * rh_host_eq does; "*" = every host) and the stack key (the `stack_key` field of a finding);
 * a '|' inside the host is written "<pipe>". verdict is "tp", "benign" or "review"; note may
 * be NULL. The newest verdict of a key wins. Returns RH_OK, RH_ERR_ARG (bad key or verdict),
 * RH_ERR_CORRUPT / RH_ERR_IO (one diagnostic) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_case_set_verdict(rh_case *c, const char *key, const char *verdict,
                                     const char *note);

/* ---- reading ------------------------------------------------------------------------------- */

/** One recorded run. Borrowed: valid until rh_case_close(). */
typedef struct rh_case_run {
    int64_t id;
    const char *started;  /* ISO 8601 UTC */
    const char *finished; /* ISO 8601 UTC */
    const char *command;  /* the command line */
    const char *tool;     /* "reghunt 0.1.0" */
    uint64_t inputs, hosts, findings;
} rh_case_run;

/** Load the runs, oldest first (replaces what an earlier call loaded). Returns RH_OK,
 * RH_ERR_CORRUPT (one diagnostic) or RH_ERR_NOMEM. */
RH_API rh_status rh_case_runs_load(rh_case *c);
RH_API size_t rh_case_run_count(const rh_case *c);
RH_API const rh_case_run *rh_case_run_at(const rh_case *c, size_t i);

/** What changed for one host between two runs. */
typedef enum rh_case_change_kind {
    RH_CASE_NEW = 0,       /* persistence in run b, not in run a */
    RH_CASE_GONE = 1,      /* persistence in run a, not in run b */
    RH_CASE_CHANGED = 2,   /* same host, location, key and value; data, risk or state differ */
    RH_CASE_HOST_NEW = 3,  /* host hunted in run b only */
    RH_CASE_HOST_GONE = 4, /* host hunted in run a only */
    RH_CASE_CHANGE_COUNT = 5
} rh_case_change_kind;

/** "new", "gone", "changed", "host-new", "host-gone". */
RH_API const char *rh_case_change_name(rh_case_change_kind k);

/** One difference. Strings are never NULL ("" when absent); host kinds carry only the host
 * and the runs. Borrowed: valid until the next load or rh_case_close(). */
typedef struct rh_case_change {
    rh_case_change_kind kind;
    int64_t run_a, run_b;
    const char *host;
    const char *stack_key; /* may hold NUL: use the length */
    size_t stack_key_len;
    const char *location_id, *technique;
    const char *key_path, *value_name; /* may hold NUL: use the lengths */
    size_t key_path_len, value_name_len;
    const char *value_data, *old_value_data; /* new (or the only) and old data */
    size_t value_data_len, old_value_data_len;
    rh_risk risk, old_risk;
    const char *fusion_state, *old_fusion_state; /* "" without event logs */
    const char *verdict;                         /* current verdict of host + stack key or "" */
} rh_case_change;

/**
 * Compare runs run_a and run_b host by host (hosts hunted in both; the others are one
 * host-new / host-gone change each). With run_a = run_b = 0, each host is compared between
 * the last two runs that hunted it (a weekly hunt of the whole fleet: the last two runs;
 * parallel workers: each host's last two). Persistence is the same when host, location id,
 * key path and value name are equal. Returns RH_OK, RH_NOT_FOUND (a run id that is not in the
 * case; one diagnostic), RH_ERR_CORRUPT (one diagnostic) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_case_diff_load(rh_case *c, int64_t run_a, int64_t run_b);
RH_API size_t rh_case_change_count(const rh_case *c);
RH_API const rh_case_change *rh_case_change_at(const rh_case *c, size_t i);

/** One finding of the newest run of a host (rh_case_latest()). Borrowed for the callback. */
typedef struct rh_case_finding {
    const char *host;
    const char *location_id, *technique, *target_path;
    const char *value_name, *value_data; /* may hold NUL: use the lengths */
    size_t value_name_len, value_data_len;
    rh_risk risk;
    uint64_t key_last_write, event_time; /* FILETIME, 0 = none */
    const char *verdict;                 /* "tp", "benign", "review" or NULL */
} rh_case_finding;

/** Called once per host of rh_case_latest() (f NULL: the host itself, findings or not), then
 * once per finding. Return RH_OK to go on. */
typedef rh_status (*rh_case_finding_fn)(void *user, const char *host, const rh_case_finding *f);

/**
 * Walk the newest run of every host recorded in the case (what `reghunt stack` stacks):
 * each host once, then its findings with their current verdicts. A row that is not a valid
 * finding (bad risk, missing host or location) is skipped with one anomaly. Returns RH_OK,
 * RH_ERR_CORRUPT (one diagnostic), RH_ERR_NOMEM or the first error of fn.
 */
RH_API rh_status rh_case_latest(rh_case *c, rh_case_finding_fn fn, void *user);

#ifdef __cplusplus
}
#endif
#endif
