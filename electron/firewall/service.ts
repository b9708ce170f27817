import { ApiError } from '../../shared/api/errors';
import type {
  FirewallStatus,
  ObjectDiff,
  SafeApplyDecision,
  SafeApplySession,
  SafeChange,
} from '../../shared/firewall/contract';
import {
  compareEntrySets,
  diffLayers,
  effectsText,
  reloadEffects,
  runtimeChangesLostOnReload,
  type CompareEntries,
  type EntriesComparison,
} from '../../shared/firewall/diff';
import { policyToScript, policyToXml, zoneToScript, zoneToXml } from '../../shared/firewall/export';
import { ipsetUsers, usesText, zoneUsers } from '../../shared/firewall/references';
import { safeApplyRequired, type GuardedChange } from '../../shared/firewall/safety';
import type { FullState, IpSet, Layer, TimedItem, LogDenied, ObjectKind, Policy, PolicyPatch, Service, Zone, ZonePatch } from '../../shared/firewall/model';
import type { HandlerContext, HandlerEvents, Host } from '../api/context';
import { busSocketPath } from '../hosts/bus';
import { FirewalldClient, type ClientOptions, type ConfigKind } from './client';
import { isIdempotentOutcome, mapFirewalldError } from './errors';
import { filterEntries } from './ipset-entries';
import { SafeApplyManager, type AppliedChange, type DetachedRevert } from './safe-apply';
import { firewallRevertPlan } from '../../shared/firewall/revert-plan';
import type { HelperRequest } from '../../shared/helper/protocol';
import { sshPortsOf } from './ssh-ports';
import { ipsetToTuple, policyDict, serviceDict, zoneDict } from './settings';
import { StateStore } from './state-store';
import { firewalldReadPlan } from './bulk-read';
import { validateIpsetDefinition, validateIpsetEntries, validateName, validatePolicyPatch, validatePortList, validateZonePatch } from './validate-input';
import { applyPermanentZonePatch, applyPolicyPatch, applyRuntimeZonePatch } from './zone-writer';
import { isEmptyPatch, itemKey, itemText, type ListKey } from '../../shared/firewall/patch';

/** A read's deadline over a tunnelled bus (an SSH host), where polkit authorizes each call. */
export const TUNNELLED_READ_TIMEOUT_MS = 15_000;

type UpdateResult<T> = { revision: number; object: T; notes: string[] };

/** Calls that rebuild runtime from permanent: minutes for huge ipsets on old kernels (reference §15). */
const RELOAD_TIMEOUT_MS = 300_000;
/** setEntries with 100k+ entries takes seconds on 1.3.3; leave room. */
const BULK_TIMEOUT_MS = 600_000;

/**
 * Everything HostDeck does with firewalld on one host: one client (one bus connection), the
 * signal-fed state, safe-apply sessions. Created on first use through host.service('firewall')
 * and disposed with the host (pending safe applies are reverted then).
 */
export class FirewallService {
  readonly client: FirewalldClient;
  readonly store: StateStore;
  readonly safe: SafeApplyManager;
  private lastStatus = '';

  constructor(
    private readonly host: Host,
    private readonly events: HandlerEvents,
    private readonly log: (line: string) => void = () => {},
    clientOptions: Pick<ClientOptions, 'callTimeoutMs' | 'readTimeoutMs' | 'maxInFlight'> = {},
  ) {
    // The host's transport names its bus (this machine's, a tunnel to an SSH host's).
    const localBus = host.transport.capabilities().localBus;
    this.client = new FirewalldClient({
      // Over a tunnelled bus every call waits for its own polkit check, which firewalld makes
      // blocking and one at a time: on a busy host one check alone took over 5 s (privilege.int in
      // CI) while firewalld was answering, so reads there get 15 s before "not answering".
      readTimeoutMs: localBus ? undefined : TUNNELLED_READ_TIMEOUT_MS,
      ...clientOptions,
      busAddress: host.systemBusAddress,
      resolveBusAddress: () => host.transport.busAddress(),
      log,
      // The host's one bus connection (the transport owns it), shared with the other features.
      openBus: () => host.transport.systemBus(),
      // A bus tunnelled from another machine (ssh): each call is authorized by polkit on its own (see ClientOptions.authorizeAll).
      authorizeAll: localBus,
    });
    const bulk = host.transport.busReads?.bind(host.transport);
    this.store = new StateStore(this.client, (name, payload) => this.events.emit(name, host.id, payload), log, bulk && (() => bulk(firewalldReadPlan())));
    this.safe = new SafeApplyManager((s) => this.events.emit('firewall.safeApplyChanged', host.id, s), log);
    this.client.on('owner', ({ running }) => {
      // Gone is known at once (and must be told even if it is back before a status read ends).
      if (!running) this.publishStatus(this.notRunning('firewalld stopped: nobody owns its name on the system bus'));
      else {
        // It owns its name again: reads go to the daemon from now on, not once the status read ends
        // (the state store re-reads at once, and a read in between must not get the files).
        if (this.host.firewalldStopped) {
          this.host.firewalldStopped = undefined;
          this.events.emit('app.hostsChanged', 'local', {});
        }
        void this.status().then((st) => this.publishStatus(st));
      }
    });
    this.client.on('busLost', (e) => this.publishStatus(this.notRunning(`Lost the system D-Bus at ${this.client.busAddress}: ${e.message}`, 'noBus')));
    // A call past its deadline: say so at once (the status area and the firewall page show it);
    // the first answer afterwards brings the real status back.
    this.client.on('answering', ({ answering, reason }) => {
      if (!answering) this.publishStatus({ running: false, busAddress: this.client.busAddress, reason, errorCode: 'TIMEOUT' });
      else void this.status().then((st) => this.publishStatus(st));
    });
    // The status bar shows the default zone and panic mode: keep it current even when no page
    // has loaded the full state (the state store only follows signals once it has one).
    this.client.on('signal', (sig) => {
      if (sig.iface === '' && ['DefaultZoneChanged', 'PanicModeEnabled', 'PanicModeDisabled', 'Reloaded'].includes(sig.member)) {
        void this.status().then((st) => this.publishStatus(st));
      }
    });
  }

  private notRunning(reason: string, problem: FirewallStatus['problem'] = 'notRunning'): FirewallStatus {
    return { running: false, busAddress: this.client.busAddress, busSocket: busSocketPath(this.client.busAddress), reason, errorCode: 'FIREWALLD_NOT_RUNNING', problem };
  }

  /**
   * The host's capability `firewall` follows what was found (host.firewalldStopped): when the
   * daemon stops or starts, the host list is told, so the pages re-read the capabilities.
   */
  private observe(s: FirewallStatus): FirewallStatus {
    const stopped = !s.running && s.problem === 'notRunning' ? (s.reason ?? 'not on the system bus') : undefined;
    if (!!stopped !== !!this.host.firewalldStopped) {
      this.host.firewalldStopped = stopped;
      this.events.emit('app.hostsChanged', 'local', {});
    } else this.host.firewalldStopped = stopped;
    return s;
  }

  private publishStatus(s: FirewallStatus): void {
    this.observe(s);
    const key = JSON.stringify(s);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.events.emit('firewall.statusChanged', this.host.id, s);
  }

  async status(): Promise<FirewallStatus> {
    return this.observe(await this.readStatus());
  }

  private async readStatus(): Promise<FirewallStatus> {
    const busAddress = this.client.busAddress;
    try {
      await this.client.ready();
      const props = await this.client.getAllProperties('');
      const [[defaultZone], [panic]] = await Promise.all([this.client.call('.getDefaultZone'), this.client.call('.queryPanicMode')]);
      return {
        running: true,
        busAddress,
        version: String(props.version ?? ''),
        state: String(props.state ?? ''),
        defaultZone: String(defaultZone),
        panicMode: panic === true,
      };
    } catch (e) {
      const err = mapFirewalldError(e, 'reading the firewalld status');
      const detail = (err.detail ?? {}) as { noBus?: boolean; errno?: string };
      const busSocket = busSocketPath(busAddress);
      if (detail.noBus) {
        const why = detail.errno === 'ENOENT' ? 'the socket does not exist' : detail.errno === 'ECONNREFUSED' ? 'nothing listens on it' : detail.errno === 'EACCES' ? 'access to it is denied' : err.message;
        return {
          running: false,
          busAddress,
          busSocket,
          problem: 'noBus',
          errorCode: String(err.code),
          reason: `No system D-Bus: HostDeck tried ${busSocket ?? busAddress} and ${why}. firewalld is managed over the system bus, so it cannot be reached or started without one (is dbus running on this host? is DBUS_SYSTEM_BUS_ADDRESS right?).`,
        };
      }
      const problem = err.code === 'NOT_AUTHORIZED' ? 'notAuthorized' : err.code === 'FIREWALLD_NOT_RUNNING' ? 'notRunning' : 'failed';
      return { running: false, busAddress, busSocket, reason: err.message, errorCode: String(err.code), problem };
    }
  }

  /** The state; from now on the client reconnects by itself so signals keep flowing. */
  async state(refresh = false): Promise<FullState> {
    this.client.keepAlive = true;
    const s = await this.store.get(refresh);
    return { ...s, timed: this.timedList(s) };
  }

  /** Runtime items added with a timeout: "zone\0name\0field\0key" -> when they go. */
  private readonly timed = new Map<string, TimedItem>();

  /** The timed items still there (expired or removed ones are forgotten). */
  private timedList(s: FullState): TimedItem[] {
    const now = Date.now();
    for (const [k, t] of this.timed) {
      const z = s.runtime.zones[t.name] as Record<string, unknown> | undefined;
      const value = z?.[t.field];
      const present = Array.isArray(value) ? value.some((x) => itemText(t.field as ListKey, x) === t.item || itemKey(t.field as ListKey, x) === k.split('\0')[3]) : value === true;
      if (t.expiresAt <= now || !present) this.timed.delete(k);
    }
    return [...this.timed.values()];
  }

  private rememberTimed(zone: string, effective: ZonePatch, timeout: number): void {
    const addedAt = Date.now();
    const expiresAt = addedAt + timeout * 1000;
    for (const [field, list] of Object.entries(effective.add ?? {})) {
      if (field === 'interfaces' || field === 'sources') continue;
      for (const v of (list as unknown[] | undefined) ?? []) {
        const key = itemKey(field as ListKey, v);
        this.timed.set(`zone\0${zone}\0${field}\0${key}`, { kind: 'zone', name: zone, field, item: itemText(field as ListKey, v), addedAt, expiresAt });
      }
    }
    if (effective.masquerade === true) this.timed.set(`zone\0${zone}\0masquerade\0on`, { kind: 'zone', name: zone, field: 'masquerade', item: 'on', addedAt, expiresAt });
  }

  private async version(): Promise<string> {
    return (await this.state()).daemon.version;
  }

  private async refreshed<T>(layer: Layer, kind: ObjectKind, name: string): Promise<T> {
    const obj = await this.store.refreshObject(layer, kind, name);
    if (!obj) throw new ApiError('NOT_FOUND', `firewalld has no ${layer} ${kind} named "${name}"`);
    return obj as T;
  }

  private rev(): { revision: number } {
    return { revision: this.store.nextRevision() };
  }

  async zone(name: string, layer: Layer): Promise<Zone> {
    const s = await this.state();
    const z = s[layer].zones[name];
    if (!z) throw new ApiError('NOT_FOUND', `There is no ${layer} zone named "${name}"`, { zones: Object.keys(s[layer].zones) });
    return z;
  }

  async ipsetEntries(input: { name: string; layer: Layer; offset: number; limit: number; filter: string }) {
    const s = await this.state();
    if (!s[input.layer].ipsets[input.name]) throw new ApiError('NOT_FOUND', `There is no ${input.layer} ipset named "${input.name}"`);
    const all = await this.store.ipsetEntries(input.layer, input.name);
    const { matched, page } = filterEntries(all, input.filter, input.offset, input.limit);
    return { name: input.name, layer: input.layer, total: all.size, matched, offset: input.offset, entries: page };
  }

  /**
   * Exact entry comparisons for the ipsets both layers have (the digest in the state says
   * whether they differ; this says which entries).
   */
  private async entryComparisons(s: FullState, only?: string): Promise<CompareEntries> {
    const out = new Map<string, EntriesComparison>();
    for (const name of Object.keys(s.runtime.ipsets)) {
      if (!s.permanent.ipsets[name] || (only && name !== only)) continue;
      try {
        const [r, p] = await Promise.all([this.store.ipsetEntries('runtime', name), this.store.ipsetEntries('permanent', name)]);
        out.set(name, compareEntrySets(r, p));
      } catch {
        // Entries firewalld cannot list (IPSET_WITH_TIMEOUT): the digest decides.
      }
    }
    return (name) => out.get(name);
  }

  async differences(kind?: ObjectDiff['kind'], name?: string) {
    const s = await this.state();
    const compare = !kind || kind === 'ipset' ? await this.entryComparisons(s, name) : undefined;
    return { revision: s.revision, differences: diffLayers(s, kind, name, compare) };
  }

  /** A page of the entries only one layer of an ipset has (runtime vs permanent, by content). */
  async ipsetEntriesDiff(input: { name: string; side: 'runtimeOnly' | 'permanentOnly'; offset: number; limit: number; filter: string }) {
    const s = await this.state();
    if (!s.runtime.ipsets[input.name] || !s.permanent.ipsets[input.name]) {
      throw new ApiError('NOT_FOUND', `The ipset "${input.name}" is not in both runtime and permanent: there is nothing to compare`);
    }
    const [r, p] = await Promise.all([this.store.ipsetEntries('runtime', input.name), this.store.ipsetEntries('permanent', input.name)]);
    const [mine, other] = input.side === 'runtimeOnly' ? [r, p] : [p, r];
    const only = function* () {
      for (const e of mine) if (!other.has(e)) yield e;
    };
    let runtimeOnly = 0;
    let permanentOnly = 0;
    for (const e of r) if (!p.has(e)) runtimeOnly++;
    for (const e of p) if (!r.has(e)) permanentOnly++;
    const { matched, page } = filterEntries(only(), input.filter, input.offset, input.limit);
    return { name: input.name, side: input.side, runtimeOnly, permanentOnly, matched, offset: input.offset, entries: page };
  }

  async export(input: { kind: 'zone' | 'policy'; name: string; layer: Layer; format: 'xml' | 'script' }) {
    const s = await this.state();
    const permanent = input.layer === 'permanent';
    const header = [
      `firewalld ${input.kind} "${input.name}" (${input.layer}) exported by HostDeck`,
      `from firewalld ${s.daemon.version} on ${this.host.label}, ${new Date().toISOString()}`,
    ];
    if (input.kind === 'zone') {
      const z = s[input.layer].zones[input.name];
      if (!z) throw new ApiError('NOT_FOUND', `There is no ${input.layer} zone named "${input.name}"`);
      return input.format === 'xml'
        ? { filename: `${z.name}.xml`, mediaType: 'application/xml', text: zoneToXml(z) }
        : { filename: `zone-${z.name}.sh`, mediaType: 'text/x-shellscript', text: zoneToScript(z, { permanent, header, create: !z.meta?.builtin }) };
    }
    const p = s[input.layer].policies[input.name];
    if (!p) throw new ApiError('NOT_FOUND', `There is no ${input.layer} policy named "${input.name}"`);
    return input.format === 'xml'
      ? { filename: `${p.name}.xml`, mediaType: 'application/xml', text: policyToXml(p) }
      : { filename: `policy-${p.name}.sh`, mediaType: 'text/x-shellscript', text: policyToScript(p, { header, create: !p.meta?.builtin }) };
  }

  async safeApplyCheck(change: GuardedChange): Promise<SafeApplyDecision> {
    const s = await this.state();
    // The admin's own SSH session (SSH_CONNECTION) matters when the firewall is this machine's.
    const local = this.host.transport.capabilities().localBus;
    const sshPorts = await sshPortsOf(this.host.transport, process.env, local);
    // SSH_CLIENT = "client_ip client_port server_port": the admin's address when HostDeck runs in their session.
    const clientAddress = local ? process.env.SSH_CLIENT?.trim().split(/\s+/)[0] : undefined;
    return safeApplyRequired(change, { state: s, sshPorts, clientAddress });
  }

  private async guardRisk(change: GuardedChange, acknowledgeRisk: boolean): Promise<void> {
    if (acknowledgeRisk) return;
    const d = await this.safeApplyCheck(change);
    if (d.required) {
      throw new ApiError(
        'NEEDS_CONFIRMATION',
        `This change could cut you off: ${d.reasons.join(' ')} Use safe apply (it reverts by itself unless you confirm), or acknowledge the risk.`,
        { reasons: d.reasons, sshPorts: d.sshPorts, suggestion: 'safeApply' },
      );
    }
  }

  // --- zones ---

  async updateZone(input: { name: string; layer: Layer; patch: ZonePatch; timeout?: number; acknowledgeRisk: boolean }): Promise<UpdateResult<Zone>> {
    const s = await this.state();
    if (!s[input.layer].zones[input.name]) throw new ApiError('NOT_FOUND', `There is no ${input.layer} zone named "${input.name}"`);
    validateZonePatch(input.patch, s[input.layer]);
    if (input.timeout && input.layer === 'permanent') throw new ApiError('INVALID_INPUT', 'A timeout applies to runtime changes only');
    if (input.layer === 'runtime') await this.guardRisk({ type: 'zone', name: input.name, patch: input.patch }, input.acknowledgeRisk);
    const res =
      input.layer === 'runtime'
        ? await applyRuntimeZonePatch(this.client, input.name, input.patch, input.timeout ?? 0)
        : await applyPermanentZonePatch(this.client, s.daemon.version, input.name, input.patch);
    const object = await this.refreshed<Zone>(input.layer, 'zone', input.name);
    if (input.layer === 'runtime' && input.timeout) this.rememberTimed(input.name, res.effective, input.timeout);
    if (res.effective.add?.interfaces?.length || res.effective.add?.sources?.length || res.effective.remove) {
      // Bindings moved between zones: the old zones and the active-zone map changed too.
      if (input.layer === 'runtime') await this.store.refreshGlobal();
      for (const n of res.notes) {
        const from = /from zone (\S+)/.exec(n)?.[1];
        if (from) await this.store.refreshObject(input.layer, 'zone', from);
      }
    }
    return { ...this.rev(), object, notes: res.notes };
  }

  async createZone(name: string, settings: Partial<Zone>): Promise<UpdateResult<Zone>> {
    validateName('zone', name);
    const v = await this.version();
    validateZonePatch({ add: settings }, (await this.state()).permanent);
    await this.client.call('config.addZone2', [name, zoneDict(settings, v)], { what: `creating zone ${name}` });
    return { ...this.rev(), object: await this.refreshed<Zone>('permanent', 'zone', name), notes: ['The new zone reaches runtime on reload.'] };
  }

  private async configOp(kind: ConfigKind, name: string, member: 'rename' | 'remove' | 'loadDefaults', body: unknown[] = []) {
    await this.state();
    const verb = member === 'rename' ? `renaming ${kind} ${name} to ${String(body[0])}` : member === 'remove' ? `deleting ${kind} ${name}` : `restoring the defaults of ${kind} ${name}`;
    await this.client.configCall(kind, name, member, body, { what: verb, fresh: true });
    await this.store.refreshObject('permanent', kind, name);
    if (member === 'rename') await this.store.refreshObject('permanent', kind, String(body[0]));
    return this.rev();
  }

  /** A zone that permanent policies name cannot go away (or change its name) under them: the next reload would fail. */
  private async refuseZoneInUse(name: string, verb: 'delete' | 'rename'): Promise<void> {
    const users = zoneUsers((await this.state()).permanent, name);
    if (users.length) {
      throw new ApiError(
        'IN_USE',
        `The zone ${name} is still used by ${usesText(users)}. Change those first: to ${verb} it now would make the next reload fail.`,
        { users },
      );
    }
  }

  async renameZone(name: string, newName: string) {
    validateName('zone', newName);
    await this.refuseZoneInUse(name, 'rename');
    return this.configOp('zone', name, 'rename', [newName]);
  }

  async deleteZone(name: string) {
    await this.refuseZoneInUse(name, 'delete');
    return this.configOp('zone', name, 'remove');
  }
  loadZoneDefaults = (name: string) => this.configOp('zone', name, 'loadDefaults');

  async setDefaultZone(name: string, acknowledgeRisk = false) {
    await this.state();
    await this.guardRisk({ type: 'defaultZone', name }, acknowledgeRisk);
    await this.writeDefaultZone(name);
    return this.rev();
  }

  /** firewalld's setDefaultZone changes runtime and writes DefaultZone= to firewalld.conf in one call. */
  private async writeDefaultZone(name: string): Promise<void> {
    await this.client.call('.setDefaultZone', [name], { what: `setting the default zone to ${name}` });
    await this.store.refreshGlobal();
  }

  // --- policies ---

  async updatePolicy(input: { name: string; layer: Layer; patch: PolicyPatch; acknowledgeRisk: boolean }): Promise<UpdateResult<Policy>> {
    const s = await this.state();
    if (!s[input.layer].policies[input.name]) throw new ApiError('NOT_FOUND', `There is no ${input.layer} policy named "${input.name}"`);
    validatePolicyPatch(input.patch, s[input.layer]);
    if (input.layer === 'runtime') await this.guardRisk({ type: 'policy', name: input.name, patch: input.patch }, input.acknowledgeRisk);
    await applyPolicyPatch(this.client, s.daemon.version, input.layer, input.name, input.patch);
    const object = await this.refreshed<Policy>(input.layer, 'policy', input.name);
    if (input.layer === 'runtime') await this.store.refreshGlobal();
    return { ...this.rev(), object, notes: [] };
  }

  async createPolicy(name: string, settings: Partial<Policy>): Promise<UpdateResult<Policy>> {
    validateName('policy', name);
    const s = await this.state();
    validatePolicyPatch({ add: settings }, s.permanent);
    await this.client.call('config.addPolicy', [name, policyDict(settings, s.daemon.version)], { what: `creating policy ${name}` });
    return { ...this.rev(), object: await this.refreshed<Policy>('permanent', 'policy', name), notes: ['The new policy reaches runtime on reload.'] };
  }

  renamePolicy = (name: string, newName: string) => (validateName('policy', newName), this.configOp('policy', name, 'rename', [newName]));
  deletePolicy = (name: string) => this.configOp('policy', name, 'remove');

  // --- services ---

  async createService(name: string, settings: Partial<Service>): Promise<UpdateResult<Service>> {
    validateName('service', name);
    validatePortList('ports', settings.ports);
    validatePortList('sourcePorts', settings.sourcePorts);
    const v = await this.version();
    await this.client.call('config.addService2', [name, serviceDict(settings, v)], { what: `creating service ${name}` });
    return { ...this.rev(), object: await this.refreshed<Service>('permanent', 'service', name), notes: ['The new service reaches runtime on reload.'] };
  }

  async updateService(name: string, settings: Partial<Service>): Promise<UpdateResult<Service>> {
    validatePortList('ports', settings.ports);
    validatePortList('sourcePorts', settings.sourcePorts);
    const s = await this.state();
    const current = s.permanent.services[name];
    if (!current) throw new ApiError('NOT_FOUND', `There is no permanent service named "${name}"`);
    // Replace semantics: update2 merges by key, so every key is sent (missing = empty).
    await this.client.configCall('service', name, 'update2', [serviceDict({ version: current.version, ...settings }, s.daemon.version)], {
      what: `saving service ${name}`,
      fresh: true,
    });
    return { ...this.rev(), object: await this.refreshed<Service>('permanent', 'service', name), notes: ['Service changes reach runtime on reload.'] };
  }

  renameService = (name: string, newName: string) => (validateName('service', newName), this.configOp('service', name, 'rename', [newName]));
  deleteService = (name: string) => this.configOp('service', name, 'remove');
  loadServiceDefaults = (name: string) => this.configOp('service', name, 'loadDefaults');

  // --- ipsets ---

  async createIpset(input: { name: string; type: string; options: Record<string, string>; short: string; description: string; entries: string[] }): Promise<UpdateResult<IpSet>> {
    validateName('ipset', input.name);
    validateIpsetDefinition(input.type, input.options);
    validateIpsetEntries(input.entries, input.type, input.options);
    await this.state();
    await this.client.call('config.addIPSet', [input.name, ipsetToTuple({ version: '', ...input }, input.entries)], {
      what: `creating ipset ${input.name}`,
      timeoutMs: BULK_TIMEOUT_MS,
    });
    return { ...this.rev(), object: await this.refreshed<IpSet>('permanent', 'ipset', input.name), notes: ['The new ipset reaches runtime on reload.'] };
  }

  /**
   * firewalld deletes a permanent ipset that permanent zones or policies still use, and its next
   * reload then fails (INVALID_IPSET) and leaves it FAILED: refused here, naming the users.
   */
  async deleteIpset(name: string) {
    const s = await this.state();
    if (!s.permanent.ipsets[name]) throw new ApiError('NOT_FOUND', `There is no permanent ipset named "${name}"`);
    const users = ipsetUsers(s.permanent, name);
    if (users.length) {
      throw new ApiError(
        'IN_USE',
        `The ipset ${name} is still used by ${usesText(users)}. Remove those first: deleting it now would make the next reload fail.`,
        { users },
      );
    }
    return this.configOp('ipset', name, 'remove');
  }

  /**
   * Bulk entry changes: one setEntries call with the whole new list instead of one call (and
   * one XML rewrite) per entry — firewalld #881 and #1227 are what per-entry calls cost.
   */
  async ipsetEntriesChange(op: 'add' | 'remove' | 'set', input: { name: string; layer: Layer; entries: string[] }) {
    const s = await this.state();
    const set = s[input.layer].ipsets[input.name];
    if (!set) throw new ApiError('NOT_FOUND', `There is no ${input.layer} ipset named "${input.name}"`);
    if (set.options.timeout && set.options.timeout !== '0') {
      throw new ApiError('UNSUPPORTED', `The ipset ${input.name} has a timeout: firewalld cannot list or bulk-set its entries (IPSET_WITH_TIMEOUT)`);
    }
    if (op !== 'remove') validateIpsetEntries(input.entries, set.type, set.options);
    const current = await this.store.ipsetEntries(input.layer, input.name);
    let next: string[];
    let added = 0;
    let removed = 0;
    if (op === 'set') {
      const wanted = new Set(input.entries);
      for (const e of wanted) if (!current.has(e)) added++;
      for (const e of current) if (!wanted.has(e)) removed++;
      next = [...wanted];
    } else if (op === 'add') {
      const merged = new Set(current);
      for (const e of input.entries) {
        if (merged.has(e)) continue;
        merged.add(e);
        added++;
      }
      next = [...merged];
    } else {
      const drop = new Set(input.entries);
      next = [];
      for (const e of current) {
        if (drop.has(e)) removed++;
        else next.push(e);
      }
    }
    if (added || removed) {
      const what = `${op === 'set' ? 'replacing' : op === 'add' ? 'adding' : 'removing'} ${op === 'set' ? next.length : input.entries.length} entries ${op === 'remove' ? 'from' : 'of'} ipset ${input.name}`;
      if (input.layer === 'runtime') await this.client.call('ipset.setEntries', [input.name, next], { what, timeoutMs: BULK_TIMEOUT_MS });
      else await this.client.configCall('ipset', input.name, 'setEntries', [next], { what, timeoutMs: BULK_TIMEOUT_MS, fresh: true });
      this.store.setEntriesCache(input.layer, input.name, next);
    }
    return { ...this.rev(), entryCount: next.length, added, removed };
  }

  // --- global ---

  private async requireReloadConfirmation(what: string, confirm: boolean): Promise<void> {
    if (confirm) return;
    const s = await this.state();
    const diffs = diffLayers(s, undefined, undefined, await this.entryComparisons(s));
    const lost = runtimeChangesLostOnReload(diffs);
    if (lost.length) {
      const effects = reloadEffects(diffs);
      const lostText = effectsText([...effects.lost, ...effects.changed.filter((e) => lost.some((d) => d.kind === e.kind && d.name === e.name))]);
      throw new ApiError(
        'NEEDS_CONFIRMATION',
        `${what} discards runtime changes that are not saved to permanent: ${lostText}.` +
          (effects.gained.length ? ` It also adds what only permanent has: ${effectsText(effects.gained)}.` : '') +
          ' Save them to permanent first (Runtime → permanent), or confirm to go ahead anyway.',
        { differences: lost, lost: effects.lost, gained: effects.gained, changed: effects.changed, confirmWith: 'confirm' },
      );
    }
  }

  async reload(complete: boolean, confirm: boolean) {
    await this.requireReloadConfirmation('Reloading', confirm);
    await this.doReload(complete);
    return this.rev();
  }

  private async doReload(complete = false): Promise<void> {
    await this.client.call(complete ? '.completeReload' : '.reload', [], { what: 'reloading firewalld', timeoutMs: RELOAD_TIMEOUT_MS });
    this.store.invalidate();
    await this.store.get();
  }

  async runtimeToPermanent() {
    await this.state();
    await this.client.call('.runtimeToPermanent', [], { what: 'saving runtime to permanent', timeoutMs: RELOAD_TIMEOUT_MS });
    this.store.invalidate();
    await this.store.get();
    return this.rev();
  }

  async setLogDenied(value: LogDenied, confirm: boolean) {
    const s = await this.state();
    if (s.global.logDenied === value) return this.rev();
    // firewalld reloads after setLogDenied (#1115): same warning as reload.
    await this.requireReloadConfirmation('Changing LogDenied reloads firewalld and', confirm);
    await this.client.call('.setLogDenied', [value], { what: `setting LogDenied to ${value}`, timeoutMs: RELOAD_TIMEOUT_MS });
    this.store.invalidate();
    await this.store.get();
    return this.rev();
  }

  async setPanicMode(enabled: boolean, confirm: boolean) {
    await this.state();
    if (enabled && !confirm) {
      throw new ApiError('NEEDS_CONFIRMATION', 'Panic mode drops ALL network traffic, including remote sessions to this host. Confirm, or use safe apply.', {
        suggestion: 'safeApply',
      });
    }
    await this.panic(enabled);
    return this.rev();
  }

  private async panic(enabled: boolean): Promise<void> {
    try {
      await this.client.call(enabled ? '.enablePanicMode' : '.disablePanicMode', [], { what: `turning panic mode ${enabled ? 'on' : 'off'}` });
    } catch (e) {
      // Already in the asked-for state: fine for an idempotent intent.
      const code = (e as ApiError).detail as { firewalldCode?: string } | undefined;
      if (!(e instanceof ApiError && ['ALREADY_ENABLED', 'NOT_ENABLED'].includes(code?.firewalldCode ?? ''))) throw e;
    }
    await this.store.refreshGlobal();
  }

  /** systemd's StartUnit over the same bus; systemd asks polkit (interactive) and decides. */
  async startFirewalld(): Promise<{ job: string }> {
    try {
      const [job] = await this.client.callOther(
        {
          destination: 'org.freedesktop.systemd1',
          path: '/org/freedesktop/systemd1',
          interface: 'org.freedesktop.systemd1.Manager',
          member: 'StartUnit',
          signature: 'ss',
          body: ['firewalld.service', 'replace'],
          // ALLOW_INTERACTIVE_AUTHORIZATION: let polkit prompt the user.
          flags: 4,
        },
        90_000,
      );
      return { job: String(job) };
    } catch (e) {
      const dbusError = (e as ApiError).detail && ((e as ApiError).detail as { dbusError?: string }).dbusError;
      if (dbusError === 'org.freedesktop.DBus.Error.ServiceUnknown' || dbusError === 'org.freedesktop.DBus.Error.NameHasNoOwner') {
        throw new ApiError('UNSUPPORTED', `systemd is not reachable on the system bus ${this.client.busAddress}: start firewalld by other means`, {
          dbusError,
        });
      }
      if (e instanceof ApiError && e.code === 'FIREWALLD_ERROR' && /InteractiveAuthorizationRequired|AccessDenied/.test(String(dbusError))) {
        throw new ApiError('NOT_AUTHORIZED', `systemd refused to start firewalld: ${e.message}`, e.detail);
      }
      throw e;
    }
  }

  // --- safe apply ---

  async safeApply(change: SafeChange, seconds: number, saveToPermanent: boolean, confirm = false): Promise<SafeApplySession> {
    const s = await this.state();
    const decision = await this.safeApplyCheck(change);
    const summary = change.type === 'defaultZone' ? `Default zone ${s.global.defaultZone} → ${change.name} (runtime and firewalld.conf)` : describeChange(change);
    // firewalld cannot set the default zone in one layer only: it is always runtime and permanent.
    const save = change.type === 'defaultZone' ? true : saveToPermanent;
    return this.safe.start(
      change,
      { seconds, saveToPermanent: save, summary, reasons: decision.reasons },
      async (): Promise<AppliedChange> => {
      const v = s.daemon.version;
      if (change.type === 'panic') {
        await this.panic(change.enabled);
        return { revert: () => this.panic(!change.enabled) };
      }
      if (change.type === 'defaultZone') {
        if (!s.runtime.zones[change.name]) throw new ApiError('NOT_FOUND', `There is no runtime zone named "${change.name}"`, { zones: Object.keys(s.runtime.zones) });
        // Asked fresh, not from the cached state: the revert plan must be what firewalld uses now.
        const [current] = await this.client.call('.getDefaultZone', [], { what: 'reading the default zone' });
        const previous = String(current);
        if (previous === change.name) throw new ApiError('INVALID_INPUT', `${change.name} is already the default zone`);
        await this.writeDefaultZone(change.name);
        // Both layers changed at once, so the revert restores both with the same call and there is nothing to save on confirm.
        return {
          revert: async () => {
            // The host's own revert may have set it back already (ZONE_ALREADY_SET): that is the goal.
            await this.writeDefaultZone(previous).catch(async (e: unknown) => {
              if (!isIdempotentOutcome(e)) throw e;
              await this.store.refreshGlobal();
            });
          },
        };
      }
      if (change.type === 'policy') {
        validatePolicyPatch(change.patch, s.runtime);
        const res = await applyPolicyPatch(this.client, v, 'runtime', change.name, change.patch);
        await this.store.refreshObject('runtime', 'policy', change.name);
        return {
          revert: async () => {
            await res.revert();
            await this.store.refreshObject('runtime', 'policy', change.name);
          },
          save: async () => {
            await applyPolicyPatch(this.client, v, 'permanent', change.name, res.effective);
            await this.store.refreshObject('permanent', 'policy', change.name);
          },
        };
      }
      validateZonePatch(change.patch, s.runtime);
      const { target, short, description, ingressPriority, egressPriority, ...runtimePart } = change.patch;
      if ([target, short, description, ingressPriority, egressPriority].some((x) => x !== undefined)) {
        // The target is permanent-only in firewalld: change permanent and reload, revert the same way.
        await this.requireReloadConfirmation('Safe-applying a zone target reloads firewalld and', confirm);
        const res = await applyPermanentZonePatch(this.client, v, change.name, change.patch);
        await this.doReload();
        return {
          revert: async () => {
            await res.revert();
            await this.doReload();
          },
        };
      }
      if (isEmptyPatch(runtimePart)) throw new ApiError('INVALID_INPUT', 'The change is empty');
      const res = await applyRuntimeZonePatch(this.client, change.name, runtimePart);
      await this.store.refreshObject('runtime', 'zone', change.name);
      await this.store.refreshGlobal();
      return {
        revert: async () => {
          await res.revert();
          await this.store.refreshObject('runtime', 'zone', change.name);
          await this.store.refreshGlobal();
        },
        save: async () => {
          await applyPermanentZonePatch(this.client, v, change.name, res.effective);
          await this.store.refreshObject('permanent', 'zone', change.name);
        },
      };
      },
      await this.detachedRevert(s, change),
    );
  }

  /**
   * The revert the host runs by itself at the deadline unless cancelled (the helper's
   * schedule-revert with firewall-cmd commands): it survives this process being killed outright
   * and, on a remote host, the SSH link being cut. Undefined when there is nothing to revert.
   */
  private async detachedRevert(s: FullState, change: SafeChange): Promise<DetachedRevert | undefined> {
    let basis = s;
    if (change.type === 'defaultZone') {
      // The cached state may lag a change made elsewhere a moment ago: ask firewalld.
      const [current] = await this.client.call('.getDefaultZone', [], { what: 'reading the default zone' });
      basis = { ...s, global: { ...s.global, defaultZone: String(current) } };
    }
    const commands = firewallRevertPlan(basis, change);
    if (!commands.length) return undefined;
    const transport = this.host.transport;
    const helper = async (request: HelperRequest) => {
      const r = await transport.helper(request, { elevate: false, timeoutMs: 30_000 });
      if (!r.ok) throw new ApiError(r.error.code, r.error.message, r.error.detail);
      return r.result;
    };
    return {
      schedule: async (seconds) => String((await helper({ verb: 'schedule-revert', seconds, plan: { kind: 'firewall-cmd', commands } })).id),
      cancel: async (id) => (await helper({ verb: 'cancel-revert', id })).cancelled === true,
      status: async (id) => String((await helper({ verb: 'revert-status', id })).status),
    };
  }

  async dispose(): Promise<void> {
    // Unconfirmed changes must not outlive HostDeck.
    await this.safe.dispose();
    this.store.dispose();
    this.client.dispose();
  }
}

function describeChange(c: SafeChange): string {
  if (c.type === 'panic') return `Panic mode ${c.enabled ? 'on' : 'off'}`;
  if (c.type === 'defaultZone') return `Default zone ${c.name}`;
  const parts: string[] = [];
  const items = (side: string, o: object | undefined) => {
    for (const [k, v] of Object.entries(o ?? {})) {
      if (!Array.isArray(v) || !v.length) continue;
      parts.push(`${side} ${k} ${v.map((x) => (typeof x === 'string' ? x : `${(x as { port: string }).port}/${(x as { protocol: string }).protocol}`)).join(', ')}`);
    }
  };
  items('add', c.patch.add);
  items('remove', c.patch.remove);
  for (const [k, v] of Object.entries(c.patch)) if (k !== 'add' && k !== 'remove' && v !== undefined) parts.push(`${k} = ${String(v)}`);
  return `${c.type} ${c.name}: ${parts.join('; ') || 'no change'}`;
}

export function firewallService(ctx: Pick<HandlerContext, 'host' | 'events'>): FirewallService {
  return ctx.host.service('firewall', () => new FirewallService(ctx.host, ctx.events));
}
