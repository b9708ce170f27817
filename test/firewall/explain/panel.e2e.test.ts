/**
 * Issue 15 part 1 in the browser (Chromium, browser mode, a real firewalld in its sandbox),
 * checked with firewall-cmd: a blocked connection is explained in the "Will this connection
 * pass?" panel, its narrowest fix joins the zone's pending changes (nothing is applied yet),
 * goes through safe apply and is kept, the panel then answers that the connection passes, and
 * "Trace it for real" sends one packet through a copy of the host's rules: the kernel accepts it too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from '../../support/e2e';
import type { FirewalldSandbox } from '../../support/firewalld-sandbox';
import { closeFirewallPage, openFirewallPage } from '../../support/firewall-page';
import { hasFocus, pagesOf } from '../../support/pages';
import { fw, lines } from '../fw-cmd';

describe('issue 15: "Will this connection pass?" on the firewall page', () => {
  let sb: FirewalldSandbox;
  let app: E2eApp;
  beforeAll(async () => {
    ({ sb, app } = await openFirewallPage());
  });
  afterAll(() => closeFirewallPage(app, sb));

  it('explains a blocked flow, stages its fix, applies it with safe apply, then says it passes and the kernel agrees', async () => {
    const { page } = app;
    const { explain, firewall, safeApply } = pagesOf(page);
    await explain.open();
    // Labelled fields: what a screen reader announces is the field the test fills.
    await explain.ask({ source: '192.0.2.7', protocol: 'tcp', port: '8080' });
    expect(await explain.portField.evaluate((e, l) => (e as HTMLInputElement).labels?.[0]?.textContent === l, 'Destination port')).toBe(true);

    await explain.answerWith('reject').waitFor({ timeout: 15_000 });
    expect(await explain.verdict.textContent()).toBe('Blocked: refused');
    expect(await explain.zone.textContent()).toContain('Zone public');
    expect(await explain.decidedBy.textContent()).toMatch(/target|REJECT|reject/i);
    // The answer takes the focus (announced, and the keyboard is where the answer is).
    expect(await hasFocus(explain.result)).toBe(true);
    await explain.pathToggle.click();
    expect(await explain.path.locator('li').count()).toBeGreaterThan(1);

    const summary = 'Accept this flow from 192.0.2.7 only, with a rich rule in zone public';
    await explain.fix(summary).waitFor();
    const before = lines(await fw(sb, '--zone=public', '--list-rich-rules'));
    await explain.addFix(summary);

    // Staged in the zone's pending changes, not applied.
    await firewall.zoneEditor('public').waitFor();
    await safeApply.pendingToggle(1).click();
    const pending = await safeApply.pending();
    expect(pending.join('\n')).toContain('source address="192.0.2.7"');
    expect(lines(await fw(sb, '--zone=public', '--list-rich-rules'))).toEqual(before);

    await safeApply.safeApply(120);
    await safeApply.keepButton.waitFor({ timeout: 15_000 });
    await safeApply.keep();
    await safeApply.resultWith('confirmed').waitFor({ timeout: 15_000 });

    const rules = lines(await fw(sb, '--zone=public', '--list-rich-rules'));
    const added = rules.filter((r) => r.includes('source address="192.0.2.7"'));
    expect(added).toEqual(['rule family="ipv4" source address="192.0.2.7" port port="8080" protocol="tcp" accept']);
    await expect.poll(async () => lines(await fw(sb, '--permanent', '--zone=public', '--list-rich-rules')), { timeout: 15_000 }).toContain(added[0]);

    // The panel asks again when the firewall changes: the same flow now passes, by that rule.
    await explain.answerWith('accept').waitFor({ timeout: 15_000 });
    expect(await explain.verdict.textContent()).toBe('Passes');
    expect(await explain.decidedBy.textContent()).toContain('192.0.2.7');
    expect(await explain.fixes.count()).toBe(0);

    // Proved with a real packet: the host's ruleset now (read through the helper's nft-ruleset
    // verb) in throwaway namespaces, one SYN from 192.0.2.7, and the kernel's own verdict.
    await explain.trace();
    await explain.traceResult.waitFor({ timeout: 60_000 });
    expect(await explain.traceResult.getAttribute('data-verdict'), (await explain.traceResult.textContent()) ?? '').toBe('accept');
    expect(await explain.traceResult.getAttribute('data-agrees')).toBe('true');
    expect(await explain.traceResult.textContent()).toContain('The kernel agrees: accept');
    // Another source is still refused (the fix let exactly this flow in).
    await explain.ask({ source: '192.0.2.8' });
    await explain.answerWith('reject').waitFor({ timeout: 15_000 });
  });

  it('says what an unknown interface decides, and is driven by the keyboard alone', async () => {
    const { page } = app;
    const { explain } = pagesOf(page);
    await fw(sb, '--zone=trusted', '--add-interface=hdx0');
    try {
      await explain.open();
      await explain.arrivesOnField.waitFor();
      // Typed or picked, the interface field is empty = unknown; Enter in a field asks.
      await explain.ask({ source: '', protocol: 'udp', port: '5354', arrivesOn: '' });
      await explain.answerWith('depends').waitFor({ timeout: 15_000 });
      const depends = await explain.dependsOn.textContent();
      expect(depends).toContain('hdx0');
      expect(depends).toMatch(/Passes/);
      expect(depends).toMatch(/Blocked/);
      // ssh is open in both zones: Enter in the port field asks again, and every case passes.
      await explain.ask({ protocol: 'tcp', port: '22', submit: 'enter' });
      await expect.poll(async () => (await explain.dependsOn.textContent()) ?? '', { timeout: 15_000 }).toContain('Service ssh is allowed in zone public');
      expect(await explain.dependsOn.textContent()).not.toMatch(/Blocked/);
      // Nothing to fix when every case passes.
      expect(await explain.fixes.count()).toBe(0);
      expect(await explain.fixesSection.count()).toBe(0);
    } finally {
      await fw(sb, '--zone=trusted', '--remove-interface=hdx0');
    }
  });
});
