import type { z } from 'zod';
import type { EventContract, FeatureContract } from './define';
import type { Api, EventName, Feature, OperationEntry } from './contract';
import { channelCaller, type Transport } from './call';

/**
 * The contract one feature at a time, for the Node side's hot path: a call loads (and builds
 * the zod schemas of) only its own feature's contract. Building every feature's schemas cost
 * `hostdeck kernel list` ~0.1-0.2 s of CPU before any work (issue #22). `contract.ts` stays
 * the whole contract for the preload, IPC registration, the renderer and every type.
 */
const loaders: { [F in Feature]: () => Promise<{ ops: FeatureContract; events: EventContract }> } = {
  app: async () => ((m) => ({ ops: m.appContract, events: m.appEvents }))(await import('../app/contract')),
  firewall: async () => ((m) => ({ ops: m.firewallContract, events: m.firewallEvents }))(await import('../firewall/contract')),
  dns: async () => ((m) => ({ ops: m.dnsContract, events: m.dnsEvents }))(await import('../dns/contract')),
  kernel: async () => ((m) => ({ ops: m.kernelContract, events: m.kernelEvents }))(await import('../kernel/contract')),
  compare: async () => ((m) => ({ ops: m.compareContract, events: m.compareEvents }))(await import('../compare/contract')),
  helper: async () => ((m) => ({ ops: m.helperContract, events: m.helperEvents }))(await import('../helper/contract')),
  hosts: async () => ((m) => ({ ops: m.hostsContract, events: m.hostsEvents }))(await import('../hosts/contract')),
  history: async () => ((m) => ({ ops: m.historyContract, events: m.historyEvents }))(await import('../history/contract')),
};

const pending = new Map<Feature, Promise<{ ops: FeatureContract; events: EventContract }>>();
const ready = new Map<Feature, { ops: FeatureContract; events: EventContract }>();

export function isContractFeature(feature: string): feature is Feature {
  return Object.hasOwn(loaders, feature);
}

/** One feature's operations and events, loaded on first use (the same objects every time). */
export function loadFeatureContract(feature: Feature): Promise<{ ops: FeatureContract; events: EventContract }> {
  let p = pending.get(feature);
  if (!p) {
    p = loaders[feature]().then((c) => (ready.set(feature, c), c));
    p.catch(() => pending.delete(feature));
    pending.set(feature, p);
  }
  return p;
}

function split(name: string): [string, string] {
  const dot = name.indexOf('.');
  return dot < 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot + 1)];
}

/** The operation a channel names ("kernel.list"), loading its feature's contract; undefined for none. */
export async function operationByChannel(channel: string): Promise<OperationEntry | undefined> {
  const [feature, name] = split(channel);
  if (!isContractFeature(feature)) return undefined;
  const { ops } = await loadFeatureContract(feature);
  return Object.hasOwn(ops, name) ? { feature, name, channel, def: ops[name]! } : undefined;
}

/** The operation, if its feature's contract is loaded already (after operationByChannel). */
export function loadedOperation(channel: string): OperationEntry | undefined {
  const [feature, name] = split(channel);
  const ops = isContractFeature(feature) ? ready.get(feature)?.ops : undefined;
  return ops && Object.hasOwn(ops, name) ? { feature: feature as Feature, name, channel, def: ops[name]! } : undefined;
}

/**
 * An event's schema: `loaded` when its feature's contract is here already, else the promise of
 * it (events are named "<feature>.<event>"); null for a name no feature declares.
 */
export function eventSchema(name: EventName): { loaded: z.ZodType } | Promise<z.ZodType | null> {
  const [feature] = split(name);
  if (!isContractFeature(feature)) return Promise.resolve(null);
  const have = ready.get(feature);
  if (have) return Object.hasOwn(have.events, name) ? { loaded: have.events[name]! } : Promise.resolve(null);
  return loadFeatureContract(feature).then((c) => (Object.hasOwn(c.events, name) ? c.events[name]! : null));
}

/**
 * The typed API object over `transport` without loading the contract: `api.kernel.list(...)`
 * sends "kernel.list", and the other side (which checks every call against the contract)
 * answers UNKNOWN_OPERATION for a name it does not offer. The types still come from the contract.
 */
export function createApiByName(transport: Transport): Api {
  const features = new Map<string, Record<string, unknown>>();
  const feature = (f: string) => {
    let ops = features.get(f);
    if (!ops) {
      const fns = new Map<string, unknown>();
      ops = new Proxy({} as Record<string, unknown>, {
        get(_t, name) {
          // Not a thenable: an api object may be the value of a promise.
          if (typeof name !== 'string' || name === 'then') return undefined;
          let fn = fns.get(name);
          if (!fn) {
            fn = channelCaller(transport, `${f}.${name}`);
            fns.set(name, fn);
          }
          return fn;
        },
      });
      features.set(f, ops);
    }
    return ops;
  };
  return new Proxy({} as Api, { get: (_t, f) => (typeof f === 'string' && isContractFeature(f) ? feature(f) : undefined) });
}
