import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageTransport } from '../../../electron/hosts/image';
import { readOfflineConfig } from '../../../electron/firewall/offline/reader';
import { parseXml } from '../../../shared/firewall/offline/xml';

/**
 * The offline reader on image trees: firewalld's own defaults (a copy of this machine's
 * /usr/lib/firewalld) with /etc/firewalld files on top, and hostile trees that try to leave the
 * root, hang the reader on a FIFO, or blow it up with entities and huge files.
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-offline-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function image(name: string, etc: Record<string, string>): string {
  const root = path.join(dir, name);
  mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
  cpSync('/usr/lib/firewalld', path.join(root, 'usr/lib/firewalld'), { recursive: true });
  for (const [file, text] of Object.entries(etc)) {
    mkdirSync(path.dirname(path.join(root, 'etc/firewalld', file)), { recursive: true });
    writeFileSync(path.join(root, 'etc/firewalld', file), text);
  }
  return root;
}
const read = (root: string) => readOfflineConfig(new ImageTransport({ root }));

describe('the offline reader', () => {
  it('reads /usr/lib defaults with /etc overriding file by file, marks the override "modified", and says which version it assumed', async () => {
    const root = image('override', {
      'firewalld.conf': 'DefaultZone=home\nLogDenied=unicast\n',
      'zones/public.xml': '<?xml version="1.0"?>\n<zone target="DROP"><short>Mine</short><port port="8080" protocol="tcp"/><rule family="ipv4"><source address="192.0.2.0/24"/><service name="http"/><accept/></rule><forward/></zone>\n',
      'zones/mine.xml': '<zone><interface name="eth1"/><source address="198.51.100.0/24"/></zone>',
      'ipsets/bad-guys.xml': '<ipset type="hash:net"><entry>192.0.2.0/24</entry><entry>192.0.2.0/24</entry><entry>not-a-net</entry></ipset>',
    });
    const c = await read(root);
    const s = c.state.permanent;
    expect(s.zones.public).toMatchObject({ target: 'DROP', short: 'Mine', ports: [{ port: '8080', protocol: 'tcp' }], forward: true, meta: { builtin: true, default: false } });
    expect(s.zones.public!.richRules).toEqual(['rule family="ipv4" source address="192.0.2.0/24" service name="http" accept']);
    expect(s.zones.home!.meta).toMatchObject({ builtin: true, default: true });
    expect(s.zones.mine!.meta).toMatchObject({ builtin: false, default: false });
    expect(c.state.global).toMatchObject({ defaultZone: 'home', logDenied: 'unicast', activeZones: { mine: { interfaces: ['eth1'], sources: ['198.51.100.0/24'] } } });
    expect(s.ipsets['bad-guys']!.entryCount).toBe(1);
    expect(c.entries.get('bad-guys')).toEqual(['192.0.2.0/24']);
    expect(c.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(c.problems.map((p) => `${path.basename(p.file)}:${p.line} ${p.code}`)).toEqual(expect.arrayContaining(['bad-guys.xml:1 ALREADY_ENABLED', 'bad-guys.xml:1 INVALID_ENTRY']));
    expect(c.state.offline).toMatchObject({ label: 'offline configuration', version: '1.3.3', versionFrom: expect.stringMatching(/^assumed/) });
    mkdirSync(path.join(root, 'var/lib/dpkg'), { recursive: true });
    writeFileSync(path.join(root, 'var/lib/dpkg/status'), 'Package: firewalld\nStatus: install ok installed\nVersion: 2.1.1-1\n\n');
    expect((await read(root)).state.offline).toMatchObject({ version: '2.1.1', versionFrom: expect.stringContaining('package database') });
  });

  it('names file:line and element for files firewalld would not load, and keeps the rest', async () => {
    const root = image('broken', {
      'zones/a.xml': '<zone>\n  <service name="ssh"/>\n  <port port="99999" protocol="tcp"/>\n</zone>',
      'zones/b.xml': '<zone>\n<bogus/>\n</zone>',
      'zones/c.xml': '<zone>\n<service name="ssh">\n</zone>',
      'zones/d.xml': '<zone><service name="no-such-service"/><interface name="eth0"/></zone>',
      'zones/e.xml': '<zone><interface name="eth0"/></zone>',
      'policies/p.xml': '<policy target="ACCEPT"><ingress-zone name="nowhere"/><egress-zone name="HOST"/></policy>',
    });
    const c = await read(root);
    const errors = c.problems.filter((p) => p.severity === 'error').map((p) => `${path.relative(root, p.file)}:${p.line ?? ''} ${p.element} ${p.code}`);
    expect(errors).toEqual(expect.arrayContaining([
      'etc/firewalld/zones/a.xml:3 <port port="99999" protocol="tcp"> INVALID_PORT',
      'etc/firewalld/zones/b.xml:2 <bogus> PARSE_ERROR',
      expect.stringMatching(/^etc\/firewalld\/zones\/c\.xml:3 zone c INVALID_ZONE$/),
      'etc/firewalld/zones/d.xml: <service name="no-such-service"> INVALID_SERVICE',
      'etc/firewalld/zones/e.xml: <interface name="eth0"> INVALID_INTERFACE',
      'etc/firewalld/policies/p.xml: <ingress-zone name="nowhere"> INVALID_ZONE',
    ]));
    expect(Object.keys(c.state.permanent.zones)).not.toContain('a');
    expect(c.state.permanent.zones.public).toBeDefined();
  });

  it('refuses DOCTYPEs and entities (a billion laughs, an external file) without expanding anything', async () => {
    const bomb = '<?xml version="1.0"?>\n<!DOCTYPE zone [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n<zone><short>&c;</short></zone>';
    const ext = '<?xml version="1.0"?>\n<!DOCTYPE zone [<!ENTITY x SYSTEM "file:///etc/shadow">]>\n<zone><short>&x;</short></zone>';
    const root = image('entities', { 'zones/bomb.xml': bomb, 'zones/ext.xml': ext, 'zones/undef.xml': '<zone><short>&nope;</short></zone>' });
    const c = await read(root);
    const by = (n: string) => c.problems.find((p) => p.file.endsWith(`/${n}.xml`));
    expect(by('bomb')).toMatchObject({ line: 2, severity: 'error', message: expect.stringContaining('DOCTYPE is not allowed') });
    expect(by('ext')).toMatchObject({ line: 2, severity: 'error' });
    expect(by('undef')).toMatchObject({ severity: 'error', message: expect.stringContaining('undefined entity &nope;') });
    expect(() => parseXml('<zone><short>a &amp; b &#x41;</short></zone>')).not.toThrow();
    expect(parseXml('<zone><short>a &amp; b &#x41;</short></zone>').children[0]!.text).toBe('a & b A');
  });

  it('never leaves the root, never blocks on a FIFO, and refuses huge files', async () => {
    const root = image('hostile', {});
    const outside = path.join(dir, 'outside-zone.xml');
    writeFileSync(outside, '<zone><short>OUTSIDE</short></zone>');
    mkdirSync(path.join(root, 'etc/firewalld/zones'), { recursive: true });
    symlinkSync(outside, path.join(root, 'etc/firewalld/zones/link.xml'));
    symlinkSync(`../../../../../../..${outside}`, path.join(root, 'etc/firewalld/zones/dots.xml'));
    execFileSync('mkfifo', [path.join(root, 'etc/firewalld/zones/fifo.xml')]);
    writeFileSync(path.join(root, 'etc/firewalld/zones/huge.xml'), `<zone><short>${'x'.repeat(9 * 1024 * 1024)}</short></zone>`);
    const c = await read(root);
    const z = c.state.permanent.zones;
    expect(JSON.stringify(z)).not.toContain('OUTSIDE');
    for (const n of ['link', 'dots', 'fifo', 'huge']) expect(z[n]).toBeUndefined();
    const codes = Object.fromEntries(c.problems.filter((p) => p.severity === 'error').map((p) => [path.basename(p.file), p.code]));
    expect(codes).toMatchObject({ 'fifo.xml': 'NOT_REGULAR', 'huge.xml': 'TOO_LARGE', 'link.xml': 'ENOENT', 'dots.xml': 'ENOENT' });
  });
});
