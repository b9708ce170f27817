/**
 * Issue #16, the rest of the page offline: ICMP types and helpers created, edited, reset and
 * deleted on an image's Firewall page (Chromium, browser mode), and a zone of the admin's own
 * renamed with the policies and DefaultZone that name it. What the page saved is what
 * firewall-offline-cmd (in a private mount namespace over the image, never this machine's /etc)
 * prints. One app start for the file. Needs root (unshare -m), firewalld and util-linux.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../../support/e2e';
import { pagesOf } from '../../support/pages';
import { makeImage, type FirewallImage } from './support/image';
import { foc } from './support/offline-cmd';

describe('the firewall page edits ICMP types, helpers and zone names of an image', () => {
  let app: E2eApp;
  let image: FirewallImage | undefined;
  let root = '';
  let etc = '';

  beforeAll(async () => {
    // A zone of the admin's own that a policy and DefaultZone name (the rename test moves them with it).
    image = await makeImage('offline-kinds-e2e', {
      setup: [['--new-zone=lab'], ['--new-policy=labout'], ['--policy=labout', '--add-ingress-zone=lab'], ['--policy=labout', '--add-egress-zone=HOST']],
      defaultZone: 'lab',
    });
    ({ root, etc } = image);
    app = await openApp({ root });
    await app.page.goto(`${app.server.url}/#/firewall`);
    await pagesOf(app.page).firewall.offlineNotice.waitFor({ timeout: 30_000 });
  });
  afterAll(async () => {
    await app?.stop();
    image?.remove();
  });

  it('creates, edits, resets and deletes ICMP types as firewall-offline-cmd does', async () => {
    const { firewall, offlineKinds: kinds } = pagesOf(app.page);
    await firewall.openTab('ICMP types');
    await kinds.newIcmpTypeName.fill('my-icmp');
    await kinds.newIcmpType.click();
    await firewall.reviewChecked();
    expect(await firewall.offlineSaveFiles.textContent()).toMatch(/icmptypes\/my-icmp\.xml.*new-icmptype/);
    await firewall.saveReviewed();

    // Only IPv4, and a short name: --icmptype=my-icmp --remove-destination=ipv6 --set-short.
    await expect.poll(() => kinds.icmpTypeEditor.textContent(), { timeout: 20_000 }).toMatch(/ICMP type my-icmp.*own file/);
    await kinds.icmpTypeShort.fill('Mine');
    await kinds.icmpTypeIpv6.uncheck();
    await kinds.icmpTypeSave.click();
    await firewall.reviewChecked();
    expect(await firewall.offlineSaveFiles.textContent()).toMatch(/remove-destination ipv6.*set-short Mine/);
    await firewall.saveReviewed();
    expect(foc(etc, ['--info-icmptype=my-icmp'])).toMatch(/destination: ipv4\s*$/m);

    // A builtin edited becomes "modified from the default"; Reset removes the /etc copy.
    await kinds.icmpType('echo-request').click();
    await kinds.icmpTypeIpv4.uncheck();
    await kinds.icmpTypeSave.click();
    await firewall.reviewChecked();
    await firewall.saveReviewed();
    await expect.poll(() => kinds.icmpTypeEditor.textContent(), { timeout: 20_000 }).toMatch(/modified from the default/);
    await firewall.offlineReset.click();
    await firewall.reviewChecked();
    expect(await firewall.offlineSaveFiles.getAttribute('data-action')).toBe('delete');
    await firewall.saveReviewed();
    expect(existsSync(path.join(etc, 'icmptypes/echo-request.xml'))).toBe(false);

    // Delete of the admin's own: its file goes, firewall-offline-cmd no longer knows it.
    await kinds.icmpType('my-icmp').click();
    await kinds.deleteIcmpType.click();
    await firewall.reviewChecked();
    await firewall.saveReviewed();
    expect(foc(etc, ['--get-icmptypes']).split(/\s+/)).not.toContain('my-icmp');
  });

  it('creates a helper with module and family, adds a port, resets a builtin and refuses a bad module', async () => {
    const { firewall, offlineKinds: kinds } = pagesOf(app.page);
    await firewall.openTab('Helpers');
    await kinds.newHelperName.fill('my-ftp');
    // Not a conntrack module: said before anything is sent.
    await kinds.newHelperModule.fill('ftp');
    expect(await kinds.newHelper.isDisabled()).toBe(true);
    await kinds.newHelperModule.fill('nf_conntrack_ftp');
    await kinds.newHelperFamily.selectOption('ipv4');
    await kinds.newHelper.click();
    await firewall.reviewChecked();
    expect(await firewall.offlineSaveFiles.textContent()).toMatch(/new-helper --module=nf_conntrack_ftp --family=ipv4/);
    await firewall.saveReviewed();

    await expect.poll(() => kinds.helperEditor.textContent(), { timeout: 20_000 }).toMatch(/Helper my-ftp/);
    await kinds.helperPortInput.fill('2121');
    await kinds.addHelperPort.click();
    await kinds.helperSave.click();
    await firewall.reviewChecked();
    expect(await firewall.offlineSaveFiles.textContent()).toMatch(/add-port 2121\/tcp/);
    await firewall.saveReviewed();
    const info = foc(etc, ['--info-helper=my-ftp']);
    expect(info).toMatch(/family: ipv4/);
    expect(info).toMatch(/module: nf_conntrack_ftp/);
    expect(info).toMatch(/ports: 2121\/tcp\s*$/m);

    // The builtin ftp helper: a port added makes it modified; Reset brings back the default.
    await kinds.helper('ftp').click();
    await kinds.helperPortInput.fill('2100');
    await kinds.addHelperPort.click();
    await kinds.helperSave.click();
    await firewall.reviewChecked();
    await firewall.saveReviewed();
    expect(readFileSync(path.join(etc, 'helpers/ftp.xml'), 'utf8')).toContain('<port port="2100" protocol="tcp"/>');
    await expect.poll(() => kinds.helperEditor.textContent(), { timeout: 20_000 }).toMatch(/modified from the default/);
    await firewall.offlineReset.click();
    await firewall.reviewChecked();
    await firewall.saveReviewed();
    expect(existsSync(path.join(etc, 'helpers/ftp.xml'))).toBe(false);

    await kinds.helper('my-ftp').click();
    await kinds.deleteHelper.click();
    await firewall.reviewChecked();
    await firewall.saveReviewed();
    expect(existsSync(path.join(etc, 'helpers/my-ftp.xml'))).toBe(false);
  });

  it('renames a zone of its own with the policy and DefaultZone that name it; without them the save is refused, naming the policy', async () => {
    const { firewall, offlineKinds: kinds } = pagesOf(app.page);
    await firewall.openTab('Zones');
    // firewalld renames no builtin.
    await firewall.selectZone('public');
    expect(await kinds.zoneRename.count()).toBe(0);

    await firewall.selectZone('lab');
    await kinds.zoneRename.click();
    await kinds.zoneRenameName.fill('lab2');
    // Unticked, the rename alone leaves the policy naming a zone that is gone: refused with its file.
    await kinds.zoneRenameRefs.uncheck();
    await kinds.zoneRenameOk.click();
    await firewall.reviewChecked();
    expect(await firewall.offlineSaveRefused.count()).toBe(1);
    expect((await firewall.offlineSaveProblems.allTextContents()).join('\n')).toMatch(/policies\/labout\.xml|firewalld\.conf/);
    await firewall.offlineSaveCancel.click();
    expect(existsSync(path.join(etc, 'zones/lab.xml'))).toBe(true);

    await firewall.selectZone('lab');
    await kinds.zoneRename.click();
    await kinds.zoneRenameName.fill('lab2');
    expect(await kinds.zoneRenameRefs.isChecked()).toBe(true);
    expect(await kinds.zoneRenameForm.textContent()).toMatch(/policy labout.*default zone/);
    await kinds.zoneRenameOk.click();
    await firewall.reviewChecked();
    const files = (await firewall.offlineSaveFiles.allTextContents()).join('\n');
    expect(files).toMatch(/zones\/lab\.xml.*rename to lab2/);
    expect(files).toMatch(/zones\/lab2\.xml.*rename from lab/);
    await firewall.saveReviewed();

    expect(existsSync(path.join(etc, 'zones/lab.xml'))).toBe(false);
    expect(readFileSync(path.join(etc, 'firewalld.conf'), 'utf8')).toMatch(/^DefaultZone=lab2$/m);
    expect(foc(etc, ['--info-policy=labout'])).toMatch(/ingress-zones: lab2\s*$/m);
    // --check-config prints nothing and exits 0 when the configuration loads (foc throws otherwise).
    expect(() => foc(etc, ['--check-config'])).not.toThrow();
    await expect.poll(() => firewall.zoneEditor('lab2').count(), { timeout: 20_000 }).toBe(1);
    expect(app.pageErrors.filter((e) => !/status of 404|status of 409|status of 400|Failed to load resource/.test(e))).toEqual([]);
  });
});
