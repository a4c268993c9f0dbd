#!/bin/sh
# Benchmark: reghunt's EVTX parser vs evtxexport (libevtx-utils) vs python-evtx, same files,
# one run. Prints records/s, MB/s and ratios. Not a test: no thresholds.
#
# Usage: bench/bench_evtx.sh [REGHUNT_BINARY] [FILE_OR_DIR...]
#   REGHUNT_BINARY  default: build-rel/reghunt (configure with -DCMAKE_BUILD_TYPE=Release)
#   FILE_OR_DIR     default: ../shared/data/evtx (every *.evtx below it)
# Env: ROUNDS (default 3): the file set is processed ROUNDS times by each tool.
#      MIN_RECORDS (default 300): skip files with fewer records, where process start-up
#      (a few ms per file for every tool) would hide parser throughput. 0 = all files.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build-rel/reghunt}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- "$here/../shared/data/evtx"
rounds=${ROUNDS:-3}
list=$(mktemp)
trap 'rm -f "$list"' EXIT
min=${MIN_RECORDS:-300}
for p in "$@"; do
    if [ -d "$p" ]; then find "$p" -type f -name '*.evtx'; else echo "$p"; fi
done | sort | while IFS= read -r f; do
    n=$("$bin" evtx info "$f" 2> /dev/null | awk '/^records:/ {print $2}')
    if [ "${n:-0}" -ge "$min" ]; then echo "$f"; fi
done > "$list"
nfiles=$(wc -l < "$list")
[ "$nfiles" -gt 0 ] || { echo "no .evtx files" >&2; exit 2; }
[ -x "$bin" ] || { echo "reghunt binary not found: $bin" >&2; exit 2; }
bytes=$(tr '\n' '\0' < "$list" | xargs -0 stat -c %s | awk '{s+=$1} END {print s}')
records=$(tr '\n' '\0' < "$list" | xargs -0 "$bin" events 2>/dev/null | wc -l)

now() { date +%s.%N; }

# run NAME COMMAND...: time ROUNDS passes of COMMAND over every file ({} = file)
result_names=""
run() {
    name=$1
    shift
    t0=$(now)
    r=0
    while [ $r -lt "$rounds" ]; do
        while IFS= read -r f; do
            "$@" "$f" > /dev/null 2>&1 || true
        done < "$list"
        r=$((r + 1))
    done
    t1=$(now)
    secs=$(echo "$t1 $t0" | awk '{printf "%.6f", $1 - $2}')
    eval "t_$name=$secs"
    result_names="$result_names $name"
}

run_py() {
    t0=$(now)
    /usr/bin/python3 -c '
import sys
from Evtx.Evtx import Evtx
rounds = int(sys.argv[1])
files = [l.rstrip("\n") for l in open(sys.argv[2])]
n = 0
for _ in range(rounds):
    for f in files:
        try:
            with Evtx(f) as log:
                for rec in log.records():
                    rec.xml()
                    n += 1
        except Exception:
            pass
' "$rounds" "$list"
    t1=$(now)
    t_python_evtx=$(echo "$t1 $t0" | awk '{printf "%.6f", $1 - $2}')
    result_names="$result_names python_evtx"
}

# In-process throughput: one reghunt process reads every file ROUNDS times (no start-up cost).
run_inproc() {
    args=$(mktemp)
    r=0
    while [ $r -lt "$rounds" ]; do cat "$list"; r=$((r + 1)); done | tr '\n' '\0' > "$args"
    t0=$(now)
    xargs -0 "$bin" events < "$args" > /dev/null 2>&1 || true
    t1=$(now)
    rm -f "$args"
    t_reghunt_events_1proc=$(echo "$t1 $t0" | awk '{printf "%.6f", $1 - $2}')
    result_names="$result_names reghunt_events_1proc"
}

run_inproc
run reghunt_jsonl "$bin" evtx dump --format jsonl
run reghunt_xml "$bin" evtx dump --format xml
run reghunt_xml_threads2 "$bin" evtx dump --format xml --threads 2
if command -v evtxexport > /dev/null; then
    run evtxexport_text evtxexport
    run evtxexport_xml evtxexport -f xml
fi
if /usr/bin/python3 -c 'import Evtx' 2> /dev/null; then
    run_py
fi

echo "files: $nfiles  bytes: $bytes  records: $records  rounds: $rounds"
printf '%-22s %10s %12s %10s %12s %12s\n' tool seconds records/s MB/s "vs evtxexp" "vs pyevtx"
for n in $result_names; do
    eval "s=\$t_$n"
    base_e=${t_evtxexport_xml:-}
    base_p=${t_python_evtx:-}
    echo "$n $s $records $bytes $rounds ${base_e:-0} ${base_p:-0}" | awk '{
        recs = $3 * $5 / $2; mbs = $4 * $5 / $2 / 1048576;
        re = ($6 > 0) ? sprintf("%.1fx", $6 / $2) : "-";
        rp = ($7 > 0) ? sprintf("%.1fx", $7 / $2) : "-";
        printf "%-22s %10.3f %12.0f %10.1f %12s %12s\n", $1, $2, recs, mbs, re, rp }'
done
echo "(ratios: how many times faster than evtxexport -f xml / python-evtx; >1 = faster."
echo " Every row but reghunt_events_1proc starts one process per file and round.)"
