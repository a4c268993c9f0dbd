/*
 * Threat intelligence in the hunt: every finding's observations (key path, value name and
 * data, target path, the writer's image) and, when event logs were read, the writer's process
 * tree from the evidence index (images, command lines, Sysmon hashes, network destinations,
 * DNS names, created files) are matched against opts.ioc. A hit adds a reason, raises the
 * risk (docs/scoring.md "Threat intelligence") and is listed in threat_intel.
 */
#include "hunt_fuse_internal.h"

#define HUNT_IOC_MAX_OBS   512u /* observations of one finding */
#define HUNT_IOC_MAX_SHOWN 16u  /* hits named in one finding (then counted) */

struct obs_list {
    rh_ioc_obs o[HUNT_IOC_MAX_OBS];
    size_t n;
};

static void obs_add(struct obs_list *l, rh_ioc_field f, const char *s, size_t n, const char *where)
{
    if (!s || !n || l->n >= HUNT_IOC_MAX_OBS) {
        return;
    }
    l->o[l->n].field = f;
    l->o[l->n].s = s;
    l->o[l->n].n = n;
    l->o[l->n].where = where;
    l->n++;
}

static void obs_str(struct obs_list *l, rh_ioc_field f, const char *s, const char *where)
{
    obs_add(l, f, s, s ? strlen(s) : 0, where);
}

/* The writer's tree of finding f (latest set-value/create-key write of its key and value). */
static rh_status writer_tree(rh_hunt *h, const rh_finding *f, rh_evidence_tree **tree)
{
    rh_evidence_list wl;
    rh_buf key = RH_BUF_INIT(h->ctx), val = RH_BUF_INIT(h->ctx);
    rh_status st;
    size_t i;
    *tree = NULL;
    if (!h->ev || memchr(f->value_name, 0, f->value_name_len) ||
        memchr(f->key_path, 0, f->key_path_len)) {
        return RH_OK;
    }
    memset(&wl, 0, sizeof(wl));
    st = rh_buf_append(&key, f->key_path, f->key_path_len);
    st = st == RH_OK ? rh_buf_append(&val, f->value_name, f->value_name_len) : st;
    st = st == RH_OK ? rh_buf_puts(&val, "") : st;
    st = st == RH_OK ? rh_evidence_writes(h->ev, f->host, key.data, val.data, 0, &wl) : st;
    for (i = wl.count; st == RH_OK && i > 0; i--) {
        const rh_evidence_write *w = wl.items[i - 1];
        if (w->op == RH_EVIDENCE_OP_SET_VALUE || w->op == RH_EVIDENCE_OP_CREATE_KEY) {
            st = rh_evidence_process_tree(h->ev, f->host, &w->writer, tree);
            if (st == RH_NOT_FOUND) {
                st = RH_OK;
            }
            break;
        }
    }
    rh_evidence_list_free(h->ev, &wl);
    rh_buf_free(&key);
    rh_buf_free(&val);
    return st == RH_ERR_ARG || st == RH_ERR_LIMIT ? RH_OK : st;
}

/* Observations of f; *ndirect of them (the finding itself and its writer's image and hashes)
 * count as direct hits. */
static void finding_obs(const rh_finding *f, const rh_evidence_tree *tree,
                        const rh_evidence_list *created, struct obs_list *l, size_t *ndirect)
{
    size_t i, j;
    l->n = 0;
    obs_add(l, RH_IOC_OBS_REG_KEY, f->key_path, f->key_path_len, "key path");
    obs_add(l, RH_IOC_OBS_VALUE_NAME, f->value_name, f->value_name_len, "value name");
    obs_add(l, RH_IOC_OBS_VALUE_DATA, f->value_data, f->value_data_len, "value data");
    obs_str(l, RH_IOC_OBS_PATH, f->target_path, "target path");
    obs_str(l, RH_IOC_OBS_PATH, f->process_executable, "writer image");
    if (tree && tree->count) {
        obs_str(l, RH_IOC_OBS_PATH, tree->nodes[0].proc.image, "writer image");
        obs_str(l, RH_IOC_OBS_HASHES, tree->nodes[0].proc.hashes, "writer hashes");
    }
    for (i = 0; created && i < created->count; i++) {
        const rh_evidence_file *fc = created->items[i];
        obs_str(l, RH_IOC_OBS_HASHES, fc->hashes, "target file hashes");
    }
    *ndirect = l->n;
    for (i = 0; tree && i < tree->count; i++) {
        const rh_evidence_node *nd = &tree->nodes[i];
        obs_str(l, RH_IOC_OBS_COMMAND_LINE, nd->proc.command_line,
                i ? "process tree command line" : "writer command line");
        if (i) {
            obs_str(l, RH_IOC_OBS_PATH, nd->proc.image, "process tree image");
            obs_str(l, RH_IOC_OBS_HASHES, nd->proc.hashes, "process tree hashes");
        }
        for (j = 0; j < nd->nconns; j++) {
            obs_str(l, RH_IOC_OBS_IP, nd->conns[j]->dst_ip,
                    "network destination of the writer's tree");
            obs_str(l, RH_IOC_OBS_HOSTNAME, nd->conns[j]->dst_host,
                    "DNS name of the writer's tree");
        }
        for (j = 0; j < nd->nfiles; j++) {
            obs_str(l, RH_IOC_OBS_PATH, nd->files[j]->path, "file created by the writer's tree");
            obs_str(l, RH_IOC_OBS_HASHES, nd->files[j]->hashes,
                    "hashes of a file created by the writer's tree");
        }
    }
}

static const char *raise_text(rh_risk r)
{
    return r >= RH_RISK_CRITICAL
               ? "Containment \xE2\x80\x94 threat-intelligence match: isolate the host, collect "
                 "the referenced binary and the writer's process tree, remove the value after "
                 "imaging"
               : "Investigation \xE2\x80\x94 threat-intelligence match: review the value, the "
                 "indicator and the writing process; search other hosts for the indicator";
}

static rh_status apply_hits(rh_hunt *h, struct hunt_finding *hf, const rh_ioc_hit *hits,
                            size_t nhits, size_t ndirect)
{
    rh_finding *f = &hf->pub;
    rh_buf ti = RH_BUF_INIT(h->ctx), r = RH_BUF_INIT(h->ctx);
    rh_risk floor = RH_RISK_MEDIUM, nr;
    rh_status st = RH_OK;
    size_t i;
    for (i = 0; i < nhits && st == RH_OK; i++) {
        const rh_ioc_indicator *ind = hits[i].ind;
        if (hits[i].obs < ndirect) {
            floor = RH_RISK_HIGH;
        }
        if (i >= HUNT_IOC_MAX_SHOWN) {
            continue;
        }
        st = rh_buf_printf(&ti, "%s%s \"%s\" (%s): %s %s in %s", i ? "; " : "", ind->id, ind->name,
                           ind->source, hits[i].prop, ind->pattern,
                           hits[i].where ? hits[i].where : "?");
    }
    if (st == RH_OK && nhits > HUNT_IOC_MAX_SHOWN) {
        st = rh_buf_printf(&ti, "; and %zu more", nhits - HUNT_IOC_MAX_SHOWN);
    }
    /* risk: at least the floor, and one level above what it was, capped at Critical */
    nr = f->risk < RH_RISK_CRITICAL ? (rh_risk)(f->risk + 1) : RH_RISK_CRITICAL;
    if (nr < floor) {
        nr = floor;
    }
    st = st == RH_OK ? rh_buf_printf(&r,
                                     "threat intelligence: %zu indicator(s) matched, first %s "
                                     "\"%s\" from %s in %s; risk %s -> %s",
                                     nhits, hits[0].ind->id, hits[0].ind->name, hits[0].ind->source,
                                     hits[0].where ? hits[0].where : "?", rh_risk_name(f->risk),
                                     rh_risk_name(nr))
                     : st;
    st = st == RH_OK ? hunt_add_reason(h, hf, r.data) : st;
    st = st == RH_OK ? hunt_finding_set(h->ctx, &f->threat_intel, ti.data, ti.len) : st;
    if (st == RH_OK) {
        rh_action a = nr >= RH_RISK_CRITICAL ? RH_ACTION_CONTAINMENT : RH_ACTION_INVESTIGATION;
        f->risk = nr;
        if (a > f->action) {
            f->action = a;
            st = hunt_finding_set(h->ctx, &f->recommended_action, raise_text(nr),
                                  strlen(raise_text(nr)));
        }
        h->stats.ioc_findings++;
        h->stats.ioc_hits += nhits;
    }
    rh_buf_free(&ti);
    rh_buf_free(&r);
    return st;
}

rh_status hunt_ioc_apply(rh_hunt *h)
{
    rh_ioc_matcher *m = NULL;
    struct obs_list *l = rh_calloc(h->ctx, 1, sizeof(*l));
    rh_status st;
    size_t i;
    if (!l) {
        return RH_ERR_NOMEM;
    }
    st = rh_ioc_matcher_create(h->opts.ioc, &m);
    for (i = 0; i < h->n && st == RH_OK; i++) {
        rh_finding *f = &h->f[i]->pub;
        rh_evidence_tree *tree = NULL;
        rh_evidence_list created;
        const rh_ioc_hit *hits;
        size_t nhits, ndirect;
        memset(&created, 0, sizeof(created));
        st = writer_tree(h, f, &tree);
        if (st == RH_OK && h->ev && f->target_path[0] &&
            rh_evidence_file_created(h->ev, f->host, f->target_path, &created) != RH_OK) {
            memset(&created, 0, sizeof(created));
        }
        if (st == RH_OK) {
            finding_obs(f, tree, &created, l, &ndirect);
            st = rh_ioc_match(m, l->o, l->n, &hits, &nhits);
            if (st == RH_OK && nhits) {
                st = apply_hits(h, h->f[i], hits, nhits, ndirect);
            }
        }
        if (h->ev) {
            rh_evidence_list_free(h->ev, &created);
        }
        if (tree) {
            rh_evidence_tree_free(h->ev, tree);
        }
    }
    rh_ioc_matcher_destroy(m);
    rh_free(h->ctx, l);
    return st;
}

const rh_ioc_set *rh_hunt_ioc(const rh_hunt *h)
{
    return h ? h->opts.ioc : NULL;
}
