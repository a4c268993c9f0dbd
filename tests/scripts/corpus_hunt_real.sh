#!/bin/sh
# Real sample hives (../shared/data/hives/regipy): the High/Critical findings must equal the
# documented list in docs/real-hive-findings.md. Exit 77 when the shared data is absent.
# Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
SHARED=${RH_SHARED_DATA:-$SRC/../shared/data}
[ -d "$SHARED/hives/regipy" ] || { echo "shared data absent"; exit 77; }
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
"$RH" hunt "$SHARED/hives/regipy" --format jsonl --min-risk high -o "$OUT" 2>/dev/null
python3 - "$OUT" "$SRC/docs/real-hive-findings.md" <<'PY'
import json, sys
got = set()
for l in open(sys.argv[1], encoding='utf-8'):
    d = json.loads(l)
    got.add('| ' + ' | '.join((d['source_file'].split('/')[-1], d['risk'], d['location_id'],
                                d['key_path'].replace('|', '\\|'),
                                json.dumps(d['value_name'])[1:-1])) + ' |')
doc = open(sys.argv[2], encoding='utf-8').read()
block = doc.split('<!-- begin high-critical -->')[1].split('<!-- end high-critical -->')[0]
want = {l for l in block.splitlines() if l.startswith('| ') and not l.startswith('| file')}
for l in sorted(got - want):
    print('undocumented High/Critical finding:', l)
for l in sorted(want - got):
    print('documented but not reported:', l)
print('corpus_hunt_real: %d documented, %d reported' % (len(want), len(got)))
sys.exit(0 if got == want else 1)
PY
