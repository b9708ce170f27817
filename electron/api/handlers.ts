import type { AllHandlers, FeatureHandlers } from './context';
import type { Feature } from '../../shared/api/contract';
import { loadFeaturePlans } from '../../shared/api/plans';
import { loadFeatureContract } from '../../shared/api/by-feature';

/**
 * Where each feature's handlers live. A call loads only its own feature's module (and the
 * packages that one needs): loading all of them made `hostdeck kernel list` pay for D-Bus,
 * XML and YAML parsers it never uses (issue #22). The type makes a missing feature or a
 * missing handler a compile error: every contract operation is implemented.
 */
const loaders: { [F in Feature]: () => Promise<FeatureHandlers<F>> } = {
  app: async () => (await import('../app/handlers')).appHandlers,
  firewall: async () => (await import('../firewall/handlers')).firewallHandlers,
  dns: async () => (await import('../dns/handlers')).dnsHandlers,
  kernel: async () => (await import('../kernel/handlers')).kernelHandlers,
  compare: async () => (await import('../compare/handlers')).compareHandlers,
  helper: async () => (await import('../helper/handlers')).helperHandlers,
  hosts: async () => (await import('../hosts/handlers')).hostsHandlers,
  history: async () => (await import('../history/handlers')).historyHandlers,
};

const loaded = new Map<Feature, Promise<unknown>>();

/** One feature's handlers, loaded on its first call (the same object every time). */
export function featureHandlers<F extends Feature>(feature: F): Promise<FeatureHandlers<F>> {
  let p = loaded.get(feature);
  if (!p) {
    p = loaders[feature]();
    // A failed load (a package missing from an install) is tried again on the next call.
    p.catch(() => loaded.delete(feature));
    loaded.set(feature, p);
  }
  return p as Promise<FeatureHandlers<F>>;
}

/** Whether `feature` names a feature with handlers (a channel's feature comes from outside). */
export function isFeature(feature: string): feature is Feature {
  return Object.hasOwn(loaders, feature);
}

/**
 * Every feature's handlers, and every feature's contract with them (tests that look at all of
 * them, and probes that load everything before dropping privileges: a later lazy import would
 * resolve files as a user who may not read the checkout).
 */
export async function allHandlers(): Promise<AllHandlers> {
  const features = Object.keys(loaders) as Feature[];
  const [hs] = await Promise.all([
    Promise.all(features.map((f) => featureHandlers(f))),
    Promise.all(features.map((f) => loadFeatureContract(f))),
    Promise.all(features.map((f) => loadFeaturePlans(f))),
    // What handlers themselves load on first use (a read-only CLI run never evaluates them), through
    // their own memoized loaders, so that the later use resolves no file.
    import('../kernel/handlers').then((m) => m.writeParts()),
    import('../helper/lazy-sessions').then((m) => m.loadKeptSession()),
  ]);
  return Object.fromEntries(features.map((f, i) => [f, hs[i]])) as AllHandlers;
}
