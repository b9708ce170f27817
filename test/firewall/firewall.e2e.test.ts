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
import { fw, fwRaw, lines } from './fw-cmd';

describe('firewall page (browser mode, real firewalld)', () => {
  let sb: FirewalldSandbox;
  let app: E2eApp;
  beforeAll(async () => {
    ({ sb, app } = await openFirewallPage());
  });
  afterAll(() => closeFirewallPage(app, sb));

  it('adds a port and a rich rule to a zone; firewall-cmd sees them', async () => {
    const { page } = app;
    await page.getByTestId('fw-zone-public').click();
    await page.getByTestId('fw-add-port-input').fill('8443');
    await page.getByTestId('fw-add-port-protocol').selectOption('udp');
    await page.getByTestId('fw-add-port').click();
    await page.getByTestId('fw-add-rich-rule').click();
    await page.getByTestId('fw-rich-rule-input').fill("rule family=ipv4 source address=192.0.2.0/24 service name=http log prefix='web ' limit value=3/minute accept");
    await page.getByTestId('fw-rich-rule-submit').click();
    await page.getByTestId('fw-apply-both').click();
    const rule = 'rule family="ipv4" source address="192.0.2.0/24" service name="http" log prefix="web " limit value="3/m" accept';
    await expect.poll(async () => lines(await fw(sb, '--zone=public', '--list-ports')).join(' '), { timeout: 15_000 }).toContain('8443/udp');
    expect(lines(await fw(sb, '--zone=public', '--list-rich-rules'))).toContain(rule);
    expect(await fw(sb, '--permanent', '--zone=public', '--list-ports')).toContain('8443/udp');
    expect(lines(await fw(sb, '--permanent', '--zone=public', '--list-rich-rules'))).toContain(rule);
    // The UI shows them in both columns.
    await page.locator(`[data-testid="fw-item-ports-runtime"][data-item="8443/udp"]`).waitFor();
    await page.locator(`[data-testid="fw-item-richRules-permanent"][data-item='${rule}']`).waitFor();
    // A long rule wraps inside the runtime column instead of running under the permanent one.
    const runtimeRule = await page.locator(`[data-testid="fw-item-richRules-runtime"][data-item='${rule}']`).boundingBox();
    const permanentColumn = await page.getByTestId('fw-richRules-permanent').boundingBox();
    expect(runtimeRule!.x + runtimeRule!.width).toBeLessThanOrEqual(permanentColumn!.x);
  });

  it('submits add forms with Enter and previews a rich rule in plain words', async () => {
    const { page } = app;
    await page.getByTestId('fw-zone-public').click();
    await page.getByTestId('fw-add-port-input').fill('8444');
    await page.getByTestId('fw-add-port-input').press('Enter');
    await page.locator('[data-testid="fw-item-ports-adding"]').filter({ hasText: /8444\/(tcp|udp)/ }).waitFor();
    await page.getByTestId('fw-add-rich-rule').click();
    await page.getByTestId('fw-rich-rule-element').selectOption('port');
    await page.getByTestId('fw-rich-rule-editor').getByLabel('Port', { exact: true }).fill('2222');
    await expect.poll(() => page.getByTestId('fw-rich-rule-input').inputValue()).toBe('rule port port="2222" protocol="tcp" accept');
    expect(await page.getByTestId('fw-rich-rule-plain').textContent()).toMatch(/^In plain words: Allow .*2222/);
    await page.getByTestId('fw-rich-rule-input').press('Enter');
    await page.locator('[data-testid="fw-item-richRules-adding"]').filter({ hasText: 'port="2222"' }).waitFor();
    await page.getByTestId('fw-discard').click();
    // Creating a zone: Enter in the name field; deleting asks first, and Escape cancels.
    await page.getByTestId('fw-new-zone-name').fill('hd-enter');
    await page.getByTestId('fw-new-zone-name').press('Enter');
    await page.getByTestId('fw-zone-hd-enter').waitFor({ timeout: 15_000 });
    expect(lines(await fw(sb, '--permanent', '--get-zones')).join(' ').split(' ')).toContain('hd-enter');
    await page.getByTestId('fw-zone-hd-enter').click();
    // Rename and Delete live in the zone's own header.
    const head = page.locator('[data-testid="fw-zone-editor"][data-zone="hd-enter"] .hd-fw-editor-head');
    await head.getByTestId('fw-rename-zone').click();
    await head.getByTestId('fw-rename-zone-input').fill('hd-renamed');
    await head.getByTestId('fw-rename-zone-save').click();
    await page.getByTestId('fw-zone-hd-renamed').waitFor({ timeout: 15_000 });
    await expect.poll(async () => lines(await fw(sb, '--permanent', '--get-zones')).join(' ').split(' '), { timeout: 10_000 }).toContain('hd-renamed');
    expect(lines(await fw(sb, '--permanent', '--get-zones')).join(' ').split(' ')).not.toContain('hd-enter');
    const renamedHead = page.locator('[data-testid="fw-zone-editor"][data-zone="hd-renamed"] .hd-fw-editor-head');
    await renamedHead.getByTestId('fw-delete-zone').click();
    await page.getByTestId('fw-confirm').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('fw-confirm').waitFor({ state: 'detached' });
    await renamedHead.getByTestId('fw-delete-zone').click();
    await page.getByTestId('fw-confirm-ok').click();
    await page.getByTestId('fw-zone-hd-renamed').waitFor({ state: 'detached', timeout: 15_000 });
    expect(lines(await fw(sb, '--permanent', '--get-zones')).join(' ').split(' ')).not.toContain('hd-renamed');
    // Built-in zones offer neither.
    await page.getByTestId('fw-zone-public').click();
    await page.locator('[data-testid="fw-zone-editor"][data-zone="public"]').waitFor();
    expect(await page.getByTestId('fw-delete-zone').count()).toBe(0);
  });

  it('keeps a minus sign in the rich-rule priority while typing, and checks the range on blur', async () => {
    const { page } = app;
    await page.getByTestId('fw-zone-public').click();
    await page.getByTestId('fw-add-rich-rule').click();
    const prio = page.getByTestId('fw-rich-rule-priority');
    await prio.fill('');
    await prio.pressSequentially('-');
    expect(await prio.inputValue()).toBe('-');
    await prio.pressSequentially('5');
    expect(await prio.inputValue()).toBe('-5');
    await expect.poll(() => page.getByTestId('fw-rich-rule-input').inputValue()).toBe('rule priority="-5" service name="ssh" accept');
    // Out of range: the text stays, blur shows why, and the rule cannot be staged.
    await prio.fill('40000');
    await prio.blur();
    expect(await prio.inputValue()).toBe('40000');
    await expect.poll(() => page.getByTestId('fw-rich-rule-editor').textContent()).toContain('between -32768 and 32767');
    expect(await page.getByTestId('fw-rich-rule-submit').isDisabled()).toBe(true);
    // A lone minus sign left behind is not a number: refused on blur, not turned into 0.
    await prio.fill('-');
    await prio.blur();
    expect(await prio.inputValue()).toBe('-');
    await page.getByTestId('fw-rich-rule-priority-error').waitFor();
    expect(await page.getByTestId('fw-rich-rule-submit').isDisabled()).toBe(true);
    await prio.fill('-32768');
    await prio.blur();
    expect(await page.getByTestId('fw-rich-rule-submit').isDisabled()).toBe(false);
    await page.getByTestId('fw-rich-rule-editor').getByRole('button', { name: 'Cancel' }).click();
  });

  it('keeps the Runtime/Permanent headings in view while a long zone scrolls', async () => {
    const { page } = app;
    await page.getByTestId('fw-zone-public').click();
    // Settings (the target) come last since issue 21: scrolling to them takes the first list out of view.
    await page.getByTestId('fw-zone-target').scrollIntoViewIfNeeded();
    // The zone's top (its services) has scrolled away, the column headings have not.
    await expect.poll(async () => (await page.getByTestId('fw-section-services').boundingBox())!.y).toBeLessThan(0);
    const heads = await page.getByTestId('fw-zone-colheads').boundingBox();
    expect(heads!.y).toBeGreaterThanOrEqual(0);
    expect(heads!.y + heads!.height).toBeLessThanOrEqual(860);
    const top = await page.getByTestId('fw-section-services').boundingBox();
    expect(heads!.y).toBeGreaterThan(top!.y);
    await page.getByTestId('fw-zone-colheads').getByText('Runtime (live)').waitFor();
  });

  it('shows a change made with firewall-cmd without a reload, marked runtime only', async () => {
    const { page } = app;
    await fw(sb, '--zone=public', '--add-service=imap');
    const item = page.locator('[data-testid="fw-item-services-runtime"][data-item="imap"]');
    await item.waitFor({ timeout: 10_000 });
    expect(await item.getAttribute('data-diff')).toBe('runtime-only');
    await fw(sb, '--zone=public', '--remove-service=imap');
    await item.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('refuses a bad port in the page, before anything is sent', async () => {
    const { page } = app;
    await page.getByTestId('fw-add-port-input').fill('99999');
    await expect.poll(() => page.getByTestId('fw-add-port-error').textContent()).toContain('"99999"');
    expect(await page.getByTestId('fw-add-port').isDisabled()).toBe(true);
    await page.getByTestId('fw-add-port-input').fill('');
  });

  it('safe apply reverts by itself when not confirmed', async () => {
    const { page } = app;
    await page.getByTestId('fw-zone-public').click();
    // Removing ssh from the default zone could cut off an admin: safe apply is the default.
    await page.locator('[data-testid="fw-item-services-runtime"][data-item="ssh"] button').click();
    await page.getByTestId('fw-risk').waitFor();
    expect(await page.getByTestId('fw-apply-runtime').isDisabled()).toBe(true);
    await page.getByTestId('fw-safe-seconds').fill('6');
    await page.getByTestId('fw-safe-apply').click();
    await page.getByTestId('fw-safe-apply-countdown').waitFor();
    await page.getByTestId('fw-safe-apply-confirm').waitFor();
    // However far down the admin has scrolled, the countdown and its Confirm stay on screen.
    await page.getByTestId('fw-section-sources').scrollIntoViewIfNeeded();
    await expect.poll(async () => {
      const box = await page.getByTestId('fw-safe-apply-confirm').boundingBox();
      return !!box && box.y >= 0 && box.y + box.height <= 860;
    }).toBe(true);
    await expect.poll(async () => lines(await fw(sb, '--zone=public', '--list-services')).join(' '), { timeout: 5_000 }).not.toMatch(/\bssh\b/);
    // Nobody confirms: ssh comes back by itself.
    await expect.poll(async () => (await fw(sb, '--zone=public', '--list-services')).split(/\s+/), { timeout: 20_000 }).toContain('ssh');
    await page.locator('[data-testid="fw-safe-apply-result"][data-status="reverted"]').waitFor({ timeout: 10_000 });
    expect((await fw(sb, '--permanent', '--zone=public', '--list-services')).split(/\s+/)).toContain('ssh');
  });

  it('creates a custom service; firewall-cmd --info-service shows it', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Services' }).click();
    await page.getByTestId('fw-new-service-name').fill('hd-web');
    await page.getByTestId('fw-new-service').click();
    await page.getByTestId('fw-service-hd-web').waitFor({ timeout: 15_000 });
    await page.getByTestId('fw-service-hd-web').click();
    await page.getByTestId('fw-service-editor').getByRole('heading', { name: 'Service hd-web' }).waitFor();
    await page.getByTestId('fw-add-service-port-input').fill('8081-8082');
    await page.getByTestId('fw-add-service-port').click();
    await page.getByTestId('fw-add-service-protocol-input').fill('gre');
    await page.getByTestId('fw-add-service-protocol').click();
    await page.getByTestId('fw-service-save').click();
    await expect
      .poll(async () => (await fwRaw(sb, '--permanent', '--info-service=hd-web')).stdout, { timeout: 15_000 })
      .toMatch(/ports: 8081-8082\/tcp\n[\s\S]*protocols: gre/);
  });

  it('creates an ipset and imports 1,000 entries from a file; firewall-cmd lists them', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'IP sets' }).click();
    await page.getByTestId('fw-new-ipset-name').fill('hd-block');
    await page.getByTestId('fw-new-ipset-type').selectOption('hash:net');
    await page.getByTestId('fw-new-ipset').click();
    await page.getByTestId('fw-ipset-editor').getByRole('heading', { name: 'ipset hd-block' }).waitFor({ timeout: 15_000 });
    const entries = Array.from({ length: 1000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    const file = `# blocklist\n${entries.join('\n')}\n`;
    await page.getByTestId('fw-ipset-file').setInputFiles({ name: 'blocklist.txt', mimeType: 'text/plain', buffer: Buffer.from(file) });
    await expect.poll(() => page.getByTestId('fw-ipset-parse').textContent()).toBe('1,000 valid, 0 invalid, 0 duplicate');
    await page.getByTestId('fw-ipset-add').click();
    await page.getByTestId('fw-ipset-report').waitFor({ timeout: 30_000 });
    const listed = lines(await fw(sb, '--permanent', '--ipset=hd-block', '--get-entries'));
    expect(listed).toHaveLength(1000);
    expect(new Set(listed)).toEqual(new Set(entries));
    expect(await fw(sb, '--permanent', '--info-ipset=hd-block')).toContain('type: hash:net');
    await expect.poll(() => page.getByTestId('fw-ipset-count').textContent(), { timeout: 10_000 }).toBe('1,000 of 1,000');
  });

  it('adds a forward port to a policy; firewall-cmd sees it in both layers', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Policies' }).click();
    await page.getByTestId('fw-policy-allow-host-ipv6').click();
    await page.getByTestId('fw-policy-forward-port-port').fill('8080');
    await page.getByTestId('fw-policy-forward-port-toport').fill('80');
    await page.getByTestId('fw-policy-forward-port').click();
    await page.getByTestId('fw-apply-both').click();
    const fwd = 'port=8080:proto=tcp:toport=80:toaddr=';
    await expect.poll(async () => lines(await fw(sb, '--policy=allow-host-ipv6', '--list-forward-ports')), { timeout: 15_000 }).toEqual([fwd]);
    expect(lines(await fw(sb, '--permanent', '--policy=allow-host-ipv6', '--list-forward-ports'))).toEqual([fwd]);
    await page.locator(`[data-testid="fw-item-policy-forwardPorts-runtime"][data-item="${fwd}"]`).waitFor({ timeout: 10_000 });
  });

  it('shows ICMP types and helpers read-only', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'ICMP types' }).click();
    await page.getByTestId('fw-icmptypes-filter').locator('input').fill('echo-req');
    await page.getByTestId('fw-icmptypes-echo-request').click();
    await expect.poll(() => page.getByTestId('fw-icmptype-destinations').textContent()).toMatch(/ipv4/);
    await page.getByRole('tab', { name: 'Helpers' }).click();
    await page.getByTestId('fw-helpers-ftp').click();
    expect(await page.getByTestId('fw-helper-module').textContent()).toBe('nf_conntrack_ftp');
    await page.getByTestId('fw-helper-ports').getByText('21').first().waitFor();
  });

  it('changing the default zone to drop defaults to safe apply and reverts by itself', async () => {
    const { page } = app;
    const confDefaultZone = () => /^DefaultZone=(.*)$/m.exec(readFileSync(join(sb.dir, 'etc/firewalld.conf'), 'utf8'))?.[1]?.trim();
    expect((await fw(sb, '--get-default-zone')).trim()).toBe('public');
    await page.getByRole('tab', { name: 'Global' }).click();
    await page.getByTestId('fw-default-zone').selectOption('drop');
    // drop has no ssh: the page offers safe apply as the primary action, with the reason.
    await page.getByTestId('fw-default-zone-risk').waitFor();
    expect(await page.getByTestId('fw-default-zone-risk').textContent()).toContain('The new default zone drop does not let SSH');
    expect((await page.getByTestId('fw-confirm-ok').textContent())?.trim()).toBe('Safe apply');
    await page.getByTestId('fw-default-zone-force').waitFor();
    await page.getByTestId('fw-default-zone-seconds').fill('6');
    await page.getByTestId('fw-confirm-ok').click();
    await page.getByTestId('fw-safe-apply-countdown').waitFor({ timeout: 10_000 });
    await expect.poll(async () => (await fw(sb, '--get-default-zone')).trim(), { timeout: 5_000 }).toBe('drop');
    await expect.poll(() => page.getByTestId('fw-default-zone').inputValue(), { timeout: 5_000 }).toBe('drop');
    // Nobody confirms: the host puts public back, in runtime and in firewalld.conf.
    await expect.poll(async () => (await fw(sb, '--get-default-zone')).trim(), { timeout: 20_000 }).toBe('public');
    await expect.poll(confDefaultZone, { timeout: 5_000 }).toBe('public');
    await page.locator('[data-testid="fw-safe-apply-result"][data-status="reverted"]').last().waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('fw-default-zone').inputValue(), { timeout: 10_000 }).toBe('public');
  });

  it('turns panic mode on after the typed confirmation, shows it, and off again', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Global' }).click();
    await page.getByTestId('fw-panic-on').click();
    await page.getByTestId('fw-confirm').waitFor();
    expect(await page.getByTestId('fw-confirm-ok').isDisabled()).toBe(true);
    await page.getByTestId('fw-confirm-typed').fill('PANIC');
    await page.getByTestId('fw-confirm-ok').click();
    await expect.poll(async () => (await fwRaw(sb, '--query-panic')).stdout.trim(), { timeout: 15_000 }).toBe('yes');
    await page.getByTestId('fw-panic-alert').waitFor({ timeout: 10_000 });
    await page.getByTestId('fw-panic-off').click();
    await expect.poll(async () => (await fwRaw(sb, '--query-panic')).stdout.trim(), { timeout: 15_000 }).toBe('no');
    await page.getByTestId('fw-panic-alert').waitFor({ state: 'detached', timeout: 10_000 });
  });
});
