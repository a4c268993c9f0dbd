#!/bin/sh
# The HTML report in headless Chromium (Debian package `chromium`, installed by
# scripts/install-deps). A report is built from the hostile-strings golden cases
# (tests/golden/hostile, tests/golden/hostile-web: </script>, attribute breakers, javascript:
# URLs, comments, CDATA, entities, NUL, control, RLO, U+2028 in names, data, key names, the
# host name and the user name); every payload tries to set document.title or add a marker
# element. Checks:
#   - the page's CSP script hash equals the SHA-256 of its one inline script;
#   - after load (--dump-dom, timers run): title unchanged, no marker, no injected element or
#     on* attribute, exactly our one <script>, and every hostile name present as escaped text;
#   - the script ran (body data-ready="1") and a view given in the URL
#     (#view&q=..&risk=..&sort=..&dir=d) filtered and sorted the rows;
#   - controls: the same raw <img onerror> injected into a copy runs without the CSP (so the
#     harness would see script execution) and is blocked with it (defence in depth);
#   - the page renders: a non-empty screenshot, kept with the report as test artifacts in
#     BUILDDIR/test-artifacts/html_chromium/.
# Exit 77 (skip) only when chromium is not installed.
# Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
CHROME=""
for c in chromium chromium-browser google-chrome; do
    if command -v "$c" > /dev/null 2>&1; then
        CHROME=$c
        break
    fi
done
if [ -z "$CHROME" ]; then
    echo "html_chromium: SKIP: chromium is not installed (run scripts/install-deps: Debian package 'chromium')"
    exit 77
fi
ART=$BUILD/test-artifacts/html_chromium
mkdir -p "$ART"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/work"
for spec in "$SRC"/tests/golden/hostile/*.tsv "$SRC"/tests/golden/hostile-web/*.tsv; do
    rel=$(sed -n '1s/^# path: //p' "$spec")
    mkdir -p "$TMP/work/$(dirname "$rel")"
    "$BUILD/tests/mkhive" -t 134000000000000000 "$TMP/work/$rel" < "$spec" || exit 1
done
(cd "$TMP/work" && "$RH" hunt HOSTILE-PC WEB-PC --min-risk info --format html) \
    > "$ART/report.html" 2> "$TMP/err"
[ $? -le 1 ] || { echo "FAIL: reghunt hunt --format html"; cat "$TMP/err"; exit 1; }
(cd "$TMP/work" && "$RH" hunt HOSTILE-PC WEB-PC --min-risk info --format jsonl) \
    > "$TMP/report.jsonl" 2> /dev/null

chrome() { # chrome OUTFILE ARGS... (stdout of chromium to OUTFILE)
    out=$1
    shift
    prof=$(mktemp -d)
    timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$prof" --virtual-time-budget=3000 "$@" > "$out" 2>> "$TMP/chrome.log"
    rc=$?
    rm -rf "$prof"
    return $rc
}

url="file://$ART/report.html"
chrome "$ART/dom.html" --dump-dom "$url" || { echo "FAIL: chromium --dump-dom"; tail -5 "$TMP/chrome.log"; exit 1; }
chrome "$ART/dom-view.html" --dump-dom "$url#view&q=hostile-pc&risk=3&sort=0&dir=d" ||
    { echo "FAIL: chromium --dump-dom (view)"; exit 1; }
chrome /dev/null --window-size=1400,2400 --screenshot="$ART/report.png" "$url" ||
    { echo "FAIL: chromium --screenshot"; tail -5 "$TMP/chrome.log"; exit 1; }

# Controls: a raw injection must run without the CSP and must not run with it.
python3 - "$ART/report.html" "$TMP" <<'PY'
import re, sys
html = open(sys.argv[1], encoding='utf-8').read()
inj = '<img src="x-missing.png" onerror="document.title=\'PWNED-CONTROL\'">'
with_csp = html.replace('<main>', '<main>' + inj, 1)
no_csp = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', '', with_csp)
open(sys.argv[2] + '/with-csp.html', 'w', encoding='utf-8').write(with_csp)
open(sys.argv[2] + '/no-csp.html', 'w', encoding='utf-8').write(no_csp)
PY
chrome "$TMP/dom-no-csp.html" --dump-dom "file://$TMP/no-csp.html" || exit 1
chrome "$TMP/dom-with-csp.html" --dump-dom "file://$TMP/with-csp.html" || exit 1

python3 - "$ART" "$TMP" <<'PY'
import base64, hashlib, json, re, sys
from html.parser import HTMLParser
art, tmp = sys.argv[1], sys.argv[2]
bad = 0
def check(cond, msg):
    global bad
    if not cond:
        print('FAIL:', msg)
        bad += 1

class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text, self.title, self.body, self.in_title = [], [], '', {}, False
        self.script, self.in_script, self.visible, self.seen_title = '', False, [], False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == 'title' and not self.seen_title: self.in_title = self.seen_title = True
        if tag == 'script': self.in_script = True
        if tag == 'body': self.body = a
        if tag == 'tbody' and 'f' in (a.get('class') or '').split():
            if 'hidden' not in a: self.visible.append(a.get('id', ''))
    def handle_endtag(self, tag):
        if tag == 'title': self.in_title = False
        if tag == 'script': self.in_script = False
    def handle_data(self, d):
        if self.in_title: self.title += d
        elif self.in_script: self.script += d
        else: self.text.append(d)

def parse(path):
    p = Dom()
    p.feed(open(path, encoding='utf-8').read())
    return p

findings = [json.loads(l) for l in open(tmp + '/report.jsonl', encoding='utf-8')]
raw = open(art + '/report.html', encoding='utf-8').read()

# The file itself: CSP hash of the one inline script, no raw controls / bidi / separators.
m = re.search(r"script-src 'sha256-([A-Za-z0-9+/=]+)'", raw)
scripts = re.findall(r'<script>(.*?)</script>', raw, re.S)
check(m and len(scripts) == 1, 'one inline script and a sha256 CSP')
if m and scripts:
    want = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    check(m.group(1) == want, 'CSP hash %s != sha256 of the script %s' % (m.group(1), want))
check("default-src 'none'" in raw, 'CSP default-src none')
check(not re.search(r'(src|href)="(https?:|//)', raw), 'no network resources')
ctl = sorted({c for c in raw if (ord(c) < 0x20 and c != '\n') or c in '\u202e\u2028\u2029\x7f'})
check(not ctl, 'raw control/bidi characters in the file: %r' % ctl)

# After load.
d = parse(art + '/dom.html')
check(d.title == 'reghunt hunt report 20250818', 'title changed: %r' % d.title)
check(d.body.get('data-ready') == '1', 'script did not run (no data-ready on body)')
check(d.body.get('data-visible') == str(len(findings)),
      'data-visible %r != %d findings' % (d.body.get('data-visible'), len(findings)))
tags = [t for t, _ in d.tags]
check(tags.count('script') == 1, '%d script elements' % tags.count('script'))
check(tags.count('style') == 1, '%d style elements' % tags.count('style'))
for t in ('img', 'iframe', 'textarea', 'object', 'embed', 'link', 'base', 'form', 'a'):
    n = sum(1 for x, a in d.tags if x == t and not (t == 'a' and a.get('href', '').startswith('#f-')))
    check(n == 0, 'injected <%s> element(s): %d' % (t, n))
check(tags.count('meta') == 4, '%d meta elements (want charset, CSP, referrer, generator)' %
      tags.count('meta'))
divs = [a for t, a in d.tags if t == 'div']
check(all(a == {} or a.get('class') in ('sum', 'clip') or a.get('id') == 'controls' for a in divs),
      'injected <div>: %r' % [a for a in divs if a.get('class') not in ('sum', 'clip')][:3])
svgs = [a for t, a in d.tags if t == 'svg']
check(len(svgs) == 1 and svgs[0].get('id') == 'timeline-chart', 'injected <svg>')
check(not any(a.get('id') == 'pwned-marker' for _, a in d.tags), 'marker element present')
onattr = [(t, k) for t, a in d.tags for k in a if k.startswith('on')]
check(not onattr, 'event-handler attributes: %r' % onattr[:5])
hrefs = [a.get('href') for t, a in d.tags if 'href' in a]
check(all(h.startswith('#f-TH-HUNTIN-') for h in hrefs), 'unexpected hrefs: %r' %
      [h for h in hrefs if not h.startswith('#f-')][:3])
rows = sum(1 for t, a in d.tags if t == 'tbody' and 'f' in (a.get('class') or '').split())
check(rows == len(findings), '%d rows for %d findings' % (rows, len(findings)))
text = ''.join(d.text)
for s in ["</script><script>document.title='PWNED-1'</script>",
          '"><img src=x onerror="document.title=\'PWNED-2\'">',
          "javascript:document.title='PWNED-4'",
          '<div id="pwned-marker">x</div>',
          "]]><![CDATA[<script>document.title='PWNED-6'</script>]]>",
          "&lt;script&gt;document.title='PWNED-7'&lt;/script&gt; &amp; &#x3c;",
          "\\x00nul<b>bold", "rlo\\u{202e}gpj.exe", "ls\\u{2028}ps\\u{2029}",
          "WEB-PC\"><img src=x onerror=\"document.title='PWNED-HOST'\">",
          "mallory<svg onload=document.title='PWNED-USER'>",
          "Services\\</script><script>document.title='PWNED-KEY'</script>",
          "=cmd|' /C calc'!A0", "\\x1b[31mred\\x1b[0m\\x07", "\\x00Hidden"]:
    check(s in text, 'hostile string not shown as text: %r' % s)
check(not any(c in text for c in '\x00\x1b\u202e\u2028'), 'raw control characters in text')

# The view from the URL: filter text + minimum risk, sorted by hunt id descending.
v = parse(art + '/dom-view.html')
want = sorted(('f-' + f['hunt_id'] for f in findings
               if 'hostile-pc' in json.dumps(f, ensure_ascii=False).lower()
               and f['risk'] in ('High', 'Critical')), reverse=True)
check(v.body.get('data-ready') == '1', 'view: script did not run')
check(v.visible == want, 'view: rows %r, want %r' % (v.visible, want))
check(v.body.get('data-visible') == str(len(want)) and v.body.get('data-sort') == '0d',
      'view: data-visible %r data-sort %r' % (v.body.get('data-visible'), v.body.get('data-sort')))
check(0 < len(want) < len(findings), 'view: filter selects a proper subset (%d)' % len(want))

# Controls.
check(parse(tmp + '/dom-no-csp.html').title == 'PWNED-CONTROL',
      'control: raw injection without CSP did not run (harness cannot see script execution)')
check(parse(tmp + '/dom-with-csp.html').title == 'reghunt hunt report 20250818',
      'control: CSP did not block a raw injected handler')

png = open(art + '/report.png', 'rb').read()
check(png[:8] == b'\x89PNG\r\n\x1a\n' and len(png) > 20000, 'screenshot missing or empty (%d bytes)' % len(png))
print('html_chromium: %d findings, %d failed; artifacts in %s' % (len(findings), bad, art))
sys.exit(1 if bad else 0)
PY
