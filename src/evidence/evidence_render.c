/*
 * Process-tree rendering: an indented ASCII tree (terminal or HTML escaping) and JSON.
 * Every string that came from an event goes through rh_escape_append().
 */
#include "evidence_internal.h"

#define EV_MAX_INDENT 64u

/* ---- text ---------------------------------------------------------------------------- */

struct tw {
    rh_buf *out;
    rh_escape esc;
    rh_status st;
};

static void lit(struct tw *w, const char *s)
{
    if (w->st == RH_OK) {
        w->st = rh_buf_puts(w->out, s);
    }
}

static void esc(struct tw *w, const char *s)
{
    if (w->st == RH_OK && s) {
        w->st = rh_escape_append(w->out, s, strlen(s), w->esc);
    }
}

static void spaces(struct tw *w, size_t n)
{
    while (n-- && w->st == RH_OK) {
        w->st = rh_buf_putc(w->out, ' ');
    }
}

/* Decimal number between two literals (no printf: formats stay literal). */
static void num(struct tw *w, const char *pre, unsigned long long v, const char *post)
{
    char d[24];
    size_t i = sizeof(d);
    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v && i);
    lit(w, pre);
    if (w->st == RH_OK) {
        w->st = rh_buf_append(w->out, d + i, sizeof(d) - i);
    }
    lit(w, post);
}

static void iso(struct tw *w, uint64_t t)
{
    if (w->st == RH_OK) {
        w->st = rh_filetime_to_iso(w->out, t);
    }
}

static void text_node(struct tw *w, const rh_evidence_node *n, size_t col, int child, int subject)
{
    const rh_evidence_process *p = &n->proc;
    size_t i;
    if (child) {
        spaces(w, col - 3);
        lit(w, "`- ");
    } else {
        spaces(w, col);
    }
    if (p->image) {
        esc(w, p->image);
    } else {
        lit(w, "(unknown image)");
    }
    if (p->pid) {
        num(w, " [pid ", p->pid, "]");
    }
    if (p->user) {
        lit(w, " user=");
        esc(w, p->user);
    }
    if (p->integrity) {
        lit(w, " integrity=");
        esc(w, p->integrity);
    }
    if (p->start) {
        lit(w, " start=");
        iso(w, p->start);
    }
    if (p->guid) {
        lit(w, " guid=");
        esc(w, p->guid);
    }
    if (!n->logged) {
        lit(w, " (inferred: creation not logged)");
    } else if (n->link == RH_EVIDENCE_LINK_PID_TIME) {
        lit(w, " (linked by pid+time)");
    }
    if (n->logged) {
        num(w, " {event ", p->event_id, "");
        num(w, " record ", p->record_id, "}");
    }
    if (subject) {
        lit(w, " <== subject");
    }
    lit(w, "\n");
    if (p->command_line) {
        spaces(w, col + 3);
        lit(w, "cmd: ");
        esc(w, p->command_line);
        lit(w, "\n");
    }
    for (i = 0; i < n->nconns; i++) {
        const rh_evidence_conn *c = n->conns[i];
        spaces(w, col + 3);
        lit(w, "net: ");
        iso(w, c->time);
        lit(w, " ");
        esc(w, c->protocol ? c->protocol : "?");
        lit(w, c->initiated == 0 ? " in " : (c->initiated > 0 ? " out " : " "));
        esc(w, c->src_ip ? c->src_ip : "?");
        num(w, ":", c->src_port, " -> ");
        esc(w, c->dst_ip ? c->dst_ip : "?");
        num(w, ":", c->dst_port, "");
        if (c->dst_host) {
            lit(w, " (");
            esc(w, c->dst_host);
            lit(w, ")");
        }
        lit(w, "\n");
    }
    if (n->conns_total > n->nconns) {
        spaces(w, col + 3);
        num(w, "net: ... ", n->conns_total - n->nconns, " more\n");
    }
    for (i = 0; i < n->nfiles; i++) {
        const rh_evidence_file *f = n->files[i];
        spaces(w, col + 3);
        lit(w, "file: ");
        iso(w, f->time);
        lit(w, " ");
        esc(w, f->path);
        lit(w, "\n");
    }
    if (n->files_total > n->nfiles) {
        spaces(w, col + 3);
        num(w, "file: ... ", n->files_total - n->nfiles, " more\n");
    }
}

static rh_status render_text(const rh_evidence_tree *t, rh_escape mode, unsigned indent,
                             rh_buf *out)
{
    struct tw w = {out, mode, RH_OK};
    size_t i, d = 0;
    if (indent > EV_MAX_INDENT) {
        indent = EV_MAX_INDENT;
    }
    if (t->truncated) {
        spaces(&w, indent);
        lit(&w, "... (older ancestors cut at the depth limit)\n");
    }
    if (t->cycle) {
        spaces(&w, indent);
        lit(&w, "... (parent links loop back: chain stopped)\n");
    }
    /* Oldest ancestor first; the subject (nodes[0]) is the deepest line. */
    for (i = t->count; i-- > 0; d++) {
        text_node(&w, &t->nodes[i], indent + 3 * d, d > 0, i == 0);
    }
    return w.st;
}

/* ---- JSON ---------------------------------------------------------------------------- */

static void jstr(struct tw *w, const char *name, const char *v)
{
    lit(w, ",\"");
    lit(w, name);
    lit(w, "\":");
    if (!v) {
        lit(w, "null");
        return;
    }
    lit(w, "\"");
    esc(w, v);
    lit(w, "\"");
}

static void jnum(struct tw *w, const char *name, unsigned long long v)
{
    lit(w, ",\"");
    lit(w, name);
    lit(w, "\":");
    num(w, "", v, "");
}

static void jtime(struct tw *w, const char *name, uint64_t t)
{
    lit(w, ",\"");
    lit(w, name);
    lit(w, "\":");
    if (!t) {
        lit(w, "null");
        return;
    }
    lit(w, "\"");
    iso(w, t);
    lit(w, "\"");
}

static void json_node(struct tw *w, const rh_evidence_node *n)
{
    const rh_evidence_process *p = &n->proc;
    size_t i;
    lit(w, "{\"logged\":");
    lit(w, n->logged ? "true" : "false");
    lit(w, ",\"link\":\"");
    lit(w, rh_evidence_link_name(n->link));
    lit(w, "\"");
    jstr(w, "host", p->host);
    jnum(w, "pid", p->pid);
    jstr(w, "guid", p->guid);
    jstr(w, "image", p->image);
    jstr(w, "command_line", p->command_line);
    jstr(w, "user", p->user);
    jstr(w, "integrity", p->integrity);
    jstr(w, "hashes", p->hashes);
    jstr(w, "current_directory", p->current_directory);
    jtime(w, "start", p->start);
    jtime(w, "end", p->end);
    jnum(w, "parent_pid", p->parent_pid);
    jstr(w, "parent_guid", p->parent_guid);
    jnum(w, "event_id", p->event_id);
    jnum(w, "record_id", p->record_id);
    jstr(w, "source", p->source);
    lit(w, ",\"network\":[");
    for (i = 0; i < n->nconns; i++) {
        const rh_evidence_conn *c = n->conns[i];
        lit(w, i ? ",{" : "{");
        lit(w, "\"time\":");
        if (c->time) {
            lit(w, "\"");
            iso(w, c->time);
            lit(w, "\"");
        } else {
            lit(w, "null");
        }
        jstr(w, "protocol", c->protocol);
        lit(w, ",\"initiated\":");
        lit(w, c->initiated < 0 ? "null" : (c->initiated ? "true" : "false"));
        jstr(w, "src_ip", c->src_ip);
        jnum(w, "src_port", c->src_port);
        jstr(w, "dst_ip", c->dst_ip);
        jnum(w, "dst_port", c->dst_port);
        jstr(w, "dst_host", c->dst_host);
        jnum(w, "record_id", c->record_id);
        lit(w, "}");
    }
    lit(w, "]");
    jnum(w, "network_total", n->conns_total);
    lit(w, ",\"files\":[");
    for (i = 0; i < n->nfiles; i++) {
        const rh_evidence_file *f = n->files[i];
        lit(w, i ? ",{" : "{");
        lit(w, "\"time\":");
        if (f->time) {
            lit(w, "\"");
            iso(w, f->time);
            lit(w, "\"");
        } else {
            lit(w, "null");
        }
        jstr(w, "path", f->path);
        jnum(w, "event_id", f->event_id);
        jstr(w, "hashes", f->hashes);
        jnum(w, "record_id", f->record_id);
        lit(w, "}");
    }
    lit(w, "]");
    jnum(w, "files_total", n->files_total);
    lit(w, "}");
}

static rh_status render_json(const rh_evidence_tree *t, rh_buf *out)
{
    struct tw w = {out, RH_ESC_JSON, RH_OK};
    size_t i;
    lit(&w, "{\"truncated\":");
    lit(&w, t->truncated ? "true" : "false");
    lit(&w, ",\"cycle\":");
    lit(&w, t->cycle ? "true" : "false");
    lit(&w, ",\"chain\":[");
    for (i = 0; i < t->count; i++) {
        if (i) {
            lit(&w, ",");
        }
        json_node(&w, &t->nodes[i]);
    }
    lit(&w, "]}");
    return w.st;
}

rh_status rh_evidence_tree_render(const rh_evidence_tree *tree, rh_evidence_render how,
                                  unsigned indent, rh_buf *out)
{
    if (!tree || !out) {
        return RH_ERR_ARG;
    }
    switch (how) {
    case RH_EVIDENCE_RENDER_TEXT:
        return render_text(tree, RH_ESC_TERMINAL, indent, out);
    case RH_EVIDENCE_RENDER_HTML:
        return render_text(tree, RH_ESC_HTML, indent, out);
    case RH_EVIDENCE_RENDER_JSON:
        return render_json(tree, out);
    }
    return RH_ERR_ARG;
}
