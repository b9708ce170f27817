import { ApiError } from '../../../shared/api/errors';
import type { FirewallStatus, SafeApplyDecision } from '../../../shared/firewall/contract';
import { policyToXml, zoneToScript, policyToScript, zoneToXml } from '../../../shared/firewall/export';
import type { FullState, Layer, Zone } from '../../../shared/firewall/model';
import type { Host } from '../../hosts/host';
import { filterEntries } from '../ipset-entries';
import { callShared } from '../../hosts/call-scope';
import { CallReads } from './call-reads';
import { readOfflineConfig, type OfflineConfig } from './reader';
import type { OfflineCheck } from '../../../shared/firewall/offline/contract';

/**
 * The firewall read operations answered from a host's configuration files (no firewalld
 * running, an image, or --offline): the same shapes FirewallService returns, both layers being
 * the configuration (there is no runtime without a daemon), `offline` set on the state.
 */
export class OfflineFirewall {
  private config: Promise<OfflineConfig> | undefined;
  constructor(private readonly host: Host) {}

  /**
   * Read once, again on refresh (the files may have changed under us). Within one call
   * (call-scope.ts: an `edit`, a write with history's captures around it) a refresh is the
   * call's one read; after a write only the files it changed are read again (call-reads.ts).
   */
  load(refresh = false): Promise<OfflineConfig> {
    const call = this.call();
    if (call && (refresh || !this.config)) {
      if (!call.config) {
        const p = readOfflineConfig(call.reads.transport());
        call.config = p;
        p.catch(() => call.config === p && (call.config = undefined));
      }
      this.config = call.config;
    } else if (refresh || !this.config) {
      this.config = readOfflineConfig(this.host.transport);
    }
    const p = this.config;
    // A failed read (the host went away) is not cached.
    p.catch(() => this.config === p && (this.config = undefined));
    return p;
  }

  async status(): Promise<FirewallStatus> {
    const c = await this.load(true);
    const s = c.state;
    return { running: true, offline: true, busAddress: s.busAddress, version: s.daemon.version, versionFrom: s.offline?.versionFrom, state: 'OFFLINE', defaultZone: s.global.defaultZone, panicMode: false };
  }

  async state(refresh = false): Promise<FullState> {
    return (await this.load(refresh)).state;
  }

  async zone(name: string, layer: Layer): Promise<Zone> {
    const z = (await this.state())[layer].zones[name];
    if (!z) throw new ApiError('NOT_FOUND', `There is no zone named "${name}" in the configuration of ${this.host.label}`);
    return z;
  }

  async ipsetEntries(input: { name: string; layer: Layer; offset: number; limit: number; filter: string }) {
    const c = await this.load();
    const all = c.entries.get(input.name);
    if (!all) throw new ApiError('NOT_FOUND', `There is no ipset named "${input.name}" in the configuration of ${this.host.label}`);
    const { matched, page } = filterEntries(all, input.filter, input.offset, input.limit);
    return { name: input.name, layer: input.layer, total: all.length, matched, offset: input.offset, entries: page };
  }

  async export(input: { kind: 'zone' | 'policy'; name: string; layer: Layer; format: 'xml' | 'script' }) {
    const s = await this.state();
    const header = [`firewalld ${input.kind} "${input.name}" exported by HostDeck`, `from the offline configuration of ${this.host.label}`];
    if (input.kind === 'zone') {
      const z = await this.zone(input.name, 'permanent');
      return input.format === 'xml'
        ? { filename: `${z.name}.xml`, mediaType: 'application/xml', text: zoneToXml(z) }
        : { filename: `zone-${z.name}.sh`, mediaType: 'text/x-shellscript', text: zoneToScript(z, { permanent: true, header, create: !z.meta?.builtin }) };
    }
    const p = s.permanent.policies[input.name];
    if (!p) throw new ApiError('NOT_FOUND', `There is no policy named "${input.name}" in the configuration of ${this.host.label}`);
    return input.format === 'xml'
      ? { filename: `${p.name}.xml`, mediaType: 'application/xml', text: policyToXml(p) }
      : { filename: `policy-${p.name}.sh`, mediaType: 'text/x-shellscript', text: policyToScript(p, { header, create: !p.meta?.builtin }) };
  }

  /** firewall.check: read afresh, ok when nothing would stop firewalld loading it. */
  async check(): Promise<OfflineCheck> {
    const c = await this.load(true);
    const o = c.state.offline!;
    return { ok: !c.problems.some((p) => p.severity === 'error'), problems: c.problems, version: o.version, versionFrom: o.versionFrom, dirs: o.dirs };
  }

  safeApplyCheck(): SafeApplyDecision {
    return { required: false, reasons: [`${this.host.label}: offline configuration, no running firewalld to apply anything to`], sshPorts: [] };
  }

  /** What this call (call-scope.ts) has read of the host's files, if in one. */
  private call() {
    return callShared(this, () => ({ reads: new CallReads(this.host.transport), config: undefined as Promise<OfflineConfig> | undefined }));
  }

  /** Forgets what was read; `changed`: the host paths a write replaced or removed (read again within the call). */
  dispose(changed: string[] = []): void {
    this.config = undefined;
    const call = this.call();
    if (call) {
      call.config = undefined;
      call.reads.changed(changed);
    }
  }
}
