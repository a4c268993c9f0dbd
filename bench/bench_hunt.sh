#!/bin/sh
# Hunt throughput on the real sample hives: hives/s and MB/s of hive data, best of N runs.
# Usage: bench/bench_hunt.sh [REGHUNT] [DIR] [RUNS]
#   REGHUNT defaults to build/reghunt (use a Release build), DIR to ../shared/data/hives/regipy.
set -eu
RH=${1:-build/reghunt}
DIR=${2:-$(dirname "$0")/../../shared/data/hives/regipy}
RUNS=${3:-5}
[ -x "$RH" ] || { echo "bench_hunt: $RH not found (build first)"; exit 1; }
[ -d "$DIR" ] || { echo "bench_hunt: $DIR not found"; exit 1; }
best=
i=0
while [ $i -lt "$RUNS" ]; do
    s=$(date +%s.%N)
    "$RH" hunt "$DIR" --format jsonl --min-risk info -o /dev/null 2>/tmp/bench_hunt.$$ || true
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
    i=$((i + 1))
done
summary=$(tail -1 /tmp/bench_hunt.$$)
rm -f /tmp/bench_hunt.$$
hives=$(echo "$summary" | sed -n 's/.* \([0-9]*\) hive(s) (\([0-9]*\) hunted.*/\2/p')
bytes=$(find "$DIR" -type f ! -iname '*.log*' -exec cat {} + | wc -c)
printf 'bench_hunt: %s\n' "$summary"
printf 'bench_hunt: %s hunted hives, %.1f MB in %.3f s (best of %s): %.1f hives/s, %.1f MB/s\n' \
    "$hives" "$(echo "$bytes / 1000000" | bc -l)" "$best" "$RUNS" \
    "$(echo "$hives / $best" | bc -l)" "$(echo "$bytes / 1000000 / $best" | bc -l)"
