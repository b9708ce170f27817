import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { b64, helper, scratchRoot, sha } from './support/run';

/**
 * Issue #20 items 3, 4 and 7, written as the attacks: a key hidden behind a carriage return, a
 * world-writable file asked for through `mode`, and the sysctl values that give root or switch a
 * kernel protection off. The real helper, as root, on a scratch root (--root) with a /proc/sys
 * copy (--proc-sys) and its own timer directory (--run-dir).
 */
let root: string;
let procSys: string;
const args = () => ['--root', root, '--proc-sys', procSys, '--run-dir', path.join(root, 'run')];
const profile = '/etc/sysctl.d/60-tuned.conf';
const writeFile = (content: string, extra: Record<string, unknown> = {}, p = profile) => helper({ verb: 'write-file', path: p, content: b64(content), expectedSha256: null, ...extra }, args());
const sysctl = (settings: { key: string; value: string }[], extra: Record<string, unknown> = {}) => helper({ verb: 'sysctl-set', settings, ...extra }, args());
const live = (key: string) => readFileSync(path.join(procSys, key.replace(/\./g, '/')), 'utf8').trim();

const KNOBS: Record<string, string> = {
  'kernel.core_pattern': 'core',
  'fs.suid_dumpable': '0',
  'fs.protected_symlinks': '1',
  'fs.protected_hardlinks': '1',
  'fs.protected_fifos': '1',
  'fs.protected_regular': '2',
  'kernel.yama.ptrace_scope': '1',
  'kernel.kptr_restrict': '1',
  'kernel.dmesg_restrict': '1',
  'vm.mmap_min_addr': '65536',
  'kernel.sysrq': '176',
  'vm.swappiness': '60',
};

beforeEach(() => {
  if (process.getuid?.() !== 0) throw new Error('runs as root, as CI does (the helper chowns what it creates)');
  root = scratchRoot('hostdeck-escalations-');
  procSys = path.join(root, 'proc-sys');
  for (const [k, v] of Object.entries(KNOBS)) {
    const f = path.join(procSys, k.replace(/\./g, '/'));
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, `${v}\n`);
  }
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('item 3: a key hidden behind "\\r" in a sysctl.d file', () => {
  it('is a line of its own (as systemd-sysctl reads it) and is refused like any other', () => {
    for (const hidden of [
      '# tuned\rkernel.core_pattern = |/tmp/x %p\n',
      '# tuned\rkernel.modprobe = /tmp/x\n',
      'vm.swappiness = 10\r\rkernel.core_pattern=|/tmp/x\n',
      '; note\r\nfs.binfmt_misc.register = :x:M::MZ::/tmp/x:\n',
      '# a\n\rkernel.core_pattern = /etc/ld.so.preload\n',
    ]) {
      const r = writeFile(hidden);
      expect(r.error?.code, JSON.stringify(hidden)).toBe('INVALID_VALUE');
      expect(r.error?.message).toMatch(/line [23]: /);
      expect(existsSync(path.join(root, profile))).toBe(false);
    }
    // a weakening value behind "\r" needs its confirmation like any other line
    expect(writeFile('# relax\rkernel.yama.ptrace_scope = 0\n').error?.code).toBe('NEEDS_CONFIRMATION');
    // files with Windows line ends are still fine
    expect(writeFile('vm.swappiness = 10\r\nkernel.msgmax = 8192\r\n').ok).toBe(true);
  });
});

describe('item 4: write-file and the mode a caller asks for', () => {
  it('never creates a world- or group-writable file: a requested mode is refused, a new file is 0644 root:root', () => {
    for (const mode of [0o666, 0o777, 0o664, 0o4755, 0o600, -1, '0644', true]) {
      const r = writeFile('nameserver 192.0.2.1\n', { mode }, '/etc/resolv.conf');
      expect(r.error?.code, String(mode)).toBe('NOT_ALLOWED');
      expect(existsSync(path.join(root, 'etc/resolv.conf'))).toBe(false);
    }
    // a set-gid /etc/sysctl.d owned by another group would hand it the file: still root:root
    chownSync(path.join(root, 'etc/sysctl.d'), 0, 4321);
    chmodSync(path.join(root, 'etc/sysctl.d'), 0o2777);
    expect(writeFile('vm.swappiness = 10\n', { mode: 0o644 }).ok).toBe(true);
    expect(writeFile('nameserver 192.0.2.1\n', {}, '/etc/resolv.conf').ok).toBe(true);
    for (const f of [profile, '/etc/resolv.conf']) {
      const st = lstatSync(path.join(root, f));
      expect([st.mode & 0o7777, st.uid, st.gid], f).toEqual([0o644, 0, 0]);
    }
  });

  it('an existing file keeps its owner and mode, and a writable one is pointed out', () => {
    const f = path.join(root, 'etc/resolv.conf');
    writeFileSync(f, 'nameserver 192.0.2.1\n');
    chownSync(f, 1234, 5678);
    chmodSync(f, 0o666);
    const r = helper({ verb: 'write-file', path: '/etc/resolv.conf', content: b64('nameserver 192.0.2.2\n'), expectedSha256: sha('nameserver 192.0.2.1\n') }, args());
    expect(r.ok).toBe(true);
    const st = lstatSync(f);
    expect([st.mode & 0o7777, st.uid, st.gid]).toEqual([0o666, 1234, 5678]);
    expect((r.result!.notes as string[]).join(' ')).toMatch(/writable by everyone \(mode 0666\)/);
  });
});

describe('item 7: sysctl values that escalate or weaken', () => {
  it('core_pattern takes only a plain relative name: "|", "@", paths and ".." are refused, live and in sysctl.d', () => {
    for (const value of ['/etc/ld.so.preload', ' /etc/ld.so.preload', '|/tmp/x %p', '@/run/x.sock', '@@/run/x.sock', 'core/../../etc/x', '..', 'cores/core.%p']) {
      const r = sysctl([{ key: 'kernel.core_pattern', value }]);
      expect(r.error?.code, value).toBe('INVALID_VALUE');
      expect(r.error?.message).toMatch(/kernel\.core_pattern/);
      expect(writeFile(`kernel.core_pattern = ${value}\n`).error?.code, value).toBe('INVALID_VALUE');
    }
    expect(live('kernel.core_pattern')).toBe('core');
    expect(sysctl([{ key: 'kernel.core_pattern', value: 'core.%e.%p' }]).result!.results[0].outcome).toBe('applied');
    expect(live('kernel.core_pattern')).toBe('core.%e.%p');
  });

  it('fs.suid_dumpable = 2 is refused in every spelling the kernel reads as 2; 1 needs a confirmation', () => {
    for (const value of ['2', ' 2', '02', '0x2', '2 ', '2\t', '\u00a02', '2\u3000', '\ufeff0x2']) {
      expect(sysctl([{ key: 'fs.suid_dumpable', value }]).error?.code, value).toBe('INVALID_VALUE');
      expect(sysctl([{ key: 'fs.suid_dumpable', value }], { confirmWeakening: ['fs.suid_dumpable'] }).error?.code, value).toBe('INVALID_VALUE');
    }
    expect(writeFile('fs.suid_dumpable = 0x2\n').error?.code).toBe('INVALID_VALUE');
    expect(sysctl([{ key: 'fs.suid_dumpable', value: '1' }]).error?.code).toBe('NEEDS_CONFIRMATION');
    expect(live('fs.suid_dumpable')).toBe('0');
  });

  it('security-weakening values are refused without an explicit confirmation naming exactly those keys', () => {
    const weak = [
      { key: 'fs.protected_symlinks', value: '0' },
      { key: 'fs.protected_hardlinks', value: '0' },
      { key: 'fs.protected_fifos', value: '0' },
      { key: 'fs.protected_regular', value: '00' },
      { key: 'kernel.yama.ptrace_scope', value: '0' },
      { key: 'kernel.kptr_restrict', value: '0x0' },
      { key: 'kernel.dmesg_restrict', value: '0' },
      { key: 'vm.mmap_min_addr', value: '0' },
      { key: 'kernel.sysrq', value: '1' },
    ];
    for (const s of weak) {
      const r = sysctl([{ key: 'vm.swappiness', value: '10' }, s]);
      expect(r.error?.code, s.key).toBe('NEEDS_CONFIRMATION');
      expect(r.error?.detail.weakening).toEqual([{ key: s.key, value: s.value, weakens: expect.stringMatching(/^[A-Z].+\.$/) }]);
      expect(writeFile(`${s.key} = ${s.value}\n`).error?.code, s.key).toBe('NEEDS_CONFIRMATION');
    }
    // nothing was written by any refused request
    for (const [k, v] of Object.entries(KNOBS)) expect(live(k), k).toBe(v);
    // a confirmation must name every weakening key, and only those
    expect(sysctl(weak).error?.code).toBe('NEEDS_CONFIRMATION');
    expect(sysctl(weak, { confirmWeakening: weak.slice(1).map((s) => s.key) }).error?.code).toBe('NEEDS_CONFIRMATION');
    expect(sysctl(weak, { confirmWeakening: [...weak.map((s) => s.key), 'vm.swappiness'] }).error?.code).toBe('INVALID_INPUT');
    const ok = sysctl(weak, { confirmWeakening: weak.map((s) => s.key.replace(/\./g, '/')) });
    expect(ok.ok).toBe(true);
    expect(live('kernel.yama.ptrace_scope')).toBe('0');
    // hardening values need nothing
    expect(sysctl([{ key: 'kernel.yama.ptrace_scope', value: '2' }, { key: 'kernel.sysrq', value: '176' }, { key: 'vm.mmap_min_addr', value: '65536' }]).ok).toBe(true);
    // the kernel reads "0100000" as octal 32768 and " 0" as 0: no spelling slips through
    expect(sysctl([{ key: 'vm.mmap_min_addr', value: '0100' }]).error?.code).toBe('NEEDS_CONFIRMATION');
    expect(sysctl([{ key: 'kernel.sysrq', value: '0x48' }]).error?.code).toBe('NEEDS_CONFIRMATION');
    expect(sysctl([{ key: 'kernel.kptr_restrict', value: '\u00a00' }]).error?.code).toBe('NEEDS_CONFIRMATION');
  });

  it('a sysctl.d profile and a scheduled sysctl revert need the same confirmation', () => {
    const text = 'vm.swappiness = 10\nkernel.kptr_restrict = 0\nfs.protected_symlinks = 0\n';
    const r = writeFile(text);
    expect(r.error?.code).toBe('NEEDS_CONFIRMATION');
    expect(r.error?.detail.weakening.map((w: { key: string }) => w.key)).toEqual(['kernel.kptr_restrict', 'fs.protected_symlinks']);
    expect(writeFile(text, { confirmWeakening: ['kernel.kptr_restrict'] }).error?.code).toBe('NEEDS_CONFIRMATION');
    expect(existsSync(path.join(root, profile))).toBe(false);
    expect(writeFile(text, { confirmWeakening: ['kernel.kptr_restrict', 'fs.protected_symlinks'] }).ok).toBe(true);
    expect(readFileSync(path.join(root, profile), 'utf8')).toBe(text);
    const plan = { kind: 'sysctl', settings: [{ key: 'kernel.dmesg_restrict', value: '0', applied: '1' }] };
    expect(helper({ verb: 'schedule-revert', seconds: 3600, plan }, args()).error?.code).toBe('NEEDS_CONFIRMATION');
    const armed = helper({ verb: 'schedule-revert', seconds: 3600, plan, confirmWeakening: ['kernel.dmesg_restrict'] }, args());
    expect(armed.ok).toBe(true);
    expect(helper({ verb: 'cancel-revert', id: armed.result!.id }, args()).result!.cancelled).toBe(true);
  });
});
