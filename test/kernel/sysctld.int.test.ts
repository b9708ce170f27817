import { mkdtempSync, rmSync, readFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveProcps, resolveSystemd } from '../../shared/kernel/sysctld';
import { readSysctlDirs } from '../../electron/kernel/sysctld-reader';
import { ImageTransport } from '../../electron/hosts/image';
import { copyProcSys, requireTool, runInSandbox, systemdWrites, writeTree, type Tree } from './support/sysctl-sandbox';

// Fake paths added to the /proc/sys copy: a VLAN-style interface name with a dot.
const EXTRA = ['net/ipv4/conf/eth0.100/forwarding', 'net/ipv4/conf/eth0.100/rp_filter', 'net/ipv4/conf/eth0/100/forwarding'];

const trees: Record<string, Tree> = {
  'precedence, masks and byte-wise order': {
    'etc/sysctl.d/50-same.conf': 'kernel.msgmax = 1001\n',
    'usr/lib/sysctl.d/50-same.conf': 'kernel.msgmax = 9999\nkernel.msgmnb = 9999\n',
    'run/sysctl.d/60-run.conf': 'kernel.msgmnb = 2002\n',
    'usr/lib/sysctl.d/60-run.conf': 'kernel.msgmnb = 9998\n',
    'etc/sysctl.d/70-masked.conf': { symlink: '/dev/null' },
    'usr/lib/sysctl.d/70-masked.conf': 'kernel.shmmni = 9997\n',
    'run/sysctl.d/71-empty.conf': '',
    'usr/local/lib/sysctl.d/71-empty.conf': 'kernel.shmmni = 9996\n',
    'usr/local/lib/sysctl.d/100-ten.conf': 'kernel.sem = 1 2 3 4\n',
    'usr/lib/sysctl.d/20-two.conf': 'kernel.sem = 5 6 7 8\n',
    'etc/sysctl.d/A-upper.conf': 'vm.swappiness = 11\n',
    'usr/lib/sysctl.d/a-lower.conf': 'vm.swappiness = 22\n',
    'etc/sysctl.d/.hidden.conf': 'vm.swappiness = 33\n',
    'etc/sysctl.d/README': 'vm.swappiness = 44\n',
    'etc/sysctl.d/99-sysctl.conf': { symlink: '../sysctl.conf' },
    'etc/sysctl.conf': 'kernel.shmmni = 5005\n',
    'usr/lib/sysctl.d/01-first.conf': 'kernel.shmmni = 4004\n',
  },
  'assignments: later wins, order, "-", exclusions, odd values': {
    'etc/sysctl.d/10-a.conf': [
      'kernel.msgmax = 1111',
      'kernel.msgmnb=2222',
      'kernel.domainname = example.com # trailing',
      'kernel.sem = 250\t32000\t100\t128',
      'fs.mqueue.msg_max = 1 = 2',
      '-vm.dirty_ratio = 7',
      '- vm.swappiness = 8',
      'kernel.shmmni = 3333',
      ';comment = 1',
      '   # indented comment = 2',
      'vm.overcommit_ratio =',
      'kernel.hostname = h1\r',
      'fs.mqueue.queues_max = 55\rfs.mqueue.msgsize_max = 66',
      '',
    ].join('\n'),
    'etc/sysctl.d/20-b.conf': [
      '-kernel.msgmax',
      'kernel.msgmnb = 2222',
      'kernel.shmmni = 4444',
      '-kernel.shmall',
      'net/ipv4/conf/eth0.100/forwarding = 1',
      'net.ipv4.conf.eth0/100.rp_filter = 2',
      'net.ipv4.conf.eth0.100.forwarding = 3',
      '//net//ipv4///ip_forward = 1',
      '/kernel/msgmni = 77',
      '',
    ].join('\n'),
    'etc/sysctl.d/30-c.conf': 'kernel.shmall = 12345\nkernel.shmmni = 3333\n',
  },
  'globs, exact exclusions and GLOB_NOCHECK': {
    'etc/sysctl.d/10-glob.conf': [
      'net.ipv4.conf.*.rp_filter = 2',
      'net.ipv4.conf.lo.rp_filter = 0',
      '-net.ipv4.conf.default.rp_filter',
      '-net.ipv4.conf.eth*.rp_filter',
      'net.ipv6.conf.[ad]*.hop_limit = 63',
      'net.ipv4.conf.?o.accept_local = 1',
      'kernel.nonexistent_*_knob = 5',
      'net.ipv4.conf.*.arp_ignore = 1',
      'net.ipv4.conf.all.* = 0',
      'net.ipv4.conf.{lo,eth0}.arp_announce = 2',
      'net.ipv4.conf.{lo,eth0}.arp_n* = 1',
      '',
    ].join('\n'),
  },
  'glob(3) details: braces (nested, across "/", unmatched), brackets, escapes, many brace groups': {
    'etc/sysctl.d/10-glob2.conf': [
      'net.ipv4.conf.{l{o,x},eth0}.arp_n*y = 1',
      'net.ipv4.{conf.lo,conf.all}.proxy_arp* = 1',
      'net.ipv4.conf.[!ade]*.accept_source_route = 0',
      'net.ipv4.conf.[a-m]?.log_martians = 1',
      'net.ipv4.conf.[m-a]*.medium_id = 3',
      'net.ipv4.conf.\\lo.bootp_rel*y = 1',
      'net.ipv4.conf.{lo.arp_filter* = 1',
      'net.ipv4.conf.l?.{arp_accept,drop_gratuitous_arp} = 1',
      'net.ipv4.conf.lo.{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}{s,t}{u,v}_* = 1',
      '',
    ].join('\n'),
  },
  'bad input: no "=", unknown keys, binary garbage, unreadable entries': {
    'etc/sysctl.d/10-bad.conf': 'this is not an assignment\nkernel.msgmax = 4242\nno.such.key = 1\n\x00\xff\xfe garbage = \x01\x02\nvalue.with.nul = a\x00b\n-just.a.name\n',
    'etc/sysctl.d/20-dir.conf': { dir: true },
    'etc/sysctl.d/30-dangling.conf': { symlink: 'missing-target.conf' },
    'usr/lib/sysctl.d/40-after.conf': 'kernel.msgmnb = 4343\n',
  },
};

const expectations: Record<string, (r: ReturnType<typeof resolveSystemd>) => void> = {
  'glob(3) details: braces (nested, across "/", unmatched), brackets, escapes, many brace groups': (r) => {
    const written = new Set(r.writes.map((w) => w.path));
    for (const p of ['net/ipv4/conf/lo/arp_notify', 'net/ipv4/conf/all/proxy_arp', 'net/ipv4/conf/lo/proxy_arp_pvlan', 'net/ipv4/conf/lo/accept_source_route', 'net/ipv4/conf/lo/log_martians', 'net/ipv4/conf/lo/bootp_relay', 'net/ipv4/conf/lo/arp_accept']) {
      expect(written, p).toContain(p);
    }
    expect(written).not.toContain('net/ipv4/conf/all/accept_source_route');
    expect([...written].some((p) => p.endsWith('/medium_id') || p.endsWith('/arp_filter'))).toBe(false);
    // 2,048 brace combinations: systemd-sysctl searches that many times; the line gets a warning.
    const w = r.warnings.find((x) => x.line === 9 && x.severity === 'warning');
    expect(w?.file).toBe('etc/sysctl.d/10-glob2.conf');
    expect(w?.message).toContain('2,048 patterns');
  },
};

describe('effective sysctl.d configuration matches the real tools', () => {
  let base: string;
  beforeAll(() => {
    requireTool('/lib/systemd/systemd-sysctl', 'systemd');
    requireTool('/sbin/sysctl', 'procps');
    requireTool('/usr/bin/unshare', 'util-linux');
    if (process.getuid?.() !== 0) throw new Error('These tests need root (mount namespaces): run them as root, as CI does.');
    base = mkdtempSync(path.join(tmpdir(), 'hostdeck-sysctld-'));
  });
  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  for (const [name, tree] of Object.entries(trees)) {
    it(`systemd-sysctl: ${name}`, async () => {
      const root = path.join(base, name.replace(/\W+/g, '-'));
      writeTree(root, tree);
      const listing = copyProcSys(path.join(root, '.listing-procsys'), EXTRA);
      const { entries } = await readSysctlDirs(new ImageTransport({ root }));
      const ours = resolveSystemd(entries, { listing });
      const real = runInSandbox(root, listing, EXTRA, 'systemd');
      // 1. The same writes, in the same order, with the same values.
      // Within one glob, systemd writes in directory order (GLOB_NOSORT): compare each
      // assignment's group of writes as a set, and the groups in order.
      const realWrites = systemdWrites(real.stderr);
      expect(realWrites.length).toBe(ours.writes.length);
      let at = 0;
      for (const group of groupBySource(ours.writes)) {
        const theirs = realWrites.slice(at, at + group.length);
        at += group.length;
        const fmt = (w: { path: string; value: string }) => `${w.path}=${w.value}`;
        expect(theirs.map(fmt).sort()).toEqual(group.map(fmt).sort());
      }
      // 2. What ended up in the /proc/sys copy is our effective configuration.
      const files = new Set(listing);
      const expected = new Map(ours.settings.filter((s) => files.has(s.path) && !isDir(root, s.path)).map((s) => [s.path, s.value]));
      expect(real.finals).toEqual(expected);
      // 3. Every "not an assignment" warning, with file:line.
      const realWarn = real.stderr
        .split('\n')
        .filter((l) => l.includes('Line is not an assignment'))
        .map((l) => l.replace(/^\/(etc|run|usr\/local\/lib|usr\/lib)\//, '$1/'));
      const ourWarn = ours.warnings.filter((w) => w.message.startsWith('Line is not')).map((w) => `${w.file}:${w.line}: ${w.message}`);
      expect(ourWarn).toEqual(realWarn);
      // 4. Exit status: configuration errors, unreadable files, or a write the kernel refuses (EISDIR).
      const writesDir = ours.writes.some((w) => isDir(root, w.path));
      expect(real.status !== 0, real.stderr).toBe(ours.failed || writesDir);
      // 5. Trees with their own expectations (so that agreeing on nothing cannot pass).
      expectations[name]?.(ours);
    });
  }

  it('sysctl --system (procps) differs where the reference says, and we predict its result', async () => {
    const root = path.join(base, 'procps');
    const tree: Tree = {
      'etc/sysctl.d/10-p.conf': 'kernel.msgmax = 1111\n- vm.swappiness = 8\nkernel.shmmni = 3131\nnot an assignment\nkernel.msgmnb = 100\nkernel.msgmnb = 200\n',
      'etc/sysctl.d/20-q.conf': '-kernel.msgmax\n',
      'etc/sysctl.d/99-sysctl.conf': { symlink: '../sysctl.conf' },
      'etc/sysctl.conf': 'kernel.shmmni = 5005\n',
      'usr/lib/sysctl.d/50-x.conf': 'kernel.shmmni = 4004\n',
    };
    writeTree(root, tree);
    const listing = copyProcSys(path.join(root, '.listing-procsys'), EXTRA);
    const { entries } = await readSysctlDirs(new ImageTransport({ root }));
    const etcConf = existsSync(path.join(root, 'etc/sysctl.conf')) ? readFileSync(path.join(root, 'etc/sysctl.conf'), 'latin1') : null;
    const ours = resolveProcps(entries, etcConf, { listing });
    const real = runInSandbox(root, listing, EXTRA, 'procps');
    const files = new Set(listing);
    const expected = new Map([...ours.final.values()].filter((w) => files.has(w.path)).map((w) => [w.path, w.value]));
    expect(real.finals).toEqual(expected);
    // Where the two tools disagree (what HostDeck shows side by side):
    const systemd = resolveSystemd(entries, { listing });
    const sd = new Map(systemd.settings.map((s) => [s.path, s.value]));
    expect(sd.get('kernel/msgmax')).toBeUndefined(); // systemd: "-kernel.msgmax" cancels the earlier assignment
    expect(real.finals.get('kernel/msgmax')).toBe('1111'); // procps: the exclusion does not cancel it
    expect(sd.get('vm/swappiness')).toBe('8'); // "- key = v" works in systemd
    expect(real.finals.has('vm/swappiness')).toBe(false); // procps writes " vm.swappiness": silently nothing
    expect(sd.get('kernel/shmmni')).toBe('5005');
    expect(ours.writes.filter((w) => w.path === 'kernel/shmmni').map((w) => w.value)).toEqual(['3131', '4004', '5005', '5005']); // /etc/sysctl.conf twice
    expect(ours.writes.filter((w) => w.path === 'kernel/msgmnb').map((w) => w.value)).toEqual(['100', '200']); // every assignment is written
    // procps prints every write it makes ("key = value"), in order: exactly our prediction.
    const printed = real.stdout.split('\n').filter((l) => l && !l.startsWith('* '));
    expect(printed).toEqual(ours.writes.filter((w) => files.has(w.path)).map((w) => `${w.key} = ${w.value}`));
    expect(real.stderr + real.stdout).toMatch(/invalid syntax, continuing/);
  });
});

function groupBySource<T extends { file: string; line: number }>(writes: T[]): T[][] {
  const groups: T[][] = [];
  for (const w of writes) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.file === w.file && last[0]!.line === w.line) last.push(w);
    else groups.push([w]);
  }
  return groups;
}

function isDir(root: string, p: string): boolean {
  // the listing copy lives under root/.listing-procsys with the same shape as the sandbox copy
  try {
    return statSync(path.join(root, '.listing-procsys', p)).isDirectory();
  } catch {
    return false;
  }
}
