import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { defaultConfigDir } from '../../electron/hosts/remote';
import { pagesOf } from '../support/pages';

// "Import inventory" on the Hosts page in Chromium: the real ansible-inventory reads an INI file,
// the page says what was added and what was skipped and why (a ProxyCommand), the groups show on
// each row and filter the table. Nothing is connected: the hosts are only saved.
describe('Import inventory on the Hosts page', () => {
  let app: E2eApp;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hostdeck-inventory-e2e-'));
    writeFileSync(
      join(work, 'fleet.ini'),
      [
        '[web]',
        'web-01 ansible_host=192.0.2.10 ansible_user=admin',
        'web-02 ansible_host=192.0.2.11 ansible_become=true',
        '[db]',
        'db-1 ansible_host=192.0.2.20',
        'db-2 ansible_host=192.0.2.21 ansible_ssh_common_args="-o ProxyCommand=id"',
        '',
      ].join('\n'),
    );
    app = await openApp();
  });
  afterAll(async () => {
    await app?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('imports, reports the refused host, shows and filters by group', async () => {
    const { page } = app;
    const { shell } = pagesOf(page);
    await shell.open('hosts');
    await page.getByTestId('hosts-import-toggle').getByRole('button', { name: 'Import inventory' }).click();
    await page.getByTestId('hosts-import-file').fill(join(work, 'fleet.ini'));
    await page.getByTestId('hosts-import-limit').fill('all:!db-1');
    await page.getByTestId('hosts-import').click();
    const result = page.getByTestId('hosts-import-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toContain('2 added, 0 updated, 1 skipped');
    expect(await page.getByTestId('hosts-import-skipped').textContent()).toMatch(/db-2.*ProxyCommand/);
    await page.getByTestId('host-row-web-01').waitFor();
    expect(await page.getByTestId('host-groups-web-01').textContent()).toBe('@web');
    expect(await page.getByTestId('host-become-web-02').textContent()).toContain('become root');
    expect(await page.getByTestId('host-row-db-1').count()).toBe(0);
    await page.getByTestId('hosts-groups').getByRole('button', { name: '@web (2)' }).click();
    expect(await page.getByTestId('host-row-web-02').count()).toBe(1);
    const saved = JSON.parse(readFileSync(join(defaultConfigDir(), 'hosts.json'), 'utf8')) as { hosts: { id: string; destination: string }[] };
    expect(saved.hosts.map((h) => [h.id, h.destination])).toEqual([
      ['web-01', 'admin@192.0.2.10'],
      ['web-02', '192.0.2.11'],
    ]);
  });
});
