import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { parse } from 'yaml';
import { openApp, type E2eApp } from '../support/e2e';
import { pagesOf, type DnsPage } from '../support/pages';

const pageErrors = (app: E2eApp) => app.pageErrors.filter((e) => !/status of 404/.test(e));

/** A scratch root with /etc (and resolv.conf when given), the app open on its DNS page once `ready` shows. */
async function openDnsPage(prefix: string, resolvConf: string | null, ready: (dns: DnsPage) => Locator): Promise<{ root: string; app: E2eApp }> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(root, 'etc'));
  if (resolvConf !== null) writeFileSync(join(root, 'etc/resolv.conf'), resolvConf);
  const app = await openApp({ root });
  const { shell, dns } = pagesOf(app.page);
  await shell.open('dns');
  await ready(dns).waitFor();
  return { root, app };
}

async function closeDnsPage(app: E2eApp | undefined, root: string): Promise<void> {
  await app?.stop();
  rmSync(root, { recursive: true, force: true });
}

describe('DNS page on a root without resolv.conf', () => {
  let root = '';
  let app: E2eApp;
  beforeAll(async () => {
    ({ root, app } = await openDnsPage('hostdeck-dns-ui-missing-', null, (dns) => dns.root));
  });
  afterAll(() => closeDnsPage(app, root));

  it('says the file is missing, what the resolver does instead, and creates it from the form', async () => {
    const { page } = app;
    const { dns } = pagesOf(page);
    const owner = dns.owner;
    await owner.waitFor();
    expect(await owner.getAttribute('data-kind')).toBe('missing');
    expect(await owner.textContent()).toContain('127.0.0.1');
    await dns.linesEmpty.waitFor();
    expect(await dns.saveButton.textContent()).toBe('Review and create');
    expect(await dns.saveButton.isDisabled()).toBe(true);
    // Enter in the "add nameserver" box adds it, like the Add button.
    await dns.addNameserver('192.0.2.53');
    await expect.poll(() => dns.raw.inputValue()).toBe('nameserver 192.0.2.53\n');
    await dns.dirty.waitFor();
    await dns.save();
    await page.getByText(`Create ${join(root, 'etc/resolv.conf')}`).waitFor();
    await dns.write();
    await dns.saved.waitFor();
    expect(existsSync(join(root, 'etc/resolv.conf'))).toBe(true);
    expect(readFileSync(join(root, 'etc/resolv.conf'), 'utf8')).toBe('nameserver 192.0.2.53\n');
    expect(pageErrors(app)).toEqual([]);
  });
});

describe('DNS query plans in the UI', () => {
  let root = '';
  let app: E2eApp;
  beforeAll(async () => {
    ({ root, app } = await openDnsPage('hostdeck-dns-ui-plan-', '# hand written\r\nnameserver 192.0.2.1\nsearch corp.example lab.example\noptions ndots:5\n', (dns) => dns.lines));
  });
  afterAll(() => closeDnsPage(app, root));

  it('marks a Windows line ending visibly on its line', async () => {
    const line = pagesOf(app.page).dns.line(1);
    expect(await line.locator('.hd-dns-cr').count()).toBe(1);
    expect(await pagesOf(app.page).dns.line(2).locator('.hd-dns-cr').count()).toBe(0);
  });

  it('lists the host queries in order with their reasons and the packet count; Enter runs it', async () => {
    const { page } = app;
    const { dns } = pagesOf(page);
    await dns.planName.fill('api.example.com');
    await dns.planName.press('Enter');
    const result = dns.planResult;
    await result.waitFor();
    const names = await result.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(names).toEqual(['api.example.com.corp.example.', 'api.example.com.lab.example.', 'api.example.com.']);
    expect(await dns.planResultPackets.textContent()).toBe('6');
    expect(await dns.planResultAdvice.textContent()).toContain('trailing dot');
  });

  it('builds a pod resolv.conf with dnsConfig options and shows its plan and a parseable snippet', async () => {
    const { page } = app;
    const { dns } = pagesOf(page);
    await page.locator('#dns-mode-pod').click();
    await dns.podForm.waitFor();
    await dns.podOptions.fill('ndots:2');
    await dns.podRun.click();
    await dns.podResult.waitFor();
    const resolv = (await page.locator('#dns-pod-resolv-text').textContent()) ?? '';
    expect(resolv).toContain('nameserver 10.96.0.10');
    expect(resolv).toMatch(/options .*ndots:2/);
    const yaml = parse((await page.locator('#dns-pod-yaml-text').textContent()) ?? '') as { spec: { dnsConfig: { options: { name: string; value?: string }[] } } };
    expect(yaml.spec.dnsConfig.options).toContainEqual({ name: 'ndots', value: '2' });
    // ndots:2 and a name with two dots: asked as is first.
    const first = await dns.podPlan(0).locator('tbody tr').first().locator('td').nth(1).textContent();
    expect(first).toBe('api.example.com.');
    expect(pageErrors(app)).toEqual([]);
  });
});

describe('DNS editing: what glibc reads, musl packets, revert asks first', () => {
  let root = '';
  let app: E2eApp;
  const file = 'nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\nsearch corp.example.com # office domain\n';
  beforeAll(async () => {
    ({ root, app } = await openDnsPage('hostdeck-dns-ui-edit-', file, (dns) => dns.lines));
  });
  afterAll(() => closeDnsPage(app, root));

  it('the search field shows each domain glibc searches, the comment words marked as such', async () => {
    const { page } = app;
    const { dns } = pagesOf(page);
    const items = dns.searchSection.locator('li code');
    expect(await items.allTextContents()).toEqual(['corp.example.com', '#', 'office', 'domain']);
    expect(await dns.searchDomain(0).textContent()).not.toContain('comment word');
    expect(await dns.searchDomain(2).textContent()).toContain('comment word, searched as a domain');
    // Adding and removing a domain edits the effective search line.
    await dns.addSearchDomain('lab.example');
    await expect.poll(() => dns.raw.inputValue()).toContain('search corp.example.com # office domain lab.example\n');
    await page.getByRole('button', { name: 'Remove search domain lab.example' }).click();
    await expect.poll(() => dns.raw.inputValue()).toBe(file);
  });

  it('the musl plan counts the same packets in the rows as in the total (each query goes to all nameservers)', async () => {
    const { page } = app;
    const { dns } = pagesOf(page);
    await page.locator('#dns-plan-libc').selectOption('musl');
    await dns.planLookup('api.example.com');
    const result = dns.planResult;
    await result.waitFor();
    const rows = (await dns.planResultRowPackets.allTextContents()).map(Number);
    const total = Number(await dns.planResultPackets.textContent());
    expect(rows.every((r) => r === 6)).toBe(true);
    expect(rows.reduce((a, b) => a + b, 0)).toBe(total);
    expect(await result.locator('.hd-dns-plan-summary').textContent()).toContain('× 3 nameservers');
  });

  it('Revert asks before throwing edits away; leaving the page does not throw them away', async () => {
    const { page } = app;
    const { shell, dns, kernel } = pagesOf(page);
    await dns.editRaw(`${file}options ndots:2\n`);
    await dns.dirty.waitFor();
    // Leaving the page and coming back keeps the edit.
    await shell.open('kernel');
    await kernel.root.waitFor();
    await shell.open('dns');
    await dns.dirty.waitFor();
    expect(await dns.raw.inputValue()).toContain('ndots:2');
    await dns.revert();
    await dns.revertConfirm.waitFor();
    await dns.keepEditing();
    await dns.revertConfirm.waitFor({ state: 'detached' });
    expect(await dns.raw.inputValue()).toContain('ndots:2');
    await dns.revert();
    await dns.discardDraft();
    await expect.poll(() => dns.raw.inputValue()).toBe(file);
    expect(await dns.dirty.count()).toBe(0);
    expect(pageErrors(app)).toEqual([]);
  });
});
