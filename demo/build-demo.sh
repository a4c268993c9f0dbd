#!/bin/sh
# Build the demo collection (KAPE layout) from the readable sources in demo/:
#   common/<HIVE>.tsv + hosts/<HOST>/<HIVE>.tsv  -> mkhive (Windows defaults, NUL-named value)
#   hosts/<HOST>/<HIVE>.reg                      -> hivexregedit --merge (the attacker's changes)
# Usage: build-demo.sh MKHIVE SRCDIR OUTDIR
set -eu
MKHIVE=$1
SRC=$2
OUT=$3
OLD=134169156000000000 # 2026-03-02T09:00:00Z: install time, last write of untouched keys
NOW=134396360430000000 # 2026-11-20T08:14:03Z: collection time (hive headers)
rm -rf "$OUT.tmp"
mkdir -p "$OUT.tmp"
for hostdir in "$SRC"/hosts/*/; do
    host=$(basename "$hostdir")
    user=$(cat "$hostdir/user")
    root="$OUT.tmp/$host/C"
    cfg="$root/Windows/System32/config"
    prof="$root/Users/$user"
    mkdir -p "$cfg" "$prof/AppData/Local/Microsoft/Windows"
    for hive in SOFTWARE SYSTEM NTUSER UsrClass; do
        case $hive in
        SOFTWARE) dst="$cfg/SOFTWARE"; prefix='HKEY_LOCAL_MACHINE\SOFTWARE' ;;
        SYSTEM) dst="$cfg/SYSTEM"; prefix='HKEY_LOCAL_MACHINE\SYSTEM' ;;
        NTUSER) dst="$prof/NTUSER.DAT"; prefix='HKEY_CURRENT_USER' ;;
        UsrClass) dst="$prof/AppData/Local/Microsoft/Windows/UsrClass.dat"
                  prefix='HKEY_CURRENT_USER\Software\Classes' ;;
        esac
        cat "$SRC/common/$hive.tsv" "$hostdir/$hive.tsv" 2>/dev/null | "$MKHIVE" -t "$OLD" -H "$NOW" "$dst"
        if [ -f "$hostdir/$hive.reg" ]; then
            hivexregedit --merge --prefix "$prefix" "$dst" "$hostdir/$hive.reg"
        fi
    done
done
rm -rf "$OUT"
mv "$OUT.tmp" "$OUT"
