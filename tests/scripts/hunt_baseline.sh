#!/bin/sh
# Baseline and allowlist: a baseline of the clean demo host marks the compromised host's
# default and vendor entries known-good (kept, flagged, at most Low) and none of the attacker's
# values; an allowlist line flags its match. Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
DEMO=$BUILD/demo/collection
[ -d "$DEMO" ] || { echo "demo collection not built"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$RH" baseline create "$DEMO/CLEAN-PC" -o "$TMP/bl.jsonl" 2>/dev/null || { echo "baseline create failed"; exit 1; }
printf '# vendor entries\nHKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\tVMware*\n' > "$TMP/allow.txt"
"$RH" hunt "$DEMO/WKSTN-042" --baseline "$TMP/bl.jsonl" --allowlist "$TMP/allow.txt" \
    --min-risk info --format jsonl -o "$TMP/out.jsonl" 2>/dev/null
python3 - "$TMP/out.jsonl" <<'PY'
import json, sys
f = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
R = {'Info': 0, 'Low': 1, 'Medium': 2, 'High': 3, 'Critical': 4}
kg = {d['value_name']: d for d in f if d['known_good']}
bad = 0
for name in ('OneDrive', 'RtkAudUService', 'VMware User Process', 'SecurityHealth'):
    if name not in kg or R[kg[name]['risk']] > 1:
        print('not known-good / not lowered:', name); bad += 1
if 'allowlist' not in kg.get('VMware User Process', {}).get('known_good', []):
    print('allowlist not applied'); bad += 1
for d in f:
    if d['known_good'] and R[d['risk']] >= 3:
        print('known-good at High:', d['value_name']); bad += 1
mal = [d for d in f if d['value_name'] in ('Updater', 'WinUpdate', 'Debugger', 'Userinit')]
if len(mal) != 4 or any(d['known_good'] for d in mal):
    print('attacker values marked known-good or missing'); bad += 1
print('hunt_baseline: %d failed' % bad)
sys.exit(1 if bad else 0)
PY
