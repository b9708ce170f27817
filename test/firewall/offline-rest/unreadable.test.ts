/**
 * A configuration file that cannot be read is named, never made to vanish (issue #16): an image
 * whose /etc/firewalld/services/ssh.xml is a FIFO (or whose read runs past its deadline, or
 * whose services directory cannot be listed) must not show the /usr/lib default of ssh as if it
 * applied, must say which file did not load (list, check), and every write that names ssh or
 * writes an object referring to it is refused naming that file, writing nothing, without a hang.
 * A write that does not depend on it still works. One image for the file, restored per case.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../../electron/api/runtime';
import { timeoutFacts } from '../../../electron/hosts/file-reader';
import { TreeTransport } from '../../../electron/hosts/tree-transport';
import { runHostdeck } from '../../support/cli';
import { imageRuntimeForFile } from '../../support/image-runtime';
import { treeHash } from './support/image';

const work = mkdtempSync(path.join(tmpdir(), 'hostdeck-ounr-'));
const root = path.join(work, 'root');
const SSH = path.join(root, 'etc/firewalld/services/ssh.xml');
let rt: Runtime;

function restore(): void {
  rmSync(path.join(root, 'etc'), { recursive: true, force: true });
  mkdirSync(path.join(root, 'etc/firewalld/services'), { recursive: true });
  mkdirSync(path.join(root, 'etc/firewalld/zones'), { recursive: true });
  writeFileSync(path.join(root, 'etc/firewalld/firewalld.conf'), 'DefaultZone=public\n');
  execFileSync('mkfifo', [SSH]);
}

// The public zone (it lists ssh and dhcpv6-client) and the services the cases use.
imageRuntimeForFile({ work, root, defaults: ['zones/public.xml', 'services/ssh.xml', 'services/dhcpv6-client.xml', 'services/http.xml'], restore, set: (r) => (rt = r) });


const edit = (...args: string[]) => runHostdeck(['firewall', 'edit', '--root', root, ...args]);
const sshFile = new RegExp(SSH.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));

describe('an /etc file that is a FIFO (the /usr/lib default exists)', () => {
  it('is not listed as the default, and list and check name the file and why', async () => {
    const list = await runHostdeck(['firewall', 'list', 'services', '--root', root]);
    expect(list.code).toBe(0);
    expect(list.out, 'the /usr/lib default of ssh is not shown as if it applied').not.toMatch(/^ssh$/m);
    expect(list.out).toMatch(/^http$/m);
    expect(list.err).toMatch(sshFile);
    expect(list.err).toMatch(/NOT_REGULAR.*not a regular file.*not listed/);
    const check = await runHostdeck(['firewall', 'check', '--root', root]);
    expect(check.code).toBe(1);
    expect(check.out).toMatch(new RegExp(`error: ${sshFile.source}: service ssh: NOT_REGULAR`));
    const state = await rt.api.firewall.state({});
    expect(state.offline!.problems.find((p) => p.element === 'service ssh')).toMatchObject({ file: SSH, code: 'NOT_REGULAR', severity: 'error' });
  });

  const refused: Array<[string, string[]]> = [
    ['adding the service to a zone', ['--zone', 'public', '--add-service', 'ssh']],
    ['a rich rule naming the service', ['--zone', 'public', '--add-rich-rule', 'rule family="ipv4" service name="ssh" accept']],
    ['changing the service', ['--service', 'ssh', '--add-port', '2222/tcp']],
    ['loading its defaults (the /usr/lib file must not silently apply)', ['--load-service-defaults', 'ssh']],
    ['changing a zone that lists the service', ['--zone', 'public', '--add-port', '8080/tcp']],
    ['a new service including it', ['--new-service', 'web', '--service', 'web', '--add-include', 'ssh']],
  ];
  for (const [what, args] of refused) {
    it(`refuses ${what}, naming the file and why, and writes nothing`, async () => {
      const before = treeHash(root);
      const r = await edit(...args);
      expect(r.code, r.out).not.toBe(0);
      expect(r.err).toMatch(sshFile);
      expect(r.err).toMatch(/NOT_REGULAR/);
      expect(r.err, 'not mistaken for a missing service').not.toMatch(/there is no service/);
      expect(r.err).toMatch(/nothing was written/);
      expect(treeHash(root)).toBe(before);
    });
  }

  it('still writes what does not depend on that file (a new zone)', async () => {
    const r = await edit('--new-zone', 'lab', '--zone', 'lab', '--add-service', 'http');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(path.join(root, 'etc/firewalld/zones'))).toEqual(['lab.xml']);
  });

  it('refuses through the op too (the page\'s save), naming the file', async () => {
    const before = treeHash(root);
    const e = await rt.api.firewall.offlineWrite({ ops: [{ op: 'zone.patch', name: 'public', patch: { add: { services: ['ssh'] } } }] }).then(() => null, (x: Error) => x);
    expect(e?.message).toMatch(sshFile);
    expect(treeHash(root)).toBe(before);
  });
});

describe('a read past its deadline', () => {
  /** The transport's answer when the file system does not answer in time (file-reader.ts timeoutFacts), for the paths `late` matches. */
  const hang = (late: RegExp) => {
    const real = TreeTransport.prototype.read;
    vi.spyOn(TreeTransport.prototype, 'read').mockImplementation(async function (this: TreeTransport, reqs) {
      const facts = await real.call(this, reqs);
      return facts.map((f, i) => (late.test(reqs[i]!.path) ? timeoutFacts(reqs[i]!, 10_000) : f));
    });
  };

  it('of the service file: refused naming it and TIMEOUT', async () => {
    rmSync(SSH);
    writeFileSync(SSH, '<?xml version="1.0" encoding="utf-8"?>\n<service>\n  <port port="22" protocol="tcp"/>\n</service>\n');
    hang(/services\/ssh\.xml$/);
    const before = treeHash(root);
    const r = await edit('--zone', 'public', '--add-service', 'ssh');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(sshFile);
    expect(r.err).toMatch(/TIMEOUT: .*no answer from the file system within 10000 ms/);
    expect(treeHash(root)).toBe(before);
  });

  it('of the /etc services directory: no write at all (a file there could replace any default), naming the directory', async () => {
    hang(/^\/etc\/firewalld\/services$/);
    const before = treeHash(root);
    const r = await edit('--new-zone', 'lab');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(new RegExp(`${path.join(root, 'etc/firewalld/services').replace(/[/.]/g, '\\$&')}: TIMEOUT`));
    expect(r.err).toMatch(/nothing was written/);
    expect(treeHash(root)).toBe(before);
    const list = await runHostdeck(['firewall', 'list', 'services', '--root', root]);
    expect(list.err).toMatch(/etc\/firewalld\/services: TIMEOUT/);
  });

  it('of firewalld.conf: no write (its DefaultZone and backend are unknown), naming it', async () => {
    hang(/firewalld\.conf$/);
    const before = treeHash(root);
    const r = await edit('--new-zone', 'lab');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/etc\/firewalld\/firewalld\.conf: TIMEOUT/);
    expect(treeHash(root)).toBe(before);
  });
});
