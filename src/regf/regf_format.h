/*
 * REGF on-disk layout: offsets and constants (msuhanov's "Windows registry file format
 * specification", libyal's notes, docs/formats/regf.md). Offsets of records count from the
 * start of the cell data (after the 4-byte cell size).
 */
#ifndef RH_REGF_FORMAT_H
#define RH_REGF_FORMAT_H

/* Base block (4096 bytes at file offset 0; logs carry a 512-byte copy). */
#define REGF_BASE_SIZE     4096u
#define REGF_LOG_BASE_SIZE 512u
#define REGF_B_SIG         0x000u /* "regf" */
#define REGF_B_SEQ1        0x004u /* primary sequence number */
#define REGF_B_SEQ2        0x008u /* secondary sequence number */
#define REGF_B_LASTWRITE   0x00Cu /* FILETIME */
#define REGF_B_MAJOR       0x014u /* 1 */
#define REGF_B_MINOR       0x018u /* 3..6 (1, 2 on NT 3.x) */
#define REGF_B_TYPE        0x01Cu /* 0 primary, 1/2 old log, 6 new log */
#define REGF_B_FORMAT      0x020u /* 1 = direct memory load */
#define REGF_B_ROOT        0x024u /* root cell offset (relative to 4096) */
#define REGF_B_HBINS_SIZE  0x028u /* hive bins data size */
#define REGF_B_CLUSTER     0x02Cu /* clustering factor */
#define REGF_B_NAME        0x030u /* UTF-16LE file name, 64 bytes */
#define REGF_B_NAME_LEN    64u
#define REGF_B_FLAGS       0x090u
#define REGF_B_CHECKSUM    0x1FCu /* XOR of dwords 0..507 */

#define REGF_TYPE_PRIMARY     0u
#define REGF_TYPE_LOG_OLD     1u
#define REGF_TYPE_LOG_VERYOLD 2u
#define REGF_TYPE_LOG_NEW     6u

/* Hive bin header (32 bytes). */
#define REGF_HBIN_HDR   32u
#define REGF_HBIN_ALIGN 4096u
#define REGF_H_SIG      0x00u /* "hbin" */
#define REGF_H_OFFSET   0x04u /* offset of this bin relative to 4096 */
#define REGF_H_SIZE     0x08u
#define REGF_H_TIME     0x14u /* FILETIME, first bin only */

#define REGF_NIL 0xFFFFFFFFu

/* nk: key node. */
#define NK_SIG       0x00u
#define NK_FLAGS     0x02u
#define NK_LASTWRITE 0x04u
#define NK_ACCESS    0x0Cu
#define NK_PARENT    0x10u
#define NK_NSUBKEYS  0x14u
#define NK_SUBKEYS   0x1Cu
#define NK_NVALUES   0x24u
#define NK_VALUES    0x28u
#define NK_SK        0x2Cu
#define NK_CLASS     0x30u
#define NK_MAXNAME   0x34u /* low 16 bits: largest subkey name; high bits: flags */
#define NK_NAMELEN   0x48u
#define NK_CLASSLEN  0x4Au
#define NK_NAME      0x4Cu
#define NK_MIN       0x4Cu

#define NK_F_VOLATILE   0x0001u
#define NK_F_HIVE_EXIT  0x0002u
#define NK_F_HIVE_ENTRY 0x0004u
#define NK_F_NO_DELETE  0x0008u
#define NK_F_SYM_LINK   0x0010u
#define NK_F_COMP_NAME  0x0020u

/* vk: value key. */
#define VK_SIG         0x00u
#define VK_NAMELEN     0x02u
#define VK_DATASIZE    0x04u
#define VK_DATAOFF     0x08u
#define VK_TYPE        0x0Cu
#define VK_FLAGS       0x10u
#define VK_NAME        0x14u
#define VK_MIN         0x14u
#define VK_F_COMP_NAME 0x0001u
#define VK_F_TOMBSTONE 0x0002u
#define VK_SIZE_INLINE 0x80000000u

/* Subkey lists: li/lf/lh/ri: signature, u16 count, then elements. */
#define LIST_HDR 4u

/* sk: security key. */
#define SK_REFCOUNT 0x0Cu
#define SK_DESCLEN  0x10u
#define SK_DESC     0x14u

/* db: big data. */
#define DB_COUNT   0x02u
#define DB_LIST    0x04u
#define DB_SEGMENT 16344u

/* New-format log entry (HvLE). */
#define HVLE_SIZE     0x04u
#define HVLE_FLAGS    0x08u
#define HVLE_SEQ      0x0Cu
#define HVLE_HBINS    0x10u
#define HVLE_NPAGES   0x14u
#define HVLE_HASH1    0x18u
#define HVLE_HASH2    0x20u
#define HVLE_REFS     0x28u
#define MARVIN32_SEED 0x82EF4D887A4E55C5ull

#define REGF_SIG4(p, a, b, c, d) ((p)[0] == (a) && (p)[1] == (b) && (p)[2] == (c) && (p)[3] == (d))
#define REGF_SIG2(p, a, b)       ((p)[0] == (a) && (p)[1] == (b))

#endif
