#!/usr/bin/env python3
"""Generate tiny EVTX fixtures and fuzz seeds (no real log data is copied).

Builds one 64 KiB chunk holding a template definition (inline in the first record) that
exercises every BinXML token and the substitution value types, records that reuse the
template by offset, a record without a template, and variants for damage and recovery:

  tests/data/evtx/mini.evtx          valid file, 4 records
  fuzz/corpus/evtx/seed-mini.evtx    same
  fuzz/corpus/evtx/seed-badcrc.evtx  header and data CRCs wrong
  fuzz/corpus/evtx/seed-slack.evtx   a deleted record left in unused chunk space + a
                                     truncated trailing chunk (recovery)
  fuzz/corpus/evtx/seed-trunc.evtx   file cut in the middle of a record

Usage: mkevtx.py SOURCE_DIR     (writes into SOURCE_DIR/tests/data/evtx and fuzz/corpus/evtx)
"""
import os
import struct
import sys
import zlib

CHUNK = 65536
FT = 132479638563372700  # 2020-10-23T21:57:36.3372700Z; record n adds n ticks

T_NULL, T_STR, T_ANSI, T_I8, T_U8, T_I16, T_U16, T_I32, T_U32, T_I64, T_U64 = range(11)
T_R32, T_R64, T_BOOL, T_BIN, T_GUID, T_SIZET, T_FT, T_ST, T_SID, T_H32, T_H64 = range(11, 22)
T_BINXML, T_ARRAY = 0x21, 0x80

GUID1 = bytes.fromhex("5f3870572ac2e043bf4c06f5698ffbd9")  # {5770385F-C22A-43E0-BF4C-06F5698FFBD9}
SID = bytes([1, 3, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0x92, 0x76, 0x4a, 0xce, 0xe8, 0x03, 0, 0])


class Chunk:
    def __init__(self):
        self.buf = bytearray(CHUNK)
        self.pos = 0x200
        self.names = {}

    def emit(self, b):
        self.buf[self.pos:self.pos + len(b)] = b
        self.pos += len(b)

    def name_ref(self, s):
        """u32 offset of the name; defined inline the first time it is used."""
        if s in self.names:
            self.emit(struct.pack("<I", self.names[s]))
            return
        off = self.pos + 4
        self.names[s] = off
        u = s.encode("utf-16-le")
        self.emit(struct.pack("<I", off) + struct.pack("<IHH", 0, 0, len(s)) + u + b"\0\0")

    def u32_patch(self, at, v):
        self.buf[at:at + 4] = struct.pack("<I", v)


def utf16(s):
    return s.encode("utf-16-le")


# ---- element writer: a tiny DSL ------------------------------------------------------------
# elem(name, attrs=[(name, content)], children=[...]) where content items are
# ("text", s) | ("sub", idx, type) | ("opt", idx, type) | ("charref", n) | ("ent", name)
# | ("cdata", s) | ("pi", target, data) | elem(...)

def elem(name, attrs=(), children=()):
    return ("elem", name, list(attrs), list(children))


def write_content(ch, item):
    kind = item[0]
    if kind == "elem":
        write_elem(ch, item)
    elif kind == "text":
        ch.emit(bytes([0x05, T_STR]) + struct.pack("<H", len(item[1])) + utf16(item[1]))
    elif kind == "sub":
        ch.emit(bytes([0x0D]) + struct.pack("<HB", item[1], item[2]))
    elif kind == "opt":
        ch.emit(bytes([0x0E]) + struct.pack("<HB", item[1], item[2]))
    elif kind == "charref":
        ch.emit(bytes([0x08]) + struct.pack("<H", item[1]))
    elif kind == "ent":
        ch.emit(bytes([0x09]))
        ch.name_ref(item[1])
    elif kind == "cdata":
        ch.emit(bytes([0x07]) + struct.pack("<H", len(item[1])) + utf16(item[1]))
    elif kind == "pi":
        ch.emit(bytes([0x0A]))
        ch.name_ref(item[1])
        ch.emit(bytes([0x0B]) + struct.pack("<H", len(item[2])) + utf16(item[2]))
    else:
        raise ValueError(kind)


def write_elem(ch, e):
    _, name, attrs, children = e
    start = ch.pos
    ch.emit(bytes([0x41 if attrs else 0x01]) + struct.pack("<HI", 0xFFFF, 0))
    size_at = start + 3
    ch.name_ref(name)
    if attrs:
        list_at = ch.pos
        ch.emit(b"\0\0\0\0")
        for i, (an, content) in enumerate(attrs):
            ch.emit(bytes([0x46 if i + 1 < len(attrs) else 0x06]))
            ch.name_ref(an)
            for c in content:
                write_content(ch, c)
        ch.u32_patch(list_at, ch.pos - list_at - 4)
    if children:
        ch.emit(b"\x02")
        for c in children:
            write_content(ch, c)
        ch.emit(b"\x04")
    else:
        ch.emit(b"\x03")
    ch.u32_patch(size_at, ch.pos - size_at - 4)


EV_NS = "http://schemas.microsoft.com/win/2004/08/events/event"

TEMPLATE = elem("Event", [("xmlns", [("text", EV_NS)])], [
    elem("System", [], [
        elem("Provider", [("Name", [("text", "Reghunt-Test")]), ("Guid", [("opt", 1, T_GUID)])]),
        elem("EventID", [("Qualifiers", [("opt", 14, T_U16)])], [("sub", 0, T_U16)]),
        elem("TimeCreated", [("SystemTime", [("sub", 2, T_FT)])]),
        elem("EventRecordID", [], [("sub", 3, T_U64)]),
        elem("Correlation", [("ActivityID", [("opt", 4, T_GUID)])]),
        elem("Execution", [("ProcessID", [("sub", 5, T_U32)]), ("ThreadID", [("sub", 6, T_U32)])]),
        elem("Channel", [], [("text", "Reghunt/Test")]),
        elem("Computer", [], [("sub", 7, T_STR)]),
        elem("Security", [("UserID", [("opt", 8, T_SID)])]),
    ]),
    elem("EventData", [], [
        elem("Data", [("Name", [("text", "TargetObject")])], [("sub", 9, T_STR)]),
        elem("Data", [("Name", [("text", "Details")])], [("sub", 10, T_STR)]),
        elem("Data", [("Name", [("text", "Flag")])], [("sub", 11, T_BOOL)]),
        elem("Data", [("Name", [("text", "Hex")])], [("sub", 12, T_H64)]),
        elem("Data", [("Name", [("text", "Blob")])], [("sub", 13, T_BIN)]),
        elem("Data", [("Name", [("text", "When")])], [("sub", 15, T_ST)]),
        elem("Data", [("Name", [("text", "Real")])], [("sub", 16, T_R64)]),
        elem("Data", [("Name", [("text", "Small")])], [("sub", 17, T_I8)]),
        elem("Data", [("Name", [("text", "Strings")])], [("sub", 18, T_STR | T_ARRAY)]),
        elem("Data", [("Name", [("text", "Ints")])], [("sub", 19, T_U16 | T_ARRAY)]),
        elem("Data", [("Name", [("text", "Text")])],
             [("text", "a "), ("ent", "amp"), ("text", " b "), ("charref", 65),
              ("cdata", "x<y")]),
        elem("Data", [("Name", [("text", "Nested")])], [("sub", 20, T_BINXML)]),
        elem("Data", [("Name", [("text", "Sid")])], [("sub", 21, T_SID)]),
        elem("Data", [("Name", [("text", "Ansi")])], [("sub", 22, T_ANSI)]),
        elem("Data", [("Name", [("text", "H32")])], [("sub", 23, T_H32)]),
        elem("Data", [("Name", [("text", "I64")])], [("sub", 24, T_I64)]),
        elem("Data", [("Name", [("text", "Size")])], [("sub", 25, T_SIZET)]),
        elem("Data", [("Name", [("text", "R32")])], [("sub", 26, T_R32)]),
        elem("Data", [("Name", [("text", "Empty")])], [("sub", 27, T_NULL)]),
    ]),
    ("pi", "reghunt-pi", "data 1"),
])


def systime(y, mo, d, h, mi, s, ms):
    return struct.pack("<8H", y, mo, 5, d, h, mi, s, ms)


def nested_binxml(ch):
    """<Provider Name="inner">nested text</Provider> using names already in the chunk."""
    b = bytearray(b"\x0f\x01\x01\x00")
    b += bytes([0x41]) + struct.pack("<HI", 0xFFFF, 0) + struct.pack("<I", ch.names["Provider"])
    attr = bytes([0x06]) + struct.pack("<I", ch.names["Name"]) + bytes([0x05, T_STR]) + \
        struct.pack("<H", 5) + utf16("inner")
    b += struct.pack("<I", len(attr)) + attr + b"\x02"
    b += bytes([0x05, T_STR]) + struct.pack("<H", 11) + utf16("nested text") + b"\x04\x00"
    return bytes(b)


def values(ch, rid, target, details, with_guid=True):
    v = [None] * 28
    v[0] = (T_U16, struct.pack("<H", 13))
    v[1] = (T_GUID, GUID1) if with_guid else (T_NULL, b"")
    v[2] = (T_FT, struct.pack("<Q", FT + rid))
    v[3] = (T_U64, struct.pack("<Q", 1000 + rid))
    v[4] = (T_NULL, b"")
    v[5] = (T_U32, struct.pack("<I", 3396))
    v[6] = (T_U32, struct.pack("<I", 4804))
    v[7] = (T_STR, utf16("HOST-01"))
    v[8] = (T_SID, SID)
    v[9] = (T_STR, utf16(target))
    v[10] = (T_STR, utf16(details))
    v[11] = (T_BOOL, struct.pack("<I", 1))
    v[12] = (T_H64, struct.pack("<Q", 0x3e7))
    v[13] = (T_BIN, bytes([0xde, 0xad, 0xbe, 0xef]))
    v[14] = (T_NULL, b"")
    v[15] = (T_ST, systime(2020, 10, 23, 21, 57, 36, 328))
    v[16] = (T_R64, struct.pack("<d", 1.5))
    v[17] = (T_I8, struct.pack("<b", -5))
    v[18] = (T_STR | T_ARRAY, utf16("one\0two\0"))
    v[19] = (T_U16 | T_ARRAY, struct.pack("<3H", 1, 2, 3))
    v[20] = (T_BINXML, nested_binxml(ch))
    v[21] = (T_SID, SID)
    v[22] = (T_ANSI, b"ansi text\0")
    v[23] = (T_H32, struct.pack("<I", 0x1a4c))
    v[24] = (T_I64, struct.pack("<q", -42))
    v[25] = (T_SIZET, struct.pack("<Q", 0x7ff6))
    v[26] = (T_R32, struct.pack("<f", 0.25))
    v[27] = (T_NULL, b"")
    return v


def write_record(ch, rid, body):
    start = ch.pos
    ch.emit(struct.pack("<IIQQ", 0x2A2A, 0, rid, FT + rid))
    body(ch)
    while (ch.pos + 4 - start) % 8:
        ch.emit(b"\0")
    size = ch.pos + 4 - start
    ch.emit(struct.pack("<I", size))
    ch.u32_patch(start + 4, size)
    return start


def template_instance(ch, vals, def_off=None):
    ch.emit(b"\x0f\x01\x01\x00")
    here = ch.pos
    if def_off is None:
        def_off = here + 10
        ch.emit(bytes([0x0C, 0x01]) + struct.pack("<II", 0x1234, def_off))
        ch.emit(struct.pack("<I", 0) + GUID1)
        size_at = ch.pos
        ch.emit(b"\0\0\0\0")
        data_start = ch.pos
        ch.emit(b"\x0f\x01\x01\x00")
        write_elem(ch, TEMPLATE)
        ch.emit(b"\x00")
        ch.u32_patch(size_at, ch.pos - data_start)
    else:
        ch.emit(bytes([0x0C, 0x01]) + struct.pack("<II", 0x1234, def_off))
    vals = vals()
    ch.emit(struct.pack("<I", len(vals)))
    for t, b in vals:
        ch.emit(struct.pack("<HBB", len(b), t, 0))
    for t, b in vals:
        ch.emit(b)
    ch.emit(b"\x00")
    return def_off


def build_chunk(first_rid=1, slack_record=False):
    ch = Chunk()
    state = {}
    offs = []

    def r1(c):
        state["def"] = template_instance(
            c, lambda: values(c, first_rid, r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\evil",
                      r"C:\evil.exe"))

    offs.append(write_record(ch, first_rid, r1))

    def r2(c):
        template_instance(c, lambda: values(c, first_rid + 1,
                                    r"HKU\S-1-5-21-1-2-3-1000_Classes\CLSID\{X}\InprocServer32",
                                    "DWORD (0x00000001)", with_guid=False), state["def"])

    offs.append(write_record(ch, first_rid + 1, r2))

    def r3(c):
        # A record without a template: <Event><System><EventID>7</EventID></System></Event>
        c.emit(b"\x0f\x01\x01\x00")
        write_elem(c, elem("Event", [], [elem("System", [], [
            elem("EventID", [], [("text", "7")]),
            elem("Channel", [], [("text", "Reghunt/Plain")])])]))
        c.emit(b"\x00")

    offs.append(write_record(ch, first_rid + 2, r3))

    def r4(c):
        template_instance(c, lambda: values(c, first_rid + 3, r"\REGISTRY\MACHINE\SYSTEM\ControlSet001\Services\x",
                                    "(Empty)"), state["def"])

    offs.append(write_record(ch, first_rid + 3, r4))
    free = ch.pos
    if slack_record:
        # A deleted record in unused space after the free space offset.
        def r5(c):
            template_instance(c, lambda: values(c, first_rid + 4, r"HKCU\Software\deleted", "gone"),
                              state["def"])
        write_record(ch, first_rid + 4, r5)
    nrec = len(offs)
    hdr = struct.pack("<8sQQQQIIII", b"ElfChnk\0", first_rid, first_rid + nrec - 1, first_rid,
                      first_rid + nrec - 1, 128, offs[-1], free, 0)
    ch.buf[0:len(hdr)] = hdr
    # template table bucket 0 -> the definition
    ch.u32_patch(0x180, state["def"])
    ch.u32_patch(0x34, zlib.crc32(bytes(ch.buf[0x200:free])) & 0xFFFFFFFF)
    crc = zlib.crc32(bytes(ch.buf[0:0x78]) + bytes(ch.buf[0x80:0x200])) & 0xFFFFFFFF
    ch.u32_patch(0x7C, crc)
    return ch, offs, free


def file_header(nchunks, next_rid):
    h = bytearray(4096)
    struct.pack_into("<8sQQQIHHHH", h, 0, b"ElfFile\0", 0, nchunks - 1, next_rid, 128, 2, 3,
                     4096, nchunks)
    struct.pack_into("<I", h, 0x78, 0)
    struct.pack_into("<I", h, 0x7C, zlib.crc32(bytes(h[0:0x78])) & 0xFFFFFFFF)
    return bytes(h)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "."
    data_dir = os.path.join(src, "tests", "data", "evtx")
    fuzz_dir = os.path.join(src, "fuzz", "corpus", "evtx")
    os.makedirs(data_dir, exist_ok=True)
    os.makedirs(fuzz_dir, exist_ok=True)
    ch, offs, free = build_chunk()
    mini = file_header(1, 5) + bytes(ch.buf)
    for path in (os.path.join(data_dir, "mini.evtx"), os.path.join(fuzz_dir, "seed-mini.evtx")):
        with open(path, "wb") as f:
            f.write(mini)
    bad = bytearray(mini)
    bad[4096 + 0x7C] ^= 0xFF
    bad[4096 + 0x34] ^= 0xFF
    with open(os.path.join(fuzz_dir, "seed-badcrc.evtx"), "wb") as f:
        f.write(bad)
    ch2, _, _ = build_chunk(slack_record=True)
    slack = file_header(1, 5) + bytes(ch2.buf) + bytes(ch2.buf[:free])
    for path in (os.path.join(data_dir, "slack.evtx"), os.path.join(fuzz_dir, "seed-slack.evtx")):
        with open(path, "wb") as f:
            f.write(slack)
    with open(os.path.join(fuzz_dir, "seed-trunc.evtx"), "wb") as f:
        f.write(mini[:4096 + offs[1] + 40])


if __name__ == "__main__":
    main()
