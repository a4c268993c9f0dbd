#!/usr/bin/env python3
"""Convert Sysmon events (the JSON Lines of `reghunt events`) into the EDR and SIEM export
shapes reghunt reads (docs/events.md), written from the public schemas:

  mde-csv       Defender Advanced Hunting portal CSV (union of DeviceRegistryEvents,
                DeviceProcessEvents, DeviceNetworkEvents, DeviceFileEvents columns)
  mde-stream    Defender streaming API / Event Hub: {"records":[{"time","category":
                "AdvancedHunting-<Table>","properties":{...}}]} one message per line
  falcon        CrowdStrike Falcon (FDR NDJSON): RegGenericValueUpdate / AsepValueUpdate with
                \\REGISTRY\\ paths and RegOperationType / RegType codes, ProcessRollup2
  falcon-csv    the same events as an Event Search CSV export (``_decimal`` columns)
  s1-csv        SentinelOne Deep Visibility CSV (RegistryKeyPath, RegistryValue, SrcProc*)
  s1-json       SentinelOne PowerQuery / SDL JSON (registry.keyPath, src.process.*)
  splunk-json   `splunk search ... -output json` rows ({"preview","result":{...,"_raw"}})
  splunk-raw    the same with only Splunk's own fields and the XML in _raw
  splunk-csv    Splunk CSV export (EventCode, TargetObject, Details, Image, ...)

Usage: edr_export.py SHAPE < events.jsonl > export
Only Sysmon events are converted: 12/13/14 (registry), and where the shape has them 1
(process), 3 (network), 11 (file). Writer processes get the ids each product uses.
"""
import csv
import hashlib
import io
import json
import sys
from datetime import datetime, timezone
from xml.sax.saxutils import escape

SYSMON = 'Microsoft-Windows-Sysmon'


def fields(ev):
    return {f['name']: f['value'] for f in ev['fields']}


def h(*parts, n=16):
    return hashlib.sha256('\n'.join(str(p) for p in parts).encode()).hexdigest()[:n]


def base(path):
    return path.replace('/', '\\').rsplit('\\', 1)[-1] if path else ''


def split_user(u):
    if u and '\\' in u:
        d, n = u.split('\\', 1)
        return d, n
    return '', u or ''


def when(ev):
    """The action's time: Sysmon's UtcTime (what the products record), else the log time."""
    u = fields(ev).get('UtcTime')
    return sysmon_utc_to_iso(u) if u else ev['time']


def sysmon_utc_to_iso(s):
    # "2020-10-23 21:57:36.375" -> "2020-10-23T21:57:36.375Z"
    return s.replace(' ', 'T') + 'Z' if s else ''


def epoch(t):
    d = datetime.strptime(t.rstrip('Z')[:26], '%Y-%m-%dT%H:%M:%S.%f').replace(tzinfo=timezone.utc)
    return d.timestamp()


def split_target(target, value_event):
    """Sysmon TargetObject -> (key, value name); the default value has an empty name."""
    if not value_event:
        return target, None
    key, _, name = target.rpartition('\\')
    if name == '(Default)':
        name = ''
    return key, name


def hive_long(path, user_form='HKEY_CURRENT_USER'):
    """Sysmon's HKLM\\ / HKU\\ form -> MDE's HKEY_* form (ControlSet001 for the current set)."""
    up = path.upper()
    if up.startswith('HKLM\\'):
        rest = path[5:]
        if rest.upper().startswith('SYSTEM\\CURRENTCONTROLSET'):
            rest = rest[:7] + 'ControlSet001' + rest[24:]
        return 'HKEY_LOCAL_MACHINE\\' + rest
    if up.startswith('HKU\\'):
        rest = path[4:]
        if rest.upper().startswith('S-1-5-21-'):
            return user_form + '\\' + rest
        return 'HKEY_USERS\\' + rest
    if up.startswith('HKCR\\'):
        return 'HKEY_CLASSES_ROOT\\' + path[5:]
    if up.startswith('HKCU\\'):
        return 'HKEY_CURRENT_USER\\' + path[5:]
    return path


def hive_nt(path, machine='\\REGISTRY\\MACHINE', user='\\REGISTRY\\USER'):
    up = path.upper()
    if up.startswith('HKLM\\'):
        rest = path[5:]
        if rest.upper().startswith('SYSTEM\\CURRENTCONTROLSET'):
            rest = rest[:7] + 'ControlSet001' + rest[24:]
        return machine + '\\' + rest
    if up.startswith('HKU\\'):
        return user + '\\' + path[4:]
    return path


def data_of(details):
    """Sysmon Details -> (REG_* type number, text, number or None)."""
    if details.startswith('DWORD (0x') and details.endswith(')'):
        return 4, '', int(details[9:-1], 16)
    if details.startswith('QWORD (0x') and details.endswith(')'):
        hi, lo = details[9:-1].split('-0x')
        return 11, '', (int(hi, 16) << 32) | int(lo, 16)
    if details == 'Binary Data':
        return 3, '', None
    if details == '(Empty)':
        return 1, '', None
    return 1, details, None


MDE_TYPES = {1: 'String', 3: 'Binary', 4: 'Dword', 11: 'QWord'}
MDE_ACTIONS = {'SetValue': 'RegistryValueSet', 'CreateKey': 'RegistryKeyCreated',
               'DeleteKey': 'RegistryKeyDeleted', 'DeleteValue': 'RegistryValueDeleted',
               'RenameKey': 'RegistryKeyRenamed'}
CS_OPS = {'SetValue': 1, 'DeleteValue': 2, 'CreateKey': 3, 'DeleteKey': 4, 'RenameKey': 7}


class Procs:
    """Start time of each Sysmon process (its event 1), else one made up from its GUID."""

    def __init__(self, events):
        self.start = {}
        for ev in events:
            if ev['event_id'] == 1:
                f = fields(ev)
                self.start[f.get('ProcessGuid', '')] = sysmon_utc_to_iso(f.get('UtcTime', ''))

    def start_of(self, guid):
        if guid in self.start and self.start[guid]:
            return self.start[guid]
        s = int(h(guid, n=8), 16) % 86400
        return '2000-01-01T%02d:%02d:%02d.000Z' % (s // 3600, s // 60 % 60, s % 60)


def falcon_id(ev, guid):
    # per log: the sample logs were recorded on snapshots of the same machines, and some
    # reuse a ProcessGuid for another process; Falcon's ids are unique
    return str(int(h(ev['computer'], ev['source'], guid, n=15), 16))


# ---- Defender ---------------------------------------------------------------------------

def mde_record(ev, procs):
    f = fields(ev)
    host = ev['computer'] or ''
    eid = ev['event_id']
    dom, name = split_user(f.get('User', ''))
    r = {'Timestamp': when(ev), 'DeviceId': h(host, n=40), 'DeviceName': host,
         'ReportId': ev['record_id']}
    init = {'InitiatingProcessId': f.get('ProcessId', ''),
            'InitiatingProcessCreationTime': procs.start_of(f.get('ProcessGuid', '')),
            'InitiatingProcessFolderPath': f.get('Image', ''),
            'InitiatingProcessFileName': base(f.get('Image', '')),
            'InitiatingProcessAccountDomain': dom, 'InitiatingProcessAccountName': name}
    if eid in (12, 13, 14):
        et = f.get('EventType', 'SetValue')
        value_ev = et in ('SetValue', 'DeleteValue')
        key, vname = split_target(f.get('TargetObject', ''), value_ev)
        r['ActionType'] = MDE_ACTIONS.get(et, 'RegistryValueSet')
        r.update(init)
        if et == 'RenameKey':
            r['PreviousRegistryKey'] = hive_long(key)
            r['RegistryKey'] = hive_long(f.get('NewName', ''))
        elif et in ('DeleteKey', 'DeleteValue'):
            r['PreviousRegistryKey'] = hive_long(key)
            r['RegistryKey'] = ''
            if vname is not None:
                r['PreviousRegistryValueName'] = vname
        else:
            r['RegistryKey'] = hive_long(key)
            if vname is not None:
                r['RegistryValueName'] = vname
        if et == 'SetValue':
            t, text, num = data_of(f.get('Details', ''))
            r['RegistryValueType'] = MDE_TYPES[t]
            r['RegistryValueData'] = str(num) if num is not None else text
        return 'DeviceRegistryEvents', r
    if eid == 1:
        pdom, pname = split_user(f.get('User', ''))
        hashes = dict(x.split('=', 1) for x in f.get('Hashes', '').split(',') if '=' in x)
        r.update({'ActionType': 'ProcessCreated', 'FolderPath': f.get('Image', ''),
                  'FileName': base(f.get('Image', '')),
                  'ProcessCommandLine': f.get('CommandLine', ''),
                  'ProcessId': f.get('ProcessId', ''),
                  'ProcessCreationTime': procs.start_of(f.get('ProcessGuid', '')),
                  'AccountDomain': pdom, 'AccountName': pname,
                  'ProcessIntegrityLevel': f.get('IntegrityLevel', ''),
                  'SHA1': hashes.get('SHA1', ''), 'MD5': hashes.get('MD5', ''),
                  'SHA256': hashes.get('SHA256', ''),
                  'InitiatingProcessId': f.get('ParentProcessId', ''),
                  'InitiatingProcessCreationTime': procs.start_of(f.get('ParentProcessGuid', '')),
                  'InitiatingProcessFolderPath': f.get('ParentImage', ''),
                  'InitiatingProcessFileName': base(f.get('ParentImage', '')),
                  'InitiatingProcessCommandLine': f.get('ParentCommandLine', '')})
        return 'DeviceProcessEvents', r
    if eid == 3:
        out = f.get('Initiated', 'true') == 'true'
        r['ActionType'] = 'ConnectionSuccess' if out else 'InboundConnectionAccepted'
        r.update(init)
        r.update({'Protocol': f.get('Protocol', ''), 'LocalIP': f.get('SourceIp', ''),
                  'LocalPort': f.get('SourcePort', ''), 'RemoteIP': f.get('DestinationIp', ''),
                  'RemotePort': f.get('DestinationPort', ''),
                  'RemoteUrl': f.get('DestinationHostname', '')})
        return 'DeviceNetworkEvents', r
    if eid == 11:
        r['ActionType'] = 'FileCreated'
        r.update(init)
        r.update({'FolderPath': f.get('TargetFilename', ''),
                  'FileName': base(f.get('TargetFilename', ''))})
        return 'DeviceFileEvents', r
    return None, None


# ---- CrowdStrike Falcon --------------------------------------------------------------------

def falcon_record(ev, procs, suffix=''):
    f = fields(ev)
    host = ev['computer'] or ''
    eid = ev['event_id']
    t = epoch(when(ev))
    r = {'aid': h(host, n=32), 'ComputerName': host, 'timestamp': str(int(t * 1000)),
         'ContextTimeStamp': '%.3f' % t, 'event_platform': 'Win'}
    if eid in (12, 13, 14):
        et = f.get('EventType', 'SetValue')
        value_ev = et in ('SetValue', 'DeleteValue')
        key, vname = split_target(f.get('TargetObject', ''), value_ev)
        r['event_simpleName'] = ('AsepValueUpdate' if '\\currentversion\\run' in key.lower()
                                 else 'RegGenericValueUpdate')
        r['ContextProcessId' + suffix] = falcon_id(ev, f.get('ProcessGuid', ''))
        r['RegObjectName'] = hive_nt(key)
        r['RegValueName'] = vname or ''
        r['RegOperationType' + suffix] = str(CS_OPS.get(et, 1))
        r['UserName'] = split_user(f.get('User', ''))[1]
        if et == 'SetValue':
            typ, text, num = data_of(f.get('Details', ''))
            r['RegType' + suffix] = str(typ)
            if num is not None:
                r['RegNumericValue' + suffix] = str(num)
            elif typ == 1:
                r['RegStringValue'] = text
            else:
                r['RegBinaryValue'] = ''
        return r
    if eid == 1:
        r.update({'event_simpleName': 'ProcessRollup2',
                  'TargetProcessId' + suffix: falcon_id(ev, f.get('ProcessGuid', '')),
                  'ParentProcessId' + suffix: falcon_id(ev, f.get('ParentProcessGuid', '')),
                  'RawProcessId' + suffix: f.get('ProcessId', ''),
                  'ImageFileName': f.get('Image', ''), 'CommandLine': f.get('CommandLine', ''),
                  'UserName': split_user(f.get('User', ''))[1],
                  'ParentBaseFileName': base(f.get('ParentImage', ''))})
        return r
    return None


# ---- SentinelOne --------------------------------------------------------------------------

S1_TYPES = {'SetValue': 'Registry Value Modified', 'CreateKey': 'Registry Key Create',
            'DeleteKey': 'Registry Key Delete', 'DeleteValue': 'Registry Value Delete',
            'RenameKey': 'Registry Key Rename'}


def s1_record(ev, procs):
    f = fields(ev)
    if ev['event_id'] not in (12, 13, 14):
        return None
    host = ev['computer'] or ''
    et = f.get('EventType', 'SetValue')
    value_ev = et in ('SetValue', 'DeleteValue')
    key, vname = split_target(f.get('TargetObject', ''), value_ev)
    path = hive_nt(key, 'MACHINE', 'USER') + ('\\' + vname if vname is not None else '')
    value = vtype = ''
    if et == 'SetValue':
        typ, text, num = data_of(f.get('Details', ''))
        value = str(num) if num is not None else text
        vtype = {1: 'REG_SZ', 3: 'REG_BINARY', 4: 'REG_DWORD', 11: 'REG_QWORD'}[typ]
    return {'RegistryValueType': vtype,'EventTime': when(ev), 'EndpointName': host, 'ObjectType': 'Registry',
            'EventType': S1_TYPES.get(et, 'Registry Value Modified'),
            'RegistryKeyPath': path, 'RegistryValue': value,
            'SrcProcImagePath': f.get('Image', ''), 'SrcProcPid': f.get('ProcessId', ''),
            'SrcProcStorylineId': h(host, f.get('ProcessGuid', ''), n=16).upper(),
            'SrcProcUser': f.get('User', '')}


def s1_pq(r):
    return {'event': {'category': 'Registry', 'type': r['EventType'], 'time': r['EventTime']},
            'endpoint': {'name': r['EndpointName'], 'os': 'windows'},
            'registry': {'keyPath': r['RegistryKeyPath'], 'value': r['RegistryValue'],
                         'valueType': r['RegistryValueType']},
            'src': {'process': {'image': {'path': r['SrcProcImagePath']},
                                'pid': r['SrcProcPid'], 'user': r['SrcProcUser'],
                                'storyline': {'id': r['SrcProcStorylineId']}}}}


# ---- Splunk ---------------------------------------------------------------------------------

def xml_event(ev, f):
    data = ''.join("<Data Name='%s'>%s</Data>" % (escape(k, {"'": '&apos;'}), escape(v))
                   for k, v in f.items())
    return ("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
            "<Provider Name='%s'/><EventID>%d</EventID><EventRecordID>%d</EventRecordID>"
            "<Channel>%s</Channel><Computer>%s</Computer></System><EventData>%s</EventData>"
            "</Event>" % (SYSMON, ev['event_id'], ev['record_id'], escape(ev['channel'] or ''),
                          escape(ev['computer'] or ''), data))


def splunk_record(ev, raw_only=False):
    f = fields(ev)
    r = {'_time': ev['time'][:23] + '+00:00', 'host': ev['computer'] or '',
         'source': 'XmlWinEventLog:' + (ev['channel'] or ''), 'sourcetype': 'XmlWinEventLog',
         'index': 'main', 'EventCode': str(ev['event_id']), 'Computer': ev['computer'] or '',
         'RecordNumber': str(ev['record_id']), '_raw': xml_event(ev, f)}
    if not raw_only:
        r.update(f)
    return r


# ---- output ---------------------------------------------------------------------------------

def write_csv(rows, out):
    cols = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    w = csv.DictWriter(out, fieldnames=cols, lineterminator='\r\n', extrasaction='ignore')
    w.writeheader()
    for r in rows:
        w.writerow({k: r.get(k, '') for k in cols})


def main():
    shape = sys.argv[1]
    events = [json.loads(l) for l in sys.stdin if l.strip()]
    events = [e for e in events if e['provider'] == SYSMON]
    procs = Procs(events)
    out = io.TextIOWrapper(sys.stdout.buffer, encoding='utf-8', newline='')
    if shape in ('mde-csv', 'mde-stream'):
        recs = [mde_record(e, procs) for e in events]
        recs = [(t, r) for t, r in recs if t]
        if shape == 'mde-csv':
            write_csv([r for _, r in recs], out)
        else:
            for i in range(0, len(recs), 3):  # a few records per Event Hub message
                msg = {'records': [{'time': r['Timestamp'], 'tenantId': h('tenant', n=32),
                                    'operationName': 'Publish',
                                    'category': 'AdvancedHunting-' + t, 'properties': r}
                                   for t, r in recs[i:i + 3]]}
                out.write(json.dumps(msg) + '\n')
    elif shape in ('falcon', 'falcon-csv'):
        sfx = '_decimal' if shape == 'falcon-csv' else ''
        recs = []
        seen = {(e['source'], fields(e).get('ProcessGuid')) for e in events if e['event_id'] == 1}
        for e in events:
            f = fields(e)
            g = (e['source'], f.get('ProcessGuid', ''))
            if e['event_id'] in (12, 13, 14) and g[1] and g not in seen and f.get('Image'):
                # a process that was running before the log began: Falcon reports it with a
                # SyntheticProcessRollup2
                seen.add(g)
                syn = dict(e, event_id=1, fields=[{'name': 'ProcessGuid', 'value': g[1]},
                                                  {'name': 'ProcessId', 'value': f.get('ProcessId', '')},
                                                  {'name': 'Image', 'value': f['Image']}])
                r = falcon_record(syn, procs, sfx)
                r['event_simpleName'] = 'SyntheticProcessRollup2'
                recs.append(r)
            r = falcon_record(e, procs, sfx)
            if r:
                recs.append(r)
        if shape == 'falcon-csv':
            write_csv(recs, out)
        else:
            for r in recs:
                out.write(json.dumps(r) + '\n')
    elif shape in ('s1-csv', 's1-json'):
        recs = [r for r in (s1_record(e, procs) for e in events) if r]
        if shape == 's1-csv':
            write_csv(recs, out)
        else:
            json.dump([s1_pq(r) for r in recs], out, indent=1)
    elif shape in ('splunk-json', 'splunk-raw'):
        for i, e in enumerate(events):
            out.write(json.dumps({'preview': False, 'offset': i,
                                  'result': splunk_record(e, shape == 'splunk-raw')}) + '\n')
    elif shape == 'splunk-csv':
        recs = [splunk_record(e) for e in events]
        for r in recs:
            del r['_raw']
        write_csv(recs, out)
    else:
        sys.exit('unknown shape: ' + shape)
    out.flush()


if __name__ == '__main__':
    main()
