import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { defaultConfigDir } from '../../electron/hosts/config-dir';
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
        'web-03 ansible_host=192.0.2.12',
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
    const { shell, hosts } = pagesOf(page);
    await shell.open('hosts');
    await hosts.importInventory(join(work, 'fleet.ini'), 'all:!web-03');
    await hosts.importResult.waitFor({ timeout: 30_000 });
    expect(await hosts.importResult.textContent()).toContain('3 added, 0 updated, 1 skipped');
    expect(await hosts.importSkipped.textContent()).toMatch(/db-2.*ProxyCommand/);
    await hosts.host('web-01').row.waitFor();
    expect(await hosts.host('web-01').groups.textContent()).toBe('@web');
    expect(await hosts.host('web-02').become.textContent()).toContain('become root');
    expect(await hosts.host('web-03').row.count()).toBe(0);
    expect(await hosts.host('db-1').row.count()).toBe(1);
    await hosts.filterGroup('@web (2)');
    await expect.poll(() => hosts.host('db-1').row.count()).toBe(0);
    expect(await hosts.host('web-02').row.count()).toBe(1);
    const saved = JSON.parse(readFileSync(join(defaultConfigDir(), 'hosts.json'), 'utf8')) as { hosts: { id: string; destination: string }[] };
    expect(saved.hosts.map((h) => [h.id, h.destination])).toEqual([
      ['db-1', '192.0.2.20'],
      ['web-01', 'admin@192.0.2.10'],
      ['web-02', '192.0.2.11'],
    ]);
  });
});
