/**
 * `hostdeck firewall edit --root DIR --zone OLD --rename NEW` (issue #16): the zone's file under
 * the new name, the old one removed, the policy and DefaultZone naming it moved in the same
 * request (as the page does), each change printed; firewall-offline-cmd over the image lists the
 * new name. A builtin, a name taken, a hostile name are refused as firewalld refuses them, and
 * nothing is written. In-process CLI (runHostdeck), one image restored per case.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../../support/cli';
import { foc } from '../offline-page/support/offline-cmd';
import { treeHash } from './support/image';

const work = mkdtempSync(path.join(tmpdir(), 'hostdeck-oren-'));
const root = path.join(work, 'root');
const etc = (rel = '') => path.join(root, 'etc/firewalld', rel);

function restore(): void {
  rmSync(path.join(root, 'etc'), { recursive: true, force: true });
  mkdirSync(etc('zones'), { recursive: true });
  mkdirSync(etc('policies'), { recursive: true });
  writeFileSync(etc('firewalld.conf'), 'DefaultZone=lab\n');
  writeFileSync(etc('zones/lab.xml'), '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Lab</short>\n  <service name="ssh"/>\n  <interface name="lab0"/>\n</zone>\n');
  writeFileSync(etc('policies/lab-out.xml'), '<?xml version="1.0" encoding="utf-8"?>\n<policy target="ACCEPT">\n  <ingress-zone name="lab"/>\n  <egress-zone name="public"/>\n</policy>\n');
}

beforeAll(() => {
  for (const f of ['zones/public.xml', 'services/ssh.xml', 'services/dhcpv6-client.xml']) cpSync(path.join('/usr/lib/firewalld', f), path.join(root, 'usr/lib/firewalld', f));
  restore();
});
afterEach(restore);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const rename = (...args: string[]) => runHostdeck(['firewall', 'edit', '--root', root, ...args]);

describe('hostdeck firewall edit --zone OLD --rename NEW', () => {
  it('renames the zone, moves the policy and DefaultZone naming it, prints each file, and firewall-offline-cmd lists the new name', async () => {
    const r = await rename('--zone', 'lab', '--rename', 'office');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`wrote ${etc('zones/office.xml')} (zone office): rename from lab`);
    expect(r.out).toContain(`wrote ${etc('policies/lab-out.xml')} (policy lab-out): remove-ingress-zone lab, add-ingress-zone office`);
    expect(r.out).toContain(`wrote ${etc('firewalld.conf')} (firewalld.conf): set-default-zone office`);
    expect(r.out).toContain(`deleted ${etc('zones/lab.xml')} (zone lab): rename to office`);
    const zones = foc(etc(), ['--get-zones']).trim().split(/\s+/);
    expect(zones).toContain('office');
    expect(zones).not.toContain('lab');
    expect(foc(etc(), ['--info-zone', 'office'])).toMatch(/interfaces: lab0[\s\S]*services: ssh/);
    expect(foc(etc(), ['--policy', 'lab-out', '--list-ingress-zones']).trim()).toBe('office');
    expect(foc(etc(), ['--get-default-zone']).trim()).toBe('office');
  });

  it('--dry-run says what would change and writes nothing', async () => {
    const before = treeHash(root);
    const r = await rename('--zone', 'lab', '--rename', 'office', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`would write ${etc('zones/office.xml')}`);
    expect(treeHash(root)).toBe(before);
  });

  const refused: Array<[string, string[], RegExp]> = [
    ['a builtin zone, as firewalld refuses it', ['--zone', 'public', '--rename', 'outside'], /'public' is built-in zone: it cannot be renamed/],
    ['a name taken by a zone', ['--zone', 'lab', '--rename', 'public'], /a zone named "public" already exists/],
    ['a name taken by a policy (zones and policies share names)', ['--zone', 'lab', '--rename', 'lab-out'], /a policy named "lab-out" already exists/],
    ['a hostile name (command substitution)', ['--zone', 'lab', '--rename', 'x$(touch pwned)'], /INVALID_NAME|not a valid|invalid/i],
    ['a hostile name (a path)', ['--zone', 'lab', '--rename', '../../../tmp/x'], /cannot contain "\/"/],
    ['a hostile name (a quote and a newline)', ['--zone', 'lab', '--rename', 'a"b\nc'], /INVALID_NAME|not a valid|invalid/i],
    ['a zone that does not exist', ['--zone', 'nowhere', '--rename', 'x'], /there is no zone named "nowhere"/],
    ['with another change in the same command', ['--zone', 'lab', '--rename', 'office', '--add-port', '80/tcp'], /--rename is a request of its own: run --add-port separately/],
    ['without --zone', ['--rename', 'office'], /--rename needs --zone OLD/],
    ['leaving references (--keep-references): firewalld would not load the policy', ['--zone', 'lab', '--rename', 'office', '--keep-references'], /lab-out\.xml.*lab|nothing was written/],
  ];
  for (const [what, args, says] of refused) {
    it(`refuses ${what}, writing nothing`, async () => {
      const before = treeHash(root);
      const r = await rename(...args);
      expect(r.code, r.out).not.toBe(0);
      expect(r.err).toMatch(says);
      expect(treeHash(root)).toBe(before);
    });
  }
});
