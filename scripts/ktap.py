#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Collect the KUnit results of a test guest's console log.

    ktap.py LOG KTAP_OUT KUNIT_PY

The guest prints what the kernel logged while each KUnit module loaded
between "XP2M-KTAP-BEGIN <module>" and "XP2M-KTAP-END" (scripts/guest/lib.sh).
This joins the suites of every block into one KTAP document (KTAP_OUT),
has the kernel's own `kunit.py parse --json` read it (the results, in
KernelCI's JSON, beside it as KTAP_OUT.json; its report goes to stderr),
and prints one line:

    counts <passed> <failed> <skipped>

counting each case (each parameter of a parameterized one) by its status,
where failed also counts crashed cases, a parse that kunit.py fails without
a failing case, and modules that logged no suite at all. The exit status is
0 when failed is 0.
"""

import json
import re
import subprocess
import sys

STAMP = re.compile(r'^\[\s*\d+\.\d+\] ?')
SUITE_START = re.compile(r'^\s+KTAP version \d+')
SUITE_END = re.compile(r'^(ok|not ok) \d+ (.*)$')


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


def statuses(group):
    """Count the cases of a kunit.py JSON group by status, recursively."""
    counts = {}
    for case in group.get('test_cases', []):
        counts[case['status']] = counts.get(case['status'], 0) + 1
    for sub in group.get('sub_groups', []):
        for s, n in statuses(sub).items():
            counts[s] = counts.get(s, 0) + n
    return counts


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
        res = subprocess.run([sys.executable, kunit_py, 'parse',
                              f'--json={out}.json', out],
                             capture_output=True, text=True)
        sys.stderr.write(re.sub(r'\x1b\[[0-9;]*m', '', res.stdout + res.stderr))
        try:
            with open(f'{out}.json') as f:
                status = statuses(json.load(f))
        except (OSError, ValueError) as e:
            print(f'ktap: kunit.py wrote no JSON: {e}', file=sys.stderr)
            status = {}
        passed = status.get('PASS', 0)
        skipped = status.get('SKIP', 0)
        failed += sum(n for s, n in status.items() if s not in ('PASS', 'SKIP'))
        if res.returncode and not failed:
            print('ktap: kunit.py parse failed with no failing case', file=sys.stderr)
            failed += 1
    failed += len(silent)
    print(f'counts {passed} {failed} {skipped}')
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
