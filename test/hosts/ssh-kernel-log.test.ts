import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { remoteKernelLogCommand, remoteLogClock, remoteLogProblem, remoteLogSource } from '../../electron/hosts/ssh/kernel-log';

/** The SSH kernel-log reader's command line and choice of log (electron/hosts/ssh/kernel-log.ts). */
describe('remote kernel-log reader', () => {
  it('sends a fixed program with checked words only, and refuses a time that is no number', () => {
    const j = remoteKernelLogCommand('journal', { sinceMs: 1_700_000_000_999, follow: true });
    expect(j.argv).toEqual(['journalctl', '-k', '-o', 'json', '--no-pager', '--quiet', '--since=@1700000000', '--follow']);
    expect(j.line).toMatch(/^\/usr\/bin\/python3 -I -c '[^']+' 0 follow journalctl -k -o json --no-pager --quiet --since=@1700000000 --follow$/);
    expect(remoteKernelLogCommand('kmsg', { sinceMs: 0, follow: false }).line).toMatch(/' 33554432 once dmesg$/);
    expect(() => remoteKernelLogCommand('journal', { sinceMs: Number.NaN, follow: false })).toThrow(/Not a time to read the kernel log from: NaN/);
  });

  it("a host whose clock is 10 minutes behind: the window is asked for in the host's time, the boot given in this machine's", () => {
    const local = 1_800_000_000_000;
    // Described a while ago: the uptime was read together with that answer's host time.
    const c = remoteLogClock({ hostTimeMs: local - 600_000, localTimeMs: local, access: { journal: false, journalReadable: false, kmsgReadable: true, uptime: 3600 } }, local - 300_000);
    expect(c).toEqual({ sinceMs: local - 900_000, clockOffsetMs: -600_000, bootTimeMs: local - 3_600_000 });
    expect(remoteKernelLogCommand('journal', { sinceMs: c.sinceMs, follow: false }).argv).toContain(`--since=@${(local - 900_000) / 1000}`);
    expect(remoteLogClock({ hostTimeMs: local, localTimeMs: local }, local)).toEqual({ sinceMs: local, clockOffsetMs: 0 });
  });

  it('reads the journal where the login may, else the ring buffer, and says why when neither', () => {
    const a = { journal: true, journalReadable: false, kmsgReadable: true, uptime: 5 };
    expect(remoteLogSource(a)).toBe('kmsg');
    expect(remoteLogSource({ ...a, journalReadable: true })).toBe('journal');
    expect(remoteLogSource({ ...a, kmsgReadable: false })).toBe('journal');
    expect(remoteLogProblem(a, 'web1', 'deck')).toBeUndefined();
    expect(remoteLogProblem({ ...a, kmsgReadable: false }, 'web1', 'deck')).toMatch(/deck on web1 may not read the system journal \(add it to the systemd-journal or adm group\)/);
  });

  it('the program ends its follower when its input ends (what closing the ssh session does)', async () => {
    // dmesg --follow on this machine (root here), through the same program the host runs.
    const { line } = remoteKernelLogCommand('kmsg', { sinceMs: 0, follow: true });
    const child = spawn('/bin/sh', ['-c', line], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    // Once the follower has printed the buffer it is following (not after a fixed wait: a loaded machine starts python3 slowly).
    for (let i = 0; i < 200 && out.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const kids = () => spawn('/usr/bin/pgrep', ['-P', String(child.pid)]);
    const listed = await new Promise<string>((r) => {
      let s = '';
      const k = kids();
      k.stdout.on('data', (b: Buffer) => (s += b.toString()));
      k.on('close', () => r(s.trim()));
    });
    expect(listed).not.toBe('');
    const ended = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    child.stdin.end();
    expect(await ended).toBe(0);
    expect(out.length).toBeGreaterThan(0);
  });
});
