/*
 * reghunt: interpretation of registry data: environment expansion, command-host unwrapping,
 * target path extraction and classification, and the suspicious features of a string.
 *
 * Every input string is attacker-controlled: all loops are bounded by the input length and
 * by RH_INTERP_MAX_* caps, outputs are valid UTF-8 (bad bytes become U+FFFD).
 */
#ifndef REGHUNT_INTERP_H
#define REGHUNT_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "status.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Registry value types (the raw on-disk numbers). */
#define RH_REGTYPE_NONE      0u
#define RH_REGTYPE_SZ        1u
#define RH_REGTYPE_EXPAND_SZ 2u
#define RH_REGTYPE_BINARY    3u
#define RH_REGTYPE_DWORD     4u
#define RH_REGTYPE_DWORD_BE  5u
#define RH_REGTYPE_LINK      6u
#define RH_REGTYPE_MULTI_SZ  7u
#define RH_REGTYPE_QWORD     11u

/* Caps on attacker-controlled input (why: real command lines stay far below these). */
#define RH_INTERP_MAX_INPUT     (64u * 1024u) /* bytes of one string analysed; longer is cut */
#define RH_INTERP_MAX_UNWRAP    8u            /* nested hosts (cmd /c powershell -c ...) */
#define RH_INTERP_MAX_ENV_DEPTH 8u            /* %A% whose value contains %B% ... */

/**
 * Value data in "decoded" form, the convention shared by the kb, interp and score APIs:
 * string types (SZ, EXPAND_SZ, LINK) are UTF-8 text; MULTI_SZ is UTF-8 items each followed
 * by one NUL; DWORD/QWORD/DWORD_BE and every other type are the raw bytes as stored.
 * Borrowed by every function that takes it.
 */
typedef struct rh_regdata {
    uint32_t type;
    const uint8_t *data;
    size_t len;
} rh_regdata;

/**
 * Convert raw hive bytes (UTF-16LE strings) to the decoded form, appending to `out` (the
 * caller then points an rh_regdata at out->data/out->len). String data stops at the first NUL;
 * MULTI_SZ keeps empty items inside the data and stops at the terminating one (only NULs
 * follow). Returns RH_OK, RH_ERR_NOMEM or RH_ERR_LIMIT.
 */
RH_API rh_status rh_regdata_decode(uint32_t type, const uint8_t *raw, size_t len, rh_buf *out);

/**
 * Read a number: DWORD / DWORD_BE / QWORD data, or a string holding a decimal or 0x-hex
 * number. Returns 1 and sets *out, or 0 if the data is not a number.
 */
RH_API int rh_regdata_number(const rh_regdata *d, uint64_t *out);

/* ---- environment ---------------------------------------------------------------------- */

typedef struct rh_env rh_env;

/**
 * Create an environment table pre-filled with the defaults of a clean Windows 10/11 install
 * (SystemRoot=C:\Windows, ProgramData=C:\ProgramData, USERPROFILE=C:\Users\user, ...; see
 * docs/scoring.md). Owned: free with rh_env_destroy().
 */
RH_API rh_status rh_env_create(rh_ctx *ctx, rh_env **out);
RH_API void rh_env_destroy(rh_env *env);

/**
 * Set or replace a variable (name case-insensitive, without '%'). Values may themselves
 * reference variables (%USERPROFILE%\AppData\Roaming): they are expanded on use.
 * Use this with what the hives say (SOFTWARE ProfileList, SYSTEM Session Manager\Environment,
 * NTUSER Environment / Volatile Environment). Returns RH_OK, RH_ERR_ARG or RH_ERR_NOMEM.
 */
RH_API rh_status rh_env_set(rh_env *env, const char *name, const char *value);

/**
 * Set the per-user variables for one profile: USERPROFILE=profile_dir, USERNAME, APPDATA,
 * LOCALAPPDATA, TEMP, TMP, HOMEPATH, OneDrive derived from it.
 */
RH_API rh_status rh_env_set_profile(rh_env *env, const char *profile_dir, const char *user);

/** Borrowed value of a variable (unexpanded) or NULL. */
RH_API const char *rh_env_get(const rh_env *env, const char *name, size_t len);

/**
 * Append `s` with %VAR% references expanded (case-insensitive names). env may be NULL: the
 * built-in defaults are used. Unknown variables are kept as written and counted in
 * *unresolved (may be NULL). Also rewrites NT prefixes: "\SystemRoot\" -> SystemRoot,
 * "\??\" removed. Returns RH_OK, RH_ERR_NOMEM or RH_ERR_LIMIT.
 */
RH_API rh_status rh_env_expand(const rh_env *env, const char *s, size_t n, rh_buf *out,
                               unsigned *unresolved);

/* ---- classification ------------------------------------------------------------------- */

/** Where a target path points. */
typedef enum rh_path_class {
    RH_PATH_NONE = 0,          /* no target could be extracted */
    RH_PATH_SYSTEM32 = 1,      /* %SystemRoot%\System32, SysWOW64, Sysnative, drivers */
    RH_PATH_WINDOWS = 2,       /* elsewhere under %SystemRoot% (not Temp) */
    RH_PATH_PROGRAM_FILES = 3, /* Program Files, Program Files (x86), Common Files */
    RH_PATH_PROGRAMDATA = 4,   /* %ProgramData% (user-writable subfolders are common) */
    RH_PATH_APPDATA = 5,       /* %APPDATA% (Roaming) */
    RH_PATH_LOCALAPPDATA = 6,  /* %LOCALAPPDATA% (not Temp) */
    RH_PATH_TEMP = 7,          /* any Temp folder, incl. C:\Windows\Temp */
    RH_PATH_PUBLIC = 8,        /* C:\Users\Public */
    RH_PATH_USERS = 9,         /* elsewhere under C:\Users (Desktop, Downloads, ...) */
    RH_PATH_UNC = 10,          /* \\server\share */
    RH_PATH_URL = 11,          /* http(s)://, ftp://, file://, script: monikers */
    RH_PATH_RELATIVE = 12,     /* a bare name resolved through the search path */
    RH_PATH_OTHER = 13,        /* another absolute path (C:\tools, D:\) */
    RH_PATH_COUNT = 14
} rh_path_class;

/** True for the classes a standard user can write to. */
RH_API int rh_path_class_user_writable(rh_path_class c);
RH_API const char *rh_path_class_name(rh_path_class c);

/* Features found in a string (rh_interp.features). */
#define RH_FEAT_LOLBIN            (1ull << 0)  /* a living-off-the-land binary runs the payload */
#define RH_FEAT_SCRIPT_HOST       (1ull << 1)  /* powershell, mshta, wscript, cscript, cmd */
#define RH_FEAT_INLINE_SCRIPT     (1ull << 2)  /* vbscript:/javascript: or -Command code inline */
#define RH_FEAT_ENCODED           (1ull << 3)  /* powershell -EncodedCommand */
#define RH_FEAT_BASE64            (1ull << 4)  /* a long base64 run */
#define RH_FEAT_OBFUSCATED        (1ull << 5)  /* ^ carets, backticks, string concatenation ... */
#define RH_FEAT_DOWNLOAD          (1ull << 6)  /* download cradle or remote fetch */
#define RH_FEAT_RAW_IP            (1ull << 7)  /* IPv4 literal in a URL or UNC path */
#define RH_FEAT_URL               (1ull << 8)  /* a URL anywhere in the data */
#define RH_FEAT_UNC               (1ull << 9)  /* a UNC path anywhere in the data */
#define RH_FEAT_USER_WRITABLE     (1ull << 10) /* target in a user-writable folder */
#define RH_FEAT_MASQUERADE        (1ull << 11) /* near-name of a system binary (svch0st) */
#define RH_FEAT_SYSNAME_MISPLACED (1ull << 12) /* system binary name outside System32 */
#define RH_FEAT_HIDDEN_WINDOW     (1ull << 13) /* -w hidden, /min, vbHide */
#define RH_FEAT_POLICY_BYPASS     (1ull << 14) /* -ep bypass, -nop */
#define RH_FEAT_CHAINED           (1ull << 15) /* several commands chained with & && || | */
#define RH_FEAT_SCRIPT_FILE       (1ull << 16) /* target is .ps1 .vbs .js .hta .bat .sct ... */
#define RH_FEAT_DOUBLE_EXT        (1ull << 17) /* invoice.pdf.exe */
#define RH_FEAT_ODD_EXT           (1ull << 18) /* DLL/EXE launched with a non-binary extension */
#define RH_FEAT_SCROBJ            (1ull << 19) /* regsvr32 /i: scrobj.dll (Squiblydoo) */
#define RH_FEAT_ENV_EXPANDED      (1ull << 20) /* %VAR% references were expanded */
#define RH_FEAT_ENV_UNRESOLVED    (1ull << 21) /* unknown %VAR% left in place */
#define RH_FEAT_EXPAND_SZ         (1ull << 22) /* REG_EXPAND_SZ data with variables (indirection) */
#define RH_FEAT_VENDOR_USERDIR    (1ull << 23) /* known per-user software folder (OneDrive...) */
#define RH_FEAT_RELATIVE          (1ull << 24) /* no folder: resolved by search order */
#define RH_FEAT_EMPTY             (1ull << 25) /* empty data */
#define RH_FEAT_LONG              (1ull << 26) /* longer than 1024 bytes */
#define RH_FEAT_NON_ASCII         (1ull << 27) /* non-ASCII characters in the target (homoglyphs) */
#define RH_FEAT_CONTROL_CHARS     (1ull << 28) /* control characters or bidi overrides in the data */
#define RH_FEAT_RUNDLL_ORDINAL    (1ull << 29) /* rundll32 dll,#n */
#define RH_FEAT_WRAPPED           (1ull << 30) /* the payload was found inside a host command */
#define RH_FEAT_CLEANUP_ONLY      (1ull << 31) /* cmd /c of del/rd/echo built-ins only: no program */

/** Analysis of one string. Owned strings: free with rh_interp_free(). */
typedef struct rh_interp {
    uint64_t features; /* RH_FEAT_* */
    rh_path_class path_class;
    char *expanded;        /* input with %VAR% expanded (never NULL after success) */
    char *target;          /* final target path after unwrapping (NULL if none) */
    char *hosts;           /* launcher chain, e.g. "cmd.exe>powershell.exe" ("" if none) */
    char *entry;           /* rundll32 entry point / RunOnceEx function (NULL if none) */
    char *decoded;         /* decoded -EncodedCommand script as UTF-8 (NULL if none) */
    char *url;             /* first URL or UNC path seen (NULL if none) */
    char *lolbin;          /* name of the first LOLBin seen (NULL if none) */
    char *masquerade_of;   /* system binary imitated (NULL if none) */
    unsigned unwrap_depth; /* hosts unwrapped */
} rh_interp;

/** How the string is to be read (subset of rh_kb_interp). */
typedef enum rh_interp_mode {
    RH_INTERP_MODE_COMMAND = 0, /* program plus arguments */
    RH_INTERP_MODE_PATH = 1     /* a path (DLL, folder): no argument splitting */
} rh_interp_mode;

/**
 * Analyse one string: expand variables (env may be NULL), unwrap command hosts (cmd /c,
 * powershell incl. -EncodedCommand, rundll32, regsvr32, mshta, wscript/cscript, msiexec,
 * conhost, forfiles, explorer), extract and classify the target, and set the features.
 * `type` is the registry type (RH_REGTYPE_EXPAND_SZ adds RH_FEAT_EXPAND_SZ when variables
 * were present). *out is zeroed first; on success free it with rh_interp_free().
 * Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_interp_analyze(rh_ctx *ctx, const rh_env *env, rh_interp_mode mode,
                                   uint32_t type, const char *s, size_t n, rh_interp *out);

/** Free the strings of an analysis. Accepts a zeroed struct. */
RH_API void rh_interp_free(rh_ctx *ctx, rh_interp *r);

/** Short name of a feature bit ("lolbin", "encoded", ...); NULL for unknown bits. */
RH_API const char *rh_interp_feature_name(uint64_t bit);

/**
 * Classify an already-expanded absolute path (or URL/UNC). Returns RH_PATH_NONE for "".
 */
RH_API rh_path_class rh_path_classify(const char *path, size_t n);

/**
 * Decode base64 (standard alphabet, whitespace ignored, padding optional) and, when
 * `utf16` is set, convert the bytes from UTF-16LE to UTF-8. Appends to out.
 * Returns RH_OK, RH_ERR_FORMAT (not base64) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_base64_decode(const char *s, size_t n, int utf16, rh_buf *out);

/**
 * True (1) when a value name is hidden: contains NUL, a C0/C1 control character, DEL, or a
 * bidi override/isolate or zero-width character (RLO trick). Writes a short description to
 * *why (static string) when non-NULL.
 */
RH_API int rh_name_is_hidden(const char *name, size_t n, const char **why);

/**
 * Call fn for each item of a list: MULTI_SZ items (NUL-separated), else items separated by
 * any byte of `seps` (e.g. ",", " ,"), trimmed of spaces and quotes; empty items skipped.
 * Stops at the first non-OK status of fn and returns it. At most 4096 items.
 */
RH_API rh_status rh_interp_split(const char *s, size_t n, int multi_sz, const char *seps,
                                 rh_status (*fn)(const char *item, size_t len, void *user),
                                 void *user);

/**
 * Masquerading check on a file base name ("svch0st.exe"): returns the system binary it
 * imitates (static string) or NULL. Exact system names return NULL (see
 * rh_interp_is_system_name()).
 */
RH_API const char *rh_interp_masquerade(const char *base, size_t n);

/** True when `base` is the name of a binary that only lives in System32/SysWOW64/Windows. */
RH_API int rh_interp_is_system_name(const char *base, size_t n);

#ifdef __cplusplus
}
#endif
#endif
