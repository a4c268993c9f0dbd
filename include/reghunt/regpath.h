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
 * Paths without a known root are upper-cased and otherwise left alone.
 * Returns RH_OK or RH_ERR_NOMEM.
 */
RH_API rh_status rh_regpath_normalize(const char *path, size_t len, rh_buf *out);

#ifdef __cplusplus
}
#endif
#endif
