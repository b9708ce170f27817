#!/usr/bin/python3 -IS
# HostDeck's privileged helper. Installed root-owned at /usr/libexec/hostdeck/hostdeck-helper and
# started by pkexec (HostDeck's own polkit action), by `sudo -n` on an SSH host, or directly when
# HostDeck already runs as root. It reads ONE JSON request on stdin and answers ONE JSON object on
# stdout. Python 3 standard library only: it must run on hosts where HostDeck is not installed.
#
# Verbs (a closed set): write-file, delete-file, list-backups, restore-backup, sysctl-set,
# schedule-revert, cancel-revert, revert-status, version, journal. It never runs a shell; it writes only the files
# of a fixed allow-list, never through a symbolic link, and logs the invoking user (PKEXEC_UID /
# SUDO_UID) and every change to syslog.
#
# Options (refused when started through pkexec or sudo, so they never widen what an authorized
# caller may touch as root): --root DIR (an image or a test's scratch root: every path lives under
# it; revert timer state never lives there), --proc-sys DIR (a copy of /proc/sys), --run-dir DIR
# (revert timer state, for tests; same ownership checks as /run/hostdeck). --batch answers one
# request per input line (the tests' fuzzing mode; same rules per request; refused like the options
# above). --session is the bounded form HostDeck uses for several changes under one authorization:
# one request per line, each judged exactly as a single call, at most SESSION_MAX_REQUESTS of them,
# and the helper exits SESSION_IDLE s after the last answer and SESSION_LIFETIME s after it started,
# so a session left open does not outlive the authorization it was started with.

import base64
import fcntl
import json
import re
# errno, os and stat: imported by the section shared with the read agent, below.
import sys
import syslog
import time

# Start-up cost is paid on every call: the C modules behind signal and hashlib, not the Python
# wrappers (signal.py builds enums; hashlib loads OpenSSL, ~30% of a bare python3 start). Same
# functions and constants; the wrappers where a build lacks them.
try:
    import _signal as signal
except ImportError:
    import signal
try:
    from _sha256 import sha256 as sha256_of  # Python <= 3.11
except ImportError:
    try:
        from _sha2 import sha256 as sha256_of  # Python >= 3.12
    except ImportError:
        from hashlib import sha256 as sha256_of

# >>> shared with the read agent >>>
# The rules the helper and the SSH read agent (electron/hosts/ssh/hostdeck-agent.py) both apply,
# implemented once: the agent is sent as this section followed by its own file (see
# electron/hosts/ssh/agent-source.ts). Self-contained (its own imports), standard library only,
# Python 3.5+: nothing here may use the rest of the helper.
import errno
import os
import stat

# Host paths: absolute, NUL-free, bounded (electron/hosts/root-path.ts hostPathProblem says the same).
MAX_PATH = 4096
# /proc/sys entries whose read has a side effect: listed, never read (electron/hosts/proc-sys.ts).
SIDE_EFFECT_ON_READ = frozenset(['vm/stat_refresh'])
# No /proc/sys value comes near this; a bigger "entry" is refused (proc-sys.ts MAX_ENTRY_BYTES).
PROC_VALUE_MAX = 256 * 1024


def host_path_problem(p):
    """Why a host path is unusable, or None."""
    if not isinstance(p, str) or p == '':
        return 'a path must be a non-empty string'
    if not p.startswith('/'):
        return '"%s" is not an absolute path' % p[:200]
    if '\0' in p:
        return 'a path must not contain a NUL byte'
    if len(p) > MAX_PATH:
        return 'a path must be at most %d characters' % MAX_PATH
    return None


def errno_name(e):
    return errno.errorcode.get(e.errno, 'EIO') if isinstance(e, OSError) and e.errno else 'EIO'


def read_all(fd, limit, chunk=65536):
    """Reads until EOF but stops past `limit` bytes (callers compare the length with their limit)."""
    chunks = []
    n = 0
    while n <= limit:
        b = os.read(fd, chunk)
        if not b:
            break
        chunks.append(b)
        n += len(b)
    return b''.join(chunks)


def proc_entry_opened(fd, rel):
    """One opened /proc/sys entry (rel: "net/ipv4/ip_forward"): (state, value, mode, error code).

    The fstat of the opened file decides what it is: a directory (EISDIR), anything else that is
    not a regular file (NOT_REGULAR: a FIFO or device planted in a copy), a write-only entry (no
    read bits: listed, not read), one whose read has a side effect, or a value (procfs reports
    size 0: read until EOF, bounded; one trailing newline dropped)."""
    st = os.fstat(fd)
    mode = stat.S_IMODE(st.st_mode) & 0o777
    if stat.S_ISDIR(st.st_mode):
        return 'dir', None, mode, 'EISDIR'
    if not stat.S_ISREG(st.st_mode):
        return 'unreadable', None, mode, 'NOT_REGULAR'
    if mode & 0o444 == 0:
        return 'write-only', None, mode, None
    if rel in SIDE_EFFECT_ON_READ:
        return 'side-effect', None, mode, None
    try:
        # Small reads: procfs allocates (and zeroes) a kernel buffer of the size asked, per read
        # (a 64 KiB ask cost the agent ~6 ms over a whole /proc/sys); every value fits in a few.
        data = read_all(fd, PROC_VALUE_MAX, 4096)
    except OSError as e:  # EIO for an unset stable_secret and the like: the entry exists
        return 'unreadable', None, mode, errno_name(e)
    if len(data) > PROC_VALUE_MAX:
        return 'unreadable', None, mode, 'TOO_LARGE'
    v = data.decode('utf-8', 'replace')
    return 'ok', (v[:-1] if v.endswith('\n') else v), mode, None
# <<< shared with the read agent <<<


PROTOCOL = 1
MAX_REQUEST = 4 * 1024 * 1024
MAX_FILE = 1024 * 1024
MAX_CONFLICT_SHOW = 64 * 1024
BACKUPS_KEPT = 10
LOCK_WAIT = 10.0
DEADLINE = 60
FIREWALL_CMD = '/usr/bin/firewall-cmd'
BACKUP_BASE = ('var', 'lib', 'hostdeck', 'backups')

# The only files the helper writes: (directory, file-name pattern, verbs allowed).
SYSCTL_D_NAME = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,200}\.conf$')
# firewalld's own configuration files, for offline writes (an image, a stopped firewalld):
# /etc/firewalld/<kind>/<name>.xml with firewalld's name characters, and firewalld.conf.
FIREWALLD_XML_NAME = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.:+-]{0,127}\.xml$')
FIREWALLD_XML_DIRS = ('zones', 'services', 'ipsets', 'icmptypes', 'helpers', 'policies')
FILE_VERBS = frozenset(('write-file', 'delete-file', 'restore-backup', 'list-backups'))
ALLOW = (
    ('/etc', re.compile(r'^resolv\.conf$'), frozenset(('write-file', 'restore-backup', 'list-backups'))),
    ('/etc/sysctl.d', SYSCTL_D_NAME, FILE_VERBS),
    ('/etc/firewalld', re.compile(r'^firewalld\.conf$'), frozenset(('write-file', 'restore-backup', 'list-backups'))),
) + tuple(('/etc/firewalld/' + d, FIREWALLD_XML_NAME, FILE_VERBS) for d in FIREWALLD_XML_DIRS)
KIND_OF_DIR = dict([('/etc', 'resolv'), ('/etc/sysctl.d', 'sysctl.d'), ('/etc/firewalld', 'firewalld.conf')] +
                   [('/etc/firewalld/' + d, 'firewalld-xml') for d in FIREWALLD_XML_DIRS])
# The root element each firewalld directory's files carry.
FIREWALLD_ROOT = {'zones': 'zone', 'services': 'service', 'ipsets': 'ipset', 'icmptypes': 'icmptype', 'helpers': 'helper', 'policies': 'policy'}
# Mode of a directory the helper creates: firewalld makes its own 0750, /etc/sysctl.d is 0755.
def dir_mode(d):
    return 0o750 if d.startswith('/etc/firewalld') else 0o755

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
    k = normalize_key(key)
    if k == 'kernel.core_pattern':
        return core_pattern_error(value)
    # Judged on the value as sysctl-set writes it (JS_WS trimmed): " \u00a02" is written as "2".
    if k == 'fs.suid_dumpable' and kernel_int(value.strip(JS_WS)) == 2:
        return ('fs.suid_dumpable = 2 makes crashing set-uid programs dump core as root, into files their user may choose; '
                'HostDeck does not set it (1 needs a confirmation, 0 is the safe default)')
    return None


def core_pattern_error(value):
    """None when kernel.core_pattern is a plain relative file name, else why HostDeck refuses it."""
    v = value.strip(JS_WS)
    if v.startswith('|'):
        return 'kernel.core_pattern starting with "|" makes the kernel run a program as root; HostDeck does not set it'
    if v.startswith('@'):
        return 'kernel.core_pattern starting with "@" hands every core dump to a socket (Linux 6.16+); HostDeck does not set it'
    if '/' in v or '..' in v:
        return ('kernel.core_pattern "%s" is a path: a crashing set-uid program would create a root-owned file there '
                '(such as /etc/ld.so.preload); HostDeck sets only a plain file name such as core or core.%%e.%%p' % v)
    return None


def kernel_int(value):
    """The integer the kernel reads from a sysctl write (proc_get_long: leading blanks, "-", then base 0
    as strtoul: 0x hex, 0 octal, else decimal; a blank or the end after it), or None when it reads none."""
    m = KERNEL_INT.match(value)
    if not m:
        return None
    digits = m.group(2)
    n = int(digits[2:], 16) if digits[:2] in ('0x', '0X') else int(digits, 8) if digits.startswith('0') else int(digits)
    if n > 0xffffffffffffffff:
        return None
    return -n if m.group(1) else n


KERNEL_INT = re.compile(r'[ \t\n\x0b\x0c\r]*(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(?=$|[ \t\n])')

# Values that switch off a kernel protection: HostDeck and the helper set them only when the request
# names the key in confirmWeakening. Mirrors WEAKENING_RULES in shared/helper/weakening.ts (the
# rules-agree test compares both tables and their verdicts). when: lt (below), eq (one of),
# ne (anything but), anyBits (any of these bits set); a value the kernel parser cannot read counts
# as weakening.
WEAKENING_RULES = (
    ('fs.protected_symlinks', {'eq': [0]}, 'Any user can plant a symbolic link in /tmp or another shared directory that a root program then follows, to read or overwrite files it should not.'),
    ('fs.protected_hardlinks', {'eq': [0]}, 'Users can hard-link files they do not own (set-uid programs, /etc/shadow), keeping vulnerable copies around and tricking root programs.'),
    ('fs.protected_fifos', {'eq': [0]}, 'Root programs write into FIFOs other users planted in /tmp and similar shared directories.'),
    ('fs.protected_regular', {'eq': [0]}, 'Root programs open files other users planted in /tmp and similar shared directories, instead of creating their own.'),
    ('fs.suid_dumpable', {'ne': 0}, 'Set-uid programs (passwd, sudo, su) leave core dumps when they crash, which can hold password hashes and keys.'),
    ('kernel.yama.ptrace_scope', {'eq': [0]}, 'Any process can attach a debugger to every other process of the same user and read its memory (SSH agent keys, browser passwords).'),
    ('kernel.kptr_restrict', {'eq': [0]}, 'Kernel addresses become visible to users (/proc/kallsyms and more), which helps an attacker get around KASLR when exploiting a kernel bug.'),
    ('kernel.dmesg_restrict', {'eq': [0]}, 'Any user can read the kernel log (dmesg), which leaks kernel addresses and other details useful for attacks.'),
    ('kernel.unprivileged_bpf_disabled', {'eq': [0]}, 'Every user can load eBPF programs into the kernel, a frequent route to kernel exploits and Spectre-style leaks.'),
    ('net.core.bpf_jit_harden', {'eq': [0]}, 'The eBPF JIT stops blinding constants, which makes JIT-spraying attacks on the kernel easier.'),
    ('kernel.randomize_va_space', {'lt': 2}, 'Address space layout randomization is reduced or off, which makes memory bugs in every program much easier to exploit.'),
    ('kernel.perf_event_paranoid', {'lt': 2}, 'Users can profile the kernel with perf, which exposes kernel addresses and a large attack surface.'),
    ('vm.mmap_min_addr', {'lt': 4096}, 'Programs can map memory at address 0, which turns kernel NULL-pointer bugs into root exploits.'),
    ('vm.unprivileged_userfaultfd', {'ne': 0}, 'Every user can use userfaultfd, which kernel exploits use to win race conditions.'),
    ('dev.tty.ldisc_autoload', {'ne': 0}, 'Any user can make the kernel load rarely used TTY line-discipline modules, whose bugs have given users root.'),
    ('kernel.sysrq', {'eq': [1], 'anyBits': 8 | 64}, 'Anyone at the keyboard or serial console can use Magic SysRq to dump process details or kill every process (1 enables every function).'),
)
WEAKENING = {k: (when, text) for k, when, text in WEAKENING_RULES}


def weakening(key, value):
    """What setting this value weakens (the reason, in people's words), or None."""
    rule = WEAKENING.get(normalize_key(key))
    if rule is None or not isinstance(value, str):
        return None
    when, text = rule
    n = kernel_int(value.strip(JS_WS))
    if n is None:
        return text
    if ('lt' in when and n < when['lt']) or n in when.get('eq', ()) or ('ne' in when and n != when['ne']) or n & when.get('anyBits', 0):
        return text
    return None


def check_confirmed(pairs, confirmed):
    """Refuses unless `confirmed` (the request's confirmWeakening) names exactly the keys these
    (key, value) pairs weaken; every value is checked, so a later line cannot hide an earlier one."""
    if confirmed is None:
        confirmed = []
    if not isinstance(confirmed, list) or len(confirmed) > 4096 or not all(isinstance(k, str) and key_error(k) is None for k in confirmed):
        raise Refusal('INVALID_INPUT', 'confirmWeakening must be a list of sysctl names')
    weak = []
    seen = set()
    for key, value in pairs:
        k = normalize_key(key)
        why = weakening(k, value)
        if why is not None and k not in seen:
            seen.add(k)
            weak.append({'key': k, 'value': value.strip(JS_WS), 'weakens': why})
    named = set(normalize_key(k) for k in confirmed)
    extra = sorted(named - seen)
    if extra:
        raise Refusal('INVALID_INPUT', 'confirmWeakening names %s, which this change does not weaken' % ', '.join(extra[:10]))
    missing = [w for w in weak if w['key'] not in named]
    if missing:
        raise Refusal('NEEDS_CONFIRMATION', 'this change weakens security and was not confirmed: %s' % '; '.join(
            '%s = %s (%s)' % (w['key'], w['value'], w['weakens']) for w in missing[:10]), {'weakening': weak})
    return weak


# --- sysctl.d lines as systemd-sysctl (v252) reads them: mirrors systemdLines() and
# parseSysctlFile() in shared/kernel/sysctld.ts (the rules-agree test runs both on one corpus). ---
# read_line(): "\n", "\r" and "\0" each end a line, and a run of different markers ("\r\n", "\n\r",
# "\n\r\0") is one line end; a NUL closes the run.
SYSTEMD_EOL = re.compile('\n\r?\0?|\r\n?\0?|\0')
SYSTEMD_WS = ' \t\n\r'


def systemd_lines(text):
    lines = SYSTEMD_EOL.split(text)
    if lines[-1] == '':
        lines.pop()
    return lines


def sysctld_assignments(text):
    """(line number, key, value or None for "-key") per assignment, as systemd-sysctl's parse_file()
    reads them; a line that is not an assignment comes back with key None."""
    out = []
    for i, raw in enumerate(systemd_lines(text), 1):
        p = raw.strip(SYSTEMD_WS)
        if p == '' or p[0] in '#;':
            continue
        value = None
        if '=' in p:
            p, value = p.split('=', 1)
            value = value.strip(SYSTEMD_WS)
            if p[:1] == '-':
                p = p[1:]
        elif p[0] == '-':
            p = p[1:]
        else:
            out.append((i, None, None))
            continue
        out.append((i, p.strip(SYSTEMD_WS), value))
    return out


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


def errno_error(e):
    code = errno_name(e)
    return {'code': code, 'message': ERRNO_TEXT.get(code, '%s (%s)' % (os.strerror(e.errno or errno.EIO), code))}


# --- context -------------------------------------------------------------------------------------


class Ctx(object):
    root = '/'
    proc_sys = '/proc/sys'
    run_dir = None
    user = 'uid %d' % os.getuid()
    caller_from = None


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
    return sha256_of(data).hexdigest()


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
    problem = host_path_problem(path)
    if problem:
        relative = isinstance(path, str) and path != '' and not path.startswith('/') and '\0' not in path and len(path) <= MAX_PATH
        raise Refusal('NOT_ALLOWED' if relative else 'INVALID_INPUT', problem, {'path': path} if relative else None)
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
    raise Refusal('NOT_ALLOWED', '%s is not a file HostDeck may change (allowed: /etc/resolv.conf, /etc/sysctl.d/*.conf, '
                  '/etc/firewalld/firewalld.conf, /etc/firewalld/{%s}/*.xml)' % (path, ','.join(FIREWALLD_XML_DIRS)), {'path': path})


def backup_key(path):
    return path.lstrip('/').replace('%', '%25').replace('/', '%2F')


class Target(object):
    """An allow-listed file with its directory pinned, its backup directory and the lock held."""

    def __init__(self, path, verb, create_dirs=True, readonly=False):
        self.path = path
        self.dir, self.name = check_path(path, verb)
        comps = [c for c in self.dir.split('/') if c]
        # /etc must exist; /etc/sysctl.d (0755) and /etc/firewalld/<kind> (0750, as firewalld) are created when missing.
        self.dfd = walk_dirs(comps[:1])
        try:
            for i in range(1, len(comps)):
                nfd = self._sub(comps[i], create_dirs, '/' + '/'.join(comps[:i + 1]))
                os.close(self.dfd)
                self.dfd = nfd
            self.bfd = walk_dirs(list(BACKUP_BASE) + [backup_key(path)], create_mode=None if readonly else 0o700)
        except BaseException:
            os.close(self.dfd)
            raise
        if not readonly:
            self._lock()

    def _sub(self, c, create, shown):
        try:
            return os.open(c, O_DIR, dir_fd=self.dfd)
        except FileNotFoundError:
            if not create:
                raise Refusal('NOT_FOUND', '%s does not exist' % shown)
            try:
                os.mkdir(c, dir_mode(shown), dir_fd=self.dfd)
            except FileExistsError:
                pass
            try:
                return os.open(c, O_DIR, dir_fd=self.dfd)
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise Refusal('SYMLINK', '%s is a symbolic link or not a directory; HostDeck does not write through links' % shown)
                raise
        except OSError as e:
            if e.errno in (errno.ELOOP, errno.ENOTDIR):
                raise Refusal('SYMLINK', '%s is a symbolic link or not a directory; HostDeck does not write through links' % shown)
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
        # One clock read: seconds and microseconds read apart could straddle a second and name a
        # newer backup before an older one (the list is sorted by name; pruning keeps the last 10).
        us = int(time.time() * 1e6)
        stamp = time.strftime('%Y%m%dT%H%M%S', time.gmtime(us // 1000000)) + '.%06dZ' % (us % 1000000)
        name = '%s-%s.bak' % (stamp, cur['sha'][:12])
        tmp = '.tmp-' + os.urandom(8).hex()
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

    def replace(self, cur, data):
        """Temp file beside the target (O_EXCL|O_NOFOLLOW, random name), fsync, rename, fsync the directory."""
        tmp = '.%s.hostdeck-%s.tmp' % (self.name, os.urandom(8).hex())
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
                    if st.st_mode & 0o022:
                        notes.append('%s is writable by %s (mode %04o): HostDeck kept its owner and mode; chmod go-w it unless that is intended' % (
                            self.path, 'everyone' if st.st_mode & 0o002 else 'its group', stat.S_IMODE(st.st_mode)))
                else:
                    # Whatever the caller asked, and whatever the directory's set-gid bit would give.
                    if os.geteuid() == 0:
                        os.fchown(fd, 0, 0)
                    os.fchmod(fd, 0o644)
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
    if kind in ('firewalld-xml', 'firewalld.conf'):
        check_firewalld(kind, path, data)
        return []
    if kind != 'sysctl.d':
        return []
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError:
        raise Refusal('INVALID_VALUE', '%s: a sysctl.d file must be UTF-8 text' % path)
    errors = []
    pairs = []
    # Lines exactly as systemd-sysctl splits them: a key hidden behind a lone "\r" is a line of its own.
    for i, k, v in sysctld_assignments(text):
        if k is None or v is None:
            errors.append('line %d: not "key = value"' % i)
            continue
        err = key_error(k) or value_error(k, v)
        if err:
            errors.append('line %d: %s' % (i, err))
        pairs.append((k, v))
    if errors:
        raise Refusal('INVALID_VALUE', '%s: %s' % (path, '; '.join(errors[:10])), {'errors': errors[:100]})
    return pairs


FIREWALLD_XML_START = re.compile(r'^\ufeff?\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*<([A-Za-z-]+)[\s/>]', re.S)


def check_firewalld(kind, path, data):
    """firewalld files are UTF-8; an XML one has the root element of its directory and no DTD (no entities)."""
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError:
        raise Refusal('INVALID_VALUE', '%s: firewalld files must be UTF-8 text' % path)
    if kind == 'firewalld.conf':
        return
    if '<!DOCTYPE' in text or '<!ENTITY' in text:
        raise Refusal('INVALID_VALUE', '%s: a DOCTYPE or entity declaration is not allowed in a firewalld file' % path)
    m = FIREWALLD_XML_START.match(text)
    want = FIREWALLD_ROOT[path.split('/')[-2]]
    if not m or m.group(3) != want:
        raise Refusal('INVALID_VALUE', '%s: not a firewalld %s file (its root element must be <%s>)' % (path, want, want))


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
    fields(req, ('path', 'content', 'expectedSha256'), ('mode', 'confirmWeakening'))
    data = decode_content(req['content'])
    expected = want_sha(req['expectedSha256'], 'expectedSha256')
    # A new file is always 0644 root:root; 0644 itself is still accepted from older HostDeck versions.
    if 'mode' in req and (isinstance(req['mode'], bool) or req['mode'] != 0o644):
        raise Refusal('NOT_ALLOWED', 'mode %s refused: HostDeck creates files 0644 root:root, and an existing file keeps its owner and mode' % json.dumps(req['mode'])[:40])
    return write_file(req['path'], data, expected, 'write-file', confirmed=req.get('confirmWeakening'))


def write_file(path, data, expected, verb, restored_from=None, confirmed=None):
    d, _ = check_path(path, verb)
    pairs = check_content(KIND_OF_DIR[d], path, data)
    # A backup puts back what the host had before: only new content needs the confirmation.
    if verb == 'write-file':
        check_confirmed(pairs, confirmed)
    t = Target(path, verb)
    try:
        stale = t.clean_stale()
        cur = t.read()
        t.conflict(cur, expected)
        new_sha = sha256(data)
        if cur and cur['sha'] == new_sha:
            return {'path': path, 'sha256': new_sha, 'changed': False, 'backup': None, 'inPlace': False, 'staleTempsRemoved': stale}
        backup = t.backup(cur) if cur else None
        in_place, notes = t.replace(cur, data)
        what = 'restored %s from backup %s' % (path, restored_from) if restored_from else 'wrote %s' % path
        log('%s (%d bytes, sha256 %s, was %s, backup %s%s)' % (what, len(data), new_sha, cur['sha'] if cur else 'absent', backup, ', in place after EBUSY' if in_place else ''))
        journal_append(verb, 'changed', path=path, backup=backup)
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
        journal_append('delete-file', 'deleted', path=t.path, backup=backup)
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
    out = write_file(req['path'], data, expected, 'restore-backup', restored_from=name)
    out['restoredFrom'] = name
    return out


# --- sysctl --------------------------------------------------------------------------------------

def norm(v):
    return ' '.join(v.split())


def proc_open(key, flags):
    comps = key_to_path(key).split('/')
    if any(c in ('', '.', '..') for c in comps):  # never leave the /proc/sys tree, whatever the caller checked
        raise OSError(errno.ENOENT, 'not a sysctl name')
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
        state, value, mode, err = proc_entry_opened(fd, key_to_path(key))
    finally:
        os.close(fd)
    if state == 'dir':
        return None, None, 'EISDIR'
    if err == 'NOT_REGULAR':
        return None, None, 'ENOENT'
    return value, mode, err


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
    fields(req, ('settings',), ('revertAfterSeconds', 'confirmWeakening'))
    settings = want_settings(req['settings'], with_applied=True)
    check_confirmed([(s['key'], s['value']) for s in settings], req.get('confirmWeakening'))
    secs = req.get('revertAfterSeconds')
    if secs is not None:
        want_int(secs, 'revertAfterSeconds', 5, 3600)
        revert_cap_precheck()
    results = sysctl_apply(settings, check_applied=True)
    out = {'results': results, 'revert': None}
    applied = [r['key'] for r in results if r['outcome'] == 'applied']
    if applied or any(r['outcome'] == 'failed' for r in results):
        journal_append('sysctl-set', 'applied' if applied else 'failed', keys=applied or [r['key'] for r in results if r['outcome'] == 'failed'])
    undo = [{'key': r['key'], 'value': r['previous'], 'applied': r['readBack']} for r in results if r['outcome'] == 'applied' and r['previous'] is not None]
    if secs is not None and undo:
        out['revert'] = schedule({'kind': 'sysctl', 'settings': undo}, secs)
    return out


# --- revert timers -------------------------------------------------------------------------------
#
# The state of each timer is one file in STATE/reverts (STATE: /run/hostdeck as root, the user's
# runtime dir otherwise, --run-dir for tests run as this process): never under an image root or
# any directory another user can change. It is reached from "/" one no-follow directory handle at
# a time. The reverter is a fork of the process that validated the plan: it keeps that plan in
# memory and reads only the status (cancelled or not) from the file, through the directory handle
# it already holds.

# How many timers one invoking user may have pending at once: each is a process sleeping up to an
# hour (root's, through pkexec or sudo).
MAX_PENDING_PER_USER = 8
# A pending state whose reverter is gone (killed) stops counting this long after its deadline.
PENDING_GRACE_MS = 120 * 1000
# Finished timers answer revert-status for a day, then go.
FINISHED_KEPT_MS = 24 * 3600 * 1000
STATE_NAME = re.compile(r'^([A-Za-z0-9_-]{8,64})\.json$')


def invoking_uid():
    for var in ('PKEXEC_UID', 'SUDO_UID'):
        v = os.environ.get(var)
        if v and v.isdigit():
            return int(v)
    return os.getuid()


def state_base():
    if CTX.run_dir:
        return CTX.run_dir
    if os.geteuid() == 0:
        return '/run/hostdeck'
    xdg = os.environ.get('XDG_RUNTIME_DIR')
    return os.path.join(xdg, 'hostdeck') if xdg and os.path.isabs(xdg) else '/tmp/hostdeck-%d' % os.geteuid()


def open_state_dir():
    """STATE/reverts opened from "/" with O_NOFOLLOW directory handles (missing parts created);
    returns its fd. Every parent must belong to root or this user and be writable by nobody else
    (or sticky, as /tmp); STATE and STATE/reverts must be this user's and private (0700)."""
    base = os.path.normpath(os.path.abspath(state_base()))
    comps = [c for c in base.split('/') if c] + ['reverts']
    euid = os.geteuid()
    fd = os.open('/', O_DIR)
    path = ''
    try:
        for n, c in enumerate(comps):
            path += '/' + c
            private = n >= len(comps) - 2
            try:
                nfd = os.open(c, O_DIR, dir_fd=fd)
            except FileNotFoundError:
                try:
                    os.mkdir(c, 0o700 if private else 0o755, dir_fd=fd)
                except FileExistsError:
                    pass
                try:
                    nfd = os.open(c, O_DIR, dir_fd=fd)
                except OSError as e:
                    if e.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise Refusal('UNSAFE_STATE_DIR', '%s is a symbolic link or not a directory; revert timers keep their state only in a real directory' % path)
                    raise
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise Refusal('UNSAFE_STATE_DIR', '%s is a symbolic link or not a directory; revert timers keep their state only in a real directory' % path)
                raise
            os.close(fd)
            fd = nfd
            st = os.fstat(fd)
            if private:
                if st.st_uid != euid or st.st_mode & 0o077:
                    raise Refusal('UNSAFE_STATE_DIR', '%s must be a directory owned by uid %d and private (0700)' % (path, euid))
            elif st.st_uid not in (0, euid) or (st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX):
                raise Refusal('UNSAFE_STATE_DIR', '%s belongs to uid %d or is writable by others; revert timer state is not kept under it' % (path, st.st_uid))
        return fd
    except BaseException:
        os.close(fd)
        raise


def with_state(rid, fn, dfd=None):
    """Runs fn(state) -> new state or None under an exclusive lock of the state file."""
    own = dfd is None
    if own:
        dfd = open_state_dir()
    try:
        try:
            fd = os.open(rid + '.json', os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dfd)
        except FileNotFoundError:
            raise Refusal('NOT_FOUND', 'no revert timer %s on this host (finished ones are kept for a day, until reboot at most)' % rid)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
                raise Refusal('UNSAFE_STATE_DIR', 'the state of revert timer %s is not a regular file of uid %d' % (rid, os.geteuid()))
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
    finally:
        if own:
            os.close(dfd)


def public(state):
    return {k: state.get(k) for k in ('id', 'status', 'kind', 'deadlineMs', 'createdMs', 'finishedMs', 'results', 'error')}


def pending_of(dfd, uid):
    """How many timers of this invoking user are still pending (or running) in the state dir.
    Finished ones older than FINISHED_KEPT_MS are removed on the way (the dir is memory, /run)."""
    now = time.time() * 1000
    n = 0
    for name in os.listdir(dfd):
        m = STATE_NAME.fullmatch(name)
        if not m:
            continue
        try:
            s = with_state(m.group(1), lambda s: None, dfd)
        except (Refusal, OSError, ValueError):
            continue
        if not isinstance(s, dict):
            continue
        if s.get('status') in ('pending', 'reverting'):
            if s.get('byUid') == uid and isinstance(s.get('deadlineMs'), (int, float)) and s['deadlineMs'] + PENDING_GRACE_MS > now:
                n += 1
        elif isinstance(s.get('finishedMs'), (int, float)) and s['finishedMs'] + FINISHED_KEPT_MS < now:
            try:
                os.unlink(name, dir_fd=dfd)
            except OSError:
                pass
    return n


def check_revert_cap(dfd, uid):
    if pending_of(dfd, uid) >= MAX_PENDING_PER_USER:
        raise Refusal('TOO_MANY_REVERTS', 'uid %d already has %d revert timers pending on this host (at most %d per user): confirm or wait for one before scheduling another' % (uid, MAX_PENDING_PER_USER, MAX_PENDING_PER_USER), {'limit': MAX_PENDING_PER_USER})


def revert_cap_precheck():
    """Refuses before a change is made when its revert timer could not be scheduled."""
    dfd = open_state_dir()
    try:
        check_revert_cap(dfd, invoking_uid())
    finally:
        os.close(dfd)


def schedule(plan, seconds):
    rid = base64.urlsafe_b64encode(os.urandom(12)).decode('ascii').replace('-', 'x').replace('_', 'y')
    now = time.time()
    uid = invoking_uid()
    # No plan in the file: the reverter applies the one it holds in memory, nothing reads it back.
    state = {'id': rid, 'status': 'pending', 'kind': plan['kind'], 'steps': len(plan.get('settings') or plan.get('commands') or []), 'createdMs': int(now * 1000),
             'deadlineMs': int((now + seconds) * 1000), 'finishedMs': None, 'results': None, 'error': None,
             'by': CTX.user, 'byUid': uid, 'root': CTX.proc_sys}
    dfd = open_state_dir()
    try:
        # The count and the new file under one lock: parallel requests cannot pass the cap together.
        fcntl.flock(dfd, fcntl.LOCK_EX)
        check_revert_cap(dfd, uid)
        fd = os.open(rid + '.json', os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dfd)
        try:
            write_all(fd, json.dumps(state).encode('utf-8'))
            os.fsync(fd)
        finally:
            os.close(fd)
        fcntl.flock(dfd, fcntl.LOCK_UN)
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
                reverter(rid, dfd, plan, state['deadlineMs'])
            finally:
                os._exit(0)
        os.close(w)
        child = read_all(r, 64).decode('ascii', 'replace')
        os.close(r)
        os.waitpid(pid, 0)
    finally:
        os.close(dfd)
    log('scheduled revert %s (%s) in %d s, reverter pid %s' % (rid, plan['kind'], seconds, child))
    return {'id': rid, 'deadlineMs': state['deadlineMs'], 'status': 'pending', 'pid': int(child) if child.isdigit() else None}


def reverter(rid, dfd, plan, deadline_ms):
    """Waits for the deadline, then applies `plan` (validated by the parent, kept in memory) unless
    the state file says cancelled. The file is reached only through dfd, opened at schedule time."""
    while True:
        state = with_state(rid, lambda s: None, dfd)
        if state.get('status') != 'pending':
            return
        left = deadline_ms / 1000.0 - time.time()
        if left <= 0:
            break
        time.sleep(min(left, 0.5))

    def claim(s):
        if s.get('status') != 'pending':
            return None
        s['status'] = 'reverting'
        return s
    state = with_state(rid, claim, dfd)
    if state.get('status') != 'reverting':
        return
    try:
        results, status, error = apply_plan(plan)
    except Exception as e:  # the state must say what happened, whatever happened
        results, status, error = None, 'failed', '%s: %s' % (type(e).__name__, str(e)[:200])

    def finish(s):
        s.update(status=status, results=results, error=error, finishedMs=int(time.time() * 1000))
        return s
    with_state(rid, finish, dfd)
    log('revert %s %s%s' % (rid, status, (': ' + error) if error else ''))


def apply_plan(plan):
    """(results, status, error). Each key and command is checked again right before it runs."""
    if plan['kind'] == 'sysctl':
        bad = [s['key'] for s in plan['settings'] if key_error(s['key'])]
        if bad:
            return None, 'failed', 'refused before applying: not sysctl names: %s' % ', '.join(json.dumps(k)[:80] for k in bad[:5])
        results = sysctl_apply(plan['settings'], check_applied=True)
        failed = [r for r in results if r['outcome'] in ('failed', 'conflict')]
        return results, ('failed' if failed else 'reverted'), ('%d of %d keys were not restored' % (len(failed), len(results)) if failed else None)
    err = fw_plan_error(plan['commands'])
    if err:
        return None, 'failed', 'refused before running: %s' % err
    results = [run_firewall_cmd(argv) for argv in plan['commands']]
    bad = [r for r in results if not r['ok']]
    return results, ('failed' if bad else 'reverted'), ('%d of %d firewall-cmd calls failed' % (len(bad), len(results)) if bad else None)


# firewall-cmd's exit codes (firewall/errors.py): the only words about a step revert-status gives,
# never the command's own output.
FW_EXIT = {
    0: 'ok', 2: 'usage error', 11: 'ALREADY_ENABLED', 12: 'NOT_ENABLED', 13: 'COMMAND_FAILED', 15: 'PANIC_MODE',
    16: 'ZONE_ALREADY_SET', 17: 'UNKNOWN_INTERFACE', 18: 'ZONE_CONFLICT', 22: 'NO_DEFAULTS', 26: 'NAME_CONFLICT',
    28: 'PARSE_ERROR', 29: 'ACCESS_DENIED', 30: 'UNKNOWN_SOURCE', 34: 'ALREADY_SET', 36: 'DBUS_ERROR', 38: 'NOT_APPLIED',
    101: 'INVALID_SERVICE', 102: 'INVALID_PORT', 103: 'INVALID_PROTOCOL', 104: 'INVALID_INTERFACE', 105: 'INVALID_ADDR',
    106: 'INVALID_FORWARD', 107: 'INVALID_ICMPTYPE', 110: 'INVALID_TARGET', 112: 'INVALID_ZONE', 114: 'INVALID_VALUE',
    116: 'INVALID_NAME', 122: 'INVALID_RULE', 134: 'INVALID_MAC', 135: 'INVALID_IPSET', 136: 'INVALID_ENTRY',
    139: 'INVALID_PRIORITY', 140: 'INVALID_POLICY', 251: 'RUNNING_BUT_FAILED', 252: 'NOT_RUNNING', 253: 'NOT_AUTHORIZED',
    254: 'UNKNOWN_ERROR', -1: 'firewall-cmd could not be run or did not finish within 60 s',
}


def run_firewall_cmd(argv):
    import subprocess
    env = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'LANG': 'C.UTF-8'}
    if os.environ.get('DBUS_SYSTEM_BUS_ADDRESS'):
        env['DBUS_SYSTEM_BUS_ADDRESS'] = os.environ['DBUS_SYSTEM_BUS_ADDRESS']
    try:
        code = subprocess.run([FIREWALL_CMD] + list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=60, shell=False, close_fds=True, env=env).returncode
    except (OSError, subprocess.TimeoutExpired):
        code = -1
    return {'argv': argv, 'exitCode': code, 'ok': code == 0, 'message': FW_EXIT.get(code, 'firewall-cmd exited with code %d' % code)}


# --- the firewall-cmd commands a revert may run: mirrors shared/helper/revert-grammar.ts ---------
# (test/helper/revert-grammar.test.ts checks the tables are equal and both judges agree)

FW_VALUES = {
    'zone': '[A-Za-z0-9_][A-Za-z0-9_/-]{0,35}',
    'service': '[A-Za-z0-9_][A-Za-z0-9_-]{0,127}',
    'icmptype': '[A-Za-z0-9_][A-Za-z0-9_-]{0,127}',
    'ipset': '[A-Za-z0-9_][A-Za-z0-9_:.-]{0,31}',
    'port': '[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}/(tcp|udp|sctp|dccp)',
    'protocol': '[A-Za-z0-9][A-Za-z0-9_.+-]{0,31}',
    'forwardPort': 'port=[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}:proto=(tcp|udp|sctp|dccp)(:toport=[A-Za-z0-9][A-Za-z0-9_.+-]{0,63})?(:toaddr=[0-9A-Fa-f.:\\[\\]]{1,64})?',
    'richRule': '[ \\t\\n]{0,16}rule[ \\t\\n][^\\x00-\\x08\\x0b-\\x1f\\x7f]{1,4000}',
    'interface': '[A-Za-z0-9_.:@+][A-Za-z0-9_.:@+-]{0,14}',
    'source': 'ipset:[A-Za-z0-9_][A-Za-z0-9_:.-]{0,31}|[0-9A-Fa-f:][0-9A-Fa-f.:/]{0,63}|\\[[0-9A-Fa-f.:]{1,45}\\](/[0-9]{1,3})?',
    'zoneTarget': 'default|ACCEPT|DROP|REJECT|%%REJECT%%',
    'text': '[^\\x00-\\x08\\x0b-\\x1f\\x7f]{0,4000}',
    'priority': '-?[0-9]{1,5}',
    'ipsetEntry': '[0-9A-Za-z:.,/_\\[\\]][0-9A-Za-z:.,/_\\[\\]-]{0,199}',
}
FW_RE = {k: re.compile('(?:%s)' % v) for k, v in FW_VALUES.items()}
_BOTH = ['zone', 'policy']
FW_OPTIONS = {}
for _name, _value, _scopes in (('service', 'service', _BOTH), ('port', 'port', _BOTH), ('protocol', 'protocol', _BOTH),
                               ('source-port', 'port', _BOTH), ('icmp-block', 'icmptype', _BOTH), ('forward-port', 'forwardPort', _BOTH),
                               ('rich-rule', 'richRule', _BOTH), ('interface', 'interface', ['zone']), ('source', 'source', ['zone']),
                               ('ingress-zone', 'zone', ['policy']), ('egress-zone', 'zone', ['policy']), ('entry', 'ipsetEntry', ['ipset'])):
    for _op in ('add', 'remove'):
        FW_OPTIONS['--%s-%s' % (_op, _name)] = {'value': _value, 'scopes': _scopes}
FW_OPTIONS['--change-interface'] = {'value': 'interface', 'scopes': ['zone']}
FW_OPTIONS['--change-source'] = {'value': 'source', 'scopes': ['zone']}
for _name in ('masquerade', 'forward', 'icmp-block-inversion'):
    for _op in ('add', 'remove'):
        FW_OPTIONS['--%s-%s' % (_op, _name)] = {'value': None, 'scopes': _BOTH if _name == 'masquerade' else ['zone']}
for _name, _value in (('target', 'zoneTarget'), ('short', 'text'), ('description', 'text'), ('ingress-priority', 'priority'), ('egress-priority', 'priority')):
    FW_OPTIONS['--set-' + _name] = {'value': _value, 'scopes': ['zone'], 'permanentOnly': True}
FW_GLOBAL = {'panicOff': '--panic-off', 'reload': '--reload', 'defaultZone': '--set-default-zone'}
FW_MAX_COMMANDS = 1024
FW_MAX_ARGS = 64
FW_SCOPE = re.compile(r'--(zone|policy|ipset)=(.*)', re.DOTALL)


def fw_show(s):
    return json.dumps(s[:80] + '...' if len(s) > 80 else s)


def fw_command_error(argv, permanent_seen):
    """None when one command (an argv for /usr/bin/firewall-cmd) is allowed, else the reason."""
    if not isinstance(argv, list) or not 1 <= len(argv) <= FW_MAX_ARGS:
        return 'a command is a list of 1 to %d arguments' % FW_MAX_ARGS
    if not all(isinstance(a, str) for a in argv):
        return 'every argument is a string'
    if len(argv) == 1:
        a = argv[0]
        if a == FW_GLOBAL['panicOff']:
            return None
        if a == FW_GLOBAL['reload']:
            return None if permanent_seen else '--reload is allowed only after a --permanent step of the same plan'
        if a.startswith(FW_GLOBAL['defaultZone'] + '='):
            return None if FW_RE['zone'].fullmatch(a[len(FW_GLOBAL['defaultZone']) + 1:]) else '%s: not a zone name' % fw_show(a)
    i = 0
    permanent = argv[0] == '--permanent'
    if permanent:
        i += 1
    scope = FW_SCOPE.fullmatch(argv[i]) if i < len(argv) else None
    if not scope:
        return '%s is not allowed here: a revert step is --panic-off, --reload, --set-default-zone=ZONE or [--permanent] --zone=|--policy=|--ipset=NAME followed by its changes' % fw_show(argv[i] if i < len(argv) else '')
    kind = scope.group(1)
    if not FW_RE['ipset' if kind == 'ipset' else 'zone'].fullmatch(scope.group(2)):
        return '%s: not a %s name' % (fw_show(argv[i]), kind)
    if permanent and kind == 'policy':
        return 'a policy step is runtime only (no --permanent)'
    i += 1
    if i >= len(argv):
        return '%s needs a change after it' % fw_show(argv[i - 1])
    option_name = None
    for a in argv[i:]:
        eq = a.find('=')
        name = a if eq < 0 else a[:eq]
        opt = FW_OPTIONS.get(name)
        if not opt or kind not in opt['scopes']:
            return '%s is not allowed in a revert step for a %s' % (fw_show(a), kind)
        if option_name is not None and name != option_name:
            return '%s: one kind of change per step (this step has %s)' % (fw_show(a), option_name)
        if opt.get('permanentOnly') and not permanent:
            return '%s needs --permanent' % name
        if opt['value'] is None:
            if eq >= 0:
                return '%s takes no value' % name
            if option_name is not None:
                return '%s appears twice' % name
        else:
            if eq < 0:
                return '%s needs =VALUE' % name
            if not FW_RE[opt['value']].fullmatch(a[eq + 1:]):
                return '%s: not a valid %s value' % (fw_show(a), opt['value'])
        option_name = name
    return None


def fw_plan_error(commands):
    """None when a whole firewall-cmd revert plan is allowed, else the reason (naming the step)."""
    if not isinstance(commands, list) or not 1 <= len(commands) <= FW_MAX_COMMANDS:
        return 'a plan is a list of 1 to %d commands' % FW_MAX_COMMANDS
    permanent_seen = False
    for n, argv in enumerate(commands):
        err = fw_command_error(argv, permanent_seen)
        if err:
            return 'step %d: %s' % (n + 1, err)
        if argv[0] == '--permanent':
            permanent_seen = True
    return None


def want_plan(plan):
    if not isinstance(plan, dict) or plan.get('kind') not in ('sysctl', 'firewall-cmd'):
        raise Refusal('INVALID_INPUT', 'plan.kind must be "sysctl" or "firewall-cmd"')
    if plan['kind'] == 'sysctl':
        if set(plan) != {'kind', 'settings'}:
            raise Refusal('INVALID_INPUT', 'a sysctl plan is {kind, settings}')
        return {'kind': 'sysctl', 'settings': want_settings(plan['settings'], with_applied=True)}
    if set(plan) != {'kind', 'commands'}:
        raise Refusal('INVALID_INPUT', 'a firewall-cmd plan is {kind, commands}')
    err = fw_plan_error(plan['commands'])
    if err:
        raise Refusal('NOT_ALLOWED', 'this firewall-cmd revert plan is refused: %s. A revert runs only the commands HostDeck builds to undo a change.' % err)
    return {'kind': 'firewall-cmd', 'commands': [list(a) for a in plan['commands']]}


def do_schedule(req):
    fields(req, ('seconds', 'plan'), ('confirmWeakening',))
    secs = want_int(req['seconds'], 'seconds', 5, 3600)
    plan = want_plan(req['plan'])
    check_confirmed([(s['key'], s['value']) for s in plan.get('settings', ())], req.get('confirmWeakening'))
    return schedule(plan, secs)


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


# --- nft-ruleset: read-only ------------------------------------------------------------------------

NFT_BINARIES = ('/usr/sbin/nft', '/sbin/nft')
NSENTER = '/usr/bin/nsenter'
NFT_MAX_OUTPUT = 6 * 1024 * 1024


def firewalld_netns(pid):
    """The network namespace file of a running firewalld (its /proc/PID/comm says so), else a Refusal."""
    try:
        with open('/proc/%d/comm' % pid, 'rb') as f:
            comm = f.read(64).decode('utf-8', 'replace').strip()
    except OSError:
        raise Refusal('NOT_FOUND', 'no process %d' % pid)
    if comm != 'firewalld':
        raise Refusal('NOT_ALLOWED', 'process %d is %s, not firewalld: only the ruleset firewalld works in is read' % (pid, json.dumps(comm[:32])))
    return '/proc/%d/ns/net' % pid


def do_nft_ruleset(req):
    """`nft -j list ruleset` of this host, or of the network namespace of the firewalld with this pid."""
    import subprocess
    fields(req, (), ('pid',))
    argv_prefix = []
    if req.get('pid') is not None:
        ns = firewalld_netns(want_int(req['pid'], 'pid', 1, 2 ** 22))
        if os.stat(ns).st_ino != os.stat('/proc/self/ns/net').st_ino:
            argv_prefix = [NSENTER, '--net=' + ns]
    nft = next((b for b in NFT_BINARIES if os.path.exists(b)), None)
    if nft is None:
        raise Refusal('NOT_FOUND', 'nft is not installed (package nftables)')
    try:
        r = subprocess.run(argv_prefix + [nft, '-j', 'list', 'ruleset'], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30, shell=False, close_fds=True,
                           env={'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'LANG': 'C.UTF-8'})
    except subprocess.TimeoutExpired:
        raise Refusal('TIMEOUT', 'nft -j list ruleset did not finish within 30 s')
    if r.returncode != 0:
        raise Refusal('IO_ERROR', 'nft -j list ruleset failed (%d): %s' % (r.returncode, r.stderr.decode('utf-8', 'replace')[:300].strip()))
    if len(r.stdout) > NFT_MAX_OUTPUT:
        raise Refusal('TOO_LARGE', 'the ruleset is larger than %d bytes of JSON' % NFT_MAX_OUTPUT)
    try:
        ruleset = json.loads(r.stdout.decode('utf-8'))
    except (ValueError, UnicodeDecodeError) as e:
        raise Refusal('IO_ERROR', 'nft printed no JSON: %s' % str(e)[:200])
    return {'ruleset': ruleset}


def own_sha256():
    """sha256 of this program's file (the installed helper), or None when it runs from a string."""
    try:
        path = os.path.realpath(__file__)
        with open(path, 'rb') as f:
            return sha256(f.read(MAX_REQUEST))
    except (NameError, OSError):
        return None


# --- journal -------------------------------------------------------------------------------------
#
# Every change the helper makes is one JSON line in BACKUP_BASE/journal (next to the backups,
# root-owned 0600, appended under a lock, never rewritten): the time, the verb, the path or the
# sysctl keys, who asked (uid and login), the result and the backup name. No content and no
# values: nothing secret. Bounded: past JOURNAL_MAX bytes it becomes journal.1 (the one before
# is dropped) and a new journal starts. HostDeck reads it with the journal verb, so a change made
# from another machine or configuration shows in every HostDeck's timeline as HostDeck's.

JOURNAL_NAME = 'journal'
JOURNAL_MAX = 512 * 1024
JOURNAL_READ_MAX = 2000
JOURNAL_KEYS_MAX = 64
JOURNAL_ANSWER_MAX = 200  # entries a write verb's answer carries (journalSince)
FROM_MAX = 128  # characters of `from` kept
JOURNALED = frozenset(('write-file', 'delete-file', 'restore-backup', 'sysctl-set'))


def clean_text(v, limit):
    # Hostile text from the caller or a parent's environment: no control characters (a newline would forge a line), bounded.
    return ''.join('?' if (ord(c) < 32 or 0x7f <= ord(c) < 0xa0 or c in '\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069') else c for c in v[:limit])


def ssh_client_address():
    """The client address of the SSH connection this helper runs under, if any: SSH_CONNECTION in its
    own environment (a root login) or, as sudo drops it, in the nearest ancestor's (the login's shell)."""
    import ipaddress
    pid = os.getpid()
    env = os.environ.get('SSH_CONNECTION')
    for _ in range(8):
        if env:
            try:
                return str(ipaddress.ip_address(env.split()[0]))
            except (ValueError, IndexError):
                return None
        try:
            with open('/proc/%d/stat' % pid, 'rb') as f:
                pid = int(f.read().rsplit(b')', 1)[1].split()[1])
            if pid <= 1:
                return None
            with open('/proc/%d/environ' % pid, 'rb') as f:
                data = f.read(256 * 1024)
        except (OSError, ValueError, IndexError):
            return None
        env = None
        for item in data.split(b'\0'):
            if item.startswith(b'SSH_CONNECTION='):
                env = item[len('SSH_CONNECTION='):].decode('ascii', 'replace')
                break
    return None


def caller_from(stated):
    """Who asked, for the journal: the machine as the caller states it, and the SSH client address the helper sees."""
    parts = []
    if isinstance(stated, str) and stated.strip():
        parts.append(clean_text(stated.strip(), FROM_MAX))
    addr = ssh_client_address()
    if addr:
        parts.append('via %s' % addr)
    return ' '.join(parts)[:FROM_MAX + 50] or None


def invoking_login():
    uid = invoking_uid()
    try:
        import pwd
        return uid, pwd.getpwuid(uid).pw_name
    except Exception:  # a uid without a passwd entry (a container's) is still named by its number
        return uid, None


def open_journal(bfd, name, flags):
    fd = os.open(name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=bfd)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or (os.geteuid() == 0 and st.st_uid != 0):
        os.close(fd)
        raise Refusal('NOT_REGULAR', 'the journal %s is not a regular file owned by root; left alone' % name)
    return fd


def journal_append(verb, result, path=None, keys=None, backup=None):
    """Appends one entry; a journal that cannot be written is logged, never fails the change it records."""
    try:
        uid, login = invoking_login()
        entry = {'time': int(time.time() * 1000), 'verb': verb, 'uid': uid, 'login': login, 'result': result}
        if path is not None:
            entry['path'] = path
        if keys:
            entry['keys'] = keys[:JOURNAL_KEYS_MAX]
        if backup:
            entry['backup'] = backup
        if CTX.caller_from:
            entry['from'] = CTX.caller_from
        line = (json.dumps(entry, sort_keys=True) + '\n').encode('utf-8')
        bfd = walk_dirs(list(BACKUP_BASE), create_mode=0o700)
        try:
            fd = open_journal(bfd, JOURNAL_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if os.fstat(fd).st_size + len(line) > JOURNAL_MAX:
                    os.rename(JOURNAL_NAME, JOURNAL_NAME + '.1', src_dir_fd=bfd, dst_dir_fd=bfd)
                    nfd = open_journal(bfd, JOURNAL_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
                    os.close(fd)
                    fd = nfd
                    fcntl.flock(fd, fcntl.LOCK_EX)
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        finally:
            os.close(bfd)
    except Exception as e:
        log('journal entry for %s not written: %s' % (verb, e))


def want_since(since, name):
    if isinstance(since, bool) or not isinstance(since, (int, float)) or since < 0:
        raise Refusal('INVALID_INPUT', '%s must be a time in ms since the epoch (a number >= 0)' % name)
    return since


def do_journal(req):
    fields(req, ('since',))
    return read_journal(want_since(req['since'], 'since'), JOURNAL_READ_MAX)


def read_journal(since, limit):
    entries = []
    try:
        bfd = walk_dirs(list(BACKUP_BASE))
    except Refusal as r:
        if r.code == 'NOT_FOUND':
            return {'entries': [], 'truncated': False}
        raise
    try:
        for name in (JOURNAL_NAME + '.1', JOURNAL_NAME):
            try:
                fd = open_journal(bfd, name, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_SH)
                data = b''
                while len(data) <= JOURNAL_MAX * 2:
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        break
                    data += chunk
            finally:
                os.close(fd)
            for raw in data.split(b'\n'):
                try:
                    e = json.loads(raw.decode('utf-8'))
                except (ValueError, UnicodeDecodeError):
                    continue  # a torn last line (a crash mid-append) or a damaged one: skipped
                if isinstance(e, dict) and isinstance(e.get('time'), (int, float)) and e['time'] >= since and isinstance(e.get('verb'), str):
                    entries.append(e)
    finally:
        os.close(bfd)
    return {'entries': entries[-limit:], 'truncated': len(entries) > limit}


def do_version(req):
    fields(req, ())
    return {'protocol': PROTOCOL, 'sha256': own_sha256(), 'verbs': sorted(VERBS)}


VERBS = {
    'write-file': do_write,
    'delete-file': do_delete,
    'list-backups': do_list,
    'restore-backup': do_restore,
    'sysctl-set': do_sysctl,
    'schedule-revert': do_schedule,
    'cancel-revert': do_cancel,
    'revert-status': do_status,
    'version': do_version,
    'nft-ruleset': do_nft_ruleset,
    'journal': do_journal,
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
        # A journaled verb: who asked goes into its entry; with journalSince its answer carries the journal since then.
        CTX.caller_from = None
        since = None
        if verb in JOURNALED:
            CTX.caller_from = caller_from(req.pop('from', None))
            since = req.pop('journalSince', None)
            if since is not None:
                want_since(since, 'journalSince')
        answer = {'ok': True, 'result': fn(req), 'protocol': PROTOCOL}
        if since is not None:
            try:
                answer['journal'] = read_journal(since, JOURNAL_ANSWER_MAX)
            except Exception as e:  # the change is made: a journal that cannot be read does not fail its answer
                log('journal not read for the answer: %s' % e)
        return answer
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


# --session bounds: one authorization is not an open-ended root shell on a pipe.
SESSION_MAX_REQUESTS = 64
SESSION_IDLE = 5
SESSION_LIFETIME = 120
# --idle N (a session kept open by the app between changes): never longer than polkit's
# auth_admin_keep (5 min), the time the authorization it was started with is kept anyway.
SESSION_IDLE_MAX = 300


def main(argv):
    global SESSION_IDLE
    mode = None
    idle = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ('--batch', '--session'):
            if mode is not None:
                out({'ok': False, 'error': {'code': 'INVALID_INPUT', 'message': '--batch and --session are given once, and not together'}})
                return 2
            if a == '--batch' and elevated_by_other():
                out({'ok': False, 'error': {'code': 'NOT_ALLOWED', 'message': '--batch is refused when the helper runs through pkexec or sudo (use --session)'}})
                return 2
            mode = a[2:]
        elif a == '--idle' and i + 1 < len(argv):
            v = argv[i + 1]
            if idle is not None or not (v.isdigit() and v.isascii() and 1 <= int(v) <= SESSION_IDLE_MAX):
                out({'ok': False, 'error': {'code': 'INVALID_INPUT', 'message': '--idle takes whole seconds from 1 to %d, once' % SESSION_IDLE_MAX}})
                return 2
            idle = int(v)
            i += 1
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
    if idle is not None:
        if mode != 'session':
            out({'ok': False, 'error': {'code': 'INVALID_INPUT', 'message': '--idle is for --session only'}})
            return 2
        SESSION_IDLE = idle
    CTX.user = invoking_user()
    os.umask(0o022)
    signal.signal(signal.SIGALRM, on_alarm)
    stdin = sys.stdin.buffer
    if mode == 'batch':
        for line in stdin:
            out(run_one(line))
        return 0
    if mode == 'session':
        return session(stdin)
    raw = stdin.read(MAX_REQUEST + 1)
    answer = run_one(raw)
    out(answer)
    return 0 if answer.get('ok') else 1


def session(stdin):
    """Up to SESSION_MAX_REQUESTS requests, one per line, each through run_one exactly as a single
    call; ends at EOF, after SESSION_IDLE s without a request, SESSION_LIFETIME s after the start
    or at a line longer than MAX_REQUEST (what follows it is never read as a request)."""
    ends = time.monotonic() + SESSION_LIFETIME
    served = 0
    why = 'end of input'
    log('session opened (ends %d s after the last answer, %d s after the start)' % (SESSION_IDLE, SESSION_LIFETIME))
    try:
        while True:
            left = ends - time.monotonic()
            if left <= 0:
                why = 'lifetime of %d s reached' % SESSION_LIFETIME
                break
            signal.alarm(max(1, min(SESSION_IDLE, int(left + 0.999))))
            try:
                line = stdin.readline(MAX_REQUEST + 2)
            except Deadline:
                why = 'idle or lifetime limit reached'
                break
            finally:
                signal.alarm(0)
            if not line:
                break
            if not line.endswith(b'\n') and len(line) > MAX_REQUEST:
                out({'ok': False, 'error': {'code': 'REQUEST_TOO_LARGE', 'message': 'the request is larger than %d bytes; the session ends' % MAX_REQUEST}, 'protocol': PROTOCOL})
                why = 'oversized request'
                break
            if served >= SESSION_MAX_REQUESTS:
                out({'ok': False, 'error': {'code': 'NOT_ALLOWED', 'message': 'a session answers at most %d requests; start a new one' % SESSION_MAX_REQUESTS}, 'protocol': PROTOCOL})
                why = 'request limit reached'
                break
            served += 1
            out(run_one(line))
    finally:
        log('session closed after %d request(s): %s' % (served, why))
    return 0


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
