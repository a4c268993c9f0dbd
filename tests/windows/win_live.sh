#!/bin/sh
# Windows test (b): `reghunt.exe hunt --live` under wine. In this run's fresh WINEPREFIX
# (win_setup.sh), the untouched registry must report none of the five plants below; then
# `wine reg add` plants a Run value, a Winlogon Shell change, an IFEO Debugger, a per-user
# CLSID InprocServer32 hijack and a service, and the live hunt (-f jsonl) must report each
# with its technique at Medium or above. Also: the Linux build refuses --live in one line.
# Args: reghunt SRCDIR BUILDDIR.
set -u
. "$(dirname "$0")/win_env.sh"
[ -x "$EXE" ] || { echo "win_live: $EXE not built (win_setup failed)"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
"$RH" hunt --live > "$TMP/out" 2> "$TMP/err"
rc=$?
if [ $rc -eq 0 ] || [ "$(wc -l < "$TMP/err")" -ne 1 ] || ! grep -q -- '--live' "$TMP/err"; then
    echo "FAIL linux: hunt --live exit $rc, stderr:"; cat "$TMP/err"; fail=$((fail + 1))
fi
# technique, key path (case-insensitive suffix), value name ("" = default), planted data
cat > "$TMP/plants" <<'P'
T1547.001	\Software\Microsoft\Windows\CurrentVersion\Run	Updater	C:\Users\Public\updater.exe -silent
T1547.004	\Microsoft\Windows NT\CurrentVersion\Winlogon	Shell	explorer.exe, C:\Users\Public\shell.exe
T1546.012	\Image File Execution Options\notepad.exe	Debugger	C:\Users\Public\dbg.exe
T1546.015	\Classes\CLSID\{BCDE0395-E52F-467C-8E3D-C4579291692E}\InprocServer32		C:\Users\Public\evil.dll
T1543.003	\Services\EvilSvc	ImagePath	C:\Users\Public\svc.exe
P
check() { # $1 = jsonl, $2 = 1 when the plants must be there, 0 when none may be
    python3 - "$1" "$2" "$TMP/plants" <<'PY'
import json, sys
path, want, plants = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
rows = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
rank = {"Info": 0, "Low": 1, "Medium": 2, "High": 3, "Critical": 4}
bad = 0
for line in open(plants, encoding="utf-8"):
    tech, key, name, data = line.rstrip("\n").split("\t")
    hits = [r for r in rows if r["key_path"].lower().endswith(key.lower())
            and r["value_name"] == name and r["value_data"] == data]
    ok = [r for r in hits if r["technique"] == tech and rank[r["risk"]] >= 2]
    if want and not ok:
        print("FAIL live: %s %s\\%s not reported at Medium+ (%s)" % (
            tech, key, name, [(r["technique"], r["risk"]) for r in hits]))
        bad += 1
    if not want and hits:
        print("FAIL untouched: %s %s\\%s reported before it was planted" % (tech, key, name))
        bad += 1
print("%s: %d finding(s), %d plant check(s) failed" % (
    "planted" if want else "untouched", len(rows), bad))
sys.exit(1 if bad else 0)
PY
}
wine "$EXE" hunt --live -f jsonl --min-risk info > "$TMP/before.jsonl" 2> "$TMP/err"
rc=$?
if [ $rc -gt 1 ]; then
    echo "FAIL untouched: exit $rc"; cat "$TMP/err"; fail=$((fail + 1))
fi
check "$TMP/before.jsonl" 0 || fail=$((fail + 1))
add() { wine reg add "$@" /f > /dev/null 2>&1 || { echo "FAIL: wine reg add $1"; fail=$((fail + 1)); }; }
add 'HKCU\Software\Microsoft\Windows\CurrentVersion\Run' /v Updater /t REG_SZ \
    /d 'C:\Users\Public\updater.exe -silent'
add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\Winlogon' /v Shell /t REG_SZ \
    /d 'explorer.exe, C:\Users\Public\shell.exe'
add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\Image File Execution Options\notepad.exe' \
    /v Debugger /t REG_SZ /d 'C:\Users\Public\dbg.exe'
add 'HKCU\Software\Classes\CLSID\{BCDE0395-E52F-467C-8E3D-C4579291692E}\InprocServer32' /ve \
    /t REG_SZ /d 'C:\Users\Public\evil.dll'
add 'HKLM\System\CurrentControlSet\Services\EvilSvc' /v ImagePath /t REG_EXPAND_SZ \
    /d 'C:\Users\Public\svc.exe'
add 'HKLM\System\CurrentControlSet\Services\EvilSvc' /v Start /t REG_DWORD /d 2
add 'HKLM\System\CurrentControlSet\Services\EvilSvc' /v Type /t REG_DWORD /d 16
wineserver -w
wine "$EXE" hunt --live -f jsonl --min-risk info > "$TMP/after.jsonl" 2> "$TMP/err"
rc=$?
if [ $rc -ne 1 ]; then
    echo "FAIL planted: exit $rc (1 = findings)"; cat "$TMP/err"; fail=$((fail + 1))
fi
check "$TMP/after.jsonl" 1 || fail=$((fail + 1))
echo "win_live: $fail failure(s)"
[ $fail -eq 0 ]
