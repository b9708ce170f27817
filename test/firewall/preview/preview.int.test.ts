import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNftRuleset } from '../../../shared/firewall/rules';
import type { PreviewReport } from '../../../shared/firewall/preview/contract';
import { startFirewalldSandbox, type FirewalldSandbox } from '../../support/firewalld-sandbox';
import { runHostdeck } from '../../support/cli';
import { sha256 } from '../../support/sha256';

// "Preview the rules" (#16): an image's configuration loaded into a throwaway firewalld gives the
// same nftables ruleset as a real firewalld (the test's sandbox) loaded with the same files, and
// nothing on this machine changes: no namespace is left behind, the image's files are untouched.

const ZONE = `<?xml version="1.0" encoding="utf-8"?>
<zone target="DROP">
  <short>Public</short>
  <service name="ssh"/>
  <service name="http"/>
  <port port="8443" protocol="tcp"/>
  <masquerade/>
  <forward-port port="2222" protocol="tcp" to-port="22"/>
  <rule family="ipv4">
    <source address="192.0.2.0/24"/>
    <service name="https"/>
    <accept/>
  </rule>
  <rule family="ipv4">
    <source address="198.51.100.7"/>
    <drop/>
  </rule>
</zone>
`;
const POLICY = `<?xml version="1.0" encoding="utf-8"?>
<policy target="CONTINUE">
  <ingress-zone name="internal"/>
  <egress-zone name="public"/>
  <service name="dns"/>
</policy>
`;

/** Chains and their rules' texts (handles and counters left out), for comparing two rulesets. */
function shape(ruleset: { chains: { family: string; table: string; name: string }[]; rules: { family: string; table: string; chain: string; text: string }[] }): string[] {
  return ruleset.chains
    .filter((c) => c.table === 'firewalld')
    .map((c) => `${c.family} ${c.name}: ${ruleset.rules.filter((r) => r.family === c.family && r.table === c.table && r.chain === c.name).map((r) => r.text).join(' ; ')}`)
    .sort();
}
const reportShape = (r: PreviewReport) =>
  shape({ chains: r.chains, rules: r.chains.flatMap((c) => c.rules.map((x) => ({ family: c.family, table: c.table, chain: c.name, text: x.text }))) });

/** Every network and mount namespace a process on this machine is in. */
/**
 * The net and mnt namespaces held by the preview's processes: this test's own descendants, and any
 * process naming a preview directory (one that outlived its parent). Other test files run their
 * own firewalld sandboxes at the same time; their namespaces are not the preview's.
 */
function namespaces(): Set<string> {
  const out = new Set<string>();
  const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  const parent = new Map<string, string>();
  const cmd = new Map<string, string>();
  for (const pid of procs) {
    try {
      parent.set(pid, readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) \S+ /, '').split(' ')[0]!);
      cmd.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      // gone meanwhile
    }
  }
  const ours = (pid: string): boolean => {
    for (let p: string | undefined = pid, n = 0; p && p !== '0' && n < 64; p = parent.get(p), n++) if (p === String(process.pid)) return true;
    return (cmd.get(pid) ?? '').includes('hostdeck-preview-');
  };
  for (const pid of procs.filter(ours)) {
    for (const ns of ['net', 'mnt']) {
      try {
        out.add(readlinkSync(`/proc/${pid}/ns/${ns}`));
      } catch {
        // gone meanwhile
      }
    }
  }
  return out;
}

describe('firewall preview', () => {
  let root: string;
  let sb: FirewalldSandbox;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'hostdeck-preview-image-'));
    cpSync('/usr/lib/firewalld', join(root, 'usr/lib/firewalld'), { recursive: true });
    mkdirSync(join(root, 'etc/firewalld/zones'), { recursive: true });
    mkdirSync(join(root, 'etc/firewalld/policies'), { recursive: true });
    cpSync('/etc/firewalld/firewalld.conf', join(root, 'etc/firewalld/firewalld.conf'));
    writeFileSync(join(root, 'etc/firewalld/zones/public.xml'), ZONE);
    writeFileSync(join(root, 'etc/firewalld/policies/int-out.xml'), POLICY);
    sb = await startFirewalldSandbox({
      prepareConfig: (etc) => {
        mkdirSync(join(etc, 'zones'), { recursive: true });
        mkdirSync(join(etc, 'policies'), { recursive: true });
        writeFileSync(join(etc, 'zones/public.xml'), ZONE);
        writeFileSync(join(etc, 'policies/int-out.xml'), POLICY);
      },
    });
  });
  afterAll(async () => {
    await sb?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('makes the ruleset a real firewalld makes from the same files, attributed to their elements', async () => {
    const before = sha256(readFileSync(join(root, 'etc/firewalld/zones/public.xml')));
    const nsBefore = namespaces();
    const r = await runHostdeck(['firewall', 'preview', '--root', root, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as PreviewReport;
    const real = parseNftRuleset(sb.inNetns('/usr/sbin/nft', '-j', 'list', 'ruleset'));
    expect(reportShape(report)).toEqual(shape(real));
    expect(report.totals.rules).toBeGreaterThan(20);
    // Attributed: the zone's items are named as the elements that made them.
    const made = report.chains.flatMap((c) => c.rules.flatMap((x) => x.madeBy.map((m) => `${m.zone ?? m.policy ?? ''} ${m.firewalld}`)));
    expect(made).toEqual(expect.arrayContaining(['public service http', 'public port 8443/tcp']));
    expect(made.some((m) => m.includes('198.51.100.7'))).toBe(true);
    expect(report.notes[0]).toMatch(/^Preview: the ruleset firewalld \S+ makes from the configuration files of .*nothing on .* changed/);
    // Nothing on this machine changed: the throwaway namespaces are gone, the image is as it was.
    expect([...namespaces()].filter((n) => !nsBefore.has(n))).toEqual([]);
    expect(sha256(readFileSync(join(root, 'etc/firewalld/zones/public.xml')))).toBe(before);
    expect(readdirSync(tmpdir()).filter((d) => d.startsWith('hostdeck-preview-') && !root.endsWith(d))).toEqual([]);
  });

  it('refuses a configuration firewalld would not load, naming the file and element', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'hostdeck-preview-image-'));
    try {
      cpSync(root, bad, { recursive: true });
      writeFileSync(join(bad, 'etc/firewalld/zones/public.xml'), ZONE.replace('<service name="http"/>', '<service name="no-such-service"/>'));
      const r = await runHostdeck(['firewall', 'preview', '--root', bad]);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/zones\/public\.xml: <service name="no-such-service">: .*not among existing services/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
