/*
 * EVTX on-disk layout (Windows Vista+ event log files). Offsets are hex, sizes in bytes.
 * Values are read through rh_le16/32/64 at these offsets; no struct is ever cast onto file
 * bytes. See docs/formats/evtx-binxml.md for the full description and our anomaly policy.
 */
#ifndef RH_EVTX_FORMAT_H
#define RH_EVTX_FORMAT_H

#include <stdint.h>

/* ---- file header: first 4096 bytes of the file ------------------------------------- */
#define EVTX_FILE_SIG         "ElfFile" /* 0x00, 8 bytes incl. NUL */
#define EVTX_FILE_SIG_LEN     8u
#define EVTX_FH_FIRST_CHUNK   0x08u /* u64 first chunk number */
#define EVTX_FH_LAST_CHUNK    0x10u /* u64 last chunk number */
#define EVTX_FH_NEXT_RECORD   0x18u /* u64 next record identifier */
#define EVTX_FH_HEADER_SIZE   0x20u /* u32, 128 */
#define EVTX_FH_MINOR         0x24u /* u16, 1 or 2 */
#define EVTX_FH_MAJOR         0x26u /* u16, 3 */
#define EVTX_FH_BLOCK_SIZE    0x28u /* u16, 4096: offset of the first chunk */
#define EVTX_FH_CHUNK_COUNT   0x2Au /* u16 number of chunks in use */
#define EVTX_FH_FLAGS         0x78u /* u32: 0x1 dirty, 0x2 full */
#define EVTX_FH_CHECKSUM      0x7Cu /* u32 CRC32 of bytes 0x00..0x77 */
#define EVTX_FH_CHECKSUM_LEN  0x78u
#define EVTX_FILE_HEADER_SIZE 4096u

/* ---- chunk: 64 KiB, header of 512 bytes, then records ----------------------------- */
#define EVTX_CHUNK_SIG           "ElfChnk" /* 0x00, 8 bytes incl. NUL */
#define EVTX_CHUNK_SIZE          65536u
#define EVTX_CH_FIRST_REC_NUM    0x08u  /* u64 */
#define EVTX_CH_LAST_REC_NUM     0x10u  /* u64 */
#define EVTX_CH_FIRST_REC_ID     0x18u  /* u64 */
#define EVTX_CH_LAST_REC_ID      0x20u  /* u64 */
#define EVTX_CH_HEADER_SIZE      0x28u  /* u32, 128 */
#define EVTX_CH_LAST_REC_OFF     0x2Cu  /* u32 offset of the last record */
#define EVTX_CH_FREE_OFF         0x30u  /* u32 offset of free space = end of records */
#define EVTX_CH_DATA_CRC         0x34u  /* u32 CRC32 of [0x200, free space offset) */
#define EVTX_CH_FLAGS            0x78u  /* u32 */
#define EVTX_CH_HEADER_CRC       0x7Cu  /* u32 CRC32 of [0x00,0x78) + [0x80,0x200) */
#define EVTX_CH_STRING_TABLE     0x80u  /* 64 x u32 offsets of common names (hash buckets) */
#define EVTX_CH_TEMPLATE_TABLE   0x180u /* 32 x u32 offsets of template definitions */
#define EVTX_CH_STRING_BUCKETS   64u
#define EVTX_CH_TEMPLATE_BUCKETS 32u
#define EVTX_CHUNK_HEADER_SIZE   0x200u

/* ---- event record ------------------------------------------------------------------- */
#define EVTX_REC_SIG      0x00002A2Au /* "**\0\0" */
#define EVTX_REC_SIZE     0x04u       /* u32 total size, repeated in the last 4 bytes */
#define EVTX_REC_ID       0x08u       /* u64 event record identifier */
#define EVTX_REC_WRITTEN  0x10u       /* u64 FILETIME */
#define EVTX_REC_BINXML   0x18u       /* BinXML fragment up to size - 4 */
#define EVTX_REC_MIN_SIZE 0x1Cu       /* header + trailing size copy, empty BinXML */

/* ---- BinXML name string (in the chunk): next u32, hash u16, chars u16, UTF-16, NUL --- */
#define BX_NAME_HDR 8u

/* ---- BinXML template definition: next u32, GUID[16], data size u32, data ----------- */
#define BX_TEMPLATE_HDR       24u
#define BX_TEMPLATE_GUID      4u
#define BX_TEMPLATE_DATA_SIZE 20u

/* ---- BinXML tokens (low 4 bits; 0x40 = "more" flag on some) ------------------------- */
#define BX_TOK_EOF          0x00u
#define BX_TOK_OPEN_START   0x01u /* 0x41: has attribute list */
#define BX_TOK_CLOSE_START  0x02u
#define BX_TOK_CLOSE_EMPTY  0x03u
#define BX_TOK_END_ELEMENT  0x04u
#define BX_TOK_VALUE        0x05u
#define BX_TOK_ATTRIBUTE    0x06u
#define BX_TOK_CDATA        0x07u
#define BX_TOK_CHARREF      0x08u
#define BX_TOK_ENTITYREF    0x09u
#define BX_TOK_PI_TARGET    0x0Au
#define BX_TOK_PI_DATA      0x0Bu
#define BX_TOK_TEMPLATE     0x0Cu
#define BX_TOK_NORMAL_SUBST 0x0Du
#define BX_TOK_OPT_SUBST    0x0Eu
#define BX_TOK_FRAGMENT     0x0Fu
#define BX_TOK_MORE         0x40u

/* ---- BinXML value types ------------------------------------------------------------- */
#define BX_T_NULL      0x00u
#define BX_T_STRING    0x01u /* UTF-16LE */
#define BX_T_ANSI      0x02u
#define BX_T_INT8      0x03u
#define BX_T_UINT8     0x04u
#define BX_T_INT16     0x05u
#define BX_T_UINT16    0x06u
#define BX_T_INT32     0x07u
#define BX_T_UINT32    0x08u
#define BX_T_INT64     0x09u
#define BX_T_UINT64    0x0Au
#define BX_T_REAL32    0x0Bu
#define BX_T_REAL64    0x0Cu
#define BX_T_BOOL      0x0Du /* 32-bit */
#define BX_T_BINARY    0x0Eu
#define BX_T_GUID      0x0Fu
#define BX_T_SIZET     0x10u /* 4 or 8 bytes, rendered as hex */
#define BX_T_FILETIME  0x11u
#define BX_T_SYSTIME   0x12u
#define BX_T_SID       0x13u
#define BX_T_HEX32     0x14u
#define BX_T_HEX64     0x15u
#define BX_T_EVTHANDLE 0x20u
#define BX_T_BINXML    0x21u
#define BX_T_EVTXML    0x23u
#define BX_T_ARRAY     0x80u

_Static_assert(EVTX_CH_HEADER_CRC + 4 == EVTX_CH_STRING_TABLE, "chunk header layout");
_Static_assert(EVTX_CH_STRING_TABLE + 4 * EVTX_CH_STRING_BUCKETS == EVTX_CH_TEMPLATE_TABLE,
               "string table is 64 offsets");
_Static_assert(EVTX_CH_TEMPLATE_TABLE + 4 * EVTX_CH_TEMPLATE_BUCKETS == EVTX_CHUNK_HEADER_SIZE,
               "template table is 32 offsets and ends the chunk header");
_Static_assert(EVTX_FH_CHECKSUM == EVTX_FH_CHECKSUM_LEN + 4, "file header CRC covers 0x78");
_Static_assert(EVTX_REC_BINXML == 0x18, "record header is 24 bytes");
_Static_assert(BX_TEMPLATE_DATA_SIZE + 4 == BX_TEMPLATE_HDR, "template header is 24 bytes");
_Static_assert(EVTX_CHUNK_SIZE % 8 == 0 && EVTX_FILE_HEADER_SIZE % 8 == 0, "alignment");

#endif
