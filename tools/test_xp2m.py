#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of the xp2m tool that need no guest: its picture, diff and compare
over the snapshot the 5 GiB test dom0 printed (Documentation/xp2m-map-5g.json)
and variants of it. The subcommands against a live debugfs are checked in
the test guests (scripts/guest/tool.sh).

    python3 tools/test_xp2m.py
"""

import copy
import importlib.machinery
import io
import json
import os
import tempfile
import types
import unittest
import xml.etree.ElementTree as ET
from contextlib import redirect_stdout, redirect_stderr

HERE = os.path.dirname(os.path.abspath(__file__))
SNAP = os.path.join(HERE, '..', 'Documentation', 'xp2m-map-5g.json')


def load_tool():
    loader = importlib.machinery.SourceFileLoader('xp2m', os.path.join(HERE, 'xp2m'))
    mod = types.ModuleType(loader.name)
    mod.__file__ = loader.path
    loader.exec_module(mod)
    return mod


xp2m = load_tool()


def run(*argv):
    """(exit status, stdout, stderr) of the tool."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            rc = xp2m.main(list(argv))
        except SystemExit as e:
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


class Tool(unittest.TestCase):
    def setUp(self):
        with open(SNAP) as f:
            self.snap = json.load(f)
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def save(self, snap, name):
        path = os.path.join(self.dir.name, name)
        with open(path, 'w') as f:
            json.dump(snap, f)
        return path

    def test_map_totals(self):
        """map: the totals of the 5 GiB dom0, its 512 rows in five."""
        rc, out, _ = run('map', '--snapshot', SNAP, '--colour', 'never')
        self.assertEqual(rc, 0)
        lines = out.splitlines()
        self.assertIn('entries balloon 262014, identity 132644994, pfn 1310720', lines)
        self.assertIn('slots borrowed 3072, shared_identity 259072', lines)
        # Five rows stand for 512: the 504 GiB of identity past 8 GiB are one.
        self.assertEqual(sum(1 for l in lines if ' |' in l), 5)
        self.assertTrue(any(l.startswith('8 - 512 GiB |') and l.endswith('(504 rows alike)')
                            for l in lines))

    def test_svg(self):
        """map --svg: parses as XML, every pfn in one category."""
        svg = os.path.join(self.dir.name, 'map.svg')
        rc, _, _ = run('map', '--snapshot', SNAP, '--svg', svg)
        self.assertEqual(rc, 0)
        root = ET.parse(svg).getroot()
        pfns = {e.get('data-category'): int(e.get('data-pfns'))
                for e in root.iter() if e.get('class') == 'total'}
        self.assertEqual(pfns.pop('all'), 0x8000000)
        self.assertEqual(sum(pfns.values()), 0x8000000)
        self.assertEqual(pfns['balloon'], 262014)

    def test_unknown_kind(self):
        """map: a leaf kind the tool never heard of gets a legend entry."""
        snap = copy.deepcopy(self.snap)
        for r in snap['layout']:
            if r[3] == 'borrowed':
                r[3] = 'zerocopy'
        path = self.save(snap, 'z.json')
        rc, out, _ = run('map', '--snapshot', path, '--colour', 'never')
        self.assertEqual(rc, 0)
        self.assertIn('  Z zerocopy leaves         1310850 pfns     5.0 GiB', out.splitlines())
        svg = os.path.join(self.dir.name, 'z.svg')
        run('map', '--snapshot', path, '--svg', svg)
        cats = [e.get('data-category') for e in ET.parse(svg).getroot().iter()
                if e.get('class') == 'total']
        self.assertIn('zerocopy', cats)

    def test_diff(self):
        """diff: four pfns ballooned, two on other frames, exactly."""
        b = copy.deepcopy(self.snap)
        b['layout'][2:3] = [[0x100, 0x200, 'pfn', 'borrowed'],
                            [0x200, 0x204, 'balloon', 'borrowed'],
                            [0x204, 0x7ffdf, 'pfn', 'borrowed']]
        fr = b['frames']
        i = next(n for n, r in enumerate(fr) if r[0] == 0x100)
        start, end, _, mfn = fr[i]
        fr[i:i + 1] = [[start, 0x200, 'pfn', mfn],
                       [0x200, 0x204, 'missing', None],
                       [0x204, 0x206, 'pfn', 0x900000],
                       [0x206, end, 'pfn', mfn + 0x206 - start]]
        rc, out, _ = run('diff', SNAP, self.save(b, 'b.json'))
        self.assertEqual(rc, 1)
        self.assertEqual(out.splitlines(), [
            f' [0x200->0x204] pfn borrowed {mfn + 0x100:#x} -> balloon borrowed',
            f' [0x204->0x206] pfn borrowed {mfn + 0x104:#x} -> pfn borrowed 0x900000',
            'changed 6 pfns (24 KiB) in 2 ranges',
            '  pfn borrowed -> balloon borrowed: 4',
            '  pfn borrowed -> pfn borrowed: 2'])
        rc, out, _ = run('diff', SNAP, SNAP)
        self.assertEqual((rc, out), (0, 'changed 0 pfns (0) in 0 ranges\n'))

    def test_compare_mfndump(self):
        """compare: xen-mfndump's words, and one that differs."""
        lines = []
        for pfn in range(0x98, 0x108):
            word = {0x9f: 0x400000000000009f}.get(pfn)
            if word is None and 0x9f < pfn < 0x100:
                word = 0x4000000000000000 | pfn
            if word is None:
                word = self.snap['frames'][0][3] + pfn if pfn < 0x9f else \
                    self.snap['frames'][2][3] + pfn - 0x100
            lines.append(f'  pfn={pfn:#x} ==> mfn={word:#x} (type 0x0)')
        good = os.path.join(self.dir.name, 'good')
        with open(good, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        rc, out, _ = run('compare', '--snapshot', SNAP, '--mfndump', good)
        self.assertEqual((rc, out.splitlines()[-1]),
                         (0, f'compared 112 pfns with {good}: 0 differ in 0 ranges'))
        lines[3] = '  pfn=0x9b ==> mfn=0xffffffffffffffff (type 0xf) invalid'
        bad = os.path.join(self.dir.name, 'bad')
        with open(bad, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        rc, out, _ = run('compare', '--snapshot', SNAP, '--mfndump', bad)
        self.assertEqual(rc, 1)
        self.assertTrue(out.startswith(' [0x9b->0x9c] snapshot pfn '))
        self.assertIn(': 1 differ in 1 ranges', out)

    def test_errors(self):
        """Exit codes: a bad file, bad arguments, not a snapshot."""
        self.assertEqual(run('diff', SNAP, '/nonexistent')[0], 6)
        self.assertEqual(run('map', '--snapshot', SNAP, '--scale', '3K')[0], 2)
        self.assertEqual(run('compare', '--mfndump', '/dev/null')[0], 2)
        rc, _, err = run('diff', SNAP, os.devnull)
        self.assertEqual(rc, 6)
        self.assertIn('not a snapshot of xp2m', err)


if __name__ == '__main__':
    unittest.main()
