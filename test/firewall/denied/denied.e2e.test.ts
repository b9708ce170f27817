/**
 * Denied packets in the UI, against a real firewalld (sandbox) and this machine's real kernel
 * log: LogDenied set to all through the Global tab's dialog (the same one as Reload, listing the
 * runtime-only port the reload drops), a TCP SYN from a peer namespace to a rejected port, its
 * group in the "Denied packets" panel with zone public, the filter, and Explain opening the
 * "Will this connection pass?" panel with the packet's flow, answered with the same zone and verdict.
 *
 * Sets net.netfilter.nf_log_all_netns=1 for the file's duration (lines from the sandbox's
 * network namespace reach the kernel log only then) and restores the old value in afterAll.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from '../../support/e2e';
import type { FirewalldSandbox } from '../../support/firewalld-sandbox';
import { closeFirewallPage, openFirewallPage } from '../../support/firewall-page';
import { startPacketPeer, type PacketPeer } from '../../support/packet-probe';
import { pagesOf } from '../../support/pages';
import { DeniedPanel } from '../../support/pages/denied';
import { allowNamespaceKernelLog, uniqueSubnet } from './kernel-log-netns';

describe('denied packets panel (browser mode, real firewalld, real kernel log; nf_log_all_netns=1 for this file)', () => {
  let sb: FirewalldSandbox;
  let app: E2eApp;
  let peer: PacketPeer;
  let netnsLog: ReturnType<typeof allowNamespaceKernelLog> | undefined;
  const ip = uniqueSubnet();
  beforeAll(async () => {
    ({ sb, app } = await openFirewallPage());
    peer = await startPacketPeer(sb.firewalldPid()!, [{ fwIface: 'eth0', fwAddr: `${ip.fw}/24`, peerAddrs: [`${ip.peer}/24`] }], [8081]);
    netnsLog = allowNamespaceKernelLog();
  });
  afterAll(async () => {
    try {
      peer?.stop();
      await closeFirewallPage(app, sb);
    } finally {
      netnsLog?.restore();
    }
  });

  it('LogDenied goes through the reload dialog, a rejected packet appears grouped with its zone, and its Explain opens the panel naming the same zone', async () => {
    try {
      const { page } = app;
      const { firewall } = pagesOf(page);
      const denied = new DeniedPanel(page);
      sb.firewallCmd('--zone=public', '--add-port=9999/tcp');
      await denied.open();
      await denied.logOff.waitFor();

      // LogDenied: the same dialog as Reload, naming what the reload drops.
      await firewall.openTab('Global');
      await denied.logDenied.selectOption('all');
      await firewall.reloadLost.filter({ hasText: '9999/tcp' }).waitFor();
      expect(await firewall.confirmDialog.textContent()).toMatch(/firewalld reloads to apply LogDenied all/);
      await firewall.confirm();
      await expect.poll(() => sb.firewallCmd('--get-log-denied').trim(), { timeout: 30_000 }).toBe('all');
      await denied.logOff.waitFor({ state: 'detached', timeout: 30_000 });
      expect(sb.firewallCmd('--zone=public', '--list-ports').trim()).toBe('');

      // A real packet, rejected by zone public's target and logged by the kernel.
      await denied.source.filter({ hasText: /^From (dmesg|journalctl)/ }).waitFor({ timeout: 15_000 });
      netnsLog!.reassert();
      const sent = Date.now();
      expect((await peer.probe([{ id: 1, protocol: 'tcp', src: ip.peer, dst: ip.fw, dport: 8081 }]))[0]!.outcome).toBe('unreachable');
      const row = denied.group(ip.peer);
      await row.waitFor({ timeout: 15_000 });
      console.log(`denied packet shown ${Date.now() - sent} ms after it was sent`);
      expect(await row.getAttribute('data-zone')).toBe('public');
      expect(await row.getAttribute('data-action')).toBe('REJECT');
      expect(await row.textContent()).toContain(`${ip.peer} → 8081/tcp on eth0: once, zone public, REJECT`);

      // The filter keeps what matches every word.
      await denied.filter.fill(`${ip.peer} 8081 public`);
      await row.waitFor();
      await denied.filter.fill(`${ip.peer} 8082`);
      await denied.empty.filter({ hasText: 'No group matches the filter.' }).waitFor();
      await denied.filter.fill(ip.peer);

      // Explain opens "Will this connection pass?" with the packet's flow, and its answer names the
      // zone and the verdict the kernel logged.
      const { explain } = pagesOf(page);
      await denied.explain(ip.peer);
      await explain.answerWith('reject').waitFor({ timeout: 15_000 });
      expect(await explain.question()).toEqual({ source: ip.peer, destination: ip.fw, protocol: 'tcp', port: '8081', arrivesOn: 'eth0', layer: 'runtime' });
      expect(await explain.askedFrom.textContent()).toContain('denied packets');
      expect(await explain.zone.textContent()).toContain('Zone public');
      expect(await explain.verdict.textContent()).toBe('Blocked: refused');
      const flow = JSON.parse((await denied.explainSent.getAttribute('data-flow'))!);
      expect(flow).toEqual({ src: ip.peer, dst: ip.fw, protocol: 'tcp', dport: 8081, iface: 'eth0' });
    } finally {
      netnsLog?.restore();
    }
  });
});
