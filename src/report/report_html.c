/*
 * HTML reporter ("html"): one self-contained file, no network resources. A header with the
 * hunt summary and the hunt plan (rh_report_opts.hypothesis / hunt_plan), summary tables by
 * risk, technique and host, a timeline (inline SVG drawn here) of key last-write and event
 * times, and the findings table: one <tbody> per finding with its summary row and a
 * <details> row holding every field, the reasons, the recommended action and the evidence
 * text (process tree, ...) as preformatted text. The inline script sorts and filters the
 * table by moving and hiding those <tbody> groups; it never builds markup from data.
 *
 * Escape (the only one of this format): esc_n(), RH_ESC_HTML on every attacker-controlled
 * string (& < > " ' as entities; control, bidi and invisible characters as visible \xNN /
 * \u{NNNN}), safe in element text and in double-quoted attribute values. Attacker data is
 * never written into <script>, <style>, URLs, event handlers or unquoted attributes.
 *
 * Defence in depth: a Content-Security-Policy meta tag (default-src 'none') allows only the
 * one inline script whose SHA-256 is computed here from html_script[], and inline styles.
 * Injected markup could therefore not run script even if escaping failed.
 *
 * Deterministic: no wall-clock time; the same hunt gives byte-identical output.
 */
#include <stdlib.h>

#include "report_internal.h"

#define HTML_NCOLS    11  /* columns of the findings table */
#define HTML_TL_LEFT  90  /* timeline: x of the time axis start */
#define HTML_TL_WIDTH 880 /* timeline: axis length */
#define HTML_TL_LANE  26  /* timeline: height of one risk lane */
#define HTML_TL_TICKS 5   /* timeline: labelled ticks */

/* ---- the inline script (its hash goes into the CSP) --------------------------------------- */

/*
 * Sort: click a column header (again to reverse). Filter: text (matches any field, details
 * included) and minimum risk. A view can be given in the URL: #view&q=TEXT&risk=N&sort=C&dir=d.
 * When done, <body> gets data-ready="1" and data-visible="<rows shown>".
 */
static const char html_script[] =
    "\n(function () {\n"
    "  'use strict';\n"
    "  var tbl = document.getElementById('findings');\n"
    "  var body = document.body;\n"
    "  if (!tbl) { body.setAttribute('data-ready', '1'); return; }\n"
    "  var groups = Array.prototype.slice.call(tbl.tBodies).filter(function (g) {\n"
    "    return g.classList.contains('f');\n"
    "  });\n"
    "  var heads = tbl.tHead.rows[0].cells;\n"
    "  var q = document.getElementById('q'), risk = document.getElementById('risk');\n"
    "  var shown = document.getElementById('shown');\n"
    "  var col = -1, dir = 1, num = /^-?[0-9]+(\\.[0-9]+)?$/;\n"
    "  groups.forEach(function (g, i) {\n"
    "    g.rhIndex = i;\n"
    "    g.rhText = g.textContent.toLowerCase();\n"
    "  });\n"
    "  function key(g, c) {\n"
    "    var td = g.rows[0].cells[c];\n"
    "    var s = td.getAttribute('data-sort');\n"
    "    return s !== null ? s : td.textContent.toLowerCase();\n"
    "  }\n"
    "  function sortBy(c, d) {\n"
    "    col = c; dir = d;\n"
    "    groups.sort(function (a, b) {\n"
    "      var x = key(a, c), y = key(b, c), r = 0;\n"
    "      if (num.test(x) && num.test(y)) { r = parseFloat(x) - parseFloat(y); }\n"
    "      else { r = x < y ? -1 : (x > y ? 1 : 0); }\n"
    "      return r !== 0 ? r * d : a.rhIndex - b.rhIndex;\n"
    "    });\n"
    "    groups.forEach(function (g) { tbl.appendChild(g); });\n"
    "    for (var i = 0; i < heads.length; i++) {\n"
    "      heads[i].setAttribute('aria-sort', i === c ? (d > 0 ? 'ascending' : 'descending') "
    ": 'none');\n"
    "    }\n"
    "    body.setAttribute('data-sort', c + (d > 0 ? 'a' : 'd'));\n"
    "  }\n"
    "  function filter() {\n"
    "    var t = q.value.toLowerCase(), m = parseInt(risk.value, 10) || 0, n = 0;\n"
    "    groups.forEach(function (g) {\n"
    "      var ok = parseInt(g.getAttribute('data-risk'), 10) >= m &&\n"
    "        (t === '' || g.rhText.indexOf(t) >= 0);\n"
    "      g.hidden = !ok;\n"
    "      if (ok) { n++; }\n"
    "    });\n"
    "    shown.textContent = String(n);\n"
    "    body.setAttribute('data-visible', String(n));\n"
    "  }\n"
    "  Array.prototype.forEach.call(tbl.tHead.querySelectorAll('button[data-col]'), "
    "function (b) {\n"
    "    b.addEventListener('click', function () {\n"
    "      var c = parseInt(b.getAttribute('data-col'), 10);\n"
    "      sortBy(c, c === col ? -dir : 1);\n"
    "    });\n"
    "  });\n"
    "  q.addEventListener('input', filter);\n"
    "  risk.addEventListener('change', filter);\n"
    "  var h = window.location.hash, sc = -1, sd = 1;\n"
    "  if (h.indexOf('#view&') === 0) {\n"
    "    h.slice(6).split('&').forEach(function (kv) {\n"
    "      var p = kv.indexOf('='), k = p < 0 ? kv : kv.slice(0, p);\n"
    "      var v = p < 0 ? '' : kv.slice(p + 1);\n"
    "      try { v = decodeURIComponent(v.replace(/\\+/g, ' ')); } catch (e) { v = ''; }\n"
    "      if (k === 'q') { q.value = v; }\n"
    "      if (k === 'risk' && /^[0-4]$/.test(v)) { risk.value = v; }\n"
    "      if (k === 'sort' && /^[0-9]+$/.test(v) && +v < heads.length) { sc = +v; }\n"
    "      if (k === 'dir' && v === 'd') { sd = -1; }\n"
    "    });\n"
    "  }\n"
    "  if (sc >= 0) { sortBy(sc, sd); }\n"
    "  filter();\n"
    "  document.getElementById('controls').hidden = false;\n"
    "  body.setAttribute('data-ready', '1');\n"
    "})();\n";

static const char html_style[] =
    "\n:root{--bg:#fff;--fg:#1d2330;--mute:#5b6475;--line:#d9dde5;--head:#f3f5f8}\n"
    "body{margin:0;padding:1.2em 2em;font:14px/1.45 system-ui,-apple-system,'Segoe "
    "UI',sans-serif;color:var(--fg);background:var(--bg)}\n"
    "h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.4em 0 .5em;border-bottom:1px "
    "solid var(--line)}\n"
    "h3{font-size:1em;margin:.8em 0 .3em}table{border-collapse:collapse}\n"
    "th,td{border:1px solid var(--line);padding:.25em .5em;text-align:left;vertical-align:top}\n"
    "th{background:var(--head)}td.n{text-align:right}\n"
    ".sum{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start}\n"
    ".stats dt{float:left;clear:left;width:11em;color:var(--mute)}.stats dd{margin:0 0 0 11em}\n"
    ".plan{background:#f7f9fc;border:1px solid var(--line);padding:.6em 1em}\n"
    "pre{white-space:pre-wrap;overflow-wrap:anywhere;font:12px/1.4 ui-monospace,Menlo,Consolas,"
    "monospace;margin:.3em 0}\n"
    "#findings{width:100%}#findings td{overflow-wrap:anywhere}\n"
    "#findings "
    "td.d{min-width:14em;max-width:28em;font-family:ui-monospace,Menlo,Consolas,monospace;font-"
    "size:"
    "12px}\n"
    ".clip{max-height:7.5em;overflow:auto}#findings td.id,#findings td.t{white-space:nowrap}\n"
    "#findings th button{all:unset;cursor:pointer;font-weight:600}\n"
    "#findings th[aria-sort=ascending] button::after{content:' \\25B2'}\n"
    "#findings th[aria-sort=descending] button::after{content:' \\25BC'}\n"
    "tr.row:hover{background:#f6f8ff}tr.detail td{background:#fbfcfe;border-top:none}\n"
    "details summary{cursor:pointer;color:var(--mute)}\n"
    "dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;margin:.4em 0}\n"
    "dl.kv dt{color:var(--mute)}dl.kv dd{margin:0;overflow-wrap:anywhere;font-family:"
    "ui-monospace,Menlo,Consolas,monospace;font-size:12px}\n"
    ".r{display:inline-block;min-width:4.5em;padding:0 .4em;border-radius:3px;color:#fff;"
    "font-weight:600;text-align:center}\n"
    ".r4{background:#8b0000}.r3{background:#d9480f}.r2{background:#b08900}.r1{background:#2b7a"
    "3d}.r0{background:#6c757d}\n"
    "svg .p4{fill:#8b0000}svg .p3{fill:#d9480f}svg .p2{fill:#b08900}svg .p1{fill:#2b7a3d}svg "
    ".p0{fill:#6c757d}\n"
    "svg circle,svg path.ev{fill-opacity:.75;stroke:#fff;stroke-width:1}svg path.ev{stroke:"
    "#1d2330}\n"
    "svg text{font:11px system-ui,sans-serif;fill:var(--mute)}svg line{stroke:var(--line)}\n"
    "#controls{margin:.5em 0}#controls "
    "input{width:24em}#timeline-chart{max-width:100%;height:auto}\n"
    ".flag{white-space:nowrap;display:inline-block;border:1px solid "
    "var(--line);border-radius:3px;padding:0 .3em;"
    "margin:0 .2em .2em 0;font-size:12px}\n"
    "footer{margin-top:2em;color:var(--mute);font-size:12px}\n";

/* ---- escaping ----------------------------------------------------------------------------- */

/*
 * The one escape function of this format. RH_ESC_HTML on n bytes of attacker-controlled text;
 * with keep_newlines (only inside <pre>), '\n' is kept as a line break and each line is
 * escaped on its own (a '\n' byte never occurs inside a UTF-8 sequence).
 */
static rh_status esc_n(rh_buf *o, const char *s, size_t n, int keep_newlines)
{
    size_t i, start = 0;
    if (!s) {
        return RH_OK;
    }
    if (!keep_newlines) {
        return rh_escape_append(o, s, n, RH_ESC_HTML);
    }
    for (i = 0; i <= n && rh_buf_status(o) == RH_OK; i++) {
        if (i == n || s[i] == '\n') {
            rh_escape_append(o, s + start, i - start, RH_ESC_HTML);
            if (i < n) {
                rh_buf_putc(o, '\n');
            }
            start = i + 1;
        }
    }
    return rh_buf_status(o);
}

static rh_status esc(rh_buf *o, const char *s)
{
    return esc_n(o, s, s ? strlen(s) : 0, 0);
}

/* open + escaped text + close; open/close are constant markup. */
static rh_status wrap(rh_buf *o, const char *open, const char *s, size_t n, const char *close)
{
    rh_buf_puts(o, open);
    esc_n(o, s, n, 0);
    return rh_buf_puts(o, close);
}

static rh_status wrap_s(rh_buf *o, const char *open, const char *s, const char *close)
{
    return wrap(o, open, s, s ? strlen(s) : 0, close);
}

static rh_status iso(rh_buf *o, uint64_t ft)
{
    return ft ? rh_filetime_to_iso(o, ft) : RH_OK;
}

/* ---- summaries ---------------------------------------------------------------------------- */

/* The listed findings, in report order. Owned: rh_free(). */
static rh_status listed_findings(struct report *r, const rh_finding ***out, size_t *nout)
{
    size_t i, n = rh_hunt_count(r->hunt), k = 0;
    const rh_finding **v;
    *out = NULL;
    *nout = 0;
    if (r->listed == 0) {
        return RH_OK;
    }
    v = rh_malloc(r->ctx, r->listed * sizeof(*v));
    if (!v) {
        return RH_ERR_NOMEM;
    }
    for (i = 0; i < n && k < r->listed; i++) {
        const rh_finding *f = rh_hunt_at(r->hunt, i);
        if (rh_report_listed_opts(f, &r->opts)) {
            v[k++] = f;
        }
    }
    *out = v;
    *nout = k;
    return RH_OK;
}

static int by_technique(const void *a, const void *b)
{
    const rh_finding *x = *(const rh_finding *const *)a, *y = *(const rh_finding *const *)b;
    int c = strcmp(x->technique, y->technique);
    return c ? c : strcmp(x->technique_name, y->technique_name);
}

static int by_host(const void *a, const void *b)
{
    const rh_finding *x = *(const rh_finding *const *)a, *y = *(const rh_finding *const *)b;
    return strcmp(x->host, y->host);
}

static rh_status risk_cells(rh_buf *o, const size_t c[RH_RISK_COUNT], size_t total)
{
    return rh_buf_printf(o,
                         "<td class=\"n\">%zu</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
                         "<td class=\"n\">%zu</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
                         "</tr>\n",
                         total, c[RH_RISK_CRITICAL], c[RH_RISK_HIGH], c[RH_RISK_MEDIUM],
                         c[RH_RISK_LOW], c[RH_RISK_INFO]);
}

#define RISK_HEADS                                                                                 \
    "<th>Findings</th><th>Critical</th><th>High</th><th>Medium</th><th>Low</th><th>Info</th>"

/* One table of the listed findings grouped by technique (by_host = 0) or host. */
static rh_status group_table(rh_buf *o, const rh_finding **v, size_t n, int host)
{
    size_t i = 0, j, c[RH_RISK_COUNT];
    if (n) {
        rh_sort((void *)v, n, sizeof(*v), host ? by_host : by_technique);
    }
    rh_buf_puts(o, host ? "<div><h3>By host</h3><table class=\"g\" id=\"by-host\"><thead><tr>"
                          "<th>Host</th>" RISK_HEADS "</tr></thead><tbody>\n"
                        : "<div><h3>By technique</h3><table class=\"g\" id=\"by-technique\">"
                          "<thead><tr><th>Technique</th><th>Name</th>" RISK_HEADS
                          "</tr></thead><tbody>\n");
    while (rh_buf_status(o) == RH_OK && i < n) {
        memset(c, 0, sizeof(c));
        for (j = i; j < n && (host ? by_host(&v[i], &v[j]) : by_technique(&v[i], &v[j])) == 0;
             j++) {
            c[(unsigned)v[j]->risk <= RH_RISK_CRITICAL ? v[j]->risk : 0]++;
        }
        if (host) {
            wrap_s(o, "<tr><td>", v[i]->host, "</td>");
        } else {
            wrap_s(o, "<tr><td>", v[i]->technique, "</td>");
            wrap_s(o, "<td>", v[i]->technique_name, "</td>");
        }
        risk_cells(o, c, j - i);
        i = j;
    }
    if (n == 0) {
        rh_buf_printf(o, "<tr><td colspan=\"%d\">none</td></tr>\n", host ? 7 : 8);
    }
    return rh_buf_puts(o, "</tbody></table></div>\n");
}

static rh_status risk_table(struct report *r, const rh_finding **v, size_t n)
{
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    size_t listed[RH_RISK_COUNT] = {0}, i;
    int k;
    for (i = 0; i < n; i++) {
        listed[(unsigned)v[i]->risk <= RH_RISK_CRITICAL ? v[i]->risk : 0]++;
    }
    rh_buf_puts(&r->out, "<div><h3>By risk</h3><table class=\"g\" id=\"by-risk\"><thead><tr>"
                         "<th>Risk</th><th>Listed</th><th>All</th></tr></thead><tbody>\n");
    for (k = RH_RISK_CRITICAL; k >= RH_RISK_INFO && rh_buf_status(&r->out) == RH_OK; k--) {
        rh_buf_printf(&r->out,
                      "<tr><td><span class=\"r r%d\">%s</span></td><td class=\"n\">%zu</td>"
                      "<td class=\"n\">%zu</td></tr>\n",
                      k, rh_risk_name((rh_risk)k), listed[k], s->by_risk[k]);
    }
    return rh_buf_puts(&r->out, "</tbody></table></div>\n");
}

/* The rarest persistence of a hunt over several hosts (report_rare). */
static rh_status rare_table(struct report *r)
{
    const rh_hunt_rare *v[REPORT_RARE_TOP];
    size_t i, n = report_rare(r, v);
    if (n == 0) {
        return rh_buf_status(&r->out);
    }
    rh_buf_printf(&r->out,
                  "<div><h3>Rarest persistence (of %zu hosts)</h3><table class=\"g\" "
                  "id=\"rare\"><thead><tr><th>Rank</th><th>Risk</th><th>Hosts</th>"
                  "<th>Findings</th><th>Stack key</th></tr></thead><tbody>\n",
                  rh_hunt_host_count(r->hunt));
    for (i = 0; i < n && rh_buf_status(&r->out) == RH_OK; i++) {
        int k = (int)v[i]->max_risk;
        rh_buf_printf(&r->out,
                      "<tr><td class=\"n\">%zu</td><td><span class=\"r r%d\">%s</span></td>"
                      "<td class=\"n\">%zu</td><td class=\"n\">%zu</td>",
                      i + 1, k, rh_risk_name(v[i]->max_risk), v[i]->hosts, v[i]->findings);
        wrap(&r->out, "<td>", v[i]->example->stack_key, v[i]->example->stack_key_len,
             "</td></tr>\n");
    }
    return rh_buf_puts(&r->out, "</tbody></table></div>\n");
}

/* ---- timeline ----------------------------------------------------------------------------- */

/* x of time t on the axis, in tenths of a pixel (integer arithmetic: deterministic). */
static unsigned tl_x10(uint64_t t, uint64_t lo, uint64_t hi)
{
    uint64_t span = hi - lo, step;
    if (span == 0) {
        return HTML_TL_LEFT * 10 + HTML_TL_WIDTH * 5;
    }
    step = span / ((uint64_t)HTML_TL_WIDTH * 10) + 1;
    return HTML_TL_LEFT * 10 + (unsigned)((t - lo) / step);
}

static rh_status tl_point(rh_buf *o, const rh_finding *f, uint64_t t, unsigned x10, unsigned y,
                          int event)
{
    unsigned risk = (unsigned)f->risk <= RH_RISK_CRITICAL ? (unsigned)f->risk : 0;
    wrap_s(o, "<a href=\"#f-", f->hunt_id, "\">");
    if (event) {
        rh_buf_printf(o, "<path class=\"ev p%u\" d=\"M%u.%u %um5 5l-5 5l-5 -5z\">", risk, x10 / 10,
                      x10 % 10, y - 5);
    } else {
        rh_buf_printf(o, "<circle class=\"p%u\" cx=\"%u.%u\" cy=\"%u\" r=\"5\">", risk, x10 / 10,
                      x10 % 10, y);
    }
    wrap_s(o, "<title>", f->hunt_id, " ");
    esc(o, rh_risk_name(f->risk));
    rh_buf_puts(o, event ? " event " : " key last write ");
    iso(o, t);
    rh_buf_lit(o, "\n");
    esc_n(o, f->key_path, f->key_path_len, 0);
    rh_buf_puts(o, event ? "</title></path></a>\n" : "</title></circle></a>\n");
    return rh_buf_status(o);
}

static rh_status timeline(rh_buf *o, const rh_finding **v, size_t n)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    size_t i, lane_n[RH_RISK_COUNT] = {0}, points = 0;
    unsigned height = 5 * HTML_TL_LANE + 40, k;
    for (i = 0; i < n; i++) {
        uint64_t t[2] = {v[i]->key_last_write, v[i]->event_time};
        for (k = 0; k < 2; k++) {
            if (t[k]) {
                lo = t[k] < lo ? t[k] : lo;
                hi = t[k] > hi ? t[k] : hi;
                points++;
            }
        }
    }
    rh_buf_puts(o, "<h2 id=\"timeline\">Timeline</h2>\n");
    if (points == 0) {
        return rh_buf_puts(o, "<p>No key last-write or event times.</p>\n");
    }
    rh_buf_printf(o,
                  "<p>Key last-write times (circles) and event times "
                  "(diamonds) of the listed findings, one lane per risk; "
                  "%zu point(s).</p>\n<svg id=\"timeline-chart\" role=\"img\" "
                  "viewBox=\"0 0 1000 %u\" width=\"1000\" height=\"%u\" "
                  "xmlns=\"http://www.w3.org/2000/svg\">\n",
                  points, height, height);
    for (k = 0; k < 5 && rh_buf_status(o) == RH_OK; k++) {
        unsigned y = 20 + k * HTML_TL_LANE;
        rh_buf_printf(o,
                      "<line x1=\"%d\" y1=\"%u\" x2=\"%d\" y2=\"%u\"/>"
                      "<text x=\"4\" y=\"%u\">%s</text>\n",
                      HTML_TL_LEFT, y, HTML_TL_LEFT + HTML_TL_WIDTH, y, y + 4,
                      rh_risk_name((rh_risk)(RH_RISK_CRITICAL - (int)k)));
    }
    for (k = 0; k < HTML_TL_TICKS && rh_buf_status(o) == RH_OK; k++) {
        uint64_t t = lo + (hi - lo) / (HTML_TL_TICKS - 1) * k;
        unsigned x10 = tl_x10(t, lo, hi), ty = 20 + 5 * HTML_TL_LANE;
        rh_buf day = RH_BUF_INIT(o->ctx);
        if (lo == hi && k > 0) {
            break;
        }
        rh_filetime_to_iso(&day, t);
        if (day.len > 16) {
            day.data[10] = ' ';
            rh_buf_truncate(&day, 16); /* "YYYY-MM-DD HH:MM" */
        }
        rh_buf_printf(o,
                      "<line x1=\"%u.%u\" y1=\"10\" x2=\"%u.%u\" y2=\"%u\"/>"
                      "<text x=\"%u.%u\" y=\"%u\" text-anchor=\"%s\">",
                      x10 / 10, x10 % 10, x10 / 10, x10 % 10, ty - 10, x10 / 10, x10 % 10, ty + 4,
                      lo == hi                 ? "middle"
                      : k == 0                 ? "start"
                      : k == HTML_TL_TICKS - 1 ? "end"
                                               : "middle");
        esc_n(o, day.data, day.len, 0);
        rh_buf_lit(o, "Z</text>\n");
        report_scratch_free(o, &day);
    }
    for (i = 0; i < n && rh_buf_status(o) == RH_OK; i++) {
        unsigned risk = (unsigned)v[i]->risk <= RH_RISK_CRITICAL ? (unsigned)v[i]->risk : 0;
        /* Spread findings of one lane over 5 rows so equal times stay distinguishable. */
        unsigned y =
            20 + (RH_RISK_CRITICAL - risk) * HTML_TL_LANE - 8 + (unsigned)(lane_n[risk] % 5) * 4;
        lane_n[risk]++;
        if (v[i]->key_last_write) {
            tl_point(o, v[i], v[i]->key_last_write, tl_x10(v[i]->key_last_write, lo, hi), y, 0);
        }
        if (v[i]->event_time) {
            tl_point(o, v[i], v[i]->event_time, tl_x10(v[i]->event_time, lo, hi), y, 1);
        }
    }
    return rh_buf_puts(o, "</svg>\n");
}

/* ---- begin / emit / end ------------------------------------------------------------------- */

static rh_status head(struct report *r)
{
    uint8_t digest[32];
    const rh_hunt_stats *s = rh_hunt_get_stats(r->hunt);
    rh_buf *o = &r->out;
    rh_sha256(html_script, sizeof(html_script) - 1, digest);
    rh_buf_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                   "'none'; style-src 'unsafe-inline'; script-src 'sha256-");
    rh_base64_encode(o, digest, sizeof(digest));
    rh_buf_puts(o, "'; base-uri 'none'; form-action 'none'\">\n"
                   "<meta name=\"referrer\" content=\"no-referrer\">\n"
                   "<meta name=\"generator\" content=\"reghunt\">\n");
    wrap_s(o, "<title>reghunt hunt report ", s->date, "</title>\n<style>");
    rh_buf_puts(o, html_style);
    rh_buf_puts(o, "</style>\n</head>\n<body>\n<header>\n");
    wrap_s(o, "<h1>reghunt hunt report ", s->date, "</h1>\n");
    rh_buf_printf(o,
                  "<dl class=\"stats\" id=\"stats\">"
                  "<dt>Hosts</dt><dd>%zu</dd>"
                  "<dt>Hives</dt><dd>%zu (hunted %zu, unreadable %zu)</dd>"
                  "<dt>Keys visited</dt><dd>%llu</dd>"
                  "<dt>Values scored</dt><dd>%llu</dd>"
                  "<dt>Findings</dt><dd>%zu total, %zu listed (min risk %s), %zu "
                  "known-good</dd>"
                  "<dt>By risk</dt><dd>Critical %zu, High %zu, Medium %zu, Low %zu, "
                  "Info %zu</dd>",
                  s->hosts, s->hives, s->hives_hunted, s->hives_failed, (unsigned long long)s->keys,
                  (unsigned long long)s->values, rh_hunt_count(r->hunt), r->listed,
                  rh_risk_name(r->opts.min_risk), s->known_good, s->by_risk[RH_RISK_CRITICAL],
                  s->by_risk[RH_RISK_HIGH], s->by_risk[RH_RISK_MEDIUM], s->by_risk[RH_RISK_LOW],
                  s->by_risk[RH_RISK_INFO]);
    if (s->reference_time) {
        rh_buf_puts(o, "<dt>Reference time</dt><dd>");
        iso(o, s->reference_time);
        rh_buf_puts(o, " (newest hive header)</dd>");
    }
    rh_buf_puts(o, "</dl>\n");
    if (report_has_plan(r) || report_has_coverage(r)) {
        rh_buf t = RH_BUF_INIT(r->ctx);
        rh_buf_puts(o, "<section class=\"plan\" id=\"plan\"><h2>Hunt plan</h2>\n");
        if (r->opts.hypothesis) {
            wrap_s(o, "<p><strong>Hypothesis:</strong> ", r->opts.hypothesis, "</p>\n");
        }
        if (r->opts.hunt_plan || r->opts.plan_techniques || r->opts.plan_data_sources) {
            struct report tmp_r = *r;
            tmp_r.opts.hypothesis = NULL; /* shown above */
            report_plan_text(&tmp_r, &t);
            rh_buf_puts(o, "<pre>");
            esc_n(o, t.data ? t.data : "", t.len, 1);
            rh_buf_puts(o, "</pre>\n");
        }
        if (report_has_coverage(r)) {
            report_scratch_reset(o, &t);
            report_coverage_text(r, &t);
            rh_buf_puts(o, "<h3>What was searched</h3><pre class=\"coverage\">");
            esc_n(o, t.data ? t.data : "", t.len, 1);
            rh_buf_puts(o, "</pre>\n");
        }
        report_scratch_free(o, &t);
        rh_buf_puts(o, "</section>\n");
    }
    if (report_has_ti(r)) {
        rh_buf t = RH_BUF_INIT(r->ctx);
        report_ti_text(r, &t);
        rh_buf_puts(o, "<section class=\"plan\" id=\"threat-intel\"><h2>Threat intelligence</h2>"
                       "<pre class=\"coverage\">");
        esc_n(o, t.data ? t.data : "", t.len, 1);
        rh_buf_puts(o, "</pre></section>\n");
        report_scratch_free(o, &t);
    }
    return rh_buf_puts(o, "</header>\n");
}

static const char *const col_names[HTML_NCOLS] = {
    "Hunt ID",      "Risk", "Confidence", "Technique", "Host", "User",
    "Key \\ value", "Data", "Last write", "Target",    "Flags"};

static rh_status html_begin(struct report *r)
{
    const rh_finding **v = NULL;
    size_t n = 0, i;
    head(r);
    rh_buf_fail(&r->out, listed_findings(r, &v, &n));
    rh_buf_puts(&r->out, "<main>\n<h2 id=\"summary\">Summary</h2>\n"
                         "<div class=\"sum\">\n");
    risk_table(r, v, n);
    group_table(&r->out, v, n, 0);
    group_table(&r->out, v, n, 1);
    rare_table(r);
    rh_buf_puts(&r->out, "</div>\n");
    timeline(&r->out, v, n);
    rh_free(r->ctx, (void *)v);
    rh_buf_printf(&r->out,
                  "<h2 id=\"list\">Findings</h2>\n"
                  "<div id=\"controls\" hidden><label>Filter <input id=\"q\" "
                  "type=\"search\" placeholder=\"any field\" autocomplete=\"off\">"
                  "</label> <label>Minimum risk <select id=\"risk\">"
                  "<option value=\"0\">Info</option><option value=\"1\">Low</option>"
                  "<option value=\"2\">Medium</option><option value=\"3\">High</option>"
                  "<option value=\"4\">Critical</option></select></label> "
                  "<span id=\"shown\">%zu</span> of %zu shown; click a column header "
                  "to sort.</div>\n<table id=\"findings\">\n<thead><tr>",
                  r->listed, r->listed);
    for (i = 0; i < HTML_NCOLS && rh_buf_status(&r->out) == RH_OK; i++) {
        rh_buf_printf(&r->out, "<th aria-sort=\"none\"><button type=\"button\" data-col=\"%zu\">",
                      i);
        esc(&r->out, col_names[i]);
        rh_buf_puts(&r->out, "</button></th>");
    }
    return rh_buf_puts(&r->out, "</tr></thead>\n");
}

static rh_status flags(rh_buf *o, const rh_finding *f)
{
    if (f->verdict) {
        wrap_s(o, "<span class=\"flag\">verdict:", f->verdict, "</span>");
    }
    if (f->hidden_name) {
        rh_buf_puts(o, "<span class=\"flag\">hidden-name</span>");
    }
    if (f->deleted) {
        rh_buf_puts(o, "<span class=\"flag\">deleted</span>");
    }
    if (f->from_log_replay) {
        rh_buf_puts(o, "<span class=\"flag\">from-log-replay</span>");
    }
    if (f->is_default) {
        rh_buf_puts(o, "<span class=\"flag\">default</span>");
    }
    if ((f->known_good & RH_KNOWN_BASELINE)) {
        rh_buf_puts(o, "<span class=\"flag\">known-good(baseline)</span>");
    }
    if ((f->known_good & RH_KNOWN_ALLOWLIST)) {
        rh_buf_puts(o, "<span class=\"flag\">known-good(allowlist)</span>");
    }
    return rh_buf_status(o);
}

/* <dt>name</dt><dd>escaped value</dd> */
static rh_status kv(rh_buf *o, const char *name, const char *s, size_t n)
{
    wrap_s(o, "<dt>", name, "</dt>");
    return wrap(o, "<dd>", s, n, "</dd>\n");
}

static rh_status kv_s(rh_buf *o, const char *name, const char *s)
{
    return kv(o, name, s, s ? strlen(s) : 0);
}

static rh_status kv_time(rh_buf *o, const char *name, uint64_t t)
{
    wrap_s(o, "<dt>", name, "</dt><dd>");
    (t ? iso(o, t) : rh_buf_puts(o, "unknown"));
    return rh_buf_puts(o, "</dd>\n");
}

/* Reasons as a list: the "; "-separated rules, each escaped. */
static rh_status reasons(rh_buf *o, const char *s)
{
    rh_buf_puts(o, "<h3>Reasons</h3><ul class=\"reasons\">");
    while (rh_buf_status(o) == RH_OK && s && *s) {
        const char *e = strstr(s, "; ");
        size_t n = e ? (size_t)(e - s) : strlen(s);
        wrap(o, "<li>", s, n, "</li>");
        s = e ? e + 2 : s + n;
    }
    return rh_buf_puts(o, "</ul>\n");
}

static rh_status detail(rh_buf *o, const rh_finding *f)
{
    const char *vn;
    size_t vl;
    char kg[32];
    report_value_name(f, &vn, &vl);
    rh_buf_printf(o,
                  "<tr class=\"detail\"><td colspan=\"%d\"><details><summary>Details"
                  "</summary>\n<dl class=\"kv\">\n",
                  HTML_NCOLS);
    kv_s(o, "Hunt ID", f->hunt_id);
    kv_s(o, "Source", rh_finding_source_name(f->source));
    kv_s(o, "Technique", f->technique);
    kv_s(o, "Technique name", f->technique_name);
    kv_s(o, "Location", f->location_id);
    kv_s(o, "Host", f->host);
    kv_s(o, "User", f->user);
    kv_s(o, "User SID", f->user_sid);
    kv_s(o, "Hive", f->hive_kind);
    kv_s(o, "Source file", f->source_file);
    kv(o, "Key", f->key_path, f->key_path_len);
    kv(o, "Value name", vn, vl);
    kv_s(o, "Value type", f->value_type);
    kv(o, "Value data", f->value_data, f->value_data_len);
    kv_time(o, "Key last write", f->key_last_write);
    if (f->event_time) {
        kv_time(o, "Event time", f->event_time);
    }
    if (f->process_executable) {
        kv_s(o, "Writer process", f->process_executable);
    }
    if (f->fusion_state) {
        kv_s(o, "Correlation", f->fusion_state);
    }
    if (f->threat_intel) {
        kv_s(o, "Threat intelligence", f->threat_intel);
    }
    kv_s(o, "Target", f->target_path);
    kv_s(o, "Path class", f->path_class);
    kv(o, "Stack key", f->stack_key, f->stack_key_len);
    rh_buf_printf(o, "<dt>Prevalence</dt><dd>%zu of %zu host(s)</dd>\n", f->stack_hosts,
                  f->total_hosts);
    if (f->verdict) {
        kv_s(o, "Verdict", f->verdict);
    }
    if (f->verdict_note) {
        kv_s(o, "Verdict note", f->verdict_note);
    }
    kv_s(o, "Risk", rh_risk_name(f->risk));
    kv_s(o, "Confidence", rh_confidence_name(f->confidence));
    kv_s(o, "Action", rh_action_name(f->action));
    kv_s(o, "Deleted", f->deleted ? "yes" : "no");
    kv_s(o, "From log replay", f->from_log_replay ? "yes" : "no");
    kv_s(o, "Hidden name", f->hidden_name ? "yes" : "no");
    kv_s(o, "Windows default", f->is_default ? "yes" : "no");
    if (rh_buf_status(o) == RH_OK) {
        size_t m = 0;
        kg[0] = '\0';
        if (f->known_good & RH_KNOWN_BASELINE) {
            memcpy(kg, "baseline", 9);
            m = 8;
        }
        if (f->known_good & RH_KNOWN_ALLOWLIST) {
            memcpy(kg + m, m ? ", allowlist" : "allowlist", m ? 12 : 10);
        }
        kv_s(o, "Known good", kg[0] ? kg : "no");
    }
    rh_buf_puts(o, "</dl>\n");
    reasons(o, f->reasons);
    rh_buf_printf(o, "<h3>Recommended action</h3><p class=\"action a%d\">", (int)f->action);
    esc(o, f->recommended_action);
    rh_buf_puts(o, "</p>\n<h3>Evidence</h3><pre class=\"evidence\">");
    if (rh_buf_status(o) == RH_OK) {
        f->evidence && f->evidence_len
            ? esc_n(o, f->evidence, f->evidence_len, 1)
            : rh_buf_puts(o, "No correlated events (process tree) for this finding.");
    }
    return rh_buf_puts(o, "</pre>\n</details></td></tr>\n");
}

static rh_status html_emit(struct report *r, const rh_finding *f)
{
    rh_buf *o = &r->out;
    const char *vn;
    size_t vl;
    int risk = (unsigned)f->risk <= RH_RISK_CRITICAL ? (int)f->risk : 0;
    report_value_name(f, &vn, &vl);
    wrap_s(o, "<tbody class=\"f\" id=\"f-", f->hunt_id, "\"");
    rh_buf_printf(o, " data-risk=\"%d\">\n<tr class=\"row\">", risk);
    wrap_s(o, "<td class=\"id\">", f->hunt_id, "</td>");
    rh_buf_printf(o, "<td data-sort=\"%d\"><span class=\"r r%d\">%s</span></td>", risk, risk,
                  rh_risk_name(f->risk));
    rh_buf_printf(o, "<td data-sort=\"%d\">%s</td>", (int)f->confidence,
                  rh_confidence_name(f->confidence));
    wrap_s(o, "<td>", f->technique, "<br>");
    esc(o, f->technique_name);
    wrap_s(o, "</td><td>", f->host, "</td>");
    wrap_s(o, "<td>", f->user, f->user_sid[0] ? "<br>" : "");
    esc(o, f->user_sid);
    wrap(o, "</td><td>", f->key_path, f->key_path_len, "\\<wbr><b>");
    wrap(o, "", vn, vl, "</b></td>");
    wrap(o, "<td class=\"d\"><div class=\"clip\">", f->value_data, f->value_data_len, "</div>");
    wrap_s(o, "<small>", f->value_type, "</small></td><td class=\"t\">");
    iso(o, f->key_last_write);
    wrap_s(o, "</td><td>", f->target_path, "");
    if (f->path_class[0]) {
        wrap_s(o, "<br><small>", f->path_class, "</small>");
    }
    rh_buf_puts(o, "</td><td>");
    flags(o, f);
    rh_buf_puts(o, "</td></tr>\n");
    detail(o, f);
    return rh_buf_puts(o, "</tbody>\n");
}

static rh_status html_end(struct report *r)
{
    rh_buf *o = &r->out;
    if (r->index == 0) {
        rh_buf_printf(o,
                      "<tbody class=\"none\"><tr><td colspan=\"%d\">No findings at or above "
                      "the minimum risk.</td></tr></tbody>\n",
                      HTML_NCOLS);
    }
    rh_buf_puts(o, "</table>\n");
    if (report_chains_listed(r)) {
        rh_buf t = RH_BUF_INIT(r->ctx);
        report_chains_text(r, &t);
        rh_buf_puts(o, "<section id=\"chains\"><h2>Attack chains</h2>\n<pre class=\"chains\">");
        esc_n(o, t.data ? t.data : "", t.len, 1);
        rh_buf_puts(o, "</pre></section>\n");
        report_scratch_free(o, &t);
    }
    rh_buf_puts(o, "</main>\n<footer>reghunt hunt report; fields "
                   "and formats: docs/hunt-output.md. Every string from the "
                   "evidence is shown escaped; control and bidi characters "
                   "appear as \\xNN / \\u{NNNN}.</footer>\n<script>");
    rh_buf_puts(o, html_script);
    return rh_buf_puts(o, "</script>\n</body>\n</html>\n");
}

const struct report_format report_html = {"html", html_begin, html_emit, html_end};
