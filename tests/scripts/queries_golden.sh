#!/bin/sh
# Golden hunt packs of `reghunt queries` for every backend (tests/golden/queries): the
# knowledge-base queries of two techniques and the Sigma rules of tests/golden/queries/rules
# (trailing backslash, hive prefixes, regex, keywords, unmapped fields, a non-registry rule),
# as files + plan and as JSON; stderr must name every rule not converted.
# RH_GOLDEN_UPDATE=1 rewrites the expected files. Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2
CASE=$SRC/tests/golden/queries
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0
check() { # name expected actual
    if [ "${RH_GOLDEN_UPDATE:-}" = 1 ]; then
        cp "$3" "$2"
    fi
    if cmp -s "$2" "$3"; then
        pass=$((pass + 1))
    else
        echo "FAIL: $1 differs from $2"
        diff "$2" "$3" | head -20
        fail=$((fail + 1))
    fi
}
cd "$CASE" || exit 1
"$RH" queries -b all -t T1547.005 -t T1546.012 -o "$TMP/kb" 2>"$TMP/kb.err" || { echo "FAIL: kb run"; exit 1; }
"$RH" queries -b all --no-kb -r rules -o "$TMP/rules" 2>"$TMP/rules.err" || { echo "FAIL: rules run"; exit 1; }
"$RH" queries -b all --no-kb -r rules -f json >"$TMP/rules.json" 2>/dev/null || { echo "FAIL: json run"; exit 1; }
for f in "$TMP"/kb/*; do
    check "kb/$(basename "$f")" "$CASE/expected-kb/$(basename "$f")" "$f"
done
for f in "$TMP"/rules/*; do
    check "rules/$(basename "$f")" "$CASE/expected-rules/$(basename "$f")" "$f"
done
check rules.json "$CASE/expected-rules.json" "$TMP/rules.json"
grep -v "written to" "$TMP/rules.err" >"$TMP/rules.skips"
check rules.stderr "$CASE/expected-rules.stderr" "$TMP/rules.skips"
# every backend file exists in both runs
for ext in spl cim.spl mde.kql sentinel.kql esql eql lucene; do
    for d in kb rules; do
        if [ -s "$TMP/$d/hunt.$ext" ]; then pass=$((pass + 1)); else echo "FAIL: $d/hunt.$ext missing"; fail=$((fail + 1)); fi
    done
done
# rules not converted are named, never dropped: 6 rules x 7 backends = queries + skips
n=$(grep -c '"backend"' "$TMP/rules.json")
if [ "$n" -eq 42 ]; then pass=$((pass + 1)); else echo "FAIL: $n queries+skips, expected 42"; fail=$((fail + 1)); fi
# usage errors
if "$RH" queries -b nosuch >/dev/null 2>&1; then echo "FAIL: unknown backend accepted"; fail=$((fail + 1)); else pass=$((pass + 1)); fi
if "$RH" queries >/dev/null 2>&1; then echo "FAIL: missing --backend accepted"; fail=$((fail + 1)); else pass=$((pass + 1)); fi
echo "queries_golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
