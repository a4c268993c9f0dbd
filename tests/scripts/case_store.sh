#!/bin/sh
# Case store (reghunt hunt --case, reghunt case runs|diff|verdict, reghunt stack CASE):
# 8 concurrent writers into one new case file lose no row; a diff of two runs names the new
# host, the new and gone persistence and the changed correlation; a verdict is carried over to
# later hunts (marked, never hidden) and to stack; --host-lines counts a clean host in stack;
# refusing to write inside the evidence; a file that is not SQLite, a foreign SQLite file, a
# case of another schema version, a truncated and a damaged case file each give one error line
# and exit 3, never a crash; hostile row contents (bad risk, huge numbers, NUL bytes) are
# skipped or escaped. Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
DEMO=$BUILD/demo/collection
[ -d "$DEMO" ] || { echo "demo collection missing"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "python3 missing"; exit 77; }
python3 -c 'import sqlite3' 2>/dev/null || { echo "python3 sqlite3 missing"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
rows() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$@"; }

# ---- 8 concurrent writers into one case file that does not exist yet
C=$TMP/case.db
i=0
while [ $i -lt 8 ]; do
    "$RH" hunt "$DEMO" --case "$C" -f jsonl -o "$TMP/w$i.jsonl" 2> "$TMP/w$i.err" &
    i=$((i + 1))
done
wait
i=0
while [ $i -lt 8 ]; do
    grep -q "^reghunt: 2 host(s)" "$TMP/w$i.err" || bad "writer $i: $(cat "$TMP/w$i.err")"
    i=$((i + 1))
done
one=$(wc -l < "$TMP/w0.jsonl")
[ "$(rows "$C" 'select count(*) from runs')" = 8 ] && ok || bad "runs: $(rows "$C" 'select count(*) from runs')"
[ "$(rows "$C" 'select count(*) from findings')" = $((8 * 40)) ] && ok ||
    bad "findings rows $(rows "$C" 'select count(*) from findings'), want 320"
[ "$(rows "$C" 'select count(*) from hosts')" = 16 ] && ok || bad "hosts rows"
[ "$(rows "$C" 'select count(distinct run_id) from findings')" = 8 ] && ok || bad "findings per run"
[ "$(rows "$C" 'pragma journal_mode')" = wal ] && ok || bad "not WAL"
[ "$(rows "$C" 'pragma user_version')" = 1 ] && ok || bad "user_version"
[ "$(rows "$C" "select value from meta where key='schema_version'")" = 1 ] && ok || bad "meta"
# inputs: the folder and every hive, each hive with its SHA-256
h=$(rows "$C" "select sha256 from inputs where run_id=1 and path like '%WKSTN-042/C/Windows/System32/config/SOFTWARE'")
[ "$h" = "$(sha256sum "$DEMO/WKSTN-042/C/Windows/System32/config/SOFTWARE" | cut -c1-64)" ] && ok ||
    bad "input sha256 $h"
"$RH" case runs "$C" > "$TMP/runs.txt" && [ "$(grep -c 'reghunt hunt' "$TMP/runs.txt")" = 8 ] && ok ||
    bad "case runs"
"$RH" case runs "$C" -f jsonl | python3 -c '
import json, sys
r = [json.loads(l) for l in sys.stdin]
assert len(r) == 8 and all(x["hosts"] == 2 and x["findings"] == 40 and x["inputs"] == 9 for x in r), r
' && ok || bad "case runs jsonl"

# ---- diff: run 1 = CLEAN-PC alone, run 2 = both hosts without bob's hive, run 3 = both hosts
#      with bob's hive, run 4 = with event logs (correlation changes)
D=$TMP/diff.db
mkdir -p "$TMP/c2"
cp -r "$DEMO/WKSTN-042" "$DEMO/CLEAN-PC" "$TMP/c2/"
rm -f "$TMP/c2/WKSTN-042/C/Users/bob/NTUSER.DAT"*
"$RH" hunt "$DEMO/CLEAN-PC" --case "$D" > /dev/null 2>&1
"$RH" hunt "$TMP/c2" --case "$D" > /dev/null 2>&1
"$RH" hunt "$DEMO" --case "$D" > /dev/null 2>&1
"$RH" hunt "$DEMO" "$SRC/tests/golden/fused/events.ndjson" --case "$D" > /dev/null 2>&1
"$RH" case diff "$D" 1 2 -f jsonl > "$TMP/d12.jsonl"; rc=$?
[ $rc -eq 1 ] && grep -q '"change":"host-new","run_a":1,"run_b":2,"host":"WKSTN-042"' "$TMP/d12.jsonl" &&
    [ "$(wc -l < "$TMP/d12.jsonl")" = 1 ] && ok || bad "diff 1 2 (rc $rc): $(cat "$TMP/d12.jsonl")"
"$RH" case diff "$D" 2 3 -f jsonl > "$TMP/d23.jsonl"
grep -q '"change":"new".*"host":"WKSTN-042".*"value_name":"\\u0000WindowsDefender"' "$TMP/d23.jsonl" && ok ||
    bad "diff 2 3: bob's hidden Run value is not new"
grep -q '"change":"gone"' "$TMP/d23.jsonl" && bad "diff 2 3 lists gone rows" || ok
"$RH" case diff "$D" 3 2 -f jsonl | grep -q '"change":"gone".*WindowsDefender' && ok || bad "diff 3 2: not gone"
# default: each host's last two runs (3 -> 4): the correlation state changed
"$RH" case diff "$D" > "$TMP/d.txt"
grep -q "(run 3 -> run 4)" "$TMP/d.txt" && grep -q "correlation - -> confirmed" "$TMP/d.txt" && ok ||
    bad "default diff: $(head -5 "$TMP/d.txt")"
"$RH" case diff "$D" 3 3 > /dev/null; [ $? -eq 0 ] && ok || bad "diff of a run with itself is not empty"
"$RH" case diff "$D" 1 99 2> "$TMP/e"; [ $? -eq 2 ] && grep -q "no run 99" "$TMP/e" && ok || bad "missing run"

# ---- verdicts: keyed by host + stack key, carried over to later runs and to stack
KEY=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["host"] == "WKSTN-042" and f["location_id"] == "run_hklm" and f["value_name"] == "Updater":
        print(f["host"] + "|" + f["stack_key"]); break' "$TMP/w0.jsonl")
"$RH" case verdict "$D" "$KEY" tp --note 'IR-7: stage2 loader' && ok || bad "verdict"
"$RH" case verdict "$D" "$KEY" banana 2> /dev/null; [ $? -eq 2 ] && ok || bad "bad verdict accepted"
"$RH" case verdict "$D" "nobar" tp 2> /dev/null; [ $? -eq 2 ] && ok || bad "bad key accepted"
OD=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["location_id"] == "run_hkcu" and f["value_name"] == "OneDrive":
        print("*|" + f["stack_key"]); break' "$TMP/w0.jsonl")
"$RH" case verdict "$D" "$OD" benign && ok || bad "fleet-wide verdict"
"$RH" hunt "$DEMO" --case "$D" -f jsonl -o "$TMP/v.jsonl" 2> /dev/null
python3 - "$TMP/v.jsonl" <<'PY' && ok || bad "verdicts not on the hunt findings"
import json, sys
f = [json.loads(l) for l in open(sys.argv[1])]
up = [x for x in f if x["value_name"] == "Updater" and x["location_id"] == "run_hklm"]
od = [x for x in f if x["value_name"] == "OneDrive"]
assert up and all(x["verdict"] == "tp" and x["verdict_note"] == "IR-7: stage2 loader" for x in up), up
assert len(od) == 2 and all(x["verdict"] == "benign" for x in od), od  # marked, listed
assert all("verdict" not in x for x in f if x not in up and x not in od)
PY
"$RH" hunt "$DEMO" --case "$D" 2> /dev/null | grep -q "^Verdict: tp (IR-7: stage2 loader)" && ok ||
    bad "text report without the verdict"
[ "$(rows "$D" "select count(*) from findings where run_id=(select max(id) from runs) and verdict='benign'")" = 2 ] &&
    ok || bad "verdict not recorded with the run"
"$RH" stack "$D" -f jsonl -o "$TMP/s.jsonl" 2> /dev/null
python3 - "$TMP/s.jsonl" <<'PY' && ok || bad "stack of the case"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert all(x["total_hosts"] == 2 for x in r)
od = [x for x in r if x["value_name"] == "OneDrive"]
assert len(od) == 1 and od[0]["hosts"] == 2 and od[0]["verdict"] == "benign", od
up = [x for x in r if x["value_name"] == "Updater"]
assert len(up) == 1 and up[0]["verdict"] == "tp", up
PY

# ---- prevalence and clean hosts: --host-lines makes stack count a host without findings
"$RH" hunt "$DEMO" -f jsonl --min-risk critical --host-lines -o "$TMP/h.jsonl" 2> /dev/null
grep -q '^{"record":"host","host":"CLEAN-PC","findings":16,"listed":0,"total_hosts":2}$' "$TMP/h.jsonl" &&
    ok || bad "host line: $(grep record "$TMP/h.jsonl")"
"$RH" stack "$TMP/h.jsonl" -f jsonl 2> /dev/null | python3 -c '
import json, sys
r = [json.loads(l) for l in sys.stdin]
assert r and all(x["total_hosts"] == 2 for x in r), r' && ok || bad "stack ignores the clean host"
"$RH" hunt "$DEMO" -f jsonl --min-risk critical -o "$TMP/h0.jsonl" 2> /dev/null
grep -q record "$TMP/h0.jsonl" && bad "host lines without --host-lines" || ok

# ---- never inside the evidence
"$RH" hunt "$DEMO" --case "$DEMO/WKSTN-042/case.db" > /dev/null 2> "$TMP/e"; rc=$?
[ $rc -eq 2 ] && [ ! -e "$DEMO/WKSTN-042/case.db" ] && grep -q "inside the evidence" "$TMP/e" && ok ||
    bad "case file inside the evidence (rc $rc)"

# ---- hostile and foreign files: one error line, exit 3, no crash
one_error() { # file, expected text, command...
    f=$1 want=$2; shift 2
    "$@" > /dev/null 2> "$TMP/e"; rc=$?
    if [ $rc -eq 3 ] && [ "$(wc -l < "$TMP/e")" = 1 ] && grep -q "$want" "$TMP/e"; then
        ok
    else
        bad "$f: rc $rc, $(cat "$TMP/e")"
    fi
}
printf 'hello\n' > "$TMP/text.db"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table t(x)'); c.commit()" "$TMP/foreign.db"
cp "$C" "$TMP/v2.db"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('pragma user_version=2'); c.commit()" "$TMP/v2.db"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('pragma journal_mode=delete'); c.commit()" "$C"
head -c 6000 "$C" > "$TMP/trunc.db"
cp "$C" "$TMP/damaged.db"
python3 -c "
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
for off in range(4096, len(b), 4096):   # smash every b-tree page header after the first
    b[off:off + 12] = b'\xff' * 12
open(sys.argv[1], 'wb').write(bytes(b))" "$TMP/damaged.db"
one_error text.db "no SQLite header" "$RH" case runs "$TMP/text.db"
one_error text.db "no SQLite header" "$RH" case diff "$TMP/text.db"
one_error text.db "not hunt JSONL" "$RH" stack "$TMP/text.db"
for cmd in "case runs" "case diff" "stack" "hunt $DEMO --case"; do
    # shellcheck disable=SC2086
    one_error foreign.db "not a reghunt case" "$RH" $cmd "$TMP/foreign.db"
    # shellcheck disable=SC2086
    one_error v2.db "schema version 2" "$RH" $cmd "$TMP/v2.db"
done
one_error trunc.db "malformed" "$RH" case runs "$TMP/trunc.db"
one_error trunc.db "malformed" "$RH" stack "$TMP/trunc.db"
one_error damaged.db "malformed" "$RH" case diff "$TMP/damaged.db"
one_error damaged.db "malformed" "$RH" stack "$TMP/damaged.db"

# hostile rows: a bad risk is skipped, NUL bytes and terminal escapes are escaped
H=$TMP/hostile.db
cp "$C" "$H"
python3 - "$H" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
last = c.execute("select min(rowid) from findings where run_id=8").fetchone()[0]
c.execute("update findings set risk='Apocalyptic' where rowid=?", (last,))
c.execute("update findings set value_data=cast(x'1b5b33316d00e280ae' as blob), key_last_write=-5, "
          "event_time=9223372036854775807, stack_hosts=-1 where rowid=?", (last + 1,))
c.execute("update runs set command=x'1b5d303b70776e6407' where id=1")
c.execute("insert into hosts values(8, '', '', 0)")
c.execute("insert into verdicts(host, host_key, stack_key, verdict, note, time) "
          "select '*', '*', stack_key, 'rm -rf', 'x', 'now' from findings where rowid=?", (last + 2,))
c.commit()
PY
"$RH" case runs "$H" > "$TMP/hr.txt" 2>&1 && ! grep -q "$(printf '\033')" "$TMP/hr.txt" && ok ||
    bad "hostile run row"
"$RH" stack "$H" -f jsonl -v > "$TMP/hs.jsonl" 2> "$TMP/hs.err"; rc=$?
[ $rc -eq 1 ] && grep -q "unknown risk\|valid risk" "$TMP/hs.err" && ok || bad "hostile case stack (rc $rc)"
"$RH" stack "$H" 2>/dev/null | grep -q "$(printf '\033')" && bad "escape code reached the terminal" || ok
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    assert json.loads(l)["verdict"] in (None, "tp", "benign", "review", "mixed")' "$TMP/hs.jsonl" &&
    ok || bad "an unknown verdict was believed"

echo "case_store: $pass passed, $fail failed"
[ $fail -eq 0 ]
