#!/bin/sh
# A 1-million-line indicator list (tests/tools/gen_ioc_feed.py) loads and is matched by
# `reghunt hunt --ioc` within a bounded peak RSS (docs/limits.md: 600 MiB; 2 GiB in
# sanitizer builds, whose shadow memory and redzones roughly double the heap). No timing
# assertion: bench/bench_ioc.sh measures time.
# Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
[ -x /usr/bin/time ] || { echo "ioc_memory: /usr/bin/time not installed"; exit 77; }
[ -d "$BUILD/demo/collection" ] || { echo "ioc_memory: demo collection not built"; exit 77; }
LIMIT_KB=614400
if grep -q '^RH_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    LIMIT_KB=2097152
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 "$SRC/tests/tools/gen_ioc_feed.py" list 1000000 "$TMP/feed.txt" || exit 1
/usr/bin/time -v "$RH" hunt "$BUILD/demo/collection" --ioc "$TMP/feed.txt" -f json \
    -o "$TMP/out.json" 2> "$TMP/err"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
    cat "$TMP/err"
    echo "ioc_memory: 0 passed, 1 failed (exit $rc)"
    exit 1
fi
n=$(sed -n 's/^reghunt: \([0-9]*\) indicator(s).*/\1/p' "$TMP/err")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/err")
pass=0 fail=0
if [ "$n" = 1000000 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "indicators: '$n' != 1000000"; fi
if [ -n "$rss" ] && [ "$rss" -le "$LIMIT_KB" ]; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "peak RSS ${rss:-?} KiB above ${LIMIT_KB} KiB"
fi
echo "ioc_memory: 1000000 indicators, peak RSS ${rss:-?} KiB (limit $LIMIT_KB KiB)"
echo "ioc_memory: $pass passed, $fail failed"
[ $fail -eq 0 ]
