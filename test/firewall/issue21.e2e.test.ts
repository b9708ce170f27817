/**
 * Issue 21 in the browser (Chromium, browser mode, a real firewalld in its sandbox), checked
 * with firewall-cmd: Runtime → permanent says first what becomes permanent (items other tools
 * added marked), rich rules and other items are edited in place as one pending change, the add
 * fields name their layer, a Differences view and tab counts, alerts that go away and a pending
 * bar that does not cover the form, and the keyboard (focus after safe apply, roving tab stops).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from '../support/e2e';
import type { FirewalldSandbox } from '../support/firewalld-sandbox';
import { closeFirewallPage, openFirewallPage } from '../support/firewall-page';
import { fw, lines } from './fw-cmd';

describe('issue 21: the firewall page', () => {
  let sb: FirewalldSandbox;
  let app: E2eApp;
  let config = '';
  const savedXdg = process.env.XDG_CONFIG_HOME;
  beforeAll(async () => {
    // Three saved hosts for the Compare picker (never contacted by these tests: port 1 refuses).
    config = mkdtempSync(join(tmpdir(), 'hostdeck-issue21-'));
    mkdirSync(join(config, 'hostdeck'));
    writeFileSync(join(config, 'hostdeck/hosts.json'), JSON.stringify({ version: 1, hosts: ['web1', 'web2', 'web3'].map((id) => ({ id, destination: 'root@127.0.0.1:1' })) }));
    process.env.XDG_CONFIG_HOME = config;
    ({ sb, app } = await openFirewallPage());
  });
  afterAll(async () => {
    await closeFirewallPage(app, sb);
    if (savedXdg === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = savedXdg;
    if (config) rmSync(config, { recursive: true, force: true });
  });

  it('Runtime → permanent lists what becomes permanent first, marking what another tool added', async () => {
    const { page } = app;
    await page.getByTestId('fw-zone-public').click();
    // One port through HostDeck, one with firewall-cmd, both at runtime only.
    await page.getByTestId('fw-add-port-input').fill('7001');
    await page.getByTestId('fw-add-port').click();
    await page.getByTestId('fw-apply-runtime').click();
    await page.locator('[data-testid="fw-item-ports-runtime"][data-item="7001/tcp"]').waitFor({ timeout: 15_000 });
    await fw(sb, '--zone=public', '--add-port=7002/tcp');
    await fw(sb, '--permanent', '--zone=public', '--add-service=imap');
    await page.locator('[data-testid="fw-item-ports-runtime"][data-item="7002/tcp"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="fw-item-services-permanent"][data-item="imap"]').waitFor({ timeout: 15_000 });

    await page.getByTestId('fw-runtime-to-permanent').click();
    await page.getByTestId('fw-r2p-effects').waitFor();
    const added = page.getByTestId('fw-r2p-added').getByTestId('fw-r2p-row');
    expect(await added.evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-item'), r.getAttribute('data-foreign')]))).toEqual([
      ['7001/tcp', 'false'],
      ['7002/tcp', 'true'],
    ]);
    expect(await page.getByTestId('fw-r2p-added').textContent()).toContain('port 7002/tcp in zone public');
    expect(await page.getByTestId('fw-r2p-foreign').textContent()).toMatch(/^1 of them HostDeck did not add/);
    expect(await page.getByTestId('fw-r2p-removed').textContent()).toContain('service imap in zone public');
    // Nothing happens before the admin confirms.
    expect(lines(await fw(sb, '--permanent', '--zone=public', '--list-ports'))).toEqual([]);
    await page.getByTestId('fw-confirm-ok').click();
    await expect.poll(async () => lines(await fw(sb, '--permanent', '--zone=public', '--list-ports')).join(' '), { timeout: 15_000 }).toBe('7001/tcp 7002/tcp');
    expect(await fw(sb, '--permanent', '--zone=public', '--list-services')).not.toContain('imap');
  });

  it('edits a rich rule and a port in place: one pending change each, and firewalld then has only the new ones', async () => {
    const { page } = app;
    const old = 'rule family="ipv4" source address="192.0.2.0/24" service name="http" accept';
    const now = 'rule family="ipv4" source address="198.51.100.0/24" service name="http" accept';
    await fw(sb, '--zone=public', `--add-rich-rule=${old}`);
    await fw(sb, '--permanent', '--zone=public', `--add-rich-rule=${old}`);
    await page.getByTestId('fw-zone-public').click();
    await page.locator(`[data-testid="fw-item-richRules-permanent"][data-item='${old}']`).waitFor({ timeout: 15_000 });
    // Present in both layers: one Edit, in the runtime column.
    expect(await page.locator(`[data-testid="fw-edit-richRules"][data-item='${old}']`).count()).toBe(1);
    await page.locator(`[data-testid="fw-edit-richRules"][data-item='${old}']`).click();
    expect(await page.getByTestId('fw-rich-rule-input').inputValue()).toBe(old);
    await page.getByTestId('fw-rich-rule-input').fill(now);
    await page.getByTestId('fw-rich-rule-submit').click();
    await page.locator('[data-testid="fw-edit-ports"][data-item="7002/tcp"]').click();
    await page.getByTestId('fw-add-port-input').fill('7003');
    await page.getByTestId('fw-add-port').click();
    await page.getByTestId('fw-applybar').getByRole('button', { name: /2 pending changes/ }).click();
    expect(await page.getByTestId('fw-applybar').locator('li').allTextContents()).toEqual([
      `Change rich rule: ${old} → ${now}`,
      'Change port 7002/tcp → 7003/tcp',
    ]);
    await page.getByTestId('fw-apply-both').click();
    await expect.poll(async () => lines(await fw(sb, '--zone=public', '--list-rich-rules')), { timeout: 15_000 }).toEqual([now]);
    expect(lines(await fw(sb, '--permanent', '--zone=public', '--list-rich-rules'))).toEqual([now]);
    expect(lines(await fw(sb, '--zone=public', '--list-ports')).join(' ')).toBe('7001/tcp 7003/tcp');
    expect(lines(await fw(sb, '--permanent', '--zone=public', '--list-ports')).join(' ')).toBe('7001/tcp 7003/tcp');
  });

  it('one Differences view lists every runtime vs permanent difference, the tabs count them, and the add fields say which layer they go to', async () => {
    const { page } = app;
    await fw(sb, '--permanent', '--new-ipset=hd-diff', '--type=hash:ip');
    await fw(sb, '--reload');
    await fw(sb, '--ipset=hd-diff', '--add-entry=192.0.2.9');
    await fw(sb, '--zone=public', '--add-port=7100/tcp');
    await fw(sb, '--permanent', '--zone=public', '--add-service=pop3');
    await expect.poll(() => page.getByTestId('fw-tab-zones-count').getAttribute('data-count', { timeout: 1000 }).catch(() => ''), { timeout: 15_000 }).toBe('2');
    await expect.poll(() => page.getByTestId('fw-tab-ipsets-count').getAttribute('data-count', { timeout: 1000 }).catch(() => ''), { timeout: 15_000 }).toBe('1');
    expect(await page.getByTestId('fw-tab-differences-count').getAttribute('data-count')).toBe('3');
    expect(await page.getByTestId('fw-tab-policies-count').count()).toBe(0);
    // The count is part of the tab's name for a screen reader too.
    expect(await page.getByRole('tab', { name: /Zones.*2.*differences between runtime and permanent/ }).count()).toBe(1);

    await page.getByRole('tab', { name: /Differences/ }).click();
    await page.getByTestId('fw-differences').waitFor();
    const rows = await page.getByTestId('fw-difference').evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-kind'), r.getAttribute('data-name'), r.getAttribute('data-side'), r.getAttribute('data-item')]));
    expect(rows).toEqual([
      ['zone', 'public', 'permanentOnly', 'pop3'],
      ['zone', 'public', 'runtimeOnly', '7100/tcp'],
      ['ipset', 'hd-diff', 'runtimeOnly', ''],
    ]);
    expect(await page.getByTestId('fw-differences').textContent()).toContain('entry 192.0.2.9');
    // Opening a row goes to the object.
    await page.getByRole('button', { name: /Open zone public \(port 7100\/tcp\)/ }).click();
    await page.locator('[data-testid="fw-zone-editor"][data-zone="public"]').waitFor();

    // The add fields sit under both columns; they say that they go to the pending changes and where those go.
    const described = await page.getByTestId('fw-add-port-input').evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '');
    expect(described).toMatch(/pending changes.*runtime, to permanent or to both/);
    await fw(sb, '--permanent', '--zone=public', '--remove-service=pop3');
    await fw(sb, '--permanent', '--delete-ipset=hd-diff');
    await fw(sb, '--reload');
    await page.getByTestId('fw-tab-differences-count').waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('at 1024×700 the pending bar never covers a focused field of the form', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      await page.getByTestId('fw-zone-public').click();
      // The tallest bar: a risky change (ssh out of the default zone) and the pending list open.
      await page.locator('[data-testid="fw-item-services-runtime"][data-item="ssh"] button').first().click();
      await page.getByTestId('fw-risk').waitFor();
      await page.getByTestId('fw-add-port-input').fill('8450');
      await page.getByTestId('fw-add-port').click();
      await page.getByTestId('fw-applybar').getByRole('button', { name: /2 pending changes/ }).click();
      const overlaps: string[] = [];
      for (const id of ['fw-zone-target', 'fw-add-service-input', 'fw-add-port-input', 'fw-add-protocol-input', 'fw-add-source-port-input', 'fw-add-icmp-block-input', 'fw-add-forward-port-port', 'fw-add-interface-input', 'fw-add-source-input']) {
        // Focus as the keyboard does (the browser scrolls it into view), then compare where things are painted.
        await page.getByTestId(id).focus();
        const [field, bar, heads] = await Promise.all([page.getByTestId(id), page.getByTestId('fw-applybar'), page.getByTestId('fw-zone-colheads')].map((l) => l.boundingBox()));
        const apart = (a: typeof field, b: typeof field) => a!.y + a!.height <= b!.y || b!.y + b!.height <= a!.y || a!.x + a!.width <= b!.x || b!.x + b!.width <= a!.x;
        if (!apart(field, bar)) overlaps.push(`${id} under the pending bar`);
        if (!apart(field, heads)) overlaps.push(`${id} under the column headings`);
      }
      expect(overlaps).toEqual([]);
    } finally {
      await page.getByTestId('fw-discard').click().catch(() => undefined);
      await page.setViewportSize({ width: 1360, height: 860 });
    }
  });

  it('after Safe apply the focus is on "Keep it"; the outcome then goes away by itself', async () => {
    const { page } = app;
    await page.getByTestId('fw-zone-public').click();
    await page.getByTestId('fw-add-port-input').fill('7200');
    await page.getByTestId('fw-add-port').click();
    await page.getByTestId('fw-safe-apply').click();
    await page.getByTestId('fw-safe-apply-banner').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('fw-safe-apply-confirm');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="fw-safe-apply-result"][data-status="confirmed"]').waitFor({ timeout: 15_000 });
    expect(lines(await fw(sb, '--zone=public', '--list-ports')).join(' ').split(' ')).toContain('7200/tcp');
    // "Keep it" is gone: the focus is on the outcome, not lost to the page body.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('fw-safe-apply-outcome');
    // Gone without anyone closing it (it used to stay for the whole session), and the focus moves to the page's heading.
    await page.getByTestId('fw-safe-apply-result').waitFor({ state: 'detached', timeout: 30_000 });
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    expect(await page.getByTestId('fw-notice-success').count()).toBe(0);
  });

  it('keyboard: the service field is a few Tabs from the page start (roving tab stops), arrows move in the zone list and the tabs', async () => {
    const { page } = app;
    await page.getByTestId('fw-zone-public').click();
    // Where "Skip to content" puts the focus.
    await page.locator('#hd-main-content').focus();
    let presses = 0;
    const trail: string[] = [];
    while (presses < 40 && !(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'fw-add-service-input'))) {
      await page.keyboard.press('Tab');
      presses++;
      trail.push(await page.evaluate(() => { const a = document.activeElement; return a?.getAttribute('data-testid') ?? a?.getAttribute('aria-label') ?? a?.outerHTML.slice(0, 80) ?? ''; }));
    }
    expect(presses, trail.join(' → ')).toBeLessThanOrEqual(8);

    // The zone list is one stop: arrows move, Enter opens.
    await page.getByTestId('fw-zone-public').focus();
    const zones = await page.locator('.hd-fw-list-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    const next = zones[zones.indexOf('fw-zone-public') + 1]!;
    expect(await page.locator('.hd-fw-list-item[tabindex="0"]').count()).toBe(1);
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(next);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId(next).getAttribute('aria-current')).toBe('true');
    // The tab bar is one stop: Right selects the next section.
    expect(await page.locator('[role="tab"][tabindex="0"]').count()).toBe(1);
    await page.getByRole('tab', { name: /Zones/ }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByRole('tab', { name: /Policies/ }).getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Policies/);
    await page.getByRole('tab', { name: /Zones/ }).click();
    await page.getByTestId('fw-zone-public').click();
  });

  it('the Compare "Add a host" picker adds only the host chosen with Enter, not every host the arrow keys pass', async () => {
    const { page } = app;
    await page.getByTestId('nav-compare').click();
    await page.getByTestId('compare-page').waitFor();
    await page.getByTestId('compare-add-host').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.getByTestId('compare-host').count()).toBe(0);
    const chosen = await page.getByTestId('compare-add-host').inputValue();
    expect(chosen).not.toBe('');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('compare-host').evaluateAll((hs) => hs.map((h) => h.getAttribute('data-host')))).toEqual([chosen]);
    // A mouse choice still adds at once.
    const other = await page.getByTestId('compare-add-host').locator('option:not([value=""])').first().getAttribute('value');
    await page.getByTestId('compare-add-host').selectOption(other!);
    await expect.poll(() => page.getByTestId('compare-host').count()).toBe(2);
    await page.getByTestId('nav-firewall').click();
    await page.getByTestId('fw-zone-public').waitFor();
  });

  it('pending changes belong to their host: another host does not show them, switching back finds them again', async () => {
    const { page } = app;
    await page.getByTestId('fw-zone-public').click();
    await page.getByTestId('fw-add-port-input').fill('7300');
    await page.getByTestId('fw-add-port').click();
    await page.locator('[data-testid="fw-item-ports-adding"][data-item="7300/tcp"]').waitFor();
    await page.getByTestId('fw-zone-public-pending').waitFor();

    // A second host: firewall-cmd --list-all-zones output of another machine, imported (read-only).
    const zones = join(config, 'zones.txt');
    writeFileSync(zones, ['public (active)', '  target: default', '  icmp-block-inversion: no', '  interfaces: eth0', '  sources: ', '  services: ssh http', '  ports: 8443/tcp', '  protocols: ',
      '  forward: yes', '  masquerade: no', '  forward-ports: ', '  source-ports: ', '  icmp-blocks: ', '  rich rules: ', ''].join('\n'));
    await page.getByTestId('nav-compare').click();
    await page.getByTestId('compare-import-input').setInputFiles([zones]);
    await expect.poll(() => page.getByTestId('host-selector').locator('option').allTextContents(), { timeout: 15_000 }).toContain('zones (read-only)');
    await page.getByTestId('host-selector').selectOption({ label: 'zones (read-only)' });
    await page.getByTestId('nav-firewall').click();
    await page.getByTestId('fw-zone-public').click();
    await page.locator('[data-testid="fw-item-ports-runtime"][data-item="8443/tcp"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="fw-item-ports-adding"]').count()).toBe(0);
    expect(await page.getByTestId('fw-applybar').count()).toBe(0);
    expect(await page.getByTestId('fw-zone-public-pending').count()).toBe(0);

    await page.getByTestId('host-selector').selectOption({ label: 'Local' });
    await page.getByTestId('nav-firewall').click();
    await page.getByTestId('fw-zone-public').click();
    await page.locator('[data-testid="fw-item-ports-adding"][data-item="7300/tcp"]').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('fw-applybar').getByRole('button', { name: /1 pending change/ }).count()).toBe(1);
    await page.getByTestId('fw-discard').click();
    await page.getByTestId('fw-zone-public-pending').waitFor({ state: 'detached' });
  });
});
