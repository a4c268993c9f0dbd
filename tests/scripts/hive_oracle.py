#!/usr/bin/env python3
"""Corpus oracle: our `hive export --no-logs` must list exactly the keys and values
(path, name, type, data) that python3-hivex reports, for every hive hivex can open.

Usage: hive_oracle.py REGHUNT_BINARY SHARED_DATA_DIR
Prints one line per hive and a summary "N passed, N failed, N skipped".
"""
import json
import os
import subprocess
import sys

try:
    import hivex
except ImportError:
    print("hive_oracle: python3-hivex is missing (run scripts/install-deps)")
    sys.exit(1)


def norm_data(typ, raw):
    """Decode raw value bytes exactly as docs/hive-export.md specifies."""
    if typ in (1, 2, 6, 0xFFFF0012):
        units = len(raw) // 2
        end = len(raw)
        for i in range(units):
            if raw[2 * i] == 0 and raw[2 * i + 1] == 0:
                end = 2 * i
                break
        return raw[:end].decode("utf-16le", errors="replace")
    if typ == 7:
        out, i = [], 0
        while i + 1 < len(raw):
            j = i
            while j + 1 < len(raw) and (raw[j] or raw[j + 1]):
                j += 2
            if j == i:
                break
            out.append(raw[i:j].decode("utf-16le", errors="replace"))
            i = j + 2
        if i < len(raw) and len(raw) - i == 1:
            out.append(raw[i:].decode("utf-16le", errors="replace"))
        return out
    if typ == 4 and len(raw) == 4:
        return int.from_bytes(raw, "little")
    if typ == 5 and len(raw) == 4:
        return int.from_bytes(raw, "big")
    if typ == 11 and len(raw) == 8:
        return int.from_bytes(raw, "little")
    return raw.hex()


TYPES = ["REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
         "REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST",
         "REG_FULL_RESOURCE_DESCRIPTOR", "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD"]


def tname(t):
    return TYPES[t] if t < len(TYPES) else "0x%08X" % t


def hivex_dump(path):
    h = hivex.Hivex(path)
    keys, values = [], []
    stack = [(h.root(), "")]
    while stack:
        node, p = stack.pop()
        keys.append(p)
        for v in h.node_values(node):
            name = h.value_key(v)
            typ, raw = h.value_value(v)
            values.append(json.dumps([p, name, tname(typ), norm_data(typ, raw)],
                                     ensure_ascii=False, sort_keys=True))
        for c in h.node_children(node):
            n = h.node_name(c)
            stack.append((c, n if p == "" else p + "\\" + n))
    return sorted(keys), sorted(values)


def our_dump(binary, path):
    out = subprocess.run([binary, "hive", "export", "--no-logs", path],
                         capture_output=True, check=True).stdout
    keys, values = [], []
    for line in out.decode("utf-8").splitlines():
        o = json.loads(line)
        if o["type"] == "key":
            keys.append(o["path"])
        else:
            values.append(json.dumps([o["path"], o["name"], o["reg_type"], o["data"]],
                                     ensure_ascii=False, sort_keys=True))
    return sorted(keys), sorted(values)


def hives(data):
    for sub in ("hives/regipy", "hives/yarp/hives_for_tests"):
        base = os.path.join(data, sub)
        for root, _, files in os.walk(base):
            for f in sorted(files):
                low = f.lower()
                if ".log" in low or low.endswith((".sqlite", ".txt", ".tgz")):
                    continue
                p = os.path.join(root, f)
                with open(p, "rb") as fh:
                    if fh.read(4) != b"regf":
                        continue
                yield p


def main():
    binary, data = sys.argv[1], sys.argv[2]
    passed = failed = skipped = 0
    for p in hives(data):
        rel = os.path.relpath(p, data)
        try:
            hk, hv = hivex_dump(p)
        except Exception as e:  # hivex refuses damaged hives; they are covered elsewhere
            print("skip %s (hivex: %s)" % (rel, str(e).splitlines()[0][:60]))
            skipped += 1
            continue
        ok_k, ok_v = our_dump(binary, p)
        if hk == ok_k and hv == ok_v:
            print("ok   %s (%d keys, %d values)" % (rel, len(hk), len(hv)))
            passed += 1
            continue
        failed += 1
        print("FAIL %s: keys %d vs hivex %d, values %d vs hivex %d" %
              (rel, len(ok_k), len(hk), len(ok_v), len(hv)))
        for a in sorted(set(hv) - set(ok_v))[:3]:
            print("   only hivex: %s" % a[:200])
        for a in sorted(set(ok_v) - set(hv))[:3]:
            print("   only ours:  %s" % a[:200])
        for a in sorted(set(hk) - set(ok_k))[:3]:
            print("   key only hivex: %r" % a[:200])
        for a in sorted(set(ok_k) - set(hk))[:3]:
            print("   key only ours:  %r" % a[:200])
    print("hive_oracle: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    sys.exit(1 if failed or passed == 0 else 0)


main()
