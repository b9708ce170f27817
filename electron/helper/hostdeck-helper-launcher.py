#!/usr/bin/python3 -IS
# HostDeck's helper launcher: the program installed at /usr/libexec/hostdeck/hostdeck-helper (what
# pkexec and sudo run; the polkit policy's exec.path). It runs the helper installed beside it,
# /usr/libexec/hostdeck/hostdeck-helper.py, from bytecode, so a call does not compile 45 KB of
# Python on every start (a third of a one-change round trip).
#
# The bytecode is trusted only when root alone can have written it: /var/lib/hostdeck/bytecode/
# hostdeck-helper.pyc, reached from "/" with no-follow directory handles, every directory on the
# way and the file owned by root and writable by nobody else, the file a regular one. Its header
# names the interpreter (sys.hexversion) and the sha256 of the source it was compiled from: after a
# python3 or HostDeck upgrade it no longer matches. Anything else (missing, foreign-owned, group- or
# world-writable, a link, stale, unreadable) is ignored: the source is compiled, as before, and,
# when running as root under a trusted directory, the bytecode is written again (temp file with
# O_EXCL|O_NOFOLLOW, fsync, rename), so the next start uses it. The source itself must be a
# root-owned file nobody else can write, or the launcher refuses to run it.
import marshal
import os
import sys

SOURCE_DIR = ('usr', 'libexec', 'hostdeck')
SOURCE_NAME = 'hostdeck-helper.py'
CACHE_DIR = ('var', 'lib', 'hostdeck', 'bytecode')
CACHE_NAME = 'hostdeck-helper.pyc'
MAX_SIZE = 4 * 1024 * 1024
try:
    from _sha256 import sha256  # Python <= 3.11 (hashlib would load OpenSSL: slower to start)
except ImportError:
    try:
        from _sha2 import sha256  # Python >= 3.12
    except ImportError:
        from hashlib import sha256

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def root_only(fd, directory):
    """Owned by root, writable by nobody else, of the expected kind."""
    st = os.fstat(fd)
    kind = st.st_mode & 0o170000
    return st.st_uid == 0 and not st.st_mode & 0o022 and kind == (0o040000 if directory else 0o100000)


def open_dir(parts, create):
    """A handle on /parts..., every step root-only; None when one is not (or is missing and not created)."""
    fd = os.open('/', DIR_FLAGS)
    try:
        for p in parts:
            if not root_only(fd, True):
                return None
            try:
                nfd = os.open(p, DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    return None
                os.mkdir(p, 0o700, dir_fd=fd)  # as the helper makes /var/lib/hostdeck
                nfd = os.open(p, DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = nfd
        if not root_only(fd, True):
            return None
        fd, keep = -1, fd
        return keep
    except OSError:
        return None
    finally:
        if fd >= 0:
            os.close(fd)


def read_root_only(dfd, name):
    """The content of a root-only regular file in dfd, or None."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=dfd)
    except OSError:
        return None
    try:
        if not root_only(fd, False):
            return None
        chunks, n = [], 0
        while n <= MAX_SIZE:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            chunks.append(b)
            n += len(b)
        return b''.join(chunks) if n <= MAX_SIZE else None
    except OSError:
        return None
    finally:
        os.close(fd)


def header(digest, size):
    return b'hostdeck-bytecode %x %s %d\n' % (sys.hexversion, digest.encode('ascii'), size)


def cached_code(dfd, digest):
    data = read_root_only(dfd, CACHE_NAME)
    if data is None:
        return None
    head, _, body = data.partition(b'\n')
    if head + b'\n' != header(digest, len(body)):
        return None
    try:
        code = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, type(header.__code__)) else None


def write_cache(dfd, digest, code):
    body = marshal.dumps(code)
    tmp = '.%s.%s.tmp' % (CACHE_NAME, os.urandom(8).hex())
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=dfd)
    except OSError:
        return  # a read-only /var: the next start compiles again
    try:
        try:
            os.fchmod(fd, 0o644)
            data = header(digest, len(body)) + body
            while data:
                data = data[os.write(fd, data):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, CACHE_NAME, src_dir_fd=dfd, dst_dir_fd=dfd)
    except OSError:
        try:
            os.unlink(tmp, dir_fd=dfd)
        except OSError:
            pass


def fail(message):
    sys.stdout.write('{"ok": false, "error": {"code": "INTERNAL", "message": "%s"}, "protocol": 1}\n' % message)
    sys.exit(2)


def main():
    sdir = open_dir(SOURCE_DIR, False)
    source = read_root_only(sdir, SOURCE_NAME) if sdir is not None else None
    if sdir is not None:
        os.close(sdir)
    path = '/' + '/'.join(SOURCE_DIR) + '/' + SOURCE_NAME
    if source is None:
        fail('%s is missing or not a root-owned file only root can write: reinstall HostDeck\'s helper' % path)
    digest = sha256(source).hexdigest()
    as_root = os.geteuid() == 0
    cdir = open_dir(CACHE_DIR, as_root)
    code = cached_code(cdir, digest) if cdir is not None else None
    if code is None:
        code = compile(source, path, 'exec', dont_inherit=True)
        if cdir is not None and as_root:
            write_cache(cdir, digest, code)
    if cdir is not None:
        os.close(cdir)
    exec(code, {'__name__': '__main__', '__file__': path, '__builtins__': __builtins__})


main()
