import { k8sRowByName, baselineAllowedFor, safeListFor } from './k8s-table';
import { normalizeKey, keyToPath } from './keys';
import { kernelNamespace, type Namespace, type NamespaceInfo } from './namespaces';
import { formatKernel, kernelAtLeast, K8S_MAX_RELEASED_MINOR, K8S_MIN_MINOR, K8S_PRERELEASE_MINOR, parseK8sMinor, parseKernelVersion, type KernelVersion } from './version';

/**
 * The Kubernetes verdict for one sysctl: what the kubelet, PodSecurity admission, the API
 * server and runc will each do with it, for a Kubernetes version and a node kernel.
 * Rules from the HostDeck kernel reference §7–§13; the per-key facts from ./data.
 */
export type K8sStatus = 'safe' | 'unsafe' | 'node-level';

export interface ClassifyOptions {
  /** Kubernetes version of the kubelet ("1.29"). */
  k8s: string;
  /** Node kernel version ("6.1", "5.15.0-91-generic"); null = unknown (kubelet drops gated safe sysctls). */
  kernel: string | null;
  /** PodSecurity policy version (namespace label enforce-version); defaults to the Kubernetes version ("latest"). */
  podSecurityVersion?: string;
  hostNetwork?: boolean;
  hostIPC?: boolean;
}

export interface K8sErrors {
  /** Pod status message from the kubelet (reason SysctlForbidden). */
  sysctlForbidden?: string;
  /** What the kubelet says once the key is in allowedUnsafeSysctls but the pod uses hostNetwork/hostIPC. */
  sysctlForbiddenWhenAllowlisted?: string;
  /** API server validation (1.29+ with hostNetwork/hostIPC). */
  apiValidation?: string;
  /** PodSecurity admission (baseline or restricted namespaces). */
  podSecurity?: string;
  /** Container runtime (runc), as a FailedCreatePodSandBox event. */
  runtime?: string;
  /** The kubelet refuses to start with this key in allowedUnsafeSysctls. */
  kubeletStart?: string;
}

export interface K8sVerdict {
  status: K8sStatus;
  /** Kubernetes version whose kubelet first lists it as safe (null: never, or only pre-release). */
  safeSince: string | null;
  /** Kernel the kubelet requires before treating it as safe. */
  minKernel: string | null;
  podSecurityBaseline: 'allowed' | 'forbidden';
  podSecurityBaselineSince: string | null;
  /** How the kubelet classifies the name (decides hostNetwork/hostIPC conflicts and allowedUnsafeSysctls validity). */
  kubeletNamespace: Namespace | null;
  /** Setting it conflicts with hostNetwork / hostIPC pods. */
  conflictsWithHostNetwork: boolean;
  conflictsWithHostIPC: boolean;
  /** Whether a pod's attempt would actually reach the kernel (namespace owned by the pod on that kernel). */
  settableInPod: boolean;
  preRelease: boolean;
  reasons: string[];
  errors: K8sErrors;
}

export interface Classification {
  name: string;
  input: string;
  path: string;
  /** Owner namespace on the chosen kernel (null: host-wide). */
  namespace: Namespace | null;
  namespaceInfo: NamespaceInfo;
  kubernetes: K8sVerdict;
}

const IPC_EXACT_129 = new Set(['kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced', 'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.shm', 'kernel.msg']);
/** IPC sysctls runc accepts in a pod's own IPC namespace. */
const RUNC_IPC = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

/** The kubelet's namespace classification of a sysctl name or allowedUnsafeSysctls pattern (reference §9). */
export function kubeletNamespaceOf(name: string, minor: number): Namespace | null {
  const n = name.endsWith('*') ? name.slice(0, -1) : name;
  const isPattern = name.endsWith('*');
  if (minor <= 28) {
    if (n === 'kernel.sem' || n.startsWith('kernel.shm') || n.startsWith('kernel.msg') || n.startsWith('fs.mqueue.')) return 'ipc';
    if (n.startsWith('net.')) return 'net';
    return null;
  }
  if (IPC_EXACT_129.has(n) && (isPattern || (n !== 'kernel.shm' && n !== 'kernel.msg'))) return 'ipc';
  if (n.startsWith('net.')) return 'net';
  if (n.startsWith('fs.mqueue.')) return 'ipc';
  if (minor >= 37) {
    if (n === 'kernel.domainname') return 'uts';
    if (n.startsWith('user.')) return 'user';
  }
  return null;
}

/** What runc says when a pod sets the key (null: runc writes it; the kernel decides). */
export function runcRejection(name: string): string | null {
  if (RUNC_IPC.has(name) || name.startsWith('fs.mqueue.') || name.startsWith('net.') || name === 'kernel.domainname' || name.startsWith('user.')) return null;
  if (name === 'kernel.hostname') return `sysctl "kernel.hostname" is not allowed as it conflicts with the OCI "hostname" field`;
  return `sysctl "${name}" is not in a separate kernel namespace`;
}

export function checkVersions(opts: ClassifyOptions): { minor: number; policyMinor: number; kernel: KernelVersion | null } {
  const minor = parseK8sMinor(opts.k8s);
  if (minor === null || minor < K8S_MIN_MINOR || minor > K8S_PRERELEASE_MINOR) {
    throw new RangeError(`Kubernetes version "${opts.k8s}" is not supported: use 1.${K8S_MIN_MINOR} to 1.${K8S_MAX_RELEASED_MINOR} (or 1.${K8S_PRERELEASE_MINOR} pre-release)`);
  }
  const ps = opts.podSecurityVersion && opts.podSecurityVersion !== 'latest' ? opts.podSecurityVersion : opts.k8s;
  const policyMinor = /^v?1\.0$/.test(ps) ? 0 : parseK8sMinor(ps);
  if (policyMinor === null) throw new RangeError(`PodSecurity version "${opts.podSecurityVersion}" is not a version like v1.29 or latest`);
  let kernel: KernelVersion | null = null;
  if (opts.kernel !== null && opts.kernel !== undefined && opts.kernel !== '') {
    kernel = parseKernelVersion(opts.kernel);
    if (!kernel) throw new RangeError(`Kernel version "${opts.kernel}" is not a version like 6.1 or 5.15.0-91-generic`);
  }
  // A cluster treats policy versions newer than itself as its own ("latest").
  return { minor, policyMinor: Math.min(policyMinor, minor), kernel };
}

/** Classify one sysctl (dot or slash name) for a Kubernetes version and node kernel. */
export function classifySysctl(input: string, opts: ClassifyOptions): Classification {
  const { minor, policyMinor, kernel } = checkVersions(opts);
  const name = normalizeKey(input);
  // Unknown kernel: assume a current one for namespacing, but the kubelet drops gated safe sysctls.
  const nsKernel: KernelVersion = kernel ?? [6, 1, 0];
  const nsInfo = kernelNamespace(name, nsKernel);
  const row = k8sRowByName.get(name);
  const preRelease = minor > K8S_MAX_RELEASED_MINOR;
  const reasons: string[] = [];
  const errors: K8sErrors = {};
  const vLabel = `Kubernetes 1.${minor}${preRelease ? ' (pre-release)' : ''}`;
  const kLabel = kernel ? `kernel ${formatKernel(kernel)}` : 'an unknown kernel';

  const safeEntry = safeListFor(minor).find((e) => e.name === name);
  let safe = false;
  if (safeEntry) {
    if (safeEntry.minKernel === null) {
      safe = true;
      reasons.push(`In the kubelet's safe list since 1.${safeEntry.since}: pods may set it without any kubelet change.`);
    } else if (kernel && kernelAtLeast(kernel, safeEntry.minKernel)) {
      safe = true;
      reasons.push(`In the kubelet's safe list since 1.${safeEntry.since} for kernels >= ${safeEntry.minKernel}; ${kLabel} qualifies.`);
    } else {
      reasons.push(
        `The ${vLabel} kubelet lists it as safe only on kernels >= ${safeEntry.minKernel}; on ${kLabel} it drops it ("kernel version is too old, dropping the sysctl from safe sysctl list").`,
      );
    }
  } else if (row?.k8sSafeSince) {
    reasons.push(`Not in the ${vLabel} safe list (safe from ${row.k8sSafeSince}${row.releaseStatus ? `, ${row.releaseStatus}` : ''}).`);
  }

  const kubeletNs = kubeletNamespaceOf(name, minor);
  const runc = runcRejection(name);
  const settable = nsInfo.namespace !== null && !nsInfo.readOnlyInChild;
  let status: 'safe' | 'unsafe' | 'node-level';
  if (safe) {
    status = 'safe';
    if (!settable) {
      reasons.push(`Warning: on ${kLabel} the kernel does not namespace it, so the pod fails at start (${nsInfo.note})`);
    }
  } else if (kubeletNs !== null && runc === null && settable) {
    status = 'unsafe';
    reasons.push(
      `Namespaced (${nsInfo.namespace}) but not safe: list it in the kubelet's allowedUnsafeSysctls on the nodes, and run the pod in a namespace at the privileged PodSecurity level.`,
    );
  } else {
    status = 'node-level';
    if (kubeletNs === null) {
      reasons.push(
        nsInfo.namespace
          ? `The ${vLabel} kubelet does not know it as namespaced (${nsInfo.namespace}), so it cannot be allowed per pod: set it on the node.`
          : 'Not namespaced: one value for the whole node. Set it on the node (sysctl.d, Tuned, or a privileged DaemonSet).',
      );
    } else if (runc) {
      reasons.push(`The container runtime refuses it in a pod (${runc}): set it on the node.`);
    } else {
      reasons.push(`Kubernetes treats it as ${kubeletNs}-namespaced, but on ${kLabel} the kernel keeps it global: ${nsInfo.note} Set it on the node.`);
    }
  }

  const baseline = baselineAllowedFor(policyMinor);
  const psAllowed = baseline.has(input.trim());
  const psLabel = opts.podSecurityVersion && opts.podSecurityVersion !== 'latest' ? `v1.${policyMinor}` : 'latest';
  if (!psAllowed) {
    errors.podSecurity = `violates PodSecurity "baseline:${psLabel}": forbidden sysctls (${input.trim()})`;
    if (baseline.has(name)) reasons.push('PodSecurity compares exact names: use the dot form.');
  }

  // Kubelet admission (reason SysctlForbidden).
  const nsWord = (ns: Namespace) => (minor >= 29 ? (ns === 'net' ? 'Net' : ns === 'ipc' ? 'IPC' : ns.toUpperCase()) : ns);
  // Without allowedUnsafeSysctls the kubelet rejects every sysctl outside its safe list.
  if (status !== 'safe') errors.sysctlForbidden = `forbidden sysctl: "${name}" not allowlisted`;
  const hostNetConflict = kubeletNs === 'net';
  const hostIpcConflict = kubeletNs === 'ipc';
  if (opts.hostNetwork && hostNetConflict) {
    // The kubelet reports the host-namespace conflict only for allowlisted names (safe, or in allowedUnsafeSysctls).
    const hostErr = `forbidden sysctl: "${name}" not allowed with host ${nsWord('net')} enabled`;
    if (status === 'safe') errors.sysctlForbidden = hostErr;
    else errors.sysctlForbiddenWhenAllowlisted = hostErr;
    if (minor >= 29) errors.apiValidation = `spec.securityContext.sysctls[0].name: Invalid value: "${name}": may not be specified when 'hostNetwork' is true`;
    reasons.push('A hostNetwork pod shares the node network namespace: it cannot set net.* sysctls.');
  }
  if (opts.hostIPC && hostIpcConflict) {
    // The kubelet reports the host-namespace conflict only for allowlisted names (safe, or in allowedUnsafeSysctls).
    const hostErr = `forbidden sysctl: "${name}" not allowed with host ${nsWord('ipc')} enabled`;
    if (status === 'safe') errors.sysctlForbidden = hostErr;
    else errors.sysctlForbiddenWhenAllowlisted = hostErr;
    if (minor >= 29) errors.apiValidation = `spec.securityContext.sysctls[0].name: Invalid value: "${name}": may not be specified when 'hostIPC' is true`;
    reasons.push('A hostIPC pod shares the node IPC namespace: it cannot set IPC sysctls.');
  }
  if (kubeletNs === null) {
    errors.kubeletStart = `the sysctl "${name}" are not known to be namespaced`;
  }
  if (runc) errors.runtime = runc;
  else if (nsInfo.hostOnly) errors.runtime = `open sysctl ${name} file: open /proc/sys/${keyToPath(name)}: no such file or directory`;
  else if (nsInfo.readOnlyInChild) errors.runtime = `open sysctl ${name} file: open /proc/sys/${keyToPath(name)}: permission denied`;

  return {
    name,
    input,
    path: keyToPath(name),
    namespace: nsInfo.namespace,
    namespaceInfo: nsInfo,
    kubernetes: {
      status,
      safeSince: row?.k8sSafeSince ?? null,
      minKernel: row?.minKernel ?? null,
      podSecurityBaseline: psAllowed ? 'allowed' : 'forbidden',
      podSecurityBaselineSince: row?.podSecurityBaselineSince ?? null,
      kubeletNamespace: kubeletNs,
      conflictsWithHostNetwork: hostNetConflict,
      conflictsWithHostIPC: hostIpcConflict,
      // a hostNetwork/hostIPC pod shares the node's namespace: the API (1.29+) or the kubelet refuses the key
      settableInPod: settable && runc === null && !(opts.hostNetwork && hostNetConflict) && !(opts.hostIPC && hostIpcConflict),
      preRelease,
      reasons,
      errors,
    },
  };
}

const ALLOWED_UNSAFE_RE = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*([a-z0-9][-_a-z0-9]*)?[a-z0-9*]$/;

/** Checks one allowedUnsafeSysctls entry as the kubelet does at start; returns the error text or null. */
export function validateAllowedUnsafe(entry: string, k8s: string): string | null {
  const minor = parseK8sMinor(k8s) ?? K8S_MAX_RELEASED_MINOR;
  if (entry.length > 253 || !ALLOWED_UNSAFE_RE.test(entry) || entry === '*') {
    return `sysctl "${entry}" must have at most 253 characters and match regex ${ALLOWED_UNSAFE_RE.source}`;
  }
  const name = entry.endsWith('*') ? entry : normalizeKey(entry);
  if (kubeletNamespaceOf(name, minor) === null) {
    return entry.endsWith('*') ? `the sysctls "${entry}" are not known to be namespaced` : `the sysctl "${entry}" are not known to be namespaced`;
  }
  return null;
}
