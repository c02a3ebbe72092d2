#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Checks of the xp2m tool's output in a test guest, exact to the pfn.

    toolcheck.py svg SVG STATS     the picture parses as XML; its totals are
                                   the instance's stats
    toolcheck.py text MAP STATS    the same of the text picture
    toolcheck.py went DIFF K0 K1 FROM TO [BEFORE AFTER]
                                   the ranges of "xp2m diff" are exactly the
                                   pfns whose type in the kernel's dump went
                                   FROM -> TO between K0 and K1, each line
                                   with classes BEFORE -> AFTER

Prints what differs and exits 1, or exits 0.
"""

import re
import sys
import xml.etree.ElementTree as ET

RUN = re.compile(r'^ \[0x([0-9a-f]+)->0x([0-9a-f]+)\] (.*)$')
SVG = '{http://www.w3.org/2000/svg}'


def stats(path):
    out = {}
    for line in open(path):
        w = line.split()
        if len(w) == 3 and w[0] in ('entries', 'slots'):
            out[(w[0], w[1])] = int(w[2])
        elif len(w) == 2 and w[0] == 'max_pfn':
            out['max_pfn'] = int(w[1], 16)
    return out


def same(what, got, st):
    """got: {(entries|slots, name): n} from the picture; st: the stats."""
    want = {k: v for k, v in st.items() if k != 'max_pfn' and v}
    bad = False
    for k in sorted(set(want) | set(got)):
        if want.get(k, 0) != got.get(k, 0):
            print(f'{what}: {k[0]} {k[1]}: picture {got.get(k, 0)}, stats {want.get(k, 0)}')
            bad = True
    return bad


def check_svg(svg, st_path):
    st = stats(st_path)
    root = ET.parse(svg).getroot()
    got, cats, every = {}, 0, None
    for el in root.iter():
        cls = el.get('class')
        if cls in ('entries', 'slots'):
            got[(cls, el.get('data-name'))] = int(el.get('data-value'))
        elif cls == 'total':
            if el.get('data-category') == 'all':
                every = int(el.get('data-pfns'))
            else:
                cats += int(el.get('data-pfns'))
    bad = same('svg', got, st)
    if every != st['max_pfn'] or cats != st['max_pfn']:
        print(f'svg: pfns in all {every}, by category {cats}, max_pfn {st["max_pfn"]}')
        bad = True
    return bad


def check_text(path, st_path):
    st = stats(st_path)
    got = {}
    for line in open(path):
        w = line.split(' ', 1)
        if w[0] in ('entries', 'slots') and len(w) == 2:
            for part in w[1].strip().split(', '):
                name, n = part.rsplit(' ', 1)
                got[(w[0], name)] = int(n)
    return same('text', got, st)


def runs(path):
    out = []
    for line in open(path):
        m = RUN.match(line.rstrip('\n'))
        if m:
            out.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
    return out


def type_at(kruns, pfn):
    for s, e, t in kruns:
        if s <= pfn < e:
            return t
    return None


def merge(ranges):
    out = []
    for s, e in sorted(ranges):
        if out and out[-1][1] == s:
            out[-1][1] = e
        else:
            out.append([s, e])
    return out


def check_went(diff, k0, k1, frm, to, before=None, after=None):
    r0, r1 = runs(k0), runs(k1)
    cuts = sorted({x for s, e, _ in r0 + r1 for x in (s, e)})
    want = merge((s, e) for s, e in zip(cuts, cuts[1:])
                 if type_at(r0, s) == frm and type_at(r1, s) == to)
    lines = runs(diff)
    got = merge((s, e) for s, e, _ in lines)
    bad = False
    if got != want:
        print(f'diff ranges {[(hex(s), hex(e)) for s, e in got]}, '
              f'kernel {frm} -> {to} {[(hex(s), hex(e)) for s, e in want]}')
        bad = True
    for s, e, text in lines:
        b, a = text.split(' -> ')
        if before and b.split()[0] != before or after and a.split()[0] != after:
            print(f'diff line {s:#x}: {text}, not {before} -> {after}')
            bad = True
    n = sum(e - s for s, e in want)
    print(f'{n} pfns went {frm} -> {to} in the kernel\'s dump, in {len(want)} ranges')
    return bad or n == 0


def main():
    what, args = sys.argv[1], sys.argv[2:]
    bad = {'svg': check_svg, 'text': check_text, 'went': check_went}[what](*args)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
