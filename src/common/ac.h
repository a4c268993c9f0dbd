/*
 * Aho-Corasick automaton over bytes (ac.c): literals with owner numbers, compiled once into an
 * arena; scans report the owners of the literals found. States are numbered breadth-first;
 * states below ndense have full DFA rows, the others sparse trie edges and a failure link
 * (ndense == nstates: a pure DFA whose rows hold premultiplied targets in `drow`, bit 31 set
 * when the target has outputs). Used by the Sigma prefilter and the IOC substring prefilter.
 */
#ifndef RH_COMMON_AC_H
#define RH_COMMON_AC_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "reghunt/status.h"

struct rh_ac {
    uint8_t cls[256];
    uint32_t ncls;
    uint32_t nstates;
    uint32_t ndense;
    uint32_t *delta;    /* ndense * ncls (hybrid; rh_ac_step) */
    uint32_t *drow;     /* pure DFA: the rows, targets premultiplied by ncls, bit 31 = outputs */
    uint32_t *fail;     /* nstates */
    uint32_t *edge_off; /* nstates + 1: trie edges of s are [edge_off[s], edge_off[s+1]) */
    uint8_t *edge_cls;
    uint32_t *edge_to;
    uint32_t *out_off; /* nstates + 1: outputs of state s are outs[out_off[s] .. out_off[s+1]) */
    uint32_t *outs;    /* owners */
};

/* One literal: bytes p[0..n) (borrowed for rh_ac_build) and its owner. */
struct rh_ac_lit {
    const uint8_t *p;
    size_t n;
    uint32_t owner;
};

/*
 * Build the automaton of lits[0..nlits) (sorted in place) into `arena`; scratch memory comes
 * from ctx. Returns RH_OK, RH_ERR_NOMEM or RH_ERR_LIMIT (more than 254 distinct bytes, or more
 * than 2^26 bytes of literals or outputs).
 */
rh_status rh_ac_build(rh_ctx *ctx, struct rh_arena *arena, struct rh_ac *ac, struct rh_ac_lit *lits,
                      size_t nlits);

/* The automaton's transition from state s on byte class c. */
static inline uint32_t rh_ac_step(const struct rh_ac *ac, uint32_t s, uint32_t c)
{
    for (;;) {
        uint32_t e, end;
        if (s < ac->ndense) {
            return ac->delta[(size_t)s * ac->ncls + c];
        }
        for (e = ac->edge_off[s], end = ac->edge_off[s + 1]; e < end; e++) {
            if (ac->edge_cls[e] == c) {
                return ac->edge_to[e];
            }
        }
        s = ac->fail[s];
    }
}

#endif
