#!/usr/bin/env python3
"""Generate `reghunt hunt -f jsonl` output for a fleet of N hosts (for `reghunt stack`).

Usage: gen_fleet.py N OUTDIR [SEED]

Writes OUTDIR/hosts/HOST-NNNNN.jsonl (every 7th host gzip-compressed as .jsonl.gz, one file
with a malformed line) and OUTDIR/expect.tsv, the rows a correct stack must produce:

    plant   <rank> <location_id> <value_name> <hosts>   the three planted values, in rank order
    benign  -      <location_id> <value_name> <hosts>   each must be exactly one row

Variation, all deterministic from SEED: 1-3 users per host with real-looking profile names
(some on D:), OneDrive per-user Run values written with the profile path or %LOCALAPPDATA%,
OneDrive's versioned FileSyncShell64.dll COM server, classic Teams with Update.exe and
versioned or `current` folders, Edge's per-user MicrosoftEdgeAutoLaunch_<hash> value, a
Package Cache RunOnce under a per-host {GUID} folder, a versioned Google Update service, vendor
agents (one that the hunt scores High on every host), Windows defaults (Info), and a few
optional applications on part of the fleet. Plants: upd.exe under two different users on two
hosts (Medium), an IFEO sethc.exe debugger on one host (Critical), a Winlogon Userinit
addition on one host (High).
"""
import gzip
import json
import os
import random
import sys

FIRST = ["anna", "bob", "carlos", "dana", "erik", "fatima", "george", "hana", "ivan", "julia",
         "kenji", "lena", "mohammed", "nora", "oliver", "priya", "quentin", "rosa", "sven",
         "tomas", "uma", "victor", "wei", "xenia", "yusuf", "zoe"]
LAST = ["smith", "mueller", "garcia", "kowalski", "nguyen", "rossi", "tanaka", "olsen"]

TECH = {
    "run_hkcu": ("T1547.001", "Registry Run Keys / Startup Folder", "NTUSER"),
    "run_hklm": ("T1547.001", "Registry Run Keys / Startup Folder", "SOFTWARE"),
    "runonce_hklm": ("T1547.001", "Registry Run Keys / Startup Folder", "SOFTWARE"),
    "svc_imagepath": ("T1543.003", "Windows Service", "SYSTEM"),
    "winlogon_userinit": ("T1547.004", "Winlogon Helper DLL", "SOFTWARE"),
    "winlogon_shell": ("T1547.004", "Winlogon Helper DLL", "SOFTWARE"),
    "ifeo_debugger": ("T1546.012", "Image File Execution Options Injection", "SOFTWARE"),
    "com_hkcu_inprocserver32": ("T1546.015", "Component Object Model Hijacking", "USRCLASS"),
}

RUN = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run"


def finding(host, lid, key, name, data, risk, user="", sid="", klw=None, target=""):
    tech, tech_name, hive = TECH[lid]
    return {
        "hunt_id": "TH-HUNTIN-20261120-001", "source": "kb", "technique": tech,
        "technique_name": tech_name, "location_id": lid, "host": host, "user": user,
        "user_sid": sid, "source_file": host + "/" + hive, "hive": hive, "key_path": key,
        "value_name": name, "value_type": "REG_SZ", "value_data": data,
        "key_last_write": klw, "target_path": target, "path_class": "",
        "risk": risk, "confidence": "Medium", "reasons": "generated", "action": "Monitoring",
        "recommended_action": "Monitoring", "deleted": False, "from_log_replay": False,
        "hidden_name": False, "is_default": risk == "Info", "known_good": [],
    }


def klw(rng):
    return "2026-%02d-%02dT%02d:%02d:%02d.0000000Z" % (
        rng.randint(1, 11), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59),
        rng.randint(0, 59))


def rand_hex(rng, n):
    return "".join(rng.choice("0123456789ABCDEF") for _ in range(n))


def rand_guid(rng):
    h = rand_hex(rng, 32)
    return "{%s-%s-%s-%s-%s}" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def host_rows(rng, host, counts):
    rows = []
    nusers = rng.choice([1, 1, 1, 2, 3])
    drive = "D" if rng.random() < 0.05 else "C"
    for u in range(nusers):
        name = rng.choice(FIRST) + (("." + rng.choice(LAST)) if rng.random() < 0.5 else "")
        if u and rng.random() < 0.3:
            name += str(rng.randint(2, 99))
        sid = "S-1-5-21-%d-%d-%d-%d" % (rng.randint(10**8, 4 * 10**9), rng.randint(10**8, 4 * 10**9),
                                        rng.randint(10**8, 4 * 10**9), 1000 + u)
        prof = "%s:\\Users\\%s" % (drive, name)
        run = "HKU\\%s\\Software\\Microsoft\\Windows\\CurrentVersion\\Run" % sid
        local = prof + "\\AppData\\Local" if rng.random() < 0.7 else "%LOCALAPPDATA%"
        od = '"%s\\Microsoft\\OneDrive\\OneDrive.exe" /background' % local
        rows.append(finding(host, "run_hkcu", run, "OneDrive", od, "Low", name, sid, klw(rng)))
        counts.setdefault(("run_hkcu", "OneDrive"), set()).add(host)
        ver = rng.choice(["22.131.0703.0002", "23.048.0305.0001", "24.010.0114.0003"])
        dll = "%s\\AppData\\Local\\Microsoft\\OneDrive\\%s\\FileSyncShell64.dll" % (prof, ver)
        clsid = "{CB3D0F55-BC2C-4C1A-85ED-23ED75B5106B}"
        rows.append(finding(host, "com_hkcu_inprocserver32",
                            "HKU\\%s_Classes\\CLSID\\%s\\InprocServer32" % (sid, clsid), "", dll,
                            "Low", name, sid, klw(rng)))
        counts.setdefault(("com_hkcu_inprocserver32", ""), set()).add(host)
        if rng.random() < 0.6:
            upd = ('%s\\AppData\\Local\\Microsoft\\Teams\\Update.exe --processStart "Teams.exe" '
                   '--process-start-args "--profile=AAD"' % prof)
            rows.append(finding(host, "run_hkcu", run, "com.squirrel.Teams.Teams", upd, "Low",
                                name, sid, klw(rng)))
            counts.setdefault(("run_hkcu", "com.squirrel.Teams.Teams"), set()).add(host)
            tver = rng.choice(["current", "1.5.00.12345", "1.6.00.4472", "current"])
            rows.append(finding(host, "run_hkcu", run, "TeamsMachineUninstaller",
                                "%s\\AppData\\Local\\Microsoft\\Teams\\%s\\Teams.exe --uninstall"
                                % (prof, tver), "Low", name, sid, klw(rng)))
            counts.setdefault(("run_hkcu", "TeamsMachineUninstaller"), set()).add(host)
        edge = ('"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe" '
                '--no-startup-window --win-session-start /prefetch:5')
        rows.append(finding(host, "run_hkcu", run, "MicrosoftEdgeAutoLaunch_" + rand_hex(rng, 32),
                            edge, "Low", name, sid, klw(rng)))
        counts.setdefault(("run_hkcu", "MicrosoftEdgeAutoLaunch_<hex>"), set()).add(host)
    # machine-wide
    sec = ("%windir%\\system32\\SecurityHealthSystray.exe" if rng.random() < 0.5
           else "C:\\Windows\\system32\\SecurityHealthSystray.exe")
    rows.append(finding(host, "run_hklm", RUN, "SecurityHealth", sec, "Info", klw=klw(rng)))
    counts.setdefault(("run_hklm", "SecurityHealth"), set()).add(host)
    wl = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon"
    rows.append(finding(host, "winlogon_userinit", wl, "Userinit",
                        "C:\\Windows\\system32\\userinit.exe,", "Info", klw=klw(rng)))
    rows.append(finding(host, "winlogon_shell", wl, "Shell", "explorer.exe", "Info", klw=klw(rng)))
    counts.setdefault(("winlogon_shell", "Shell"), set()).add(host)
    agent = "powershell.exe -ExecutionPolicy Bypass -File C:\\ProgramData\\ITAgent\\check.ps1"
    rows.append(finding(host, "run_hklm", RUN, "ITAgentCheck", agent, "High", klw=klw(rng)))
    counts.setdefault(("run_hklm", "ITAgentCheck"), set()).add(host)
    gu = '"C:\\Program Files (x86)\\Google\\Update\\%s\\GoogleUpdateCore.exe"' % rng.choice(
        ["1.3.36.152", "1.3.36.312", "1.3.36.372"])
    rows.append(finding(host, "svc_imagepath",
                        "HKLM\\SYSTEM\\ControlSet001\\Services\\gupdate", "ImagePath", gu, "Low",
                        klw=klw(rng)))
    counts.setdefault(("svc_imagepath", "ImagePath"), set()).add(host)
    if rng.random() < 0.2:
        pc = '"C:\\ProgramData\\Package Cache\\%s\\VC_redist.x64.exe" /burn.runonce' % rand_guid(rng)
        rows.append(finding(host, "runonce_hklm", RUN + "Once", rand_guid(rng), pc, "Low",
                            klw=klw(rng)))
        counts.setdefault(("runonce_hklm", "<guid>"), set()).add(host)
    for name, data, share in [("Zoom", "C:\\Program Files\\Zoom\\bin\\Zoom.exe --autostart", 0.3),
                              ("Spotify", "%APPDATA%\\Spotify\\Spotify.exe /minimized", 0.15)]:
        if rng.random() < share:
            rows.append(finding(host, "run_hklm", RUN, name, data, "Low", klw=klw(rng)))
            counts.setdefault(("run_hklm", name), set()).add(host)
    return rows


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 12)
    hosts_dir = os.path.join(out, "hosts")
    os.makedirs(hosts_dir, exist_ok=True)
    hosts = ["HOST-%05d" % i for i in range(1, n + 1)]
    plant_hosts = rng.sample(hosts, 4)
    counts = {}
    plants = {
        plant_hosts[0]: [finding(plant_hosts[0], "ifeo_debugger",
                                 "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Image "
                                 "File Execution Options\\sethc.exe", "Debugger",
                                 "C:\\Windows\\System32\\cmd.exe", "Critical",
                                 klw="2026-11-19T06:05:47.0000000Z")],
        plant_hosts[1]: [finding(plant_hosts[1], "winlogon_userinit",
                                 "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon",
                                 "Userinit", "C:\\Windows\\system32\\userinit.exe,"
                                 "C:\\ProgramData\\svch0st.exe", "High",
                                 klw="2026-11-18T22:10:00.0000000Z")],
        plant_hosts[2]: [finding(plant_hosts[2], "run_hkcu", "HKU\\S-1-5-21-1-2-3-1001\\Software\\"
                                 "Microsoft\\Windows\\CurrentVersion\\Run", "upd",
                                 "C:\\Users\\bob\\AppData\\Roaming\\upd.exe", "Medium", "bob",
                                 klw="2026-11-17T09:00:00.0000000Z")],
        plant_hosts[3]: [finding(plant_hosts[3], "run_hkcu", "HKU\\S-1-5-21-4-5-6-1002\\Software\\"
                                 "Microsoft\\Windows\\CurrentVersion\\Run", "upd",
                                 "C:\\Users\\julia.rossi\\AppData\\Roaming\\upd.exe", "Medium",
                                 "julia.rossi", klw="2026-11-17T09:30:00.0000000Z")],
    }
    for i, host in enumerate(hosts):
        rows = host_rows(rng, host, counts) + plants.get(host, [])
        rng.shuffle(rows)
        text = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n"
                       for r in rows)
        if i == 3:
            text += '{"host": "HOST-BROKEN", "location_id": \n'  # one malformed line
        path = os.path.join(hosts_dir, host + ".jsonl")
        if i % 7 == 6:
            with gzip.open(path + ".gz", "wt", encoding="utf-8") as f:
                f.write(text)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    with open(os.path.join(out, "expect.tsv"), "w", encoding="utf-8") as f:
        f.write("plant\t1\tifeo_debugger\tDebugger\t1\n")
        f.write("plant\t2\twinlogon_userinit\tUserinit\t1\n")
        f.write("plant\t3\trun_hkcu\tupd\t2\n")
        for (lid, name), hs in sorted(counts.items()):
            f.write("benign\t-\t%s\t%s\t%d\n" % (lid, name, len(hs)))


if __name__ == "__main__":
    main()
