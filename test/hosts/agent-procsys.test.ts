import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LiveEntry } from '../../shared/kernel/contract';
import { readLive } from '../../electron/hosts/proc-sys';
import { AGENT_COMMAND } from '../../electron/hosts/ssh/agent-command';
import { agentCall, agentSource } from '../../electron/hosts/ssh/agent-source';
import { procSysOfRows } from '../../electron/hosts/ssh/procsys-rows';

// The SSH read agent's /proc/sys listing, run as SshTransport runs it (AGENT_COMMAND, the program
// on stdin) and decoded as SshTransport decodes it (procsys-rows.ts), against the local reader
// (electron/hosts/proc-sys.ts readLive) of the same tree in the same namespace, entry by entry.
const work = mkdtempSync(path.join(tmpdir(), 'hostdeck-agent-procsys-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The agent run as SshTransport runs it, on `tail` (the line that ends the program); its stdout. */
function runAgent(tail: string): string {
  const [cmd, ...args] = AGENT_COMMAND.split(' ');
  const r = spawnSync(cmd!, args, { input: `${agentSource}\n${tail}`, encoding: 'utf8', timeout: 30_000, maxBuffer: 1 << 26 });
  expect(r.stderr).toBe('');
  return r.stdout;
}

/** The running kernel's /proc/sys through the agent's real request, decoded. */
function agentLive(): { entries: LiveEntry[]; dirs: string[] } {
  const answer = JSON.parse(runAgent(agentCall('run', { op: 'batch', requests: [{ op: 'procsys' }] }))) as { result: { result: unknown }[] };
  return procSysOfRows('this machine', answer.result[0]!.result);
}

/** The agent's walk of a copy (the op reads only /proc/sys: its procsys(root) directly), decoded. */
function agentCopy(root: string): { entries: LiveEntry[]; dirs: string[] } {
  return procSysOfRows('this machine', JSON.parse(runAgent(`sys.stdout.write(json.dumps(procsys(${JSON.stringify(root)})))\n`)));
}

/** Entries whose value the kernel moves on its own (dentry and inode counts, open files, random uuids, the last pid...). */
const COUNTERS = /^(fs\/(dentry-state|inode-nr|inode-state|file-nr|aio-nr|quota\/)|kernel\/(random\/|ns_last_pid|pty\/nr)|net\/netfilter\/nf_conntrack_count)/;

const byPath = (es: LiveEntry[]) => new Map(es.map((e) => [e.path, e]));

describe("the read agent's /proc/sys, decoded, is the local reader's", () => {
  it("this namespace's running kernel: every entry's key, path, state, value, error, writable and mode", () => {
    const dirs1: string[] = [];
    const before = readLive('/proc/sys', dirs1);
    const agent = agentLive();
    const after = readLive('/proc/sys');
    expect(agent.entries.length).toBe(before.length);
    expect([...agent.dirs].sort()).toEqual([...dirs1].sort());
    const b = byPath(before);
    const a = byPath(after);
    let compared = 0;
    for (const e of agent.entries) {
      const x = b.get(e.path);
      expect(x, e.path).toBeDefined();
      // A value that moved between the two local reads, or a counter the kernel moves on its own
      // (another process may move it in between), is compared without it: the copy below compares every value.
      if (x!.value !== a.get(e.path)?.value || COUNTERS.test(e.path)) expect({ ...e, value: undefined }, e.path).toEqual({ ...x, value: undefined });
      else {
        expect(e, e.path).toEqual(x);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(before.length * 0.9);
    // What the running kernel has of each kind, as both read it.
    const got = byPath(agent.entries);
    expect(got.get('net/ipv4/route/flush')).toEqual({ key: 'net.ipv4.route.flush', path: 'net/ipv4/route/flush', state: 'write-only', writable: true, mode: 0o200 });
    expect(got.get('net/ipv6/conf/all/stable_secret')).toEqual({ key: 'net.ipv6.conf.all.stable_secret', path: 'net/ipv6/conf/all/stable_secret', state: 'unreadable', error: 'EIO', writable: true, mode: 0o600 });
    expect(got.get('vm/stat_refresh')).toMatchObject({ state: 'side-effect', mode: 0o600 });
    expect(got.get('net/ipv4/ip_forward')).toMatchObject({ key: 'net.ipv4.ip_forward', state: 'ok', value: expect.stringMatching(/^[01]$/) });
  });

  it('a hostile copy (a FIFO, links, a socket, a device, a huge file, bytes that are not UTF-8, dotted names): the same entries', async () => {
    const root = path.join(work, 'copy');
    const put = (rel: string, content: string | Buffer, mode = 0o644) => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), content);
      chmodSync(path.join(root, rel), mode);
    };
    put('kernel/osrelease', '6.1.0-copy\n', 0o444);
    put('kernel/no_newline', 'x');
    put('kernel/empty', '');
    put('kernel/two_newlines', 'a\n\n');
    put('kernel/not_utf8', Buffer.from([0x61, 0xff, 0xfe, 0x20, 0xc3, 0x28, 0xe2, 0x82, 0x0a]));
    put('kernel/big', 'x'.repeat(300 * 1024), 0o444);
    put('net/ipv4/route/flush', '', 0o200);
    put('net/ipv4/conf/eth0.100/rp_filter', '2\n');
    put('net/ipv4/conf/eth0.100/forwarding', '1\n', 0o600);
    put('net/ipv4/neigh/dotted.leaf', '3\n');
    put('vm/stat_refresh', 'READ ME AND FAIL\n', 0o600);
    put('dev/a name with spaces', 'v\n');
    spawnSync('/usr/bin/mkfifo', [path.join(root, 'kernel/fifo')]);
    spawnSync('/usr/bin/mknod', [path.join(root, 'kernel/null'), 'c', '1', '3']);
    symlinkSync('/etc/passwd', path.join(root, 'kernel/link'));
    symlinkSync('../net', path.join(root, 'kernel/dirlink'));
    symlinkSync('nowhere', path.join(root, 'kernel/dangling'));
    const server = createServer();
    await new Promise<void>((r) => server.listen(path.join(root, 'kernel/sock'), r));
    try {
      const dirs: string[] = [];
      const local = readLive(root, dirs);
      const agent = agentCopy(root);
      expect(agent.entries.length).toBe(local.length);
      expect([...agent.dirs].sort()).toEqual([...dirs].sort());
      const l = byPath(local);
      for (const e of agent.entries) expect(e, e.path).toEqual(l.get(e.path));
      const got = byPath(agent.entries);
      expect(got.get('kernel/big')).toMatchObject({ state: 'unreadable', error: 'TOO_LARGE' });
      // A socket cannot be opened at all (ENXIO): its mode stands, as for any entry that fails.
      expect(got.get('kernel/sock')).toMatchObject({ state: 'unreadable', error: 'ENXIO' });
      for (const p of ['kernel/fifo', 'kernel/null', 'kernel/link', 'kernel/dirlink', 'kernel/dangling']) expect(got.get(p), p).toMatchObject({ state: 'unreadable', error: 'NOT_REGULAR', writable: false });
      expect(got.get('net/ipv4/conf/eth0.100/rp_filter')).toMatchObject({ key: 'net.ipv4.conf.eth0/100.rp_filter', value: '2' });
      expect(got.get('net/ipv4/neigh/dotted.leaf')).toMatchObject({ key: 'net.ipv4.neigh.dotted/leaf', value: '3' });
      expect(got.get('net/ipv4/route/flush')).toMatchObject({ state: 'write-only', writable: true });
      expect(got.get('vm/stat_refresh')).toEqual({ key: 'vm.stat_refresh', path: 'vm/stat_refresh', state: 'side-effect', writable: true, mode: 0o600 });
      expect(got.get('kernel/two_newlines')).toMatchObject({ value: 'a\n' });
    } finally {
      server.close();
    }
  });
});

describe('a malformed /proc/sys answer from a host', () => {
  const good = { dirs: ['net', 'net/ipv4'], rows: [[0, 'top', 0o644, '1'], [2, 'ip_forward', 0o644, '0'], [1, 'flush', 0o200, 1], [2, 'stable_secret', 0o600, 3, 'EIO']] };

  it('decodes a well-formed one', () => {
    expect(procSysOfRows('h1', good).entries).toEqual([
      { key: 'top', path: 'top', state: 'ok', value: '1', writable: true, mode: 0o644 },
      { key: 'net.ipv4.ip_forward', path: 'net/ipv4/ip_forward', state: 'ok', value: '0', writable: true, mode: 0o644 },
      { key: 'net.flush', path: 'net/flush', state: 'write-only', writable: true, mode: 0o200 },
      { key: 'net.ipv4.stable_secret', path: 'net/ipv4/stable_secret', state: 'unreadable', error: 'EIO', writable: true, mode: 0o600 },
    ]);
  });

  it('is refused with an error naming the host and the row, never a crash', () => {
    const bad: [unknown, RegExp][] = [
      [null, /h1 answered a malformed \/proc\/sys listing: not an object/],
      [{ dirs: [] }, /no rows or no dirs/],
      [{ ...good, dirs: ['net', '../etc'] }, /directory 2 \("\.\.\/etc"\)/],
      [{ ...good, dirs: ['net', 5] }, /directory 2 \(5\)/],
      [{ ...good, rows: [...good.rows, 'x'] }, /row 5 "x": it is not a row/],
      [{ ...good, rows: [[0, 'a', 0o644]] }, /row 1 .*: it is not a row of 4 or 5 items/],
      [{ ...good, rows: [[3, 'a', 0o644, '1']] }, /row 1 .*its directory is not one of the answer/],
      [{ ...good, rows: [[-1, 'a', 0o644, '1']] }, /row 1 .*its directory/],
      [{ ...good, rows: [[0, '../../etc/passwd', 0o644, '1']] }, /row 1 .*its name is not one path component/],
      [{ ...good, rows: [[0, '..', 0o644, '1']] }, /its name is not one path component/],
      [{ ...good, rows: [[0, '', 0o644, '1']] }, /its name is not one path component/],
      [{ ...good, rows: [[0, 7, 0o644, '1']] }, /its name is not a string/],
      [{ ...good, rows: [[0, 'a', '420', '1']] }, /its mode is not a permission mode/],
      [{ ...good, rows: [[0, 'a', 0o1777, '1']] }, /its mode/],
      [{ ...good, rows: [[0, 'a', 1.5, '1']] }, /its mode/],
      [{ ...good, rows: [[0, 'a', 0o644, 4]] }, /its state is not one the agent sends/],
      [{ ...good, rows: [[0, 'a', 0o644, null]] }, /its state/],
      [{ ...good, rows: [[0, 'a', 0o644, 3]] }, /unreadable without its error/],
      [{ ...good, rows: [[0, 'a', 0o644, '1', 'EIO']] }, /a value with an error/],
      [{ ...good, rows: [[0, 'a', 0o644, 1, 'EIO']] }, /an error on an entry that was not read/],
    ];
    for (const [answer, message] of bad) {
      let thrown: unknown;
      try {
        procSysOfRows('h1', answer);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, JSON.stringify(answer)).toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/^The read agent on h1 answered a malformed \/proc\/sys listing: /) });
      expect((thrown as Error).message, JSON.stringify(answer)).toMatch(message);
    }
  });
});
