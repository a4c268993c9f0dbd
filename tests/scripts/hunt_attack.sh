#!/bin/sh
# ATT&CK and timelines out (docs/hunt-output.md "navigator", "timesketch"; docs/hunting.md
# "Attack chains", "Sigma correlations"): the Navigator layer of every golden case passes the
# layer-format 4.5 checker (tests/scripts/navigator_check.py), which rejects each broken
# fixture of tests/data/navigator; Timesketch lines carry message, datetime (ISO 8601) and
# timestamp_desc, one per key last-write and per write event; the events of
# tests/golden/attack make two attack chains with their tactics in ATT&CK order, and its
# Sigma correlations (event_count, value_count, temporal, temporal_ordered) join the findings
# of their windows' events, or make a finding of their own. Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
command -v python3 > /dev/null || { echo "python3 missing"; exit 77; }
CHECK=$SRC/tests/scripts/navigator_check.py
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0 pass=0
check() { # check DESCRIPTION COMMAND...
    d=$1
    shift
    if "$@"; then echo "ok   $d"; pass=$((pass + 1)); else echo "FAIL $d"; fail=$((fail + 1)); fi
}
check "the spec's minimal layer is valid" python3 "$CHECK" "$SRC/tests/data/navigator/good-minimal.json"
for b in "$SRC"/tests/data/navigator/bad-*.json; do
    check "rejects $(basename "$b")" sh -c '! python3 "$1" "$2" > /dev/null' _ "$CHECK" "$b"
done
for g in "$SRC"/tests/golden/*/expected.navigator; do
    check "layer-format 4.5: $g" python3 "$CHECK" "$g"
done
cd "$SRC/tests/golden/attack" || exit 1
for fmt in navigator timesketch json; do
    "$RH" hunt events.ndjson -r rules --min-risk info --format $fmt > "$TMP/out.$fmt" 2> "$TMP/err"
    check "exit 1 ($fmt)" [ $? -eq 1 ]
done
check "live layer valid" python3 "$CHECK" "$TMP/out.navigator"
python3 - "$TMP" <<'PY'
import json, re, sys
d = sys.argv[1]
bad = []
def need(c, what):
    if not c:
        bad.append(what)
lay = json.load(open(d + '/out.navigator', encoding='utf-8'))
t = {x['techniqueID']: x for x in lay['techniques']}
need(lay['versions'] == {'attack': '15', 'navigator': '4.9.0', 'layer': '4.5'}, 'versions')
need(t.get('T1547.001', {}).get('score') == 100, 'T1547.001 score 100 (Critical)')
need('TH-HUNTIN-20261201-001' in t.get('T1547.001', {}).get('comment', ''), 'hunt id in comment')
need('4 findings: 2 Critical, 1 High, 1 Medium' in t.get('T1547.001', {}).get('comment', ''),
     'counts in comment: %r' % t.get('T1547.001', {}).get('comment'))
need(t.get('T1547', {}).get('showSubtechniques') is True, 'parent expanded')
need('score' not in t.get('T1546.012', {'score': 1}) and
     'no finding' in t.get('T1546.012', {}).get('comment', ''), 'hunted-only technique unscored')
need(len([x for x in t.values() if 'score' in x]) == 1, 'one scored technique')
lines = [json.loads(l) for l in open(d + '/out.timesketch', encoding='utf-8')]
for l in lines:
    need(l['message'] and l['timestamp_desc'] and
         re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$', l['datetime']), 'line %r' % l)
w = [l for l in lines if l['timestamp_desc'] == 'Registry set-value event']
need(len(w) == 4, '4 write-event lines: %d' % len(w))
need(len([l for l in lines if l['timestamp_desc'] == 'Event time']) == 1, 'one event-time line')
need(all(l.get('chain') == 'CHAIN-001' for l in w if 'Run\\Upd' in l['key_path']), 'chain id')
need(any(l['datetime'] == '2026-12-01T10:00:35.000000+00:00' and l['record_id'] == 206 for l in w),
     'write event time and record')
doc = json.load(open(d + '/out.json', encoding='utf-8'))
ch = doc.get('chains', [])
need(len(ch) == 2, 'two chains: %d' % len(ch))
if len(ch) == 2:
    need(ch[0]['tactics'] == ['initial-access', 'execution', 'persistence', 'command-and-control'],
         'chain 1 tactics %r' % ch[0]['tactics'])
    need(ch[0]['root']['image'].endswith('OUTLOOK.EXE'), 'chain 1 root below explorer')
    need((ch[0]['processes'], ch[0]['connections'], ch[0]['files']) == (4, 1, 1), 'chain 1 activity')
    need(len(ch[0]['findings']) == 3, 'chain 1: the PowerShell and rundll32 writes')
    need(ch[1]['tactics'] == ['execution', 'persistence'], 'chain 2 tactics %r' % ch[1]['tactics'])
    need(ch[1]['root']['image'].endswith('cmd.exe'), 'chain 2 root')
f = {x['hunt_id']: x for x in doc['findings']}
cor = lambda x, k: k in x['reasons']
upd = [x for x in doc['findings'] if x['value_name'] in ('Upd', 'UpdCheck')]
need(len(upd) == 2, 'the two PowerShell Run values')
for x in upd:
    for k in ('(event_count', '(value_count', '(temporal_ordered', '(temporal)'):
        need(cor(x, k), '%s joined %s' % (x['value_name'], k))
    need(x['risk'] == 'Critical', 'raised to the temporal_ordered level')
helper = [x for x in doc['findings'] if x['value_name'] == 'Helper']
need(helper and 'Sigma correlation' not in helper[0]['reasons'], 'rundll32 write not correlated')
own = [x for x in doc['findings'] if x['value_type'] == 'event']
need(len(own) == 1 and 'event_count 3' in own[0]['value_data'], 'uncorrelated correlation: own finding')
cov = doc['coverage']
need((cov['sigma_correlations'], cov['correlations_joined']) == (5, 4),
     'correlation counts %r' % ((cov['sigma_correlations'], cov['correlations_joined']),))
for b in bad:
    print('FAIL', b)
sys.exit(1 if bad else 0)
PY
check "navigator, timesketch, chains and correlations of tests/golden/attack" [ $? -eq 0 ]
# deterministic
"$RH" hunt events.ndjson -r rules --min-risk info --format timesketch > "$TMP/again" 2> /dev/null
check "timesketch deterministic" cmp -s "$TMP/out.timesketch" "$TMP/again"
echo "hunt_attack: $pass passed, $fail failed"
[ $fail -eq 0 ]
