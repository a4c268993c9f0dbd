/*
 * Finding synthesis: the text of fused findings (rule reasons, the writer's process tree as
 * evidence) and the findings made from hits that have no hive finding (write events, Sigma
 * matches on events and on hive state).
 */
#include <stdio.h>
#include <stdlib.h>

#include "hunt_fuse_internal.h"
#include "reghunt/evtx.h"
#include "reghunt/regpath.h"

#define COMP "hunt"

/* ---- finding text -------------------------------------------------------------------------- */

static rh_risk level_risk(const char *level)
{
    if (!level) {
        return RH_RISK_MEDIUM;
    }
    if (strcmp(level, "critical") == 0) {
        return RH_RISK_CRITICAL;
    }
    if (strcmp(level, "high") == 0) {
        return RH_RISK_HIGH;
    }
    if (strcmp(level, "low") == 0) {
        return RH_RISK_LOW;
    }
    if (strcmp(level, "informational") == 0) {
        return RH_RISK_INFO;
    }
    return RH_RISK_MEDIUM;
}

/* First `attack.tNNNN[.NNN]` tag as "TNNNN[.NNN]" into out[16], or "" . */
static void rule_technique(const rh_sigma_rule_info *r, char out[16])
{
    size_t i, k;
    out[0] = '\0';
    for (i = 0; i < r->ntags; i++) {
        const char *t = r->tags[i];
        if (strncmp(t, "attack.t", 8) != 0 || t[8] < '0' || t[8] > '9') {
            continue;
        }
        out[0] = 'T';
        for (k = 0; t[8 + k] && k < 13; k++) {
            char c = t[8 + k];
            if (!((c >= '0' && c <= '9') || c == '.')) {
                break;
            }
            out[1 + k] = c;
        }
        out[1 + k] = '\0';
        return;
    }
}

static const char *action_text(rh_risk r, rh_action *a)
{
    if (r >= RH_RISK_CRITICAL) {
        *a = RH_ACTION_CONTAINMENT;
        return "Containment \xE2\x80\x94 isolate the host, collect the referenced binary and the "
               "writer's process tree, remove the value after imaging";
    }
    if (r >= RH_RISK_MEDIUM) {
        *a = RH_ACTION_INVESTIGATION;
        return "Investigation \xE2\x80\x94 review the value, the matched rule and the writing "
               "process; compare with other hosts";
    }
    *a = RH_ACTION_MONITORING;
    return "Monitoring \xE2\x80\x94 keep for context; no action unless corroborated";
}

static rh_status rule_reason(rh_buf *b, const rh_sigma_rule_info *r, int state)
{
    return rh_buf_printf(b, "%sSigma rule %s\"%s\" (%s, level %s)", b->len ? "; " : "",
                         state ? "over hive state, not an event: " : "", r->title, r->id,
                         r->level[0] ? r->level : "none");
}

/* Append a reason to a finding (replacing its reasons string). */
rh_status hunt_add_reason(rh_hunt *h, struct hunt_finding *f, const char *text)
{
    rh_buf b = RH_BUF_INIT(h->ctx);
    rh_status st = rh_buf_puts(&b, f->pub.reasons);
    if (st == RH_OK && strstr(f->pub.reasons, text)) {
        rh_buf_free(&b);
        return RH_OK;
    }
    st = st == RH_OK ? rh_buf_printf(&b, "%s%s", b.len ? "; " : "", text) : st;
    if (st == RH_OK) {
        st = hunt_finding_set(h->ctx, &f->pub.reasons, b.data, b.len);
    }
    rh_buf_free(&b);
    return st;
}

/* Append the process tree of a writer to ev_text. */
static rh_status render_tree(rh_hunt *h, const char *host, const rh_evidence_proc_ref *ref,
                             rh_buf *out)
{
    rh_evidence_tree *tree = NULL;
    rh_status st;
    if (!ref->guid && !ref->pid && !ref->image) {
        return RH_OK;
    }
    st = rh_evidence_process_tree(h->ev, host, ref, &tree);
    if (st == RH_NOT_FOUND) {
        return RH_OK;
    }
    if (st == RH_OK) {
        st = rh_buf_lit(out, "Process tree:\n");
        st = st == RH_OK ? rh_evidence_tree_render(tree, RH_EVIDENCE_RENDER_TEXT, 2, out) : st;
    }
    rh_evidence_tree_free(h->ev, tree);
    return st;
}

/* Evidence text for a write event: one line for the write, the writer's tree, and the
 * creation of the target file. */
rh_status hunt_write_evidence(rh_hunt *h, const char *host, const rh_evidence_write *w,
                              const char *target_path, rh_buf *out)
{
    rh_status st = rh_buf_printf(out, "%s %u %s at ", w->channel ? w->channel : "event",
                                 w->event_id, rh_evidence_op_name(w->op));
    st = st == RH_OK ? rh_filetime_to_iso(out, w->time) : st;
    st = st == RH_OK ? rh_buf_lit(out, " by ") : st;
    st = st == RH_OK
             ? rh_escape_append(out, w->writer.image ? w->writer.image : "?",
                                w->writer.image ? strlen(w->writer.image) : 1, RH_ESC_TERMINAL)
             : st;
    st = st == RH_OK ? rh_buf_printf(out, " (pid %u)", w->writer.pid) : st;
    if (st == RH_OK && w->writer.user) {
        st = rh_buf_lit(out, " as ");
        st = st == RH_OK
                 ? rh_escape_append(out, w->writer.user, strlen(w->writer.user), RH_ESC_TERMINAL)
                 : st;
    }
    st = st == RH_OK ? rh_buf_putc(out, '\n') : st;
    if (st == RH_OK) {
        st = render_tree(h, host, &w->writer, out);
    }
    if (st == RH_OK && target_path && target_path[0]) {
        rh_evidence_list fl;
        size_t i;
        memset(&fl, 0, sizeof(fl));
        if (rh_evidence_file_created(h->ev, host, target_path, &fl) == RH_OK) {
            for (i = 0; i < fl.count && i < 4 && st == RH_OK; i++) {
                const rh_evidence_file *fc = fl.items[i];
                st = rh_buf_lit(out, "Target file created: ");
                st = st == RH_OK
                         ? rh_escape_append(out, fc->path, strlen(fc->path), RH_ESC_TERMINAL)
                         : st;
                st = st == RH_OK ? rh_buf_lit(out, " at ") : st;
                st = st == RH_OK ? rh_filetime_to_iso(out, fc->time) : st;
                st = st == RH_OK ? rh_buf_lit(out, " by ") : st;
                st = st == RH_OK
                         ? rh_escape_append(out, fc->image ? fc->image : "?",
                                            fc->image ? strlen(fc->image) : 1, RH_ESC_TERMINAL)
                         : st;
                st = st == RH_OK ? rh_buf_printf(out, " (pid %u)\n", fc->pid) : st;
            }
        }
        rh_evidence_list_free(h->ev, &fl);
    }
    if (st == RH_OK && out->len > HUNT_MAX_EVIDENCE) {
        rh_buf_truncate(out, HUNT_MAX_EVIDENCE);
        st = rh_buf_lit(out, "\n...\n");
    }
    return st;
}

/* ---- findings from hits ------------------------------------------------------------------- */

/* The process of a logged hit as the evidence index names one (borrowed from x). */
static void hit_writer(const struct hunt_hit *x, rh_evidence_proc_ref *ref)
{
    memset(ref, 0, sizeof(*ref));
    ref->guid = x->guid[0] ? x->guid : NULL;
    ref->pid = x->pid;
    ref->time = x->time;
    ref->image = x->image[0] ? x->image : NULL;
    ref->user = x->user[0] ? x->user : NULL;
}

/* Decode Sysmon Details into registry data (decoded form). */
static void details_data(const char *d, rh_buf *out, uint32_t *type)
{
    size_t n = strlen(d);
    rh_buf_reset(out);
    if (n >= 7 && strncmp(d, "DWORD (", 7) == 0) {
        uint32_t v = (uint32_t)strtoul(d + 7, NULL, 16);
        uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
        *type = 4;
        (void)rh_buf_append(out, (const char *)b, 4);
        return;
    }
    if (n >= 7 && strncmp(d, "QWORD (", 7) == 0) {
        char *end = NULL;
        uint64_t hi = strtoull(d + 7, &end, 16), lo = 0, v;
        uint8_t b[8];
        size_t i;
        if (end && *end == '-') {
            lo = strtoull(end + 1, NULL, 16);
        }
        v = (hi << 32) | (lo & 0xFFFFFFFFu);
        for (i = 0; i < 8; i++) {
            b[i] = (uint8_t)(v >> (8 * i));
        }
        *type = 11;
        (void)rh_buf_append(out, (const char *)b, 8);
        return;
    }
    if (strcmp(d, "Binary Data") == 0) {
        *type = 3;
        return;
    }
    *type = 1;
    if (strcmp(d, "(Empty)") != 0) {
        (void)rh_buf_append(out, d, n);
    }
}

rh_status hunt_push_map(rh_hunt *h, struct mindex *mi, size_t idx)
{
    char *k = hunt_finding_key(h->ctx, &h->f[idx]->pub);
    if (!k) {
        return RH_ERR_NOMEM;
    }
    return hunt_mindex_put(h->ctx, mi, k, idx);
}

/* Build a finding from the latest registry write of a group (kb match + scorer). */
rh_status hunt_finding_from_write(rh_hunt *h, const struct hunt_hit *x, size_t nwrites,
                                  struct mindex *mi)
{
    struct target_map m;
    const rh_kb_location *loc;
    struct hunt_host_rec *hr = hunt_host_rec(h, x->host);
    const char *host = hr ? hr->name : x->host;
    rh_score_input in;
    rh_score_result res;
    struct finding_in fi;
    rh_buf data = RH_BUF_INIT(h->ctx), tname = RH_BUF_INIT(h->ctx), reasons = RH_BUF_INIT(h->ctx);
    rh_buf text = RH_BUF_INIT(h->ctx), tmp = RH_BUF_INIT(h->ctx);
    rh_evidence_subject subj;
    rh_evidence_verdict v;
    rh_evidence_list wl;
    const rh_evidence_write *w = NULL;
    rh_status st;
    uint32_t type = 1;
    size_t i;
    const char *why, *user;
    memset(&res, 0, sizeof(res));
    memset(&wl, 0, sizeof(wl));
    hunt_map_init(&m, h->ctx);
    st = hunt_map_target(x->target, x->target_len, &m);
    loc = st == RH_OK ? hunt_kb_loc(h, &m) : NULL;
    if (!loc) {
        st = st == RH_NOT_FOUND || st == RH_OK ? RH_OK : st;
        goto out;
    }
    details_data(x->details, &data, &type);
    memset(&in, 0, sizeof(in));
    in.loc = loc;
    in.hive = m.kbh;
    in.key_path = m.rel_key.data ? m.rel_key.data : "";
    in.key_len = m.rel_key.len;
    in.value_name = m.value.data ? m.value.data : "";
    in.name_len = m.value.len;
    in.data.type = type;
    in.data.data = (const uint8_t *)(data.data ? data.data : "");
    in.data.len = data.len;
    in.key_last_write = x->time;
    in.reference_time = h->stats.reference_time ? h->stats.reference_time : x->time;
    in.build = rh_win_family_from_build(hr ? hr->build : 0); /* the hive-side rule of hunt.c */
    hunt_known_mark(h, &in, rh_kb_hive_name(m.kbh), m.canon_key.data ? m.canon_key.data : "",
                    m.canon_key.len, x->details, strlen(x->details), NULL);
    st = rh_score_value(h->ctx, &in, &res);
    if (st != RH_OK) {
        goto out;
    }
    /* Fusion state: the hive was examined when the host has a hive of that kind. */
    memset(&subj, 0, sizeof(subj));
    subj.host = host;
    subj.key_path = m.canon_key.data;
    subj.value_name = m.value.data ? m.value.data : "";
    subj.presence = RH_PRESENCE_UNKNOWN;
    if (hr) {
        rh_hive_kind k = m.kbh == RH_KB_HIVE_SOFTWARE   ? RH_HIVE_KIND_SOFTWARE
                         : m.kbh == RH_KB_HIVE_SYSTEM   ? RH_HIVE_KIND_SYSTEM
                         : m.kbh == RH_KB_HIVE_USRCLASS ? RH_HIVE_KIND_USRCLASS
                                                        : RH_HIVE_KIND_NTUSER;
        if (hr->hives[k]) {
            subj.presence = RH_PRESENCE_ABSENT;
        }
    }
    st = rh_evidence_state(h->ev, &subj, &v);
    if (st == RH_OK) {
        st = rh_evidence_writes(h->ev, host, m.canon_key.data, subj.value_name, 0, &wl);
    }
    for (i = wl.count; st == RH_OK && i > 0; i--) {
        const rh_evidence_write *c = wl.items[i - 1];
        if (c->op == RH_EVIDENCE_OP_SET_VALUE) {
            w = c;
            break;
        }
    }
    if (st == RH_OK && w) {
        st = hunt_write_evidence(h, host, w, res.target, &text);
    }
    st = st == RH_OK ? rh_reg_type_append(type, &tname) : st;
    st = st == RH_OK ? rh_buf_puts(&reasons, res.reasons ? res.reasons : "") : st;
    if (st == RH_OK) {
        st = rh_buf_printf(&reasons, "%s%s: %s (%zu write event(s))", reasons.len ? "; " : "",
                           v.state == RH_FUSION_GONE ? "value written but absent from the hive"
                                                     : "value seen only in event logs",
                           rh_evidence_fusion_text(v.state), nwrites);
    }
    why = st == RH_OK ? hunt_gap_reason(h, host, v.state, &tmp) : NULL;
    if (why) {
        st = rh_buf_printf(&reasons, "; %s", why);
    }
    if (st != RH_OK) {
        goto out;
    }
    user = hunt_user_of_sid(hr, m.sid.data);
    memset(&fi, 0, sizeof(fi));
    fi.pub.source = RH_FINDING_EVENT;
    fi.pub.technique = res.technique ? res.technique : loc->technique;
    fi.pub.technique_name = res.technique_name ? res.technique_name : loc->technique_name;
    fi.pub.location_id = loc->id;
    fi.pub.host = host;
    fi.pub.user = user ? user : (m.sid.len || m.kbh >= RH_KB_HIVE_NTUSER ? x->user : "");
    fi.pub.user_sid = m.sid.data ? m.sid.data : "";
    fi.pub.source_file = x->source;
    fi.pub.hive_kind = rh_kb_hive_name(m.kbh);
    fi.pub.key_path = m.canon_key.data;
    fi.pub.key_path_len = m.canon_key.len;
    fi.rel_key = m.rel_key.data;
    fi.rel_key_len = m.rel_key.len;
    fi.pub.value_name = m.value.data ? m.value.data : "";
    fi.pub.value_name_len = m.value.len;
    fi.pub.value_type = tname.data ? tname.data : "";
    fi.pub.value_data = x->details;
    fi.pub.value_data_len = strlen(x->details);
    fi.pub.target_path = res.target ? res.target : "";
    fi.pub.path_class = res.target ? rh_path_class_name(res.path_class) : "";
    fi.pub.risk = res.risk;
    fi.pub.confidence = res.confidence;
    fi.pub.action = res.action;
    fi.pub.reasons = reasons.data;
    fi.pub.recommended_action = res.action_text ? res.action_text : "";
    fi.pub.evidence = text.data;
    fi.pub.evidence_len = text.len;
    fi.pub.event_time = w ? w->time : x->time;
    fi.pub.process_executable =
        w && w->writer.image ? w->writer.image : (x->image[0] ? x->image : NULL);
    fi.pub.fusion_state = rh_evidence_fusion_name(v.state);
    fi.pub.known_good = hunt_known_flags(&in);
    st = hunt_finding_add(h, &fi);
    if (st == RH_OK) {
        st = hunt_push_map(h, mi, h->n - 1);
    }
    if (st == RH_OK) {
        rh_evidence_proc_ref ref;
        hit_writer(x, &ref);
        st = hunt_finding_set_writer(h->ctx, h->f[h->n - 1], w ? &w->writer : &ref);
    }
out:
    rh_evidence_list_free(h->ev, &wl);
    rh_score_result_free(h->ctx, &res);
    hunt_map_free(&m);
    rh_buf_free(&data);
    rh_buf_free(&tname);
    rh_buf_free(&reasons);
    rh_buf_free(&text);
    rh_buf_free(&tmp);
    return st;
}

/* A finding from a Sigma hit that matched nothing the knowledge base found. */
rh_status hunt_finding_from_sigma(rh_hunt *h, const struct hunt_hit *x, struct mindex *mi)
{
    struct target_map m;
    struct hunt_host_rec *hr = hunt_host_rec(h, x->host);
    const char *host = hr ? hr->name : x->host;
    char tech[16];
    struct finding_in fi;
    rh_buf reasons = RH_BUF_INIT(h->ctx), text = RH_BUF_INIT(h->ctx), key = RH_BUF_INIT(h->ctx);
    rh_buf tmp = RH_BUF_INIT(h->ctx);
    rh_status st = RH_OK;
    rh_risk risk = level_risk(x->rule->level);
    rh_action act;
    const char *atext = action_text(risk, &act), *user = NULL;
    int mapped = 0;
    hunt_map_init(&m, h->ctx);
    if (x->target_len) {
        st = hunt_map_target(x->target, x->target_len, &m);
        mapped = st == RH_OK;
        st = st == RH_NOT_FOUND ? RH_OK : st;
    }
    rule_technique(x->rule, tech);
    st = st == RH_OK ? rule_reason(&reasons, x->rule, x->kind == HIT_SIGMA_STATE) : st;
    if (st == RH_OK && x->kind == HIT_SIGMA_EVENT && h->ev) {
        rh_evidence_proc_ref ref;
        hit_writer(x, &ref);
        st = rh_buf_printf(&text, "Event %u at ", x->event_id);
        st = st == RH_OK ? rh_filetime_to_iso(&text, x->time) : st;
        st = st == RH_OK
                 ? rh_buf_printf(&text, " (record %llu)\n", (unsigned long long)x->record_id)
                 : st;
        st = st == RH_OK ? render_tree(h, host, &ref, &text) : st;
    }
    if (st == RH_OK && !mapped && x->target_len) {
        st = rh_buf_append(&key, x->target, x->target_len); /* unknown root: as logged */
    }
    if (st != RH_OK) {
        goto out;
    }
    if (mapped) {
        user = hunt_user_of_sid(hr, m.sid.data);
    }
    memset(&fi, 0, sizeof(fi));
    fi.pub.source = x->kind == HIT_SIGMA_STATE ? RH_FINDING_SIGMA_STATE : RH_FINDING_EVENT;
    fi.pub.technique = tech[0] ? tech : "-";
    fi.pub.technique_name = tech[0] && rh_technique_name(tech) ? rh_technique_name(tech) : "";
    fi.pub.location_id = x->rule->id;
    fi.pub.host = host;
    fi.pub.user = x->user_name[0] ? x->user_name : user ? user : x->user;
    fi.pub.user_sid = x->user_sid[0] ? x->user_sid : (mapped && m.sid.data ? m.sid.data : "");
    fi.pub.source_file = x->source;
    fi.pub.hive_kind = x->hive_kind[0] ? x->hive_kind : mapped ? rh_kb_hive_name(m.kbh) : "";
    if (mapped) {
        fi.pub.key_path = m.canon_key.data;
        fi.pub.key_path_len = m.canon_key.len;
        fi.rel_key = m.rel_key.data;
        fi.rel_key_len = m.rel_key.len;
        fi.pub.value_name = m.value.data ? m.value.data : "";
        fi.pub.value_name_len = m.value.len;
    } else {
        fi.pub.key_path = key.data ? key.data : "";
        fi.pub.key_path_len = key.len;
        fi.pub.value_name = "";
    }
    if (x->target_len) {
        rh_buf dd = RH_BUF_INIT(h->ctx);
        uint32_t ty = 1;
        details_data(x->details, &dd, &ty);
        rh_buf_free(&dd);
        st = rh_reg_type_append(ty, &tmp);
        if (st != RH_OK) {
            goto out;
        }
    }
    fi.pub.value_type = x->target_len ? (tmp.data ? tmp.data : "") : "event";
    fi.pub.value_data = x->target_len ? x->details : x->extra;
    fi.pub.value_data_len = strlen(fi.pub.value_data);
    fi.pub.key_last_write = x->key_last_write;
    fi.pub.target_path = "";
    fi.pub.path_class = "";
    fi.pub.risk = risk;
    fi.pub.confidence = RH_CONF_MEDIUM;
    fi.pub.action = act;
    fi.pub.reasons = reasons.data;
    fi.pub.recommended_action = atext;
    fi.pub.evidence = text.data;
    fi.pub.evidence_len = text.len;
    fi.pub.event_time = x->kind == HIT_SIGMA_EVENT ? x->time : 0;
    fi.pub.process_executable = x->image[0] ? x->image : NULL;
    if (x->kind == HIT_SIGMA_EVENT && h->ev) {
        fi.pub.fusion_state = rh_evidence_fusion_name(hr ? RH_FUSION_GONE : RH_FUSION_EVENT_ONLY);
        if (!x->target_len) {
            fi.pub.fusion_state = "event-only";
        }
    }
    st = hunt_finding_add(h, &fi);
    if (st == RH_OK && x->target_len) {
        st = hunt_push_map(h, mi, h->n - 1);
    } else if (st == RH_OK) {
        char *k = hunt_hit_key(h->ctx, h, x);
        st = k ? hunt_mindex_put(h->ctx, mi, k, h->n - 1) : RH_ERR_NOMEM;
    }
    if (st == RH_OK) {
        h->f[h->n - 1]->sigma_rules = 1;
    }
    if (st == RH_OK && x->kind == HIT_SIGMA_EVENT) {
        rh_evidence_proc_ref ref;
        hit_writer(x, &ref);
        st = hunt_finding_set_writer(h->ctx, h->f[h->n - 1], &ref);
    }
out:
    hunt_map_free(&m);
    rh_buf_free(&reasons);
    rh_buf_free(&text);
    rh_buf_free(&key);
    rh_buf_free(&tmp);
    return st;
}

/* Add a Sigma hit's rule to an existing finding (reasons, risk at least the rule's level). */
rh_status hunt_merge_sigma(rh_hunt *h, struct hunt_finding *f, const struct hunt_hit *x)
{
    rh_buf b = RH_BUF_INIT(h->ctx);
    rh_status st = RH_OK;
    h->stats.merged++;
    if (f->sigma_rules >= HUNT_MAX_RULE_REASONS) {
        return RH_OK;
    }
    st = rule_reason(&b, x->rule, x->kind == HIT_SIGMA_STATE);
    if (st == RH_OK && !strstr(f->pub.reasons, b.data)) {
        st = hunt_add_reason(h, f, b.data);
        f->sigma_rules++;
    }
    rh_buf_free(&b);
    return st;
}

/* ---- Sigma correlations ------------------------------------------------------------------- */

static int corr_refers(const struct hunt_corr *c, const rh_sigma_rule_info *r)
{
    size_t i;
    for (i = 0; r && i < c->rule->nrefs; i++) {
        if (c->rule->refs[i] == r) {
            return 1;
        }
    }
    return 0;
}

/* "Sigma correlation "T" (id, event_count 3 in group 'G', 2026-... .. 2026-..., level high)" */
static rh_status corr_reason(rh_buf *b, const struct hunt_corr *c)
{
    rh_buf_printf(b, "Sigma correlation \"%s\" (%s, %s %llu", c->rule->title, c->rule->id,
                  c->rule->correlation_type, (unsigned long long)c->value);
    if (c->group[0]) {
        rh_buf_printf(b, " in group '%s'", c->group);
    }
    rh_buf_lit(b, ", ");
    rh_filetime_to_iso(b, c->first);
    rh_buf_lit(b, " .. ");
    rh_filetime_to_iso(b, c->last);
    return rh_buf_printf(b, ", level %s)", c->rule->level[0] ? c->rule->level : "none");
}

/* The join state: per finding the last correlation that joined it (index + 1), and the
 * findings the current correlation joined. */
struct corr_joins {
    size_t *stamp;
    size_t *list;
    size_t n, cap;
};

/* Join finding idx to correlation ci, whose reason is `why` (once per correlation). */
static rh_status corr_join(rh_hunt *h, struct corr_joins *j, size_t ci, size_t idx,
                           const rh_buf *why)
{
    rh_status st;
    if (j->stamp[idx] == ci + 1) {
        return RH_OK;
    }
    j->stamp[idx] = ci + 1;
    RH_ARRAY_PUSH(h->ctx, j->list, j->n, j->cap, idx, st);
    return st == RH_OK ? hunt_add_reason(h, h->f[idx], why->data ? why->data : "") : st;
}

/* Raise finding f to the correlation's level: risk, action and its text. */
static rh_status corr_raise(rh_hunt *h, struct hunt_finding *f, rh_risk lv)
{
    rh_action act;
    const char *text;
    if (f->pub.risk >= lv) {
        return RH_OK;
    }
    text = action_text(lv, &act);
    f->pub.risk = lv;
    f->pub.action = act;
    return hunt_finding_set(h->ctx, &f->pub.recommended_action, text, strlen(text));
}

/* A finding of its own for a correlation whose events belong to no finding: a Sigma event
 * finding (hunt_finding_from_sigma) for the correlation rule, its data the correlation. */
static rh_status corr_finding(rh_hunt *h, const struct hunt_corr *c, const struct hunt_hit *last,
                              const rh_buf *why, struct mindex *mi)
{
    struct hunt_hit x;
    memset(&x, 0, sizeof(x));
    x.kind = HIT_SIGMA_EVENT;
    x.rule = c->rule;
    x.host = (char *)(c->host[0] || !last ? c->host : last->host);
    x.target = (char *)"";
    x.details = (char *)"";
    x.source = (char *)(last ? last->source : "");
    x.image = (char *)(last ? last->image : "");
    x.guid = (char *)(last ? last->guid : "");
    x.user = (char *)(last ? last->user : "");
    x.user_sid = x.user_name = x.hive_kind = x.writer_sid = (char *)"";
    x.extra = why->data ? why->data : (char *)"";
    x.pid = last ? last->pid : 0;
    x.event_id = last ? last->event_id : 0;
    x.record_id = last ? last->record_id : 0;
    x.time = c->last;
    x.ts = c->last;
    return hunt_finding_from_sigma(h, &x, mi);
}

/* A candidate event of a correlation window: a Sigma hit, by its time. */
struct corr_cand {
    uint64_t ts;
    size_t oi; /* index into ord */
};

static int cmp_cand(const void *pa, const void *pb)
{
    const struct corr_cand *a = pa, *b = pb;
    if (a->ts != b->ts) {
        return a->ts < b->ts ? -1 : 1;
    }
    return a->oi < b->oi ? -1 : a->oi > b->oi;
}

/* Findings by writer ProcessGuid (case-insensitive), for the join by process. */
struct guid_ix {
    const char *guid;
    size_t idx;
};

static int cmp_guid(const void *pa, const void *pb)
{
    const struct guid_ix *a = pa, *b = pb;
    int r = rh_ascii_casecmp(a->guid, strlen(a->guid), b->guid, strlen(b->guid));
    if (r) {
        return r;
    }
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* First position of guid in the sorted byguid[0..n). */
static size_t guid_lower(const struct guid_ix *byguid, size_t n, const char *guid)
{
    size_t lo = 0, hi = n, gl = strlen(guid);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rh_ascii_casecmp(byguid[mid].guid, strlen(byguid[mid].guid), guid, gl) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Join correlation ci to the findings of the candidates in its window. */
static rh_status corr_one(rh_hunt *h, size_t ci, const struct hit_ord *ord,
                          const struct corr_cand *cand, size_t ncand, const struct guid_ix *byguid,
                          size_t nguid, size_t nkeep, struct corr_joins *j, rh_buf *why,
                          struct mindex *mi)
{
    const struct hunt_corr *c = &h->corrs[ci];
    const struct hunt_hit *last = NULL;
    size_t lo = 0, hi = ncand, i, k;
    rh_status st;
    rh_buf_reset(why);
    st = corr_reason(why, c);
    while (lo < hi) { /* the first candidate at or after the window's start */
        size_t mid = lo + (hi - lo) / 2;
        if (cand[mid].ts < c->first) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    j->n = 0;
    for (i = lo; i < ncand && cand[i].ts <= c->last && st == RH_OK; i++) {
        const struct hunt_hit *x = ord[cand[i].oi].x;
        size_t idx;
        if (!corr_refers(c, x->rule) || (c->host[0] && !rh_host_eq(c->host, x->host))) {
            continue;
        }
        last = x;
        if (hunt_mindex_get(mi, ord[cand[i].oi].key, &idx) && idx < nkeep) {
            st = corr_join(h, j, ci, idx, why);
        }
        /* the event's process wrote findings: those are the correlated ones too */
        for (k = x->guid[0] ? guid_lower(byguid, nguid, x->guid) : nguid;
             k < nguid && st == RH_OK && rh_ascii_streq(byguid[k].guid, x->guid); k++) {
            if (rh_host_eq(h->f[byguid[k].idx]->pub.host, x->host)) {
                st = corr_join(h, j, ci, byguid[k].idx, why);
            }
        }
    }
    for (k = 0; k < j->n && st == RH_OK; k++) {
        st = corr_raise(h, h->f[j->list[k]], level_risk(c->rule->level));
    }
    if (st == RH_OK && j->n) {
        h->stats.correlations_joined++;
    } else if (st == RH_OK) {
        st = corr_finding(h, c, last, why, mi);
    }
    return st;
}

rh_status hunt_join_correlations(rh_hunt *h, const struct hit_ord *ord, struct mindex *mi)
{
    struct corr_joins j;
    struct corr_cand *cand = NULL;
    struct guid_ix *byguid = NULL;
    rh_buf why = RH_BUF_INIT(h->ctx);
    rh_status st = RH_OK;
    size_t i, ncand = 0, nguid = 0, nkeep = h->n;
    memset(&j, 0, sizeof(j));
    j.stamp = rh_calloc(h->ctx, nkeep ? nkeep : 1, sizeof(size_t));
    cand = rh_calloc(h->ctx, h->nhits ? h->nhits : 1, sizeof(*cand));
    byguid = rh_calloc(h->ctx, nkeep ? nkeep : 1, sizeof(*byguid));
    if (!j.stamp || !cand || !byguid) {
        st = RH_ERR_NOMEM;
        goto out;
    }
    for (i = 0; i < h->nhits; i++) {
        if (ord[i].x->kind == HIT_SIGMA_REF || ord[i].x->kind == HIT_SIGMA_EVENT) {
            cand[ncand].ts = ord[i].x->ts;
            cand[ncand++].oi = i;
        }
    }
    rh_sort(cand, ncand, sizeof(*cand), cmp_cand);
    for (i = 0; i < nkeep; i++) {
        if (h->f[i]->writer_guid) {
            byguid[nguid].guid = h->f[i]->writer_guid;
            byguid[nguid++].idx = i;
        }
    }
    rh_sort(byguid, nguid, sizeof(*byguid), cmp_guid);
    for (i = 0; i < h->ncorrs && st == RH_OK; i++) {
        st = corr_one(h, i, ord, cand, ncand, byguid, nguid, nkeep, &j, &why, mi);
    }
out:
    rh_free(h->ctx, j.stamp);
    rh_free(h->ctx, j.list);
    rh_free(h->ctx, cand);
    rh_free(h->ctx, byguid);
    rh_buf_free(&why);
    return st;
}
