# Shared by the Windows tests (sourced): skip (exit 77) with one clear line when Debian's
# mingw-w64 or wine is absent; otherwise set EXE (build-win/reghunt.exe), a headless, quiet
# wine (WINEDEBUG=-all, no DISPLAY) and the run's WINEPREFIX (created once by win_setup.sh).
# Args of the sourcing script: reghunt SRCDIR BUILDDIR.
RH=$1 SRC=$2 BUILD=$3
if ! command -v x86_64-w64-mingw32-gcc-posix >/dev/null 2>&1 || ! command -v wine >/dev/null 2>&1; then
    echo "SKIP: mingw-w64 or wine not installed (scripts/install-deps installs both)"
    exit 77
fi
EXE=$SRC/build-win/reghunt.exe
WINEPREFIX=$BUILD/tests/wineprefix
WINEDEBUG=-all
WINEDLLOVERRIDES="mscoree,mshtml="
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
unset DISPLAY WAYLAND_DISPLAY
