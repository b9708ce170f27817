import { ApiError } from '../../shared/api/errors';
import type { FirewallStatus, ObjectDiff, SafeApplyDecision } from '../../shared/firewall/contract';
import { diffLayers } from '../../shared/firewall/diff';
import { policyToScript, policyToXml, zoneToScript, zoneToXml } from '../../shared/firewall/export';
import type { FullState, Layer, LayerState, Zone } from '../../shared/firewall/model';
import type { FirewallSnapshot, SnapshotLayer } from '../../shared/compare/snapshot';
import type { Host } from '../hosts/host';

/**
 * The firewall read operations of a snapshot host, answered from the snapshot's firewalld state
 * (the same shapes FirewallService returns from D-Bus). A layer the snapshot does not have (an
 * import of runtime output only) shows the other one; ipset entries are not in snapshots, only their
 * count and hash, so listing them says so.
 */
export class SnapshotFirewall {
  private readonly full: FullState | null;
  constructor(
    private readonly host: Host,
    private readonly fw: FirewallSnapshot | null,
    takenAt: number,
    /** Why there is no firewall state, when the record holds none (the host's capabilities say). */
    private readonly none = 'This snapshot has no firewalld state',
  ) {
    this.full = fw && fw.running ? toFullState(fw, takenAt) : null;
  }

  status(): FirewallStatus {
    if (!this.full || !this.fw) {
      return { running: false, busAddress: 'snapshot', reason: this.fw?.reason ?? this.none, errorCode: 'FIREWALLD_NOT_RUNNING' };
    }
    return { running: true, busAddress: 'snapshot', version: this.fw.version, state: 'RUNNING', defaultZone: this.fw.defaultZone ?? '', panicMode: false };
  }

  state(): FullState {
    if (!this.full) throw new ApiError('FIREWALLD_NOT_RUNNING', this.fw?.reason ?? `${this.host.label} has no firewalld state in its snapshot`);
    return this.full;
  }

  zone(name: string, layer: Layer): Zone {
    const z = this.state()[layer].zones[name];
    if (!z) throw new ApiError('NOT_FOUND', `There is no ${layer} zone named "${name}" in this snapshot`);
    return z;
  }

  ipsetEntries(input: { name: string; layer: Layer }): never {
    const s = this.state()[input.layer].ipsets[input.name];
    if (!s) throw new ApiError('NOT_FOUND', `There is no ${input.layer} ipset named "${input.name}" in this snapshot`);
    throw new ApiError('UNSUPPORTED', `A snapshot keeps only the number of entries of ipset "${input.name}" (${s.entryCount}) and their hash, not the entries`);
  }

  differences(kind?: ObjectDiff['kind'], name?: string) {
    const s = this.state();
    return { revision: s.revision, differences: diffLayers(s, kind, name) };
  }

  export(input: { kind: 'zone' | 'policy'; name: string; layer: Layer; format: 'xml' | 'script' }) {
    const s = this.state();
    const header = [`firewalld ${input.kind} "${input.name}" (${input.layer}) exported by HostDeck`, `from the snapshot ${this.host.label}`];
    if (input.kind === 'zone') {
      const z = this.zone(input.name, input.layer);
      return input.format === 'xml'
        ? { filename: `${z.name}.xml`, mediaType: 'application/xml', text: zoneToXml(z) }
        : { filename: `zone-${z.name}.sh`, mediaType: 'text/x-shellscript', text: zoneToScript(z, { permanent: input.layer === 'permanent', header, create: !z.meta?.builtin }) };
    }
    const p = s[input.layer].policies[input.name];
    if (!p) throw new ApiError('NOT_FOUND', `There is no ${input.layer} policy named "${input.name}" in this snapshot`);
    return input.format === 'xml'
      ? { filename: `${p.name}.xml`, mediaType: 'application/xml', text: policyToXml(p) }
      : { filename: `policy-${p.name}.sh`, mediaType: 'text/x-shellscript', text: policyToScript(p, { header, create: !p.meta?.builtin }) };
  }

  safeApplyCheck(): SafeApplyDecision {
    return { required: false, reasons: [`${this.host.label} is a read-only snapshot: nothing can be applied to it`], sshPorts: [] };
  }
}

function layerState(l: SnapshotLayer | null): LayerState {
  if (!l) return { zones: {}, policies: {}, services: {}, ipsets: {}, icmptypes: {}, helpers: {} };
  const ipsets = Object.fromEntries(Object.entries(l.ipsets).map(([k, v]) => [k, { ...v, entriesSha256: undefined }]));
  return { zones: l.zones, policies: l.policies, services: l.services, ipsets: ipsets as LayerState['ipsets'], icmptypes: {}, helpers: {} };
}

function toFullState(fw: FirewallSnapshot, takenAt: number): FullState {
  return {
    revision: 1,
    busAddress: 'snapshot',
    daemon: { version: fw.version, interfaceVersion: '', state: 'RUNNING', ipsetTypes: [], ipv4IcmpTypes: [], ipv6IcmpTypes: [] },
    config: {},
    global: {
      defaultZone: fw.defaultZone ?? '',
      logDenied: fw.logDenied ?? 'off',
      panicMode: false,
      lockdown: false,
      activeZones: fw.activeZones,
      activePolicies: {},
    },
    // An import of one layer only (say runtime --list-all-zones output): the pages show it for
    // both rather than invent runtime/permanent differences. Compare treats the other layer as unknown.
    runtime: layerState(fw.runtime ?? fw.permanent),
    permanent: layerState(fw.permanent ?? fw.runtime),
    loadedAt: takenAt,
    timed: [],
  };
}
