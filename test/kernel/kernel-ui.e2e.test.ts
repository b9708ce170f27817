import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openApp, type E2eApp } from '../support/e2e';

const pageErrors = (app: E2eApp) => app.pageErrors.filter((e) => !/status of 404/.test(e));

describe('kernel page usability (root with an empty sysctl.d)', () => {
  let app: E2eApp;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-kernel-ui-'));
    mkdirSync(path.join(dir, 'etc/sysctl.d'), { recursive: true });
    app = await openApp({ root: dir, procSys: '/proc/sys' });
    await app.page.evaluate(() => {
      location.hash = '#/kernel';
    });
    await app.page.getByTestId('kernel-list').waitFor();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the column header and the current group visible while the list scrolls', async () => {
    const { page } = app;
    const header = page.getByTestId('kernel-list-header');
    const before = await header.boundingBox();
    await page.getByTestId('kernel-list').evaluate((e) => e.scrollTo(0, 6000));
    await expect.poll(async () => (await page.getByTestId('kernel-sticky-group').textContent()) ?? '').not.toMatch(/^abi /);
    expect(await header.boundingBox()).toEqual(before);
    expect(await header.textContent()).toBe('KeyLive valueNamespaceKubernetesSet in');
    // The sticky bar names the group of the rows at the top of the view.
    const group = ((await page.getByTestId('kernel-sticky-group').textContent()) ?? '').split(' ')[0]!;
    const firstVisible = await page.getByTestId('kernel-list').evaluate((list) => {
      const top = list.getBoundingClientRect().top + 40;
      const rows = Array.from(list.querySelectorAll('[role="option"]')) as HTMLElement[];
      return rows.find((r) => r.getBoundingClientRect().top >= top)?.dataset.testid ?? '';
    });
    expect(firstVisible.replace('kernel-row-', '').startsWith(`${group}.`)).toBe(true);
    await page.getByTestId('kernel-list').evaluate((e) => e.scrollTo(0, 0));
  });

  it('works from the keyboard: / focuses search, Enter opens the first match, arrows move, Escape clears', async () => {
    const { page } = app;
    await page.getByTestId('kernel-page').locator('h1').click();
    await page.keyboard.press('/');
    const search = page.getByTestId('kernel-search').locator('input');
    await expect.poll(() => search.evaluate((e) => e === document.activeElement)).toBe(true);
    await page.keyboard.type('net.core.somaxconn');
    await page.keyboard.press('Enter');
    await page.getByTestId('kernel-detail').waitFor();
    expect(await page.getByTestId('kernel-row-net.core.somaxconn').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('kernel-detail-target').textContent()).toMatch(/^For Kubernetes 1\.33 on this host's kernel .*: a pod can set it only after the nodes allow it\.$/);
    expect(await page.getByTestId('kernel-detail-errors').textContent()).toContain('not allowlisted');
    await search.press('Escape');
    await expect.poll(() => search.inputValue()).toBe('');
    await search.fill('net.ipv4.tcp_keepalive_');
    await search.press('ArrowDown');
    await expect.poll(() => page.getByTestId('kernel-list').evaluate((e) => e === document.activeElement)).toBe(true);
    const selected = () => page.locator('[role="option"][aria-selected="true"]').getAttribute('data-testid');
    await expect.poll(selected).toBe('kernel-row-net.ipv4.tcp_keepalive_intvl');
    await page.keyboard.press('ArrowDown');
    await expect.poll(selected).toBe('kernel-row-net.ipv4.tcp_keepalive_probes');
    await page.keyboard.press('End');
    await expect.poll(selected).toBe('kernel-row-net.ipv4.tcp_keepalive_time');
    await page.keyboard.press('Home');
    await expect.poll(selected).toBe('kernel-row-net.ipv4.tcp_keepalive_intvl');
    await page.getByTestId('kernel-search').locator('input').fill('');
  });

  it('a node-level key says plainly that a pod cannot set it', async () => {
    const { page } = app;
    await page.getByTestId('kernel-search').locator('input').fill('vm.max_map_count');
    await page.getByTestId('kernel-search').locator('input').press('Enter');
    const answer = page.getByTestId('kernel-detail-answer');
    await expect.poll(() => answer.getAttribute('data-tone')).toBe('danger');
    expect(await page.getByTestId('kernel-detail-target').textContent()).toMatch(/: a pod cannot set it\.$/);
    expect(await answer.textContent()).toContain('Set it on the node');
  });

  it('shows a designed empty state, with a clear-filters action, when nothing matches', async () => {
    const { page } = app;
    await page.getByTestId('kernel-search').locator('input').fill('no-such-key-anywhere');
    await page.getByTestId('kernel-no-match').waitFor();
    await page.getByRole('button', { name: 'Clear search and filters' }).click();
    await page.getByTestId('kernel-list').waitFor();
    expect(await page.getByTestId('kernel-search').locator('input').inputValue()).toBe('');
  });

  it('explains an empty sysctl.d instead of showing empty headings', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: /Configuration/ }).click();
    const empty = page.getByTestId('kernel-effective-empty');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('No sysctl.d files');
    expect(await empty.textContent()).toContain('/etc/sysctl.d');
    await page.getByRole('tab', { name: /Profile/ }).click();
    // An empty profile cannot be applied or exported: the buttons say so by being disabled.
    await page.getByTestId('kernel-profile-text').waitFor();
    expect(await page.getByTestId('kernel-apply').isDisabled()).toBe(true);
    expect(await page.getByTestId('kernel-export-pod').isDisabled()).toBe(true);
    await page.getByTestId('kernel-profile-text').fill('net.ipv4.ip_local_port_range = 20000 30000');
    expect(await page.getByTestId('kernel-export-pod').isDisabled()).toBe(false);
    expect(pageErrors(app)).toEqual([]);
  });
});

describe('kernel exports a cluster accepts, and the profile survives a reload', () => {
  let app: E2eApp;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-kernel-export-'));
    mkdirSync(path.join(dir, 'etc/sysctl.d'), { recursive: true });
    app = await openApp({ root: dir, procSys: '/proc/sys' });
    await app.page.evaluate(() => {
      location.hash = '#/kernel';
    });
    await app.page.getByTestId('kernel-list').waitFor();
    await app.page.getByRole('tab', { name: /Profile/ }).click();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const exportText = (title: string) => app.page.locator(`[data-title="${title}"] [data-testid^="kernel-export-text-"]`).textContent();

  it('shows each problem of the profile in the export and exports each key once, to a correctly named file', async () => {
    const { page } = app;
    await page.getByTestId('kernel-profile-text').fill('vm.swapiness = 10\nnet.core.somaxconn = abc\nnet.core.somaxconn = 4096\nvm.max_map_count = 262144');
    await page.getByTestId('kernel-export-node').click();
    const problems = page.getByTestId('kernel-export-problems');
    await problems.waitFor();
    expect(await page.getByTestId('kernel-export-problem-vm.swapiness').textContent()).toContain('did you mean vm.swappiness?');
    expect(await page.getByTestId('kernel-export-problem-net.core.somaxconn').getAttribute('data-severity')).toBe('warning');
    const conf = await exportText('/etc/sysctl.d/90-hostdeck.conf');
    expect(conf).toContain('vm.max_map_count = 262144');
    expect(conf).not.toContain('swapiness');
    await page.getByRole('button', { name: 'Kubelet', exact: true }).click();
    await page.locator('[data-title="kubelet flags"]').waitFor({ state: 'attached' });
    const pod = (await exportText('Pod once the kubelet allows them'))!;
    expect(pod.match(/name: net\.core\.somaxconn/g)).toHaveLength(1);
    expect(pod).toContain('pod-security.kubernetes.io/enforce: privileged');
    expect(pod).toContain('sysctls.hostdeck.io/hostdeck: allowed');
    await page.getByTestId('kernel-export-close').click();
  });

  it('a hostNetwork pod export says hostNetwork: true', async () => {
    const { page } = app;
    await page.locator('#kernel-hostnetwork').check({ force: true });
    await page.getByTestId('kernel-profile-text').fill('kernel.shm_rmid_forced = 1');
    await page.getByTestId('kernel-export-pod').click();
    await page.locator('[data-title="Pod"]').waitFor({ state: 'attached' });
    const pod = (await exportText('Pod'))!;
    expect(pod).toContain('hostNetwork: true');
    expect(pod).toContain('kind: Namespace');
    await page.getByTestId('kernel-export-close').click();
  });

  it('offers the ACK secure-sandbox target, in the export and in the verdict next to runc', async () => {
    const { page } = app;
    await page.locator('#kernel-hostnetwork').uncheck({ force: true });
    await page.getByTestId('kernel-profile-text').fill('vm.max_map_count = 262144');
    await page.getByTestId('kernel-export-sandbox').click();
    await page.locator('[data-title="Pod (ACK secure sandbox)"]').waitFor({ state: 'attached' });
    const pod = (await exportText('Pod (ACK secure sandbox)'))!;
    expect(pod).toContain('securecontainer.alibabacloud.com/sysctls: vm.max_map_count=262144');
    expect(pod).toContain('runtimeClassName: runv');
    await page.getByTestId('kernel-export-close').click();
    await page.getByRole('tab', { name: /Live parameters/ }).click();
    await page.getByTestId('kernel-search').locator('input').fill('vm.max_map_count');
    await page.getByTestId('kernel-search').locator('input').press('Enter');
    await page.getByTestId('kernel-detail-sandbox').waitFor();
    expect(await page.getByTestId('kernel-detail-runc').textContent()).toContain('a pod cannot set it');
    expect(await page.getByTestId('kernel-detail-sandbox').getAttribute('data-allowed')).toBe('true');
    expect(await page.getByTestId('kernel-detail-sandbox').textContent()).toContain('own kernel');
  });

  it('keeps the profile and the Kubernetes version across a reload', async () => {
    const { page } = app;
    await page.getByTestId('kernel-k8s-select').selectOption('1.30');
    await page.getByRole('tab', { name: /Profile/ }).click();
    // Typed and reloaded at once, without leaving the field.
    await page.getByTestId('kernel-profile-text').fill('vm.max_map_count = 262144\n# keep the search engine happy\nnet.core.somaxconn = 4096');
    await page.reload();
    await page.getByTestId('kernel-list').waitFor();
    expect(await page.getByTestId('kernel-k8s-select').inputValue()).toBe('1.30');
    await page.getByRole('tab', { name: /Profile/ }).click();
    expect(await page.getByTestId('kernel-profile-text').inputValue()).toBe('vm.max_map_count = 262144\nnet.core.somaxconn = 4096');
    expect(pageErrors(app)).toEqual([]);
  });

  it('one Kubernetes version for the session: Compare and its Markdown use the one chosen on the Kernel page', async () => {
    const { page } = app;
    expect(await page.getByTestId('kernel-k8s-select').inputValue()).toBe('1.30');
    writeFileSync(path.join(dir, 'node-a.txt'), 'net.core.somaxconn = 4096\nvm.swappiness = 60\n');
    writeFileSync(path.join(dir, 'node-b.txt'), 'net.core.somaxconn = 1024\nvm.swappiness = 60\n');
    await page.getByTestId('nav-compare').click();
    await page.getByTestId('compare-import-input').setInputFiles([path.join(dir, 'node-a.txt'), path.join(dir, 'node-b.txt')]);
    await page.getByTestId('compare-grid-sysctl').waitFor();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('compare-export-md').click()]);
    expect(readFileSync((await dl.path())!, 'utf8')).toContain('Kubernetes verdicts for 1.30.');
    // Changing it on the Kernel page changes it for Compare too.
    await page.getByTestId('nav-kernel').click();
    await page.getByTestId('kernel-k8s-select').selectOption('1.32');
    await page.getByTestId('nav-compare').click();
    const [dl2] = await Promise.all([page.waitForEvent('download'), page.getByTestId('compare-export-md').click()]);
    expect(readFileSync((await dl2.path())!, 'utf8')).toContain('Kubernetes verdicts for 1.32.');
    expect(pageErrors(app)).toEqual([]);
  });
});
