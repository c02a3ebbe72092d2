#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Collect the KUnit results of a test guest's console log.

    ktap.py LOG KTAP_OUT KUNIT_PY

The guest prints what the kernel logged while each KUnit module loaded
between "XP2M-KTAP-BEGIN <module>" and "XP2M-KTAP-END" (scripts/guest/lib.sh).
This joins the suites of every block into one KTAP document (KTAP_OUT),
summarises it with the kernel's own `kunit.py parse`, and prints one line:

    counts <passed> <failed> <skipped>

where failed also counts crashed cases, parser errors and modules that logged
no suite at all. The exit status is 0 when failed is 0.
"""

import re
import subprocess
import sys

STAMP = re.compile(r'^\[\s*\d+\.\d+\] ?')
SUITE_START = re.compile(r'^\s+KTAP version \d+')
SUITE_END = re.compile(r'^(ok|not ok) \d+ (.*)$')
SUMMARY = re.compile(r'Testing complete\. Ran (\d+) tests?: ?(.*)')


def blocks(lines):
    """Yield (module, lines) for each marked block of the log."""
    module, body = None, []
    for line in lines:
        line = STAMP.sub('', line.rstrip('\r\n').replace('\r', ''))
        if line.startswith('XP2M-KTAP-BEGIN '):
            module, body = line.split(' ', 1)[1], []
        elif line == 'XP2M-KTAP-END' and module is not None:
            yield module, body
            module = None
        elif module is not None:
            body.append(line)


def suites(body):
    """Yield the lines of each suite in a block, first and last included."""
    cur = None
    for line in body:
        if cur is None:
            if SUITE_START.match(line):
                cur = [line]
        else:
            cur.append(line)
            if SUITE_END.match(line):
                yield cur
                cur = None
    if cur is not None:     # the suite never finished: kunit.py reports it
        yield cur


def main():
    log, out, kunit_py = sys.argv[1:4]
    with open(log, errors='backslashreplace', newline='\n') as f:
        found = list(blocks(f))

    doc, silent = [], []
    for module, body in found:
        mine = list(suites(body))
        if not mine:
            silent.append(module)
        for suite in mine:
            n = len([l for l in doc if SUITE_END.match(l)]) + 1
            end = SUITE_END.match(suite[-1])
            if end:
                suite[-1] = f'{end.group(1)} {n} {end.group(2)}'
            doc.extend(suite)
    nsuites = sum(1 for module, body in found for _ in suites(body))
    with open(out, 'w') as f:
        f.write(f'KTAP version 1\n1..{nsuites}\n')
        f.write('\n'.join(doc) + '\n')

    for module in silent:
        print(f'ktap: {module} logged no KUnit suite', file=sys.stderr)
    passed = failed = skipped = 0
    if nsuites:
        res = subprocess.run([sys.executable, kunit_py, 'parse', out],
                             capture_output=True, text=True)
        text = re.sub(r'\x1b\[[0-9;]*m', '', res.stdout + res.stderr)
        sys.stderr.write(text)
        m = None
        for m in SUMMARY.finditer(text):
            pass
        if m is None:
            print('ktap: kunit.py printed no summary', file=sys.stderr)
            failed += 1
        else:
            counts = dict((k.strip(), int(v)) for k, v in
                          (p.split(':') for p in m.group(2).split(',') if ':' in p))
            passed = counts.get('passed', 0)
            skipped = counts.get('skipped', 0)
            failed += (counts.get('failed', 0) + counts.get('crashed', 0) +
                       counts.get('errors', 0))
    failed += len(silent)
    print(f'counts {passed} {failed} {skipped}')
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
