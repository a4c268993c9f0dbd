/*
 * reghunt: the registry persistence knowledge base.
 *
 * A knowledge base (rh_kb) is an immutable table of persistence locations: the built-in table
 * compiled from src/kb/kb_locations.def with the Windows defaults of src/kb/kb_defaults.def,
 * plus, optionally, rows loaded from user TSV files (same columns; a user row with the id of a
 * built-in row replaces it, defaults included). Once built, a kb is
 * read-only and may be shared by several threads.
 *
 * Patterns are relative to the hive root (SOFTWARE paths have no "Software\" prefix, SYSTEM
 * paths start with "ControlSet00*", NTUSER paths start at the NTUSER.DAT root, USRCLASS paths
 * start at the UsrClass.dat root = HKCU\Software\Classes). A key pattern is a list of
 * backslash-separated components; each component is either literal (case-insensitive), a glob
 * with `*` (any run of characters inside one component) and `?` (one character), or `**`
 * (zero or more whole components). A value pattern is `*` (every value), `(default)` (the
 * unnamed value) or a glob over the value name.
 *
 * Because NTUSER `Software\Classes` and UsrClass.dat are two views of the same per-user
 * classes, a NTUSER key under `Software\Classes\` is also matched against the USRCLASS rows
 * (with the prefix removed).
 */
#ifndef REGHUNT_KB_H
#define REGHUNT_KB_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "regpath.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rh_kb rh_kb;

/* rh_kb_hive (the knowledge base's hive views): regpath.h */

/** How to interpret a location's data. */
typedef enum rh_kb_interp {
    RH_KB_INTERP_CMDLINE = 0, /* a command line (program + arguments) */
    RH_KB_INTERP_DLLPATH = 1, /* a DLL or file path loaded by a host process */
    RH_KB_INTERP_CLSID = 2,   /* a CLSID (in the data, or as the value name) */
    RH_KB_INTERP_LIST = 3,    /* list of names/packages/DLLs: MULTI_SZ, comma or space list */
    RH_KB_INTERP_CMDLIST = 4, /* comma-separated list of commands (Winlogon Userinit/Shell) */
    RH_KB_INTERP_NUMBER = 5,  /* flag or number (DWORD, or a number written as a string) */
    RH_KB_INTERP_FOLDER = 6,  /* a folder whose contents auto-run (Startup redirection) */
    RH_KB_INTERP_STARTUPAPPROVED = 7, /* StartupApproved binary: flag byte + FILETIME */
    RH_KB_INTERP_TEXT = 8,            /* other text (URL, password, name); presence is the signal */
    RH_KB_INTERP_BINARY = 9, /* opaque binary holding a path (Winsock catalog, task actions) */
    RH_KB_INTERP_COUNT = 10
} rh_kb_interp;

/** Location-specific rules applied by the scorer on top of the generic ones (docs/scoring.md). */
typedef enum rh_kb_check {
    RH_KB_CHECK_NONE = 0,
    RH_KB_CHECK_RUN = 1,             /* Run/RunOnce value: ! and * prefixes */
    RH_KB_CHECK_RUNONCEEX = 2,       /* RunOnceEx lines "dll|func", "||cmd", Depend */
    RH_KB_CHECK_STARTUPAPPROVED = 3, /* enabled/disabled flag + FILETIME */
    RH_KB_CHECK_SHELLFOLDER = 4,     /* Startup folder redirection */
    RH_KB_CHECK_WINLOGON_LIST = 5,   /* every comma entry against the defaults */
    RH_KB_CHECK_IFEO_DEBUGGER = 6,   /* Debugger; accessibility binaries are Critical */
    RH_KB_CHECK_IFEO_GLOBALFLAG = 7, /* 0x200 + SilentProcessExit, 0x100 + VerifierDlls */
    RH_KB_CHECK_IFEO_VERIFIER = 8,   /* VerifierDlls */
    RH_KB_CHECK_SPE_MONITOR = 9,     /* SilentProcessExit MonitorProcess */
    RH_KB_CHECK_SPE_REPORTING = 10,  /* SilentProcessExit ReportingMode */
    RH_KB_CHECK_COM_SERVER = 11,     /* per-user or machine COM server path */
    RH_KB_CHECK_COM_TREATAS = 12,    /* TreatAs redirection */
    RH_KB_CHECK_COM_SCRIPTLET = 13,  /* ScriptletURL / script: moniker */
    RH_KB_CHECK_COM_PROGID = 14,     /* ProgID -> CLSID remap */
    RH_KB_CHECK_SERVICE = 15,        /* service ImagePath / ServiceDll / FailureCommand */
    RH_KB_CHECK_PENDING_RENAME = 16, /* PendingFileRenameOperations (source, target) pairs */
    RH_KB_CHECK_ACTIVE_SETUP = 17,   /* Active Setup component name (GUID) and StubPath */
    RH_KB_CHECK_COUNT = 18
} rh_kb_check;

/** Risk levels, ordered. */
typedef enum rh_risk {
    RH_RISK_INFO = 0,
    RH_RISK_LOW = 1,
    RH_RISK_MEDIUM = 2,
    RH_RISK_HIGH = 3,
    RH_RISK_CRITICAL = 4
} rh_risk;
#define RH_RISK_COUNT 5

/* Location flags (rh_kb_location.flags). */
#define RH_KB_F_ABSENT_DEFAULT 0x1u   /* absent on a clean Windows: any value is anomalous */
#define RH_KB_F_MODIFIER       0x2u   /* modifies another entry, launches nothing by itself */
#define RH_KB_F_PRIVILEGED     0x4u   /* loaded as SYSTEM / into LSASS / before logon */
#define RH_KB_F_LEGACY         0x8u   /* ignored by current Windows: presence is still a tell */
#define RH_KB_F_ADJACENT       0x10u  /* adjacent technique (account, proxy, weakening) */
#define RH_KB_F_NOISY          0x20u  /* many legitimate entries: location prior alone is weak */
#define RH_KB_F_PER_USER       0x40u  /* user-writable without admin rights */
#define RH_KB_F_NAME_IS_DATA   0x80u  /* the value name carries the payload (names, CLSIDs) */
#define RH_KB_F_SYSDIR         0x100u /* a bare file name loads from an admin-only system folder */
#define RH_KB_F_KNOWN_NAMES    0x200u /* every Windows entry has a default row: one without is new */
#define RH_KB_F_STRICT_DEFAULT 0x400u /* any change from the Windows default is at least Medium */

/**
 * Windows build families. Defaults differ between them (XP's Startup folder, Windows 7's
 * Sidebar Run value, livessp on 8+ ...); a host's family comes from its hives
 * (rh_coll_host.build). RH_WIN_UNKNOWN means "not detected": every family's defaults apply.
 */
typedef enum rh_win_family {
    RH_WIN_UNKNOWN = 0,
    RH_WIN_XP = 1,     /* XP, Server 2003 (NT 5.x, builds below 6000) */
    RH_WIN_VISTA7 = 2, /* Vista, 7, Server 2008 and 2008 R2 (builds 6000-7601) */
    RH_WIN_8 = 3,      /* 8, 8.1, Server 2012 and 2012 R2 (builds 9200-9600) */
    RH_WIN_10 = 4,     /* 10, Server 2016, 2019 and 2022 (builds 10240-21999) */
    RH_WIN_11 = 5,     /* 11, Server 2025 (builds 22000 and later) */
    RH_WIN_FAMILY_COUNT = 6
} rh_win_family;

/** Bit of a family in rh_kb_default.families. */
#define RH_WIN_BIT(f) (1u << (unsigned)(f))

/** "unknown", "xp", "vista7", "win8", "win10", "win11" ("?" out of range). */
RH_API const char *rh_win_family_name(rh_win_family f);

/** Parse a family name above (case-insensitive). Returns RH_OK or RH_NOT_FOUND. */
RH_API rh_status rh_win_family_parse(const char *s, rh_win_family *out);

/** Family of a Windows build number (CurrentBuildNumber); 0 gives RH_WIN_UNKNOWN. */
RH_API rh_win_family rh_win_family_from_build(uint32_t build);

/**
 * One Windows default of a location (built-in rows: src/kb/kb_defaults.def; a user TSV row's
 * `defaults` column gives one row for every family). Borrowed: valid until rh_kb_destroy().
 */
typedef struct rh_kb_default {
    const char *location_id;
    unsigned families;      /* RH_WIN_BIT() of each family it holds for, never 0 */
    const char *key_glob;   /* "" = every key of the location, else a glob over the key path */
    const char *value_glob; /* "*" = every value, "(default)" = the unnamed value, or globs (|) */
    const char *data;       /* '|'-separated alternatives, '~' prefix = glob, "~" = empty */
    const char *source;     /* where it was observed or documented ("file:line" for users) */
} rh_kb_default;

/**
 * 1 when default `d` holds for a value `value_name` of key `key_path` (relative to the hive
 * root) on a host of family `fam` (RH_WIN_UNKNOWN: any family).
 */
RH_API int rh_kb_default_applies(const rh_kb_default *d, rh_win_family fam, const char *key_path,
                                 size_t key_len, const char *value_name, size_t name_len);

/**
 * One persistence location. Every string is NUL-terminated UTF-8. Borrowed: valid until
 * rh_kb_destroy().
 */
typedef struct rh_kb_location {
    const char *id;             /* unique, [a-z0-9_]+ */
    const char *technique;      /* ATT&CK id, "T1547.001" */
    const char *technique_name; /* "Registry Run Keys / Startup Folder" */
    rh_kb_hive hive;
    const char *key_pattern;   /* relative to the hive root */
    const char *value_pattern; /* "*", "(default)" or a glob over value names */
    rh_kb_interp interp;
    rh_kb_check check;
    const rh_kb_default *defaults; /* its Windows defaults, all families (ndefaults rows) */
    size_t ndefaults;
    rh_risk base_risk;
    unsigned flags;   /* RH_KB_F_* */
    const char *why;  /* why the location matters, one or two sentences */
    unsigned builtin; /* 1 for rows of the built-in table, 0 for user rows */
} rh_kb_location;

/**
 * Create a knowledge base holding the built-in table. Owned: free with rh_kb_destroy().
 * Returns RH_OK or RH_ERR_NOMEM; on failure *out is NULL.
 */
RH_API rh_status rh_kb_create(rh_ctx *ctx, rh_kb **out);

/** Destroy a knowledge base. Accepts NULL. */
RH_API void rh_kb_destroy(rh_kb *kb);

/**
 * Load locations from a TSV file (columns as in docs/kb.md: id, technique, technique_name,
 * hive, key_pattern, value_pattern, interp, check, defaults, base_risk, flags, why; lines
 * starting with '#' and a header line starting with "id\t" are skipped). A row whose id equals
 * an existing row replaces it. Bad rows are reported through the context's diag callback with
 * their line number and skipped (RH_ERR_STRICT in strict mode).
 * Returns RH_OK, RH_ERR_IO, RH_ERR_LIMIT, RH_ERR_NOMEM or RH_ERR_STRICT.
 */
RH_API rh_status rh_kb_load_file(rh_kb *kb, const char *path);

/** Same as rh_kb_load_file() from memory; `name` is used in diagnostics. */
RH_API rh_status rh_kb_load_mem(rh_kb *kb, const char *name, const char *text, size_t len);

/** Number of locations, and the i-th one (NULL if out of range). Order: table order. */
RH_API size_t rh_kb_count(const rh_kb *kb);
RH_API const rh_kb_location *rh_kb_at(const rh_kb *kb, size_t i);

/** Number of default rows (all locations), and the i-th one (NULL if out of range). */
RH_API size_t rh_kb_default_count(const rh_kb *kb);
RH_API const rh_kb_default *rh_kb_default_at(const rh_kb *kb, size_t i);

/** ATT&CK name of a technique id of the knowledge base ("T1546.008" ...), or NULL. */
RH_API const char *rh_technique_name(const char *technique);

/** ATT&CK Enterprise tactics, in the matrix's (kill-chain) order. */
typedef enum rh_tactic {
    RH_TACTIC_RECONNAISSANCE = 0,
    RH_TACTIC_RESOURCE_DEVELOPMENT = 1,
    RH_TACTIC_INITIAL_ACCESS = 2,
    RH_TACTIC_EXECUTION = 3,
    RH_TACTIC_PERSISTENCE = 4,
    RH_TACTIC_PRIVILEGE_ESCALATION = 5,
    RH_TACTIC_DEFENSE_EVASION = 6,
    RH_TACTIC_CREDENTIAL_ACCESS = 7,
    RH_TACTIC_DISCOVERY = 8,
    RH_TACTIC_LATERAL_MOVEMENT = 9,
    RH_TACTIC_COLLECTION = 10,
    RH_TACTIC_COMMAND_AND_CONTROL = 11,
    RH_TACTIC_EXFILTRATION = 12,
    RH_TACTIC_IMPACT = 13
} rh_tactic;
#define RH_TACTIC_COUNT 14

/** Short name as ATT&CK and the Navigator write it ("initial-access"), or "" out of range. */
RH_API const char *rh_tactic_id(rh_tactic t);
/** Display name ("Initial Access"), or "" out of range. */
RH_API const char *rh_tactic_name(rh_tactic t);

/**
 * The tactic a technique is reported under: the knowledge base's techniques
 * (kb_techniques.def: persistence for most) and a few common ones Sigma rules tag (T1059
 * execution, T1105 command and control, T1566 initial access, ...; docs/kb.md). A
 * sub-technique not listed takes its parent's. Returns RH_OK or RH_NOT_FOUND (unknown id).
 */
RH_API rh_status rh_technique_tactic(const char *technique, rh_tactic *out);

/** True when s is an ATT&CK technique id: "T" + 4 digits, optionally "." + 3 digits. */
RH_API int rh_technique_id_valid(const char *s);

/** The location with this id, or NULL. */
RH_API const rh_kb_location *rh_kb_find(const rh_kb *kb, const char *id);

/**
 * Locations whose key pattern matches `key_path` (relative to the hive root, backslash-
 * separated, counted UTF-8, may contain NUL). Writes up to `max` pointers to out and the total
 * number of matches to *n (which may exceed max). Returns RH_OK or RH_ERR_ARG.
 * Cost: one walk of the precompiled pattern trie, no allocation.
 */
RH_API rh_status rh_kb_match_key(const rh_kb *kb, rh_kb_hive hive, const char *key_path,
                                 size_t key_len, const rh_kb_location **out, size_t max, size_t *n);

/** True when `loc`'s value pattern matches the value name ("" = the default value). */
RH_API int rh_kb_value_matches(const rh_kb_location *loc, const char *value_name, size_t name_len);

/**
 * rh_kb_match_key() followed by rh_kb_value_matches(): the locations that cover this value.
 * Returns RH_OK or RH_ERR_ARG.
 */
RH_API rh_status rh_kb_match(const rh_kb *kb, rh_kb_hive hive, const char *key_path, size_t key_len,
                             const char *value_name, size_t name_len, const rh_kb_location **out,
                             size_t max, size_t *n);

/**
 * Pruning helper for a hive walk: 1 if some location could match `key_path` or a key below
 * it, 0 if the whole subtree can be skipped. The empty path (the root) always gives 1.
 */
RH_API int rh_kb_should_descend(const rh_kb *kb, rh_kb_hive hive, const char *key_path,
                                size_t key_len);

/**
 * Literal entry points for direct lookups: the distinct literal prefixes (components before
 * the first wildcard) of every location of `hive`, in table order. *depth_below receives how
 * many more components the deepest pattern under that prefix needs (UINT32_MAX for `**`).
 * A prefix of "" means the pattern starts with a wildcard (e.g. "ControlSet00*"): walk from
 * the root with rh_kb_should_descend(). Returns the prefix (borrowed, valid until
 * rh_kb_destroy()) or NULL when i is out of range.
 */
RH_API const char *rh_kb_entry_point(const rh_kb *kb, rh_kb_hive hive, size_t i,
                                     uint32_t *depth_below);

/** Name of a hive kind ("SOFTWARE"...), interp kind ("cmdline"...), check, risk ("High"). */
RH_API const char *rh_kb_hive_name(rh_kb_hive h);
RH_API const char *rh_kb_interp_name(rh_kb_interp k);
RH_API const char *rh_kb_check_name(rh_kb_check c);
RH_API const char *rh_risk_name(rh_risk r);

/** Parse the names above (case-insensitive). Returns RH_OK or RH_NOT_FOUND. */
RH_API rh_status rh_kb_hive_parse(const char *s, rh_kb_hive *out);
RH_API rh_status rh_risk_parse(const char *s, rh_risk *out);

/**
 * Glob match used for key components and value names: `*` any run, `?` one byte,
 * ASCII case-insensitive. Exposed for tests and allowlists. Returns 1 on match.
 */
RH_API int rh_kb_glob(const char *pat, size_t plen, const char *s, size_t slen);

/** Check the syntax of a key pattern. Returns RH_OK or RH_ERR_ARG. */
RH_API rh_status rh_kb_pattern_check(const char *key_pattern);

#ifdef __cplusplus
}
#endif
#endif
