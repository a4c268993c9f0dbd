#!/bin/sh
# CLI checks for `reghunt evidence` on the hand-written NDJSON seeds of fuzz/corpus/evidence.
# Args: reghunt binary, source dir, build dir.
set -u
bin=$1
src=$2
fail=0
pass=0
check() { # check DESCRIPTION CONDITION...
    d=$1
    shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $d" >&2; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seeds=$src/fuzz/corpus/evidence

"$bin" evidence --help > "$tmp/h" 2>&1
check "evidence --help exits 0" [ $? -eq 0 ]
check "evidence --help shows --key" grep -q -- '--key KEYPATH' "$tmp/h"
"$bin" evidence > /dev/null 2>&1
check "evidence without paths is a usage error" [ $? -eq 2 ]
"$bin" evidence "$seeds" --value x > /dev/null 2>&1
check "--value without --key is a usage error" [ $? -eq 2 ]

"$bin" evidence "$seeds" > "$tmp/sum" 2>&1
check "summary exits 0" [ $? -eq 0 ]
check "summary names the FQDN host once" [ "$(grep -c '^host WKSTN-042' "$tmp/sum")" -eq 1 ]
check "summary shows registry coverage" grep -q 'registry logging (Sysmon / Security 4657) covers 2020-09-21T17:05:20' "$tmp/sum"
check "summary escapes hostile host names" grep -q 'host \\x1b\[31mEVIL\\x07' "$tmp/sum"
check "summary counts log clears" grep -q 'log cleared 1 time' "$tmp/sum"

"$bin" evidence "$seeds/sysmon_chain.ndjson" --host wkstn-042 \
    --key 'HKCU\Software\Microsoft\Windows\CurrentVersion\Run' --value updater > "$tmp/w"
check "writes found exit 1" [ $? -eq 1 ]
check "write line" grep -q 'set-value  HKU\\S-1-5-21-1-2-3-1001\\Software' "$tmp/w"
check "tree: writer is the subject" grep -q 'cmd.exe \[pid 2000\].*<== subject' "$tmp/w"
check "tree: explorer parent by GUID" grep -q '`- C:\\Windows\\explorer.exe \[pid 1000\]' "$tmp/w"
check "tree: userinit inferred" grep -q 'userinit.exe \[pid 900\].*(inferred' "$tmp/w"
check "tree: connection" grep -q 'net: .* tcp out 10.0.0.5:49700 -> 203.0.113.7:443 (evil.example)' "$tmp/w"
check "tree: dropped file" grep -q 'file: .*upd.exe' "$tmp/w"

"$bin" evidence "$seeds/security.ndjson" --key 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run' --json > "$tmp/j"
check "json writes exit 1" [ $? -eq 1 ]
check "json has the set and the delete" [ "$(wc -l < "$tmp/j")" -eq 2 ]
if command -v python3 > /dev/null; then
    check "json lines are valid, writer svchost by pid+time" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows[0]["op"] == "set-value" and rows[1]["op"] == "delete-value"
ch = rows[0]["tree"]["chain"]
assert ch[0]["image"].endswith("svchost.exe") and ch[0]["link"] == "pid+time"
assert ch[1]["image"].endswith("services.exe")
' "$tmp/j"
fi

"$bin" evidence "$seeds" --key 'HKLM\SOFTWARE\Nothing' > "$tmp/n"
check "no writes exit 0" [ $? -eq 0 ]
check "no writes message" grep -q 'no registry event for this key' "$tmp/n"
"$bin" evidence "$tmp/missing.evtx" > /dev/null 2>&1
check "missing input exit 3" [ $? -eq 3 ]

echo "cli_evidence: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
