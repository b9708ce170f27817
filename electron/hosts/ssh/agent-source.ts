// The read agent's Python source (stdlib only), sent on stdin to "/usr/bin/python3 -I -" on a
// remote host with the request appended. Kept as a string so every bundle (main, CLI) carries it.
export const AGENT_PROTOCOL = 1;

export const agentSource = String.raw`# HostDeck read agent, protocol 1. Read-only: it never writes and never runs a program.
# Answers one JSON object on stdout. Python 3.5+ standard library only.
import base64, errno, hashlib, json, os, stat, sys

AGENT_PROTOCOL = 1
SIDE_EFFECT_ON_READ = {'vm/stat_refresh'}


def ftype(mode):
    if stat.S_ISREG(mode): return 'file'
    if stat.S_ISDIR(mode): return 'dir'
    if stat.S_ISLNK(mode): return 'symlink'
    if stat.S_ISFIFO(mode): return 'fifo'
    if stat.S_ISSOCK(mode): return 'socket'
    if stat.S_ISCHR(mode): return 'char'
    if stat.S_ISBLK(mode): return 'block'
    return 'file'


def err(e):
    code = errno.errorcode.get(getattr(e, 'errno', 0) or 0, 'EIO')
    return {'code': code, 'message': getattr(e, 'strerror', None) or str(e)}


def resolve(path):
    try:
        r = os.path.realpath(path)
        os.lstat(r)
        return r
    except OSError:
        return None


def read_one(req):
    path = req['path']
    want = req.get('content') or req.get('list')
    out = {'path': path}
    try:
        st = os.lstat(path)
    except OSError as e:
        out['type'] = 'missing'
        if want or e.errno not in (errno.ENOENT, errno.ENOTDIR):
            out['error'] = err(e)
        return out
    out['type'] = ftype(st.st_mode)
    out['mode'] = stat.S_IMODE(st.st_mode)
    out['uid'] = st.st_uid
    out['gid'] = st.st_gid
    out['size'] = st.st_size
    out['mtimeMs'] = int(st.st_mtime * 1000)
    if stat.S_ISLNK(st.st_mode):
        try:
            out['linkTarget'] = os.readlink(path)
        except OSError:
            pass
    r = resolve(path)
    if r is not None:
        out['resolved'] = r
        try:
            out['targetType'] = ftype(os.stat(r).st_mode)
        except OSError:
            pass
    if req.get('attrs'):
        mounts = mount_points()
        out['bindMount'] = path in mounts or (r is not None and r in mounts)
        imm = immutable(r or path)
        if imm is not None:
            out['immutable'] = imm
    target = st
    if req.get('follow') and stat.S_ISLNK(st.st_mode):
        try:
            target = os.stat(path)
        except OSError as e:
            if want:
                out['error'] = err(e)
            return out
    elif stat.S_ISLNK(st.st_mode) and want:
        out['error'] = {'code': 'NOT_REGULAR' if req.get('content') else 'ENOTDIR', 'message': '%s is a symbolic link' % path}
        return out
    if req.get('content'):
        if not stat.S_ISREG(target.st_mode):
            out['error'] = {'code': 'NOT_REGULAR', 'message': '%s is not a regular file' % path}
        else:
            limit = req.get('maxBytes') or 4 * 1024 * 1024
            try:
                with open(path, 'rb') as f:
                    data = f.read(limit + 1)
                if len(data) > limit:
                    out['error'] = {'code': 'TOO_LARGE', 'message': '%s is larger than %d bytes' % (path, limit)}
                else:
                    out['bytes'] = base64.b64encode(data).decode('ascii')
                    out['sha256'] = hashlib.sha256(data).hexdigest()
            except OSError as e:
                out['error'] = err(e)
    if req.get('list'):
        if not stat.S_ISDIR(target.st_mode):
            out['error'] = {'code': 'ENOTDIR', 'message': '%s is not a directory' % path}
        else:
            try:
                ents = []
                for name in sorted(os.listdir(path)):
                    try:
                        ents.append({'name': name, 'type': ftype(os.lstat(os.path.join(path, name)).st_mode)})
                    except OSError:
                        ents.append({'name': name, 'type': 'missing'})
                out['entries'] = ents
            except OSError as e:
                out['error'] = err(e)
    return out


_MOUNTS = None


def mount_points():
    # Mount points from mountinfo (field 5), octal escapes decoded: a bind-mounted file is one.
    global _MOUNTS
    if _MOUNTS is None:
        _MOUNTS = set()
        try:
            with open('/proc/self/mountinfo') as fh:
                for line in fh:
                    f = line.split(' ')
                    if len(f) > 4:
                        _MOUNTS.add(f[4].encode('latin-1').decode('unicode_escape'))
        except OSError:
            pass
    return _MOUNTS


def immutable(path):
    # FS_IOC_GETFLAGS; FS_IMMUTABLE_FL = 0x10. None when the file system does not say.
    try:
        import array, fcntl
        fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_NOFOLLOW', 0))
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


def swap(p):
    return ''.join('.' if c == '/' else '/' if c == '.' else c for c in p)


def procsys(root='/proc/sys'):
    entries, dirs = [], []

    def walk(rel):
        try:
            names = sorted(os.listdir(os.path.join(root, rel)))
        except OSError:
            return
        for name in names:
            p = rel + '/' + name if rel else name
            full = os.path.join(root, p)
            try:
                st = os.lstat(full)
            except OSError as e:
                entries.append({'key': swap(p), 'path': p, 'state': 'unreadable', 'error': err(e)['code'], 'writable': False, 'mode': 0})
                continue
            if stat.S_ISDIR(st.st_mode):
                dirs.append(p)
                walk(p)
                continue
            mode = st.st_mode & 0o777
            writable = (mode & 0o200) != 0
            if p in SIDE_EFFECT_ON_READ:
                entries.append({'key': swap(p), 'path': p, 'state': 'side-effect', 'writable': writable, 'mode': mode})
                continue
            if mode & 0o444 == 0:
                entries.append({'key': swap(p), 'path': p, 'state': 'write-only', 'writable': writable, 'mode': mode})
                continue
            try:
                # procfs reports size 0: read until EOF, never by size.
                with open(full, 'rb') as f:
                    v = f.read().decode('utf-8', 'replace')
                if v.endswith('\n'):
                    v = v[:-1]
                entries.append({'key': swap(p), 'path': p, 'state': 'ok', 'value': v, 'writable': writable, 'mode': mode})
            except OSError as e:
                entries.append({'key': swap(p), 'path': p, 'state': 'unreadable', 'error': err(e)['code'], 'writable': writable, 'mode': mode})

    walk('')
    return {'entries': entries, 'dirs': dirs}


def user_name():
    try:
        import pwd
        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return str(os.getuid())


def describe(request):
    import platform, time
    osname = ''
    for f in ('/etc/os-release', '/usr/lib/os-release'):
        try:
            with open(f) as fh:
                for line in fh:
                    if line.startswith('PRETTY_NAME='):
                        osname = line.split('=', 1)[1].strip().strip('"\'')
            break
        except OSError:
            continue
    try:
        with open('/proc/sys/kernel/osrelease') as fh:
            kernel = fh.read().strip()
    except OSError:
        kernel = platform.release()
    return {'hostname': platform.node(), 'os': osname, 'kernel': kernel, 'time': int(time.time() * 1000),
            'uid': os.getuid(), 'user': user_name(), 'python': platform.python_version(),
            'exists': dict((p, os.path.exists(p)) for p in request.get('exists', []))}


def main(request):
    op = request.get('op')
    if op == 'read':
        result = [read_one(r) for r in request['requests']]
    elif op == 'procsys':
        result = procsys()
    elif op == 'describe':
        result = describe(request)
    else:
        return {'protocol': AGENT_PROTOCOL, 'error': {'code': 'UNSUPPORTED', 'message': 'unknown op %r' % (op,)}}
    return {'protocol': AGENT_PROTOCOL, 'result': result}


def run(request):
    out = json.dumps(main(request), separators=(',', ':'))
    sys.stdout.write(out)
    sys.stdout.flush()
`;
