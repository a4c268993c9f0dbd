#!/bin/sh
# Time and peak memory of `reghunt hunt` on a large generated SOFTWARE-like hive (issue 11:
# memory follows the hive; before the bounded reader a hive was held two to three times).
# The hive is built with tests/tools/mkhive from a generated description: 4,000 COM classes
# (CLSID\{...}\InprocServer32 with a DLL path and ThreadingModel), Run keys with a few
# autostarts, and 7,000 AppCompat-style keys holding 30,000-byte REG_BINARY blobs (big data),
# about 210 MB in all (mkhive caps a hive at 20,000 keys and 20,000 values and a spec line at
# 64 KiB, so the size comes from the blobs; it also writes one hbin for the whole hive, unlike
# Windows).
# A hive whose bins exceed rh_limits.hive_cache_size (32 MiB) is read on demand: the hunt's
# pruned walk reads the keys it needs, not the 210 MB of blobs; the folder is measured both
# ways (REGHUNT_LIMITS=hive_cache_size=4G reads it whole, as before).
# Usage: bench/bench_bighive.sh [REGHUNT] [MKHIVE] [RUNS]
#   REGHUNT defaults to build/reghunt (Release), MKHIVE to build/tests/mkhive.
# Steps: the hive in a KAPE-like folder, then the same folder zipped (an archive member).
set -eu
RH=${1:-build/reghunt}
MK=${2:-build/tests/mkhive}
RUNS=${3:-3}
[ -x "$RH" ] || { echo "bench_bighive: $RH not found (build first)"; exit 1; }
[ -x "$MK" ] || { echo "bench_bighive: $MK not found (build first)"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench_bighive: /usr/bin/time not found (apt install time)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/WKSTN-BIG/C/Windows/System32/config"
hive="$dir/WKSTN-BIG/C/Windows/System32/config/SOFTWARE"

awk 'BEGIN {
    srand(11);
    run = "Microsoft\\Windows\\CurrentVersion\\Run";
    printf "key\t%s\n", run;
    printf "value\t%s\tSecurityHealth\tREG_EXPAND_SZ\t%%windir%%\\system32\\SecurityHealthSystray.exe\n", run;
    printf "value\t%s\tUpdater\tREG_SZ\tpowershell.exe -nop -w hidden -enc SQBFAFgA\n", run;
    printf "value\t%s\tOneDrive\tREG_SZ\tC:\\Program Files\\Microsoft OneDrive\\OneDrive.exe /background\n", run;
    for (i = 0; i < 4000; i++) {
        k = sprintf("Classes\\CLSID\\{%08X-%04X-%04X-%04X-%012X}\\InprocServer32", i * 2654435761 % 4294967296, i % 65536, 4660, 22136, i);
        printf "key\t%s\n", k;
        printf "value\t%s\t@\tREG_EXPAND_SZ\t%%SystemRoot%%\\System32\\comp%05d.dll\n", k, i;
        printf "value\t%s\tThreadingModel\tREG_SZ\tBoth\n", k;
    }
    hex = "";
    for (j = 0; j < 1000; j++) { hex = hex sprintf("%02x", int(rand() * 256)); }
    blob = "";
    for (j = 0; j < 30; j++) { blob = blob hex; }
    for (i = 0; i < 7000; i++) {
        k = sprintf("Microsoft\\Windows NT\\CurrentVersion\\AppCompatFlags\\Cache\\Entry%04d", i);
        printf "key\t%s\n", k;
        printf "value\t%s\tData\tREG_BINARY\t%s\n", k, blob;
    }
}' | "$MK" -n 'SOFTWARE' "$hive"
size=$(wc -c < "$hive")

# measure LABEL INPUT: best time and lowest peak RSS of RUNS hunts of INPUT.
measure() {
    best=
    best_kb=
    i=0
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -f '%e %M' -o "$dir/t" "$RH" hunt "$2" --format jsonl --min-risk info \
            -o /dev/null 2>"$dir/err" || true
        t=$(tail -n 1 "$dir/t" | cut -d' ' -f1)
        kb=$(tail -n 1 "$dir/t" | cut -d' ' -f2)
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
        if [ -z "$best_kb" ] || [ "$kb" -lt "$best_kb" ]; then best_kb=$kb; fi
        i=$((i + 1))
    done
    printf 'bench_bighive: %s: %s\n' "$1" "$(grep 'hive(s)' "$dir/err" | tail -n 1)"
    printf 'bench_bighive: %s: %.1f MB hive hunted in %s s (best of %s), peak RSS %.1f MB (%.2f x the hive)\n' \
        "$1" "$(echo "$size / 1000000" | bc -l)" "$best" "$RUNS" \
        "$(echo "$best_kb * 1024 / 1000000" | bc -l)" "$(echo "$best_kb * 1024 / $size" | bc -l)"
}

# Before and after on-demand reads, on the same folder: REGHUNT_LIMITS raises hive_cache_size
# above the hive so it is read whole (as before issue 11), then the default (32 MiB) reads its
# bins on demand; `hive info` tells how many bytes each read took.
for mode in whole on-demand; do
    if [ "$mode" = whole ]; then REGHUNT_LIMITS=hive_cache_size=4G; else REGHUNT_LIMITS=; fi
    export REGHUNT_LIMITS
    measure "folder, hive read $mode" "$dir/WKSTN-BIG"
    printf 'bench_bighive: folder, hive read %s: hive info: %s\n' "$mode" \
        "$("$RH" hive info "$hive" | grep '^read:' | sed 's/  */ /g')"
done
unset REGHUNT_LIMITS
# The same collection as a zip (stored, no compression): the hive is an archive member read
# into memory, then opened with rh_hive_open_mem.
(cd "$dir" && python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
    z.write(sys.argv[2])' big.zip WKSTN-BIG/C/Windows/System32/config/SOFTWARE)
measure zip "$dir/big.zip"
