#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the hand-made seeds of tests/fuzz/seeds/ (committed; rerun after changing this file).

    tests/fuzz/make_seeds.py [OUTDIR]      # default: the seeds/ directory beside this file

- btf-all-kinds: a BTF blob with a type of every kind the parser knows (INT through ENUM64,
  kflag bitfields, modifier chains, nested arrays, a DATASEC), followed by a .BTF.ext with
  func_info, line_info and CO-RE records, which fuzz_btf parses against the blob.
- btf-split: a small base blob followed by split BTF whose ids and string offsets continue
  the base's, which fuzz_btf parses on top of the base.
The compiled fixtures and the fetched corpus seed the rest (scripts/fuzz.sh).
"""
import os
import struct
import sys

BTF_MAGIC = 0xEB9F
(INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC,
 FUNC_PROTO, VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64) = range(1, 20)


class Strings:
    def __init__(self, base=0, leading_empty=True):
        self.data = b'\0' if leading_empty else b''
        self.base = base
        self.offs = {'': 0} if leading_empty else {}

    def __call__(self, s):
        if s not in self.offs:
            self.offs[s] = self.base + len(self.data)
            self.data += s.encode() + b'\0'
        return self.offs[s]


def t(name_off, kind, vlen, size_or_type, kflag=0, extra=b''):
    info = (kflag << 31) | (kind << 24) | vlen
    return struct.pack('<III', name_off, info, size_or_type) + extra


def u32(*v):
    return struct.pack('<%dI' % len(v), *v)


def blob(types, strs):
    hdr = struct.pack('<HBBIIIII', BTF_MAGIC, 1, 0, 24, 0, len(types), len(types), len(strs))
    return hdr + types + strs


def all_kinds():
    s = Strings()
    ty = b''.join([
        t(s('int'), INT, 0, 4, extra=u32((1 << 24) | 32)),                    # 1 signed int
        t(0, PTR, 0, 1),                                                     # 2 int *
        t(0, ARRAY, 0, 0, extra=u32(1, 1, 4)),                               # 3 int[4]
        t(s('pair'), STRUCT, 2, 8, extra=u32(s('a'), 1, 0, s('b'), 1, 32)),  # 4
        t(s('bits'), UNION, 2, 4, kflag=1,                                   # 5 bitfields
          extra=u32(s('lo'), 1, (3 << 24) | 0, s('hi'), 1, (5 << 24) | 3)),
        t(s('color'), ENUM, 2, 4, extra=u32(s('RED'), 0, s('BLUE'), 0xffffffff)),  # 6
        t(s('opaque'), FWD, 0, 0),                                           # 7
        t(s('pair_t'), TYPEDEF, 0, 4),                                       # 8
        t(0, VOLATILE, 0, 8),                                                # 9
        t(0, CONST, 0, 9),                                                   # 10
        t(0, RESTRICT, 0, 2),                                                # 11
        t(0, FUNC_PROTO, 2, 1, extra=u32(s('x'), 1, s('y'), 11)),            # 12
        t(s('prog'), FUNC, 1, 12),                                           # 13 global
        t(s('table'), VAR, 0, 21, extra=u32(1)),                             # 14 global var
        t(s('.data'), DATASEC, 1, 32, extra=u32(14, 0, 32)),                 # 15
        t(s('float'), FLOAT, 0, 4),                                          # 16
        t(s('tag'), DECL_TAG, 0, 13, extra=u32(0xffffffff)),                 # 17
        t(s('user'), TYPE_TAG, 0, 10),                                       # 18
        t(s('big'), ENUM64, 1, 8, extra=u32(s('HUGE'), 0, 1)),               # 19
        t(0, PTR, 0, 18),                                                    # 20 -> tag -> const
        t(0, ARRAY, 0, 0, extra=u32(3, 1, 2)),                               # 21 int[2][4]
        t(s('bpf_metadata_name'), VAR, 0, 10, extra=u32(0)),                 # 22 static var
        t(s('.rodata'), DATASEC, 1, 8, extra=u32(22, 0, 8)),                 # 23
        t(s('loop'), TYPEDEF, 0, 25),                                        # 24 typedef cycle
        t(s('loop2'), TYPEDEF, 0, 24),                                       # 25
    ])
    sec, file, line = s('xdp'), s('prog.c'), s('return 0;')
    access = s('0:1')
    func_info = u32(8) + u32(sec, 2) + u32(0, 13, 16, 13)
    line_info = u32(16) + u32(sec, 2) + u32(0, file, line, (3 << 10) | 5) + \
        u32(8, file, line, (4 << 10) | 1)
    core_relo = u32(16) + u32(sec, 1) + u32(8, 4, access, 0)
    sections = func_info + line_info + core_relo
    ext_hdr_len = 32
    ext = struct.pack('<HBBIIIIIII', BTF_MAGIC, 1, 0, ext_hdr_len,
                      0, len(func_info), len(func_info), len(line_info),
                      len(func_info) + len(line_info), len(core_relo))
    return blob(ty, s.data) + ext + sections


def split():
    s = Strings()
    base_types = t(s('int'), INT, 0, 4, extra=u32((1 << 24) | 32)) + \
        t(s('task'), STRUCT, 1, 4, extra=u32(s('pid'), 1, 0))             # ids 1, 2
    base = blob(base_types, s.data)
    # split: ids from 3, string offsets from the base's string size; no leading empty string
    ss = Strings(base=len(s.data), leading_empty=False)
    split_types = b''.join([
        t(ss('mod_struct'), STRUCT, 2, 16,
          extra=u32(ss('task'), 2, 0, ss('next'), 4, 64)),                 # 3
        t(0, PTR, 0, 3),                                                   # 4
        t(s('int'), TYPEDEF, 0, 1),                                        # 5 base string
    ])
    return base + blob(split_types, ss.data)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(
        os.path.abspath(__file__)), 'seeds')
    os.makedirs(out, exist_ok=True)
    for name, data in (('btf-all-kinds', all_kinds()), ('btf-split', split())):
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
        print('%s: %d bytes' % (os.path.join(out, name), len(data)))


if __name__ == '__main__':
    main()
