/*
 * Default limits for untrusted input. Each has a reason; all are overridable via rh_limits.
 */
#ifndef RH_COMMON_LIMITS_H
#define RH_COMMON_LIMITS_H

/* Largest SOFTWARE hives seen in the field are ~400 MiB; EVTX files are usually <= 1 GiB. */
#define RH_DEFAULT_MAX_FILE_SIZE (4ull << 30)
/* Hive cell offsets are 32-bit with the top bit selecting volatile storage (Windows' HCELL_INDEX,
 * msuhanov's specification "Cell index"), so the stable hive bins of a file span at most 2^31
 * bytes: 2 GiB is the largest hive Windows can write, whatever the file or base block says. */
#define RH_DEFAULT_MAX_HIVE_SIZE (2ull << 30)
/* Typical SYSTEM and NTUSER hives (5-30 MiB) are read whole; bigger SOFTWARE, Amcache or
 * crafted hives are read on demand through a cache of this size (regf_page.c). */
#define RH_DEFAULT_HIVE_CACHE_SIZE (32ull << 20)
/* Real registry paths stay below 64 levels; 512 stops crafted chains long before the stack. */
#define RH_DEFAULT_MAX_KEY_DEPTH 512u
/* SYSTEM hives reach ~50k keys, large SOFTWARE hives ~2M; 16M bounds memory at ~512 MiB. */
#define RH_DEFAULT_MAX_KEYS (16u << 20)
/* Windows caps a key at 512k subkeys in practice; hivex uses 70000 as "stupid". */
#define RH_DEFAULT_MAX_SUBKEYS (1u << 20)
/* The format allows 2^32 values per key; real keys hold a few thousand at most. */
#define RH_DEFAULT_MAX_VALUES (1u << 20)
/* Windows limits value data to available memory; 64 MiB is far beyond any real value. */
#define RH_DEFAULT_MAX_VALUE_SIZE (64u << 20)
/* Key names are <= 255 UTF-16 units, value names <= 16383; 65535 is the field's maximum. */
#define RH_DEFAULT_MAX_NAME_LEN 65535u
/* After this many anomalies per input, further ones are counted but not reported. */
#define RH_DEFAULT_MAX_DIAGS 200u
/* Nesting of BinXML elements, YAML, Sigma conditions (Suricata uses 128 for YAML). */
#define RH_DEFAULT_MAX_XML_DEPTH 128u
/* Log entries per transaction log: a 100 MiB log of 512-byte entries has 200k at most. */
#define RH_DEFAULT_MAX_LOG_ENTRIES 262144u

#endif
