#!/usr/bin/python3 -I
# HostDeck's privileged helper. Installed root-owned at /usr/libexec/hostdeck/hostdeck-helper and
# started by pkexec (HostDeck's own polkit action), by `sudo -n` on an SSH host, or directly when
# HostDeck already runs as root. It reads ONE JSON request on stdin and answers ONE JSON object on
# stdout. Python 3 standard library only: it must run on hosts where HostDeck is not installed.
#
# Verbs (a closed set): write-file, delete-file, list-backups, restore-backup, sysctl-set,
# schedule-revert, cancel-revert, revert-status. It never runs a shell; it writes only the files
# of a fixed allow-list, never through a symbolic link, and logs the invoking user (PKEXEC_UID /
# SUDO_UID) and every change to syslog.
#
# Options (refused when started through pkexec or sudo, so they never widen what an authorized
# caller may touch as root): --root DIR (an image or a test's scratch root: every path lives under
# it), --proc-sys DIR (a copy of /proc/sys), --run-dir DIR (revert timer state). --batch answers one
# request per input line (the tests' fuzzing mode; same rules per request).

import base64
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import signal
import stat
import sys
import syslog
import time

PROTOCOL = 1
MAX_REQUEST = 4 * 1024 * 1024
MAX_FILE = 1024 * 1024
MAX_CONFLICT_SHOW = 64 * 1024
BACKUPS_KEPT = 10
LOCK_WAIT = 10.0
DEADLINE = 60
FIREWALL_CMD = '/usr/bin/firewall-cmd'
# The firewall-cmd options revert plans consist of (shared/firewall/revert-plan.ts), each one
# token: never --direct (iptables/ebtables passthrough as root: --modprobe, --atomic-file), nor
# an option that reads or writes a file of the caller's choice (--new-*-from-file, --path-*).
FIREWALL_CMD_ARG = re.compile(
    r'--(permanent|reload|panic-on|panic-off'
    r'|(zone|policy|set-default-zone|set-target|set-short|set-description|set-ingress-priority|set-egress-priority)=[^\n]*'
    r'|(add|remove)-(masquerade|forward|icmp-block-inversion)'
    r'|(add|remove)-(service|port|protocol|source-port|icmp-block|forward-port|rich-rule|ingress-zone|egress-zone|interface|source)=[^\n]*'
    r'|change-(interface|source)=[^\n]*)')
BACKUP_BASE = ('var', 'lib', 'hostdeck', 'backups')

# The only files the helper writes: (directory, file-name pattern, verbs allowed).
SYSCTL_D_NAME = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,200}\.conf$')
ALLOW = (
    ('/etc', re.compile(r'^resolv\.conf$'), frozenset(('write-file', 'restore-backup', 'list-backups'))),
    ('/etc/sysctl.d', SYSCTL_D_NAME, frozenset(('write-file', 'delete-file', 'restore-backup', 'list-backups'))),
)
KIND_OF_DIR = {'/etc': 'resolv', '/etc/sysctl.d': 'sysctl.d'}

# --- sysctl names and values: mirrors shared/helper/rules.ts (a test checks both agree) ---
KEY_MAX = 256
VALUE_MAX = 4096
KEY_COMPONENT = re.compile(r'^[A-Za-z0-9_@:+-][A-Za-z0-9_.@:+-]*$')
# Keys whose value makes the kernel run a program (or grants it capabilities) as root: a valid
# token and a cached authorization must not become root code execution.
REFUSED_KEYS = re.compile(r'^(kernel\.(modprobe|hotplug|poweroff_cmd|usermodehelper\..+)|fs\.binfmt_misc(\..+)?)$')


# JavaScript's String.prototype.trim() whitespace, so both sides cut the same characters.
JS_WS = '\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'


def key_to_path(name):
    s = name.strip(JS_WS)
    m = re.search(r'[./]', s)
    if m and m.group(0) == '.':
        s = ''.join('/' if c == '.' else '.' if c == '/' else c for c in s)
    s = re.sub(r'/+', '/', s)
    if s.startswith('/'):
        s = s[1:]
    if s.endswith('/'):
        s = s[:-1]
    return s


def normalize_key(name):
    p = key_to_path(name)
    return ''.join('/' if c == '.' else '.' if c == '/' else c for c in p)


def key_error(name):
    """None when the sysctl name may be written, else the reason."""
    if not isinstance(name, str):
        return 'a sysctl name must be a string'
    if len(name.encode('utf-8', 'surrogatepass')) > KEY_MAX:
        return 'sysctl name longer than %d bytes' % KEY_MAX
    if re.search(r'[*?\[]', name):
        return '%s: exact names only, not globs' % name
    p = key_to_path(name)
    parts = p.split('/')
    if p == '' or any(c in ('', '.', '..') for c in parts):
        return '"%s" is not a sysctl name' % name
    for c in parts:
        if not KEY_COMPONENT.fullmatch(c):
            return '"%s" is not a sysctl name (character not allowed in "%s")' % (name, c)
    key = normalize_key(name)
    if REFUSED_KEYS.fullmatch(key):
        return '%s makes the kernel run a program as root; HostDeck does not change it' % key
    return None


def value_error(key, value):
    if not isinstance(value, str):
        return '%s: the value must be a string' % key
    if len(value.encode('utf-8', 'surrogatepass')) > VALUE_MAX:
        return '%s: value longer than %d bytes' % (key, VALUE_MAX)
    if '\n' in value or '\0' in value or '\r' in value:
        return '%s: a value cannot contain a newline or NUL' % key
    if normalize_key(key) == 'kernel.core_pattern' and value.strip(JS_WS).startswith('|'):
        return 'kernel.core_pattern starting with "|" makes the kernel run a program as root; HostDeck does not set it'
    return None


ERRNO_TEXT = {
    'EINVAL': 'the kernel refused the value (EINVAL)',
    'EPERM': 'not permitted (EPERM): this namespace or capability set may not change it',
    'EACCES': 'read-only in this namespace (EACCES)',
    'EROFS': '/proc/sys is mounted read-only here (EROFS)',
    'ENOENT': 'no such parameter on this host or in this network namespace (ENOENT)',
    'EISDIR': 'this name is a directory, not a parameter (EISDIR)',
    'ERANGE': 'the value is out of range for this parameter (ERANGE)',
    'EBUSY': 'the parameter cannot change now (EBUSY)',
    'EOPNOTSUPP': 'not supported here (EOPNOTSUPP)',
}


class Refusal(Exception):
    def __init__(self, code, message, detail=None):
        Exception.__init__(self, message)
        self.code = code
        self.message = message
        self.detail = detail


def errno_name(e):
    return errno.errorcode.get(e.errno, 'EIO') if isinstance(e, OSError) and e.errno else 'EIO'


def errno_error(e):
    code = errno_name(e)
    return {'code': code, 'message': ERRNO_TEXT.get(code, '%s (%s)' % (os.strerror(e.errno or errno.EIO), code))}


# --- context -------------------------------------------------------------------------------------


class Ctx(object):
    root = '/'
    proc_sys = '/proc/sys'
    run_dir = None
    user = 'uid %d' % os.getuid()


CTX = Ctx()


def invoking_user():
    for var, how in (('PKEXEC_UID', 'pkexec'), ('SUDO_UID', 'sudo')):
        v = os.environ.get(var)
        if v and v.isdigit():
            return 'uid %s via %s' % (v, how)
    return 'uid %d' % os.getuid()


def elevated_by_other():
    return bool(os.environ.get('PKEXEC_UID')) or 'hostdeck-helper' in os.environ.get('SUDO_COMMAND', '')


def log(message):
    try:
        syslog.openlog('hostdeck-helper', syslog.LOG_PID, syslog.LOG_AUTHPRIV)
        syslog.syslog(syslog.LOG_NOTICE, '%s: %s' % (CTX.user, message))
    except Exception:  # logging must never stop a change or crash the helper
        pass


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# --- safe directory walking ----------------------------------------------------------------------

O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def open_root():
    return os.open(CTX.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def walk_dirs(components, create_mode=None, shown=''):
    """Opens root/a/b/c one component at a time, never following a symbolic link; returns the fd."""
    fd = open_root()
    path = ''
    try:
        for c in components:
            path += '/' + c
            try:
                nfd = os.open(c, O_DIR, dir_fd=fd)
            except FileNotFoundError:
                if create_mode is None:
                    raise Refusal('NOT_FOUND', '%s does not exist' % path, {'path': path})
                try:
                    os.mkdir(c, create_mode, dir_fd=fd)
                except FileExistsError:
                    pass
                nfd = os.open(c, O_DIR, dir_fd=fd)
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise Refusal('SYMLINK', '%s is a symbolic link or not a directory; HostDeck does not write through links' % (shown or path), {'path': path})
                raise
            os.close(fd)
            fd = nfd
        return fd
    except BaseException:
        os.close(fd)
        raise


def check_path(path, verb):
    if not isinstance(path, str) or path == '':
        raise Refusal('INVALID_INPUT', 'path must be a non-empty string')
    if '\0' in path or len(path) > 4096:
        raise Refusal('INVALID_INPUT', 'path contains NUL or is too long')
    if not path.startswith('/'):
        raise Refusal('NOT_ALLOWED', '%s is not an absolute path' % path, {'path': path})
    parts = path.split('/')[1:]
    if any(p in ('', '.', '..') for p in parts):
        raise Refusal('NOT_ALLOWED', '%s contains "..", "." or an empty component; refused' % path, {'path': path})
    d = '/' + '/'.join(parts[:-1])
    name = parts[-1]
    for adir, rx, verbs in ALLOW:
        if d == adir and rx.fullmatch(name):
            if verb not in verbs:
                raise Refusal('NOT_ALLOWED', '%s cannot be used on %s' % (verb, path), {'path': path})
            return d, name
    raise Refusal('NOT_ALLOWED', '%s is not a file HostDeck may change (allowed: /etc/resolv.conf, /etc/sysctl.d/*.conf)' % path, {'path': path})


def backup_key(path):
    return path.lstrip('/').replace('%', '%25').replace('/', '%2F')


class Target(object):
    """An allow-listed file with its directory pinned, its backup directory and the lock held."""

    def __init__(self, path, verb, create_dirs=True, readonly=False):
        self.path = path
        self.dir, self.name = check_path(path, verb)
        comps = [c for c in self.dir.split('/') if c]
        # /etc must exist; /etc/sysctl.d is created (0755) when missing.
        self.dfd = walk_dirs(comps[:1])
        try:
            if len(comps) > 1:
                nfd = self._sub(comps[1], create_dirs)
                os.close(self.dfd)
                self.dfd = nfd
            self.bfd = walk_dirs(list(BACKUP_BASE) + [backup_key(path)], create_mode=None if readonly else 0o700)
        except BaseException:
            os.close(self.dfd)
            raise
        if not readonly:
            self._lock()

    def _sub(self, c, create):
        try:
            return os.open(c, O_DIR, dir_fd=self.dfd)
        except FileNotFoundError:
            if not create:
                raise Refusal('NOT_FOUND', '%s does not exist' % self.dir)
            os.mkdir(c, 0o755, dir_fd=self.dfd)
            return os.open(c, O_DIR, dir_fd=self.dfd)
        except OSError as e:
            if e.errno in (errno.ELOOP, errno.ENOTDIR):
                raise Refusal('SYMLINK', '%s is a symbolic link or not a directory; HostDeck does not write through links' % self.dir)
            raise

    def _lock(self):
        end = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(self.bfd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > end:
                    raise Refusal('BUSY', 'another HostDeck change to %s is still running' % self.path)
                time.sleep(0.01)

    def close(self):
        for fd in (self.bfd, self.dfd):
            try:
                os.close(fd)
            except OSError:
                pass

    def read(self):
        """(stat, bytes, sha256) of the current file, or None when it does not exist."""
        try:
            fd = os.open(self.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=self.dfd)
        except FileNotFoundError:
            return None
        except OSError as e:
            if e.errno == errno.ELOOP:
                target = ''
                try:
                    target = os.readlink(self.name, dir_fd=self.dfd)
                except OSError:
                    pass
                raise Refusal('SYMLINK', '%s is a symbolic link (to %s); edit what it points to, or the program that owns it' % (self.path, target), {'path': self.path, 'linkTarget': target})
            raise
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise Refusal('NOT_REGULAR', '%s is not a regular file' % self.path, {'path': self.path})
            if st.st_size > MAX_FILE:
                raise Refusal('TOO_LARGE', '%s is larger than %d bytes' % (self.path, MAX_FILE))
            data = read_all(fd, MAX_FILE + 1)
            if len(data) > MAX_FILE:
                raise Refusal('TOO_LARGE', '%s is larger than %d bytes' % (self.path, MAX_FILE))
            xattrs = {}
            for name in ('security.selinux', 'system.posix_acl_access'):
                try:
                    xattrs[name] = os.getxattr(fd, name)
                except OSError:
                    pass
            return {'st': st, 'data': data, 'sha': sha256(data), 'xattrs': xattrs}
        finally:
            os.close(fd)

    def conflict(self, cur, expected):
        actual = cur['sha'] if cur else None
        if actual == expected:
            return
        detail = {'path': self.path, 'expectedSha256': expected, 'currentSha256': actual}
        if cur and len(cur['data']) <= MAX_CONFLICT_SHOW:
            detail['currentBase64'] = base64.b64encode(cur['data']).decode('ascii')
        what = 'was deleted' if cur is None else ('was created' if expected is None else 'changed')
        raise Refusal('CONFLICT', '%s %s since HostDeck read it; nothing was written. Reload it and apply your change again.' % (self.path, what), detail)

    def clean_stale(self):
        n = 0
        pat = re.compile(r'^\.' + re.escape(self.name) + r'\.hostdeck-([0-9a-f]{16}\.tmp|\d+-\d+)$')
        for fd, rx in ((self.dfd, pat), (self.bfd, re.compile(r'^\.tmp-[0-9a-f]{16}$'))):
            for entry in os.listdir(fd):
                if rx.fullmatch(entry):
                    try:
                        os.unlink(entry, dir_fd=fd)
                        n += 1
                    except OSError:
                        pass
        return n

    def backups(self):
        names = sorted(n for n in os.listdir(self.bfd) if BACKUP_NAME.fullmatch(n))
        return names

    def backup(self, cur):
        """Keeps the current bytes as a new backup, atomically (temp + fsync + rename); prunes to the last 10."""
        stamp = time.strftime('%Y%m%dT%H%M%S', time.gmtime()) + '.%06dZ' % (int(time.time() * 1e6) % 1000000)
        name = '%s-%s.bak' % (stamp, cur['sha'][:12])
        tmp = '.tmp-' + secrets.token_hex(8)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=self.bfd)
        try:
            write_all(fd, cur['data'])
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            os.unlink(tmp, dir_fd=self.bfd)
            raise
        os.close(fd)
        os.rename(tmp, name, src_dir_fd=self.bfd, dst_dir_fd=self.bfd)
        os.fsync(self.bfd)
        for old in self.backups()[:-BACKUPS_KEPT]:
            try:
                os.unlink(old, dir_fd=self.bfd)
            except OSError:
                pass
        return name

    def replace(self, cur, data, mode):
        """Temp file beside the target (O_EXCL|O_NOFOLLOW, random name), fsync, rename, fsync the directory."""
        tmp = '.%s.hostdeck-%s.tmp' % (self.name, secrets.token_hex(8))
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=self.dfd)
        notes = []
        try:
            try:
                write_all(fd, data)
                if cur:
                    st = cur['st']
                    if os.geteuid() == 0:
                        os.fchown(fd, st.st_uid, st.st_gid)
                    os.fchmod(fd, stat.S_IMODE(st.st_mode))
                    for name, value in cur['xattrs'].items():
                        try:
                            os.setxattr(fd, name, value)
                        except OSError as e:
                            notes.append('could not keep %s (%s)' % (name, errno_name(e)))
                else:
                    os.fchmod(fd, mode)
                os.fsync(fd)
            finally:
                os.close(fd)
            # Last moment: the name must still be the file that was checked (no symlink swapped in).
            try:
                now = os.stat(self.name, dir_fd=self.dfd, follow_symlinks=False)
            except FileNotFoundError:
                now = None
            if cur is None:
                if now is not None:
                    raise Refusal('CONFLICT', '%s was created by someone else meanwhile; nothing was written' % self.path, {'path': self.path})
                # link() never replaces: exactly-one-creator even against other programs.
                try:
                    os.link(tmp, self.name, src_dir_fd=self.dfd, dst_dir_fd=self.dfd, follow_symlinks=False)
                except FileExistsError:
                    raise Refusal('CONFLICT', '%s was created by someone else meanwhile; nothing was written' % self.path, {'path': self.path})
                os.unlink(tmp, dir_fd=self.dfd)
                os.fsync(self.dfd)
                return False, notes
            if now is None or stat.S_ISLNK(now.st_mode) or (now.st_dev, now.st_ino) != (cur['st'].st_dev, cur['st'].st_ino):
                raise Refusal('CONFLICT', '%s was replaced by something else meanwhile (a link or another file); nothing was written' % self.path, {'path': self.path})
            try:
                os.rename(tmp, self.name, src_dir_fd=self.dfd, dst_dir_fd=self.dfd)
            except OSError as e:
                if e.errno != errno.EBUSY:
                    raise
                self.in_place(cur, data)
                os.unlink(tmp, dir_fd=self.dfd)
                return True, notes
            os.fsync(self.dfd)
            return False, notes
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=self.dfd)
            except OSError:
                pass
            raise

    def in_place(self, cur, data):
        """rename() hit EBUSY (a bind-mounted file): rewrite the same inode, the backup already taken."""
        fd = os.open(self.name, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=self.dfd)
        try:
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != (cur['st'].st_dev, cur['st'].st_ino) or not stat.S_ISREG(st.st_mode):
                raise Refusal('CONFLICT', '%s was replaced meanwhile; nothing was written' % self.path)
            os.lseek(fd, 0, os.SEEK_SET)
            write_all(fd, data)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        finally:
            os.close(fd)


BACKUP_NAME = re.compile(r'^\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{12}\.bak$')


def read_all(fd, limit):
    chunks = []
    n = 0
    while n <= limit:
        b = os.read(fd, 65536)
        if not b:
            break
        chunks.append(b)
        n += len(b)
    return b''.join(chunks)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


# --- content rules per kind of file ------------------------------------------------------------

def check_content(kind, path, data):
    if len(data) > MAX_FILE:
        raise Refusal('TOO_LARGE', 'the new content of %s is larger than %d bytes' % (path, MAX_FILE))
    if b'\0' in data:
        raise Refusal('INVALID_VALUE', 'the new content of %s contains a NUL byte' % path)
    if kind != 'sysctl.d':
        return
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError:
        raise Refusal('INVALID_VALUE', '%s: a sysctl.d file must be UTF-8 text' % path)
    errors = []
    for i, line in enumerate(text.split('\n'), 1):
        s = line.strip()
        if s == '' or s[0] in '#;':
            continue
        if '=' not in s:
            errors.append('line %d: not "key = value"' % i)
            continue
        k, v = s.split('=', 1)
        k = k.strip()
        if k.startswith('-'):
            k = k[1:].strip()
        err = key_error(k) or value_error(k, v.strip())
        if err:
            errors.append('line %d: %s' % (i, err))
    if errors:
        raise Refusal('INVALID_VALUE', '%s: %s' % (path, '; '.join(errors[:10])), {'errors': errors[:100]})


# --- request validation --------------------------------------------------------------------------

SHA = re.compile(r'^[0-9a-f]{64}$')
REVERT_ID = re.compile(r'^[A-Za-z0-9_-]{8,64}$')


def fields(req, required, optional=()):
    extra = [k for k in req if k not in required and k not in optional and k != 'verb']
    if extra:
        raise Refusal('INVALID_INPUT', 'unknown field(s) for %s: %s' % (req['verb'], ', '.join(sorted(extra)[:5])))
    for k in required:
        if k not in req:
            raise Refusal('INVALID_INPUT', '%s needs the field "%s"' % (req['verb'], k))


def want_sha(v, name, nullable=True):
    if v is None and nullable:
        return None
    if not isinstance(v, str) or not SHA.fullmatch(v):
        raise Refusal('INVALID_INPUT', '%s must be a sha256 in lower-case hex%s' % (name, ' or null' if nullable else ''))
    return v


def want_int(v, name, lo, hi):
    if isinstance(v, bool) or not isinstance(v, int) or v < lo or v > hi:
        raise Refusal('INVALID_INPUT', '%s must be an integer from %d to %d' % (name, lo, hi))
    return v


def want_settings(v, with_applied=False):
    if not isinstance(v, list) or not 1 <= len(v) <= 4096:
        raise Refusal('INVALID_INPUT', 'settings must be a list of 1 to 4096 {key, value}')
    out = []
    errors = []
    seen = set()
    for s in v:
        allowed = ('key', 'value', 'applied') if with_applied else ('key', 'value')
        if not isinstance(s, dict) or set(s) - set(allowed) or 'key' not in s or 'value' not in s:
            raise Refusal('INVALID_INPUT', 'each setting must be {key, value}')
        err = key_error(s['key'])
        if err is None:
            err = value_error(s['key'], s['value'])
        applied = s.get('applied')
        if err is None and applied is not None and not isinstance(applied, str):
            err = '%s: applied must be a string or null' % s['key']
        if err:
            errors.append(err)
            continue
        key = normalize_key(s['key'])
        if key in seen:
            errors.append('%s appears twice' % key)
        seen.add(key)
        out.append({'key': key, 'value': s['value'].strip(JS_WS), 'applied': applied})
    if errors:
        raise Refusal('INVALID_VALUE', '; '.join(errors[:10]), {'errors': errors[:100]})
    return out


def decode_content(v):
    if not isinstance(v, str) or len(v) > (MAX_FILE * 4) // 3 + 8:
        raise Refusal('INVALID_INPUT', 'content must be base64 of at most %d bytes' % MAX_FILE)
    try:
        return base64.b64decode(v.encode('ascii'), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise Refusal('INVALID_INPUT', 'content is not valid base64')


# --- file verbs ----------------------------------------------------------------------------------

def do_write(req):
    fields(req, ('path', 'content', 'expectedSha256'), ('mode',))
    data = decode_content(req['content'])
    expected = want_sha(req['expectedSha256'], 'expectedSha256')
    mode = want_int(req.get('mode', 0o644), 'mode', 0, 0o777)
    return write_file(req['path'], data, expected, mode, 'write-file')


def write_file(path, data, expected, mode, verb, restored_from=None):
    d, _ = check_path(path, verb)
    check_content(KIND_OF_DIR[d], path, data)
    t = Target(path, verb)
    try:
        stale = t.clean_stale()
        cur = t.read()
        t.conflict(cur, expected)
        new_sha = sha256(data)
        if cur and cur['sha'] == new_sha:
            return {'path': path, 'sha256': new_sha, 'changed': False, 'backup': None, 'inPlace': False, 'staleTempsRemoved': stale}
        backup = t.backup(cur) if cur else None
        in_place, notes = t.replace(cur, data, mode)
        what = 'restored %s from backup %s' % (path, restored_from) if restored_from else 'wrote %s' % path
        log('%s (%d bytes, sha256 %s, was %s, backup %s%s)' % (what, len(data), new_sha, cur['sha'] if cur else 'absent', backup, ', in place after EBUSY' if in_place else ''))
        out = {'path': path, 'sha256': new_sha, 'changed': True, 'backup': backup, 'inPlace': in_place, 'staleTempsRemoved': stale}
        if in_place:
            notes.append('rename() onto %s failed with EBUSY (a bind-mounted file, as in containers, WSL and some VPS); HostDeck wrote it in place after taking the backup' % path)
        if notes:
            out['notes'] = notes
        return out
    finally:
        t.close()


def do_delete(req):
    fields(req, ('path', 'expectedSha256'))
    expected = want_sha(req['expectedSha256'], 'expectedSha256', nullable=False)
    t = Target(req['path'], 'delete-file', create_dirs=False)
    try:
        t.clean_stale()
        cur = t.read()
        t.conflict(cur, expected)
        backup = t.backup(cur)
        now = os.stat(t.name, dir_fd=t.dfd, follow_symlinks=False)
        if (now.st_dev, now.st_ino) != (cur['st'].st_dev, cur['st'].st_ino):
            raise Refusal('CONFLICT', '%s was replaced meanwhile; nothing was deleted' % t.path)
        os.unlink(t.name, dir_fd=t.dfd)
        os.fsync(t.dfd)
        log('deleted %s (sha256 %s, backup %s)' % (t.path, cur['sha'], backup))
        return {'path': t.path, 'deleted': True, 'backup': backup}
    finally:
        t.close()


def do_list(req):
    fields(req, ('path',))
    check_path(req['path'], 'list-backups')
    directory = '/' + '/'.join(BACKUP_BASE) + '/' + backup_key(req['path'])
    try:
        t = Target(req['path'], 'list-backups', create_dirs=False, readonly=True)
    except Refusal as r:
        if r.code == 'NOT_FOUND':
            return {'path': req['path'], 'directory': directory, 'backups': []}
        raise
    try:
        out = []
        for name in reversed(t.backups()):
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=t.bfd)
            try:
                st = os.fstat(fd)
                data = read_all(fd, MAX_FILE)
            finally:
                os.close(fd)
            out.append({'name': name, 'size': len(data), 'sha256': sha256(data), 'mtimeMs': int(st.st_mtime * 1000)})
        return {'path': t.path, 'directory': directory, 'backups': out}
    finally:
        t.close()


def do_restore(req):
    fields(req, ('path', 'backup', 'expectedSha256'))
    name = req['backup']
    if not isinstance(name, str) or not BACKUP_NAME.fullmatch(name):
        raise Refusal('INVALID_INPUT', 'backup must be a backup name as list-backups gives it')
    expected = want_sha(req['expectedSha256'], 'expectedSha256')
    t = Target(req['path'], 'restore-backup')
    try:
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=t.bfd)
        except FileNotFoundError:
            raise Refusal('NOT_FOUND', 'no backup %s of %s' % (name, t.path))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise Refusal('NOT_REGULAR', 'backup %s is not a regular file' % name)
            data = read_all(fd, MAX_FILE + 1)
        finally:
            os.close(fd)
    finally:
        t.close()
    out = write_file(req['path'], data, expected, 0o644, 'restore-backup', restored_from=name)
    out['restoredFrom'] = name
    return out


# --- sysctl --------------------------------------------------------------------------------------

def norm(v):
    return ' '.join(v.split())


def proc_open(key, flags):
    comps = key_to_path(key).split('/')
    dfd = os.open(CTX.proc_sys, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for c in comps[:-1]:
            nfd = os.open(c, O_DIR, dir_fd=dfd)
            os.close(dfd)
            dfd = nfd
        return os.open(comps[-1], flags | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dfd)
    finally:
        os.close(dfd)


def proc_read(key):
    """(value or None, mode or None, error code or None)"""
    try:
        fd = proc_open(key, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        if e.errno == errno.EACCES:
            return None, 0, None
        return None, None, 'ENOENT' if e.errno in (errno.ENOTDIR, errno.ELOOP) else errno_name(e)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return None, None, 'EISDIR'
        if not stat.S_ISREG(st.st_mode):
            return None, None, 'ENOENT'
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o444 == 0 or key == 'vm.stat_refresh':
            return None, mode, None
        try:
            v = read_all(fd, 1 << 20).decode('utf-8', 'replace')
        except OSError as e:
            return None, mode, errno_name(e)
        return (v[:-1] if v.endswith('\n') else v), mode, None
    finally:
        os.close(fd)


def proc_write(key, value):
    fd = proc_open(key, os.O_WRONLY | os.O_TRUNC)
    try:
        os.write(fd, (value + '\n').encode('utf-8'))
    finally:
        os.close(fd)


def sysctl_apply(settings, check_applied=False):
    results = []
    for s in settings:
        key, value = s['key'], s['value']
        prev, mode, err = proc_read(key)
        r = {'key': key, 'value': value, 'previous': prev}
        if err:
            r.update(outcome='failed', error={'code': err, 'message': ERRNO_TEXT.get(err, err)}, readBack=None)
        elif mode is not None and mode & 0o200 == 0:
            r.update(outcome='failed', error={'code': 'EACCES', 'message': ERRNO_TEXT['EACCES']}, readBack=prev)
        elif prev is not None and norm(prev) == norm(value):
            r.update(outcome='unchanged', error=None, readBack=prev)
        elif check_applied and s.get('applied') is not None and prev is not None and norm(prev) != norm(s['applied']):
            r.update(outcome='conflict', error={'code': 'CONFLICT', 'message': 'changed since the apply (now "%s", HostDeck wrote "%s"); not restored' % (prev, s['applied'])}, readBack=prev)
        else:
            try:
                proc_write(key, value)
                r.update(outcome='applied', error=None, readBack=proc_read(key)[0])
            except OSError as e:
                r.update(outcome='failed', error=errno_error(e), readBack=proc_read(key)[0])
        results.append(r)
    changed = ['%s: %s -> %s' % (r['key'], r['previous'], r['value']) for r in results if r['outcome'] == 'applied']
    if changed:
        log('sysctl %s' % '; '.join(changed))
    return results


def do_sysctl(req):
    fields(req, ('settings',), ('revertAfterSeconds',))
    settings = want_settings(req['settings'], with_applied=True)
    secs = req.get('revertAfterSeconds')
    if secs is not None:
        want_int(secs, 'revertAfterSeconds', 5, 3600)
    results = sysctl_apply(settings, check_applied=True)
    out = {'results': results, 'revert': None}
    undo = [{'key': r['key'], 'value': r['previous'], 'applied': r['readBack']} for r in results if r['outcome'] == 'applied' and r['previous'] is not None]
    if secs is not None and undo:
        out['revert'] = schedule({'kind': 'sysctl', 'settings': undo}, secs)
    return out


# --- revert timers -------------------------------------------------------------------------------

def run_dir():
    if CTX.run_dir:
        base = CTX.run_dir
    elif os.geteuid() == 0:
        base = '/run/hostdeck'
    else:
        xdg = os.environ.get('XDG_RUNTIME_DIR')
        base = os.path.join(xdg, 'hostdeck') if xdg and os.path.isabs(xdg) else '/tmp/hostdeck-%d' % os.geteuid()
    d = os.path.join(base, 'reverts')
    os.makedirs(os.path.dirname(base), 0o755, exist_ok=True)
    for p in (base, d):
        try:
            os.mkdir(p, 0o700)
        except FileExistsError:
            pass
        st = os.lstat(p)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
            raise Refusal('UNSAFE_STATE_DIR', '%s must be a directory owned by uid %d and private (0700)' % (p, os.geteuid()))
    return d


def state_path(rid):
    return os.path.join(run_dir(), rid + '.json')


def with_state(rid, fn, path=None):
    """Runs fn(state) -> new state or None under an exclusive lock of the state file."""
    try:
        fd = os.open(path or state_path(rid), os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        raise Refusal('NOT_FOUND', 'no revert timer %s on this host (finished ones are kept until reboot)' % rid)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        state = json.loads(read_all(fd, MAX_REQUEST).decode('utf-8'))
        new = fn(state)
        if new is not None:
            data = json.dumps(new).encode('utf-8')
            os.lseek(fd, 0, os.SEEK_SET)
            write_all(fd, data)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
            return new
        return state
    finally:
        os.close(fd)


def public(state):
    return {k: state.get(k) for k in ('id', 'status', 'kind', 'deadlineMs', 'createdMs', 'finishedMs', 'results', 'error')}


def schedule(plan, seconds):
    rid = secrets.token_urlsafe(12).replace('-', 'x').replace('_', 'y')
    now = time.time()
    state = {'id': rid, 'status': 'pending', 'kind': plan['kind'], 'plan': plan, 'createdMs': int(now * 1000),
             'deadlineMs': int((now + seconds) * 1000), 'finishedMs': None, 'results': None, 'error': None,
             'by': CTX.user, 'root': CTX.proc_sys}
    path = state_path(rid)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        write_all(fd, json.dumps(state).encode('utf-8'))
        os.fsync(fd)
    finally:
        os.close(fd)
    # Double fork + setsid: the reverter belongs to no terminal, no session and no parent that can
    # take it down (HostDeck killed, pkexec returning, the SSH link dropping).
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.setsid()
            if os.fork() != 0:
                os._exit(0)
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            signal.alarm(0)
            nul = os.open('/dev/null', os.O_RDWR)
            for fd2 in (0, 1, 2):
                os.dup2(nul, fd2)
            os.write(w, str(os.getpid()).encode('ascii'))
            os.close(w)
            os.chdir('/')
            reverter(rid, path)
        finally:
            os._exit(0)
    os.close(w)
    child = read_all(r, 64).decode('ascii', 'replace')
    os.close(r)
    os.waitpid(pid, 0)
    log('scheduled revert %s (%s) in %d s, reverter pid %s' % (rid, plan['kind'], seconds, child))
    return {'id': rid, 'deadlineMs': state['deadlineMs'], 'status': 'pending', 'pid': int(child) if child.isdigit() else None}


def reverter(rid, path):
    while True:
        state = with_state(rid, lambda s: None, path)
        if state['status'] != 'pending':
            return
        left = state['deadlineMs'] / 1000.0 - time.time()
        if left <= 0:
            break
        time.sleep(min(left, 0.5))

    def claim(s):
        if s['status'] != 'pending':
            return None
        s['status'] = 'reverting'
        return s
    state = with_state(rid, claim, path)
    if state['status'] != 'reverting':
        return
    try:
        plan = state['plan']
        if plan['kind'] == 'sysctl':
            results = sysctl_apply(plan['settings'], check_applied=True)
            failed = [r for r in results if r['outcome'] in ('failed', 'conflict')]
            status, error = ('failed', '%d of %d keys were not restored' % (len(failed), len(results))) if failed else ('reverted', None)
        else:
            results = []
            for argv in plan['commands']:
                res = run_firewall_cmd(argv)
                results.append(res)
            bad = [r for r in results if r['exitCode'] != 0]
            status, error = ('failed', '%d of %d firewall-cmd calls failed' % (len(bad), len(results))) if bad else ('reverted', None)
    except Exception as e:  # the state must say what happened, whatever happened
        results, status, error = None, 'failed', '%s: %s' % (type(e).__name__, e)

    def finish(s):
        s.update(status=status, results=results, error=error, finishedMs=int(time.time() * 1000))
        return s
    with_state(rid, finish, path)
    log('revert %s %s%s' % (rid, status, (': ' + error) if error else ''))


def run_firewall_cmd(argv):
    import subprocess
    try:
        p = subprocess.run([FIREWALL_CMD] + list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60, shell=False, close_fds=True)
        return {'argv': argv, 'exitCode': p.returncode, 'stdout': p.stdout.decode('utf-8', 'replace')[-2000:], 'stderr': p.stderr.decode('utf-8', 'replace')[-2000:]}
    except (OSError, subprocess.TimeoutExpired) as e:
        return {'argv': argv, 'exitCode': -1, 'stdout': '', 'stderr': str(e)}


def want_plan(plan):
    if not isinstance(plan, dict) or plan.get('kind') not in ('sysctl', 'firewall-cmd'):
        raise Refusal('INVALID_INPUT', 'plan.kind must be "sysctl" or "firewall-cmd"')
    if plan['kind'] == 'sysctl':
        if set(plan) != {'kind', 'settings'}:
            raise Refusal('INVALID_INPUT', 'a sysctl plan is {kind, settings}')
        return {'kind': 'sysctl', 'settings': want_settings(plan['settings'], with_applied=True)}
    if set(plan) != {'kind', 'commands'}:
        raise Refusal('INVALID_INPUT', 'a firewall-cmd plan is {kind, commands}')
    cmds = plan['commands']
    if not isinstance(cmds, list) or not 1 <= len(cmds) <= 1024:
        raise Refusal('INVALID_INPUT', 'commands must be a list of 1 to 1024 argument lists')
    for argv in cmds:
        if not isinstance(argv, list) or not 1 <= len(argv) <= 64 or not all(isinstance(a, str) and len(a) <= 4096 and '\0' not in a for a in argv):
            raise Refusal('INVALID_INPUT', 'each firewall-cmd command is a list of 1 to 64 strings (arguments, never a shell line)')
        if not argv[0].startswith('-'):
            raise Refusal('INVALID_INPUT', 'firewall-cmd arguments start with an option (e.g. --zone=public), not "%s"' % argv[0][:50])
        for a in argv:
            if not FIREWALL_CMD_ARG.fullmatch(a):
                raise Refusal('NOT_ALLOWED', 'a revert plan uses only the firewall-cmd options HostDeck writes (--zone=..., --add-.../--remove-..., ...), not "%s"' % a[:80])
    return {'kind': 'firewall-cmd', 'commands': cmds}


def do_schedule(req):
    fields(req, ('seconds', 'plan'))
    secs = want_int(req['seconds'], 'seconds', 5, 3600)
    return schedule(want_plan(req['plan']), secs)


def want_id(req):
    fields(req, ('id',))
    if not isinstance(req['id'], str) or not REVERT_ID.fullmatch(req['id']):
        raise Refusal('INVALID_INPUT', 'id must be a revert id as schedule-revert gives it')
    return req['id']


def do_cancel(req):
    rid = want_id(req)

    def cancel(s):
        if s['status'] != 'pending':
            return None
        s['status'] = 'cancelled'
        s['finishedMs'] = int(time.time() * 1000)
        return s
    state = with_state(rid, cancel)
    if state['status'] == 'cancelled':
        log('cancelled revert %s (the change was confirmed)' % rid)
    return {'cancelled': state['status'] == 'cancelled', **public(state)}


def do_status(req):
    return public(with_state(want_id(req), lambda s: None))


VERBS = {
    'write-file': do_write,
    'delete-file': do_delete,
    'list-backups': do_list,
    'restore-backup': do_restore,
    'sysctl-set': do_sysctl,
    'schedule-revert': do_schedule,
    'cancel-revert': do_cancel,
    'revert-status': do_status,
}


def handle(raw):
    try:
        if len(raw) > MAX_REQUEST:
            raise Refusal('REQUEST_TOO_LARGE', 'the request is larger than %d bytes' % MAX_REQUEST)
        try:
            req = json.loads(raw.decode('utf-8'))
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            raise Refusal('INVALID_INPUT', 'the request is not JSON: %s' % str(e)[:200])
        if not isinstance(req, dict):
            raise Refusal('INVALID_INPUT', 'the request must be a JSON object')
        verb = req.get('verb')
        fn = VERBS.get(verb) if isinstance(verb, str) else None
        if fn is None:
            raise Refusal('UNKNOWN_VERB', 'unknown verb %s; known: %s' % (json.dumps(verb)[:80], ', '.join(VERBS)))
        return {'ok': True, 'result': fn(req), 'protocol': PROTOCOL}
    except Refusal as r:
        err = {'code': r.code, 'message': r.message}
        if r.detail is not None:
            err['detail'] = r.detail
        return {'ok': False, 'error': err, 'protocol': PROTOCOL}
    except OSError as e:
        return {'ok': False, 'error': {'code': 'NOT_AUTHORIZED' if e.errno in (errno.EACCES, errno.EPERM) else 'IO_ERROR',
                                       'message': '%s: %s' % (errno_name(e), e), 'detail': {'errno': errno_name(e)}}, 'protocol': PROTOCOL}
    except Exception as e:  # never a traceback on stdout: one JSON answer, always
        return {'ok': False, 'error': {'code': 'INTERNAL', 'message': '%s: %s' % (type(e).__name__, str(e)[:500])}, 'protocol': PROTOCOL}


class Deadline(Exception):
    pass


def on_alarm(_sig, _frame):
    raise Deadline()


def main(argv):
    batch = False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == '--batch':
            batch = True
        elif a in ('--root', '--proc-sys', '--run-dir') and i + 1 < len(argv):
            if elevated_by_other():
                out({'ok': False, 'error': {'code': 'NOT_ALLOWED', 'message': '%s is refused when the helper runs through pkexec or sudo' % a}})
                return 2
            v = os.path.abspath(argv[i + 1])
            if a == '--root':
                CTX.root = v
            elif a == '--proc-sys':
                CTX.proc_sys = v
            else:
                CTX.run_dir = v
            i += 1
        else:
            out({'ok': False, 'error': {'code': 'INVALID_INPUT', 'message': 'unknown argument %s; the request goes on stdin' % a[:80]}})
            return 2
        i += 1
    CTX.user = invoking_user()
    os.umask(0o022)
    signal.signal(signal.SIGALRM, on_alarm)
    stdin = sys.stdin.buffer
    if batch:
        for line in stdin:
            out(run_one(line))
        return 0
    raw = stdin.read(MAX_REQUEST + 1)
    answer = run_one(raw)
    out(answer)
    return 0 if answer.get('ok') else 1


def run_one(raw):
    signal.alarm(DEADLINE)
    try:
        return handle(raw)
    except Deadline:
        return {'ok': False, 'error': {'code': 'TIMEOUT', 'message': 'the helper gave up after %d s' % DEADLINE}}
    finally:
        signal.alarm(0)


def out(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
