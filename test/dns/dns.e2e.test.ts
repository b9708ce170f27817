import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp, type E2eApp } from '../support/e2e';
import { pagesOf } from '../support/pages';

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
  const { shell, dns } = pagesOf(page);
  await shell.open('dns');
  await dns.lines.waitFor();
  const ns = dns.warning(5);
  await ns.first().waitFor();
  expect(await ns.first().getAttribute('data-code')).toBe('TOO_MANY_NAMESERVERS');
  const search = dns.warning(6, 'INLINE_COMMENT_SEARCH');
  await search.waitFor();
  expect(await search.textContent()).toContain('our');
  // The form and the raw text stay in sync: removing the 4th nameserver in the form clears its warning.
  await dns.form.getByRole('button', { name: 'remove' }).nth(3).click();
  await dns.warning(5, 'TOO_MANY_NAMESERVERS').waitFor({ state: 'detached' });
  expect(await dns.raw.inputValue()).not.toContain('192.0.2.4');
  // A 404 for a shell resource (favicon) is the shell's business; anything else is ours.
  expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
});

it('the fix button on the inline-comment warning moves the comment to its own line, nothing else; review shows the diff; save writes it', async () => {
  const { page } = app;
  const { dns } = pagesOf(page);
  const raw = dns.raw;
  const before = (await raw.inputValue()).split('\n');
  const n = before.findIndex((l) => l.startsWith('search ')) + 1;
  expect(before[n - 1]).toBe('search corp.example # our domain');
  const warning = dns.warning(n, 'INLINE_COMMENT_SEARCH');
  await warning.waitFor();
  const fix = dns.fix(n, 'INLINE_COMMENT_SEARCH');
  // The button's accessible name is its visible text.
  expect(await fix.textContent()).toBe(`Fix line ${n}`);
  await page.getByRole('button', { name: `Fix line ${n}`, exact: true }).click();
  await warning.waitFor({ state: 'detached' });
  const after = (await raw.inputValue()).split('\n');
  // The comment is kept, on its own line above the setting; every other line is as it was.
  expect(after).toEqual([...before.slice(0, n - 1), '# our domain', 'search corp.example', ...before.slice(n)]);

  // Review before save: the diff against the file on disk (the removed 4th nameserver and the fixed line).
  await dns.save();
  const diff = dns.diff;
  await diff.waitFor();
  expect(await diff.locator('[data-kind="del"]').allTextContents()).toEqual([expect.stringContaining('nameserver 192.0.2.4'), expect.stringContaining('search corp.example # our domain')]);
  expect(await diff.locator('[data-kind="add"]').allTextContents()).toEqual([expect.stringMatching(/# our domain$/), expect.stringMatching(/search corp\.example$/)]);
  await dns.write();
  await dns.saved.waitFor();
  expect(readFileSync(join(root, 'etc/resolv.conf'), 'utf8')).toBe(after.join('\n'));
  expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
});

it('the systemd-resolved panel shows a designed state (no resolved on this bus)', async () => {
  const { dns } = pagesOf(app.page);
  const panel = dns.resolved;
  await dns.resolvedState.waitFor();
  expect(await panel.textContent()).not.toContain('undefined');
});
