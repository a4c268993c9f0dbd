/*
 * Query generation internals: the boolean IR every backend renders, and the backend table.
 *
 * The IR is built per backend (hive naming and field layout differ) in one arena per query:
 * KB locations in query_kb.c, Sigma rules in query_sigma.c. Each backend (query_spl.c,
 * query_kql.c, query_elastic.c) renders leaves with its one escape function; the boolean
 * structure is rendered once by query_render() (query.c).
 */
#ifndef RH_QUERY_INTERNAL_H
#define RH_QUERY_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "common/arena.h"
#include "common/common.h"
#include "reghunt/query.h"

/* Abstract fields of registry telemetry. */
enum qfield {
    QF_PATH = 0,  /* key + "\" + value name (Sysmon TargetObject, ECS registry.path) */
    QF_KEY,       /* key path only */
    QF_VALUE,     /* value name */
    QF_DATA,      /* value data */
    QF_IMAGE,     /* acting process path */
    QF_EVENTTYPE, /* operation (Sysmon EventType) */
    QF_USER,      /* acting user */
    QF_PID,       /* acting process id */
    QF_PGUID,     /* acting process GUID */
    QF_RAW,       /* a field named by the rule, passed through (qnode.fname) */
    QF_COUNT
};

enum qop { Q_AND = 0, Q_OR, Q_NOT, Q_MATCH, Q_REGEX, Q_EMPTY, Q_TRUE, Q_FALSE };

/* Wildcard markers (same values as RH_SIGMA_WILD_*). */
enum { QW_LIT = 0, QW_STAR = 1, QW_QMARK = 2 };

/* Shape of a pattern. */
enum qshape { QS_EXACT = 0, QS_PREFIX, QS_SUFFIX, QS_CONTAINS, QS_ANY, QS_GLOB };

struct qpat {
    const uint8_t *b, *w; /* bytes and markers */
    size_t n;
};

struct qnode {
    uint8_t op;
    uint8_t field;     /* enum qfield (leaves) */
    uint8_t cased;     /* MATCH: case-sensitive */
    const char *fname; /* QF_RAW */
    struct qpat pat;   /* MATCH: pattern; REGEX: expression (markers all literal) */
    unsigned re_flags; /* RH_SIGMA_RE_* */
    struct qnode **kids;
    size_t n, cap;
};

/* Event classes a query covers (Sysmon 12 create/delete, 13 set, 14 rename). */
#define QE_ADD    0x1u
#define QE_DELETE 0x2u
#define QE_SET    0x4u
#define QE_RENAME 0x8u
#define QE_ALL    0xfu

/* Rendering state of one query. */
struct qemit {
    const struct qbackend *be;
    rh_buf *out;
    unsigned used;     /* 1u << qfield of every field rendered */
    int approx;        /* a leaf was widened (positive polarity) */
    const char *unsup; /* first construct the backend cannot express (NULL: none) */
    rh_buf tmp;        /* scratch for one leaf */
};

/* Leaf result. */
enum { QL_EXACT = 0, QL_APPROX = 1, QL_UNSUP = -1 };

struct qbackend {
    rh_query_backend id;
    const char *name, *ext, *platform;
    int combined_path;            /* KB locations use QF_PATH (else QF_KEY + QF_VALUE) */
    int pass_raw;                 /* unknown Sigma fields pass through as named */
    const char *fields[QF_COUNT]; /* NULL: not available */
    /* hive prefixes by rh_kb_hive, NULL-terminated lists, each ending with a backslash */
    const char *const *hives[RH_KB_HIVE_COUNT];
    const char *and_s, *or_s, *not_open, *not_close, *true_s, *false_s;
    rh_status (*escape)(rh_buf *out, const char *s, size_t n);
    rh_status (*comment)(rh_buf *out, const char *text);
    /* render one leaf (MATCH / REGEX / EMPTY) with polarity neg; QL_* */
    int (*leaf)(struct qemit *e, const struct qnode *n, int neg);
    /* can a MATCH of this pattern be rendered exactly (for exclusions)? */
    int (*exact)(const struct qpat *p, int cased);
    /* the whole query around the where-expression `expr` */
    rh_status (*wrap)(rh_buf *out, const struct qbackend *be, unsigned events, unsigned used,
                      const char *expr, size_t n);
    /* EventType value (Sysmon name) -> backend values, NULL-terminated; NULL: as is */
    const char *const *(*event_type)(const char *sysmon);
};

const struct qbackend *query_backend(rh_query_backend b);
extern const struct qbackend query_be_splunk, query_be_splunk_cim, query_be_kql_mde,
    query_be_kql_sentinel, query_be_esql, query_be_eql, query_be_lucene;

/* Shape of a pattern; for PREFIX/SUFFIX/CONTAINS/EXACT *lo,*hi bound the literal part. */
enum qshape query_shape(const struct qpat *p, size_t *lo, size_t *hi);
/* 1 when the pattern holds this marker. */
int query_pat_has(const struct qpat *p, uint8_t marker);
/* 1 when a literal byte is a control character (< 0x20 or 0x7f). */
int query_pat_has_ctl(const struct qpat *p);
/* 1 when a literal byte is one of `set`. */
int query_pat_has_lit(const struct qpat *p, const char *set);

/* Render a node: 0 ok, -1 unsupported (e->unsup says why). */
int query_render(struct qemit *e, const struct qnode *n, int neg);
/* The field name of a leaf for backend be (NULL: not available). */
const char *query_field(const struct qbackend *be, const struct qnode *n);

/* IR construction in an arena. NULL / -1 on OOM. */
struct qnode *qn_new(struct rh_arena *a, uint8_t op);
int qn_add(struct rh_arena *a, struct qnode *parent, struct qnode *kid);
/* A MATCH leaf over `field` of s (`*` and `?` are wildcards when glob, else literal). */
struct qnode *qn_match(struct rh_arena *a, uint8_t field, const char *s, size_t n, int glob);
/* Append s to a growing pattern (glob: `*` and `?` are wildcards). */
int qpat_cat(struct rh_arena *a, struct qpat *p, const char *s, size_t n, int glob);

/* Regex writers shared by the backends: every literal byte escaped for the dialect. */
/* RE2 (KQL): literal punctuation as \c, controls as \x{HH}, STAR .*, QMARK . */
rh_status query_regex_re2(rh_buf *out, const struct qpat *p);
/* Lucene RegExp (EQL regex~, Lucene /re/): reserved chars as \c, letters as [aA] when fold,
 * controls as `.` (*approx set), STAR .*, QMARK . */
rh_status query_regex_lucene(rh_buf *out, const struct qpat *p, int fold, int *approx);

/* The body of a double-quoted literal in a C-like string syntax: `\` and `"` take a
 * backslash; with QESC_NAMED_CTL newline, CR and tab become \n \r \t; with QESC_U_CTL other
 * control characters become \uNNNN; any control character left becomes `?`. Each language's
 * escape function calls it with its own flags. */
#define QESC_NAMED_CTL 0x1u
#define QESC_U_CTL     0x2u
rh_status query_escape_quoted(rh_buf *out, const char *s, size_t n, unsigned flags);

/* Header comment helper: sanitised text (controls, U+0085/2028/2029 -> space; bytes in
 * `drop` removed). */
rh_status query_comment_text(rh_buf *out, const char *text, const char *drop);

/* KB locations (query_kb.c): the query's IR (location AND NOT each expressible default). */
rh_status query_kb_build(struct rh_arena *a, const struct qbackend *be, const rh_kb_location *loc,
                         struct qnode **out, size_t *nexcl, rh_buf *notes);
rh_status query_kb_location_text(rh_buf *out, const rh_kb_location *loc);

/* Sigma rules (query_sigma.c): events covered (QE_*, 0: not a registry rule) */
unsigned query_sigma_events(const rh_sigma_rule_info *info);
/* The rule's IR for backend be; RH_ERR_UNSUPPORTED with *why set when it cannot be expressed. */
rh_status query_sigma_build(struct rh_arena *a, const struct qbackend *be, const rh_sigma_logic *l,
                            struct qnode **out, const char **why);

#endif
