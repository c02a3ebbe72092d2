#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Copy what a test guest needs to run tools/xp2m into a root directory.

    pyrt.py TOOL ROOT

Run with the machine's /usr/bin/python3 (Debian's): copies that interpreter,
the shared libraries it loads, and the standard library modules that TOOL
imports (and xml.etree, which the guests' checks use to read an SVG), under
the same paths in ROOT; TOOL goes to ROOT/usr/sbin/xp2m. A few MiB, so that
the busybox initramfs can run the tool as a user would.
"""

import importlib.machinery
import os
import shutil
import subprocess
import sys
import sysconfig
import types


def copy(path, root):
    dest = os.path.join(root, path.lstrip('/'))
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copy2(os.path.realpath(path), dest)


def main():
    tool, root = sys.argv[1:3]
    loader = importlib.machinery.SourceFileLoader('xp2m_tool', tool)
    mod = types.ModuleType(loader.name)
    mod.__file__ = tool
    loader.exec_module(mod)
    # What it imports only when it prints help or an error, and what the
    # checks use to read an SVG.
    import gettext, textwrap, xml.etree.ElementTree  # noqa: F401,E401

    stdlib = sysconfig.get_paths()['stdlib']
    files = {os.path.join(stdlib, 'os.py')}     # the interpreter's landmark
    for mod in list(sys.modules.values()):
        f = getattr(mod, '__file__', None)
        if f and os.path.realpath(f).startswith(os.path.realpath(stdlib)):
            files.add(f)
    os.makedirs(os.path.join(root, sysconfig.get_paths()['platstdlib'].lstrip('/'),
                             'lib-dynload'), exist_ok=True)
    exe = os.path.realpath(sys.executable)
    files.add(exe)
    ldd = subprocess.run(['ldd', exe], capture_output=True, text=True, check=True).stdout
    for line in ldd.splitlines():
        words = line.split()
        for w in words:
            if w.startswith('/'):
                files.add(w)
    for f in sorted(files):
        copy(f, root)
    bindir = os.path.join(root, 'usr/bin')
    os.makedirs(bindir, exist_ok=True)
    link = os.path.join(bindir, 'python3')
    if not os.path.exists(link):
        os.symlink(os.path.basename(exe), link)
    os.makedirs(os.path.join(root, 'usr/sbin'), exist_ok=True)
    shutil.copy2(tool, os.path.join(root, 'usr/sbin/xp2m'))
    # The tool finds its version beside it, as in the source tree.
    top = os.path.dirname(os.path.dirname(os.path.realpath(tool)))
    if os.path.exists(os.path.join(top, 'VERSION')):
        shutil.copy2(os.path.join(top, 'VERSION'), os.path.join(root, 'usr/VERSION'))


if __name__ == '__main__':
    main()
