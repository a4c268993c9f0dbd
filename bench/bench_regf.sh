#!/bin/sh
# Full-export throughput of reghunt versus the REGF readers packaged in Debian, on the same
# hives in one run: hivexregedit --export (hivex), regfexport (libregf), reglookup.
# Prints seconds (hyperfine median of N runs without a shell, or best of N), MB/s and the
# ratio to the fastest peer.
# Usage: bench/bench_regf.sh [REGHUNT_BINARY] [RUNS]
#   Build reghunt first in Release: cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build-release/reghunt}
runs=${2:-10}
data=${RH_SHARED_DATA:-$here/../shared/data}
hives="SYSTEM_WIN_10_1709 NTUSER.DAT UsrClass.dat"

[ -x "$bin" ] || { echo "bench_regf: build $bin first (Release)"; exit 2; }
[ -d "$data/hives/regipy" ] || { echo "bench_regf: $data/hives/regipy not found"; exit 2; }

best() { # wall time in ns of "$@": hyperfine's median (no shell in the loop) or best of N
    if command -v hyperfine >/dev/null 2>&1; then
        csv=$(mktemp)
        if ! hyperfine -N -w 2 -r "$runs" --export-csv "$csv" -- "$*" >/dev/null 2>&1; then
            rm -f "$csv"; echo fail; return
        fi
        awk -F, 'NR == 2 { printf "%d\n", $4 * 1e9 }' "$csv"
        rm -f "$csv"
        return
    fi
    b=""
    i=0
    while [ $i -lt "$runs" ]; do
        s=$(date +%s%N)
        if ! "$@" >/dev/null 2>&1; then echo fail; return; fi
        e=$(date +%s%N)
        t=$((e - s))
        if [ -z "$b" ] || [ $t -lt "$b" ]; then b=$t; fi
        i=$((i + 1))
    done
    echo "$b"
}

fmt() { # ns bytes -> "secs MB/s"
    awk -v ns="$1" -v by="$2" 'BEGIN { s = ns / 1e9; printf "%8.4f s %9.1f MB/s", s, by / 1048576 / s }'
}

printf '%-22s %-14s %8s %14s %10s\n' hive tool time throughput "vs reghunt"
for h in $hives; do
    f="$data/hives/regipy/$h"
    size=$(stat -c %s "$f")
    ours=$(best "$bin" hive export --no-logs "$f")
    printf '%-22s %-14s %s\n' "$h" reghunt "$(fmt "$ours" "$size")"
    fastest=""
    for tool in hivexregedit regfexport reglookup; do
        command -v $tool >/dev/null 2>&1 || { printf '%-22s %-14s not installed\n' "$h" $tool; continue; }
        case $tool in
            hivexregedit) t=$(best hivexregedit --export "$f" '\') ;;
            regfexport) t=$(best regfexport "$f") ;;
            reglookup) t=$(best reglookup "$f") ;;
        esac
        if [ "$t" = fail ]; then
            printf '%-22s %-14s failed on this hive\n' "$h" $tool
            continue
        fi
        ratio=$(awk -v a="$t" -v b="$ours" 'BEGIN { printf "%.1fx", a / b }')
        printf '%-22s %-14s %s %10s\n' "$h" $tool "$(fmt "$t" "$size")" "$ratio"
        if [ -z "$fastest" ] || [ "$t" -lt "$fastest" ]; then fastest=$t; fi
    done
    if [ -n "$fastest" ]; then
        printf '%-22s reghunt is %s faster than the fastest peer\n' "$h" \
            "$(awk -v a="$fastest" -v b="$ours" 'BEGIN { printf "%.1fx", a / b }')"
    fi
done
