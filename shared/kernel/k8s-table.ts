import table from './data/k8s-sysctls.json';

/**
 * The Kubernetes sysctl facts (kubelet safe list, kernel gates, PodSecurity baseline) as data:
 * a copy of the HostDeck reference table in ./data/k8s-sysctls.json.
 */
export interface K8sSysctlRow {
  name: string;
  namespace: 'net' | 'ipc' | 'uts' | 'user' | 'none';
  k8sSafeSince: string | null;
  minKernel: string | null;
  podSecurityBaselineSince: string | null;
  kernelNamespacedSince?: string | null;
  perNetnsOrNsStatus?: string;
  releaseStatus?: string;
  notes?: string;
  sources?: string[];
}

export const k8sRows: readonly K8sSysctlRow[] = table.sysctls as K8sSysctlRow[];
export const k8sRowByName: ReadonlyMap<string, K8sSysctlRow> = new Map(k8sRows.map((r) => [r.name, r]));

/** "1.29" -> 29 */
export function minorOf(v: string): number {
  return Number(v.split('.')[1]);
}

/** Safe sysctls of one kubelet minor version, before kernel gating: {name, minKernel}. */
export function safeListFor(minor: number): readonly { name: string; minKernel: string | null; since: number }[] {
  // Memoized: kernel.list classifies every key (~1,300) against the same version.
  let list = safeLists.get(minor);
  if (!list) {
    list = k8sRows
      .filter((r) => r.k8sSafeSince !== null && minorOf(r.k8sSafeSince) <= minor)
      .map((r) => ({ name: r.name, minKernel: r.minKernel, since: minorOf(r.k8sSafeSince!) }));
    safeLists.set(minor, list);
  }
  return list;
}
const safeLists = new Map<number, readonly { name: string; minKernel: string | null; since: number }[]>();

/** PodSecurity baseline allowed names for a policy minor version (exact strings). */
export function baselineAllowedFor(policyMinor: number): ReadonlySet<string> {
  let set = baselines.get(policyMinor);
  if (!set) {
    set = new Set(
      k8sRows
        .filter((r) => r.podSecurityBaselineSince !== null && minorOf(r.podSecurityBaselineSince) <= policyMinor)
        .map((r) => r.name),
    );
    baselines.set(policyMinor, set);
  }
  return set;
}
const baselines = new Map<number, ReadonlySet<string>>();
