import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

it('the fix button on the inline-comment warning moves the comment to its own line, nothing else; review shows the diff; save writes it', async () => {
  const { page } = app;
  const raw = page.getByTestId('dns-raw');
  const before = (await raw.inputValue()).split('\n');
  const n = before.findIndex((l) => l.startsWith('search ')) + 1;
  expect(before[n - 1]).toBe('search corp.example # our domain');
  const warning = page.locator(`[data-testid="dns-warning-line-${n}"][data-code="INLINE_COMMENT_SEARCH"]`);
  await warning.waitFor();
  const fix = page.locator(`[data-testid="dns-fix-line-${n}"][data-code="INLINE_COMMENT_SEARCH"]`);
  // The button's accessible name is its visible text.
  expect(await fix.textContent()).toBe(`Fix line ${n}`);
  await page.getByRole('button', { name: `Fix line ${n}`, exact: true }).click();
  await warning.waitFor({ state: 'detached' });
  const after = (await raw.inputValue()).split('\n');
  // The comment is kept, on its own line above the setting; every other line is as it was.
  expect(after).toEqual([...before.slice(0, n - 1), '# our domain', 'search corp.example', ...before.slice(n)]);

  // Review before save: the diff against the file on disk (the removed 4th nameserver and the fixed line).
  await page.getByTestId('dns-save').click();
  const diff = page.getByTestId('dns-diff');
  await diff.waitFor();
  expect(await diff.locator('[data-kind="del"]').allTextContents()).toEqual([expect.stringContaining('nameserver 192.0.2.4'), expect.stringContaining('search corp.example # our domain')]);
  expect(await diff.locator('[data-kind="add"]').allTextContents()).toEqual([expect.stringMatching(/# our domain$/), expect.stringMatching(/search corp\.example$/)]);
  await page.getByTestId('dns-write').click();
  await page.getByTestId('dns-saved').waitFor();
  expect(readFileSync(join(root, 'etc/resolv.conf'), 'utf8')).toBe(after.join('\n'));
  expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
});

it('the systemd-resolved panel shows a designed state (no resolved on this bus)', async () => {
  const panel = app.page.getByTestId('dns-resolved');
  await panel.locator('[data-testid="dns-resolved-absent"], [data-testid="dns-resolved-table"], [data-testid="dns-resolved-empty"]').first().waitFor();
  expect(await panel.textContent()).not.toContain('undefined');
});
