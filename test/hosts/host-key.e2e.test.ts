import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';
import { useFakeHostsConfig } from '../support/hosts-env';
import { pagesOf } from '../support/pages';

// A host that was reinstalled, in Chromium: HostDeck refuses it, shows the key it presents now,
// and "replace the key" swaps it in the known_hosts file ssh uses, then connects.
describe('a changed host key in the UI', () => {
  let fh: FakeHosts;
  let app: E2eApp;
  let env: ReturnType<typeof useFakeHostsConfig> | undefined;

  beforeAll(async () => {
    fh = await startFakeHosts([{ name: 'fake1', firewalld: false }]);
    env = useFakeHostsConfig(fh, ['fake1']);
    app = await openApp();
  });
  afterAll(async () => {
    await app?.stop();
    await fh?.stop();
    env?.restore();
  });

  it('shows the new fingerprint and replaces the key only on request', async () => {
    const { page } = app;
    const { shell, hosts } = pagesOf(page);
    const host = fh.hosts[0]!;
    const oldLine = host.knownHostsLine().trim();
    await host.changeHostKey();
    await shell.open('hosts');
    await hosts.host('fake1').check();
    await hosts.host('fake1').keyChanged.waitFor({ timeout: 30_000 });
    expect(await hosts.host('fake1').keyChanged.textContent()).toContain(`-f ${fh.knownHosts}`);
    expect(await hosts.host('fake1').newFingerprintShown()).toBe(host.fingerprint());
    expect(readFileSync(fh.knownHosts, 'utf8')).toContain(oldLine);
    await hosts.host('fake1').replaceKey();
    await hosts.host('fake1').rowIn('connected').waitFor({ timeout: 30_000 });
    const known = readFileSync(fh.knownHosts, 'utf8');
    expect(known).not.toContain(oldLine);
    expect(known).toContain(host.knownHostsLine().trim().split(' ').slice(1).join(' '));
    expect(app.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
