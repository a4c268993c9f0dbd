#!/bin/sh
# Every generated KQL query (kql-mde, kql-sentinel) parses and binds without an error in
# Microsoft's Kusto language service (tests/node/kql_check.js, npm @kusto/language-service-next
# installed into tests/node by scripts/install-deps): the whole knowledge-base pack, the golden
# Sigma rules and the hostile-KB pack of test_query_escape. Skipped (77) without node or
# tests/node/node_modules. Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
if ! command -v node >/dev/null 2>&1; then
    echo "queries_kql: skipped: node is not installed (scripts/install-deps installs nodejs)"
    exit 77
fi
if [ ! -d "$SRC/tests/node/node_modules/@kusto/language-service-next" ]; then
    echo "queries_kql: skipped: tests/node/node_modules is missing (scripts/install-deps runs npm ci there)"
    exit 77
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$RH" queries -b kql-mde,kql-sentinel -f json >"$TMP/kb.json" 2>/dev/null || { echo "FAIL: kb pack"; exit 1; }
(cd "$SRC/tests/golden/queries" && "$RH" queries -b kql-mde,kql-sentinel --no-kb -r rules -f json) \
    >"$TMP/rules.json" 2>/dev/null || { echo "FAIL: rules pack"; exit 1; }
(cd "$SRC/tests" && "$BUILD/tests/test_query_escape" "$TMP/hostile.json" >/dev/null) ||
    { echo "FAIL: test_query_escape"; exit 1; }
node "$SRC/tests/node/kql_check.js" "$TMP/kb.json" "$TMP/rules.json" "$TMP/hostile.json"
