import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { pagesOf, type PageId } from '../support/pages';

/**
 * Issue #19 step 1, the UI part: write controls follow the host's capabilities. On an imported
 * snapshot (a record of a host: it takes no changes) every control marked as a write is
 * disabled and described by the host's own reason; features the host lacks are explained in
 * place of their panel. On this machine (it takes changes) the same controls are enabled.
 */
const ZONES = `public (default, active)
  target: default
  ingress-priority: 0
  egress-priority: 0
  icmp-block-inversion: no
  interfaces: eth0
  sources: 
  services: dhcpv6-client ssh
  ports: 8080/tcp
  protocols: 
  forward: yes
  masquerade: no
  forward-ports: 
  source-ports: 
  icmp-blocks: 
  rich rules: 
`;

describe('write controls follow the host capabilities', () => {
  let app: E2eApp;
  let full = '';
  let sysctlOnly = '';

  beforeAll(async () => {
    const sysctl = spawnSync('unshare', ['-n', 'sysctl', '-a'], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
    if (sysctl.status !== 0) throw new Error(`sysctl -a failed: ${sysctl.stderr}`);
    app = await openApp({});
    full = (
      await app.runtime.api.compare.import({
        files: [
          { name: 'web9-sysctl.txt', text: sysctl.stdout },
          { name: 'web9-resolv.conf', text: 'search web9.example.test\nnameserver 192.0.2.9\n' },
          { name: 'web9-zones.txt', text: ZONES },
        ],
      })
    ).host.id;
    sysctlOnly = (await app.runtime.api.compare.import({ files: [{ name: 'node-3.txt', text: sysctl.stdout }] })).host.id;
    await app.page.reload();
    await pagesOf(app.page).shell.hostPicker.waitFor();
  });
  afterAll(async () => {
    await app?.stop();
  });

  const open = async (host: string, page: Extract<PageId, 'firewall' | 'dns' | 'kernel'>) => {
    const { shell } = pagesOf(app.page);
    await shell.open(page);
    await shell.switchHost(host);
    await shell.mainOnHost(host, page).waitFor();
  };

  it('on a snapshot every write control of every page is disabled and says why', async () => {
    const { shell, kernel, dns, firewall } = pagesOf(app.page);
    const seen: string[] = [];
    const check = async () => {
      const reason = await shell.writesOffReason.textContent();
      expect(reason).toMatch(/Nothing can be changed: a snapshot \(.*\) is a record of a host/);
      const controls = await shell.writeControls();
      expect(controls.length).toBeGreaterThan(0);
      for (const c of controls) expect(c, c.what).toMatchObject({ disabled: true, describedBy: reason });
      seen.push(...controls.map((c) => c.what));
    };

    await open(full, 'kernel');
    await kernel.openTab(/Profile, apply/);
    await kernel.writeProfile('vm.swappiness = 30');
    await check();

    await open(full, 'dns');
    await dns.path.waitFor({ timeout: 30_000 });
    // A draft may be written to look at its plan; only saving it is a write.
    await dns.addNameserver('192.0.2.77');
    await dns.dirty.waitFor();
    await check();

    await open(full, 'firewall');
    await firewall.zoneTarget.waitFor({ timeout: 30_000 });
    await check();
    // Items show without edit, remove or add controls.
    expect(await firewall.addControls.count()).toBe(0);
    await firewall.openTab('Global');
    await firewall.defaultZone.waitFor();
    await check();

    for (const id of ['kernel-apply', 'kernel-profile-save', 'dns-save', 'fw-zone-target', 'fw-reload', 'fw-default-zone', 'fw-new-zone']) expect(seen).toContain(id);
  });

  it('features the host lacks are explained in place of their panel', async () => {
    const { shell, kernel, firewall } = pagesOf(app.page);
    await open(sysctlOnly, 'firewall');
    expect(await shell.missingFeature('firewall').textContent()).toContain('The snapshot holds no firewall state.');
    expect(await firewall.notRunning.count()).toBe(0);
    expect(await firewall.start.count()).toBe(0);

    await open(sysctlOnly, 'kernel');
    await kernel.openTab(/probe vs table/);
    expect(await shell.missingFeature('freshNamespaceProbe').textContent()).toMatch(/No kernel to start a process on: a snapshot/);
  });

  it('on this machine, which takes changes, the same controls are enabled and nothing says changes are off', async () => {
    const { shell, kernel } = pagesOf(app.page);
    await open('local', 'kernel');
    await kernel.openTab(/Profile, apply/);
    await kernel.writeProfile('vm.swappiness = 30');
    const controls = await shell.writeControls();
    expect(controls.map((c) => c.what)).toEqual(expect.arrayContaining(['kernel-apply', 'kernel-profile-save']));
    for (const c of controls) expect(c, c.what).toMatchObject({ disabled: false, describedBy: null });
    expect(await shell.writesOff.count()).toBe(0);
    expect(app.pageErrors.filter((e) => !/status of 404|Failed to load resource/.test(e))).toEqual([]);
  });
});
