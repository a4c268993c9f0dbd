#!/bin/sh
# CLI tests for `reghunt hive`: golden exports (JSON Lines and .reg) of the generated fixture
# hive, byte for byte, plus error messages and exit codes.
# Args: reghunt-binary source-dir build-dir
bin=$1; src=$2; build=$3
fix="$build/tests/data/basic.hive"
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for fmt in jsonl reg; do
    "$bin" hive export --format $fmt "$fix" > "$tmp/out.$fmt" 2>"$tmp/err"
    if cmp -s "$tmp/out.$fmt" "$src/tests/golden/hive/basic.$fmt"; then ok; else
        bad "hive export --format $fmt differs from tests/golden/hive/basic.$fmt"
        diff "$src/tests/golden/hive/basic.$fmt" "$tmp/out.$fmt" | head -10
    fi
done

"$bin" hive info "$fix" > "$tmp/info" 2>&1 && grep -q '^keys: *11$' "$tmp/info" && ok || bad "hive info keys"
"$bin" hive ls "$fix" 'software\microsoft\windows\currentversion\RUN' > "$tmp/ls" 2>&1 && ok || bad "hive ls"
grep -q '\\x00hidden' "$tmp/ls" && ok || bad "ls escapes a NUL-named value as \\x00"
grep -q '\\u{202e}exe.dll' "$tmp/ls" && ok || bad "ls escapes RLO"

# Errors: one line on stderr naming the file, non-zero exit.
"$bin" hive info /nonexistent/hive > /dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q '/nonexistent/hive' "$tmp/err" && ok || bad "missing file: rc=$rc"
printf 'not a hive at all' > "$tmp/text"
"$bin" hive info "$tmp/text" > /dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] && grep -q "no 'regf' signature" "$tmp/err" && ok || bad "not a hive: rc=$rc"
"$bin" hive export --format xml "$fix" > /dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "unknown format" "$tmp/err" && ok || bad "bad format: rc=$rc"
"$bin" hive ls "$fix" 'No\Such\Key' > /dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] && grep -q "key not found" "$tmp/err" && ok || bad "missing key: rc=$rc"
"$bin" hive > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "no args: rc=$rc"
"$bin" hive --help | grep -q 'Usage: reghunt hive' && ok || bad "--help"

# Evidence is read-only: the input is byte-identical after every command.
sum1=$(md5sum < "$fix")
"$bin" hive export --deleted "$fix" > /dev/null 2>&1
sum2=$(md5sum < "$fix")
[ "$sum1" = "$sum2" ] && ok || bad "input modified"

echo "cli_hive: $pass passed, $fail failed"
[ $fail -eq 0 ]
