#!/bin/sh
# Real sample hives (../shared/data/hives: regipy and yarp), each hunted on its own as an
# analyst would (`reghunt hunt FILE`, transaction logs beside it applied): the Medium-and-above
# findings must equal the documented list in docs/real-hive-findings.md exactly, and every row
# of its "former false positives" list must be reported with exactly the documented risk (so a
# fixed false positive cannot come back, nor be hidden below the documented level).
# Exit 77 when the shared data is absent. Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
SHARED=${RH_SHARED_DATA:-$SRC/../shared/data}
[ -d "$SHARED/hives/regipy" ] || { echo "shared data absent"; exit 77; }
OUT=$(mktemp)
ONE=$(mktemp)
trap 'rm -f "$OUT" "$ONE"' EXIT
n=0
for f in $(find "$SHARED/hives" -type f | LC_ALL=C sort); do
    case $(basename "$f" | tr 'A-Z' 'a-z') in
    *.log|*.log1|*.log2|*.sqlite|*.txt|*.md) continue ;;
    esac
    rel=${f#"$SHARED/hives/"}
    "$RH" hunt "$f" --format jsonl --min-risk info -o "$ONE" 2>/dev/null
    rc=$?
    # 0 = nothing listed, 1 = findings, 3 = not a hive / unreadable (yarp's damaged samples)
    case $rc in 0|1|3) ;; *) echo "hunt $rel: exit $rc"; exit 1 ;; esac
    sed "s|^|$rel\t|" "$ONE" >> "$OUT"
    n=$((n + 1))
done
python3 - "$OUT" "$SRC/docs/real-hive-findings.md" "$n" <<'PY'
import json, sys
medium, every = set(), set()
for l in open(sys.argv[1], encoding='utf-8'):
    rel, js = l.rstrip('\n').split('\t', 1)
    d = json.loads(js)
    row = '| ' + ' | '.join((rel, d['risk'], d['location_id'],
                             d['key_path'].replace('|', '\\|'),
                             json.dumps(d['value_name'])[1:-1])) + ' |'
    every.add(row)
    if d['risk'] in ('Medium', 'High', 'Critical'):
        medium.add(row)
doc = open(sys.argv[2], encoding='utf-8').read()


def block(name):
    b = doc.split('<!-- begin %s -->' % name)[1].split('<!-- end %s -->' % name)[0]
    return {l for l in b.splitlines() if l.startswith('| ') and not l.startswith('| file')}


want = block('medium-plus')
former = block('former-fp')
bad = 0
for l in sorted(medium - want):
    print('undocumented Medium+ finding:', l)
for l in sorted(want - medium):
    print('documented but not reported at this risk:', l)
for l in sorted(former - every):
    bad += 1
    print('former false positive not at its documented risk:', l)
print('corpus_hunt_real: %s hives hunted one by one; %d documented Medium+, %d reported; '
      '%d former false positives checked, %d wrong' % (sys.argv[3], len(want), len(medium),
                                                       len(former), bad))
sys.exit(0 if medium == want and not bad else 1)
PY
