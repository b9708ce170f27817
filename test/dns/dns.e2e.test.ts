import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp, type E2eApp } from '../support/e2e';

let root = '';
let app: E2eApp;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hostdeck-dns-e2e-'));
  mkdirSync(join(root, 'etc'));
  writeFileSync(
    join(root, 'etc/resolv.conf'),
    '# test file\nnameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\nnameserver 192.0.2.4\nsearch corp.example # our domain\noptions ndots:2\n',
  );
  app = await openApp({ root });
});
afterAll(async () => {
  await app?.stop();
  rmSync(root, { recursive: true, force: true });
});

it('shows the fourth nameserver and the inline comment as warnings on their lines', async () => {
  const { page } = app;
  await page.getByTestId('nav-dns').click();
  await page.getByTestId('dns-lines').waitFor();
  const ns = page.getByTestId('dns-warning-line-5');
  await ns.first().waitFor();
  expect(await ns.first().getAttribute('data-code')).toBe('TOO_MANY_NAMESERVERS');
  const search = page.locator('[data-testid="dns-warning-line-6"][data-code="INLINE_COMMENT_SEARCH"]');
  await search.waitFor();
  expect(await search.textContent()).toContain('our');
  // The form and the raw text stay in sync: removing the 4th nameserver in the form clears its warning.
  await page.getByTestId('dns-form').getByRole('button', { name: 'remove' }).nth(3).click();
  await page.locator('[data-testid="dns-warning-line-5"][data-code="TOO_MANY_NAMESERVERS"]').waitFor({ state: 'detached' });
  expect(await page.getByTestId('dns-raw').inputValue()).not.toContain('192.0.2.4');
  // A 404 for a shell resource (favicon) is the shell's business; anything else is ours.
  expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
});
