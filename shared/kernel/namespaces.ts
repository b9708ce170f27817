import { interfacePattern } from './keys';
import { kernelAtLeast, type KernelVersion } from './version';

/**
 * Which kernel namespace owns a sysctl on a given kernel version. Facts from the HostDeck
 * kernel reference (§5, "What the kernel namespaces") and the k8s-sysctls table, checked
 * against an empirical probe on 6.18 (test/kernel/probe.int.test.ts). Dates the reference
 * marks unverified are marked `verified: false` here too.
 */
export type Namespace = 'net' | 'ipc' | 'uts' | 'user';

export interface NamespaceInfo {
  /** Owner namespace on that kernel, or null: host-wide (cannot differ per pod). */
  namespace: Namespace | null;
  /**
   * The file is visible in a child namespace but without write permission (the data stays
   * global): nf_conntrack_max >= 5.13, net.core.[rw]mem_* on new kernels. namespace is null.
   */
  readOnlyInChild: boolean;
  /** Absent from a fresh network namespace on this kernel (ENOENT in a pod). */
  hostOnly: boolean;
  /** Kernel version from which the key is namespaced, when it is known to matter. */
  since: string | null;
  /** One sentence for the detail panel. */
  note: string;
  /** false when the kernel boundary rests on an unverified date. */
  verified: boolean;
}

/** IPC-namespace knobs (ipc/ipc_sysctl.c, ipc/mq_sysctl.c). */
export const IPC_KEYS = new Set([
  'kernel.shmmax',
  'kernel.shmall',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
  'kernel.msgmax',
  'kernel.msgmni',
  'kernel.auto_msgmni',
  'kernel.msgmnb',
  'kernel.sem',
  'kernel.sem_next_id',
  'kernel.msg_next_id',
  'kernel.shm_next_id',
]);
/** UTS-namespace knobs (kernel/utsname_sysctl.c). */
export const UTS_KEYS = new Set(['kernel.arch', 'kernel.ostype', 'kernel.osrelease', 'kernel.version', 'kernel.hostname', 'kernel.domainname']);

interface SinceRule {
  since: string;
  verified: boolean;
}
/** Keys namespaced only from some kernel version (reference §5 "Namespaced since" and table). */
const NET_SINCE: Record<string, SinceRule> = {
  'net.ipv4.ping_group_range': { since: '3.0', verified: true },
  'net.ipv4.ip_local_reserved_ports': { since: '3.16', verified: true },
  'net.ipv4.tcp_keepalive_time': { since: '4.5', verified: true },
  'net.ipv4.tcp_keepalive_intvl': { since: '4.5', verified: true },
  'net.ipv4.tcp_keepalive_probes': { since: '4.5', verified: true },
  'net.ipv4.tcp_fin_timeout': { since: '4.6', verified: true },
  'net.ipv4.tcp_notsent_lowat': { since: '4.6', verified: true },
  'net.ipv4.tcp_syncookies': { since: '4.6', verified: true },
  'net.ipv4.tcp_rmem': { since: '4.15', verified: true },
  'net.ipv4.tcp_wmem': { since: '4.15', verified: true },
  'net.ipv4.tcp_slow_start_after_idle': { since: '4.15', verified: true },
  // introduced per-netns (the file does not exist before)
  'net.ipv4.ip_unprivileged_port_start': { since: '4.11', verified: false },
  // reference: host-only on 6.1, per-netns on 6.12; the release in between is unverified, so we claim 6.12
  'net.core.optmem_max': { since: '6.12', verified: false },
  'net.core.rps_default_mask': { since: '6.12', verified: false },
};

/** net.* knobs registered for init_net only: absent in every other network namespace. */
const NET_HOST_ONLY: RegExp[] = [
  /^net\.core\.(?!somaxconn$|txrehash$|optmem_max$|rps_default_mask$|tstamp_allow_data$|xfrm_|[rw]mem_(?:default|max)$)/,
  /^net\.ipv4\.(?:tcp_mem|udp_mem|tcp_max_orphans|tcp_low_latency|tcp_available_ulp|fib_sync_mem|ipfrag_secret_interval)$/,
  /^net\.ipv4\.(?:inet_peer_|cipso_)/,
  /^net\.ipv4\.route\.(?:gc_|max_size$|redirect_|error_)/,
  /^net\.ipv[46]\.neigh\.default\./,
  /^net\.ipv6\.(?:mld_max_msf|mld_qrv|ip6frag_secret_interval)$/,
  /^net\.ipv6\.calipso_/,
  /^net\.netfilter\.nf_log_all_netns$/,
  /^net\.nf_conntrack_max$/,
];

/** Visible but read-only in a child netns: the value is global (reference §5, k/k #116460). */
const NET_READ_ONLY_IN_CHILD: Record<string, SinceRule & { before: 'hostOnly' | 'global' }> = {
  'net.core.rmem_default': { since: '6.10', verified: false, before: 'hostOnly' },
  'net.core.rmem_max': { since: '6.10', verified: false, before: 'hostOnly' },
  'net.core.wmem_default': { since: '6.10', verified: false, before: 'hostOnly' },
  'net.core.wmem_max': { since: '6.10', verified: false, before: 'hostOnly' },
  // 2671fa4dc010 (5.13, also 5.12.2): before it a container could change the host's limit
  'net.netfilter.nf_conntrack_max': { since: '5.13', verified: true, before: 'global' },
  'net.netfilter.nf_conntrack_expect_max': { since: '5.13', verified: true, before: 'global' },
  'net.netfilter.nf_conntrack_buckets': { since: '5.13', verified: true, before: 'global' },
  'net.ipv4.tcp_allowed_congestion_control': { since: '0.0', verified: true, before: 'global' },
};

/** Namespaced knobs that do not exist at all before some kernel. */
const EXISTS_SINCE: Record<string, string> = { 'kernel.shm_rmid_forced': '3.1' };

export function kernelNamespace(key: string, kernel: KernelVersion): NamespaceInfo {
  const base: NamespaceInfo = { namespace: null, readOnlyInChild: false, hostOnly: false, since: null, note: '', verified: true };
  // Own keys only: a key named "constructor" or "__proto__" must not find Object.prototype's.
  const exists = Object.hasOwn(EXISTS_SINCE, key) ? EXISTS_SINCE[key] : undefined;
  if (exists && !kernelAtLeast(kernel, exists)) {
    return { ...base, since: exists, note: `Does not exist before kernel ${exists}.` };
  }
  if (IPC_KEYS.has(key) || key.startsWith('fs.mqueue.')) {
    return { ...base, namespace: 'ipc', note: 'Owned by the IPC namespace: a pod with its own IPC namespace has its own value.' };
  }
  if (UTS_KEYS.has(key)) {
    return { ...base, namespace: 'uts', note: 'Owned by the UTS namespace (host and domain names).' };
  }
  if (key.startsWith('user.')) {
    return { ...base, namespace: 'user', note: 'A per-user-namespace limit (ucounts).' };
  }
  if (!key.startsWith('net.')) {
    return { ...base, note: 'Host-wide: one value for the whole node, whatever the namespaces.' };
  }
  const ro = NET_READ_ONLY_IN_CHILD[key];
  if (ro) {
    if (kernelAtLeast(kernel, ro.since)) {
      return {
        ...base,
        readOnlyInChild: true,
        since: ro.since === '0.0' ? null : ro.since,
        verified: ro.verified,
        note: 'Global value: a network namespace sees it read-only (writing it in a pod fails with EACCES).',
      };
    }
    return ro.before === 'hostOnly'
      ? { ...base, hostOnly: true, verified: ro.verified, note: 'Exists only in the host network namespace on this kernel (ENOENT in a pod).' }
      : {
          ...base,
          verified: ro.verified,
          note: `Global value, writable from any network namespace before ${ro.since}: a pod would change the whole node.`,
        };
  }
  const probeKey = interfacePattern(key)?.pattern.replace('.*.', '.lo.') ?? key;
  if (NET_HOST_ONLY.some((r) => r.test(probeKey))) {
    return { ...base, hostOnly: true, note: 'Registered for the host network namespace only: it does not exist in a pod (ENOENT).' };
  }
  const since = NET_SINCE[key];
  if (since && !kernelAtLeast(kernel, since.since)) {
    return {
      ...base,
      hostOnly: true,
      since: since.since,
      verified: since.verified,
      note: `Not per network namespace before kernel ${since.since}.`,
    };
  }
  return {
    ...base,
    namespace: 'net',
    since: since?.since ?? null,
    verified: since?.verified ?? true,
    note: interfacePattern(key)
      ? 'Per network namespace, per interface: a pod sees its own interfaces (eth0 inside the pod).'
      : 'Per network namespace: each pod has its own value.',
  };
}
