import { describe, expect, it } from 'vitest';
import { compareSnapshots } from '../../shared/compare/diff';
import { planFix, sysctlProfileText } from '../../shared/compare/fix';
import type { Snapshot } from '../../shared/compare/snapshot';

/** Issue #21 item 2: the fix's sysctl.d file sorts after the file that sets the key on each differing host. */
const snap = (value: string, file: string | null): Snapshot => ({
  format: 'hostdeck-snapshot',
  version: 1,
  source: { kind: 'live', detail: 't' },
  identity: { hostname: 'h', os: '', kernel: '', time: 0 },
  sysctl: { entries: [{ key: 'net.core.somaxconn', state: 'ok', value }], from: 'procsys' },
  sysctld: { settings: file ? [{ key: 'net.core.somaxconn', value, file, line: 1 }] : [], files: [], texts: [] },
  dns: null,
  firewall: null,
});
const fileFor = (...files: (string | null)[]) => {
  const r = compareSnapshots([snap('4096', null), ...files.map((f, i) => snap(String(100 + i), f))].map((s, i) => ({ id: `h${i}`, label: `h${i}`, kind: 'snapshot', snapshot: s })));
  return planFix(r, { sysctl: ['net.core.somaxconn'], firewall: [] });
};

describe('the sysctl.d file of a fix', () => {
  it('sorts after every host file that sets a chosen key', () => {
    expect(fileFor(null, 'etc/sysctl.d/50-a.conf').sysctlFile).toBe('/etc/sysctl.d/90-hostdeck-compare.conf');
    expect(fileFor('/etc/sysctl.d/90-web1.conf').sysctlFile).toBe('/etc/sysctl.d/99-hostdeck-compare.conf');
    expect(fileFor('/usr/lib/sysctl.d/99-sysctl.conf', '/etc/sysctl.d/10-x.conf').sysctlFile).toBe('/etc/sysctl.d/z-hostdeck-compare.conf');
    expect(fileFor('/etc/sysctl.d/zz-local.conf').sysctlFile).toBe('/etc/sysctl.d/zzz-hostdeck-compare.conf');
  });

  it('says when the value is set where no sysctl.d name can win', () => {
    const plan = fileFor('/etc/sysctl.conf');
    expect(plan.fileNotes).toEqual(['h1: net.core.somaxconn is set in /etc/sysctl.conf, which sysctl --system reads after every sysctl.d file: change it there too, or the old value returns at boot']);
    expect(sysctlProfileText(plan)).toContain('# Note: h1: net.core.somaxconn is set in /etc/sysctl.conf');
  });
});
