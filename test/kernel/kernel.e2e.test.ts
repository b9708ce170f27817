import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { openApp, type E2eApp } from '../support/e2e';
import { copyProcSysWithValues } from './support/procsys-copy';
import { pagesOf } from '../support/pages';

describe('kernel page', () => {
  let app: E2eApp;
  beforeAll(async () => {
    app = await openApp({});
    await app.page.evaluate(() => {
      location.hash = '#/kernel';
    });
    await pagesOf(app.page).kernel.root.waitFor();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('searches a key and shows its Kubernetes verdict badge and detail', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.filter('ip_local_port_range');
    const row = kernel.row('net.ipv4.ip_local_port_range');
    await row.waitFor();
    await expect(kernel.verdict('net.ipv4.ip_local_port_range').textContent()).resolves.toBe('safe');
    await row.click();
    await kernel.detail.waitFor();
    await expect(kernel.detailPsa.textContent()).resolves.toBe('allowed');
    await kernel.filter('vm.max_map_count');
    await expect(kernel.verdict('vm.max_map_count').textContent()).resolves.toBe('node-level');
    // no CSP violations or script errors (the shell's own missing favicon is not ours)
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });

  it('the PodSecurity version and hostNetwork selectors feed the verdict and the detail panel', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.filter('ip_local_reserved_ports');
    await kernel.row('net.ipv4.ip_local_reserved_ports').click();
    await expect(kernel.detailPsa.textContent()).resolves.toBe('allowed');
    await kernel.psaSelect.selectOption('v1.26');
    await kernel.detailTarget.getByText(/PodSecurity v1\.26/).waitFor();
    await expect(kernel.detailPsa.textContent()).resolves.toBe('forbidden');
    await kernel.psaSelect.selectOption('');
    await page.locator('#kernel-hostnetwork').check({ force: true });
    await kernel.detailTarget.getByText(/hostNetwork pod: a pod cannot set it/).waitFor();
    await expect(kernel.detail.textContent()).resolves.toContain("may not be specified when 'hostNetwork' is true");
    await page.locator('#kernel-hostnetwork').uncheck({ force: true });
    await kernel.detailTarget.getByText(/: a pod can set it/).waitFor();
  });

  it('the probe tab compares a fresh namespace with the table (root)', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await page.getByRole('tab', { name: /probe vs table/ }).click();
    await kernel.probe.waitFor();
    await page.locator('#kernel-probe-disagree').uncheck({ force: true });
    await kernel.probe.locator('input[aria-label="Search probed keys"]').fill('net.core.somaxconn');
    await expect(kernel.probeRow('net.core.somaxconn').textContent()).resolves.toMatch(/^net\.core\.somaxconnnetnet$/);
    await page.getByRole('tab', { name: /Live parameters/ }).click();
  });
});

describe('kernel profile editor on a /proc/sys copy', () => {
  let app: E2eApp;
  let dir: string;
  let ps: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-kernel-e2e-'));
    ps = path.join(dir, 'proc-sys');
    copyProcSysWithValues(ps);
    for (const [rel, v] of [
      ['net/core/somaxconn', '4096'],
      ['vm/max_map_count', '65530'],
      ['net/ipv4/ip_local_port_range', '32768\t60999'],
      ['net/ipv4/tcp_keepalive_time', '7200'],
      ['vm/swappiness', '10'],
    ] as const) writeFileSync(path.join(ps, rel), `${v}\n`);
    mkdirSync(path.join(dir, 'etc/sysctl.d'), { recursive: true });
    app = await openApp({ procSys: ps, root: dir });
    await app.page.evaluate(() => {
      location.hash = '#/kernel';
    });
    await pagesOf(app.page).kernel.root.waitFor();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const PROFILE = ['net.ipv4.ip_local_port_range = 20000 30000', 'net.core.somaxconn = 1024', 'vm.max_map_count = 262144', 'net.ipv4.tcp_keepalive_time = 7200'].join('\n');

  it('labels a changed value with the basis of its default', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.filter('vm.swappiness');
    await expect(kernel.changed('vm.swappiness').getAttribute('data-basis')).resolves.toBe('documented');
    await page.locator('#kf-changed').check({ force: true });
    await kernel.filter('vm.max_map_count');
    await page.getByText('No parameter matches').waitFor(); // 65530 is the documented default
    await page.locator('#kf-changed').uncheck({ force: true });
    await kernel.row('vm.max_map_count').waitFor();
  });

  it('imports a TuneD [sysctl] section into the profile', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await page.getByRole('tab', { name: /Profile, apply/ }).click();
    await kernel.tunedImportOpen.click();
    await page.locator('#kernel-tuned-file').fill('[main]\nsummary=x\n[sysctl]\nvm.dirty_ratio=15 # comment\n');
    await kernel.tunedImportConfirm.click();
    await kernel.tunedImport.waitFor({ state: 'detached' });
    await expect(kernel.profileText.inputValue()).resolves.toBe('vm.dirty_ratio = 15');
  });

  it('shows what would change for a small profile', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.writeProfile(PROFILE);
    await kernel.checkProfile();
    await kernel.profileDiff.waitFor();
    const change = (k: string) => kernel.diff(k).getAttribute('data-change');
    await expect(change('net.ipv4.ip_local_port_range')).resolves.toBe('change');
    await expect(change('net.core.somaxconn')).resolves.toBe('change');
    await expect(change('vm.max_map_count')).resolves.toBe('change');
    await expect(change('net.ipv4.tcp_keepalive_time')).resolves.toBe('unchanged');
    await expect(kernel.diff('vm.max_map_count').textContent()).resolves.toContain('65530');
  });

  it('the Pod export holds only the safe keys (YAML parsed back), and says why the others went elsewhere', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.exportPod.click();
    await kernel.exportOutput.waitFor();
    const text = (await kernel.exportText(0).textContent()) ?? '';
    const pod = parse(text) as { kind: string; spec: { securityContext: { sysctls: { name: string; value: string }[] } } };
    expect(pod.kind).toBe('Pod');
    expect(pod.spec.securityContext.sysctls).toEqual([
      { name: 'net.ipv4.ip_local_port_range', value: '20000 30000' },
      { name: 'net.ipv4.tcp_keepalive_time', value: '7200' },
    ]);
    const why = (await kernel.exportPlacements.textContent()) ?? '';
    expect(why).toMatch(/net\.core\.somaxconn.*kubelet\+pod/);
    expect(why).toMatch(/vm\.max_map_count.*node/);
    await kernel.closeExport();
    await kernel.exportDialog.waitFor({ state: 'detached' });
  });

  it('Apply asks with what would change, writes the copy, and Undo restores it', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.planApply();
    await kernel.applyPlan.waitFor();
    await expect(kernel.planRow('vm.max_map_count').textContent()).resolves.toMatch(/65530.*262144.*changes/);
    await expect(kernel.confirmApplyButton.textContent()).resolves.toBe('Apply 3 changes');
    expect(readFileSync(path.join(ps, 'vm/max_map_count'), 'utf8')).toBe('65530\n'); // nothing written before confirming
    await kernel.confirmApply();
    await kernel.applyResult.waitFor();
    expect(readFileSync(path.join(ps, 'vm/max_map_count'), 'utf8')).toBe('262144\n');
    expect(readFileSync(path.join(ps, 'net/ipv4/ip_local_port_range'), 'utf8')).toBe('20000 30000\n');
    await kernel.undo();
    await kernel.undoResult.waitFor();
    expect(readFileSync(path.join(ps, 'vm/max_map_count'), 'utf8')).toBe('65530\n');
    expect(readFileSync(path.join(ps, 'net/ipv4/ip_local_port_range'), 'utf8')).toBe('32768\t60999\n');
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });

  it('What would change: a typo gets the likely key, a key set twice marks the line that has no effect', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.writeProfile('net.core.somaxcon = 8192\nnet.core.somaxconn = 2048\nvm.max_map_count = 262144\nnet.core.somaxconn = 1024');
    await kernel.checkProfile();
    await kernel.profileDiff.waitFor();
    await expect(kernel.diff('net.core.somaxcon').textContent()).resolves.toContain('does not exist on this host: did you mean net.core.somaxconn?');
    await expect(kernel.overridden('net.core.somaxconn').getAttribute('data-change')).resolves.toBe('overridden');
    await expect(kernel.overridden('net.core.somaxconn').textContent()).resolves.toContain('set again further down (= 1024)');
    await expect(kernel.diff('net.core.somaxconn').textContent()).resolves.toContain('this last one wins');
  });

  it('the Pod export names the keys it left out, and takes the namespace, pod name and image typed in', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.writeProfile(PROFILE);
    await kernel.exportPod.click();
    await kernel.exportOutput.waitFor();
    await expect(kernel.exportOmitted('net.core.somaxconn').getAttribute('data-goes-to')).resolves.toBe('kubelet');
    await expect(kernel.exportOmitted('vm.max_map_count').getAttribute('data-goes-to')).resolves.toBe('node');
    await kernel.exportNamespace.fill('shop');
    await kernel.exportPodName.fill('checkout');
    await kernel.exportImage.fill('registry.corp/shop/checkout:2.1');
    await kernel.exportImage.press('Enter');
    await expect.poll(async () => parse((await kernel.exportText(0).textContent()) ?? '') as unknown).toMatchObject({
      kind: 'Pod',
      metadata: { name: 'checkout', namespace: 'shop' },
      spec: { containers: [{ image: 'registry.corp/shop/checkout:2.1' }] },
    });
    await kernel.exportImage.fill('not an image');
    await kernel.exportImage.press('Enter');
    await expect.poll(async () => ((await kernel.exportError.count()) ? await kernel.exportError.textContent() : '')).toContain('The image "not an image" is not an image reference');
    await kernel.exportImage.fill('');
    await kernel.exportImage.press('Enter');
    await kernel.exportOutput.waitFor();
    await kernel.closeExport();
    await kernel.exportDialog.waitFor({ state: 'detached' });
  });

  it('after an automatic revert the outcome shown is the revert; the countdown is in view wherever the page is scrolled', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    writeFileSync(path.join(ps, 'net/core/somaxconn'), '4096\n');
    await kernel.writeProfile('net.core.somaxconn = 8192');
    await kernel.planApply();
    await kernel.applyPlan.waitFor();
    await page.locator('#kernel-apply-revert').check({ force: true });
    await kernel.applyRevertSeconds.fill('5');
    await kernel.confirmApply();
    const countdown = kernel.revertPending;
    await countdown.waitFor();
    expect(readFileSync(path.join(ps, 'net/core/somaxconn'), 'utf8')).toBe('8192\n');
    await page.evaluate(() => window.scrollTo(0, 0));
    const inView = async () => {
      const box = (await countdown.boundingBox())!;
      const vp = page.viewportSize()!;
      return box.y >= 0 && box.y + box.height <= vp.height;
    };
    expect(await inView()).toBe(true);
    await kernel.profileText.scrollIntoViewIfNeeded();
    expect(await inView()).toBe(true);
    // Not kept: the helper's timer restores 4096, and that is what the outcome says.
    await expect.poll(() => kernel.applyResult.getAttribute('data-final'), { timeout: 20_000 }).toBe('reverted');
    expect(readFileSync(path.join(ps, 'net/core/somaxconn'), 'utf8')).toBe('4096\n');
    const outcome = (await kernel.applyResult.textContent()) ?? '';
    expect(outcome).toMatch(/^.*Reverted: the value is back to what it was/);
    expect(outcome).not.toContain('1 applied');
    expect(await kernel.outcome('net.core.somaxconn').textContent()).toContain('back to 4096');
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
