#!/bin/sh
# Fleet stacking: tests/tools/gen_fleet.py writes hunt JSONL for 1,000 hosts (per-user
# OneDrive/Teams/Edge autostarts with profile, version, GUID and hash variation, vendor
# services, Windows defaults, gzip files, one malformed line) plus three plants; `reghunt
# stack` must rank the three plants first, in order, and give each benign autostart exactly
# one row with the number of hosts that have it. Also: exit codes, --top/--max-prevalence/
# --min-risk, a file that is not hunt JSONL, and the same rows from one concatenated .gz.
# Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
command -v python3 >/dev/null 2>&1 || { echo "python3 missing"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
python3 "$SRC/tests/tools/gen_fleet.py" 1000 "$TMP/fleet" || { echo "generator failed"; exit 1; }
"$RH" stack "$TMP/fleet/hosts" -f jsonl -o "$TMP/rows.jsonl" 2> "$TMP/err"
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: exit $rc, expected 1"; cat "$TMP/err"; fail=1; }
grep -q "1 malformed line" "$TMP/err" || { echo "FAIL: malformed line not counted"; cat "$TMP/err"; fail=1; }
python3 - "$TMP/rows.jsonl" "$TMP/fleet/expect.tsv" <<'PY' || fail=1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
keys = ['stack_key', 'location_id', 'technique', 'value_name', 'value_data', 'target_path',
        'hosts', 'total_hosts', 'prevalence', 'max_risk', 'risk_counts', 'sample_hosts',
        'first_seen', 'last_seen', 'verdict']
bad = 0
for r in rows:
    if list(r.keys()) != keys:
        print('FAIL: row keys', list(r.keys())); bad += 1; break
if any(r['total_hosts'] != 1000 for r in rows):
    print('FAIL: total_hosts'); bad += 1
for line in open(sys.argv[2], encoding='utf-8'):
    kind, rank, lid, name, hosts = line.rstrip('\n').split('\t')
    if kind == 'plant':
        r = rows[int(rank) - 1]
        if r['location_id'] != lid or r['value_name'] != name or r['hosts'] != int(hosts):
            print('FAIL: plant %s (%s %s on %s hosts) is not at rank %s: %s %s %d' %
                  (rank, lid, name, hosts, rank, r['location_id'], r['value_name'], r['hosts']))
            bad += 1
        continue
    m = [r for r in rows if r['location_id'] == lid and r['stack_key'].split('|')[1] == name.lower()]
    if len(m) != 1 or m[0]['hosts'] != int(hosts):
        print('FAIL: benign %s %s: %d row(s) %s, expected one with %s hosts' %
              (lid, name, len(m), [x['hosts'] for x in m], hosts))
        for x in m[:5]:
            print('   ', x['stack_key'])
        bad += 1
upd = rows[2]
if upd['stack_key'] != 'run_hkcu|upd|<user>\\appdata\\roaming\\upd.exe' or len(upd['sample_hosts']) != 2:
    print('FAIL: upd row', upd['stack_key'], upd['sample_hosts']); bad += 1
sys.exit(1 if bad else 0)
PY
# options
"$RH" stack "$TMP/fleet/hosts" -f jsonl --top 3 2>/dev/null | wc -l | grep -qx 3 || { echo "FAIL: --top 3"; fail=1; }
n=$("$RH" stack "$TMP/fleet/hosts" -f jsonl --max-prevalence 0.005 2>/dev/null | wc -l)
[ "$n" -eq 3 ] || { echo "FAIL: --max-prevalence 0.005 gave $n rows, expected the 3 plants"; fail=1; }
n=$("$RH" stack "$TMP/fleet/hosts" -f jsonl --min-risk high 2>/dev/null | wc -l)
[ "$n" -eq 3 ] || { echo "FAIL: --min-risk high gave $n rows, expected 3"; fail=1; }
# one concatenated gzip file gives the same rows
for f in "$TMP"/fleet/hosts/*; do
    case $f in *.gz) gzip -dc "$f" ;; *) cat "$f" ;; esac
done | gzip -c > "$TMP/all.jsonl.gz"
"$RH" stack "$TMP/all.jsonl.gz" -f jsonl 2>/dev/null > "$TMP/rows2.jsonl"
cmp -s "$TMP/rows.jsonl" "$TMP/rows2.jsonl" || { echo "FAIL: folder and one .gz differ"; fail=1; }
# a file that is not hunt JSONL: one error line naming it; exit 3 only when nothing was read
printf 'hello\nworld\n' > "$TMP/notes.txt"
"$RH" stack "$TMP/notes.txt" -f jsonl > /dev/null 2> "$TMP/err"
rc=$?
[ $rc -eq 3 ] || { echo "FAIL: not-JSONL input: exit $rc, expected 3"; fail=1; }
[ "$(grep -c 'notes.txt.*not hunt JSONL' "$TMP/err")" -eq 1 ] || { echo "FAIL: error line"; cat "$TMP/err"; fail=1; }
"$RH" stack "$TMP/notes.txt" "$TMP/all.jsonl.gz" -f jsonl > /dev/null 2> "$TMP/err"
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: mixed input: exit $rc, expected 1"; fail=1; }
"$RH" stack "$TMP/missing.jsonl" > /dev/null 2>&1
[ $? -eq 3 ] || { echo "FAIL: missing input not exit 3"; fail=1; }
"$RH" stack "$TMP/all.jsonl.gz" --top 0 > /dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: --top 0 not a usage error"; fail=1; }
"$RH" stack "$TMP/all.jsonl.gz" -f ecs > /dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: -f ecs not a usage error"; fail=1; }
[ $fail -eq 0 ] && echo "stack_fleet: ok"
exit $fail
