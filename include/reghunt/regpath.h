/*
 * reghunt: registry path normalization, so that paths written by event sources
 * (Sysmon TargetObject, Security 4657 ObjectName, SIEM exports) join with hive findings.
 */
#ifndef REGHUNT_REGPATH_H
#define REGHUNT_REGPATH_H

#include <stddef.h>

#include "status.h"
#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

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
