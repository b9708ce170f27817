/**
 * A trace makes its namespaces on this machine, whatever the host: an SSH host (whose capability
 * says HostDeck makes no namespaces there) is traced by a desktop user through this machine's
 * unprivileged user namespaces (`unshare -rn`), not refused. The host here is a transport that
 * answers like an SSH host (no user namespaces, the ruleset through its helper) with an empty
 * ruleset; the trace itself is real. Needs this machine's user namespaces and nftables.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HostCapabilities } from '../../../shared/hosts/capabilities';
import { traceOnHost } from '../../../electron/firewall/trace';
import type { Host } from '../../../electron/hosts/transport';

const sshLike: HostCapabilities = {
  liveKernel: true,
  freshNamespaceProbe: false,
  systemBus: true,
  firewall: 'live',
  writes: 'sudo',
  firewallWrites: 'polkit',
  interfaces: true,
  journal: false,
  userNamespaces: false,
  nftRuleset: 'helper',
  readOnly: false,
  localBus: false,
  missing: { userNamespaces: 'HostDeck does not make namespaces on deck@far.' },
};

const host = {
  id: 'deck@far',
  label: 'deck@far',
  transport: {
    capabilities: () => sshLike,
    systemBus: () => Promise.reject(new Error('no bus here')),
    helper: () => Promise.resolve({ ok: true, result: { ruleset: { nftables: [{ metainfo: { version: '1.0.6', json_schema_version: 1 } }] } } }),
  },
} as unknown as Host;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('trace of a host without user namespaces, by a desktop user', () => {
  it("uses this machine's user namespaces: the packet passes the host's (empty) ruleset", async () => {
    // A desktop user, not root: the route a trace takes is then unshare -rn.
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    const prediction = { verdict: 'accept', family: 'ipv4', decidedBy: { kind: 'no-firewall', firewalld: 'nothing', chain: '' } };
    const r = await traceOnHost(host, { flow: { protocol: 'tcp', src: '192.0.2.7', dst: '192.0.2.1', dport: 8443, iface: 'hd8' }, layer: 'runtime' } as never, () => prediction as never);
    expect([r.verdict, r.client.outcome, r.agreement]).toEqual(['accept', 'connected', true]);
  });
});
