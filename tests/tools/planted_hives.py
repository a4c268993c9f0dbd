#!/usr/bin/env python3
"""Build the planted-hive collection from tests/data/planted/planted.tsv.

Every row becomes its own host (KAPE layout, host folder R<line>) holding the hives its plant
and its context need, generated with mkhive; rows flagged `deleted` are then rewritten with
hivexsh so the planted value only survives in a free cell. expect.tsv lists, per host, what the
hunt must report (tests/scripts/planted_hunt.sh checks it).

Usage: planted_hives.py MKHIVE PLANTED_TSV OUTDIR
"""
import os
import shutil
import subprocess
import sys

TS = '134100000000000000'  # 2025-12-12: fixed key time (no recency bonus: the header,
HDR = '134151840000000000'  # 2026-02-10, is 60 days later, as in a collection)
PATHS = {
    'SOFTWARE': 'C/Windows/System32/config/SOFTWARE',
    'SYSTEM': 'C/Windows/System32/config/SYSTEM',
    'NTUSER': 'C/Users/victim/NTUSER.DAT',
    'USRCLASS': 'C/Users/victim/AppData/Local/Microsoft/Windows/UsrClass.dat',
}
STRING_TYPES = {'REG_SZ', 'REG_EXPAND_SZ', 'REG_MULTI_SZ'}


def esc(s):
    """mkhive reads \\\\ as one backslash: escape every backslash of names and string data."""
    return s.replace('\\', '\\\\')


def value_line(key, name, typ, data, nul_prefix=False):
    n = esc(name) if name else '@'
    if nul_prefix:
        n = '\\x00' + esc(name)
    d = esc(data) if typ in STRING_TYPES else data
    return 'value\t%s\t%s\t%s\t%s\n' % (key, n, typ, d)


def main():
    mkhive, planted, out = sys.argv[1], sys.argv[2], sys.argv[3]
    tmp = out + '.tmp'
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    expect = ['host\tkind\tlocation_id\ttechnique\tmin_risk\tmax_risk\tline\n']
    with open(planted, encoding='utf-8') as f:
        lines = f.read().split('\n')
    for lineno, line in enumerate(lines, 1):
        if not line or line.startswith('#') or line.startswith('kind\t'):
            continue
        col = line.split('\t')
        if len(col) != 13:
            sys.exit('planted.tsv:%d: %d columns' % (lineno, len(col)))
        kind, loc, hive, key, name, typ, data, tech, min_r, max_r, ctx, flags, _ = col
        host = 'R%04d' % lineno
        hives = {h: [] for h in PATHS}
        hives['SYSTEM'].append(value_line('Select', 'Current', 'REG_DWORD', '1'))
        deleted = 'deleted' in flags
        hives[hive].append(value_line(key, name, typ, data, 'name_nul_prefix' in flags))
        if deleted:
            hives[hive].append(value_line(key, 'KeepMe', 'REG_DWORD', '0'))
        for item in [c.strip() for c in ctx.split(';') if c.strip()]:
            p = item.split('|')
            if p[0] == 'com':
                sub = {'inproc': 'InprocServer32', 'local': 'LocalServer32',
                       'handler': 'InprocHandler32', 'treatas': 'TreatAs'}[p[2]]
                hives['SOFTWARE'].append(value_line('Classes\\CLSID\\%s\\%s' % (p[1], sub), '',
                                                    'REG_SZ', p[3]))
            elif p[0] == 'progid':
                hives['SOFTWARE'].append(value_line('Classes\\%s\\CLSID' % p[1], '', 'REG_SZ',
                                                    p[2]))
            elif p[0] == 'build':
                hives['SOFTWARE'].append(value_line('Microsoft\\Windows NT\\CurrentVersion',
                                                    'CurrentBuildNumber', 'REG_SZ', p[1]))
            elif p[0] == 'val':
                hives[p[1]].append(value_line(p[2], p[3], p[4], p[5]))
            else:
                sys.exit('planted.tsv:%d: bad context %r' % (lineno, item))
        for h, spec in hives.items():
            if not spec:
                continue
            dst = os.path.join(tmp, host, PATHS[h])
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            subprocess.run([mkhive, '-t', TS, '-H', HDR, dst], input=''.join(spec).encode('utf-8'),
                           check=True)
        if deleted:
            # Replace the key's values by KeepMe only: the planted value's cells become free.
            dst = os.path.join(tmp, host, PATHS[hive])
            script = 'cd %s\nsetval 1\nKeepMe\ndword:0\ncommit\n' % key
            subprocess.run(['hivexsh', '-w', dst], input=script.encode('utf-8'), check=True,
                           stdout=subprocess.DEVNULL)
        expect.append('\t'.join([host, kind, loc, tech, min_r, max_r, str(lineno)]) + '\n')
    with open(os.path.join(tmp, 'expect.tsv'), 'w', encoding='utf-8') as f:
        f.writelines(expect)
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)


if __name__ == '__main__':
    main()
