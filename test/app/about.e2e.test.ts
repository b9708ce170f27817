import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { openApp, type E2eApp } from '../support/e2e';

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
    await page.getByRole('button', { name: 'Help and about HostDeck' }).click();
    await expect.poll(() => page.getByTestId('about-version').textContent()).toBe(pkg.version);
    expect(await page.getByTestId('about-dialog').textContent()).toContain('hostdeck --help');
    await page.getByTestId('about-close').click();
    await page.getByTestId('about-dialog').waitFor({ state: 'detached' });
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
