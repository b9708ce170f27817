/**
 * An ICMP type without destinations applies to both families (firewalld's client.py, "empty
 * means all"). firewall-offline-cmd therefore turns `--remove-destination=ipv6` on such a type
 * into `<destination ipv4="yes"/>`, and `--add-destination` on it changes nothing. Found by the
 * offline-writes differential (seed 1007).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../../support/cli';

let root: string;
const edit = (...args: string[]) => runHostdeck(['firewall', 'edit', '--root', root, ...args]);
const typeFile = (name: string) => path.join(root, 'etc/firewalld/icmptypes', `${name}.xml`);

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'hostdeck-icmptype-dest-'));
  mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
  cpSync('/usr/lib/firewalld', path.join(root, 'usr/lib/firewalld'), { recursive: true });
  mkdirSync(path.join(root, 'etc/firewalld/icmptypes'), { recursive: true });
  writeFileSync(path.join(root, 'etc/firewalld/firewalld.conf'), 'DefaultZone=public\n');
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ICMP type destinations: none means both families', () => {
  it('removing ipv6 from a type without destinations leaves ipv4; adding one to it changes nothing', async () => {
    expect((await edit('--new-icmptype=both0')).code).toBe(0);
    expect(readFileSync(typeFile('both0'), 'utf8')).not.toContain('<destination');
    const add = await edit('--icmptype=both0', '--add-destination=ipv4');
    expect(add.code).toBe(0);
    expect(readFileSync(typeFile('both0'), 'utf8')).not.toContain('<destination');
    expect((await edit('--icmptype=both0', '--remove-destination=ipv6')).code).toBe(0);
    expect(readFileSync(typeFile('both0'), 'utf8')).toBe('<?xml version="1.0" encoding="utf-8"?>\n<icmptype>\n  <destination ipv4="yes"/>\n</icmptype>\n');
  });
});
