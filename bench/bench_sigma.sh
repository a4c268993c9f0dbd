#!/bin/sh
# Sigma matching throughput (events/s, one thread), events preloaded in memory.
#   bench/bench_sigma.sh [REGHUNT] [SHARED_DATA]
# 1. rules/windows/registry on the sample EVTX registry events (Sysmon 12/13/14 files)
# 2. all of rules/windows on every sample event
# 3. the same with --exhaustive: every rule tried on every event, without the event-id /
#    channel index and the literal prefilter (same matches; shows what the indexes buy)
# Each prints events/s and MB/s of field text. Use a Release build for numbers (sanitizers
# slow matching down ~10x).
set -e
RH=${1:-build/reghunt}
D=${2:-$(dirname "$0")/../../shared/data}
LIST=$(mktemp)
trap 'rm -f "$LIST"' EXIT
find "$D/evtx" -name '*.evtx' | sort > "$LIST"
REG=$(cut -f1 "$D/oracle/evtx-registry-events.tsv" | tail -n +2 | sort -u | sed "s|^|$D/evtx/|")
echo "== registry rules on the files holding registry events"
# shellcheck disable=SC2086
IFS='
'
"$RH" sigma bench -n 200 -r "$D/sigma/rules/windows/registry" $REG
echo "== all Windows rules on every sample event"
# shellcheck disable=SC2046
"$RH" sigma bench -n 50 -r "$D/sigma/rules/windows" $(cat "$LIST")
echo "== all Windows rules on every sample event, exhaustive (no index, no prefilter)"
# shellcheck disable=SC2046
"$RH" sigma bench -n 2 --exhaustive -r "$D/sigma/rules/windows" $(cat "$LIST")
