/**
 * A no-op writes nothing (issue #16, README "Writes"): for every kind, a change that leaves the
 * object as firewalld would read it (an item already there, a value already so, firewalld.conf
 * set to the value firewalld already falls back to) leaves the file's bytes, inode and mtime as
 * they were, makes no backup (the helper is never asked), makes no /etc copy of a builtin, and
 * is said to be "unchanged" (the op's answer, the CLI). A real change beside it is still written.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../../electron/api/runtime';
import { ImageTransport } from '../../../electron/hosts/image';
import type { OfflineWriteOp } from '../../../shared/firewall/offline/write-contract';
import { runHostdeck } from '../../support/cli';
import { imageRuntimeForFile } from '../../support/image-runtime';
import { treeHash } from './support/image';

const work = mkdtempSync(path.join(tmpdir(), 'hostdeck-onop-'));
const root = path.join(work, 'root');
const etc = (rel: string) => path.join(root, 'etc/firewalld', rel);
let rt: Runtime;

function restore(): void {
  rmSync(path.join(root, 'etc'), { recursive: true, force: true });
  for (const d of ['zones', 'policies', 'services', 'ipsets', 'icmptypes', 'helpers']) mkdirSync(etc(d), { recursive: true });
  // firewalld.conf without LogDenied: firewalld reads "off".
  writeFileSync(etc('firewalld.conf'), '# the image\'s own\nDefaultZone=public\n');
  // /etc copies of builtins (modified from the default or not) and objects of the admin's own.
  for (const f of ['zones/public.xml', 'policies/allow-host-ipv6.xml', 'services/ssh.xml', 'helpers/ftp.xml']) cpSync(path.join('/usr/lib/firewalld', f), etc(f));
  writeFileSync(etc('ipsets/blocked.xml'), '<?xml version="1.0" encoding="utf-8"?>\n<ipset type="hash:ip">\n  <entry>192.0.2.1</entry>\n  <entry>192.0.2.2</entry>\n</ipset>\n');
  writeFileSync(etc('icmptypes/mine.xml'), '<?xml version="1.0" encoding="utf-8"?>\n<icmptype>\n  <short>Mine</short>\n  <destination ipv4="yes"/>\n</icmptype>\n');
}

imageRuntimeForFile({ work, root, defaults: ['zones/public.xml', 'zones/work.xml', 'policies/allow-host-ipv6.xml', 'services/ssh.xml', 'services/dhcpv6-client.xml', 'helpers/ftp.xml', 'icmptypes/echo-request.xml'], restore, set: (r) => (rt = r) });


const NO_OPS: Array<[string, OfflineWriteOp | OfflineWriteOp[], string]> = [
  ['zone (its /etc file): a service already there', { op: 'zone.patch', name: 'public', patch: { add: { services: ['ssh'] } } }, 'zones/public.xml'],
  ['zone (a builtin only in /usr/lib): no /etc copy', { op: 'zone.patch', name: 'work', patch: { add: { services: ['ssh'] }, remove: { ports: [{ port: '9', protocol: 'tcp' }] } } }, 'zones/work.xml'],
  ['policy: its target and priority already so', { op: 'policy.patch', name: 'allow-host-ipv6', patch: { target: 'CONTINUE', priority: -15000 } }, 'policies/allow-host-ipv6.xml'],
  ['service: a port already there', { op: 'service.patch', name: 'ssh', patch: { add: { ports: [{ port: '22', protocol: 'tcp' }] } } }, 'services/ssh.xml'],
  ['ipset: an entry already there', { op: 'ipset.patch', name: 'blocked', patch: { addEntries: ['192.0.2.1'] } }, 'ipsets/blocked.xml'],
  ['icmptype: its short name and destination already so', { op: 'icmptype.patch', name: 'mine', patch: { short: 'Mine', addDestinations: ['ipv4'] } }, 'icmptypes/mine.xml'],
  ['helper: its module and port already so', { op: 'helper.patch', name: 'ftp', patch: { module: 'nf_conntrack_ftp', add: { ports: [{ port: '21', protocol: 'tcp' }] } } }, 'helpers/ftp.xml'],
  // A value already so is no change at all (apply.ts); set and set back is one firewalld reads as before.
  ['firewalld.conf: LogDenied set to all and back to the off firewalld reads without it', [{ op: 'conf.set', key: 'LogDenied', value: 'all' }, { op: 'conf.set', key: 'LogDenied', value: 'off' }], 'firewalld.conf'],
];

describe('a change that changes nothing writes nothing', () => {
  for (const [what, opOrOps, rel] of NO_OPS) {
    const ops = [opOrOps].flat();
    const op = ops[0]!;
    it(what, async () => {
      const helper = vi.spyOn(ImageTransport.prototype, 'helper');
      const before = treeHash(root);
      const dry = await rt.api.firewall.offlineWrite({ ops, dryRun: true });
      expect(dry.files).toEqual([]);
      const r = await rt.api.firewall.offlineWrite({ ops });
      expect(r.written).toBe(false);
      expect(r.files).toEqual([]);
      expect(r.unchanged?.map((u) => u.object)).toEqual([rel === 'firewalld.conf' ? 'firewalld.conf' : `${op.op.split('.')[0]} ${'name' in op ? op.name : ''}`]);
      expect(helper, 'no write and no backup asked of the helper').not.toHaveBeenCalled();
      expect(treeHash(root), 'bytes, inodes, mtimes and the tree as they were').toBe(before);
      if (rel === 'zones/work.xml') expect(existsSync(etc(rel))).toBe(false);
    });
  }

  it('all of them in one request, and beside them a real change that is written alone', async () => {
    const before = treeHash(root);
    const r = await rt.api.firewall.offlineWrite({ ops: [...NO_OPS.flatMap(([, op]) => [op].flat()), { op: 'zone.patch', name: 'public', patch: { add: { ports: [{ port: '8080', protocol: 'tcp' }] } } }] });
    expect(r.files.map((f) => f.shown)).toEqual([etc('zones/public.xml')]);
    expect(r.unchanged?.length).toBe(NO_OPS.length - 1);
    expect(treeHash(root)).not.toBe(before);
  });

  it('the CLI says "unchanged", naming the file, and exits 0', async () => {
    const before = treeHash(root);
    const r = await runHostdeck(['firewall', 'edit', '--root', root, '--zone', 'public', '--add-service', 'ssh', '--set-log-denied', 'all', '--set-conf', 'LogDenied=off']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`unchanged ${etc('zones/public.xml')} (zone public): firewalld already reads it so; not written\nunchanged ${etc('firewalld.conf')} (firewalld.conf): firewalld already reads it so; not written\n`);
    expect(treeHash(root)).toBe(before);
  });
});
