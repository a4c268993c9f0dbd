#!/bin/sh
# Memory follows the hive, not the file (issue 11): a 3 GiB sparse file that starts with `regf`
# (rest zeros) is refused at once, under 64 MB peak RSS, with the documented exit code (3,
# unreadable input) and one line naming the file and the reason; hunted together with a valid
# hive, the valid one is still hunted.
# Args: reghunt-binary source-dir build-dir
bin=$1; src=$2; build=$3
fix="$build/tests/data/basic.hive"
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ ! -x /usr/bin/time ]; then
    echo "SKIP: /usr/bin/time (Debian package time) is not installed"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
max_kb=65536

mkdir -p "$tmp/bad" "$tmp/good"
big="$tmp/bad/SOFTWARE"
if ! truncate -s 3G "$big" 2>/dev/null; then
    echo "SKIP: cannot create a sparse 3 GiB file in $tmp"
    exit 77
fi
printf 'regf' | dd of="$big" conv=notrunc status=none
cp "$fix" "$tmp/good/NTUSER.DAT"

# rss CMD...: runs CMD with stdout to $tmp/out, stderr to $tmp/err; sets rc and kb.
rss() {
    /usr/bin/time -f %M -o "$tmp/kb" "$@" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    kb=$(tail -n 1 "$tmp/kb")
}

rss "$bin" hive info "$big"
[ "$rc" -eq 3 ] && ok || bad "hive info: exit $rc, want 3"
[ "$kb" -lt $max_kb ] && ok || bad "hive info: peak RSS $kb KB >= $max_kb KB"
[ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "$big.*no hive bin" "$tmp/err" && ok ||
    { bad "hive info: want one line naming the file and the reason"; cat "$tmp/err"; }

rss "$bin" hunt "$big"
[ "$rc" -eq 3 ] && ok || bad "hunt: exit $rc, want 3"
[ "$kb" -lt $max_kb ] && ok || bad "hunt: peak RSS $kb KB >= $max_kb KB"
[ "$(grep -c "no hive bin" "$tmp/err")" -eq 1 ] && grep -q "$big.*no hive bin" "$tmp/err" && ok ||
    { bad "hunt: want one line naming the file and the reason"; cat "$tmp/err"; }

# With a valid hive beside it: the valid one is hunted (its Run values give findings, exit 1).
rss "$bin" hunt "$big" "$tmp/good/NTUSER.DAT"
[ "$rc" -eq 1 ] && ok || bad "hunt with a valid hive: exit $rc, want 1 (findings)"
[ "$kb" -lt $max_kb ] && ok || bad "hunt with a valid hive: peak RSS $kb KB >= $max_kb KB"
grep -q '(1 hunted, 1 unreadable)' "$tmp/err" && ok || { bad "hunt: valid hive not hunted"; cat "$tmp/err"; }
grep -q "Source: $tmp/good/NTUSER.DAT" "$tmp/out" && ok || bad "hunt: no finding from the valid hive"

# A hive file longer than its hive bins (1 MiB of zeros after them) reads the same.
cp "$fix" "$tmp/long"
truncate -s +1M "$tmp/long"
"$bin" hive export "$fix" > "$tmp/a" 2>&1
"$bin" hive export "$tmp/long" > "$tmp/b" 2>&1
cmp -s "$tmp/a" "$tmp/b" && ok || bad "hive with data past its bins exports differently"

echo "hive_sizes: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
