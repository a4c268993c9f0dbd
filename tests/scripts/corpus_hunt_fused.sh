#!/bin/sh
# Corpus tier: the demo collection hunted together with every sample log of
# ../shared/data/evtx/ and the SigmaHQ registry rules. No crash, event-sourced findings with
# the writer's process tree where the logs have one, Sigma hits attributed, and byte-identical
# output across two runs. Exit 77 when the shared data or the demo collection is absent.
# Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
SHARED=${RH_SHARED_DATA:-$SRC/../shared/data}
[ -d "$SHARED/evtx" ] && [ -d "$SHARED/sigma/rules/windows/registry" ] || {
    echo "shared data absent"
    exit 77
}
[ -d "$BUILD/demo/collection" ] || { echo "demo collection not built"; exit 77; }
SHARED=$(cd "$SHARED" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$BUILD/demo" || exit 1
for run in 1 2; do
    "$RH" hunt collection "$SHARED/evtx" -r "$SHARED/sigma/rules/windows/registry" \
        --min-risk info --format jsonl -o "$TMP/run$run.jsonl" 2> "$TMP/err$run.txt"
    rc=$?
    if [ $rc -gt 1 ]; then
        echo "FAIL run $run: exit $rc"
        cat "$TMP/err$run.txt"
        exit 1
    fi
done
cmp -s "$TMP/run1.jsonl" "$TMP/run2.jsonl" || { echo "FAIL: output differs between runs"; exit 1; }
"$RH" hunt collection "$SHARED/evtx" -r "$SHARED/sigma/rules/windows/registry" --format html \
    -o "$TMP/r.html" 2> /dev/null
[ $? -le 1 ] || { echo "FAIL: html report"; exit 1; }
tail -1 "$TMP/err1.txt"
python3 - "$TMP/run1.jsonl" <<'PY'
import json, sys
f = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
ev = [x for x in f if x['source'] == 'event']
trees = [x for x in ev if 'Process tree:' in x.get('evidence', '')]
sigma = [x for x in f if 'Sigma rule' in x['reasons']]
kb = [x for x in f if x['source'] == 'kb']
print('findings %d, event-sourced %d (with process tree %d), with Sigma rules %d, kb %d' %
      (len(f), len(ev), len(trees), len(sigma), len(kb)))
bad = []
if len(ev) < 20: bad.append('too few event-sourced findings')
if len(trees) < 10: bad.append('too few process trees')
if not sigma: bad.append('no Sigma rule named in reasons')
if any(x.get('fusion_state') is None for x in f): bad.append('finding without fusion_state')
if any(x['host'] == 'WKSTN-042' and 'uncorroborated' not in x['reasons'] for x in kb):
    bad.append('demo host findings not uncorroborated (the sample logs are other hosts)')
# one finding per host + key + value
seen = {}
for x in f:
    if not x['key_path']:
        continue
    k = (x['host'].upper(), x['key_path'].upper(), x['value_name'].upper())
    seen[k] = seen.get(k, 0) + 1
dups = [k for k, n in seen.items() if n > 1 and not k[1].startswith('HKLM\\SYSTEM\\CONTROLSET')]
if dups: bad.append('duplicate findings: %r' % dups[:5])
for b in bad: print('FAIL', b)
sys.exit(1 if bad else 0)
PY
