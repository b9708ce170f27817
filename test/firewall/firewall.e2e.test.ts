/**
 * The firewall page in browser mode against a real firewalld (sandbox), checked with firewall-cmd:
 * a port and a rich rule added in the UI reach firewalld; a change made with firewall-cmd shows
 * in the UI without reloading; safe apply reverts by itself when nobody confirms; a custom
 * service and an ipset with 1,000 imported entries created in the UI are what firewall-cmd
 * reports; a default zone without ssh goes through safe apply and comes back by itself; panic
 * mode goes on (typed confirmation) and off; ICMP types and helpers are shown.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from '../support/e2e';
import type { FirewalldSandbox } from '../support/firewalld-sandbox';
import { closeFirewallPage, openFirewallPage } from '../support/firewall-page';
import { fw, fwAll, fwRaw, lines } from './fw-cmd';
import { pagesOf } from '../support/pages';

describe('firewall page (browser mode, real firewalld)', () => {
  let sb: FirewalldSandbox;
  let app: E2eApp;
  beforeAll(async () => {
    ({ sb, app } = await openFirewallPage());
  });
  afterAll(() => closeFirewallPage(app, sb));

  it('adds a port and a rich rule to a zone; firewall-cmd sees them', async () => {
    const { page } = app;
    const { firewall, safeApply } = pagesOf(page);
    await firewall.selectZone('public');
    await firewall.addPort('8443', 'udp');
    await firewall.addRichRule("rule family=ipv4 source address=192.0.2.0/24 service name=http log prefix='web ' limit value=3/minute accept");
    await safeApply.applyBoth();
    const rule = 'rule family="ipv4" source address="192.0.2.0/24" service name="http" log prefix="web " limit value="3/m" accept';
    await expect.poll(async () => lines(await fw(sb, '--zone=public', '--list-ports')).join(' '), { timeout: 15_000 }).toContain('8443/udp');
    const [rich, permPorts, permRich] = await fwAll(sb, ['--zone=public', '--list-rich-rules'], ['--permanent', '--zone=public', '--list-ports'], ['--permanent', '--zone=public', '--list-rich-rules']);
    expect(lines(rich!)).toContain(rule);
    expect(permPorts).toContain('8443/udp');
    expect(lines(permRich!)).toContain(rule);
    // The UI shows them in both columns.
    await firewall.item('ports', 'runtime', '8443/udp').waitFor();
    await firewall.item('richRules', 'permanent', rule).waitFor();
    // A long rule wraps inside the runtime column instead of running under the permanent one.
    const runtimeRule = await firewall.item('richRules', 'runtime', rule).boundingBox();
    const permanentColumn = await firewall.column('richRules', 'permanent').boundingBox();
    expect(runtimeRule!.x + runtimeRule!.width).toBeLessThanOrEqual(permanentColumn!.x);
  });

  it('submits add forms with Enter and previews a rich rule in plain words', async () => {
    const { page } = app;
    const { firewall, safeApply } = pagesOf(page);
    await firewall.selectZone('public');
    await firewall.portInput.fill('8444');
    await firewall.portInput.press('Enter');
    await firewall.item('ports', 'adding').filter({ hasText: /8444\/(tcp|udp)/ }).waitFor();
    await firewall.openRichRuleEditor();
    await firewall.richRuleElement.selectOption('port');
    await firewall.richRuleEditor.getByLabel('Port', { exact: true }).fill('2222');
    await expect.poll(() => firewall.richRuleInput.inputValue()).toBe('rule port port="2222" protocol="tcp" accept');
    expect(await firewall.richRulePlain.textContent()).toMatch(/^In plain words: Allow .*2222/);
    await firewall.richRuleInput.press('Enter');
    await firewall.item('richRules', 'adding').filter({ hasText: 'port="2222"' }).waitFor();
    await safeApply.discard();
    // Creating a zone: Enter in the name field; deleting asks first, and Escape cancels.
    await firewall.createZone('hd-enter');
    await firewall.zone('hd-enter').waitFor({ timeout: 15_000 });
    expect(lines(await fw(sb, '--permanent', '--get-zones')).join(' ').split(' ')).toContain('hd-enter');
    await firewall.selectZone('hd-enter');
    // Rename and Delete live in the zone's own header.
    await firewall.renameZone('hd-enter', 'hd-renamed');
    await firewall.zone('hd-renamed').waitFor({ timeout: 15_000 });
    await expect.poll(async () => lines(await fw(sb, '--permanent', '--get-zones')).join(' ').split(' '), { timeout: 10_000 }).toContain('hd-renamed');
    expect(lines(await fw(sb, '--permanent', '--get-zones')).join(' ').split(' ')).not.toContain('hd-enter');
    await firewall.deleteZoneIn('hd-renamed').click();
    await firewall.confirmDialog.waitFor();
    await page.keyboard.press('Escape');
    await firewall.confirmDialog.waitFor({ state: 'detached' });
    await firewall.deleteZoneIn('hd-renamed').click();
    await firewall.confirm();
    await firewall.zone('hd-renamed').waitFor({ state: 'detached', timeout: 15_000 });
    expect(lines(await fw(sb, '--permanent', '--get-zones')).join(' ').split(' ')).not.toContain('hd-renamed');
    // Built-in zones offer neither.
    await firewall.selectZone('public');
    await firewall.zoneEditor('public').waitFor();
    expect(await firewall.deleteZoneButton.count()).toBe(0);
  });

  it('keeps a minus sign in the rich-rule priority while typing, and checks the range on blur', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    await firewall.selectZone('public');
    await firewall.openRichRuleEditor();
    const prio = firewall.richRulePriority;
    await prio.fill('');
    await prio.pressSequentially('-');
    expect(await prio.inputValue()).toBe('-');
    await prio.pressSequentially('5');
    expect(await prio.inputValue()).toBe('-5');
    await expect.poll(() => firewall.richRuleInput.inputValue()).toBe('rule priority="-5" service name="ssh" accept');
    // Out of range: the text stays, blur shows why, and the rule cannot be staged.
    await prio.fill('40000');
    await prio.blur();
    expect(await prio.inputValue()).toBe('40000');
    await expect.poll(() => firewall.richRuleEditor.textContent()).toContain('between -32768 and 32767');
    expect(await firewall.richRuleSubmit.isDisabled()).toBe(true);
    // A lone minus sign left behind is not a number: refused on blur, not turned into 0.
    await prio.fill('-');
    await prio.blur();
    expect(await prio.inputValue()).toBe('-');
    await firewall.richRulePriorityError.waitFor();
    expect(await firewall.richRuleSubmit.isDisabled()).toBe(true);
    await prio.fill('-32768');
    await prio.blur();
    expect(await firewall.richRuleSubmit.isDisabled()).toBe(false);
    await firewall.cancelRichRule();
  });

  it('keeps the Runtime/Permanent headings in view while a long zone scrolls', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    await firewall.selectZone('public');
    // Settings (the target) come last since issue 21: scrolling to them takes the first list out of view.
    await firewall.zoneTarget.scrollIntoViewIfNeeded();
    // The zone's top (its services) has scrolled away, the column headings have not.
    await expect.poll(async () => (await firewall.section('services').boundingBox())!.y).toBeLessThan(0);
    const heads = await firewall.columnHeads.boundingBox();
    expect(heads!.y).toBeGreaterThanOrEqual(0);
    expect(heads!.y + heads!.height).toBeLessThanOrEqual(860);
    const top = await firewall.section('services').boundingBox();
    expect(heads!.y).toBeGreaterThan(top!.y);
    await firewall.columnHeads.getByText('Runtime (live)').waitFor();
  });

  it('shows a change made with firewall-cmd without a reload, marked runtime only', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    await fw(sb, '--zone=public', '--add-service=imap');
    const item = firewall.item('services', 'runtime', 'imap');
    await item.waitFor({ timeout: 10_000 });
    expect(await item.getAttribute('data-diff')).toBe('runtime-only');
    await fw(sb, '--zone=public', '--remove-service=imap');
    await item.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('refuses a bad port in the page, before anything is sent', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    await firewall.portInput.fill('99999');
    await expect.poll(() => firewall.portError.textContent()).toContain('"99999"');
    expect(await firewall.addPortButton.isDisabled()).toBe(true);
    await firewall.portInput.fill('');
  });

  it('safe apply reverts by itself when not confirmed', async () => {
    const { page } = app;
    const { firewall, safeApply } = pagesOf(page);
    await firewall.selectZone('public');
    // Removing ssh from the default zone could cut off an admin: safe apply is the default.
    await firewall.removeButton('services', 'runtime', 'ssh').click();
    await safeApply.risk.waitFor();
    expect(await safeApply.applyRuntimeButton.isDisabled()).toBe(true);
    await safeApply.safeApply(6);
    await safeApply.countdown.waitFor();
    await safeApply.keepButton.waitFor();
    // However far down the admin has scrolled, the countdown and its Confirm stay on screen.
    await firewall.section('sources').scrollIntoViewIfNeeded();
    await expect.poll(async () => {
      const box = await safeApply.keepButton.boundingBox();
      return !!box && box.y >= 0 && box.y + box.height <= 860;
    }).toBe(true);
    // The outcome is shown for a few seconds only: watched from now on, checked after firewall-cmd.
    const outcome = safeApply.watchOutcome('zone public: remove services ssh');
    await expect.poll(async () => lines(await fw(sb, '--zone=public', '--list-services')).join(' '), { timeout: 5_000 }).not.toMatch(/\bssh\b/);
    // Nobody confirms: ssh comes back by itself.
    await expect.poll(async () => (await fw(sb, '--zone=public', '--list-services')).split(/\s+/), { timeout: 20_000 }).toContain('ssh');
    expect(await outcome).toMatchObject({ status: 'reverted' });
    expect((await fw(sb, '--permanent', '--zone=public', '--list-services')).split(/\s+/)).toContain('ssh');
  });

  it('creates a custom service; firewall-cmd --info-service shows it', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    await firewall.openTab('Services');
    await firewall.newServiceName.fill('hd-web');
    await firewall.newService.click();
    await firewall.service('hd-web').waitFor({ timeout: 15_000 });
    await firewall.service('hd-web').click();
    await firewall.serviceEditor.getByRole('heading', { name: 'Service hd-web' }).waitFor();
    await firewall.addServicePortInput.fill('8081-8082');
    await firewall.addServicePort.click();
    await firewall.addServiceProtocolInput.fill('gre');
    await firewall.addServiceProtocol.click();
    await firewall.serviceSave.click();
    await expect
      .poll(async () => (await fwRaw(sb, '--permanent', '--info-service=hd-web')).stdout, { timeout: 15_000 })
      .toMatch(/ports: 8081-8082\/tcp\n[\s\S]*protocols: gre/);
  });

  it('creates an ipset and imports 1,000 entries from a file; firewall-cmd lists them', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    await firewall.openTab('IP sets');
    await firewall.newIpsetName.fill('hd-block');
    await firewall.newIpsetType.selectOption('hash:net');
    await firewall.newIpset.click();
    await firewall.ipsetEditor.getByRole('heading', { name: 'ipset hd-block' }).waitFor({ timeout: 15_000 });
    const entries = Array.from({ length: 1000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    const file = `# blocklist\n${entries.join('\n')}\n`;
    await firewall.ipsetFile.setInputFiles({ name: 'blocklist.txt', mimeType: 'text/plain', buffer: Buffer.from(file) });
    await expect.poll(() => firewall.ipsetParse.textContent()).toBe('1,000 valid, 0 invalid, 0 duplicate');
    await firewall.ipsetAdd.click();
    await firewall.ipsetReport.waitFor({ timeout: 30_000 });
    const [entriesOut, info] = await fwAll(sb, ['--permanent', '--ipset=hd-block', '--get-entries'], ['--permanent', '--info-ipset=hd-block']);
    const listed = lines(entriesOut!);
    expect(listed).toHaveLength(1000);
    expect(new Set(listed)).toEqual(new Set(entries));
    expect(info).toContain('type: hash:net');
    await expect.poll(() => firewall.ipsetCount.textContent(), { timeout: 10_000 }).toBe('1,000 of 1,000');
  });

  it('adds a forward port to a policy; firewall-cmd sees it in both layers', async () => {
    const { page } = app;
    const { firewall, safeApply } = pagesOf(page);
    await firewall.openTab('Policies');
    await firewall.policyAllowHostIpv6.click();
    await firewall.policyForwardPortPort.fill('8080');
    await firewall.policyForwardPortToport.fill('80');
    await firewall.policyForwardPort.click();
    await safeApply.applyBoth();
    const fwd = 'port=8080:proto=tcp:toport=80:toaddr=';
    await expect.poll(async () => lines(await fw(sb, '--policy=allow-host-ipv6', '--list-forward-ports')), { timeout: 15_000 }).toEqual([fwd]);
    expect(lines(await fw(sb, '--permanent', '--policy=allow-host-ipv6', '--list-forward-ports'))).toEqual([fwd]);
    await firewall.item('policy-forwardPorts', 'runtime', fwd).waitFor({ timeout: 10_000 });
  });

  it('shows ICMP types and helpers read-only', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    await firewall.openTab('ICMP types');
    await firewall.icmptypesFilter.locator('input').fill('echo-req');
    await firewall.icmpType('echo-request').click();
    await expect.poll(() => firewall.icmptypeDestinations.textContent()).toMatch(/ipv4/);
    await firewall.openTab('Helpers');
    await firewall.helper('ftp').click();
    expect(await firewall.helperModule.textContent()).toBe('nf_conntrack_ftp');
    await firewall.helperPorts.getByText('21').first().waitFor();
  });

  it('changing the default zone to drop defaults to safe apply and reverts by itself', async () => {
    const { page } = app;
    const { firewall, safeApply } = pagesOf(page);
    const confDefaultZone = () => /^DefaultZone=(.*)$/m.exec(readFileSync(join(sb.dir, 'etc/firewalld.conf'), 'utf8'))?.[1]?.trim();
    expect((await fw(sb, '--get-default-zone')).trim()).toBe('public');
    await firewall.openTab('Global');
    await firewall.defaultZone.selectOption('drop');
    // drop has no ssh: the page offers safe apply as the primary action, with the reason.
    await firewall.defaultZoneRisk.waitFor();
    expect(await firewall.defaultZoneRisk.textContent()).toContain('The new default zone drop does not let SSH');
    expect((await firewall.confirmOk.textContent())?.trim()).toBe('Safe apply');
    await firewall.defaultZoneForce.waitFor();
    await firewall.defaultZoneSeconds.fill('6');
    await firewall.confirm();
    await safeApply.countdown.waitFor({ timeout: 10_000 });
    // The outcome is shown for a few seconds only: watched from now on, checked after firewall-cmd.
    const outcome = safeApply.watchOutcome('Default zone public → drop');
    await expect.poll(async () => (await fw(sb, '--get-default-zone')).trim(), { timeout: 5_000 }).toBe('drop');
    await expect.poll(() => firewall.defaultZone.inputValue(), { timeout: 5_000 }).toBe('drop');
    // Nobody confirms: the host puts public back, in runtime and in firewalld.conf.
    await expect.poll(async () => (await fw(sb, '--get-default-zone')).trim(), { timeout: 20_000 }).toBe('public');
    await expect.poll(confDefaultZone, { timeout: 5_000 }).toBe('public');
    expect(await outcome).toMatchObject({ status: 'reverted' });
    await expect.poll(() => firewall.defaultZone.inputValue(), { timeout: 10_000 }).toBe('public');
  });

  it('turns panic mode on after the typed confirmation, shows it, and off again', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    await firewall.openTab('Global');
    await firewall.panicOn.click();
    await firewall.confirmDialog.waitFor();
    expect(await firewall.confirmOk.isDisabled()).toBe(true);
    await firewall.confirmTyped.fill('PANIC');
    await firewall.confirm();
    await expect.poll(async () => (await fwRaw(sb, '--query-panic')).stdout.trim(), { timeout: 15_000 }).toBe('yes');
    await firewall.panicAlert.waitFor({ timeout: 10_000 });
    await firewall.panicOff.click();
    await expect.poll(async () => (await fwRaw(sb, '--query-panic')).stdout.trim(), { timeout: 15_000 }).toBe('no');
    await firewall.panicAlert.waitFor({ state: 'detached', timeout: 10_000 });
  });
});
