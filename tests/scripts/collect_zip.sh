#!/bin/sh
# Zip collections read in memory: the demo host in Velociraptor layout (uploads/auto/C%3A/...)
# gives the same findings as the KAPE directory; event logs inside the zip (.ndjson.gz, .evtx,
# .jsonl members) are fused like the same files in a directory; a dirty SYSTEM hive with its .LOG1/.LOG2 as
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
# Event logs inside the zip (never extracted): the whole demo collection in KAPE layout plus
# the fused-case Sysmon NDJSON (gzip member) and tests/data/evtx/mini.evtx under
# winevt/Logs must give the same findings and fusion states as the directory form; events
# without a Computer inside a Velociraptor host folder join that host.
EVDIR=$TMP/evdir
mkdir -p "$EVDIR"
cp -R "$BUILD/demo/collection" "$EVDIR/collection"
cp "$SRC/tests/golden/fused/events.ndjson" "$SRC/tests/data/evtx/mini.evtx" "$EVDIR/"
python3 - "$BUILD/demo/collection" "$SRC" "$TMP" <<'PY'
import gzip, json, os, sys, zipfile
coll, src, tmp = sys.argv[1:4]
logs = 'WKSTN-042/C/Windows/System32/winevt/Logs/'
with zipfile.ZipFile(tmp + '/kape.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    for root, _, files in sorted(os.walk(coll)):
        for f in sorted(files):
            p = os.path.join(root, f)
            z.write(p, os.path.relpath(p, coll))
    with open(src + '/tests/golden/fused/events.ndjson', 'rb') as f:
        z.writestr(logs + 'Microsoft-Windows-Sysmon%4Operational.ndjson.gz', gzip.compress(f.read()))
    z.write(src + '/tests/data/evtx/mini.evtx', logs + 'Test.evtx')
    z.writestr(logs + 'notes.txt', 'not an event log\n')
# No Computer in the events: the host folder names the host.
ev = [json.loads(l) for l in open(src + '/tests/golden/fused/events.ndjson', encoding='utf-8')]
for e in ev:
    e.pop('Hostname', None)
velo = 'WKSTN-042/uploads/auto/C%3A/'
with zipfile.ZipFile(tmp + '/velo-ev.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    base = coll + '/WKSTN-042/C'
    for root, _, files in sorted(os.walk(base)):
        for f in sorted(files):
            p = os.path.join(root, f)
            z.write(p, velo + os.path.relpath(p, base))
    z.writestr(velo + 'Windows/System32/winevt/Logs/Sysmon.jsonl',
               ''.join(json.dumps(e) + '\n' for e in ev))
PY
"$RH" hunt "$TMP/kape.zip" --format jsonl --min-risk info -o "$TMP/kz.jsonl" 2> "$TMP/kz.err"
(cd "$EVDIR" && "$RH" hunt collection events.ndjson mini.evtx --format jsonl --min-risk info \
    -o "$TMP/kd.jsonl" 2> "$TMP/kd.err")
"$RH" hunt "$TMP/velo-ev.zip" --format jsonl --min-risk info -o "$TMP/ve.jsonl" 2> /dev/null
python3 - "$TMP" <<'PY'
import json, os, re, sys
tmp = sys.argv[1]
def load(n):
    return [json.loads(l) for l in open(os.path.join(tmp, n), encoding='utf-8')]
key = lambda d: (d['hunt_id'], d['host'], d['user_sid'], d['key_path'], d['value_name'], d['risk'],
                 d['confidence'], d.get('fusion_state'), d.get('event_time'))
z, d, v = load('kz.jsonl'), load('kd.jsonl'), load('ve.jsonl')
bad = []
if [key(x) for x in z] != [key(x) for x in d]:
    bad.append('zip and directory findings differ (with event logs)')
def one(f, value):
    m = [x for x in f if x['value_name'] == value]
    return m[0] if len(m) == 1 else {}
up, cl = one(z, 'Updater'), one(z, 'Cleanup')
if up.get('fusion_state') != 'confirmed' or 'powershell.exe' not in up.get('evidence', ''):
    bad.append('Updater not confirmed from the zip member')
if cl.get('fusion_state') != 'gone' or not cl.get('source_file', '').startswith(
        os.path.join(tmp, 'kape.zip') + '!WKSTN-042/C/Windows/System32/winevt/Logs/'
        'Microsoft-Windows-Sysmon%4Operational.ndjson.gz'):
    bad.append('Cleanup not gone or bad event source: %r' % cl.get('source_file'))
summ = lambda n: re.search(r'(\d+) event\(s\) from (\d+) log\(s\)', open(os.path.join(tmp, n)).read())
zs, ds = summ('kz.err'), summ('kd.err')
if not zs or not ds or zs.groups() != ds.groups() or zs.group(2) != '2':
    bad.append('event summary differs: %r / %r' % (zs and zs.group(0), ds and ds.group(0)))
vu = one(v, 'Updater')
if vu.get('fusion_state') != 'confirmed' or vu.get('host') != 'WKSTN-042':
    bad.append('Computer-less events not joined to their host folder: %r' % vu.get('fusion_state'))
for b in bad: print('FAIL', b)
print('collect_zip (event logs in the zip): %d failed' % len(bad))
sys.exit(1 if bad else 0)
PY
[ $? -eq 0 ] || exit 1
# A zip holding event logs only (no hive) is a valid input: event-sourced findings.
python3 - "$TMP" "$SRC/tests/golden/fused/events.ndjson" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1] + '/events-only.zip', 'w') as z:
    z.write(sys.argv[2], 'H/C/Windows/System32/winevt/Logs/sysmon.ndjson')
PY
"$RH" hunt "$TMP/events-only.zip" > /dev/null 2> "$TMP/eo.err"; rc=$?
if [ $rc -ne 1 ] || ! grep -q '7 event(s) from 1 log(s)' "$TMP/eo.err"; then
    echo "FAIL: events-only zip (rc=$rc)"; cat "$TMP/eo.err"; exit 1
fi
echo "collect_zip (events-only zip): ok"
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
