#!/bin/sh
# Golden outputs: for every tests/golden/<case>/, run `reghunt hunt` with the arguments in
# <case>/args once per report format and compare stdout byte for byte with
# <case>/expected.<format>. Inputs: <case>/input is "demo" (the generated demo collection, run
# from build/demo), "demo+files" (the demo collection plus every other file of the case, e.g.
# event logs and rules, copied into one work directory) or "tsv" (<case>/*.tsv built with mkhive into the KAPE path named on the
# file's first line "# path: ...") or "stack" (`reghunt stack` with <case>/args, run in the
# case's directory over its own hunt JSONL, once per format listed in <case>/formats). RH_GOLDEN_UPDATE=1 rewrites the expected files;
# RH_GOLDEN_FORMATS="html ecs" limits the run (and the update) to some formats;
# RH_GOLDEN_CASES="fused" limits it to some cases. In args, @CASE@ is replaced by the case's
# directory (for event files kept beside the expected outputs).
# Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
MKHIVE=$BUILD/tests/mkhive
FORMATS=${RH_GOLDEN_FORMATS:-"text json jsonl csv md html ecs navigator timesketch"}
fail=0 pass=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for case in "$SRC"/tests/golden/*/; do
    name=$(basename "$case")
    [ -f "$case/input" ] || continue # not a hunt case (tests/golden/hive: cli_hive.sh)
    if [ -n "${RH_GOLDEN_CASES:-}" ]; then
        case " $RH_GOLDEN_CASES " in *" $name "*) ;; *) continue ;; esac
    fi
    input=$(cat "$case/input")
    case $input in
    demo)
        [ -d "$BUILD/demo/collection" ] || { echo "$name: demo collection not built"; exit 77; }
        work=$BUILD/demo ;;
    demo+files)
        # the demo collection plus the case's own event logs, plan and rules, all copied into
        # one work directory so that reported paths are relative and stable
        [ -d "$BUILD/demo/collection" ] || { echo "$name: demo collection not built"; exit 77; }
        work=$TMP/$name
        mkdir -p "$work"
        cp -R "$BUILD/demo/collection" "$work/collection"
        for f in "$case"/*; do
            case $(basename "$f") in args|input|expected.*) ;; *) cp -R "$f" "$work/" ;; esac
        done ;;
    tsv)
        work=$TMP/$name
        for spec in "$case"/*.tsv; do
            rel=$(sed -n '1s/^# path: //p' "$spec")
            mkdir -p "$work/$(dirname "$rel")"
            "$MKHIVE" -t 134000000000000000 "$work/$rel" < "$spec" || exit 1
        done ;;
    stack) work=$(cd "$case" && pwd) ;;
    *) echo "$name: unknown input '$input'"; exit 1 ;;
    esac
    cmd=hunt fmts=$FORMATS
    if [ "$input" = stack ]; then
        cmd=stack fmts=""
        for f in $(cat "$case/formats"); do
            case " $FORMATS " in *" $f "*) fmts="$fmts $f" ;; esac
        done
    fi
    casedir=$(cd "$case" && pwd)
    args=$(sed "s|@CASE@|$casedir|g" "$case/args")
    for fmt in $fmts; do
        # shellcheck disable=SC2086
        (cd "$work" && "$RH" $cmd $args --format "$fmt") > "$TMP/out" 2> "$TMP/err"
        rc=$?
        if [ $rc -gt 1 ]; then
            echo "FAIL $name/$fmt: exit $rc"; cat "$TMP/err"; fail=$((fail + 1)); continue
        fi
        if [ "${RH_GOLDEN_UPDATE:-0}" = 1 ]; then
            cp "$TMP/out" "$case/expected.$fmt"
        fi
        if cmp -s "$TMP/out" "$case/expected.$fmt"; then
            pass=$((pass + 1))
        else
            echo "FAIL $name/$fmt: output differs from tests/golden/$name/expected.$fmt"
            diff "$case/expected.$fmt" "$TMP/out" | head -20
            fail=$((fail + 1))
        fi
    done
done
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
