#!/bin/sh
# Bounded memory and honest answers on hostile input of any size (issue 11, docs/limits.md).
# Builds the inputs on the fly (sparse where possible) and checks for each: peak RSS at most
# 256 MB (/usr/bin/time), the documented exit code and a line naming the file, member and
# limit; then hunts all of them together with a valid hive, which must still be hunted.
#   - zip, stored member of 3 GiB zeros named like a hive (C/Users/x/NTUSER.DAT), sparse
#   - zip, deflated member of 3 GiB: a regf header over zeros named SYSTEM
#   - zip, deflated member of 3 GiB zeros named like an event log (Security.evtx)
#   - a gzip bomb (10 GiB of a JSON array's whitespace from 10 MB of gzip members)
#   - 64 MiB of '[' (nesting) and a 1 GiB single-array JSON file of 32 KiB events
#   - a zip of 100,000 members, and a zip inside a zip inside a zip
# Args: reghunt-binary source-dir build-dir
bin=$1; src=$2; build=$3
fix="$build/tests/data/basic.hive"
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ ! -x /usr/bin/time ]; then
    echo "SKIP: /usr/bin/time (Debian package time) is not installed"
    exit 77
fi
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
max_kb=262144
# Under AddressSanitizer (scripts/test) freed memory waits in a quarantine of up to 256 MB:
# keep it small so that RSS measures what reghunt holds, not what ASan keeps.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"

python3 - "$tmp" <<'PY' || { echo "SKIP: cannot build the inputs in $tmp"; exit 77; }
import os, struct, sys, zlib, zipfile
d = sys.argv[1]
G3 = 3 << 30
MB = 1 << 20

crcs = {}
def crc_of(gen, key):
    if key not in crcs:
        c = 0
        for chunk in gen:
            c = zlib.crc32(chunk, c)
        crcs[key] = c
    return crcs[key]

def zeros(n, head=b""):
    yield head
    left = n - len(head)
    z = bytes(MB)
    while left > 0:
        k = min(left, MB)
        yield z[:k]
        left -= k

def raw_zip(path, name, size, head, method):
    """One-member zip written by hand: stored data is a sparse hole, deflated data is streamed."""
    crc = crc_of(zeros(size, head), (size, head))
    nb = name.encode()
    with open(path, "wb") as f:
        lh = f.tell()
        f.write(struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, method, 0, 0, crc, 0, size,
                            len(nb), 0) + nb)
        start = f.tell()
        if method == 0:
            f.write(head)
            f.seek(size - len(head), 1)
        else:
            # After a full flush deflate starts afresh, so every further MiB of zeros
            # compresses to the same bytes: deflate one and repeat it (size: whole MiBs).
            co = zlib.compressobj(9, zlib.DEFLATED, -15)
            f.write(co.compress(head + bytes(MB - len(head))) + co.flush(zlib.Z_FULL_FLUSH))
            zc = co.compress(bytes(MB)) + co.flush(zlib.Z_FULL_FLUSH)
            for _ in range(size // MB - 1):
                f.write(zc)
            f.write(co.flush())
        csize = f.tell() - start
        cd = f.tell()
        f.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 20, 20, 0, method, 0, 0, crc,
                            csize, size, len(nb), 0, 0, 0, 0, 0, lh) + nb)
        ce = f.tell()
        f.write(struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 1, 1, ce - cd, cd, 0))
        f.seek(lh + 18)
        f.write(struct.pack("<I", csize))

regf = b"regf" + bytes(0x1C - 4) + struct.pack("<I", 0) + bytes(4096 - 0x20)
raw_zip(f"{d}/stored.zip", "HOST1/C/Users/x/NTUSER.DAT", G3, b"", 0)
raw_zip(f"{d}/deflated.zip", "HOST2/C/Windows/System32/config/SYSTEM", G3, regf, 8)
raw_zip(f"{d}/evtx.zip", "HOST3/C/Windows/System32/winevt/Logs/Security.evtx", G3, b"", 8)

# gzip bomb: a JSON array opened, then 10 GiB of whitespace in 1 MiB gzip members
sp = zlib.compressobj(9, zlib.DEFLATED, 31)
one = sp.compress(b" " * MB) + sp.flush()
first = zlib.compressobj(9, zlib.DEFLATED, 31)
with open(f"{d}/bomb.json.gz", "wb") as f:
    f.write(first.compress(b"[" + b" " * (MB - 1)) + first.flush())
    for _ in range(10 * 1024 - 1):
        f.write(one)

with open(f"{d}/deep.json", "wb") as f:
    for _ in range(64):
        f.write(b"[" * MB)

ev = b'{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"HOST4",' \
     b'"Payload":"' + b"A" * (32 * 1024) + b'"},'
with open(f"{d}/big.json", "wb") as f:
    f.write(b"[")
    n = (1 << 30) // len(ev)
    block = ev * 256
    for _ in range(n // 256):
        f.write(block)
    f.write(b'{"EventID":1,"Computer":"HOST4"}]')

with zipfile.ZipFile(f"{d}/many.zip", "w", zipfile.ZIP_STORED) as z:
    for i in range(100000):
        z.writestr(f"HOST5/C/Users/u{i % 100}/f{i}.txt", b"x")

inner = f"{d}/inner.zip"
with zipfile.ZipFile(inner, "w") as z:
    z.writestr("HOST6/C/Windows/System32/config/SOFTWARE", regf)
for level in ("middle", "outer"):
    with zipfile.ZipFile(f"{d}/{level}.zip", "w") as z:
        z.write(inner, f"HOST6/{os.path.basename(inner)}")
    inner = f"{d}/{level}.zip"
PY
mkdir -p "$tmp/good"
cp "$fix" "$tmp/good/NTUSER.DAT"

# rss CMD...: runs CMD with stdout to $tmp/out, stderr to $tmp/err; sets rc and kb.
rss() {
    /usr/bin/time -f %M -o "$tmp/kb" "$@" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    kb=$(tail -n 1 "$tmp/kb")
}
# alone NAME WANT_RC PATTERN FILE...: one input hunted alone.
alone() {
    name=$1; want=$2; pat=$3; shift 3
    rss "$bin" hunt "$@"
    [ "$rc" -eq "$want" ] && ok || { bad "$name: exit $rc, want $want"; cat "$tmp/err"; }
    [ "$kb" -le $max_kb ] && ok || bad "$name: peak RSS $kb KB > $max_kb KB"
    grep -q -- "$pat" "$tmp/err" && ok || { bad "$name: no line matching '$pat'"; cat "$tmp/err"; }
}

alone "stored 3 GiB member" 3 "stored.zip.*member HOST1/C/Users/x/NTUSER.DAT is named like a hive but has no regf header" "$tmp/stored.zip"
alone "deflated 3 GiB regf member" 3 "deflated.zip!HOST2/C/Windows/System32/config/SYSTEM.*no hive bin" "$tmp/deflated.zip"
alone "deflated 3 GiB evtx member" 3 "evtx.zip!HOST3/C/Windows/System32/winevt/Logs/Security.evtx.*unrecognised input" "$tmp/evtx.zip"
alone "gzip bomb" 3 "bomb.json.gz.*gzip data refused: expansion ratio above 200" "$tmp/bomb.json.gz"
alone "deep nesting" 3 "deep.json:1.*JSON refused: nesting deeper than 128" "$tmp/deep.json"
alone "100,000 members" 3 "many.zip.*no registry hives or event logs found" "$tmp/many.zip"
alone "zip in zip in zip" 3 "outer.zip.*member HOST6/middle.zip is an archive inside the archive: not opened" "$tmp/outer.zip"

# Everything together with a valid hive: each refusal named, the valid hive hunted, one event
# file of 1 GiB streamed, memory still bounded.
rss "$bin" hunt "$tmp/good/NTUSER.DAT" "$tmp/stored.zip" "$tmp/deflated.zip" "$tmp/evtx.zip" \
    "$tmp/bomb.json.gz" "$tmp/deep.json" "$tmp/big.json" "$tmp/many.zip" "$tmp/outer.zip"
[ "$rc" -eq 1 ] && ok || { bad "together: exit $rc, want 1 (findings of the valid hive)"; cat "$tmp/err"; }
[ "$kb" -le $max_kb ] && ok || bad "together: peak RSS $kb KB > $max_kb KB"
grep -q "Source: $tmp/good/NTUSER.DAT" "$tmp/out" && ok || bad "together: the valid hive was not hunted"
grep -q '(1 hunted, 1 unreadable)' "$tmp/err" && ok || { bad "together: want 1 hive hunted, 1 unreadable"; cat "$tmp/err"; }
grep -q 'from 1 log(s) (3 unreadable)' "$tmp/err" && ok || { bad "together: want 1 log read, 3 unreadable"; cat "$tmp/err"; }
for pat in "NTUSER.DAT is named like a hive" "SYSTEM.*no hive bin" "Security.evtx.*unrecognised" \
    "expansion ratio" "nesting deeper" "archive inside the archive"; do
    [ "$(grep -c -- "$pat" "$tmp/err")" -eq 1 ] && ok || bad "together: want one line for '$pat'"
done
[ "$(grep -c . "$tmp/err")" -le 12 ] && ok || { bad "together: more than 12 lines on stderr"; cat "$tmp/err"; }

echo "hostile_sizes: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
