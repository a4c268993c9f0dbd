#!/bin/sh
# Fleet stacking: time and peak RSS of `reghunt stack` over generated hunt JSONL
# (tests/tools/gen_fleet.py: per-host files, every 7th gzip) for each fleet size given.
# Usage: bench/bench_stack.sh [REGHUNT] [HOSTS...]   (defaults: build/reghunt, 1000 10000)
# Use a Release build. Not part of the test suite: no timing is asserted anywhere.
set -eu
RH=${1:-build/reghunt}
[ $# -gt 0 ] && shift
SIZES=${*:-1000 10000}
SRC=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$RH" ] || { echo "bench_stack: $RH not found (build first)"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench_stack: /usr/bin/time missing (apt install time)"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for n in $SIZES; do
    python3 "$SRC/tests/tools/gen_fleet.py" "$n" "$TMP/f$n"
    bytes=$(cat "$TMP/f$n"/hosts/* | wc -c)
    /usr/bin/time -f '%e %M' -o "$TMP/time" "$RH" stack "$TMP/f$n/hosts" -f jsonl \
        -o "$TMP/rows.jsonl" 2> "$TMP/err" || true
    read -r secs kib <<EOT
$(tail -1 "$TMP/time")
EOT
    printf 'bench_stack: %s hosts, %s files (%.1f MB on disk), %s: %s s, peak RSS %.1f MiB\n' \
        "$n" "$(ls "$TMP/f$n/hosts" | wc -l)" "$(echo "$bytes / 1000000" | bc -l)" \
        "$(sed -n 's/^reghunt: stack: //p' "$TMP/err" | cut -d';' -f1-2)" "$secs" \
        "$(echo "$kib / 1024" | bc -l)"
done
