/*
 * reghunt: triage collections. Finds the registry hives in what a responder collected from
 * one or many Windows hosts and says which host and which user each hive belongs to.
 *
 * Inputs (rh_collection_add) are hive files, directories (walked recursively, symlinks not
 * followed) and zip archives (read through libarchive into memory, never extracted to disk).
 * Hives are recognised by name (SOFTWARE, SYSTEM, SAM, SECURITY, DEFAULT, NTUSER.DAT,
 * UsrClass.dat, Amcache.hve, BCD) and by the `regf` signature with a primary file type
 * (transaction logs are kept beside their hive, not hunted). Two layouts are understood:
 *   - KAPE:        <host>/C/Windows/System32/config/SYSTEM, <host>/C/Users/<name>/NTUSER.DAT,
 *                  <host>/C/Users/<name>/AppData/Local/Microsoft/Windows/UsrClass.dat
 *   - Velociraptor: <host>/uploads/auto/C%3A/Windows/... (URL-encoded path components)
 * Any other file is grouped with the other hives of its directory.
 *
 * Event inputs (files and zip members ending .evtx, .json, .ndjson, .jsonl or .gz: KAPE
 * <host>/C/Windows/System32/winevt/Logs/X.evtx, Velociraptor uploads, SIEM exports) are listed
 * beside the hives (rh_collection_events_at) and read by rh_collection_events_read(): the one
 * place that finds a run's inputs, for the hunt and for `reghunt events`.
 *
 * Archives are scanned by member name and first bytes only; a hive member and its logs are
 * inflated when the hive is opened (one at a time) and event members are streamed when read,
 * so memory never follows the archive's size. Archives inside archives are not opened.
 *
 * rh_collection_finish() groups hives by host (display name = ComputerName from SYSTEM, else
 * the host folder), resolves CurrentControlSet from SYSTEM\Select, lists every ControlSet00N,
 * and maps user hives to users (profile folder name, embedded hive name, root key owner) and
 * SIDs (SOFTWARE ProfileList ProfileImagePath).
 *
 * Evidence is read-only: files are opened O_RDONLY, never written or locked.
 */
#ifndef REGHUNT_COLLECTION_H
#define REGHUNT_COLLECTION_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "event.h"
#include "hive.h"
#include "regpath.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rh_collection rh_collection;

/* rh_hive_kind / rh_kb_hive and their names: regpath.h (the registry view) */

#define RH_COLL_NONE ((size_t)-1)

/* Caps (why: a triage collection of a few hundred hosts stays far below these). */
#define RH_COLL_MAX_HIVES      20000u        /* hives in one collection */
#define RH_COLL_MAX_FILES      2000000u      /* directory entries visited */
#define RH_COLL_MAX_DEPTH      64u           /* directory / member path depth */
#define RH_COLL_MAX_PATH       4096u         /* bytes of one path */
#define RH_COLL_MAX_ARCHIVE_IN (16ull << 30) /* hive/log bytes inflated from all archives */
#define RH_COLL_MAX_EVENT_LOGS 100000u       /* event inputs (files and archive members) */

/** One hive of the collection. Borrowed: valid until rh_collection_destroy(). */
typedef struct rh_coll_hive {
    const char *source; /* file path, or "<archive>!<member path>" for archive members */
    rh_hive_kind kind;
    size_t host;             /* index of its host (after rh_collection_finish) */
    const char *user;        /* profile name ("bob", "LocalService") or NULL */
    const char *user_sid;    /* "S-1-5-21-...-1001" or NULL when unknown */
    const char *profile_dir; /* "C:\Users\bob" (from ProfileList or the layout) or NULL */
    uint64_t size;           /* bytes */
    uint64_t last_written;   /* FILETIME from the base block header (0 if unreadable) */
    unsigned logs;           /* transaction logs found beside it (archives: in memory) */
    int in_archive;
} rh_coll_hive;

/** One host. Borrowed: valid until rh_collection_destroy(). */
typedef struct rh_coll_host {
    const char *name;             /* ComputerName from SYSTEM, else the host folder's name */
    const char *folder;           /* the host folder (grouping key) */
    const char *layout;           /* "kape", "velociraptor" or "files" */
    size_t system;                /* index of the primary SYSTEM hive or RH_COLL_NONE */
    size_t software;              /* index of the primary SOFTWARE hive or RH_COLL_NONE */
    uint32_t current_control_set; /* Select\Current (0 = unknown) */
    uint32_t control_sets;        /* bit N set when ControlSet00N exists (N = 1..31) */
    const char *system_root;      /* SOFTWARE ...\CurrentVersion\SystemRoot or NULL */
    /* Windows build: SOFTWARE CurrentBuildNumber (or CurrentBuild / CurrentVersion), else a
     * representative build of the family that SYSTEM or NTUSER markers show (2600 XP, 7601
     * Vista/7, 9600 8.x, 10240 10 or later); 0 = unknown. build_source says which. */
    uint32_t build;
    const char *build_source; /* "SOFTWARE CurrentBuildNumber", "SYSTEM services", ... or NULL */
} rh_coll_host;

/**
 * One event input of the collection: a file found by name (.evtx, .json, .ndjson, .jsonl,
 * .gz) in a directory or given itself, or such a member of a zip archive. Read it with
 * rh_collection_events_read() (an archive member is streamed out of its archive, never held
 * whole). Borrowed: valid until rh_collection_destroy().
 */
typedef struct rh_coll_events {
    const char *source; /* the file path, or "<archive>!<member path>" */
    const char *folder; /* host folder it sits under (as rh_coll_host.folder) */
    size_t host;        /* host whose hives share that folder, or RH_COLL_NONE */
    uint64_t size;      /* bytes as stored (archive members: as declared; 0 = unknown) */
    int in_archive;
} rh_coll_events;

/* Options (rh_collection_opts.flags). */
#define RH_COLL_NO_LOGS   0x1u /* do not apply transaction logs */
#define RH_COLL_DELETED   0x2u /* open hives with deleted key/value recovery */
#define RH_COLL_NO_EVENTS 0x4u /* do not keep event log members of archives */

typedef struct rh_collection_opts {
    unsigned flags;
} rh_collection_opts;

/**
 * Create an empty collection. opts may be NULL. Owned: free with rh_collection_destroy().
 * Returns RH_OK or RH_ERR_NOMEM; on failure *out is NULL.
 */
RH_API rh_status rh_collection_create(rh_ctx *ctx, const rh_collection_opts *opts,
                                      rh_collection **out);

/** Destroy a collection and close its open hives. Accepts NULL. */
RH_API void rh_collection_destroy(rh_collection *coll);

/**
 * Add a hive file, a directory or a zip archive. Files inside directories and archives that
 * are not hives are ignored. Returns RH_OK, RH_ERR_IO (path unreadable; an error diag names
 * it), RH_ERR_FORMAT (a file given directly is neither a hive nor a zip), RH_ERR_LIMIT or
 * RH_ERR_NOMEM. Call before rh_collection_finish().
 */
RH_API rh_status rh_collection_add(rh_collection *coll, const char *path);

/**
 * Add a hive held in memory (the live reader's images, a hive read from a running system):
 * `source` labels it in findings and diagnostics; `layout_path` is where it would sit in a
 * KAPE collection ("HOST/C/Windows/System32/config/SOFTWARE", "HOST/C/Users/bob/NTUSER.DAT"),
 * which gives its kind, host and user as for a file. No transaction logs are applied.
 * Owned: `image` (rh_malloc'd through the collection's context) is taken over in every case
 * and freed with the collection. Returns RH_OK, RH_ERR_FORMAT (no regf primary header),
 * RH_ERR_ARG, RH_ERR_LIMIT or RH_ERR_NOMEM.
 */
RH_API rh_status rh_collection_add_image(rh_collection *coll, const char *source,
                                         const char *layout_path, uint8_t *image, size_t len);

/**
 * Group hives by host, order them deterministically (host folder, then source path), read
 * SYSTEM and SOFTWARE for host names, control sets and profiles, and map user hives.
 * Hives that cannot be opened get an error diag and stay in the list (rh_collection_open
 * fails for them). Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_collection_finish(rh_collection *coll);

RH_API size_t rh_collection_hive_count(const rh_collection *coll);
/** Borrowed hive record, or NULL when out of range. */
RH_API const rh_coll_hive *rh_collection_hive_at(const rh_collection *coll, size_t i);
RH_API size_t rh_collection_host_count(const rh_collection *coll);
RH_API const rh_coll_host *rh_collection_host_at(const rh_collection *coll, size_t i);

/**
 * Open hive i (cached: later calls return the same handle). Borrowed: valid until
 * rh_collection_release(coll, i) or rh_collection_destroy(). Returns the rh_hive_open()
 * status; a failure is remembered and returned again without retrying.
 */
RH_API rh_status rh_collection_open(rh_collection *coll, size_t i, rh_hive **out);

/** Close hive i if it is open (memory is released; it may be opened again). */
RH_API void rh_collection_release(rh_collection *coll, size_t i);

/** Bytes of hive data added so far (files and archive members). */
RH_API uint64_t rh_collection_bytes(const rh_collection *coll);

/**
 * Event inputs, ordered by source (after rh_collection_finish; before it, in reading order
 * with host = RH_COLL_NONE). Inputs beyond RH_COLL_MAX_EVENT_LOGS are skipped with a warning
 * diag.
 */
RH_API size_t rh_collection_events_count(const rh_collection *coll);
/** Borrowed event input i, or NULL when out of range. */
RH_API const rh_coll_events *rh_collection_events_at(const rh_collection *coll, size_t i);

/**
 * Read event input i (rh_events_read_file() for files; archive members streamed through
 * rh_events_read_cb()) and call fn for each event. Returns what those return, RH_ERR_IO when
 * the archive cannot be opened again or the member is gone, or RH_ERR_ARG.
 */
RH_API rh_status rh_collection_events_read(rh_collection *coll, size_t i,
                                           const rh_events_opts *opts, rh_event_fn fn, void *user);

#ifdef __cplusplus
}
#endif
#endif
