#!/bin/sh
# Planted-hive suite: hunt build/tests/data/planted (one host per planted.tsv row) and check
# every malicious plant is reported with its location, technique and min risk, and no benign
# look-alike reaches High. Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
DIR=$BUILD/tests/data/planted
if [ ! -f "$DIR/expect.tsv" ] || ! command -v python3 >/dev/null; then
    echo "planted collection not built (needs python3 and hivexsh)"; exit 77
fi
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
"$RH" hunt "$DIR" --deleted --min-risk info --format jsonl -o "$OUT"
rc=$?
if [ $rc -ne 1 ]; then echo "hunt exit code $rc, expected 1"; exit 1; fi
python3 "$SRC/tests/scripts/planted_check.py" "$DIR/expect.tsv" "$OUT"
