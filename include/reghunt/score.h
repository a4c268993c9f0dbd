/*
 * reghunt: deterministic risk and confidence for one registry value at a persistence
 * location, with one-line reasons and a recommended action. The rules are in docs/scoring.md.
 *
 * The scorer never touches a hive: the caller passes the decoded value, the location it
 * matched (rh_kb_match), and what it knows about the surroundings:
 *   - an rh_comdb of the machine's COM registrations (SOFTWARE\Classes CLSIDs and ProgIDs),
 *     so per-user registrations that shadow them are recognised;
 *   - a lookup callback for related values (IFEO GlobalFlag <-> SilentProcessExit,
 *     UseFilter, LoadAppInit_DLLs, the Run value behind a StartupApproved entry ...);
 *   - baseline/allowlist verdicts, value flags (deleted, from log replay) and times.
 */
#ifndef REGHUNT_SCORE_H
#define REGHUNT_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "interp.h"
#include "kb.h"
#include "status.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rh_confidence { RH_CONF_LOW = 0, RH_CONF_MEDIUM = 1, RH_CONF_HIGH = 2 } rh_confidence;

typedef enum rh_action {
    RH_ACTION_MONITORING = 0,
    RH_ACTION_INVESTIGATION = 1,
    RH_ACTION_CONTAINMENT = 2
} rh_action;

RH_API const char *rh_confidence_name(rh_confidence c); /* "High", "Medium", "Low" */
RH_API const char *rh_action_name(rh_action a);         /* "Containment", ... */

/* ---- machine COM registrations ----------------------------------------------------------- */

typedef struct rh_comdb rh_comdb;

/** COM server kinds recorded per CLSID. */
typedef enum rh_com_server {
    RH_COM_INPROC = 0,  /* InprocServer32 */
    RH_COM_LOCAL = 1,   /* LocalServer32 */
    RH_COM_HANDLER = 2, /* InprocHandler32 */
    RH_COM_TREATAS = 3, /* TreatAs target CLSID */
    RH_COM_SERVER_COUNT = 4
} rh_com_server;

/** Create an empty COM database. Owned: free with rh_comdb_destroy(). */
RH_API rh_status rh_comdb_create(rh_ctx *ctx, rh_comdb **out);
RH_API void rh_comdb_destroy(rh_comdb *db);

/**
 * Record that the machine (SOFTWARE\Classes\CLSID, either view) registers `clsid` ("{...}",
 * case-insensitive) with `server` of `kind` (data as stored, unexpanded; "" if the key exists
 * with no data). A later call for the same clsid and kind replaces the server.
 * Returns RH_OK, RH_ERR_ARG (not a {GUID}) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_comdb_add(rh_comdb *db, const char *clsid, rh_com_server kind,
                              const char *server);

/** Record a machine ProgID -> CLSID mapping (SOFTWARE\Classes\<ProgID>\CLSID). */
RH_API rh_status rh_comdb_add_progid(rh_comdb *db, const char *progid, const char *clsid);

/**
 * Machine server for a CLSID: RH_OK with *server borrowed (valid until the next add or
 * destroy), RH_NOT_FOUND when the CLSID or that kind is not registered. *known (may be NULL)
 * is set to 1 when the CLSID is registered at all (any kind).
 */
RH_API rh_status rh_comdb_get(const rh_comdb *db, const char *clsid, rh_com_server kind,
                              const char **server, int *known);

/** Machine CLSID of a ProgID (borrowed) or RH_NOT_FOUND. */
RH_API rh_status rh_comdb_get_progid(const rh_comdb *db, const char *progid, const char **clsid);

/* ---- scoring ------------------------------------------------------------------------------ */

/**
 * Look up a related value in a hive of the same host/user: `hive` and `key_path` (relative to
 * that hive's root), `value_name` ("" = default). On RH_OK append the value in decoded form
 * (see rh_regdata) to `out` and set *type. Return RH_NOT_FOUND when absent.
 */
typedef rh_status (*rh_score_lookup_fn)(void *user, rh_kb_hive hive, const char *key_path,
                                        const char *value_name, uint32_t *type, rh_buf *out);

/* Value flags for rh_score_input.value_flags (same bits as hive.h RH_VALUE_*). */
#define RH_SCORE_DELETED     0x1u /* only in a deleted cell */
#define RH_SCORE_FROM_REPLAY 0x2u /* new or changed by transaction-log replay */

/** Everything the scorer may use. Zero-initialise, then fill what you know. */
typedef struct rh_score_input {
    const rh_kb_location *loc; /* required: the matched location */
    rh_kb_hive hive;           /* hive kind the value was read from */
    rh_win_family build;       /* the host's Windows family; RH_WIN_UNKNOWN = every family */
    const char *key_path;      /* required: relative to the hive root */
    size_t key_len;
    const char *value_name; /* "" = default value; may contain NUL */
    size_t name_len;
    rh_regdata data;             /* decoded data */
    uint32_t value_flags;        /* RH_SCORE_* */
    uint64_t key_last_write;     /* FILETIME, 0 = unknown */
    uint64_t reference_time;     /* FILETIME of "now" / incident time, 0 = no recency rule */
    int in_baseline;             /* the same location+value+data is in the --baseline */
    int in_allowlist;            /* matched an --allowlist entry */
    const rh_env *env;           /* NULL = defaults */
    const rh_comdb *machine_com; /* NULL = unknown (no SOFTWARE hive) */
    rh_score_lookup_fn lookup;   /* NULL = related values unknown */
    void *lookup_user;
} rh_score_input;

/** The verdict. Owned strings: free with rh_score_result_free(). */
typedef struct rh_score_result {
    rh_risk risk;
    rh_confidence confidence;
    rh_action action;
    int points;                 /* the score behind the risk level (docs/scoring.md) */
    const char *technique;      /* may refine the location's (sethc Debugger -> T1546.008) */
    const char *technique_name; /* static strings */
    int is_default;             /* data equals the Windows default */
    char *reasons;              /* one line, reasons separated by "; " (never NULL) */
    unsigned nreasons;
    char *action_text; /* "Containment: isolate the host, ..." (never NULL) */
    char *target;      /* resolved target path (NULL if none) */
    rh_path_class path_class;
    uint64_t features;  /* union of RH_FEAT_* over every analysed item */
    uint64_t time_info; /* StartupApproved: FILETIME decoded from the data, else 0 */
} rh_score_result;

/**
 * Score one value. *out is zeroed first; free it with rh_score_result_free() (also after a
 * failure). Deterministic: the same input always gives the same result.
 * Returns RH_OK, RH_ERR_ARG (no location / key path) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_score_value(rh_ctx *ctx, const rh_score_input *in, rh_score_result *out);

RH_API void rh_score_result_free(rh_ctx *ctx, rh_score_result *r);

#ifdef __cplusplus
}
#endif
#endif
