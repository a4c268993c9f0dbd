#!/bin/sh
# Zip collections read in memory: the demo host in Velociraptor layout (uploads/auto/C%3A/...)
# gives the same findings as the KAPE directory; a dirty SYSTEM hive with its .LOG1/.LOG2 as
# zip members is replayed in memory (needs ../shared/data, else only the first part runs).
# Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
DEMO=$BUILD/demo/collection/WKSTN-042
[ -d "$DEMO" ] || { echo "demo collection not built"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SHARED=${RH_SHARED_DATA:-$SRC/../shared/data}
python3 - "$DEMO" "$TMP" "$SHARED" <<'PY'
import os, sys, zipfile
demo, tmp, shared = sys.argv[1:4]
with zipfile.ZipFile(tmp + '/velo.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    for root, _, files in sorted(os.walk(demo + '/C')):
        for f in sorted(files):
            p = os.path.join(root, f)
            z.write(p, 'WKSTN-042/uploads/auto/C%3A/' + os.path.relpath(p, demo + '/C'))
src = shared + '/hives/regipy/SYSTEM_B'
if os.path.exists(src):
    with zipfile.ZipFile(tmp + '/dirty.zip', 'w') as z:
        for sfx in ('', '.LOG1', '.LOG2'):
            z.write(src + sfx, 'HOSTB/C/Windows/System32/config/SYSTEM' + sfx)
PY
"$RH" hunt "$TMP/velo.zip" --format jsonl --min-risk info -o "$TMP/zip.jsonl" 2>/dev/null
"$RH" hunt "$DEMO" --format jsonl --min-risk info -o "$TMP/dir.jsonl" 2>/dev/null
python3 - "$TMP" <<'PY'
import json, os, sys
tmp = sys.argv[1]
def load(n):
    return [json.loads(l) for l in open(os.path.join(tmp, n), encoding='utf-8')]
key = lambda d: (d['hunt_id'], d['host'], d['user_sid'], d['key_path'], d['value_name'], d['risk'])
z, d = load('zip.jsonl'), load('dir.jsonl')
bad = 0
if [key(x) for x in z] != [key(x) for x in d]:
    print('zip and directory findings differ'); bad += 1
if not z or not all('velo.zip!WKSTN-042/uploads/auto/C%3A/' in x['source_file'] for x in z):
    print('bad source_file in zip findings'); bad += 1
print('collect_zip (velociraptor): %d failed' % bad)
sys.exit(1 if bad else 0)
PY
[ $? -eq 0 ] || exit 1
[ -f "$TMP/dirty.zip" ] || { echo "shared data absent: dirty-hive part skipped"; exit 0; }
"$RH" hunt "$TMP/dirty.zip" --format jsonl --min-risk info -o "$TMP/dirty.jsonl" 2>/dev/null
"$RH" hunt "$TMP/dirty.zip" --no-logs --format jsonl --min-risk info -o "$TMP/nologs.jsonl" 2>/dev/null
python3 - "$TMP" <<'PY'
import json, sys
tmp = sys.argv[1]
r = [json.loads(l) for l in open(tmp + '/dirty.jsonl', encoding='utf-8')]
n = [json.loads(l) for l in open(tmp + '/nologs.jsonl', encoding='utf-8')]
ad = [d for d in r if d['key_path'].endswith('Services\\ad_driver') and d['value_name'] == 'ImagePath']
ok = bool(ad) and ad[0]['from_log_replay'] and not any(
    d['key_path'].endswith('Services\\ad_driver') for d in n)
print('collect_zip (in-memory logs): %s' % ('ok' if ok else 'FAILED: ad_driver not found via replay'))
sys.exit(0 if ok else 1)
PY
