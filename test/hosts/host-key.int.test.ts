import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';
import { runHostdeck } from '../support/cli';

// A host whose key changed, against real sshd: the first-contact prompt stays until the user
// answers it (background reads do not clear it), and "review and replace the key" edits the
// known_hosts file ssh really uses (the UserKnownHostsFile of the ssh config in force), never
// ~/.ssh/known_hosts, and only for the fingerprint the user reviewed.
describe('host keys that changed', () => {
  let fh: FakeHosts;
  let rt: Runtime;
  let configDir: string;
  // ssh reads the passwd entry's home, never $HOME: this user's own known_hosts must stay as it is.
  const userKnown = join(userInfo().homedir, '.ssh/known_hosts');
  const userKnownBefore = existsSync(userKnown) ? readFileSync(userKnown, 'utf8') : null;

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'fake1' }, { name: 'fake2' }]);
    configDir = mkdtempSync(join(tmpdir(), 'hostdeck-cfg-'));
    rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir } });
    await rt.api.hosts.add({ destination: 'fake1' });
    await rt.api.hosts.add({ destination: 'fake2' });
  });
  afterAll(async () => {
    await rt?.dispose();
    await fh?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
    expect(existsSync(userKnown) ? readFileSync(userKnown, 'utf8') : null).toBe(userKnownBefore);
  });

  it('the first-contact prompt of a re-keyed host stays while other calls try that host', async () => {
    const host = fh.hosts[1]!;
    await host.changeHostKey();
    // HostDeck sees the changed key first (and ends its connection), then the admin removes the old key.
    expect((await rt.api.hosts.check({ id: 'fake2' })).host.state).toBe('host-key-changed');
    fh.forget('fake2');
    const { host: first } = await rt.api.hosts.check({ id: 'fake2' });
    expect(first).toMatchObject({ state: 'host-key-unknown', fingerprint: host.fingerprint() });
    // What a page does in the background (the firewall status, a kernel list) on that host.
    await expect(rt.api.kernel.list({ k8s: '1.33' }, { host: 'fake2' })).rejects.toMatchObject({ code: 'HOST_KEY_UNKNOWN' });
    await rt.api.firewall.status({}, { host: 'fake2' }).catch(() => undefined);
    const { hosts } = await rt.api.hosts.list({});
    expect(hosts.find((h) => h.id === 'fake2')).toMatchObject({ state: 'host-key-unknown', fingerprint: host.fingerprint() });
    // Accepting it still works after that, and writes the key ssh will check.
    const { host: accepted } = await rt.api.hosts.acceptHostKey({ id: 'fake2', fingerprint: host.fingerprint() });
    expect(accepted.state).toBe('connected');
    expect(readFileSync(fh.knownHosts, 'utf8')).toContain(host.knownHostsLine().trim().split(' ').slice(1).join(' '));
  });

  it('a changed key names the known_hosts file ssh uses; replacing it needs the reviewed fingerprint and edits only that file', async () => {
    const host = fh.hosts[0]!;
    const oldLine = host.knownHostsLine().trim();
    await host.changeHostKey();
    const { host: changed } = await rt.api.hosts.check({ id: 'fake1' });
    expect(changed.state).toBe('host-key-changed');
    expect(changed.fingerprint).toBe(host.fingerprint());
    // The advice names the file in use (the test's UserKnownHostsFile), not ~/.ssh/known_hosts.
    expect(changed.message).toContain(`-f ${fh.knownHosts}`);
    expect(changed.message).not.toContain('.ssh/known_hosts');

    // A fingerprint other than the one the host presents is refused and changes nothing.
    const wrong = `SHA256:${'A'.repeat(43)}`;
    await expect(rt.api.hosts.replaceHostKey({ id: 'fake1', fingerprint: wrong })).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' });
    expect(readFileSync(fh.knownHosts, 'utf8')).toContain(oldLine);

    const { host: replaced } = await rt.api.hosts.replaceHostKey({ id: 'fake1', fingerprint: host.fingerprint() });
    expect(replaced.state).toBe('connected');
    const known = readFileSync(fh.knownHosts, 'utf8');
    expect(known).not.toContain(oldLine);
    expect(known).toContain(host.knownHostsLine().trim().split(' ').slice(1).join(' '));
    // The other host's key is untouched (and so is this user's ~/.ssh/known_hosts: see afterAll).
    expect(known).toContain(fh.hosts[1]!.knownHostsLine().trim().split(' ').slice(1).join(' '));
  });

  it('CLI: hosts check prints the replace-key command; hosts replace-key takes the reviewed fingerprint', async () => {
    const host = fh.hosts[0]!;
    await host.changeHostKey();
    const cfg = mkdtempSync(join(tmpdir(), 'hostdeck-cfg-cli-'));
    mkdirSync(join(cfg, 'hostdeck'));
    writeFileSync(join(cfg, 'hostdeck/hosts.json'), JSON.stringify({ version: 1, hosts: [{ id: 'fake1', destination: 'fake1' }] }));
    const env = { ssh: process.env.HOSTDECK_SSH_CONFIG, xdg: process.env.XDG_CONFIG_HOME };
    process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
    process.env.XDG_CONFIG_HOME = cfg;
    try {
      const refused = await runHostdeck(['hosts', 'check', 'fake1']);
      expect(refused.out + refused.err).toMatch(/different host key/);
      expect(refused.out + refused.err).toContain(`hostdeck hosts replace-key fake1 --accept ${host.fingerprint()}`);
      const r = await runHostdeck(['hosts', 'replace-key', 'fake1', '--accept', host.fingerprint()]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/connected/);
      expect(readFileSync(fh.knownHosts, 'utf8')).toContain(host.knownHostsLine().trim().split(' ').slice(1).join(' '));
    } finally {
      for (const [k, v] of [['HOSTDECK_SSH_CONFIG', env.ssh], ['XDG_CONFIG_HOME', env.xdg]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(cfg, { recursive: true, force: true });
    }
  });
});
