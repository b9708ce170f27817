/**
 * Policy checks firewalld makes on every policy write and at load (core/io/policy.py
 * _check_config), found by the offline-writes differential: forward ports and masquerade
 * against the policy's ingress and egress zones. HostDeck refuses what firewall-offline-cmd
 * refuses, in its words, and writes nothing.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../../support/cli';

let root: string;
const edit = (...args: string[]) => runHostdeck(['firewall', 'edit', '--root', root, ...args]);
const policyFile = (name: string) => path.join(root, 'etc/firewalld/policies', `${name}.xml`);

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'hostdeck-policy-checks-'));
  mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
  cpSync('/usr/lib/firewalld', path.join(root, 'usr/lib/firewalld'), { recursive: true });
  mkdirSync(path.join(root, 'etc/firewalld'), { recursive: true });
  writeFileSync(path.join(root, 'etc/firewalld/firewalld.conf'), 'DefaultZone=public\n');
  // Written as firewalld writes them (fewer edits: this file stays a few seconds).
  const dir = path.join(root, 'etc/firewalld');
  mkdirSync(path.join(dir, 'policies'));
  mkdirSync(path.join(dir, 'zones'));
  const policy = (egress: string) => `<?xml version="1.0" encoding="utf-8"?>\n<policy target="CONTINUE">\n  <ingress-zone name="public"/>\n  <egress-zone name="${egress}"/>\n</policy>\n`;
  writeFileSync(policyFile('tohost'), policy('HOST'));
  writeFileSync(policyFile('tozone'), policy('work'));
  writeFileSync(policyFile('toiface'), policy('internal'));
  writeFileSync(path.join(dir, 'zones/internal.xml'), '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Internal</short>\n  <interface name="eth7"/>\n  <service name="ssh"/>\n</zone>\n');
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('offline policy writes are checked as firewalld checks them', () => {
  it("refuses a forward port with to-addr on a policy whose egress zone is HOST (plain and as a rich rule)", async () => {
    const a = await edit('--policy=tohost', '--add-forward-port=port=2013:proto=tcp:toaddr=192.0.2.242');
    expect(a.code).not.toBe(0);
    expect(a.err).toContain("Policy 'tohost': A 'forward-port' with 'to-addr' is invalid for egress zone 'HOST'");
    const b = await edit('--policy=tohost', '--add-rich-rule=rule family="ipv4" forward-port port="2000" protocol="tcp" to-port="22" to-addr="192.0.2.1"');
    expect(b.err).toContain("A 'forward-port' with 'to-addr' is invalid for egress zone 'HOST'");
    // Without to-addr it is a local redirect, which firewalld accepts.
    expect((await edit('--policy=tohost', '--add-forward-port=port=2014:proto=tcp:toport=22')).code).toBe(0);
  });

  it('refuses a forward port without to-addr towards a zone, and any forward port towards a zone with interfaces', async () => {
    const a = await edit('--policy=tozone', '--add-forward-port=port=2015:proto=tcp:toport=22');
    expect(a.err).toContain("Policy 'tozone': 'forward-port' requires 'to-addr' if egress zone is 'ANY' or a zone");
    expect((await edit('--policy=tozone', '--add-forward-port=port=2015:proto=tcp:toaddr=192.0.2.9')).code).toBe(0);
    const b = await edit('--policy=toiface', '--add-forward-port=port=2016:proto=tcp:toaddr=192.0.2.9');
    expect(b.err).toContain("Policy 'toiface': 'forward-port' cannot be used because egress zone 'internal' has assigned interfaces");
    const c = await edit('--policy=toiface', '--add-rich-rule=rule family="ipv4" source address="10.0.0.0/8" mark set="0x1"');
    expect(c.err).toContain("'mark' cannot be used because egress zone 'internal' has assigned interfaces");
    expect(existsSync(policyFile('toiface'))).toBe(true);
  });

  it('refuses masquerade (and a masquerade rich rule) on a policy to or from HOST', async () => {
    const a = await edit('--policy=tohost', '--add-rich-rule=rule family="ipv4" source address="10.1.0.0/16" masquerade');
    expect(a.err).toContain("Policy 'tohost': 'masquerade' is invalid for egress zone 'HOST'");
    const b = await edit('--policy=tohost', '--add-masquerade');
    expect(b.err).toContain("'masquerade' is invalid for egress zone 'HOST'");
  });
});
