import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, type E2eApp } from '../support/e2e';

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

/** Every control marked as a write on the page now: disabled?, described by, the text it points at. */
async function writeControls(page: Page) {
  return page.locator('[data-write]').evaluateAll((els) =>
    els.map((el) => {
      const by = el.getAttribute('aria-describedby');
      const input = el instanceof HTMLButtonElement || el instanceof HTMLSelectElement || el instanceof HTMLInputElement ? el : el.querySelector('button, select, input');
      return {
        what: el.getAttribute('data-testid') ?? el.textContent?.trim() ?? el.tagName,
        disabled: !!(input as HTMLButtonElement | null)?.disabled || el.getAttribute('aria-disabled') === 'true',
        describedBy: by ? (document.getElementById(by)?.textContent ?? `(no element #${by})`) : null,
      };
    }),
  );
}

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
    await app.page.getByTestId('host-selector').waitFor();
  });
  afterAll(async () => {
    await app?.stop();
  });

  const open = async (host: string, page: 'firewall' | 'dns' | 'kernel') => {
    await app.page.getByTestId(`nav-${page}`).click();
    await app.page.getByTestId('host-selector').selectOption(host);
    await app.page.locator(`[data-testid="page-main"][data-host="${host}"][data-page="${page}"]`).waitFor();
  };

  it('on a snapshot every write control of every page is disabled and says why', async () => {
    const { page } = app;
    const seen: string[] = [];
    const check = async () => {
      const reason = await page.getByTestId('writes-off-reason').textContent();
      expect(reason).toMatch(/Nothing can be changed: a snapshot \(.*\) is a record of a host/);
      const controls = await writeControls(page);
      expect(controls.length).toBeGreaterThan(0);
      for (const c of controls) expect(c, c.what).toMatchObject({ disabled: true, describedBy: reason });
      seen.push(...controls.map((c) => c.what));
    };

    await open(full, 'kernel');
    await page.getByRole('tab', { name: /Profile, apply/ }).click();
    await page.getByTestId('kernel-profile-text').fill('vm.swappiness = 30');
    await check();

    await open(full, 'dns');
    await page.getByTestId('dns-path').waitFor({ timeout: 30_000 });
    // A draft may be written to look at its plan; only saving it is a write.
    await page.getByTestId('dns-new-ns').fill('192.0.2.77');
    await page.getByTestId('dns-new-ns').press('Enter');
    await page.getByTestId('dns-dirty').waitFor();
    await check();

    await open(full, 'firewall');
    await page.getByTestId('fw-zone-target').waitFor({ timeout: 30_000 });
    await check();
    // Items show without edit, remove or add controls.
    expect(await page.locator('[data-testid^="fw-add-"]').count()).toBe(0);
    await page.getByRole('tab', { name: /Global/ }).click();
    await page.getByTestId('fw-default-zone').waitFor();
    await check();

    for (const id of ['kernel-apply', 'kernel-profile-save', 'dns-save', 'fw-zone-target', 'fw-reload', 'fw-default-zone', 'fw-new-zone']) expect(seen).toContain(id);
  });

  it('features the host lacks are explained in place of their panel', async () => {
    const { page } = app;
    await open(sysctlOnly, 'firewall');
    expect(await page.getByTestId('missing-firewall').textContent()).toContain('The snapshot holds no firewall state.');
    expect(await page.getByTestId('fw-not-running').count()).toBe(0);
    expect(await page.getByTestId('fw-start').count()).toBe(0);

    await open(sysctlOnly, 'kernel');
    await page.getByRole('tab', { name: /probe vs table/ }).click();
    expect(await page.getByTestId('missing-freshNamespaceProbe').textContent()).toMatch(/No kernel to start a process on: a snapshot/);
  });

  it('on this machine, which takes changes, the same controls are enabled and nothing says changes are off', async () => {
    const { page } = app;
    await open('local', 'kernel');
    await page.getByRole('tab', { name: /Profile, apply/ }).click();
    await page.getByTestId('kernel-profile-text').fill('vm.swappiness = 30');
    const controls = await writeControls(page);
    expect(controls.map((c) => c.what)).toEqual(expect.arrayContaining(['kernel-apply', 'kernel-profile-save']));
    for (const c of controls) expect(c, c.what).toMatchObject({ disabled: false, describedBy: null });
    expect(await page.getByTestId('writes-off').count()).toBe(0);
    expect(app.pageErrors.filter((e) => !/status of 404|Failed to load resource/.test(e))).toEqual([]);
  });
});
