/*
 * Fleet stacking internals: the row and the stack shared by stack.c (aggregation and ranking)
 * and stack_read.c (files, gzip, folders).
 */
#ifndef RH_STACK_INTERNAL_H
#define RH_STACK_INTERNAL_H

#include "common/common.h"
#include "reghunt/case.h"
#include "reghunt/stack.h"

struct stack_row {
    rh_stack_row pub; /* filled by rh_stack_finish() */
    const char *key;  /* the keys map's copy (its arena blocks never move) */
    size_t key_n;
    char *lid, *tech, *name, *data, *target; /* the representative finding; owned */
    size_t name_n, data_n;
    size_t hosts;
    uint64_t risk_counts[RH_RISK_COUNT];
    rh_risk max_risk;
    uint64_t first, last;
    const char *samples[RH_STACK_SAMPLE_HOSTS]; /* the hosts map's copies */
    size_t nsamples;
    const char *verdict;  /* the first verdict seen ("tp", "benign", "review"), or NULL */
    size_t verdict_hosts; /* hosts whose findings of this key carry a verdict */
    int verdict_mixed;    /* verdicts differ between findings */
};

/* One finding's fields (borrowed from a JSON object or a case row). */
struct stack_finding {
    const char *host, *lid, *tech, *name, *data, *target;
    size_t host_n, lid_n, tech_n, name_n, data_n, target_n;
    rh_risk risk;
    uint64_t times[2];
    const char *verdict; /* "tp", "benign", "review" or NULL */
};

/* Aggregate one finding (stack.c); RH_OK also when dropped at a cap. */
rh_status stack_aggregate(rh_stack *s, const struct stack_finding *f);
/* Count a host that may have no finding (a host record, a case host). */
rh_status stack_add_host(rh_stack *s, const char *host, size_t n);
/* The verdict name v[0..n) as one of the static "tp", "benign", "review", else NULL. */
const char *stack_verdict(const char *v, size_t n);

struct rh_stack {
    rh_ctx *ctx;
    struct rh_strmap keys;  /* stack key -> row index + 1 */
    struct rh_strmap hosts; /* host -> host id (1..) */
    struct rh_strmap pairs; /* (row index, host id) as 8 bytes -> 0 */
    struct stack_row *rows;
    size_t n, cap;
    struct stack_row **order; /* the ranking, after rh_stack_finish() */
    size_t norder;
    rh_stack_stats stats;
    rh_buf key;  /* scratch: the stack key of the current line */
    rh_buf line; /* a line that spans read chunks */
};

#endif
