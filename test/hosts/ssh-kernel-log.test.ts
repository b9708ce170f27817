import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { remoteKernelLogCommand, remoteLogProblem, remoteLogSource } from '../../electron/hosts/ssh/kernel-log';

/** The SSH kernel-log reader's command line and choice of log (electron/hosts/ssh/kernel-log.ts). */
describe('remote kernel-log reader', () => {
  it('sends a fixed program with checked words only, and refuses a time that is no number', () => {
    const j = remoteKernelLogCommand('journal', { sinceMs: 1_700_000_000_999, follow: true });
    expect(j.argv).toEqual(['journalctl', '-k', '-o', 'json', '--no-pager', '--quiet', '--since=@1700000000', '--follow']);
    expect(j.line).toMatch(/^\/usr\/bin\/python3 -I -c '[^']+' 0 follow journalctl -k -o json --no-pager --quiet --since=@1700000000 --follow$/);
    expect(remoteKernelLogCommand('kmsg', { sinceMs: 0, follow: false }).line).toMatch(/' 33554432 once dmesg$/);
    expect(() => remoteKernelLogCommand('journal', { sinceMs: Number.NaN, follow: false })).toThrow(/Not a time to read the kernel log from: NaN/);
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
    await new Promise((r) => setTimeout(r, 300));
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
