"""The SSH read agent and the rules it shares with the helper, in Python (run by test/hosts/agent.test.ts).

HOSTDECK_AGENT_PROGRAM names the program exactly as HostDeck sends it (the helper's shared
section followed by hostdeck-agent.py); HOSTDECK_HELPER the helper file itself. Both are loaded
as modules, so nothing runs at import.
"""
import base64
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


agent = load('hostdeck_agent', os.environ['HOSTDECK_AGENT_PROGRAM'])
helper = load('hostdeck_helper', os.environ['HOSTDECK_HELPER'])


class Deadline(Exception):
    pass


def _alarm(_s, _f):
    raise Deadline()


class Tree(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='hostdeck-agent-test-')
        d = self.dir
        with open(os.path.join(d, 'small'), 'w') as f:
            f.write('small\n')
        with open(os.path.join(d, 'big'), 'wb') as f:
            f.write(b'x' * 5000)
        os.mkfifo(os.path.join(d, 'fifo'))
        os.mknod(os.path.join(d, 'null'), 0o600 | 0o020000, os.makedev(1, 3))
        s = socket.socket(socket.AF_UNIX)
        s.bind(os.path.join(d, 'sock'))
        s.close()
        os.symlink('small', os.path.join(d, 'link'))
        os.symlink('loop2', os.path.join(d, 'loop1'))
        os.symlink('loop1', os.path.join(d, 'loop2'))
        os.symlink('fifo', os.path.join(d, 'to-fifo'))
        os.mkdir(os.path.join(d, 'sub'))
        with open(os.path.join(d, 'imm'), 'w') as f:
            f.write('imm\n')
        self.attrs = subprocess.call(['chattr', '+i', os.path.join(d, 'imm')], stderr=subprocess.DEVNULL) == 0
        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(10)  # a read that blocks (a FIFO opened for reading) fails the test instead of hanging it

    def tearDown(self):
        signal.alarm(0)
        if self.attrs:
            subprocess.call(['chattr', '-i', os.path.join(self.dir, 'imm')])
        shutil.rmtree(self.dir)

    def read(self, rel, **kw):
        kw['path'] = rel if rel.startswith('/') or rel == '' else os.path.join(self.dir, rel)
        return agent.read_one(kw)

    def test_regular_file_content_and_facts(self):
        r = self.read('small', content=True)
        self.assertEqual(r['type'], 'file')
        self.assertEqual(base64.b64decode(r['bytes']), b'small\n')
        self.assertEqual(r['size'], 6)
        self.assertEqual(r['resolved'], os.path.join(os.path.realpath(self.dir), 'small'))

    def test_special_files_are_never_read(self):
        for name, kind, words in (('fifo', 'fifo', 'a FIFO (named pipe)'), ('null', 'char', 'a character device'),
                                  ('sock', 'socket', 'a socket'), ('sub', 'dir', 'a directory')):
            r = self.read(name, content=True, follow=True)
            self.assertEqual((r['type'], r['error']['code']), (kind, 'NOT_REGULAR'), name)
            self.assertIn(words, r['error']['message'])
            self.assertNotIn('bytes', r)
        r = self.read('to-fifo', content=True, follow=True)
        self.assertEqual((r['type'], r['targetType'], r['error']['code']), ('symlink', 'fifo', 'NOT_REGULAR'))

    def test_links(self):
        r = self.read('link', content=True, follow=True)
        self.assertEqual((r['type'], r['linkTarget']), ('symlink', 'small'))
        self.assertEqual(base64.b64decode(r['bytes']), b'small\n')
        self.assertEqual(self.read('link', content=True)['error']['code'], 'NOT_REGULAR')
        self.assertEqual(self.read('loop1', content=True, follow=True)['error']['code'], 'ELOOP')
        self.assertEqual(self.read('small/x', content=True)['error']['code'], 'ENOTDIR')

    def test_missing_and_invalid(self):
        self.assertEqual(self.read('nope', content=True)['error']['code'], 'ENOENT')
        self.assertNotIn('error', self.read('nope'))
        for bad in ('relative/path', '/a\0b', '/' + 'a' * 5000, ''):
            self.assertEqual(agent.read_one({'path': bad, 'content': True})['error']['code'], 'INVALID_PATH', bad[:20])
        self.assertEqual(agent.read_one({'content': True})['error']['code'], 'INVALID_PATH')

    def test_size_limit(self):
        self.assertEqual(self.read('big', content=True, maxBytes=4999)['error']['code'], 'TOO_LARGE')
        self.assertEqual(len(base64.b64decode(self.read('big', content=True, maxBytes=5000)['bytes'])), 5000)

    def test_listing(self):
        r = agent.read_one({'path': self.dir, 'list': True})
        names = dict((e['name'], e['type']) for e in r['entries'])
        self.assertEqual(names['fifo'], 'fifo')
        self.assertEqual(names['link'], 'symlink')
        self.assertEqual(names['sub'], 'dir')
        self.assertEqual(self.read('small', list=True)['error']['code'], 'ENOTDIR')

    def test_immutable_and_mounts(self):
        imm = self.read('imm', attrs=True)
        plain = self.read('small', attrs=True)
        if self.attrs:
            self.assertIs(imm['immutable'], True)
            self.assertIs(plain['immutable'], False)
        else:
            self.assertNotIn('immutable', imm)
        # Never asked of a device or a FIFO (asking opens it).
        self.assertNotIn('immutable', self.read('null', attrs=True))
        self.assertNotIn('immutable', self.read('fifo', attrs=True))
        self.assertIs(plain['bindMount'], False)
        self.assertIs(agent.read_one({'path': '/proc', 'attrs': True})['bindMount'], True)

    def test_kernel_log_access_says_what_this_login_may_read(self):
        k = agent.describe({})['kernelLog']
        self.assertIs(k['journal'], os.path.isdir('/run/systemd/journal'))
        with open('/proc/sys/kernel/dmesg_restrict') as fh:
            restrict = fh.read().strip() != '0'
        self.assertIs(k['kmsgReadable'], os.getuid() == 0 or not restrict)
        self.assertFalse(k['journalReadable'] and not k['journal'])
        self.assertGreater(k['uptime'], 0)

    def test_unknown_op_and_protocol(self):
        self.assertEqual(agent.main({'op': 'write'})['error']['code'], 'UNSUPPORTED')
        self.assertEqual(agent.main({'op': 'read', 'requests': []}), {'protocol': 1, 'result': []})

    def test_batch_answers_each_request_on_its_own(self):
        r = agent.main({'op': 'batch', 'requests': [
            {'op': 'read', 'requests': [{'path': self.dir, 'list': True, 'follow': True, 'expand': {'base': 'resolved', 'suffix': '.none', 'content': True, 'follow': True}}]},
            {'op': 'write'},
            {'op': 'describe', 'exists': ['/proc']},
            {'op': 'read', 'requests': 5},
        ]})
        self.assertEqual(r['protocol'], 1)
        first, bad, desc, broken = r['result']
        self.assertEqual(bad['error']['code'], 'UNSUPPORTED')
        self.assertIs(desc['result']['exists']['/proc'], True)
        self.assertEqual(broken['error']['code'], 'INTERNAL')
        self.assertEqual(first['result'][0]['expanded'], [])
        with open(os.path.join(self.dir, 'a.all'), 'w') as f:
            f.write('a\n')
        with open(os.path.join(self.dir, '.hidden.all'), 'w') as f:
            f.write('h\n')
        os.mkfifo(os.path.join(self.dir, 'p.all'))
        (listing,) = agent.main({'op': 'read', 'requests': [{'path': self.dir, 'list': True, 'expand': {'base': 'path', 'suffix': '.all', 'content': True}}]})['result']
        got = dict((os.path.basename(f['path']), f) for f in listing['expanded'])
        # What read_one answers for each, hidden names left out, a FIFO named .all never opened for reading.
        self.assertEqual(sorted(got), ['a.all', 'p.all'])
        self.assertEqual(base64.b64decode(got['a.all']['bytes']), b'a\n')
        self.assertEqual(got['p.all']['error']['code'], 'NOT_REGULAR')
        (sub,) = agent.main({'op': 'read', 'requests': [{'path': self.dir, 'list': True, 'expand': {'base': 'path', 'sub': 'x', 'content': True}}]})['result']
        self.assertIn(os.path.join(self.dir, 'sub', 'x'), [f['path'] for f in sub['expanded']])

    def test_pretty_name_as_the_shell_reads_it(self):
        for line in ('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"', "PRETTY_NAME='single \\\"kept\\\" \\$x'", 'PRETTY_NAME="a \\"b\\" \\$c \\\\ d"', 'PRETTY_NAME=plain'):
            path = os.path.join(self.dir, 'os-release')
            with open(path, 'w') as f:
                f.write('NAME=x\n%s\n' % line)
            sh = subprocess.check_output(['/bin/sh', '-c', '. "$1" && printf %s "$PRETTY_NAME"', 'sh', path]).decode()
            with open(path) as f:
                self.assertEqual(agent.pretty_name(f.read()), sh, line)


class ProcSys(unittest.TestCase):
    """A /proc/sys copy with planted files: the agent's walk and the helper's proc_read share proc_entry_opened."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='hostdeck-agent-procsys-')
        d = self.dir
        os.makedirs(os.path.join(d, 'kernel'))
        os.makedirs(os.path.join(d, 'net/ipv4/route'))
        os.makedirs(os.path.join(d, 'vm'))
        self.put('kernel/osrelease', '6.1.0-agent\n', 0o444)
        self.put('net/ipv4/ip_forward', '1\n', 0o644)
        self.put('net/ipv4/route/flush', '', 0o200)
        self.put('vm/stat_refresh', 'READ ME AND FAIL\n', 0o600)
        self.put('kernel/big', 'x' * (300 * 1024), 0o444)
        os.mkfifo(os.path.join(d, 'kernel/fifo'))
        os.symlink('/etc/passwd', os.path.join(d, 'kernel/link'))
        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(10)

    def tearDown(self):
        signal.alarm(0)
        shutil.rmtree(self.dir)

    def put(self, rel, text, mode):
        p = os.path.join(self.dir, rel)
        with open(p, 'w') as f:
            f.write(text)
        os.chmod(p, mode)

    def test_agent_walk(self):
        # Rows (electron/hosts/ssh/procsys-rows.ts decodes them): [dir, name, mode, value | state, error?].
        snap = agent.procsys(self.dir)
        dirs = [''] + snap['dirs']
        by = dict(((dirs[r[0]] + '/' if r[0] else '') + r[1], r[2:]) for r in snap['rows'])
        self.assertEqual(by['kernel/osrelease'], [0o444, '6.1.0-agent'])
        self.assertEqual(by['net/ipv4/ip_forward'], [0o644, '1'])
        self.assertEqual(by['net/ipv4/route/flush'], [0o200, agent.WRITE_ONLY])
        self.assertEqual(by['vm/stat_refresh'], [0o600, agent.SIDE_EFFECT])
        self.assertEqual(by['kernel/big'], [0o444, agent.UNREADABLE, 'TOO_LARGE'])
        self.assertEqual(by['kernel/fifo'][1:], [agent.UNREADABLE, 'NOT_REGULAR'])
        self.assertEqual(by['kernel/link'], [0, agent.UNREADABLE, 'NOT_REGULAR'])
        self.assertEqual(snap['dirs'], ['kernel', 'net', 'net/ipv4', 'net/ipv4/route', 'vm'])

    def test_the_same_walk_without_scandir_on_a_directory_fd(self):
        # Python 3.5 and 3.6 (no os.scandir(fd)): a stat per name says the same.
        fast = agent.procsys(self.dir)
        agent.SCANDIR_FD = False
        try:
            self.assertEqual(agent.procsys(self.dir), fast)
        finally:
            agent.SCANDIR_FD = True

    def test_helper_reads_entries_with_the_same_rule(self):
        helper.CTX.proc_sys = self.dir
        try:
            self.assertEqual(helper.proc_read('kernel.osrelease'), ('6.1.0-agent', 0o444, None))
            self.assertEqual(helper.proc_read('net.ipv4.route.flush'), (None, 0o200, None))
            self.assertEqual(helper.proc_read('vm.stat_refresh'), (None, 0o600, None))
            self.assertEqual(helper.proc_read('kernel.fifo'), (None, None, 'ENOENT'))
            self.assertEqual(helper.proc_read('kernel.link'), (None, None, 'ENOENT'))
            self.assertEqual(helper.proc_read('net.ipv4'), (None, None, 'EISDIR'))
            self.assertEqual(helper.proc_read('kernel.big'), (None, 0o444, 'TOO_LARGE'))
        finally:
            helper.CTX.proc_sys = '/proc/sys'


class Json(unittest.TestCase):
    """The agent's json (on _json, without the json package) reads and writes what the json package does."""

    def test_same_text_both_ways(self):
        values = [{'a': [1, -2.5, 1e300, True, False, None, 'x\u00e9\u2028\ud800"\\\n\x00', {}]}, [], '', 0,
                  {'rows': [[0, 'ip_forward', 0o644, '1'], [3, 'stable_secret', 0o600, 3, 'EIO']]}, float('inf')]
        for v in values:
            text = json.dumps(v, separators=(',', ':'))
            self.assertEqual(agent.json.dumps(v, separators=(',', ':')), text)
            self.assertEqual(repr(agent.json.loads(text)), repr(json.loads(text)))
            self.assertEqual(repr(agent.json.loads(' \n%s\t' % text)), repr(json.loads(text)))
        self.assertEqual(agent.json.loads(b'{"a":1}'), {'a': 1})
        for bad in ('', '{', '{"a":1} x', '[1,]', 'nul'):
            with self.assertRaises(ValueError, msg=bad):
                agent.json.loads(bad)
        with self.assertRaises(TypeError):
            agent.json.dumps({'a': object()})

    def test_without_json_core_the_json_package(self):
        import sys
        saved = sys.modules.get('_json')
        sys.modules['_json'] = None  # import _json raises ImportError
        agent.json._dumps = agent.json._loads = None
        try:
            v = {'rows': [[0, 'a', 420, 'x\u00e9']]}
            self.assertEqual(agent.json.loads(agent.json.dumps(v, separators=(',', ':'))), v)
            self.assertEqual(agent.json.dumps(v, separators=(',', ':')), json.dumps(v, separators=(',', ':')))
        finally:
            sys.modules['_json'] = saved
            agent.json._dumps = agent.json._loads = None


class Shared(unittest.TestCase):
    def test_one_implementation(self):
        # The agent program carries the helper's section, not a copy of its own.
        for name in ('host_path_problem', 'errno_name', 'read_all', 'proc_entry_opened'):
            self.assertEqual(getattr(agent, name).__code__.co_code, getattr(helper, name).__code__.co_code, name)
        self.assertEqual(agent.SIDE_EFFECT_ON_READ, helper.SIDE_EFFECT_ON_READ)

    def test_helper_path_rule(self):
        for bad, code in (('etc/resolv.conf', 'NOT_ALLOWED'), ('/etc/\0x', 'INVALID_INPUT'), ('', 'INVALID_INPUT'), (None, 'INVALID_INPUT'), ('/' + 'a' * 5000, 'INVALID_INPUT')):
            with self.assertRaises(helper.Refusal) as cm:
                helper.check_path(bad, 'write-file')
            self.assertEqual(cm.exception.code, code, repr(bad)[:30])
            self.assertEqual(cm.exception.message, helper.host_path_problem(bad))
        self.assertEqual(helper.check_path('/etc/resolv.conf', 'write-file'), ('/etc', 'resolv.conf'))


if __name__ == '__main__':
    unittest.main()
