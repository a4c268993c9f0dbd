#!/bin/sh
# CLI checks for `reghunt evtx` and `reghunt events` on the generated fixtures.
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
mini=$src/tests/data/evtx/mini.evtx
slack=$src/tests/data/evtx/slack.evtx

"$bin" evtx --help > "$tmp/h" 2>&1
check "evtx --help exits 0" [ $? -eq 0 ]
check "evtx --help mentions dump" grep -q 'evtx dump PATH...' "$tmp/h"
"$bin" events --help > "$tmp/h" 2>&1
check "events --help exits 0" [ $? -eq 0 ]

"$bin" evtx info "$mini" > "$tmp/info"
check "evtx info exits 0" [ $? -eq 0 ]
check "evtx info counts records" grep -q '^records: *4 ' "$tmp/info"
check "evtx info per event id" grep -q 'Reghunt-Test  Reghunt/Test  13' "$tmp/info"

"$bin" evtx dump "$mini" > "$tmp/jsonl"
check "dump jsonl exits 0" [ $? -eq 0 ]
check "dump jsonl has 4 lines" [ "$(wc -l < "$tmp/jsonl")" -eq 4 ]
check "dump jsonl EventData" grep -q '"TargetObject":"HKLM\\\\SOFTWARE' "$tmp/jsonl"
if command -v python3 > /dev/null; then
    check "dump jsonl is valid JSON" python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/jsonl"
fi

"$bin" evtx dump "$mini" --format xml > "$tmp/xml"
check "dump xml exits 0" [ $? -eq 0 ]
check "dump xml Event" grep -q '^<Event xmlns=' "$tmp/xml"
if command -v python3 > /dev/null; then
    check "dump xml is well-formed" python3 -c '
import sys, xml.dom.minidom
for l in open(sys.argv[1]):
    xml.dom.minidom.parseString(l)' "$tmp/xml"
fi

"$bin" evtx dump "$slack" --recover --threads 2 > "$tmp/rec"
check "dump --recover exits 0" [ $? -eq 0 ]
check "dump --recover finds 5 carved records" [ "$(grep -c '#recovered' "$tmp/rec")" -eq 5 ]

"$bin" events "$mini" "$src/tests/data/events/ecs.ndjson" --event-id 13 > "$tmp/ev"
check "events exits 0" [ $? -eq 0 ]
check "events --event-id filters" [ "$(wc -l < "$tmp/ev")" -eq 4 ]
check "events normalized path" grep -q '"normalized":"HKLM\\\\SYSTEM\\\\CURRENTCONTROLSET\\\\SERVICES\\\\X"' "$tmp/ev"
"$bin" events "$mini" --from 2020-10-23T21:57:36.3372702Z --to 2020-10-23T21:57:36.3372703Z > "$tmp/ev"
check "events --from/--to" [ "$(wc -l < "$tmp/ev")" -eq 2 ]

"$bin" evtx dump "$src/tests/data/events/ecs.ndjson" > /dev/null 2> "$tmp/err"
rc=$?
check "non-EVTX input exits 3" [ $rc -eq 3 ]
check "error is one line naming file and offset" [ "$(wc -l < "$tmp/err")" -eq 1 ]
check "error names the file" grep -q 'ecs.ndjson @0x0' "$tmp/err"
"$bin" evtx dump > /dev/null 2>&1
check "missing FILE is a usage error" [ $? -eq 2 ]
# Several paths and directories (the collection reader finds the inputs).
mkdir -p "$tmp/d/sub"
cp "$mini" "$tmp/d/a.evtx"
cp "$slack" "$tmp/d/sub/b.EVTX"
cp "$src/tests/data/events/ecs.ndjson" "$tmp/d/sub/c.ndjson"
"$bin" evtx dump "$tmp/d" > "$tmp/dd"
check "evtx dump DIR exits 0" [ $? -eq 0 ]
check "evtx dump DIR dumps both logs, not the export" [ "$(wc -l < "$tmp/dd")" -eq $(( $("$bin" evtx dump "$mini" | wc -l) + $("$bin" evtx dump "$slack" | wc -l) )) ]
"$bin" evtx dump "$mini" "$slack" > "$tmp/d2"
check "evtx dump FILE FILE = DIR" cmp -s "$tmp/dd" "$tmp/d2"
"$bin" events "$tmp/d" > "$tmp/ed"
check "events DIR reads logs and exports" [ "$(wc -l < "$tmp/ed")" -eq $(( $(wc -l < "$tmp/dd") + 2 )) ]
mkdir -p "$tmp/empty"
"$bin" events "$tmp/empty" > /dev/null 2> "$tmp/err"
check "events on a directory without logs exits 3" [ $? -eq 3 ]
check "and says so in one line" [ "$(wc -l < "$tmp/err")" -eq 1 ]
"$bin" events --from yesterday "$mini" > /dev/null 2>&1
check "bad --from is a usage error" [ $? -eq 2 ]

echo "cli_evtx: $pass passed, $fail failed"
[ $fail -eq 0 ]
