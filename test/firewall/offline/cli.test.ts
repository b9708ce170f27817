import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../../support/cli';
import { Runtime } from '../../../electron/api/runtime';

/** `hostdeck firewall ... --root DIR` on an image with no firewalld: read, listed, explained and checked from its files. */

const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-offline-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function image(name: string, etc: Record<string, string>): string {
  const root = path.join(dir, name);
  mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
  cpSync('/usr/lib/firewalld', path.join(root, 'usr/lib/firewalld'), { recursive: true });
  for (const [f, text] of Object.entries(etc)) {
    mkdirSync(path.dirname(path.join(root, 'etc/firewalld', f)), { recursive: true });
    writeFileSync(path.join(root, 'etc/firewalld', f), text);
  }
  return root;
}

describe('hostdeck firewall on an image (offline configuration)', () => {
  it('answers status, state, zone and explain from the files, marked offline', async () => {
    const root = image('good', { 'firewalld.conf': 'DefaultZone=work\n', 'zones/work.xml': '<zone><port port="8443" protocol="tcp"/><interface name="eth0"/></zone>' });
    const rt = new Runtime({ mode: 'cli', local: { root } });
    try {
      const st = await rt.api.firewall.status({});
      expect(st).toMatchObject({ running: true, offline: true, defaultZone: 'work' });
      const full = await rt.api.firewall.state({});
      expect(full.offline?.label).toBe('offline configuration');
      expect(full.permanent.zones.work!.ports).toEqual([{ port: '8443', protocol: 'tcp' }]);
      const zone = await runHostdeck(['firewall', 'zone', 'work', '--root', root]);
      expect(zone.out).toContain('ports: 8443/tcp');
      const ex = await runHostdeck(['firewall', 'explain', '--root', root, '--iface', 'eth0', '--to-port', '8443/tcp', '--json']);
      expect(JSON.parse(ex.out)).toMatchObject({ verdict: 'accept', zone: { name: 'work' } });
      const list = await runHostdeck(['firewall', 'list', 'zones', '--root', root]);
      expect(list.out).toMatch(/^work \(active\)$/m);
      const ok = await runHostdeck(['firewall', 'check', '--root', root]);
      expect(ok.code).toBe(0);
      expect(ok.out).toMatch(/^ok: firewalld 1\.3\.3 would load/m);
    } finally {
      await rt.dispose();
    }
  });

  it('check: exit 1 and one line per problem with file:line and element', async () => {
    const root = image('bad', {
      'firewalld.conf': 'DefaultZone=nowhere\n',
      'zones/a.xml': '<zone>\n<service name="nosuch"/>\n<interface name="eth0"/>\n</zone>',
      'zones/b.xml': '<zone>\n<interface name="eth0"/>\n<port port="x" protocol="tcp"/>\n</zone>',
    });
    const r = await runHostdeck(['firewall', 'check', '--root', root]);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines).toEqual(expect.arrayContaining([
      `error: ${root}/etc/firewalld/zones/b.xml:3: <port port="x" protocol="tcp">: INVALID_PORT: 'x' is not a valid port`,
      `error: ${root}/etc/firewalld/zones/a.xml: <service name="nosuch">: INVALID_SERVICE: Zone 'a': 'nosuch' not among existing services`,
      `error: ${root}/etc/firewalld/firewalld.conf: DefaultZone=nowhere: INVALID_ZONE: Default zone 'nowhere' does not exist (firewalld fails to start)`,
    ]));
    expect(lines.at(-1)).toMatch(/^FAILED: firewalld 1\.3\.3 would not load/);
  });
});
