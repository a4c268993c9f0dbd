#!/bin/sh
# Fusion of hive findings with event logs (docs/hunting.md "Fusion"): the demo collection plus
# the crafted Sysmon NDJSON of tests/golden/fused. Asserts that the Run value Updater is
# "confirmed" with the writer's process tree (explorer -> cmd -> powershell, its connection and
# file) in its evidence, that the RunOnce value written by an event but absent from the hive is
# "gone", that findings of CLEAN-PC (no Sysmon logs) say uncorroborated, that the FQDN host of
# the events joins the hive host, that Sigma hits merge into existing findings, that the plan
# and coverage objects are present, --window-only, --rules-strict, that HKCU writes merge with
# the user hive's finding, and that output is deterministic. Args: reghunt SRCDIR BUILDDIR.
set -u
RH=$1 SRC=$2 BUILD=$3
[ -d "$BUILD/demo/collection" ] || { echo "demo collection not built"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cp -R "$BUILD/demo/collection" "$TMP/collection"
cp -R "$SRC/tests/golden/fused/events.ndjson" "$SRC/tests/golden/fused/rules" \
    "$SRC/tests/golden/fused/plan.yml" "$TMP/"
cd "$TMP" || exit 1
fail=0
check() { # check DESCRIPTION COMMAND...
    d=$1
    shift
    if "$@"; then echo "ok   $d"; else echo "FAIL $d"; fail=$((fail + 1)); fi
}
"$RH" hunt collection events.ndjson -r rules --plan plan.yml --min-risk info --format jsonl \
    > out.jsonl 2> err.txt
rc=$?
check "exit 1 (findings)" [ $rc -eq 1 ]
check "unloadable rule named on stderr" grep -q "1 Sigma rule(s) not loaded" err.txt
check "one-line summary on stderr" grep -q "7 event(s) from 1 log(s), 1 rule(s)" err.txt
python3 - out.jsonl <<'PY'
import json, sys
f = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
bad = []
def one(pred, what):
    m = [x for x in f if pred(x)]
    if len(m) != 1:
        bad.append('%s: %d findings' % (what, len(m)))
        return {}
    return m[0]
run = one(lambda x: x['key_path'].endswith('\\CurrentVersion\\Run') and x['value_name'] == 'Updater',
          'Run\\Updater')
if run:
    if run.get('fusion_state') != 'confirmed': bad.append('Updater not confirmed')
    ev = run.get('evidence', '')
    for s in ('explorer.exe', 'cmd.exe', 'powershell.exe', '203.0.113.50:80', 'stage2.ps1',
              'Process tree:'):
        if s not in ev: bad.append('Updater evidence lacks ' + s)
    if not run.get('process_executable', '').endswith('powershell.exe'): bad.append('writer')
    if run.get('event_time') != '2026-11-19T06:04:12.0000000Z': bad.append('event_time')
    if run['confidence'] != 'High': bad.append('confidence')
    if run['host'] != 'WKSTN-042': bad.append('FQDN host not joined: ' + run['host'])
    if 'Sigma rule over hive state' not in run['reasons']: bad.append('sigma not merged')
ro = one(lambda x: x['value_name'] == 'Cleanup', 'RunOnce\\Cleanup')
if ro:
    if ro.get('fusion_state') != 'gone': bad.append('Cleanup not gone')
    if ro['source'] != 'event': bad.append('Cleanup source ' + ro['source'])
    if ro['user'] != 'bob': bad.append('Cleanup user ' + ro['user'])
    if 'powershell.exe' not in ro.get('evidence', ''): bad.append('Cleanup tree')
clean = [x for x in f if x['host'] == 'CLEAN-PC']
if not clean or any('no Sysmon logs for host CLEAN-PC: uncorroborated' not in x['reasons']
                    for x in clean):
    bad.append('CLEAN-PC findings do not say uncorroborated')
if any(x.get('fusion_state') is None for x in f): bad.append('finding without fusion_state')
keys = [(x['host'], x['key_path'].upper(), x['value_name'].upper()) for x in f
        if x['source'] != 'kb' or True]
dup = {k for k in keys if keys.count(k) > 1 and k[1].endswith('\\RUN')}
if dup: bad.append('duplicates: %r' % dup)
for b in bad: print('FAIL', b)
sys.exit(1 if bad else 0)
PY
check "fused findings (confirmed, gone, uncorroborated, one finding per value)" [ $? -eq 0 ]
"$RH" hunt collection events.ndjson -r rules --plan plan.yml --format json > out.json 2>/dev/null
check "json plan object" grep -q '"plan": {"hypothesis":"An intruder' out.json
check "json coverage gap" grep -q 'no Sysmon logs for host CLEAN-PC' out.json
"$RH" hunt collection events.ndjson -r rules --plan plan.yml --format json > out2.json 2>/dev/null
check "deterministic" cmp -s out.json out2.json
"$RH" hunt collection events.ndjson --from 2026-11-19T06:04:00Z --to 2026-11-19T06:04:30Z \
    --window-only --format jsonl > win.jsonl 2>/dev/null
check "window-only lists only findings inside the window" \
    sh -c '[ -s win.jsonl ] && ! grep -v "\"in_window\":true" win.jsonl | grep -q .'
"$RH" hunt collection events.ndjson -r rules --rules-strict > /dev/null 2>&1
check "--rules-strict exits 4" [ $? -eq 4 ]
"$RH" hunt events.ndjson --format jsonl > only.jsonl 2>/dev/null
check "events without hives: event-only" grep -q '"fusion_state":"event-only"' only.jsonl
# HKCU\... writes (Sysmon logs no SID) merge with the writer's user hive: by the event's User
# (CORP\bob -> bob's NTUSER.DAT, SID from ProfileList), or, when the event names no user, with
# the only user hive of the host holding the value (reason says the user was inferred). A
# named writer's HKCU value absent from the hive is "gone" under that user's HKU\<SID> key.
python3 - <<'PY'
import json
base = {"SourceName": "Microsoft-Windows-Sysmon", "Channel": "Microsoft-Windows-Sysmon/Operational",
        "Hostname": "WKSTN-042.corp.local", "EventID": 13, "UserID": "S-1-5-18",
        "EventType": "SetValue", "ProcessGuid": "{6a1c0f1e-0003-0000-0000-000000000003}",
        "ProcessId": "5200",
        "Image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"}
run = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\"
with open('hkcu.ndjson', 'w', encoding='utf-8') as f:
    for i, (value, user) in enumerate([("\u0000WindowsDefender", "CORP\\bob"),
                                       ("WinUpdate", "CORP\\bob"), ("OneDrive", None),
                                       ("Ghost", "CORP\\bob")]):
        e = dict(base, TimeCreated="2026-11-19T06:05:%02d.000Z" % i,
                 UtcTime="2026-11-19 06:05:%02d.000" % i, RecordNumber=300 + i,
                 TargetObject=run + value, Details="C:\\Users\\Public\\x%d.exe" % i)
        if user:
            e["User"] = user
        f.write(json.dumps(e) + "\n")
PY
"$RH" hunt collection events.ndjson hkcu.ndjson --min-risk info --format jsonl > hkcu.jsonl \
    2>/dev/null
python3 - hkcu.jsonl <<'PY'
import json, sys
f = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
bob = 'S-1-5-21-3623811015-3361044348-30300820-1013'
bad = []
for value, inferred in (('\x00WindowsDefender', False), ('WinUpdate', False), ('OneDrive', True)):
    m = [x for x in f if x['host'] == 'WKSTN-042' and x['value_name'] == value]
    if len(m) != 1:
        bad.append('%r: %d findings (HKCU write not merged)' % (value, len(m)))
        continue
    x = m[0]
    if x['source'] != 'kb' or x['user_sid'] != bob or x.get('fusion_state') != 'confirmed':
        bad.append('%r: %s %s %s' % (value, x['source'], x['user_sid'], x.get('fusion_state')))
    if ('user inferred' in x['reasons']) != inferred:
        bad.append('%r: inferred reason %s' % (value, 'missing' if inferred else 'unexpected'))
g = [x for x in f if x['value_name'] == 'Ghost']
if len(g) != 1 or g[0]['key_path'] != 'HKU\\' + bob + '\\Software\\Microsoft\\Windows\\CurrentVersion\\Run' \
        or g[0].get('fusion_state') != 'gone' or g[0]['user'] != 'bob':
    bad.append('Ghost not attributed to bob: %r' % [(x['key_path'], x.get('fusion_state')) for x in g])
if any(x['key_path'].upper().startswith('HKCU') for x in f):
    bad.append('a finding kept an HKCU key')
for b in bad: print('FAIL', b)
sys.exit(1 if bad else 0)
PY
check "HKCU writes merge with the user hive (named and inferred user)" [ $? -eq 0 ]
# A per-user COM hijack written as the default InprocServer32 value, from events alone, in
# every spelling of the default value: Sysmon "(Default)", a brace-spelled "{Default}", a
# trailing backslash (empty value name), and Security 4657 with ObjectValueName "(Default)".
python3 - <<'PY'
import json
sid = "S-1-5-21-1-2-3-1001"
sysmon = {"SourceName": "Microsoft-Windows-Sysmon", "Channel": "Microsoft-Windows-Sysmon/Operational",
          "Hostname": "WKSTN-9", "EventID": 13, "EventType": "SetValue", "User": "CORP\\eve",
          "ProcessGuid": "{6a1c0f1e-0009-0000-0000-000000000009}", "ProcessId": "6100",
          "Image": "C:\\Windows\\System32\\reg.exe"}
clsids = ["{b5f8350b-0548-48b1-a6ee-88bd00b4a5e7}", "{BCDE0395-E52F-467C-8E3D-C4579291692E}",
          "{42aedc87-2188-41fd-b9a3-0c966feabec1}", "{4590F811-1D3A-11D0-891F-00AA004B2E24}"]
with open('com.ndjson', 'w', encoding='utf-8') as f:
    for i, (c, tail) in enumerate(zip(clsids[:3], ["\\(Default)", "\\{Default}", "\\"])):
        e = dict(sysmon, TimeCreated="2026-11-19T07:00:%02d.000Z" % i, RecordNumber=900 + i,
                 UtcTime="2026-11-19 07:00:%02d.000" % i,
                 TargetObject="HKU\\%s_Classes\\CLSID\\%s\\InprocServer32%s" % (sid, c, tail),
                 Details="C:\\Users\\eve\\AppData\\Roaming\\c%d.dll" % i)
        f.write(json.dumps(e) + "\n")
    f.write(json.dumps({"SourceName": "Microsoft-Windows-Security-Auditing", "Channel": "Security",
                        "Hostname": "WKSTN-9", "EventID": 4657, "RecordNumber": 950,
                        "TimeCreated": "2026-11-19T07:01:00.000Z", "SubjectUserSid": sid,
                        "SubjectUserName": "eve", "OperationType": "%%1905",
                        "ObjectName": "\\REGISTRY\\USER\\%s_Classes\\CLSID\\%s\\InprocServer32" % (sid, clsids[3]),
                        "ObjectValueName": "(Default)", "NewValue": "C:\\Users\\eve\\AppData\\Roaming\\c3.dll",
                        "ProcessName": "C:\\Windows\\System32\\reg.exe"}) + "\n")
PY
"$RH" hunt com.ndjson --min-risk info --format jsonl > com.jsonl 2>/dev/null
python3 - com.jsonl <<'PY'
import json, sys
f = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
bad = []
for c in ("{b5f8350b-0548-48b1-a6ee-88bd00b4a5e7}", "{BCDE0395-E52F-467C-8E3D-C4579291692E}",
          "{42aedc87-2188-41fd-b9a3-0c966feabec1}", "{4590F811-1D3A-11D0-891F-00AA004B2E24}"):
    m = [x for x in f if c.upper() in x['key_path'].upper()]
    if len(m) != 1:
        bad.append('%s: %d findings' % (c, len(m)))
        continue
    x = m[0]
    if x['location_id'] != 'com_hkcu_inprocserver32' or x['value_name'] != '' \
            or x['risk'] not in ('Medium', 'High', 'Critical') or x.get('fusion_state') != 'event-only':
        bad.append('%s: %s %r %s %s' % (c, x['location_id'], x['value_name'], x['risk'],
                                        x.get('fusion_state')))
for b in bad: print('FAIL', b)
sys.exit(1 if bad else 0)
PY
check "default-value COM hijack from events alone, every spelling" [ $? -eq 0 ]
# Findings made from events are judged against the host's build like hive findings: the
# Windows 7 Sidebar Run value is a default only on Vista/7, and WKSTN-042 is Windows 10.
python3 - <<'PY'
import json
e = {"SourceName": "Microsoft-Windows-Sysmon", "Channel": "Microsoft-Windows-Sysmon/Operational",
     "Hostname": "WKSTN-042", "EventID": 13, "EventType": "SetValue", "User": "CORP\\bob",
     "ProcessGuid": "{6a1c0f1e-0009-0000-0000-00000000000a}", "ProcessId": "6100",
     "Image": "C:\\Windows\\System32\\reg.exe", "TimeCreated": "2026-11-19T07:00:00.000Z",
     "RecordNumber": 990, "UtcTime": "2026-11-19 07:00:00.000",
     "TargetObject": "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Sidebar",
     "Details": "%ProgramFiles%\\Windows Sidebar\\Sidebar.exe /autoRun"}
open('sidebar.ndjson', 'w', encoding='utf-8').write(json.dumps(e) + "\n")
PY
"$RH" hunt collection sidebar.ndjson --min-risk info --format jsonl 2>/dev/null |
    grep '"value_name":"Sidebar"' > sidebar.jsonl
check "event finding judged by the host's build (Win7 default on Win10 is not a default)" \
    sh -c '[ "$(wc -l < sidebar.jsonl)" -eq 1 ] && ! grep -q "matches the Windows default" sidebar.jsonl'
"$RH" hunt sidebar.ndjson --min-risk info --format jsonl 2>/dev/null |
    grep '"value_name":"Sidebar"' > sidebar2.jsonl
check "event-only finding of an unknown build accepts every family's defaults" \
    grep -q "matches the Windows default" sidebar2.jsonl
# A Sysmon NDJSON export that names the channel but no provider (SourceName/Provider absent)
# is Sysmon to the hunt exactly as to the evidence index: the write makes an event-only
# finding backed by one write event, and with no hive the hunt ids carry the event's date.
python3 - <<'PY'
import json
e = {"Channel": "Microsoft-Windows-Sysmon/Operational", "Hostname": "WKSTN-7", "EventID": 13,
     "EventType": "SetValue", "User": "CORP\\bob",
     "ProcessGuid": "{6a1c0f1e-0009-0000-0000-00000000000a}", "ProcessId": "6100",
     "Image": "C:\\Users\\Public\\dropper.exe", "TimeCreated": "2026-11-19T07:00:00.000Z",
     "RecordNumber": 5, "UtcTime": "2026-11-19 07:00:00.000",
     "TargetObject": "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater",
     "Details": "C:\\Users\\Public\\upd.exe"}
open('chan.ndjson', 'w', encoding='utf-8').write(json.dumps(e) + "\n")
PY
"$RH" hunt chan.ndjson --min-risk info --format jsonl > chan.jsonl 2>/dev/null
check "Sysmon by channel alone: event-only finding with its write event" \
    sh -c 'grep "\"value_name\":\"Updater\"" chan.jsonl | grep "\"fusion_state\":\"event-only\"" |
           grep -q "1 write event"'
check "events-only hunt ids are dated by the newest event" \
    grep -q '"hunt_id":"TH-HUNTIN-20261119-001"' chan.jsonl
# --allowlist applies to event-only findings as to hive findings (hunt_known_mark).
printf 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\tUpdater\n' > allow.tsv
"$RH" hunt chan.ndjson --min-risk info --format jsonl --allowlist allow.tsv > chan2.jsonl 2>/dev/null
check "the allowlist marks an event-only finding known-good" \
    sh -c 'grep "\"value_name\":\"Updater\"" chan2.jsonl | grep -q "\"known_good\":\[\"allowlist\"\]"'
check "without the allowlist the event-only finding is not known-good" \
    sh -c 'grep "\"value_name\":\"Updater\"" chan.jsonl | grep -q "\"known_good\":\[\]"'
echo "hunt_fused: $fail failed"
[ $fail -eq 0 ]
