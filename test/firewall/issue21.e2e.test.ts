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
import { fw, fwAll, lines } from './fw-cmd';
import { hasFocus, pagesOf } from '../support/pages';

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
    const { firewall, safeApply } = pagesOf(page);
    await firewall.selectZone('public');
    // One port through HostDeck, one with firewall-cmd, both at runtime only.
    await firewall.addPort('7001');
    await safeApply.applyRuntime();
    await firewall.item('ports', 'runtime', '7001/tcp').waitFor({ timeout: 15_000 });
    await fwAll(sb, ['--zone=public', '--add-port=7002/tcp'], ['--permanent', '--zone=public', '--add-service=imap']);
    await firewall.item('ports', 'runtime', '7002/tcp').waitFor({ timeout: 15_000 });
    await firewall.item('services', 'permanent', 'imap').waitFor({ timeout: 15_000 });

    await firewall.runtimeToPermanent.click();
    await firewall.r2pEffects.waitFor();
    const added = firewall.r2pAddedRows;
    expect(await added.evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-item'), r.getAttribute('data-foreign')]))).toEqual([
      ['7001/tcp', 'false'],
      ['7002/tcp', 'true'],
    ]);
    expect(await firewall.r2pAdded.textContent()).toContain('port 7002/tcp in zone public');
    expect(await firewall.r2pForeign.textContent()).toMatch(/^1 of them HostDeck did not add/);
    expect(await firewall.r2pRemoved.textContent()).toContain('service imap in zone public');
    // Nothing happens before the admin confirms.
    expect(lines(await fw(sb, '--permanent', '--zone=public', '--list-ports'))).toEqual([]);
    await firewall.confirm();
    await expect.poll(async () => lines(await fw(sb, '--permanent', '--zone=public', '--list-ports')).join(' '), { timeout: 15_000 }).toBe('7001/tcp 7002/tcp');
    expect(await fw(sb, '--permanent', '--zone=public', '--list-services')).not.toContain('imap');
  });

  it('edits a rich rule and a port in place: one pending change each, and firewalld then has only the new ones', async () => {
    const { page } = app;
    const { firewall, safeApply } = pagesOf(page);
    const old = 'rule family="ipv4" source address="192.0.2.0/24" service name="http" accept';
    const now = 'rule family="ipv4" source address="198.51.100.0/24" service name="http" accept';
    await fwAll(sb, ['--zone=public', `--add-rich-rule=${old}`], ['--permanent', '--zone=public', `--add-rich-rule=${old}`]);
    await firewall.selectZone('public');
    await firewall.item('richRules', 'permanent', old).waitFor({ timeout: 15_000 });
    // Present in both layers: one Edit, in the runtime column.
    expect(await firewall.editItem('richRules', old).count()).toBe(1);
    await firewall.editItem('richRules', old).click();
    expect(await firewall.richRuleInput.inputValue()).toBe(old);
    await firewall.richRuleInput.fill(now);
    await firewall.richRuleSubmit.click();
    await firewall.editItem('ports', '7002/tcp').click();
    await firewall.addPort('7003');
    await safeApply.pendingToggle(2).click();
    expect(await safeApply.bar.locator('li').allTextContents()).toEqual([
      `Change rich rule: ${old} → ${now}`,
      'Change port 7002/tcp → 7003/tcp',
    ]);
    await safeApply.applyBoth();
    await expect.poll(async () => lines(await fw(sb, '--zone=public', '--list-rich-rules')), { timeout: 15_000 }).toEqual([now]);
    const [permRich, ports, permPorts] = await fwAll(sb, ['--permanent', '--zone=public', '--list-rich-rules'], ['--zone=public', '--list-ports'], ['--permanent', '--zone=public', '--list-ports']);
    expect(lines(permRich!)).toEqual([now]);
    expect(lines(ports!).join(' ')).toBe('7001/tcp 7003/tcp');
    expect(lines(permPorts!).join(' ')).toBe('7001/tcp 7003/tcp');
  });

  it('one Differences view lists every runtime vs permanent difference, the tabs count them, and the add fields say which layer they go to', async () => {
    const { page } = app;
    const { firewall } = pagesOf(page);
    await fwAll(
      sb,
      ['--permanent', '--new-ipset=hd-diff', '--type=hash:ip'],
      ['--reload'],
      ['--ipset=hd-diff', '--add-entry=192.0.2.9'],
      ['--zone=public', '--add-port=7100/tcp'],
      ['--permanent', '--zone=public', '--add-service=pop3'],
    );
    await expect.poll(() => firewall.tabCount('zones').getAttribute('data-count', { timeout: 1000 }).catch(() => ''), { timeout: 15_000 }).toBe('2');
    await expect.poll(() => firewall.tabCount('ipsets').getAttribute('data-count', { timeout: 1000 }).catch(() => ''), { timeout: 15_000 }).toBe('1');
    expect(await firewall.tabCount('differences').getAttribute('data-count')).toBe('3');
    expect(await firewall.tabCount('policies').count()).toBe(0);
    // The count is part of the tab's name for a screen reader too.
    expect(await page.getByRole('tab', { name: /Zones.*2.*differences between runtime and permanent/ }).count()).toBe(1);

    await page.getByRole('tab', { name: /Differences/ }).click();
    await firewall.differences.waitFor();
    const rows = await firewall.difference.evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-kind'), r.getAttribute('data-name'), r.getAttribute('data-side'), r.getAttribute('data-item')]));
    expect(rows).toEqual([
      ['zone', 'public', 'permanentOnly', 'pop3'],
      ['zone', 'public', 'runtimeOnly', '7100/tcp'],
      ['ipset', 'hd-diff', 'runtimeOnly', ''],
    ]);
    expect(await firewall.differences.textContent()).toContain('entry 192.0.2.9');
    // Opening a row goes to the object.
    await page.getByRole('button', { name: /Open zone public \(port 7100\/tcp\)/ }).click();
    await firewall.zoneEditor('public').waitFor();

    // The add fields sit under both columns; they say that they go to the pending changes and where those go.
    const described = await firewall.portInput.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '');
    expect(described).toMatch(/pending changes.*runtime, to permanent or to both/);
    await fwAll(sb, ['--permanent', '--zone=public', '--remove-service=pop3'], ['--permanent', '--delete-ipset=hd-diff'], ['--reload']);
    await firewall.tabCount('differences').waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('at 1024×700 the pending bar never covers a focused field of the form', async () => {
    const { page } = app;
    const { firewall, safeApply } = pagesOf(page);
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      await firewall.selectZone('public');
      // The tallest bar: a risky change (ssh out of the default zone) and the pending list open.
      await firewall.removeButton('services', 'runtime', 'ssh').first().click();
      await safeApply.risk.waitFor();
      await firewall.addPort('8450');
      await safeApply.pendingToggle(2).click();
      const overlaps: string[] = [];
      for (const id of ['target', 'service', 'port', 'protocol', 'source port', 'ICMP block', 'forward port', 'interface', 'source'] as const) {
        // Focus as the keyboard does (the browser scrolls it into view), then compare where things are painted.
        await firewall.zoneField(id).focus();
        const [field, bar, heads] = await Promise.all([firewall.zoneField(id), safeApply.bar, firewall.columnHeads].map((l) => l.boundingBox()));
        const apart = (a: typeof field, b: typeof field) => a!.y + a!.height <= b!.y || b!.y + b!.height <= a!.y || a!.x + a!.width <= b!.x || b!.x + b!.width <= a!.x;
        if (!apart(field, bar)) overlaps.push(`${id} under the pending bar`);
        if (!apart(field, heads)) overlaps.push(`${id} under the column headings`);
      }
      expect(overlaps).toEqual([]);
    } finally {
      await safeApply.discardButton.click().catch(() => undefined);
      await page.setViewportSize({ width: 1360, height: 860 });
    }
  });

  it('after Safe apply the focus is on "Keep it"; the outcome then goes away by itself', async () => {
    const { page } = app;
    const { firewall, safeApply } = pagesOf(page);
    await firewall.selectZone('public');
    await firewall.addPort('7200');
    await safeApply.safeApply();
    await safeApply.banner.waitFor({ timeout: 15_000 });
    await expect.poll(() => hasFocus(safeApply.keepButton)).toBe(true);
    await page.keyboard.press('Enter');
    await safeApply.resultWith('confirmed').waitFor({ timeout: 15_000 });
    expect(lines(await fw(sb, '--zone=public', '--list-ports')).join(' ').split(' ')).toContain('7200/tcp');
    // "Keep it" is gone: the focus is on the outcome, not lost to the page body.
    await expect.poll(() => hasFocus(safeApply.outcome)).toBe(true);
    // Gone without anyone closing it (it used to stay for the whole session), and the focus moves to the page's heading.
    await safeApply.result.waitFor({ state: 'detached', timeout: 30_000 });
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    expect(await firewall.noticeSuccess.count()).toBe(0);
  });

  it('keyboard: the service field is a few Tabs from the page start (roving tab stops), arrows move in the zone list and the tabs', async () => {
    const { page } = app;
    const { shell, firewall } = pagesOf(page);
    await firewall.selectZone('public');
    // Where "Skip to content" puts the focus.
    await page.locator('#hd-main-content').focus();
    let presses = 0;
    const trail: string[] = [];
    while (presses < 40 && !(await hasFocus(firewall.zoneField('service')))) {
      await page.keyboard.press('Tab');
      presses++;
      trail.push(await shell.focused());
    }
    // 9 since the masthead's "Offline configuration (the files)" switch (#16) is one more stop.
    expect(presses, trail.join(' → ')).toBeLessThanOrEqual(9);

    // The zone list is one stop: arrows move, Enter opens.
    await firewall.zone('public').focus();
    const zones = await firewall.zoneNames();
    const next = zones[zones.indexOf('public') + 1]!;
    expect(await page.locator('.hd-fw-list-item[tabindex="0"]').count()).toBe(1);
    await page.keyboard.press('ArrowDown');
    expect(await firewall.zoneHasFocus(next)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => firewall.zone(next).getAttribute('aria-current')).toBe('true');
    // The tab bar is one stop: Right selects the next section.
    expect(await page.locator('[role="tab"][tabindex="0"]').count()).toBe(1);
    await page.getByRole('tab', { name: /Zones/ }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByRole('tab', { name: /Policies/ }).getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Policies/);
    await page.getByRole('tab', { name: /Zones/ }).click();
    await firewall.selectZone('public');
  });

  it('the Compare "Add a host" picker adds only the host chosen with Enter, not every host the arrow keys pass', async () => {
    const { page } = app;
    const { shell, firewall, compare } = pagesOf(page);
    await shell.open('compare');
    await compare.root.waitFor();
    await compare.addHostPicker.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await compare.hostColumns.count()).toBe(0);
    const chosen = await compare.addHostPicker.inputValue();
    expect(chosen).not.toBe('');
    await page.keyboard.press('Enter');
    await expect.poll(() => compare.hostColumns.evaluateAll((hs) => hs.map((h) => h.getAttribute('data-host')))).toEqual([chosen]);
    // A mouse choice still adds at once.
    const other = await compare.addHostPicker.locator('option:not([value=""])').first().getAttribute('value');
    await compare.addHost(other!);
    await expect.poll(() => compare.hostColumns.count()).toBe(2);
    await shell.open('firewall');
    await firewall.zone('public').waitFor();
  });

  it('pending changes belong to their host: another host does not show them, switching back finds them again', async () => {
    const { page } = app;
    const { shell, firewall, safeApply, compare } = pagesOf(page);
    await firewall.selectZone('public');
    await firewall.addPort('7300');
    await firewall.item('ports', 'adding', '7300/tcp').waitFor();
    await firewall.zonePending('public').waitFor();

    // A second host: firewall-cmd --list-all-zones output of another machine, imported (read-only).
    const zones = join(config, 'zones.txt');
    writeFileSync(zones, ['public (active)', '  target: default', '  icmp-block-inversion: no', '  interfaces: eth0', '  sources: ', '  services: ssh http', '  ports: 8443/tcp', '  protocols: ',
      '  forward: yes', '  masquerade: no', '  forward-ports: ', '  source-ports: ', '  icmp-blocks: ', '  rich rules: ', ''].join('\n'));
    await shell.open('compare');
    await compare.importSnapshots([zones]);
    await expect.poll(() => shell.hostChoices(), { timeout: 15_000 }).toContain('zones (read-only)');
    await shell.switchHost({ label: 'zones (read-only)' });
    await shell.open('firewall');
    await firewall.selectZone('public');
    await firewall.item('ports', 'runtime', '8443/tcp').waitFor({ timeout: 15_000 });
    expect(await firewall.item('ports', 'adding').count()).toBe(0);
    expect(await safeApply.bar.count()).toBe(0);
    expect(await firewall.zonePending('public').count()).toBe(0);

    await shell.switchHost({ label: 'Local' });
    await shell.open('firewall');
    await firewall.selectZone('public');
    await firewall.item('ports', 'adding', '7300/tcp').waitFor({ timeout: 15_000 });
    expect(await safeApply.pendingToggle(1).count()).toBe(1);
    await safeApply.discard();
    await firewall.zonePending('public').waitFor({ state: 'detached' });
  });
});
