/*
 * reghunt: the registry view. Hive kinds, where each is mounted (HKLM\SOFTWARE, HKU\<SID>,
 * HKU\<SID>_Classes, HKU\.DEFAULT), the spellings of the roots in logs and exports, and the
 * path normalization that makes paths written by event sources (Sysmon TargetObject,
 * Security 4657 ObjectName, SIEM exports) join with hive findings. One table,
 * src/common/regview.def, holds these facts (docs/events.md, "Registry paths").
 */
#ifndef REGHUNT_REGPATH_H
#define REGHUNT_REGPATH_H

#include <stddef.h>

#include "status.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a hive file is. */
typedef enum rh_hive_kind {
    RH_HIVE_KIND_UNKNOWN = 0,
    RH_HIVE_KIND_SOFTWARE = 1,
    RH_HIVE_KIND_SYSTEM = 2,
    RH_HIVE_KIND_SAM = 3,
    RH_HIVE_KIND_SECURITY = 4,
    RH_HIVE_KIND_NTUSER = 5,   /* NTUSER.DAT of a profile (incl. service profiles) */
    RH_HIVE_KIND_USRCLASS = 6, /* UsrClass.dat */
    RH_HIVE_KIND_DEFAULT = 7,  /* config\DEFAULT (HKU\.DEFAULT) */
    RH_HIVE_KIND_AMCACHE = 8,
    RH_HIVE_KIND_BCD = 9,
    RH_HIVE_KIND_OTHER = 10, /* COMPONENTS, DRIVERS, ELAM, ... */
    RH_HIVE_KIND_COUNT = 11
} rh_hive_kind;

/** The knowledge base's views: which hive a location lives in. */
typedef enum rh_kb_hive {
    RH_KB_HIVE_SOFTWARE = 0,
    RH_KB_HIVE_SYSTEM = 1,
    RH_KB_HIVE_NTUSER = 2,   /* NTUSER.DAT, also DEFAULT and the service-profile hives */
    RH_KB_HIVE_USRCLASS = 3, /* UsrClass.dat (= HKCU\Software\Classes) */
    RH_KB_HIVE_COUNT = 4
} rh_kb_hive;

/** "SOFTWARE", "NTUSER", "USRCLASS", ... ("UNKNOWN" out of range). */
RH_API const char *rh_hive_kind_name(rh_hive_kind k);

/** The kind of a hive file by its base name ("NTUSER.DAT", "UsrClass.dat", "SOFTWARE", ...;
 * ASCII case-insensitive), RH_HIVE_KIND_UNKNOWN when it is not a hive name. */
RH_API rh_hive_kind rh_hive_kind_from_file(const char *name, size_t len);

/** The knowledge-base view of a hive kind (DEFAULT is an NTUSER view): 1 and *out set, or 0
 * when the knowledge base has no location in such hives (SAM, BCD, ...). */
RH_API int rh_hive_kind_kb(rh_hive_kind k, rh_kb_hive *out);

/**
 * Append where a hive of kind k is mounted, without a trailing backslash: `HKLM\SOFTWARE`,
 * `HKU\<owner>` (NTUSER), `HKU\<owner>_Classes` (USRCLASS), `HKU\.DEFAULT`, `HKLM\<owner>`
 * (OTHER: owner is the file name). owner: the profile's SID, else its user name; NULL =
 * "UNKNOWN". sysmon: Sysmon's spelling (`HKLM\System`) instead of the findings' one.
 * Returns RH_OK, RH_ERR_ARG (UNKNOWN kind) or RH_ERR_NOMEM.
 */
RH_API rh_status rh_hive_kind_root(rh_hive_kind k, const char *owner, int sysmon, rh_buf *out);

/** A logged registry path split at its hive root (rh_regpath_split). Spans point into the
 * path given; nothing is allocated. */
typedef struct rh_regpath_parts {
    rh_hive_kind kind; /* UNKNOWN when the root is not understood */
    int current_user;  /* HKCU\...: the writer's NTUSER view, SID not written */
    const char *sid;   /* HKU\<sid>\ (without "_Classes"; ".DEFAULT" too), else NULL */
    size_t sid_len;
    const char *prefix; /* implied by the root, before rest: "Classes\" (HKCR), */
                        /* "CurrentControlSet\Hardware Profiles\Current\" (HKCC), else "" */
    const char *rest;   /* below the hive root (key\value), no leading backslash */
    size_t rest_len;
} rh_regpath_parts;

/**
 * Split a registry path as a source wrote it (any root of the view's root table:
 * `\REGISTRY\MACHINE\SOFTWARE\X`, `HKEY_LOCAL_MACHINE\SYSTEM\X`, `HKLM\SOFTWARE\X`,
 * `HKU\<SID>\X`, `HKU\<SID>_Classes\X`, `HKCU\X`, `HKCR\X`, `HKCC\X`; roots ASCII
 * case-insensitive) into the hive kind, SID and the path below the hive's root. A path with
 * nothing below its root, or an HKLM subkey that is not a hive, gives kind UNKNOWN.
 */
RH_API void rh_regpath_split(const char *path, size_t len, rh_regpath_parts *out);

/**
 * The other spellings of a normalized key (rh_regpath_normalize form) that name the same key
 * in the merged views: `HKU\<SID>\X` -> a1 `HKCU\X` (and a2 `HKCR\Y` when X is
 * `SOFTWARE\CLASSES\Y`); `HKLM\SOFTWARE\CLASSES\Y` -> a1 `HKCR\Y`. Both are reset first and
 * stay empty when there is no alias. Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_regpath_aliases(const char *key, size_t n, rh_buf *a1, rh_buf *a2);

/**
 * Append the canonical form of a registry path to out. The raw path is never changed; the
 * canonical form is meant for joining and comparing, not for display.
 *
 * Rules (see docs/events.md, "Registry paths"):
 *  - roots: `\REGISTRY\MACHINE`, `HKEY_LOCAL_MACHINE`, `HKLM` -> `HKLM`;
 *    `\REGISTRY\USER`, `HKEY_USERS`, `HKU` -> `HKU`; `HKEY_CURRENT_USER`, `HKCU` -> `HKCU`;
 *    `HKEY_CLASSES_ROOT`, `HKCR` -> `HKCR`; `HKEY_CURRENT_CONFIG`, `HKCC` ->
 *    `HKLM\SYSTEM\CURRENTCONTROLSET\HARDWARE PROFILES\CURRENT`;
 *  - `HKU\<SID>_Classes\X` -> `HKU\<SID>\SOFTWARE\CLASSES\X` (the user's UsrClass.dat view);
 *  - `HKLM\SYSTEM\ControlSet00N` -> `HKLM\SYSTEM\CURRENTCONTROLSET`;
 *  - the whole path is upper-cased (registry names are case-insensitive), repeated and
 *    trailing backslashes are dropped. A value name that itself contains a backslash (Sysmon
 *    writes `...\UserSettings\<SID>\\Device\...`) keeps its empty component: only trailing
 *    and leading separators are trimmed, `\\` inside the path is kept.
 *  - a last component that spells the default value (rh_regpath_is_default_value) becomes
 *    `(DEFAULT)`, so `...\InprocServer32\{Default}` joins `...\InprocServer32\(Default)`.
 * Paths without a known root are upper-cased and otherwise left alone.
 * Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_regpath_normalize(const char *path, size_t len, rh_buf *out);

/**
 * Append the path as Sysmon writes TargetObject, for Sigma rules and joins over other sources:
 * the root in Sysmon's short form (every alias of the root table -> HKLM, HKU, HKCU, HKCR,
 * HKCC, HKA; `HKEY_CURRENT_USER\<SID>\X`, as Defender writes it, -> `HKU\<SID>\X`) and
 * `HKLM\SYSTEM\ControlSetNNN` -> `HKLM\SYSTEM\CurrentControlSet`; the rest is kept as
 * written (case, value name). A path without a known root is appended unchanged.
 * Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_regpath_sysmon(const char *path, size_t len, rh_buf *out);

/**
 * 1 when a value name as an event source writes it means the key's unnamed default value:
 * `(Default)` (Sysmon, Security 4657, SIEM exports) or `{Default}` (brace-spelled by some
 * exporters), ASCII case-insensitive. An empty name is the default value too; callers that
 * read "" as "no value" check that themselves. A value really named "(Default)" cannot be told
 * apart in these sources (Sysmon shows both the same way).
 */
RH_API int rh_regpath_is_default_value(const char *name, size_t len);

#ifdef __cplusplus
}
#endif
#endif
