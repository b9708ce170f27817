import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import type { EffectiveOut } from '../../shared/kernel/contract';

// kernel.effective warns about every effective assignment whose value the catalog rejects, and
// about unknown keys, with file:line, key and value; and list and effective agree on drift.

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
}

/** A small fake /proc/sys: real files in a temp dir. */
function fakeProcSys(dir: string, values: Record<string, string>): void {
  for (const [rel, v] of Object.entries(values)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), `${v}\n`);
  }
}

const warningsAt = (r: EffectiveOut, file: string, line: number) => r.warnings.filter((w) => w.file === file && w.line === line);

describe('kernel.effective: values and keys checked against the catalog and the host', () => {
  let dir: string;
  let rt: Runtime;
  let r: EffectiveOut;
  const F = 'etc/sysctl.d/50-bad.conf';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-effcheck-'));
    const ps = path.join(dir, 'proc-sys');
    fakeProcSys(ps, {
      'vm/swappiness': '60',
      'vm/dirty_ratio': '20',
      'net/ipv4/ip_forward': '0',
      'net/ipv4/tcp_rmem': '4096\t131072\t6291456',
      'net/ipv4/ip_local_port_range': '32768\t60999',
      'net/ipv4/conf/lo/rp_filter': '0',
      'net/ipv4/conf/all/rp_filter': '0',
      'kernel/msgmax': '8192',
      'kernel/domainname': '(none)',
      'fs/file-max': '100000',
    });
    writeFiles(path.join(dir, 'root'), {
      [F]: [
        'vm.swappiness = abc', // 1 invalid integer
        'vm.dirty_ratio = 250', // 2 above 100
        'net.ipv4.ip_forward = yes', // 3 boolean
        'net.ipv4.tcp_rmem = 4096 87380 6291456 1', // 4 vector arity
        'net.ipv4.ip_local_port_range = 60000 1024', // 5 reversed range
        'no.such.key = 1', // 6 unknown, not in catalog
        '-no.such.other = 1', // 7 unknown, "-" prefix
        'kernel.msgmax = 65536 # max message', // 8 inline comment
        'net.ipv4.conf.*.rp_filter = loose', // 9 glob, invalid for every match
        'net.ipv4 = 1', // 10 a directory
        'kernel.domainname = example.com', // 11 fine (string)
        'fs.file-max = 0x100000', // 12 hex: the kernel reads base 0
        'net.ipv4.tcp_wmem = 4096', // 13 in the catalog, absent here; fewer vector values
        '',
      ].join('\n'),
    });
    rt = new Runtime({ mode: 'cli', local: { root: path.join(dir, 'root'), procSys: ps } });
    r = await rt.api.kernel.effective({});
  });
  afterAll(async () => {
    await rt?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an invalid integer gets a file:line warning naming key and value', () => {
    expect(warningsAt(r, F, 1)).toEqual([
      expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/Invalid value "abc" for vm\.swappiness: .*needs an integer/) }),
    ]);
  });

  it('range, boolean, vector arity and order are checked', () => {
    expect(warningsAt(r, F, 2)[0]?.message).toMatch(/"250" for vm\.dirty_ratio.*above the maximum 100/);
    expect(warningsAt(r, F, 3)[0]?.message).toMatch(/"yes" for net\.ipv4\.ip_forward.*boolean/);
    expect(warningsAt(r, F, 4)[0]?.message).toMatch(/net\.ipv4\.tcp_rmem.*needs 3 integers/);
    expect(warningsAt(r, F, 5)[0]?.message).toMatch(/ip_local_port_range.*must not be above/);
    for (const l of [2, 3, 4, 5]) expect(warningsAt(r, F, l)[0]?.severity).toBe('warning');
  });

  it('unknown keys warn; the "-" prefix is noted as silencing systemd-sysctl', () => {
    expect(warningsAt(r, F, 6)).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/Unknown key no\.such\.key \(value "1"\)/) })]);
    expect(warningsAt(r, F, 7)).toEqual([expect.objectContaining({ severity: 'info', message: expect.stringMatching(/no\.such\.other.*"-" prefix.*silently/) })]);
  });

  it('an inline comment is explained, a glob with a bad value and a directory are caught', () => {
    expect(warningsAt(r, F, 8)[0]?.message).toMatch(/"65536 # max message".*no inline comments/);
    expect(warningsAt(r, F, 9)[0]?.message).toMatch(/net\.ipv4\.conf\.\*\.rp_filter = loose: the value is invalid for 2 of the 2 keys/);
    expect(warningsAt(r, F, 10)[0]?.message).toMatch(/net\.ipv4 is a group of parameters/);
  });

  it('valid values (a string, a hex integer) get no warning; fewer vector values are only a note', () => {
    expect(warningsAt(r, F, 11)).toEqual([]);
    expect(warningsAt(r, F, 12)).toEqual([]);
    const w13 = warningsAt(r, F, 13);
    expect(w13.map((w) => w.severity)).toEqual(['info', 'info']);
    expect(w13.map((w) => w.message).join(' ')).toMatch(/not present on this host.*sets only the first 1/s);
  });

  it('our checks do not change what systemd-sysctl would do (values written as is, failed unchanged)', () => {
    expect(r.settings.find((s) => s.key === 'vm.swappiness')?.value).toBe('abc');
    expect(r.failed).toBe(false);
  });
});

describe('drift: one rule for kernel.list and kernel.effective, for any root', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-drift-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function both(root: string, procSys: string) {
    const rt = new Runtime({ mode: 'cli', local: { root, procSys } });
    try {
      const eff = await rt.api.kernel.effective({});
      const list = await rt.api.kernel.list({ k8s: '1.33' });
      return { eff, list };
    } finally {
      await rt.dispose();
    }
  }

  it('another root compared with the running kernel: both ops report the same drift, labelled as this host’s live kernel', async () => {
    const live = readFileSync('/proc/sys/vm/swappiness', 'utf8').trim();
    const other = String((Number(live) + 7) % 100);
    const root = path.join(dir, 'image');
    writeFiles(root, { 'etc/sysctl.d/60-x.conf': `vm.swappiness = ${other}\nkernel.pid_max = ${readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()}\n` });
    const { eff, list } = await both(root, '/proc/sys');
    const fromList = list.entries.filter((e) => e.drift).map((e) => e.key).sort();
    expect(eff.drift.map((d) => d.key).sort()).toEqual(fromList);
    expect(fromList).toEqual(['vm.swappiness']);
    expect(eff.drift[0]).toMatchObject({ configured: other, live, file: 'etc/sysctl.d/60-x.conf', line: 1 });
    for (const src of [eff.liveSource, list.liveSource]) {
      expect(src).toMatchObject({ kind: 'running-kernel', procSys: '/proc/sys' });
      expect(src.note).toMatch(/live kernel of this host/);
    }
  });

  it('a /proc/sys copy: same drift in both ops, tabs vs spaces are not drift, unreadable keys are not drift', async () => {
    const root = path.join(dir, 'copy-root');
    const ps = path.join(dir, 'copy-ps');
    fakeProcSys(ps, { 'vm/swappiness': '60', 'net/ipv4/tcp_rmem': '4096\t131072\t6291456', 'kernel/msgmax': '8192', 'net/ipv4/ip_forward': '1' });
    writeFiles(root, {
      'etc/sysctl.d/10-a.conf': 'vm.swappiness = 10\nnet.ipv4.tcp_rmem = 4096 131072 6291456\nkernel.msgmax = 8192\nnet.ipv4.ip_forward = 0\nno.such.key = 3\n',
    });
    const { eff, list } = await both(root, ps);
    expect(eff.drift.map((d) => d.key).sort()).toEqual(['net.ipv4.ip_forward', 'vm.swappiness']);
    expect(list.entries.filter((e) => e.drift).map((e) => e.key).sort()).toEqual(['net.ipv4.ip_forward', 'vm.swappiness']);
    expect(eff.liveSource.kind).toBe('procsys-copy');
    expect(list.liveSource).toEqual(eff.liveSource);
  });
});
