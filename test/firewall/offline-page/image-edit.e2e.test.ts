/**
 * Issue #16: the Firewall page edits an image's firewalld configuration (Chromium, browser mode):
 * a copied firewalld tree under a temp root is the host; a zone edited on the page and saved
 * to the files is what firewall-offline-cmd (in a private mount namespace over that image, never
 * this machine's /etc) lists; a file changed behind the page's back refuses the save (CONFLICT),
 * writes nothing, and the page's "Reload the files" lets the same staged change be saved after.
 * Needs root (unshare -m), firewalld and util-linux.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../../support/e2e';
import { pagesOf } from '../../support/pages';
import { makeImage, type FirewallImage } from './support/image';
import { foc } from './support/offline-cmd';

describe('the firewall page edits an image offline', () => {
  let app: E2eApp;
  let image: FirewallImage | undefined;
  let root = '';
  let etc = '';
  const zoneFile = () => readFileSync(path.join(etc, 'zones/public.xml'), 'utf8');

  beforeAll(async () => {
    // The image is the host: no bus, so its firewall is its files.
    image = await makeImage('offline-page-e2e');
    ({ root, etc } = image);
    app = await openApp({ root });
    await app.page.goto(`${app.server.url}/#/firewall`);
    await pagesOf(app.page).firewall.offlineNotice.waitFor({ timeout: 30_000 });
  });
  afterAll(async () => {
    await app?.stop();
    image?.remove();
  });

  it('saves a zone edited on the page to the files, and firewall-offline-cmd lists the change', async () => {
    const { firewall } = pagesOf(app.page);
    await firewall.selectZone('public');
    await firewall.addService('https');
    await firewall.addPort('8443');
    await firewall.addRichRule('rule family="ipv4" source address="192.0.2.0/24" service name="ssh" accept');
    await firewall.reviewSaveToFiles();
    // The dry run names the one file and its changes in firewall-cmd's words before anything is written.
    expect(await firewall.offlineSaveFiles.count()).toBe(1);
    const listed = await firewall.offlineSaveFiles.textContent();
    expect(listed).toMatch(/etc\/firewalld\/zones\/public\.xml/);
    expect(listed).toMatch(/add-service https.*add-port 8443\/tcp.*add-rich-rule/);
    expect(() => zoneFile()).toThrow();
    await firewall.saveReviewed();
    expect(await firewall.noticeSuccess.count()).toBeGreaterThan(0);

    const out = foc(etc, ['--zone=public', '--list-all']);
    expect(out).toMatch(/services: .*\bhttps\b/);
    expect(out).toMatch(/ports: .*\b8443\/tcp\b/);
    expect(out).toContain('rule family="ipv4" source address="192.0.2.0/24" service name="ssh" accept');
    // The page read the files again: the builtin is now modified from the default, with nothing pending.
    await expect.poll(() => firewall.zoneEditor('public').textContent(), { timeout: 20_000 }).toMatch(/modified from the default/);
    expect(await firewall.zonePending('public').count()).toBe(0);
  });

  it('refuses the save when the file changed behind its back (nothing written), and saves after "Reload the files"', async () => {
    const { firewall } = pagesOf(app.page);
    await firewall.selectZone('public');
    await firewall.addPort('9443');
    // Another tool writes the same zone after the page read it.
    foc(etc, ['--zone=public', '--add-port=7777/tcp']);
    const behind = zoneFile();
    await firewall.reviewSaveToFiles();
    expect(await firewall.offlineSaveConflict.textContent()).toMatch(/files changed since they were read.*Nothing was written/);
    expect(await firewall.offlineSaveOk.count()).toBe(0);
    expect(zoneFile()).toBe(behind);

    // Reload: the page shows the other tool's port, the staged one stays, and now it saves.
    await firewall.offlineSaveReload.click();
    await expect.poll(() => firewall.zoneEditor('public').textContent(), { timeout: 20_000 }).toContain('7777/tcp');
    await firewall.reviewSaveToFiles();
    await firewall.saveReviewed();
    expect(foc(etc, ['--zone=public', '--list-ports']).trim().split(/\s+/).sort()).toEqual(['7777/tcp', '8443/tcp', '9443/tcp']);

    // The modified builtin goes back to its default: the review says the /etc copy is removed, and it is.
    await firewall.offlineReset.click();
    await firewall.reviewChecked();
    expect(await firewall.offlineSaveFiles.count()).toBe(1);
    expect(await firewall.offlineSaveFiles.getAttribute('data-action')).toBe('delete');
    await firewall.saveReviewed();
    await expect.poll(() => existsSync(path.join(etc, 'zones/public.xml')), { timeout: 20_000 }).toBe(false);
    await expect.poll(() => firewall.zoneEditor('public').textContent(), { timeout: 20_000 }).toMatch(/default file/);
    expect(app.pageErrors.filter((e) => !/status of 404|status of 409|Failed to load resource/.test(e))).toEqual([]);
  });
});
