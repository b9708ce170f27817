#!/usr/bin/python3
"""
firewall-offline-cmd many times in one Python (the offline-writes differential's harness).

A separate firewall-offline-cmd process spends most of its time importing firewalld's modules
(0.3-0.5 s of CPU); a differential sequence runs some thirty of them. This process imports them
once and compiles the script once; each request then runs in a forked child, so nothing the
script or firewalld caches survives from one call to the next (the child starts from the parent's
state, which never ran the script), exactly as a fresh process would. The child, like the shell
harness did, gets a private mount namespace with the copy bound at /etc/firewalld (never this
machine's), its stdout and stderr on one pipe (`2>&1`), and exits with the script's code.

Protocol: one JSON object per line on stdin, {"id": N, "etc": DIR, "argv": [...]}; one per line
on stdout, {"id": N, "code": EXIT, "out": TEXT}, in the order the calls finish (many may run at
once; the caller bounds how many). Needs root (mount namespaces), as firewall-offline-cmd does.
"""
import ctypes
import json
import os
import selectors
import sys
import traceback

SCRIPT = os.environ.get('HOSTDECK_FIREWALL_OFFLINE_CMD', '/usr/bin/firewall-offline-cmd')
CLONE_NEWNS = 0x00020000
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]

with open(SCRIPT, encoding='utf-8') as f:
    CODE = compile(f.read(), SCRIPT, 'exec')

# What the script imports at its top (the expensive part), once, before any fork.
from gi.repository import GObject  # noqa: E402
sys.modules['gobject'] = GObject
import argparse  # noqa: E402,F401
import firewall.client  # noqa: E402,F401
import firewall.command  # noqa: E402,F401
import firewall.config  # noqa: E402,F401
import firewall.core.fw  # noqa: E402,F401
import firewall.core.io.functions  # noqa: E402,F401
import firewall.core.io.helper  # noqa: E402,F401
import firewall.core.io.icmptype  # noqa: E402,F401
import firewall.core.io.ipset  # noqa: E402,F401
import firewall.core.io.policy  # noqa: E402,F401
import firewall.core.io.service  # noqa: E402,F401
import firewall.core.io.zone  # noqa: E402,F401
import firewall.errors  # noqa: E402,F401
import firewall.functions  # noqa: E402,F401


def fail(what):
    err = ctypes.get_errno()
    os.write(2, ('offline-cmd-server: %s: %s\n' % (what, os.strerror(err))).encode())
    os._exit(125)


def exit_code(e):
    """What the interpreter makes of SystemExit(e.code) at exit."""
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code & 0xff
    sys.stderr.write('%s\n' % e.code)
    return 1


def child(etc, argv):
    """Runs in the forked child with fds 1 and 2 on the call's pipe; never returns."""
    if libc.unshare(CLONE_NEWNS) != 0:
        fail('unshare')
    if libc.mount(None, b'/', None, MS_REC | MS_PRIVATE, None) != 0:
        fail('mount --make-rprivate /')
    if libc.mount(etc.encode(), b'/etc/firewalld', None, MS_BIND, None) != 0:
        fail('mount --bind %s /etc/firewalld' % etc)
    sys.argv = [SCRIPT] + argv
    code = 0
    try:
        exec(CODE, {'__name__': '__main__', '__file__': SCRIPT, '__builtins__': __builtins__})
    except SystemExit as e:
        code = exit_code(e)
    except BaseException:  # what the interpreter does with an uncaught exception: its hook, then 1
        code = 1
        try:
            sys.excepthook(*sys.exc_info())
        except SystemExit as e:
            code = exit_code(e)
        except BaseException:
            traceback.print_exc()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def main():
    sel = selectors.DefaultSelector()
    os.set_blocking(0, False)
    sel.register(0, selectors.EVENT_READ, 'stdin')
    pending = b''
    running = {}  # read fd -> [id, pid, bytes]
    stdin_open = True
    out = sys.stdout.buffer

    def start(req):
        r, w = os.pipe()
        out.flush()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                nul = os.open(os.devnull, os.O_RDONLY)
                os.dup2(nul, 0)
                os.close(nul)
                os.dup2(w, 1)
                os.dup2(w, 2)
                os.close(w)
                os.close(r)
                child(req['etc'], [str(a) for a in req['argv']])
            finally:
                os._exit(125)
        os.close(w)
        running[r] = [req['id'], pid, bytearray()]
        sel.register(r, selectors.EVENT_READ, 'child')

    while stdin_open or running:
        for key, _ in sel.select():
            fd = key.fd
            if key.data == 'stdin':
                chunk = os.read(0, 65536)
                if not chunk:
                    stdin_open = False
                    sel.unregister(0)
                    continue
                pending += chunk
                *lines, pending = pending.split(b'\n')
                for line in lines:
                    if line.strip():
                        start(json.loads(line))
                continue
            chunk = os.read(fd, 65536)
            if chunk:
                running[fd][2] += chunk
                continue
            sel.unregister(fd)
            os.close(fd)
            rid, pid, text = running.pop(fd)
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            out.write(json.dumps({'id': rid, 'code': code, 'out': text.decode('utf-8', 'replace')}).encode() + b'\n')
            out.flush()


main()
