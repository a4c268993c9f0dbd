#!/bin/sh
# Windows test (a): reghunt.exe under wine gives the Linux build's findings. The golden cases
# (tests/golden: the demo collection, the fused events+rules case, hostile inputs, stacking),
# whose expected outputs are the Linux build's, are run with reghunt.exe in every report
# format; the outputs may differ from the Linux ones only in path separators, which are
# normalised ('\' in a path reghunt.exe built from a '/'-separated argument). Then `hunt` of
# the demo collection is compared with the Linux binary's directly, text and JSON Lines.
# hostile-web is left out: its host and user folders are named with < > " (HTML injection
# through paths), which Windows file names cannot hold, so reghunt.exe cannot see them.
# Args: reghunt SRCDIR BUILDDIR.
set -u
. "$(dirname "$0")/win_env.sh"
[ -x "$EXE" ] || { echo "win_parity: $EXE not built (win_setup failed)"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cat > "$TMP/reghunt-wine" <<WRAP
#!/bin/sh
exec wine "$EXE" "\$@"
WRAP
chmod +x "$TMP/reghunt-wine"
fail=0
cases=""
for c in "$SRC"/tests/golden/*/; do
    [ "$(basename "$c")" = hostile-web ] || cases="$cases $(basename "$c")"
done
RH_GOLDEN_CASES=$cases sh "$SRC/tests/scripts/golden.sh" "$TMP/reghunt-wine" "$SRC" "$BUILD" > "$TMP/golden.log" 2>&1
rc=$?
tail -1 "$TMP/golden.log"
if [ $rc -ne 0 ]; then
    grep -A20 FAIL "$TMP/golden.log" | head -60
    fail=$((fail + 1))
fi
n=0
for fmt in text jsonl; do
    (cd "$BUILD/demo" && "$RH" hunt collection -f "$fmt" --min-risk info) > "$TMP/linux.$fmt" 2>/dev/null
    (cd "$BUILD/demo" && wine "$EXE" hunt collection -f "$fmt" --min-risk info) > "$TMP/win.$fmt" 2>/dev/null
    if [ ! -s "$TMP/linux.$fmt" ]; then
        echo "FAIL demo/$fmt: the Linux build printed nothing"; fail=$((fail + 1)); continue
    fi
    if cmp -s "$TMP/linux.$fmt" "$TMP/win.$fmt"; then
        n=$((n + 1))
    else
        echo "FAIL demo/$fmt: reghunt.exe output differs from the Linux build's"
        diff "$TMP/linux.$fmt" "$TMP/win.$fmt" | head -20
        fail=$((fail + 1))
    fi
done
echo "win_parity: golden cases exit $rc, demo hunt $n/2 formats identical, $fail failure(s)"
[ $fail -eq 0 ]
