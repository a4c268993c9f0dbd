#!/bin/sh
# Demo collection: the compromised host shows the four core techniques and the NUL-named Run
# value; the clean host has nothing at High or above. Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
DIR=$BUILD/demo/collection
[ -d "$DIR" ] || { echo "demo collection not built (needs hivexregedit)"; exit 77; }
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
"$RH" hunt "$DIR" --format jsonl -o "$OUT"
rc=$?
[ $rc -eq 1 ] || { echo "exit code $rc, expected 1"; exit 1; }
python3 - "$OUT" <<'PY'
import json, sys
f = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
R = {'Info': 0, 'Low': 1, 'Medium': 2, 'High': 3, 'Critical': 4}
def has(tech, key, name, risk):
    return any(d['host'] == 'WKSTN-042' and d['technique'] == tech and key in d['key_path']
               and d['value_name'] == name and R[d['risk']] >= R[risk] for d in f)
checks = [
    ('T1547.001', 'CurrentVersion\\Run', 'WinUpdate', 'High'),
    ('T1547.001', 'CurrentVersion\\Run', 'Updater', 'High'),
    ('T1547.001', 'CurrentVersion\\Run', '\x00WindowsDefender', 'High'),
    ('T1547.004', 'Winlogon', 'Userinit', 'High'),
    ('T1547.004', 'Winlogon', 'Shell', 'High'),
    ('T1546.008', 'sethc.exe', 'Debugger', 'Critical'),
    ('T1546.012', 'SilentProcessExit\\notepad.exe', 'MonitorProcess', 'High'),
    ('T1546.015', '_Classes\\CLSID\\{BCDE0395-E52F-467C-8E3D-C4579291692E}\\InprocServer32', '', 'High'),
]
bad = 0
for c in checks:
    if not has(*c):
        print('missing:', c); bad += 1
hidden = [d for d in f if d['value_name'] == '\x00WindowsDefender']
if not hidden or not hidden[0]['hidden_name']:
    print('NUL-named value not flagged hidden'); bad += 1
for d in f:
    if d['host'] == 'CLEAN-PC' and R[d['risk']] >= 3:
        print('clean host finding:', d['key_path'], d['value_name'], d['risk']); bad += 1
ids = [d['hunt_id'] for d in f]
if ids != sorted(ids) or not all(i.startswith('TH-HUNTIN-20261120-') for i in ids):
    print('hunt ids not ordered/stable:', ids[:3]); bad += 1
print('demo_hunt: %d checks, %d failed' % (len(checks) + 3, bad))
sys.exit(1 if bad else 0)
PY
