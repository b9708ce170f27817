import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { openApp, type E2eApp } from '../support/e2e';
import { pagesOf } from '../support/pages';

describe('help and about', () => {
  let app: E2eApp;
  beforeAll(async () => {
    app = await openApp({});
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('the masthead opens a dialog with the HostDeck version, how it runs, and where help is', async () => {
    const { page } = app;
    const { shell } = pagesOf(page);
    await shell.openAbout();
    await expect.poll(() => shell.aboutVersion.textContent()).toBe(pkg.version);
    expect(await shell.aboutDialog.textContent()).toContain('hostdeck --help');
    await shell.closeAbout();
    await shell.aboutDialog.waitFor({ state: 'detached' });
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
