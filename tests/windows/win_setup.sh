#!/bin/sh
# Windows tests, setup: cross-build build-win/reghunt.exe (scripts/build-windows; the
# dependencies are cached in build-win/deps) and create this run's fresh WINEPREFIX once
# (wineboot is the slow part), for win_parity.sh and win_live.sh.
# Args: reghunt SRCDIR BUILDDIR.
set -u
. "$(dirname "$0")/win_env.sh"
"$SRC/scripts/build-windows" || { echo "win_setup: scripts/build-windows failed"; exit 1; }
wineserver -k 2>/dev/null || true
rm -rf "$WINEPREFIX"
mkdir -p "$(dirname "$WINEPREFIX")"
start=$(date +%s)
wineboot -i >/dev/null 2>&1 || { echo "win_setup: wineboot -i failed"; exit 1; }
wineserver -w
[ -f "$WINEPREFIX/system.reg" ] || { echo "win_setup: $WINEPREFIX has no registry"; exit 1; }
echo "win_setup: reghunt.exe built, fresh WINEPREFIX in $(( $(date +%s) - start )) s"
