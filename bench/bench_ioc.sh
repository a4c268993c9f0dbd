#!/bin/sh
# IOC feeds at scale: generate a 1M-line indicator list and a 1M-indicator STIX 2.1 bundle
# (tests/tools/gen_ioc_feed.py), then hunt the demo collection without and with each feed and
# print wall time and peak RSS (/usr/bin/time -v). The difference is the load; the match itself
# costs hash lookups per finding (docs/threat-intel.md).
# Usage: bench/bench_ioc.sh [BUILDDIR] [N]   (default build, 1000000)
set -eu
BUILD=${1:-build} N=${2:-1000000}
RH=$BUILD/reghunt
COLL=$BUILD/demo/collection
[ -d "$COLL" ] || { echo "build the demo collection first ($COLL)"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 tests/tools/gen_ioc_feed.py list "$N" "$TMP/feed.txt"
python3 tests/tools/gen_ioc_feed.py stix "$N" "$TMP/feed.json"
printf '%-28s %12s %10s %14s\n' run bytes seconds "peak RSS KiB"
run() {
    name=$1
    shift
    /usr/bin/time -v "$RH" hunt "$COLL" "$@" -f json -o "$TMP/out.json" 2> "$TMP/err" || true
    secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$TMP/err")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/err")
    printf '%-28s %12s %10s %14s\n' "$name" "${bytes:--}" "$secs" "$rss"
}
bytes=- run "no feed"
bytes=$(wc -c < "$TMP/feed.txt") run "list, $N lines" --ioc "$TMP/feed.txt"
bytes=$(wc -c < "$TMP/feed.json") run "STIX bundle, $N indicators" --ioc "$TMP/feed.json"
