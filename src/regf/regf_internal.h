/*
 * REGF reader internals shared by the files of src/regf.
 */
#ifndef RH_REGF_INTERNAL_H
#define RH_REGF_INTERNAL_H

#include "common/common.h"
#include "regf_format.h"
#include "reghunt/hive.h"

/* One key of the key table. */
struct regf_key {
    uint32_t cell;   /* nk cell offset */
    uint32_t parent; /* key index or RH_KEY_NONE */
    uint32_t first_child, last_child, next_sibling;
    uint32_t nchildren;
    uint32_t first_value; /* index into values[] of the first of nvalues consecutive values */
    uint32_t nvalues;
    uint32_t name_off; /* into names pool */
    uint32_t name_len;
    uint32_t depth;
    uint32_t flags;       /* RH_KEY_* */
    uint32_t parent_cell; /* parent offset as recorded in the nk (deleted-key linking) */
};

struct regf_value {
    uint32_t cell;  /* vk cell offset */
    uint32_t key;   /* owning key index or RH_KEY_NONE */
    uint32_t flags; /* RH_VALUE_* */
};

/* The effective base block: what the rest of the reader trusts. */
struct regf_base {
    uint32_t root;
    uint32_t hbins_size; /* bytes of hive bins in the image to use */
    uint32_t minor;
    uint64_t last_written;
};

/* Where the hive image comes from (regf_read.c): an open file read step by step, or the
 * caller's buffer (borrowed, read in place until something must be written). */
struct regf_source {
    int fd;             /* file opened O_RDONLY, or -1 */
    const uint8_t *mem; /* caller's buffer, or NULL */
    rh_read_fn rd;      /* sequential stream, or NULL */
    void *rd_user;
    uint64_t size; /* bytes in the file or buffer; a stream: unknown (UINT64_MAX) until its end */
};

/* A set of 4 KiB pages of the hive image by page index (image offset / REGF_COW_PAGE), each
 * with its own bytes (regf_read.c). Pointers into it move when a page is added. */
struct regf_pages {
    size_t npages;     /* pages slot_of covers */
    uint32_t *slot_of; /* per page: slot + 1, 0 = absent */
    uint32_t *page;    /* page index of each slot */
    uint8_t *data;     /* n * REGF_COW_PAGE bytes */
    size_t n, cap_data, cap_page;
};

/* Copy-on-write record of log replay: the 4 KiB pages of the unreplayed image that replay
 * overwrote, with their bytes before replay (regf_read.c). The pre-replay tree is built with
 * these pages swapped in and reads them through regf_cow_view() during the diff. */
struct regf_cow {
    rh_ctx *ctx;
    size_t pre_len;          /* image length before replay */
    size_t npages;           /* pages of the pre-replay image (pre_len rounded up) */
    struct regf_pages saved; /* bytes before replay of the pages it overwrote */
    uint8_t **views; /* copies handed out by regf_cow_view(), freed by regf_cow_views_reset() */
    size_t nviews, cap_views;
    bool nomem; /* a view could not be allocated */
};

#define REGF_COW_PAGE 4096u

/* On-demand reads of a big hive's bins (regf_page.c). */
struct regf_pager;
typedef struct regf_pager_stats {
    uint64_t reads;      /* chunks read from the file */
    uint64_t bytes_read; /* bytes read from the file */
    uint64_t evictions;
    size_t peak_bytes; /* most bytes cached at once */
} regf_pager_stats;

/* A parsed view of one hive image: cell maps plus the key/value tables. */
struct regf_tree {
    rh_ctx *ctx;
    const char *source;  /* for diagnostics */
    bool quiet;          /* no diagnostics (pre-replay comparison pass) */
    const uint8_t *bins; /* image + 4096 */
    size_t bins_len;
    size_t bins_total;  /* bytes after the base block incl. data past the hive bins */
    uint8_t *alloc_map; /* bit per 8 bytes: an allocated cell starts here */
    uint8_t *free_map;  /* bit per 8 bytes: a free cell starts here */
    uint8_t *ref_map;   /* bit per 8 bytes: referenced by the live tree */
    uint8_t *seen_map;  /* bit per 8 bytes: nk already visited (cycle detection) */
    size_t map_bytes;
    struct regf_key *keys;
    uint32_t nkeys;
    size_t capkeys;
    struct regf_value *values;
    uint32_t nvalues;
    size_t capvalues;
    rh_buf names;      /* key names, UTF-8, concatenated */
    rh_buf prev_nk;    /* on demand: a record copied out of the cache (walk scratch) */
    size_t cell_hdr;   /* 4 (8 for the 1.1 cell format with a back pointer) */
    uint32_t *orphans; /* value indexes with no key */
    uint32_t norphans;
    size_t caporphans;
    uint32_t root;
    uint32_t cells_allocated, cells_free, cells_unreferenced;
    uint32_t minor;
    uint64_t anomalies;
    rh_status strict_fail;    /* first RH_ERR_STRICT seen */
    struct regf_cow *cow;     /* pre-replay tree during the diff: bins read through the record */
    struct regf_pager *pager; /* bins read on demand (bins == NULL), or NULL */
};

struct rh_hive {
    rh_ctx *ctx;
    char *path;
    uint8_t *image; /* the hive bytes needed (regf_load), replayed in memory if logs applied */
    /* On-demand hive: the hive's length in the file (base block + bins); image then holds
     * only the first bytes read at open (regf_load), the pager reads the bins. 0 = whole. */
    size_t lazy_len;
    size_t lazy_chain; /* on demand: the hbin chain's length (regf_load followed it) */
    struct regf_pager *pager;
    size_t image_len;
    size_t image_cap;    /* bytes allocated for image (owned image only) */
    bool image_borrowed; /* image is the caller's buffer (rh_hive_open_mem): never written */
    struct regf_source src;
    struct regf_cow *cow; /* during open only: what replay overwrote */
    /* On demand: the pages log replay wrote, read over the file's (regf_page.c). */
    struct regf_pages overlay;
    struct regf_base base;
    struct regf_tree tree;
    rh_hive_info info;
    char *embedded_name;
    char *log_paths[3];
    char log_status[256];
    uint32_t nsk;
};

/* ---- regf_base.c ---- */
uint32_t regf_checksum(const uint8_t *base);
/* Parse the base block; fills info fields and the effective base. len: the image's length
 * (on demand: in the file, with only the base block and the first hbin in img); chain: the
 * hbin chain's length, or SIZE_MAX to follow it in img. Returns RH_ERR_FORMAT if the data is
 * not a primary hive. */
rh_status regf_parse_base(rh_ctx *ctx, const char *src, const uint8_t *img, size_t len,
                          size_t chain, rh_hive_info *info, struct regf_base *base);
/* Length of the valid hbin chain from offset 0 of bins (stops at the first bad hbin). */
size_t regf_hbin_chain(const uint8_t *bins, size_t len);

/* ---- regf_read.c ---- */
/* Open the file read-only (RH_ERR_IO with a diagnostic), or borrow the caller's buffer. */
rh_status regf_source_file(rh_hive *h, const char *path);
void regf_source_mem(rh_hive *h, const void *data, size_t len);
void regf_source_stream(rh_hive *h, rh_read_fn rd, void *user);
void regf_source_close(rh_hive *h);
/* Read what the hive needs from h->src into h->image: the base block, the hive bins (declared
 * size when the base block is valid, the hbin chain otherwise), the remnant after them when
 * `deleted`; refuses files with no hive bin near the start and hives above max_hive_size. */
rh_status regf_load(rh_hive *h, bool deleted);
/* Log replay writes data[0, len) at image offset off (len 0: only extends the image to off).
 * A held image is made the hive's own (a copy of a borrowed one), extended from the source
 * (then zeros), and the pages it overwrites are saved when h->cow records them. An on-demand
 * hive is not read whole: the pages written go to h->overlay, each first filled from the file
 * (zeros past its end), and lazy_len grows to off + len. */
rh_status regf_image_write(rh_hive *h, size_t off, const void *data, size_t len);
/* The bytes of page `page` in the set, or NULL. */
uint8_t *regf_pages_get(const struct regf_pages *s, size_t page);
void regf_pages_free(rh_ctx *ctx, struct regf_pages *s);
/* Exchange the saved pages with the image (twice restores it). */
void regf_cow_swap(rh_hive *h);
/* Bytes [off, off + len) of `bins` (bins = image + 4096) as they were before replay: bins + off
 * when no saved page overlaps, else a copy valid until regf_cow_views_reset(). NULL: no memory. */
const uint8_t *regf_cow_view(struct regf_cow *c, const uint8_t *bins, size_t off, size_t len);
void regf_cow_views_reset(struct regf_cow *c);
void regf_cow_free(rh_ctx *ctx, struct regf_cow *c);

/* Bins above this size are read on demand (rh_limits.hive_cache_size or its default). */
uint64_t regf_cache_size(const rh_ctx *ctx);
/* Length of the hive image: base block + bins (+ remnant), held or read on demand. */
size_t regf_image_size(const rh_hive *h);

/* ---- regf_page.c ---- */
/* A pager over bytes [base, base + len) of fd (duplicated: the pager owns its copy); bytes
 * past file_len (file offset) read as zeros; pages of overlay (image pages, base block =
 * page 0; NULL = none) replace the file's. */
rh_status regf_pager_new(rh_ctx *ctx, const char *source, int fd, uint64_t base, size_t len,
                         uint64_t file_len, const struct regf_pages *overlay, uint64_t cache_bytes,
                         struct regf_pager **out);
void regf_pager_free(struct regf_pager *p);
/* Bins bytes [off, off + len), contiguous; valid until the next regf_pager_trim(). NULL: out of
 * range or no memory. */
const uint8_t *regf_pager_get(struct regf_pager *p, size_t off, size_t len);
/* Drop copies and evict chunks down to the cap. Only where no pointer from get is held.
 * Accepts NULL. */
void regf_pager_trim(struct regf_pager *p);
const regf_pager_stats *regf_pager_get_stats(const struct regf_pager *p);

/* ---- regf_tree.c ---- */
/* bins == NULL: read through pager. */
rh_status regf_tree_build(struct regf_tree *t, rh_ctx *ctx, const char *src, const uint8_t *bins,
                          struct regf_pager *pager, size_t bins_len, size_t bins_total,
                          uint32_t root, uint32_t minor, bool quiet, bool want_refs);
void regf_tree_free(struct regf_tree *t);
/* Cell data for an allocated cell at `off`: pointer after the size field and its length. */
bool regf_cell(const struct regf_tree *t, uint32_t off, const uint8_t **p, size_t *len);
/* Same, guaranteeing only the first `head` data bytes readable (on demand, the rest of a big
 * data cell is not read); any: free cells too. */
bool regf_cell_head(const struct regf_tree *t, uint32_t off, bool any, size_t head,
                    const uint8_t **p, size_t *len);
/* Same for any cell start (allocated or free): deleted-data recovery. */
bool regf_cell_any(const struct regf_tree *t, uint32_t off, const uint8_t **p, size_t *len);
/* Any cell start, or a sane old cell header inside free space (deleted data only). */
bool regf_cell_naive(const struct regf_tree *t, uint32_t off, const uint8_t **p, size_t *len);
void regf_mark_ref(struct regf_tree *t, uint32_t off);
/* True if the 8-byte slot at `off` is marked in `map` (one bit per 8 bytes of bins). */
static inline bool regf_test_bit(const uint8_t *map, size_t map_bytes, uint32_t off)
{
    uint32_t i = off >> 3;
    return map && (off & 7) == 0 && (i >> 3) < map_bytes && ((map[i >> 3] >> (i & 7)) & 1u);
}
rh_status regf_anomaly(struct regf_tree *t, uint32_t off, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(RH_PRINTF_ARCHETYPE, 3, 4)))
#endif
    ;
rh_status regf_add_key(struct regf_tree *t, uint32_t cell, const uint8_t *nk, size_t nklen,
                       uint32_t parent, uint32_t depth, uint32_t flags, uint32_t *out);
rh_status regf_add_value(struct regf_tree *t, uint32_t cell, uint32_t key, uint32_t flags);
void regf_link_child(struct regf_tree *t, uint32_t parent, uint32_t child);
/* Validate an nk/vk record (signature, fixed part and name inside the cell). */
bool regf_nk_ok(const uint8_t *p, size_t len);
bool regf_vk_ok(const uint8_t *p, size_t len);

/* ---- regf_value.c ---- */
rh_status regf_value_data(const struct regf_tree *t, const struct regf_value *v,
                          const uint8_t **data, size_t *len, rh_buf *scratch);

/* ---- regf_deleted.c ---- */
rh_status regf_recover_deleted(struct regf_tree *t);

/* ---- regf_log.c ---- */
uint64_t regf_marvin32(const uint8_t *p, size_t n, uint64_t seed);
/* Discover logs (if paths == NULL) and replay them into *image (may be reallocated).
 * Updates base and info. Never fails the open: problems become info->log_status + diags. */
rh_status regf_replay_logs(rh_hive *h, const char *const *paths, const void *const *data,
                           const size_t *lens);

/* ---- regf_hive.c ---- */
int regf_name_cmp(const char *a, size_t an, const char *b, size_t bn);

#endif
