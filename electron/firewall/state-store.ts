import { entriesDigest } from '../../shared/firewall/ipset-digest';
import type { EventName, EventPayload } from '../../shared/api/contract';
import type { ObjectChange } from '../../shared/firewall/contract';
import type { FullState, Layer, LayerState, ObjectKind } from '../../shared/firewall/model';
import type { BusReadAnswer } from '../hosts/transport';
import { BulkReads } from './bulk-read';
import type { ConfigKind, FirewalldClient, FirewalldReads, FirewalldSignal } from './client';
import {
  readDaemonConfig,
  readDaemonInfo,
  readGlobal,
  readPermanent,
  readPermanentObject,
  readRuntime,
  readRuntimeObject,
} from './reader';

export type Emit = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

const LAYER_KEY: Record<ObjectKind, keyof LayerState> = {
  zone: 'zones',
  policy: 'policies',
  service: 'services',
  ipset: 'ipsets',
  icmptype: 'icmptypes',
  helper: 'helpers',
};

/** config.<X>Added / Removed signal names -> object kind. */
const CONFIG_SIGNAL_KIND: Record<string, ConfigKind> = {
  Zone: 'zone',
  Policy: 'policy',
  Service: 'service',
  IPSet: 'ipset',
  IcmpType: 'icmptype',
  Helper: 'helper',
};

/** Debounce for coalescing bursts of signals (reload emits ~300 config.*Added). */
const BATCH_MS = 25;
/** ipset entry signals come one per entry (10k for a 10k setEntries): tell the UI at most this often. */
const ENTRY_EVENT_MS = 200;

/**
 * The firewalld state of one host, read once and then kept current from signals: a signal
 * names what changed, and only that object (or the global facts) is re-read — one call,
 * exact truth, instead of re-reading everything or re-implementing firewalld's rules for how
 * a port name or a rich rule is normalized. Reloaded and a new firewalld owner trigger a full
 * re-read (paths renumbered, runtime rebuilt). Every change is pushed as an event.
 */
export class StateStore {
  private state: FullState | undefined;
  private loading: Promise<FullState> | undefined;
  /** Bumped by every full load; object refreshes started under an older one are dropped. */
  private generation = 0;
  private revision = 0;
  private readonly pendingKeys = new Set<string>();
  private batchTimer: NodeJS.Timeout | undefined;
  private fullReloadPending = false;
  /** Entries of ipsets, "layer\0name" -> entries (Set: entry signals add/remove one at a time). */
  private readonly entries = new Map<string, Set<string>>();
  private readonly entryEventTimers = new Map<string, NodeJS.Timeout>();
  private readonly onSignal = (s: FirewalldSignal) => this.handleSignal(s);
  private readonly onOwner = ({ running }: { running: boolean }) => this.handleOwner(running);
  private disposed = false;

  constructor(
    private readonly client: FirewalldClient,
    private readonly emit: Emit,
    private readonly log: (line: string) => void = () => {},
    /** firewalld's full read made on the host in one round trip (HostTransport.busReads), where the host's transport offers it. */
    private readonly bulkRead?: () => Promise<BusReadAnswer[]>,
  ) {
    client.on('signal', this.onSignal);
    client.on('owner', this.onOwner);
  }

  get current(): FullState | undefined {
    return this.state;
  }

  /** The state, loading it on first use. */
  async get(refresh = false): Promise<FullState> {
    if (this.state && !refresh && !this.fullReloadPending) return this.state;
    return this.load();
  }

  /** A full read; concurrent callers share one. */
  load(): Promise<FullState> {
    this.loading ??= this.readAll().finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** The full read's calls: answered by one bulk read on the host where it can, else the client's own calls (a failed bulk read costs nothing but its time). */
  private async readsFor(client: FirewalldClient): Promise<FirewalldReads> {
    if (!this.bulkRead) return client;
    try {
      return new BulkReads(client, await this.bulkRead());
    } catch (e) {
      this.log(`bulk read not used: ${e instanceof Error ? e.message : String(e)}`);
      return client;
    }
  }

  private async readAll(): Promise<FullState> {
    const client = this.client;
    // After ready(): connecting may itself announce the owner (and bump the generation).
    await client.ready();
    const gen = ++this.generation;
    this.pendingKeys.clear();
    const c = await this.readsFor(client);
    const [daemon, config, global, runtime, permanent] = await Promise.all([
      readDaemonInfo(c),
      readDaemonConfig(c),
      readGlobal(c),
      readRuntime(c),
      readPermanent(c),
    ]);
    this.entries.clear();
    for (const [n, e] of runtime.ipsetEntries) this.entries.set(`runtime\0${n}`, new Set(e));
    for (const [n, e] of permanent.ipsetEntries) this.entries.set(`permanent\0${n}`, new Set(e));
    this.fullReloadPending = false;
    const state: FullState = {
      revision: ++this.revision,
      busAddress: client.busAddress,
      daemon,
      config,
      global,
      runtime: runtime.layer,
      permanent: permanent.layer,
      loadedAt: Date.now(),
      timed: [],
    };
    if (gen === this.generation) this.state = state;
    return state;
  }

  /** Entries of an ipset (loaded with the state; re-read if missing). */
  async ipsetEntries(layer: Layer, name: string): Promise<Set<string>> {
    await this.get();
    const key = `${layer}\0${name}`;
    let set = this.entries.get(key);
    if (!set) {
      const body =
        layer === 'runtime'
          ? await this.client.call('ipset.getEntries', [name], { what: `reading entries of ipset ${name}` })
          : await this.client.configCall('ipset', name, 'getEntries', [], { what: `reading entries of permanent ipset ${name}` });
      set = new Set((body[0] as string[]) ?? []);
      this.entries.set(key, set);
    }
    return set;
  }

  /** After our own bulk write: the exact new entries (cheaper than waiting for 100k signals). */
  setEntriesCache(layer: Layer, name: string, entries: Iterable<string>): void {
    const set = new Set(entries);
    this.entries.set(`${layer}\0${name}`, set);
    const obj = this.state?.[layer].ipsets[name];
    if (obj) {
      obj.entryCount = set.size;
      obj.entriesHash = entriesDigest(set);
    }
    this.scheduleEntriesEvent(layer, name);
  }

  /** Re-reads one object now (after our own write) and returns it; pushes the change. */
  async refreshObject(layer: Layer, kind: ObjectKind, name: string): Promise<unknown> {
    await this.get();
    return this.refresh(layer, kind, name, this.generation);
  }

  async refreshGlobal(): Promise<void> {
    await this.get();
    await this.refreshGlobalNow(this.generation);
  }

  /** Marks the state stale (after reload-like operations); the next get() re-reads it all. */
  invalidate(): void {
    this.fullReloadPending = true;
  }

  nextRevision(): number {
    return this.revision;
  }

  private handleOwner(running: boolean): void {
    this.generation++;
    this.pendingKeys.clear();
    if (!running) {
      this.state = undefined;
      this.entries.clear();
      return;
    }
    // A new firewalld instance: read everything again (the service layer emits statusChanged).
    this.fullReloadPending = true;
    if (this.state || this.client.keepAlive) {
      this.load().then(
        (s) => this.emit('firewall.reloaded', { revision: s.revision }),
        (e: unknown) => this.log(`full read after firewalld start failed: ${String(e)}`),
      );
    }
  }

  private handleSignal(s: FirewalldSignal): void {
    if (!this.state || this.disposed) return;
    const b = s.body;
    const first = typeof b[0] === 'string' ? b[0] : '';
    switch (s.iface) {
      case '':
        if (s.member === 'Reloaded') return this.scheduleFullReload();
        if (['DefaultZoneChanged', 'LogDeniedChanged', 'PanicModeEnabled', 'PanicModeDisabled'].includes(s.member)) {
          return this.schedule('global');
        }
        return;
      case 'zone':
        // Every runtime zone signal carries the zone name first (ZoneOfInterfaceChanged too).
        if (first) this.schedule(`runtime\0zone\0${first}`);
        if (/Interface|Source|ZoneChanged/.test(s.member)) this.schedule('global');
        return;
      case 'policy':
        if (first) this.schedule(`runtime\0policy\0${first}`);
        this.schedule('global');
        return;
      case 'ipset':
        if (s.member === 'EntryAdded' || s.member === 'EntryRemoved') {
          const set = this.entries.get(`runtime\0${first}`);
          const entry = String(b[1] ?? '');
          if (set) {
            if (s.member === 'EntryAdded') set.add(entry);
            else set.delete(entry);
            const obj = this.state.runtime.ipsets[first];
            if (obj) obj.entryCount = set.size;
          }
          this.scheduleEntriesEvent('runtime', first);
        }
        return;
      case 'config': {
        const m = /^(Zone|Policy|Service|IPSet|IcmpType|Helper)(Added|Removed)$/.exec(s.member);
        const kind = m ? CONFIG_SIGNAL_KIND[m[1]!] : undefined;
        if (kind && first) this.schedule(`permanent\0${kind}\0${first}`);
        return;
      }
      case 'properties':
        if (s.path.endsWith('/config')) this.schedule('config');
        return;
      default: {
        const m = /^config\.(zone|policy|service|ipset|icmptype|helper)$/.exec(s.iface);
        if (!m) return;
        const kind = m[1] as ConfigKind;
        if (s.member === 'Renamed') {
          // The signal carries only the new name; the old one is whatever this path held.
          this.schedule(`permanent-kind\0${kind}`);
        } else if (first) {
          this.schedule(`permanent\0${kind}\0${first}`);
        }
      }
    }
  }

  private scheduleFullReload(): void {
    this.fullReloadPending = true;
    this.pendingKeys.clear();
    this.schedule('full');
  }

  private schedule(key: string): void {
    this.pendingKeys.add(key);
    if (this.batchTimer) return;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = undefined;
      void this.flush();
    }, BATCH_MS);
  }

  private async flush(): Promise<void> {
    const keys = [...this.pendingKeys];
    this.pendingKeys.clear();
    if (this.disposed || !this.state) return;
    // A full read already under way may have read these objects before the change that
    // signalled them (firewall-cmd right after a reload): let it finish, then re-read them.
    if (this.loading) await this.loading.catch(() => undefined);
    if (this.disposed || !this.state) return;
    if (keys.includes('full') || this.fullReloadPending) {
      try {
        const s = await this.load();
        this.emit('firewall.reloaded', { revision: s.revision });
      } catch (e) {
        this.log(`full re-read failed: ${String(e)}`);
      }
      return;
    }
    const gen = this.generation;
    await Promise.all(
      keys.map(async (key) => {
        try {
          if (key === 'global') return await this.refreshGlobalNow(gen);
          if (key === 'config') return await this.refreshConfigNow(gen);
          const parts = key.split('\0');
          if (parts[0] === 'permanent-kind') return await this.refreshPermanentKind(parts[1] as ConfigKind, gen);
          await this.refresh(parts[0] as Layer, parts[1] as ObjectKind, parts[2]!, gen);
        } catch (e) {
          this.log(`refresh ${key.replace(/\0/g, '/')} failed: ${String(e)}`);
        }
      }),
    );
  }

  private async refresh(layer: Layer, kind: ObjectKind, name: string, gen: number): Promise<unknown> {
    const entriesOut = new Map<string, string[]>();
    let obj: unknown = null;
    try {
      obj =
        layer === 'runtime'
          ? await readRuntimeObject(this.client, kind, name, entriesOut)
          : await readPermanentObject(this.client, kind, name, entriesOut);
    } catch (e) {
      const code = (e as { code?: string }).code;
      const fwCode = (e as { detail?: { firewalldCode?: string } }).detail?.firewalldCode;
      // Gone: firewalld says INVALID_<KIND> (or the config path lookup fails the same way).
      if (code !== 'FIREWALLD_ERROR' || !fwCode?.startsWith('INVALID_')) throw e;
    }
    if (gen !== this.generation || !this.state) return obj;
    const rec = this.state[layer][LAYER_KEY[kind]] as Record<string, unknown>;
    if (obj === null) delete rec[name];
    else rec[name] = obj;
    for (const [n, e] of entriesOut) this.entries.set(`${layer}\0${n}`, new Set(e));
    if (obj === null) this.entries.delete(`${layer}\0${name}`);
    this.state.revision = ++this.revision;
    this.emit('firewall.objectChanged', {
      revision: this.revision,
      layer,
      change: { kind, name, object: obj } as ObjectChange,
    });
    return obj;
  }

  private async refreshPermanentKind(kind: ConfigKind, gen: number): Promise<void> {
    const read = await readPermanent(this.client);
    if (gen !== this.generation || !this.state) return;
    const key = LAYER_KEY[kind];
    const before = this.state.permanent[key] as Record<string, unknown>;
    const after = read.layer[key] as Record<string, unknown>;
    (this.state.permanent as Record<string, unknown>)[key] = after;
    this.state.revision = ++this.revision;
    for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (JSON.stringify(before[name]) === JSON.stringify(after[name])) continue;
      this.emit('firewall.objectChanged', {
        revision: this.revision,
        layer: 'permanent',
        change: { kind, name, object: after[name] ?? null } as ObjectChange,
      });
    }
  }

  private async refreshGlobalNow(gen: number): Promise<void> {
    const global = await readGlobal(this.client);
    if (gen !== this.generation || !this.state) return;
    this.state.global = global;
    this.state.revision = ++this.revision;
    this.emit('firewall.globalChanged', { revision: this.revision, global });
  }

  private async refreshConfigNow(gen: number): Promise<void> {
    const config = await readDaemonConfig(this.client);
    if (gen !== this.generation || !this.state) return;
    this.state.config = config;
    this.state.revision = ++this.revision;
    this.emit('firewall.configChanged', { revision: this.revision, config });
  }

  private scheduleEntriesEvent(layer: Layer, name: string): void {
    const key = `${layer}\0${name}`;
    if (this.entryEventTimers.has(key)) return;
    const t = setTimeout(() => {
      this.entryEventTimers.delete(key);
      if (!this.state) return;
      const set = this.entries.get(key);
      const obj = this.state[layer].ipsets[name];
      const count = set?.size ?? obj?.entryCount ?? 0;
      // The digest is what runtime/permanent differences are judged by: recomputed from the entries, never guessed from the count.
      const entriesHash = set ? entriesDigest(set) : (obj?.entriesHash ?? '');
      if (obj) {
        obj.entryCount = count;
        obj.entriesHash = entriesHash;
      }
      this.state.revision = ++this.revision;
      this.emit('firewall.ipsetEntriesChanged', { revision: this.revision, layer, name, entryCount: count, entriesHash });
    }, ENTRY_EVENT_MS);
    this.entryEventTimers.set(key, t);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.batchTimer);
    for (const t of this.entryEventTimers.values()) clearTimeout(t);
    this.client.off('signal', this.onSignal);
    this.client.off('owner', this.onOwner);
  }
}
