/** Kernel ("6.1.0-18-amd64", "4.15") and Kubernetes ("1.29", "v1.30.2") versions, compared numerically. */

export type KernelVersion = readonly [number, number, number];

export function parseKernelVersion(v: string): KernelVersion | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3])];
}

export function compareKernel(a: KernelVersion, b: KernelVersion): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** a >= b, where b is a string like "4.15" (the form the tables use). */
export function kernelAtLeast(a: KernelVersion, b: string): boolean {
  const bv = parseKernelVersion(b);
  if (!bv) throw new Error(`bad kernel version in table: ${b}`);
  return compareKernel(a, bv) >= 0;
}

export function formatKernel(v: KernelVersion): string {
  return v[2] ? `${v[0]}.${v[1]}.${v[2]}` : `${v[0]}.${v[1]}`;
}

/** Kubernetes minor version (1.x): "1.29", "v1.29.3" -> 29. Only 1.x exists. */
export function parseK8sMinor(v: string): number | null {
  const m = /^v?1\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(v.trim());
  return m ? Number(m[1]) : null;
}

/**
 * The Kubernetes versions HostDeck classifies for: 1.22 (PSA alpha, allowlist rename) to 1.36, plus
 * 1.37 pre-release.
 *
 * Release check (December 2026, for issue #21): the stored Kubernetes sources show that v1.37.0
 * exists (CHANGELOG-1.38.md, "Changelog since v1.37.0"), but the kubelet's safe_sysctls.go,
 * pkg/util/kernel/constants.go and pod-security-admission's policy/check_sysctls.go could not be
 * read at a v1.37.x tag (the repository is too large to fetch here; the stored copies are of other
 * commits). HostDeck's 1.37 rows rest on CHANGELOG-1.37.md of v1.37.0-alpha.1 and the PRs it
 * lists, so 1.37 stays marked pre-release until those three files are read at the tag.
 */
export const K8S_MIN_MINOR = 22;
export const K8S_MAX_RELEASED_MINOR = 36;
export const K8S_PRERELEASE_MINOR = 37;
/** The version verdicts use until one is chosen (the session's; Compare follows the Kernel page). */
export const K8S_DEFAULT_VERSION = '1.33';
/** "Kubernetes 1.37 (pre-release)" for the versions past the last released one. */
export function k8sVersionLabel(v: string): string {
  const minor = parseK8sMinor(v);
  return `Kubernetes ${v}${minor !== null && minor > K8S_MAX_RELEASED_MINOR ? ' (pre-release)' : ''}`;
}
export const k8sVersions: string[] = Array.from(
  { length: K8S_PRERELEASE_MINOR - K8S_MIN_MINOR + 1 },
  (_, i) => `1.${K8S_MIN_MINOR + i}`,
);
