/*
 * reghunt: hunting the running Windows system (`reghunt hunt --live`).
 *
 * rh_live_add() reads the registry through the API, read-only (KEY_READ, ntdll's counted-name
 * calls, so value and key names holding NULs are kept as stored): HKLM\SOFTWARE and
 * HKLM\SYSTEM whole (native view: the 32-bit view is their WOW6432Node subtree; every
 * ControlSet00N; the CurrentControlSet link is left out as in a hive file), and for every
 * profile of SOFTWARE's ProfileList HKU\<SID> and HKU\<SID>_Classes when loaded, else its
 * NTUSER.DAT and UsrClass.dat files through the offline parser (read-only opens that share
 * read, write and delete). Each becomes a hive image (rh_hive_writer) added to the collection
 * at its KAPE place under the ComputerName, so the hunt, scoring and reports are those of an
 * offline hunt. Key last-write times come from the API. What the API cannot show (deleted
 * cells, transaction logs, slack) is not there: docs/windows.md.
 */
#ifndef REGHUNT_LIVE_H
#define REGHUNT_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "collection.h"
#include "ctx.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rh_live_stats {
    size_t hives_api;      /* hives read through the registry API */
    size_t hives_file;     /* unloaded profiles' hive files read */
    uint64_t keys, values; /* copied through the API */
    uint64_t keys_denied;  /* keys listed but not readable with KEY_READ (kept empty) */
} rh_live_stats;

/**
 * Add the running system's registry to coll (created on ctx). stats may be NULL.
 * Returns RH_OK, RH_ERR_UNSUPPORTED (not Windows: nothing is added), RH_ERR_IO (HKLM\SOFTWARE
 * or HKLM\SYSTEM cannot be read), RH_ERR_LIMIT or RH_ERR_NOMEM.
 */
RH_API rh_status rh_live_add(rh_ctx *ctx, rh_collection *coll, rh_live_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* REGHUNT_LIVE_H */
