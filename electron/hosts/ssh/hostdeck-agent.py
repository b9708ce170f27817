# HostDeck read agent, protocol 1. Read-only: it never writes and never runs a program.
#
# Sent on stdin to "/usr/bin/python3 -I -S -" on a remote host (nothing is written there), after the
# section of electron/helper/hostdeck-helper.py marked "shared with the read agent" (host_path_problem,
# errno_name, read_all, proc_entry_opened, SIDE_EFFECT_ON_READ: one implementation for both), and
# followed by one line that calls run() with the request. Answers one JSON object on stdout.
# op 'batch' answers many requests (read, procsys, describe, busread) in one run, each with its
# own result or error: one round trip per host per refresh.
# Python 3.5+ standard library only, except op 'busread' (firewalld's read-only D-Bus calls made
# on the host itself): it uses python3-dbus, which firewalld itself runs on, and answers
# UNSUPPORTED where it is missing (the caller then reads over the tunnelled bus).
#
# The rules are those of electron/hosts/file-reader.ts and proc-sys.ts, on the host's own "/":
#  - a path is first opened with O_PATH (which opens nothing: no FIFO waits for a writer, no
#    device driver's open() runs) and fstat'ed; only a regular file (or a directory, to list it)
#    is then reopened through /proc/self/fd, so what is read is exactly the inode checked;
#  - content is bounded (maxBytes, default 4 MiB: TOO_LARGE); a FIFO, device, socket or
#    directory where a file was wanted is NOT_REGULAR, in words naming what it is;
#  - facts are lstat's (a link is reported as a link, with its target and where it resolves).
# Imported at start: only what every run needs and what costs nothing (builtins and os, which
# python3 loads anyway). The json package imports re (~11 ms, a quarter of `sysctl -a`), so the
# agent speaks JSON through json's own C core (see json below); platform, glob and base64 import
# re too and are not used.
import binascii
import sys

AGENT_PROTOCOL = 1


class json(object):
    """json.loads(text) and json.dumps(obj, separators=(',', ':')) of the standard json package, on
    that package's own C core (_json: the scanner and encoder json.loads and json.dumps use), so that
    a run does not import the package and, through it, re. Where _json is missing or different, the
    package itself."""

    _dumps = _loads = None

    @staticmethod
    def dumps(obj, separators=(',', ':')):
        if json._dumps is None:
            json._dumps = _json_core()[0]
        return json._dumps(obj, separators)

    @staticmethod
    def loads(text):
        if json._loads is None:
            json._loads = _json_core()[1]
        return json._loads(text.decode('utf-8') if isinstance(text, bytes) else text)


class _ScanContext(object):
    """What _json.make_scanner reads from a json.JSONDecoder: the standard defaults."""
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    memo = None

    @staticmethod
    def parse_constant(name):
        return {'-Infinity': float('-inf'), 'Infinity': float('inf'), 'NaN': float('nan')}[name]


def _json_core():
    """(dumps, loads) on _json, or the json package's own."""
    try:
        import _json

        def default(o):
            raise TypeError('Object of type %s is not JSON serializable' % type(o).__name__)

        scan = _json.make_scanner(_ScanContext())
        compact = _json.make_encoder({}, default, _json.encode_basestring_ascii, None, ':', ',', False, False, True)

        def dumps(obj, separators):
            if tuple(separators) != (',', ':'):
                import json as std
                return std.dumps(obj, separators=separators)
            return ''.join(compact(obj, 0))

        def loads(text):
            ws = ' \t\n\r'
            start = len(text) - len(text.lstrip(ws))
            try:
                obj, end = scan(text, start)
            except StopIteration:
                raise ValueError('Expecting value at %d' % start)
            if len(text[end:].strip(ws)):
                raise ValueError('Extra data at %d' % end)
            return obj

        return dumps, loads
    except (ImportError, AttributeError, TypeError):
        import json as std
        return (lambda obj, separators: std.dumps(obj, separators=separators)), std.loads
DEFAULT_MAX_BYTES = 4 * 1024 * 1024
O_PATH = getattr(os, 'O_PATH', 0o10000000)
O_CLOEXEC = getattr(os, 'O_CLOEXEC', 0)
REOPEN = os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_NOCTTY', 0) | O_CLOEXEC

TYPE_WORDS = {
    'file': 'a regular file',
    'dir': 'a directory',
    'symlink': 'a symbolic link',
    'fifo': 'a FIFO (named pipe)',
    'socket': 'a socket',
    'char': 'a character device',
    'block': 'a block device',
    'missing': 'missing',
}


def ftype(mode):
    if stat.S_ISREG(mode): return 'file'
    if stat.S_ISDIR(mode): return 'dir'
    if stat.S_ISLNK(mode): return 'symlink'
    if stat.S_ISFIFO(mode): return 'fifo'
    if stat.S_ISSOCK(mode): return 'socket'
    if stat.S_ISCHR(mode): return 'char'
    if stat.S_ISBLK(mode): return 'block'
    return 'missing'


def os_error(path, e):
    code = errno_name(e)
    if code == 'ENOENT':
        return {'code': code, 'message': '%s does not exist' % path}
    return {'code': code, 'message': '%s: %s' % (path, os.strerror(e.errno or errno.EIO))}


def resolve(path):
    """Where a path leads after every link (the host's root is "/", so nothing leaves it), or None."""
    try:
        os.stat(path)  # follows every link: ELOOP or ENOENT when it leads nowhere (realpath would not say)
        return os.path.realpath(path)
    except OSError:
        return None


def read_one(req):
    path = req.get('path')
    problem = host_path_problem(path)
    if problem:
        return {'path': str(path), 'type': 'missing', 'error': {'code': 'INVALID_PATH', 'message': problem}}
    want = bool(req.get('content') or req.get('list'))
    out = {'path': path}
    try:
        st = os.lstat(path)
    except OSError as e:
        out['type'] = 'missing'
        if want or e.errno != errno.ENOENT:
            out['error'] = os_error(path, e)
        return out
    out['type'] = ftype(st.st_mode)
    out['mode'] = stat.S_IMODE(st.st_mode)
    out['uid'] = st.st_uid
    out['gid'] = st.st_gid
    out['size'] = st.st_size
    out['mtimeMs'] = int(st.st_mtime * 1000)
    link = stat.S_ISLNK(st.st_mode)
    if link:
        try:
            out['linkTarget'] = os.readlink(path)
        except OSError:
            pass
    # The directories on the way resolved, the name itself as it is (lstat semantics).
    r = resolve(path) if link else os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
    if r is None:
        if want:
            try:
                os.stat(path)
                out['error'] = {'code': 'ENOENT', 'message': '%s is a symbolic link to %s, which does not exist' % (path, out.get('linkTarget', '?'))}
            except OSError as e:
                out['error'] = os_error(path, e)
        return out
    out['resolved'] = r
    if link and want and not req.get('follow'):
        what = 'NOT_REGULAR' if req.get('content') else 'ENOTDIR'
        out['error'] = {'code': what, 'message': '%s is a symbolic link (to %s) and links were not to be followed' % (path, out.get('linkTarget', '?'))}
        return out
    try:
        fd = os.open(r, O_PATH | os.O_NOFOLLOW | O_CLOEXEC)
    except OSError as e:
        if want:
            out['error'] = os_error(path, e)
        return out
    try:
        opened(req, out, fd, path)
    except OSError as e:
        if want:
            out['error'] = os_error(path, e)
    finally:
        os.close(fd)
    return out


def opened(req, out, fd, path):
    """Facts and content of the checked inode (fd: O_PATH, opens nothing)."""
    st = os.fstat(fd)
    kind = ftype(st.st_mode)
    out['targetType'] = kind
    via = '/proc/self/fd/%d' % fd
    if req.get('attrs'):
        mounts = mount_points()
        out['bindMount'] = path in mounts or out['resolved'] in mounts
        if kind in ('file', 'dir'):
            imm = immutable(via)
            if imm is not None:
                out['immutable'] = imm
    if req.get('content'):
        if kind != 'file':
            out['error'] = {'code': 'NOT_REGULAR', 'message': '%s is %s, not a regular file: it is not read' % (path, TYPE_WORDS[kind])}
            return
        limit = req.get('maxBytes') or DEFAULT_MAX_BYTES
        if st.st_size > limit:
            out['error'] = {'code': 'TOO_LARGE', 'message': '%s is %d bytes, more than the %d bytes HostDeck reads' % (path, st.st_size, limit)}
            return
        rfd = os.open(via, REOPEN)
        try:
            data = read_all(rfd, limit)
        finally:
            os.close(rfd)
        if len(data) > limit:
            out['error'] = {'code': 'TOO_LARGE', 'message': '%s is more than the %d bytes HostDeck reads' % (path, limit)}
            return
        # base64 without the base64 module (it imports re); the sha256 is the reader's to compute
        # (electron/hosts/ssh/read-answer.ts): hashlib would load OpenSSL (~6 ms) on every run.
        out['bytes'] = binascii.b2a_base64(data)[:-1].decode('ascii')
    if req.get('list'):
        if kind != 'dir':
            out['error'] = {'code': 'ENOTDIR', 'message': '%s is %s, not a directory' % (path, TYPE_WORDS[kind])}
            return
        ents = []
        for name in sorted(os.listdir(via)):
            try:
                ents.append({'name': name, 'type': ftype(os.lstat(os.path.join(via, name)).st_mode)})
            except OSError:
                ents.append({'name': name, 'type': 'missing'})
        out['entries'] = ents


_MOUNTS = None


def mount_points():
    """Mount points from mountinfo (field 5, octal escapes decoded): a bind-mounted file is one."""
    global _MOUNTS
    if _MOUNTS is None:
        _MOUNTS = set()
        try:
            with open('/proc/self/mountinfo', 'rb') as fh:
                for line in fh:
                    f = line.split(b' ')
                    if len(f) > 4:
                        _MOUNTS.add(unescape_octal(f[4]).decode('utf-8', 'surrogateescape'))
        except OSError:
            pass
    return _MOUNTS


def unescape_octal(b):
    out = bytearray()
    i = 0
    while i < len(b):
        if b[i:i + 1] == b'\\' and len(b) >= i + 4 and all(48 <= c <= 55 for c in b[i + 1:i + 4]):
            out.append(int(b[i + 1:i + 4], 8) & 0xff)
            i += 4
        else:
            out.append(b[i])
            i += 1
    return bytes(out)


def immutable(via):
    """FS_IOC_GETFLAGS & FS_IMMUTABLE_FL of a regular file or directory; None when the file system does not say."""
    try:
        import array
        import fcntl
        fd = os.open(via, REOPEN)
    except (OSError, ImportError):
        return None
    try:
        buf = array.array('l', [0])
        fcntl.ioctl(fd, 0x80086601, buf, True)
        return bool(buf[0] & 0x10)
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


# A /proc/sys entry as the agent answers it, a row (electron/hosts/ssh/procsys-rows.ts rebuilds the
# LiveEntry: its key is its path with the separators swapped, and whether it is writable follows
# from its mode and state, so neither is sent):
#   [dir, name, mode, value]         state ok (value: a string)
#   [dir, name, mode, WRITE_ONLY]    state write-only (not read: procfs refuses)
#   [dir, name, mode, SIDE_EFFECT]   state side-effect (never read)
#   [dir, name, mode, UNREADABLE, error]
# dir: 0 for the top of the tree, k for the k-th entry of 'dirs' (the directory once, not per entry).
WRITE_ONLY, SIDE_EFFECT, UNREADABLE = 1, 2, 3
STATE_CODES = {'write-only': WRITE_ONLY, 'side-effect': SIDE_EFFECT}
PROC_OPEN = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | O_CLOEXEC
DIR_OPEN = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | O_CLOEXEC
# os.scandir on a directory fd (Python 3.7+) gives each name's type from getdents (d_type), where
# a stat per name would otherwise say it.
SCANDIR_FD = hasattr(os, 'scandir') and os.scandir in getattr(os, 'supports_fd', ())


def proc_row(dfd, d, name, rel):
    """One /proc/sys entry (electron/hosts/proc-sys.ts readEntry, on a directory fd), as a row."""
    def lmode():
        return stat.S_IMODE(os.stat(name, dir_fd=dfd, follow_symlinks=False).st_mode) & 0o777

    if rel in SIDE_EFFECT_ON_READ:
        try:
            mode = lmode()
        except OSError:
            mode = 0
        return [d, name, mode, SIDE_EFFECT]
    try:
        fd = os.open(name, PROC_OPEN, dir_fd=dfd)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return [d, name, 0, UNREADABLE, 'NOT_REGULAR']
        # procfs refuses to open a write-only entry for reading, even for root: its mode says why.
        try:
            mode = lmode()
        except OSError:
            return [d, name, 0, UNREADABLE, errno_name(e)]
        if mode & 0o444 == 0:
            return [d, name, mode, WRITE_ONLY]
        return [d, name, mode, UNREADABLE, errno_name(e)]
    try:
        state, value, mode, err = proc_entry_opened(fd, rel)
    except OSError as e:
        return [d, name, 0, UNREADABLE, errno_name(e)]
    finally:
        os.close(fd)
    if state == 'ok':
        return [d, name, mode, value]
    if state == 'unreadable':
        return [d, name, mode, UNREADABLE, err]
    if state == 'dir':
        return None
    return [d, name, mode, STATE_CODES[state]]


def dir_names(dfd):
    """A directory's names, sorted, each with whether it is a directory (not following links)."""
    out = []
    if SCANDIR_FD:
        it = os.scandir(dfd)
        try:
            for e in it:
                try:
                    out.append((e.name, e.is_dir(follow_symlinks=False)))
                except OSError:
                    out.append((e.name, False))
        finally:
            it.close()
    else:
        for name in os.listdir(dfd):
            try:
                out.append((name, stat.S_ISDIR(os.stat(name, dir_fd=dfd, follow_symlinks=False).st_mode)))
            except OSError:
                out.append((name, False))
    out.sort()
    return out


def procsys(root='/proc/sys'):
    """Every entry under /proc/sys in one pass, as rows (above), and the directories on the way, as proc-sys.ts readLive."""
    rows, dirs = [], []

    def walk(dfd, rel, d):
        try:
            names = dir_names(dfd)
        except OSError:
            return
        for name, isdir in names:
            p = rel + '/' + name if rel else name
            if isdir:
                dirs.append(p)
                try:
                    sub = os.open(name, DIR_OPEN, dir_fd=dfd)
                except OSError:
                    continue
                try:
                    walk(sub, p, len(dirs))
                finally:
                    os.close(sub)
                continue
            row = proc_row(dfd, d, name, p)
            if row is not None:
                rows.append(row)

    try:
        top = os.open(root, os.O_RDONLY | os.O_DIRECTORY | O_CLOEXEC)
    except OSError:
        return {'rows': rows, 'dirs': dirs}
    try:
        walk(top, '', 0)
    finally:
        os.close(top)
    return {'rows': rows, 'dirs': dirs}


def user_name():
    try:
        import pwd
        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return str(os.getuid())


def pretty_name(text):
    """PRETTY_NAME of os-release(5): shell-style quoting with the few escapes it allows (tree-transport.ts prettyName)."""
    for line in text.split('\n'):
        s = line.strip()
        if not s.startswith('PRETTY_NAME='):
            continue
        v = s[len('PRETTY_NAME='):].strip()
        q = v[:1]
        if q in ('"', "'") and len(v) >= 2 and v.endswith(q):
            v = v[1:-1]
        if q == "'":
            return v
        out, i = [], 0
        while i < len(v):
            if v[i] == '\\' and i + 1 < len(v) and v[i + 1] in '\\$"`':
                out.append(v[i + 1])
                i += 2
            else:
                out.append(v[i])
                i += 1
        return ''.join(out)
    return ''


def describe(request):
    import time
    un = os.uname()
    osname = ''
    for f in ('/etc/os-release', '/usr/lib/os-release'):
        try:
            with open(f, 'rb') as fh:
                osname = pretty_name(read_all(fh.fileno(), 64 * 1024)[:64 * 1024].decode('utf-8', 'replace'))
            break
        except OSError:
            continue
    try:
        with open('/proc/sys/kernel/osrelease') as fh:
            kernel = fh.read().strip()
    except OSError:
        kernel = un.release
    exists = request.get('exists', [])
    return {'hostname': un.nodename, 'os': osname, 'kernel': kernel, 'time': int(time.time() * 1000),
            'uid': os.getuid(), 'user': user_name(), 'python': python_version(),
            'exists': dict((p, os.path.exists(p)) for p in exists if host_path_problem(p) is None),
            'kernelLog': kernel_log_access()}


def python_version():
    """platform.python_version() without platform (it imports re): the version sys.version starts with."""
    v = sys.version.split()[0] if sys.version else ''
    return v + '.0' if v.count('.') == 1 else v


def system_journals(base):
    """glob(BASE/*/system*.journal) without glob (it imports re): names starting with a dot left out, as glob does."""
    out = []
    try:
        subs = sorted(os.listdir(base))
    except OSError:
        return out
    for d in subs:
        if d.startswith('.'):
            continue
        try:
            names = sorted(os.listdir(os.path.join(base, d)))
        except OSError:
            continue
        out.extend(os.path.join(base, d, n) for n in names if n.startswith('system') and n.endswith('.journal'))
    return out


def kernel_log_access():
    """Can this login read the kernel log, and from where (read-only checks, no program run)?

    The journal where systemd-journald runs (its socket directory), readable when a system
    journal file is (root, or the systemd-journal / adm group through the files' ACLs); else the
    ring buffer, readable by root or where kernel.dmesg_restrict is 0. The reader itself is a
    separate fixed program (electron/hosts/ssh/kernel-log.ts): this agent never runs one.
    """
    journal = os.path.isdir('/run/systemd/journal')
    files = system_journals('/var/log/journal') + system_journals('/run/log/journal')
    journal_readable = journal and any(os.access(f, os.R_OK) for f in files)
    try:
        with open('/proc/sys/kernel/dmesg_restrict') as fh:
            restrict = fh.read().strip() != '0'
    except OSError:
        restrict = True
    try:
        with open('/proc/uptime') as fh:
            uptime = float(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        uptime = None
    return {'journal': journal, 'journalReadable': bool(journal_readable),
            'kmsgReadable': os.getuid() == 0 or not restrict, 'uptime': uptime}


MAX_EXPANDED = 4096


def expand(req, out):
    """A listed directory's entries read in the same pass ('expand': what a caller would ask next).

    expand = {'base': 'resolved' | 'path', 'suffix': '.conf' (optional: names ending so, never
    hidden ones), 'sub': 'ifindex' (optional: a file under each entry), 'content', 'follow',
    'maxBytes'}: each entry is read as read_one would read BASE/NAME[/SUB], in 'expanded'.
    """
    ex = req.get('expand')
    if not isinstance(ex, dict) or not isinstance(out.get('entries'), list):
        return out
    base = out.get('resolved') if ex.get('base') == 'resolved' else out.get('path')
    if not base:
        return out
    suffix, sub = ex.get('suffix'), ex.get('sub')
    facts = []
    for e in out['entries'][:MAX_EXPANDED]:
        name = e['name']
        if suffix is not None and (not name.endswith(suffix) or name.startswith('.')):
            continue
        p = os.path.join(base, name) + ('/' + sub if sub else '')
        facts.append(read_one({'path': p, 'content': bool(ex.get('content')), 'follow': bool(ex.get('follow')), 'maxBytes': ex.get('maxBytes')}))
    out['expanded'] = facts
    return out


class Unsupported(Exception):
    pass


FIREWALLD = 'org.fedoraproject.FirewallD1'
PROPERTIES = 'org.freedesktop.DBus.Properties'


def bus_plain(v, dbus):
    """A dbus-python value as JSON (dbus.Boolean is an int: it must stay a boolean)."""
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, dict):
        return dict((str(k), bus_plain(x, dbus)) for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return [bus_plain(x, dbus) for x in v]
    if isinstance(v, str):
        return str(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, int):
        return int(v)
    return v


ALNUM = frozenset('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')


def read_member(member):
    """A firewalld read method's name: get, list or query, then ASCII letters and digits (without re: ~9 ms to import)."""
    if not isinstance(member, str):
        return False
    for verb in ('get', 'list', 'query'):
        if member.startswith(verb):
            return all(c in ALNUM for c in member[len(verb):])
    return False


def bus_read_problem(path, iface, member):
    """Why a call is not one busread makes (only firewalld's get/list/query methods and Properties.GetAll), or None."""
    if iface == PROPERTIES:
        ok = member == 'GetAll'
    else:
        ok = isinstance(iface, str) and (iface == FIREWALLD or iface.startswith(FIREWALLD + '.')) and read_member(member)
    if not ok:
        return 'busread: %s.%s is not a firewalld read' % (iface, member)
    if path is not None and not (isinstance(path, str) and path.startswith('/org/fedoraproject/FirewallD1')):
        return 'busread: %r is not a firewalld object' % (path,)
    return None


def busread(request):
    """
    firewalld's read calls on the host's own system bus, in one run (electron/firewall/bulk-read.ts
    sends the plan): each call, then for each name or path a list call answered, the calls in its
    `each`. Only firewalld's get/list/query methods and Properties.GetAll, all checked before the
    bus is opened: nothing that changes anything. Each answer carries the call's return value or
    its D-Bus error; a call that times out ends the run (firewalld is stuck: the caller's own
    reads say so).
    """
    calls = request.get('calls', [])
    for c in calls:
        for e in [c] + list(c.get('each', [])):
            problem = bus_read_problem(None if e is not c and e.get('itemAs') == 'path' else e.get('path'), e.get('iface'), e.get('member'))
            if problem:
                raise Unsupported(problem)
    try:
        try:
            import dbus
        except ImportError:
            # The agent runs without site (python3 -S: ~5 ms a run); python3-dbus lives in the site
            # directories, which only this op needs: site adds them now, as python3 would have.
            import site
            site.main()
            import dbus
    except ImportError:
        raise Unsupported('python3-dbus is not installed on this host')
    bus = dbus.SystemBus(private=True)
    out = []
    stuck = []

    def call(path, iface, member, sig, args):
        problem = bus_read_problem(path, iface, member)
        if problem:
            raise Unsupported(problem)
        rec = {'path': path, 'iface': iface, 'member': member, 'args': args}
        try:
            rec['body'] = [bus_plain(bus.call_blocking(FIREWALLD, path, iface, member, sig, args, timeout=5), dbus)]
        except dbus.exceptions.DBusException as e:
            rec['error'] = {'name': e.get_dbus_name() or '', 'message': e.get_dbus_message() or str(e)}
            if rec['error']['name'] == 'org.freedesktop.DBus.Error.NoReply':
                stuck.append(rec)
        out.append(rec)
        return rec

    try:
        for c in calls:
            if stuck:
                break
            rec = call(c['path'], c['iface'], c['member'], c.get('sig', ''), c.get('args', []))
            items = rec['body'][0] if 'body' in rec and isinstance(rec['body'][0], list) else []
            for item in items:
                for e in c.get('each', []):
                    if stuck:
                        break
                    by_path = e.get('itemAs') == 'path'
                    call(item if by_path else e['path'], e['iface'], e['member'], e.get('sig', ''), e.get('args', []) if by_path else [item])
    finally:
        bus.close()
    return out


def answer(request):
    op = request.get('op') if isinstance(request, dict) else None
    if op == 'read':
        return [expand(r, read_one(r)) if isinstance(r, dict) else read_one({}) for r in request.get('requests', [])]
    if op == 'procsys':
        return procsys()
    if op == 'describe':
        return describe(request)
    if op == 'busread':
        return busread(request)
    raise Unsupported('unknown op %r' % (op,))


def batch(requests):
    """Many requests in one run (one round trip): each answered on its own, with its own error."""
    out = []
    for r in requests if isinstance(requests, list) else []:
        try:
            out.append({'result': answer(r)})
        except Unsupported as e:
            out.append({'error': {'code': 'UNSUPPORTED', 'message': str(e)}})
        except Exception as e:  # one failing read must not cost the others their answers
            out.append({'error': {'code': 'INTERNAL', 'message': '%s: %s' % (type(e).__name__, e)}})
    return out


def main(request):
    op = request.get('op') if isinstance(request, dict) else None
    try:
        result = batch(request.get('requests')) if op == 'batch' else answer(request)
    except Unsupported as e:
        return {'protocol': AGENT_PROTOCOL, 'error': {'code': 'UNSUPPORTED', 'message': str(e)}}
    return {'protocol': AGENT_PROTOCOL, 'result': result}


def run(request):
    out = json.dumps(main(request), separators=(',', ':'))
    sys.stdout.write(out)
    sys.stdout.flush()


# ---- kept agent (electron/hosts/ssh/kept-agent.ts) -----------------------------------------------
# The app and `serve` keep one agent per host between refreshes instead of starting python3 and
# compiling this program for each. A bootstrap on the command line reads the program (a 10-digit
# length, then the program with a serve(...) call appended) with os.read, so nothing past it is
# buffered; serve() then answers framed requests: 4-byte big-endian length + JSON, the same
# requests run() answers (main(): read, procsys, describe, busread, batch) and nothing else.
SERVE_HELLO = 'hostdeck-agent serve %d pid=%d\n'
SERVE_MAX_REQUEST = 16 * 1024 * 1024


def _read_exactly(n):
    """n bytes from stdin, or None at EOF (HostDeck closed the session)."""
    buf = b''
    while len(buf) < n:
        chunk = os.read(0, n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def _write_frame(data):
    import struct
    out = memoryview(struct.pack('>I', len(data)) + data)
    while out:
        out = out[os.write(1, out):]


def serve(idle_s, lifetime_s, max_requests):
    """Answers framed requests until EOF, idle_s without one, lifetime_s in all or max_requests."""
    import select
    import struct
    import time
    started = time.monotonic()
    os.write(1, (SERVE_HELLO % (AGENT_PROTOCOL, os.getpid())).encode('ascii'))
    for _ in range(max_requests):
        left = min(idle_s, lifetime_s - (time.monotonic() - started))
        if left <= 0 or not select.select([0], [], [], left)[0]:
            return
        head = _read_exactly(4)
        if head is None:
            return
        n = struct.unpack('>I', head)[0]
        if n > SERVE_MAX_REQUEST:
            return
        body = _read_exactly(n)
        if body is None:
            return
        # Every request reads the host afresh: nothing learned for one answer serves the next.
        if '_MOUNTS' in globals():
            globals()['_MOUNTS'] = None
        try:
            answer = main(json.loads(body.decode('utf-8')))
        except Exception as e:  # a request it cannot parse is answered, not fatal
            answer = {'protocol': AGENT_PROTOCOL, 'error': {'code': 'INTERNAL', 'message': '%s: %s' % (type(e).__name__, e)}}
        _write_frame(json.dumps(answer, separators=(',', ':')).encode('utf-8'))
