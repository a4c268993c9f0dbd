/*
 * reghunt: the evidence index. Correlates registry state with event logs: who wrote a
 * registry value (Sysmon 12/13/14, Security 4657), that writer's process tree (Sysmon 1,
 * Security 4688) with its network connections (Sysmon 3) and created files (Sysmon 11/29),
 * which process dropped a persisted binary, and whether logs cover a key's last-write time.
 *
 * The index is built from any number of event inputs (EVTX, JSON, NDJSON; any host mix) and
 * keeps only the fields correlation needs, with every string interned once. Records are keyed
 * per host; host names match FQDN-tolerantly (`WKSTN-042.corp.local` = `wkstn-042`). Registry
 * paths are joined in their rh_regpath_normalize() form, case-insensitively.
 *
 * Events are attacker-controlled: every string, list, depth and record count is capped (see
 * rh_evidence_opts). Model, pid-reuse rule and fusion states: docs/correlation.md.
 *
 * Threads: building is single-threaded. Once built, queries do not modify the index and may
 * run concurrently from several threads.
 */
#ifndef REGHUNT_EVIDENCE_H
#define REGHUNT_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "event.h"
#include "status.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rh_evidence rh_evidence;

/** Caps; 0 in any field selects the default in brackets. */
typedef struct rh_evidence_opts {
    uint32_t max_records; /* writes + processes + connections + files + exits kept [4M] */
    uint32_t max_string;  /* bytes kept of one string (longer ones are cut) [32768] */
    uint32_t max_depth;   /* parents followed by rh_evidence_process_tree() [64] */
    uint32_t max_results; /* items in one query result or one tree node's list [10000] */
    uint32_t max_hosts;   /* distinct hosts [65536] */
    rh_events_opts read;  /* passed to rh_events_read_file() by rh_evidence_add_file() */
} rh_evidence_opts;

/**
 * Create an empty index. opts may be NULL (defaults). Owned: free with rh_evidence_destroy().
 * Returns RH_OK or RH_ERR_NOMEM; on failure *out is NULL.
 */
RH_API rh_status rh_evidence_create(rh_ctx *ctx, const rh_evidence_opts *opts, rh_evidence **out);

/** Destroy the index and everything borrowed from it. Accepts NULL. */
RH_API void rh_evidence_destroy(rh_evidence *ev);

/**
 * Read every event of one input (rh_events_read_file(): EVTX, JSON, NDJSON, gzip) into the
 * index. Returns RH_OK, RH_ERR_IO, RH_ERR_FORMAT, RH_ERR_NOMEM or RH_ERR_STRICT; events read
 * before a failure stay indexed.
 */
RH_API rh_status rh_evidence_add_file(rh_evidence *ev, const char *path);

/**
 * Index one event from any source. Only the fields correlation needs are copied; ev_in is
 * not kept. Events flagged RH_EVENT_FROM_STATE (synthesized from hive state) are ignored:
 * they are not logging. An exact duplicate (same host, channel, record id, time, event id
 * and content) of an event already indexed is dropped, so overlapping inputs (an EVTX and a
 * SIEM export of it) are counted once. When max_records is reached further records are
 * dropped and counted (a warning diagnostic is raised once). Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_evidence_add_event(rh_evidence *ev, const rh_event *ev_in);

/* ---- records ---------------------------------------------------------------------------- */

/*
 * Every string below is UTF-8, interned in the index, possibly cut at max_string (on a
 * character boundary), with NUL bytes replaced by U+FFFD, and may hold attacker-controlled
 * text (escape it for output). NULL means "absent in the event". Borrowed: valid until
 * rh_evidence_destroy().
 */

/** A reference to a process as an event names it (the writer of a registry value). */
typedef struct rh_evidence_proc_ref {
    const char *guid;  /* Sysmon ProcessGuid, "{UPPER-CASE}", or NULL */
    uint32_t pid;      /* 0 = unknown */
    uint64_t time;     /* FILETIME at which the process was alive (the event's time) */
    const char *image; /* as logged */
    const char *user;  /* "DOMAIN\user" or a SID */
} rh_evidence_proc_ref;

/** What a registry event did. */
typedef enum rh_evidence_op {
    RH_EVIDENCE_OP_CREATE_KEY = 0,   /* Sysmon 12 CreateKey */
    RH_EVIDENCE_OP_DELETE_KEY = 1,   /* Sysmon 12 DeleteKey */
    RH_EVIDENCE_OP_SET_VALUE = 2,    /* Sysmon 13; Security 4657 new/modified value */
    RH_EVIDENCE_OP_DELETE_VALUE = 3, /* Sysmon 12 DeleteValue; Security 4657 deleted value */
    RH_EVIDENCE_OP_RENAME_KEY = 4,   /* Sysmon 14 */
} rh_evidence_op;

/** "create-key", "delete-key", "set-value", "delete-value", "rename-key". */
RH_API const char *rh_evidence_op_name(rh_evidence_op op);

/** What an event means to the evidence index (and to every other consumer: the hunt asks
 * here instead of re-deriving it). */
typedef enum rh_evidence_kind {
    RH_EVIDENCE_KIND_NONE = 0,  /* not evidence (other providers or event ids) */
    RH_EVIDENCE_KIND_WRITE,     /* registry write: Sysmon 12/13/14, Security 4657 */
    RH_EVIDENCE_KIND_PROCESS,   /* process creation: Sysmon 1, Security 4688 */
    RH_EVIDENCE_KIND_EXIT,      /* process exit: Sysmon 5, Security 4689 */
    RH_EVIDENCE_KIND_NETWORK,   /* Sysmon 3 */
    RH_EVIDENCE_KIND_FILE,      /* Sysmon 11 / 29 */
    RH_EVIDENCE_KIND_LOG_CLEAR, /* Security 1102, System/Eventlog 104 */
} rh_evidence_kind;

typedef struct rh_evidence_class {
    rh_evidence_kind kind;
    int sysmon;        /* Sysmon's field layout (provider or channel names Sysmon, any case, */
                       /* or neither is named and the id is below 256) */
    rh_evidence_op op; /* for RH_EVIDENCE_KIND_WRITE */
} rh_evidence_class;

/** Classify one event (docs/evidence.md "What counts as evidence"). Never fails. */
RH_API void rh_evidence_classify(const rh_event *e, rh_evidence_class *out);

/**
 * The process that acted in one event and what it acted on, read by the index's rules (the
 * one reader of these fields: the index builds its records from it, the hunt its hits).
 * Every field is borrowed from the event; NULL when absent, empty or "-".
 *   Sysmon layout: Image, ProcessGuid, ProcessId, User, time = UtcTime.
 *   4688: NewProcessName, NewProcessId, Target user when set (Windows 10+), else Subject.
 *   Other non-Sysmon events (4657, 4689, ...): ProcessName (else Image), ProcessId (decimal
 *   or 0x-hex), Subject user, time = TimeCreated.
 */
typedef struct rh_evidence_actor {
    rh_evidence_class cls;
    const rh_event_field *image;
    const rh_event_field *guid;                    /* as logged (the index stores "{UPPER-CASE}") */
    uint32_t pid;                                  /* 0 = unknown */
    const rh_event_field *user_domain, *user_name; /* Sysmon: user_name = User "DOMAIN\name" */
    const rh_event_field *user_sid;                /* SubjectUserSid / TargetUserSid */
    uint64_t time;                                 /* Sysmon UtcTime, else TimeCreated */
    const rh_event_field *details; /* registry data: Sysmon Details, else NewValue */
    const rh_event_field *subject; /* CommandLine, else TargetFilename */
} rh_evidence_actor;

/** Read the actor of one event (see rh_evidence_actor). Never fails. */
RH_API void rh_evidence_actor_of(const rh_event *e, rh_evidence_actor *out);

/** One registry write event. */
typedef struct rh_evidence_write {
    const char *host; /* the event's Computer as first seen for this host ("" unknown) */
    rh_evidence_op op;
    uint32_t event_id; /* 12, 13, 14 or 4657 */
    const char *provider;
    const char *channel;
    uint64_t record_id;
    uint64_t time;         /* Sysmon UtcTime, else the event's TimeCreated (FILETIME) */
    uint64_t logged;       /* TimeCreated */
    const char *target;    /* the path as logged (TargetObject, ObjectName\ObjectValueName) */
    const char *key;       /* normalized key path (rh_regpath_normalize) */
    const char *value;     /* normalized (upper-case) value name; NULL for key operations;
                              "(DEFAULT)" for the default value */
    const char *new_name;  /* RenameKey: normalized new key path; else NULL */
    const char *details;   /* Sysmon Details / 4657 NewValue */
    const char *old_value; /* 4657 OldValue */
    rh_evidence_proc_ref writer;
    const char *source; /* input file */
    uint64_t source_offset;
    uint32_t flags; /* RH_EVENT_RECOVERED when carved */
} rh_evidence_write;

/** One process creation (Sysmon 1 or Security 4688), or an inferred parent. */
typedef struct rh_evidence_process {
    const char *host;
    const char *guid; /* Sysmon ProcessGuid or NULL (4688) */
    uint32_t pid;
    uint64_t start; /* Sysmon UtcTime, else TimeCreated */
    uint64_t end;   /* exit time (Sysmon 5 / Security 4689) or 0 if not seen */
    const char *image;
    const char *command_line;
    const char *user;      /* Sysmon User; 4688 Target (else Subject) DOMAIN\name or SID */
    const char *integrity; /* Sysmon IntegrityLevel / 4688 MandatoryLabel */
    const char *hashes;    /* Sysmon Hashes */
    const char *current_directory;
    uint32_t parent_pid;
    const char *parent_guid;
    const char *parent_image;        /* Sysmon ParentImage / 4688 ParentProcessName */
    const char *parent_command_line; /* Sysmon ParentCommandLine */
    uint32_t event_id;               /* 1 or 4688; 0 for inferred nodes */
    uint64_t record_id;
    const char *source;
} rh_evidence_process;

/** One network connection (Sysmon 3). */
typedef struct rh_evidence_conn {
    const char *host;
    uint64_t time;
    const char *guid;
    uint32_t pid;
    const char *image;
    const char *user;
    const char *protocol;
    int initiated; /* 1 outbound, 0 inbound, -1 unknown */
    const char *src_ip;
    uint32_t src_port;
    const char *dst_ip;
    uint32_t dst_port;
    const char *dst_host; /* DestinationHostname */
    uint64_t record_id;
    const char *source;
} rh_evidence_conn;

/** One file creation (Sysmon 11 FileCreate, Sysmon 29 FileExecutableDetected). */
typedef struct rh_evidence_file {
    const char *host;
    uint64_t time;
    uint32_t event_id;
    const char *path; /* TargetFilename as logged */
    const char *guid;
    uint32_t pid;
    const char *image;
    const char *user;
    const char *hashes; /* Sysmon 29 */
    uint64_t record_id;
    const char *source;
} rh_evidence_file;

/* ---- queries ---------------------------------------------------------------------------- */

/* Flags for rh_evidence_writes(). */
#define RH_EVIDENCE_SUBTREE 0x1u /* key-level: also every subkey and its values */

/** A query result: `items` in time order. Owned: free with rh_evidence_list_free(). */
typedef struct rh_evidence_list {
    const void **items; /* const rh_evidence_write * / const rh_evidence_file * */
    size_t count;
    size_t total; /* matches before the max_results cap (count < total: cut) */
} rh_evidence_list;

/** Free a result list's array (the items stay owned by the index). Accepts NULL. */
RH_API void rh_evidence_list_free(rh_evidence *ev, rh_evidence_list *list);

/**
 * Append s[0, n) as the index stores strings: NUL bytes become U+FFFD, so a key or value name
 * holding NUL can be asked about whole through the C-string queries below (a name cut at its
 * NUL would ask about another value). Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_evidence_text(rh_buf *out, const char *s, size_t n);

/**
 * The registry events that wrote, deleted or renamed a key or value, ordered by time then
 * record id. host: NULL or "" for every host. key_path: any form rh_regpath_normalize()
 * accepts (`HKLM\...`, `\REGISTRY\MACHINE\...`, `HKU\<SID>_Classes\...`). value_name: NULL
 * for a key-level query (operations on the key itself, including renames to or from it,
 * and on its values), else the value ("" = the default value, logged as "(Default)"),
 * compared case-insensitively. Views: a query on `HKCU\X` matches `HKU\<any SID>\X`; a
 * query on `HKCR\X` matches `HKLM\SOFTWARE\CLASSES\X` and `HKU\<SID>\SOFTWARE\CLASSES\X`, and
 * those match events logged as `HKCR\X`. Items are const rh_evidence_write *.
 * Returns RH_OK (possibly count 0), RH_ERR_ARG or RH_ERR_NOMEM; *out is zeroed on failure.
 */
RH_API rh_status rh_evidence_writes(rh_evidence *ev, const char *host, const char *key_path,
                                    const char *value_name, unsigned flags, rh_evidence_list *out);

/**
 * Sysmon 11/29 events that created a file, time-ordered. path: a full path (compared
 * case-insensitively, `/` = `\`, `\\?\` and `\??\` prefixes ignored); a bare file name
 * (matches that name in any folder); or a path starting with an unexpanded `%VAR%`
 * (matches any path ending with the rest, e.g. `%APPDATA%\x\evil.exe`). Surrounding quotes
 * are ignored. Items are const rh_evidence_file *. Returns RH_OK, RH_ERR_ARG or RH_ERR_NOMEM.
 */
RH_API rh_status rh_evidence_file_created(rh_evidence *ev, const char *host, const char *path,
                                          rh_evidence_list *out);

/** How a process-tree node was found. */
typedef enum rh_evidence_link {
    RH_EVIDENCE_LINK_GUID = 0,     /* by ProcessGuid (exact) */
    RH_EVIDENCE_LINK_PID_TIME = 1, /* by pid, alive at that time (pid-reuse rule) */
    RH_EVIDENCE_LINK_INFERRED = 2, /* no creation event: built from the child's Parent*
                                      fields or from the reference itself */
} rh_evidence_link;

/** "guid", "pid+time", "inferred". */
RH_API const char *rh_evidence_link_name(rh_evidence_link link);

/** One process in a tree, with its connections and created files in time order. */
typedef struct rh_evidence_node {
    rh_evidence_process proc; /* for inferred nodes only the known fields are set */
    int logged;               /* 1: from a creation event; 0: inferred */
    rh_evidence_link link;
    const rh_evidence_conn *const *conns;
    size_t nconns;
    size_t conns_total; /* before the max_results cap */
    const rh_evidence_file *const *files;
    size_t nfiles;
    size_t files_total;
} rh_evidence_node;

/**
 * A chain of processes: nodes[0] is the process asked about, nodes[i + 1] the parent of
 * nodes[i]; the last node is the oldest ancestor found (the session root when logs have it).
 */
typedef struct rh_evidence_tree {
    const rh_evidence_node *nodes;
    size_t count;
    int truncated; /* the max_depth cap stopped the walk */
    int cycle;     /* a parent link led back into the chain (crafted or reused pids) */
} rh_evidence_tree;

/**
 * Build the parent chain of a process. host: NULL or "" searches every host (a GUID is
 * enough; a pid alone needs the host). The process is found by its GUID, else by (pid,
 * time) under the pid-reuse rule; when neither finds a creation event, nodes[0] is built
 * from the reference (logged = 0). Parents are followed by ParentProcessGuid, else by (parent
 * pid, child start time); a parent known only from the child's Parent* fields becomes an
 * inferred last node. The walk stops at max_depth or on a cycle.
 * Owned: *out freed with rh_evidence_tree_free(). Returns RH_OK, RH_NOT_FOUND (the reference
 * has neither guid, pid nor image), RH_ERR_ARG or RH_ERR_NOMEM; on failure *out is NULL.
 */
RH_API rh_status rh_evidence_process_tree(rh_evidence *ev, const char *host,
                                          const rh_evidence_proc_ref *process,
                                          rh_evidence_tree **out);

/** Free a tree. Accepts NULL. */
RH_API void rh_evidence_tree_free(rh_evidence *ev, rh_evidence_tree *tree);

/** Tree renderings. */
typedef enum rh_evidence_render {
    RH_EVIDENCE_RENDER_TEXT = 0, /* indented ASCII tree, RH_ESC_TERMINAL escaping */
    RH_EVIDENCE_RENDER_JSON = 1, /* one JSON object, no newline (docs/correlation.md) */
    RH_EVIDENCE_RENDER_HTML = 2, /* the text tree with RH_ESC_HTML escaping, for <pre> */
} rh_evidence_render;

/**
 * Append a rendering of the tree to out. Text lines start with `indent` spaces (capped at
 * 64) and end with '\n'; the oldest ancestor comes first and each child is indented below
 * it, every process followed by its command line, connections and files. Every string from
 * events goes through rh_escape_append(). Returns RH_OK, RH_ERR_ARG or RH_ERR_NOMEM.
 */
RH_API rh_status rh_evidence_tree_render(const rh_evidence_tree *tree, rh_evidence_render how,
                                         unsigned indent, rh_buf *out);

/** Time coverage of one kind of log on one host. */
typedef struct rh_evidence_cover {
    int covered;         /* 1 when the time lies inside a span covered by such a log */
    uint64_t first;      /* earliest event time of such logs on the host */
    uint64_t last;       /* latest event time */
    uint64_t count;      /* events */
    uint32_t spans;      /* per-input spans: [first, last] of each input file */
    uint64_t clears;     /* "log cleared" events seen on the host (Security 1102, System 104) */
    uint64_t last_clear; /* time of the latest one, or 0 */
} rh_evidence_cover;

/**
 * Whether logs of one kind cover a time on a host. what: a channel or provider name
 * (case-insensitive), "sysmon" (Sysmon Operational), "security", or NULL for the logs that
 * record registry writes (Sysmon; Security only when it holds 4657 events, which need a SACL).
 * A time is covered when it lies in the [first, last] span of one input of that kind (a
 * second file from a later period does not cover the gap in between). host: NULL or "" for
 * every host. Returns RH_OK (out->covered says yes or no), RH_NOT_FOUND (no such log for the
 * host; *out zeroed apart from clears) or RH_ERR_ARG.
 */
RH_API rh_status rh_evidence_coverage(rh_evidence *ev, const char *host, const char *what,
                                      uint64_t filetime, rh_evidence_cover *out);

/* ---- fusion --------------------------------------------------------------------------- */

/** What the hive says about a key or value. */
typedef enum rh_evidence_presence {
    RH_PRESENCE_UNKNOWN = 0,  /* no hive of the host examined */
    RH_PRESENCE_LIVE = 1,     /* present in the hive (base block) */
    RH_PRESENCE_ABSENT = 2,   /* the hive was examined and does not hold it */
    RH_PRESENCE_DELETED = 3,  /* found only in a deleted (free) cell */
    RH_PRESENCE_REPLAYED = 4, /* found only after transaction-log replay */
} rh_evidence_presence;

/** The fusion states of one (host, key, value). */
typedef enum rh_evidence_fusion {
    RH_FUSION_NONE = 0,       /* neither in the hive nor in the logs */
    RH_FUSION_CONFIRMED = 1,  /* present and its write event seen */
    RH_FUSION_LOG_GAP = 2,    /* present, no write event although logs cover the last-write
                                 time: logging gap or cleared log */
    RH_FUSION_UNCOVERED = 3,  /* present, logs do not cover the last-write time (or it is
                                 unknown) */
    RH_FUSION_GONE = 4,       /* write event seen but the value is gone: RunOnce consumed,
                                 clean-up */
    RH_FUSION_RESIDUE = 5,    /* seen only in a deleted cell or only after log replay */
    RH_FUSION_EVENT_ONLY = 6, /* write event seen, no hive of the host to compare with */
} rh_evidence_fusion;
#define RH_FUSION_COUNT 7

/** Short id: "none", "confirmed", "log-gap", "uncovered", "gone", "residue", "event-only". */
RH_API const char *rh_evidence_fusion_name(rh_evidence_fusion f);
/** The state named `name` (rh_evidence_fusion_name()); RH_NOT_FOUND for any other text. */
RH_API rh_status rh_evidence_fusion_parse(const char *name, rh_evidence_fusion *out);
/** One-sentence English description of a state. */
RH_API const char *rh_evidence_fusion_text(rh_evidence_fusion f);

/**
 * False when `w` was logged through the HKCU view (no SID in the path) by a known account
 * that is not the given user: such a write belongs to another user's hive. True otherwise,
 * including when the writer or the user is unknown. user_name is a profile name ("bob",
 * "bob.CORP"), user_sid a SID; either may be NULL.
 */
RH_API int rh_evidence_write_for_user(const rh_evidence_write *w, const char *user_name,
                                      const char *user_sid);

/** The question for rh_evidence_state(). */
typedef struct rh_evidence_subject {
    const char *host;       /* NULL or "": every host */
    const char *key_path;   /* as for rh_evidence_writes() */
    const char *value_name; /* NULL: the key itself */
    rh_evidence_presence presence;
    uint64_t last_write; /* the key's last-write FILETIME from the hive, 0 if unknown */
    /* Whose user hive the subject comes from (NULL/"": machine hive or unknown). Writes logged
     * through the HKCU view by another, known account are then not counted for it. */
    const char *user_name; /* profile name ("bob", "bob.CORP") */
    const char *user_sid;  /* "S-1-5-21-..." */
} rh_evidence_subject;

/** The answer. */
typedef struct rh_evidence_verdict {
    rh_evidence_fusion state;
    size_t writes;             /* set/create/rename-to events for it */
    size_t deletes;            /* delete events for it */
    uint64_t first_write;      /* time of the earliest write event, or 0 */
    uint64_t last_write_event; /* time of the latest write event, or 0 */
    uint64_t last_delete;      /* time of the latest delete event, or 0 */
    rh_evidence_cover cover;   /* registry-capable logs at subject.last_write */
} rh_evidence_verdict;

/**
 * Classify one (host, key, value) from hive presence, its key's last-write time and the
 * indexed events (rules: docs/correlation.md "Fusion states"). Returns RH_OK, RH_ERR_ARG or
 * RH_ERR_NOMEM.
 */
RH_API rh_status rh_evidence_state(rh_evidence *ev, const rh_evidence_subject *subject,
                                   rh_evidence_verdict *out);

/* ---- summary ---------------------------------------------------------------------------- */

/** Events of one (channel, event id) on a host. */
typedef struct rh_evidence_stat {
    const char *provider; /* first provider seen for the channel and id */
    const char *channel;  /* channel, or the provider when the source has no channel */
    uint32_t event_id;
    uint64_t count;
    uint64_t first, last; /* event times (FILETIME) */
} rh_evidence_stat;

/** One host of the index. */
typedef struct rh_evidence_host {
    const char *name;              /* Computer as first seen ("" = events without one) */
    const rh_evidence_stat *stats; /* ordered by channel then event id */
    size_t nstats;
    uint64_t events; /* events indexed (after dropping duplicates) */
    uint64_t writes, processes, conns, files;
    uint64_t clears, last_clear;
    rh_evidence_cover registry; /* registry-capable logs (what = NULL), covered = 0 */
    int has_registry_logs;      /* 0: no Sysmon and no Security 4657 from this host */
} rh_evidence_host;

/** Number of hosts. */
RH_API size_t rh_evidence_host_count(const rh_evidence *ev);

/**
 * Describe host i (0-based, in order of first appearance). Borrowed: *out's pointers are
 * valid until the next rh_evidence_add_*() or rh_evidence_destroy(). Returns RH_OK or
 * RH_NOT_FOUND (i out of range).
 */
RH_API rh_status rh_evidence_host_get(rh_evidence *ev, size_t i, rh_evidence_host *out);

/**
 * Find a host by name, FQDN-tolerantly and case-insensitively (the rule every query uses).
 * Returns RH_OK with *index set, RH_NOT_FOUND, or RH_ERR_ARG (NULL or empty name).
 */
RH_API rh_status rh_evidence_host_find(rh_evidence *ev, const char *name, size_t *index);

/** Index-wide counters. */
typedef struct rh_evidence_counts {
    uint64_t events;     /* events seen by rh_evidence_add_event() */
    uint64_t indexed;    /* events that produced a record */
    uint64_t duplicates; /* exact duplicates dropped */
    uint64_t dropped;    /* records dropped at max_records or max_hosts */
    uint64_t ignored;    /* RH_EVENT_FROM_STATE and unusable events (no path, no pid) */
    uint64_t strings;    /* distinct interned strings */
    uint64_t bytes;      /* memory held by the index (approximate) */
} rh_evidence_counts;

RH_API void rh_evidence_counts_get(const rh_evidence *ev, rh_evidence_counts *out);

#ifdef __cplusplus
}
#endif
#endif
