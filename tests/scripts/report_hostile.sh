#!/bin/sh
# Hostile strings through every report format: control characters, NUL- and RLO-named values,
# CSV formula payloads, </script>, Markdown table breakers, JSON breakers. HTML and ECS also
# get tests/golden/hostile-web (attribute, URL, comment, CDATA and entity payloads; hostile host,
# user and key names); tests/scripts/html_chromium.sh loads the HTML in a browser.
# Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
spec=$SRC/tests/golden/hostile/ntuser.tsv
rel=$(sed -n '1s/^# path: //p' "$spec")
mkdir -p "$TMP/$(dirname "$rel")"
"$BUILD/tests/mkhive" "$TMP/$rel" < "$spec" || exit 1
for spec in "$SRC"/tests/golden/hostile-web/*.tsv; do
    rel=$(sed -n '1s/^# path: //p' "$spec")
    mkdir -p "$TMP/$(dirname "$rel")"
    "$BUILD/tests/mkhive" "$TMP/$rel" < "$spec" || exit 1
done
for fmt in text json jsonl csv md; do
    (cd "$TMP" && "$RH" hunt HOSTILE-PC --min-risk info --format $fmt > "out.$fmt" 2>/dev/null)
done
for fmt in html ecs jsonl; do
    (cd "$TMP" && "$RH" hunt HOSTILE-PC WEB-PC --min-risk info --format $fmt > "web.$fmt" 2>/dev/null)
done
python3 - "$TMP" <<'PY'
import csv, io, json, sys
d = sys.argv[1]
def raw(fmt):
    return open('%s/out.%s' % (d, fmt), 'rb').read()
bad = 0
def check(cond, msg):
    global bad
    if not cond:
        print('FAIL:', msg); bad += 1
names = {'=cmd|\' /C calc\'!A0', '\x1b[31mred\x1b[0m\x07', '\x00Hidden', '\u202efdp.exe', 'script',
         'md|table', 'quote"comma,', 'json\\"}'}
# Human formats: no raw C0 control (except \n, \r\n in CSV), no DEL, no bidi override.
for fmt in ('text', 'csv', 'md'):
    b = raw(fmt)
    ctl = [c for c in b if c < 0x20 and c not in (0x0a, 0x0d)]
    check(not ctl, '%s: raw control bytes %r' % (fmt, sorted(set(ctl))))
    check('\u202e'.encode() not in b, '%s: raw RLO' % fmt)
    check(b'\x1b' not in b, '%s: raw ESC' % fmt)
# JSON: valid, every hostile name round-trips exactly (NUL included), no raw U+2028.
for fmt in ('json', 'jsonl'):
    b = raw(fmt)
    check('\u2028'.encode() not in b, '%s: raw U+2028' % fmt)
    text = b.decode('utf-8')
    docs = [json.loads(text)['findings']] if fmt == 'json' else [[json.loads(l) for l in text.splitlines()]]
    got = {f['value_name'] for f in docs[0]}
    check(names <= got, '%s: names lost: %r' % (fmt, names - got))
    hid = [f for f in docs[0] if f['value_name'] in ('\x00Hidden', '\u202efdp.exe', '\x1b[31mred\x1b[0m\x07')]
    check(len(hid) == 3 and all(f['hidden_name'] for f in hid), '%s: hidden names not flagged' % fmt)
# CSV: parses, same row count as jsonl, no cell starts with a formula character.
rows = list(csv.reader(io.StringIO(raw('csv').decode('utf-8'), newline='')))
check(len(rows) - 1 == len(raw('jsonl').splitlines()), 'csv row count')
for r in rows[1:]:
    for cell in r:
        check(not cell[:1] in ('=', '+', '-', '@', '\t', '\r', '|', '%'), 'csv formula cell %r' % cell[:30])
# Markdown: no raw HTML tags, no unescaped pipe inside a row (cells = header cells).
md = raw('md').decode('utf-8')
check('<script' not in md and '<img' not in md, 'md: raw HTML')
table = [l for l in md.splitlines() if l.startswith('| TH-HUNTIN')]
hdr = [l for l in md.splitlines() if l.startswith('| Hunt ID')][0]
def cells(l):
    n, i = 0, 0
    while i < len(l):
        if l[i] == '\\': i += 2; continue
        if l[i] == '|': n += 1
        i += 1
    return n
check(all(cells(l) == cells(hdr) for l in table), 'md: a row has extra cells')
check(len(table) == len(raw('jsonl').splitlines()), 'md row count')
# Text: the escapes are visible.
t = raw('text').decode('utf-8')
check('\\x1b[31m' in t and '\\u{202e}' in t and '\\x00Hidden' in t, 'text: visible escapes')
# ECS: every line valid JSON, the raw strings round-trip, one event per finding.
web = [json.loads(l) for l in open(d + '/web.jsonl', encoding='utf-8')]
ecs_raw = open(d + '/web.ecs', 'rb').read()
check('\u2028'.encode() not in ecs_raw and b'\x00' not in ecs_raw, 'ecs: raw U+2028 or NUL')
ecs = [json.loads(l) for l in ecs_raw.decode('utf-8').splitlines()]
check(len(ecs) == len(web), 'ecs: %d events for %d findings' % (len(ecs), len(web)))
for e, f in zip(ecs, web):
    check(e['event']['kind'] == 'alert' and e['event']['category'] == ['registry'], 'ecs: event')
    check(e['reghunt']['value_name'] == f['value_name'] and e['host']['name'] == f['host'],
          'ecs: value name / host round-trip %r' % f['value_name'])
    check(e['registry']['path'].startswith(e['registry']['hive'] + '\\' + e['registry']['key']),
          'ecs: registry.path = hive\\key\\value')
    check(e['reghunt']['value_data'] == f['value_data'], 'ecs: data round-trip')
check(any('</script>' in e['registry']['key'] for e in ecs), 'ecs: hostile key name kept')
# HTML: one script (ours), no raw markup from the data, no raw controls, escapes visible.
h = open(d + '/web.html', encoding='utf-8').read()
body = h[h.index('<body>'):h.rindex('<script>')]
for tag in ('<script', '<img', '<svg onload', '<iframe', '<div id="pwned', '<!--', '<![CDATA[', '<style>',
            '<b>bold', '<textarea'):
    check(tag not in body, 'html: raw %r' % tag)
check(h.count('<script') == 1, 'html: more than one script element')
check(not any((ord(c) < 0x20 and c != '\n') or c in '\u202e\u2028\u2029\x7f' for c in h),
      'html: raw control or bidi characters')
check('&lt;/script&gt;&lt;script&gt;document.title=&#39;PWNED-1&#39;' in h, 'html: escaped script')
check('\\x00nul&lt;b&gt;bold' in h and 'rlo\\u{202e}gpj.exe' in h, 'html: visible escapes')
check('&amp;lt;script&amp;gt;' in h, 'html: entities in data are escaped again')
check("script-src 'sha256-" in h and "default-src 'none'" in h, 'html: CSP')
print('report_hostile: %d failed' % bad)
sys.exit(1 if bad else 0)
PY
