#!/bin/sh
# Corpus tier: the EDR/SIEM export round trip. The Sysmon registry events of every sample log
# in ../shared/data/evtx/ (with their process, network and file events) are converted by
# tests/tools/edr_export.py into each export shape reghunt reads (Defender CSV and streaming
# JSON, Falcon NDJSON and CSV, SentinelOne CSV and PowerQuery JSON, Splunk JSON, XML-only
# _raw and CSV); `reghunt hunt` of each conversion, with the SigmaHQ registry rules, must give
# the findings of the EVTX: the same host, location, value, technique, risk and fusion state,
# and the same data, type,
# writer image, time, user and Sigma rules; shapes with process events also the process tree.
# Exit 77 when the shared data is absent. Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2
SHARED=${RH_SHARED_DATA:-$SRC/../shared/data}
[ -d "$SHARED/evtx" ] && [ -d "$SHARED/sigma/rules/windows/registry" ] || {
    echo "shared data absent: EDR export round trip skipped"
    exit 77
}
command -v python3 > /dev/null || { echo "python3 absent: skipped"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
RULES="$SHARED/sigma/rules/windows/registry"
# The logs with Sysmon registry events, then all of their events.
"$RH" events --event-id 12,13,14 "$SHARED/evtx" 2> /dev/null | python3 -c '
import json, sys
s = sorted({json.loads(l)["source"] for l in sys.stdin if "Sysmon" in (json.loads(l)["provider"] or "")})
print("\n".join(s))' > "$TMP/logs.txt"
n=$(wc -l < "$TMP/logs.txt")
[ "$n" -ge 10 ] || { echo "FAIL: only $n logs with Sysmon registry events"; exit 1; }
: > "$TMP/events.jsonl"
while IFS= read -r f; do
    "$RH" events "$f" >> "$TMP/events.jsonl" 2> /dev/null || { echo "FAIL: events $f"; exit 1; }
done < "$TMP/logs.txt"
tr '\n' '\0' < "$TMP/logs.txt" | xargs -0 sh -c 'rh=$0 rules=$1 out=$2 err=$3; shift 3
    "$rh" hunt "$@" -r "$rules" --min-risk info -f jsonl -o "$out" 2> "$err"; [ $? -le 1 ]' \
    "$RH" "$RULES" "$TMP/evtx.hunt" "$TMP/err" ||
    { echo "FAIL: hunt of the EVTX"; cat "$TMP/err"; exit 1; }
pass=0 fail=0
for shape in mde-csv mde-stream falcon falcon-csv s1-csv s1-json splunk-json splunk-raw splunk-csv; do
    case $shape in *csv) ext=csv ;; *) ext=json ;; esac
    python3 "$SRC/tests/tools/edr_export.py" $shape < "$TMP/events.jsonl" > "$TMP/$shape.$ext" ||
        { echo "FAIL $shape: conversion"; fail=$((fail + 1)); continue; }
    "$RH" hunt "$TMP/$shape.$ext" -r "$RULES" --min-risk info -f jsonl -o "$TMP/$shape.hunt" \
        2> "$TMP/$shape.err"
    if [ $? -gt 1 ]; then
        echo "FAIL $shape: hunt"; cat "$TMP/$shape.err"; fail=$((fail + 1)); continue
    fi
    if python3 - "$TMP/evtx.hunt" "$TMP/$shape.hunt" "$shape" "$TMP/events.jsonl" <<'PY'
import json, re, sys
def load(p):
    d = {}
    for l in open(p, encoding='utf-8'):
        x = json.loads(l)
        k = (x['host'].upper(), x['key_path'].upper(), x['value_name'].upper())
        d[k] = x
    return d
a, b, shape = load(sys.argv[1]), load(sys.argv[2]), sys.argv[3]
# Writes by a process whose registry events name another image than its creation event
# (UACME masquerades as explorer.exe): Falcon names the writer by id only, so its findings
# take the real image from ProcessRollup2 where Sysmon logged the spoofed one.
masq, img = set(), {}
for l in open(sys.argv[4], encoding='utf-8'):
    e = json.loads(l)
    f = {x['name']: x['value'] for x in e['fields']}
    k = (e['source'], f.get('ProcessGuid'))
    if e['event_id'] == 1:
        img[k] = f.get('Image', '').lower()
    elif e['event_id'] in (12, 13, 14) and k in img and img[k] != f.get('Image', '').lower():
        masq.add(f.get('TargetObject', '').upper())
def masked(k):
    p = k[1] + '\\' + k[2]
    return any(t.startswith(k[1]) or p.startswith(t) for t in masq)
if shape.startswith('falcon'):
    a = {k: v for k, v in a.items() if not masked(k)}
    b = {k: v for k, v in b.items() if not masked(k)}
core = ('technique', 'risk', 'fusion_state', 'location_id')
full = ('value_data', 'value_type', 'event_time', 'user')
bad = []
if set(a) != set(b):
    bad += ['missing %r' % (k,) for k in sorted(set(a) - set(b))[:5]]
    bad += ['extra %r' % (k,) for k in sorted(set(b) - set(a))[:5]]
sig = lambda x: sorted(re.findall(r'Sigma rule "[^"]*" \(([0-9a-f-]+)', x['reasons']))
for k in sorted(set(a) & set(b)):
    x, y = a[k], b[k]
    fields = core + full
    for f in fields:
        if x.get(f) != y.get(f):
            bad.append('%s %s: %r != %r' % (k[1][-50:], f, x.get(f), y.get(f)))
    if not shape.startswith('s1'):
        if (x.get('process_executable') or '').lower() != (y.get('process_executable') or '').lower():
            bad.append('%s image: %r != %r' % (k[1][-50:], x.get('process_executable'), y.get('process_executable')))
        if sig(x) != sig(y):
            bad.append('%s sigma: %r != %r' % (k[1][-50:], sig(x), sig(y)))
    if not shape.startswith('s1') and ('Process tree:' in x['evidence']) != ('Process tree:' in y['evidence']):
        bad.append('%s process tree differs' % k[1][-50:])
if len(a) < 20:
    bad.append('only %d findings from the EVTX' % len(a))
for m in bad[:10]:
    print('  ' + m)
print('%s: %d findings, %d compared, %d differences' % (shape, len(a), len(set(a) & set(b)), len(bad)))
sys.exit(1 if bad else 0)
PY
    then pass=$((pass + 1)); else echo "FAIL $shape"; fail=$((fail + 1)); fi
done
echo "edr round trip: $n logs; $pass passed, $fail failed"
[ $fail -eq 0 ]
