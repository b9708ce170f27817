import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openApp, type E2eApp } from '../support/e2e';
import { pagesOf } from '../support/pages';

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
    await pagesOf(app.page).kernel.list.waitFor();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the column header and the current group visible while the list scrolls', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    const header = kernel.listHeader;
    const before = await header.boundingBox();
    await kernel.list.evaluate((e) => e.scrollTo(0, 6000));
    await expect.poll(async () => (await kernel.stickyGroup.textContent()) ?? '').not.toMatch(/^abi /);
    expect(await header.boundingBox()).toEqual(before);
    expect(await header.textContent()).toBe('KeyLive valueNamespaceKubernetesSet in');
    // The sticky bar names the group of the rows at the top of the view.
    const group = ((await kernel.stickyGroup.textContent()) ?? '').split(' ')[0]!;
    const firstVisible = await kernel.firstKeyInView();
    expect(firstVisible.startsWith(`${group}.`)).toBe(true);
    await kernel.list.evaluate((e) => e.scrollTo(0, 0));
  });

  it('works from the keyboard: / focuses search, Enter opens the first match, arrows move, Escape clears', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.root.locator('h1').click();
    await page.keyboard.press('/');
    const search = kernel.searchInput;
    await expect.poll(() => search.evaluate((e) => e === document.activeElement)).toBe(true);
    await page.keyboard.type('net.core.somaxconn');
    await page.keyboard.press('Enter');
    await kernel.detail.waitFor();
    expect(await kernel.row('net.core.somaxconn').getAttribute('aria-selected')).toBe('true');
    expect(await kernel.detailTarget.textContent()).toMatch(/^For Kubernetes 1\.33 on this host's kernel .*: a pod can set it only after the nodes allow it\.$/);
    expect(await kernel.detailErrors.textContent()).toContain('not allowlisted');
    await search.press('Escape');
    await expect.poll(() => search.inputValue()).toBe('');
    await search.fill('net.ipv4.tcp_keepalive_');
    await search.press('ArrowDown');
    await expect.poll(() => kernel.list.evaluate((e) => e === document.activeElement)).toBe(true);
    const selected = () => kernel.selectedKey();
    await expect.poll(selected).toBe('net.ipv4.tcp_keepalive_intvl');
    await page.keyboard.press('ArrowDown');
    await expect.poll(selected).toBe('net.ipv4.tcp_keepalive_probes');
    await page.keyboard.press('End');
    await expect.poll(selected).toBe('net.ipv4.tcp_keepalive_time');
    await page.keyboard.press('Home');
    await expect.poll(selected).toBe('net.ipv4.tcp_keepalive_intvl');
    await kernel.filter('');
  });

  it('a node-level key says plainly that a pod cannot set it', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.openDetail('vm.max_map_count');
    const answer = kernel.detailAnswer;
    await expect.poll(() => answer.getAttribute('data-tone')).toBe('danger');
    expect(await kernel.detailTarget.textContent()).toMatch(/: a pod cannot set it\.$/);
    expect(await answer.textContent()).toContain('Set it on the node');
  });

  it('shows a designed empty state, with a clear-filters action, when nothing matches', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.filter('no-such-key-anywhere');
    await kernel.noMatch.waitFor();
    await page.getByRole('button', { name: 'Clear search and filters' }).click();
    await kernel.list.waitFor();
    expect(await kernel.searchInput.inputValue()).toBe('');
  });

  it('explains an empty sysctl.d instead of showing empty headings', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await page.getByRole('tab', { name: /Configuration/ }).click();
    const empty = kernel.effectiveEmpty;
    await empty.waitFor();
    expect(await empty.textContent()).toContain('No sysctl.d files');
    expect(await empty.textContent()).toContain('/etc/sysctl.d');
    await page.getByRole('tab', { name: /Profile/ }).click();
    // An empty profile cannot be applied or exported: the buttons say so by being disabled.
    await kernel.profileText.waitFor();
    expect(await kernel.applyButton.isDisabled()).toBe(true);
    expect(await kernel.exportPod.isDisabled()).toBe(true);
    await kernel.writeProfile('net.ipv4.ip_local_port_range = 20000 30000');
    expect(await kernel.exportPod.isDisabled()).toBe(false);
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
    await pagesOf(app.page).kernel.list.waitFor();
    await app.page.getByRole('tab', { name: /Profile/ }).click();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const exportText = (title: string) => pagesOf(app.page).kernel.exportTextTitled(title).textContent();

  it('shows each problem of the profile in the export and exports each key once, to a correctly named file', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.writeProfile('vm.swapiness = 10\nnet.core.somaxconn = abc\nnet.core.somaxconn = 4096\nvm.max_map_count = 262144');
    await kernel.exportNode.click();
    const problems = kernel.exportProblems;
    await problems.waitFor();
    expect(await kernel.exportProblem('vm.swapiness').textContent()).toContain('did you mean vm.swappiness?');
    expect(await kernel.exportProblem('net.core.somaxconn').getAttribute('data-severity')).toBe('warning');
    const conf = await exportText('/etc/sysctl.d/90-hostdeck.conf');
    expect(conf).toContain('vm.max_map_count = 262144');
    expect(conf).not.toContain('swapiness');
    await page.getByRole('button', { name: 'Kubelet', exact: true }).click();
    await page.locator('[data-title="kubelet flags"]').waitFor({ state: 'attached' });
    const pod = (await exportText('Pod once the kubelet allows them'))!;
    expect(pod.match(/name: net\.core\.somaxconn/g)).toHaveLength(1);
    expect(pod).toContain('pod-security.kubernetes.io/enforce: privileged');
    expect(pod).toContain('sysctls.hostdeck.io/hostdeck: allowed');
    await kernel.closeExport();
  });

  it('a hostNetwork pod export says hostNetwork: true', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await page.locator('#kernel-hostnetwork').check({ force: true });
    await kernel.writeProfile('kernel.shm_rmid_forced = 1');
    await kernel.exportPod.click();
    await page.locator('[data-title="Pod"]').waitFor({ state: 'attached' });
    const pod = (await exportText('Pod'))!;
    expect(pod).toContain('hostNetwork: true');
    expect(pod).toContain('kind: Namespace');
    await kernel.closeExport();
  });

  it('offers the ACK secure-sandbox target, in the export and in the verdict next to runc', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await page.locator('#kernel-hostnetwork').uncheck({ force: true });
    await kernel.writeProfile('vm.max_map_count = 262144');
    await kernel.exportSandbox.click();
    await page.locator('[data-title="Pod (ACK secure sandbox)"]').waitFor({ state: 'attached' });
    const pod = (await exportText('Pod (ACK secure sandbox)'))!;
    expect(pod).toContain('securecontainer.alibabacloud.com/sysctls: vm.max_map_count=262144');
    expect(pod).toContain('runtimeClassName: runv');
    await kernel.closeExport();
    await page.getByRole('tab', { name: /Live parameters/ }).click();
    await kernel.openDetail('vm.max_map_count');
    await kernel.detailSandbox.waitFor();
    expect(await kernel.detailRunc.textContent()).toContain('a pod cannot set it');
    expect(await kernel.detailSandbox.getAttribute('data-allowed')).toBe('true');
    expect(await kernel.detailSandbox.textContent()).toContain('own kernel');
  });

  it('keeps the profile and the Kubernetes version across a reload', async () => {
    const { page } = app;
    const { kernel } = pagesOf(page);
    await kernel.k8sSelect.selectOption('1.30');
    await page.getByRole('tab', { name: /Profile/ }).click();
    // Typed and reloaded at once, without leaving the field.
    await kernel.writeProfile('vm.max_map_count = 262144\n# keep the search engine happy\nnet.core.somaxconn = 4096');
    await page.reload();
    await kernel.list.waitFor();
    expect(await kernel.k8sSelect.inputValue()).toBe('1.30');
    await page.getByRole('tab', { name: /Profile/ }).click();
    expect(await kernel.profileText.inputValue()).toBe('vm.max_map_count = 262144\nnet.core.somaxconn = 4096');
    expect(pageErrors(app)).toEqual([]);
  });

  it('one Kubernetes version for the session: Compare and its Markdown use the one chosen on the Kernel page', async () => {
    const { page } = app;
    const { shell, kernel, compare } = pagesOf(page);
    expect(await kernel.k8sSelect.inputValue()).toBe('1.30');
    writeFileSync(path.join(dir, 'node-a.txt'), 'net.core.somaxconn = 4096\nvm.swappiness = 60\n');
    writeFileSync(path.join(dir, 'node-b.txt'), 'net.core.somaxconn = 1024\nvm.swappiness = 60\n');
    await shell.open('compare');
    await compare.importSnapshots([path.join(dir, 'node-a.txt'), path.join(dir, 'node-b.txt')]);
    await compare.grid('sysctl').waitFor();
    const dl = await compare.exportMarkdown();
    expect(readFileSync((await dl.path())!, 'utf8')).toContain('Kubernetes verdicts for 1.30.');
    // Changing it on the Kernel page changes it for Compare too.
    await shell.open('kernel');
    await kernel.k8sSelect.selectOption('1.32');
    await shell.open('compare');
    const dl2 = await compare.exportMarkdown();
    expect(readFileSync((await dl2.path())!, 'utf8')).toContain('Kubernetes verdicts for 1.32.');
    expect(pageErrors(app)).toEqual([]);
  });
});
