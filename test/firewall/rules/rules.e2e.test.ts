/**
 * The Rules view in Chromium (browser mode) against a real firewalld in its sandbox: the nft
 * rules behind a zone, each with the element that made it, and a rule added with `nft` by hand
 * inside the sandbox's namespace highlighted as not made by firewalld; the same for a policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from '../../support/e2e';
import type { FirewalldSandbox } from '../../support/firewalld-sandbox';
import { closeFirewallPage, openFirewallPage } from '../../support/firewall-page';
import { pagesOf } from '../../support/pages';
import { addForeignRules, configureRules } from './configure';

describe('the Rules view of a zone and a policy', () => {
  let sb: FirewalldSandbox;
  let app: E2eApp;
  beforeAll(async () => {
    ({ sb, app } = await openFirewallPage());
    configureRules(sb);
    addForeignRules(sb);
  });
  afterAll(async () => {
    await closeFirewallPage(app, sb);
  });

  it('shows each rule with the element behind it, counters, and the hand-added rule highlighted', async () => {
    const { firewall } = pagesOf(app.page);
    await firewall.zone('work').waitFor({ timeout: 15_000 });
    await firewall.selectZone('work');
    await firewall.openRules('zone');
    await expect.poll(() => firewall.rulesRow('tcp dport 8080 accept').innerText()).toMatch(/Port 8080\/tcp is open in zone work\s+\[port 8080\/tcp\]/);
    expect(await firewall.rulesRow('tcp dport 139 accept').innerText()).toContain('Service samba is allowed in zone work (its port 139/tcp)');
    expect(await firewall.rulesRow('ip saddr 198.51.100.8 reject with icmp host-prohibited').innerText()).toContain('rule family="ipv4" source address="198.51.100.8" reject type="icmp-host-prohibited"');
    const hand = firewall.rulesRow('tcp dport 31337 accept');
    expect(await hand.getAttribute('data-foreign')).toBe('true');
    expect(await hand.innerText()).toMatch(/not made by firewalld[\s\S]*0 \/ 0/);
    expect(await firewall.rulesSummary.innerText()).toContain('1 rule here not made by firewalld');
    expect(await firewall.rulesForeign.innerText()).toContain('table ip hd_docker');
    // Only this zone's chains (and the dispatch rules into it).
    const chains = await firewall.rulesChains();
    expect(chains.filter((c) => c && /_(IN|FWD|PRE|POST|OUT)_/.test(c) && !c.includes('_work'))).toEqual([]);
    await app.page.keyboard.press('Escape');
  });

  it('a policy has its own Rules view', async () => {
    const { firewall } = pagesOf(app.page);
    await firewall.openTab('Policies');
    await app.page.getByText('hd-out', { exact: true }).first().click();
    await firewall.openRules('policy');
    expect(await firewall.rulesRow('ip daddr 192.0.2.99 reject with icmp port-unreachable').innerText()).toContain('Rich rule of policy hd-out');
    expect(await firewall.rulesRow('reject with icmpx admin-prohibited').first().innerText()).toContain('target REJECT');
  });
});
