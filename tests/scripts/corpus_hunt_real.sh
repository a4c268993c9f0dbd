#!/bin/sh
# Real sample hives (../shared/data/hives/regipy): the High/Critical findings must equal the
# documented list in docs/real-hive-findings.md, and every row of its "former false positives"
# list must be reported with exactly the documented risk (so a fixed false positive cannot
# come back, nor be hidden below the documented level). Exit 77 when the shared data is absent.
# Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
SHARED=${RH_SHARED_DATA:-$SRC/../shared/data}
[ -d "$SHARED/hives/regipy" ] || { echo "shared data absent"; exit 77; }
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
"$RH" hunt "$SHARED/hives/regipy" --format jsonl --min-risk info -o "$OUT" 2>/dev/null
python3 - "$OUT" "$SRC/docs/real-hive-findings.md" <<'PY'
import json, sys
high, every = set(), set()
for l in open(sys.argv[1], encoding='utf-8'):
    d = json.loads(l)
    row = '| ' + ' | '.join((d['source_file'].split('/')[-1], d['host'], d['risk'],
                             d['location_id'], d['key_path'].replace('|', '\\|'),
                             json.dumps(d['value_name'])[1:-1])) + ' |'
    every.add(row)
    if d['risk'] in ('High', 'Critical'):
        high.add(row)
doc = open(sys.argv[2], encoding='utf-8').read()


def block(name):
    b = doc.split('<!-- begin %s -->' % name)[1].split('<!-- end %s -->' % name)[0]
    return {l for l in b.splitlines() if l.startswith('| ') and not l.startswith('| file')}


want = block('high-critical')
former = block('former-fp')
bad = 0
for l in sorted(high - want):
    print('undocumented High/Critical finding:', l)
for l in sorted(want - high):
    print('documented but not reported:', l)
for l in sorted(former - every):
    bad += 1
    print('former false positive not at its documented risk:', l)
print('corpus_hunt_real: %d documented High/Critical, %d reported; %d former false positives '
      'checked, %d wrong' % (len(want), len(high), len(former), bad))
sys.exit(0 if high == want and not bad else 1)
PY
