import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { exportSnippets } from '../../shared/kernel/export';
import { classifySysctl, validateAllowedUnsafe } from '../../shared/kernel/k8s';
import { compareKernel, K8S_MAX_RELEASED_MINOR, k8sVersionLabel, k8sVersions, parseKernelVersion, type KernelVersion } from '../../shared/kernel/version';

// Ground truth: the table HostDeck ships (shared/kernel/data/k8s-sysctls.json, copied from the
// kernel reference and never edited by hand), read as data; the rules below are written from the
// reference's prose independently of the product code, so this test proves the two agree. Tests
// never read the reference folder beside the repository: a checkout must test on its own.
const refPath = fileURLToPath(new URL('../../shared/kernel/data/k8s-sysctls.json', import.meta.url));
if (!existsSync(refPath)) throw new Error(`Table missing: ${refPath}`);
interface Row {
  name: string;
  namespace: string;
  k8sSafeSince: string | null;
  minKernel: string | null;
  podSecurityBaselineSince: string | null;
  kernelNamespacedSince?: string | null;
  perNetnsOrNsStatus?: string;
  releaseStatus?: string;
}
const ref = JSON.parse(readFileSync(refPath, 'utf8')) as {
  sysctls: Row[];
  safeSetByKubernetesVersion: Record<string, string[]>;
  podSecurityBaselineAllowedByPolicyVersion: Record<string, string[]>;
};

const minor = (v: string) => Number(v.replace(/^v/, '').split('.')[1]);
const k = (v: string) => parseKernelVersion(v)!;
const ge = (a: KernelVersion, b: string) => compareKernel(a, k(b)) >= 0;
const fmt = (v: KernelVersion) => `${v[0]}.${v[1]}.${v[2]}`;

// Every kernel version the table mentions, and the release just before each.
const boundaryKernels: KernelVersion[] = (() => {
  const found = new Set<string>(['6.1', '6.12', '6.18']);
  for (const r of ref.sysctls) {
    for (const text of [r.minKernel, r.kernelNamespacedSince, r.perNetnsOrNsStatus]) {
      for (const m of (text ?? '').matchAll(/(?<![\w.])(\d+\.\d+(?:\.\d+)?)(?![\w.])/g)) found.add(m[1]!);
    }
  }
  const out: KernelVersion[] = [];
  for (const v of found) {
    const kv = k(v);
    out.push(kv);
    out.push(kv[2] > 0 ? [kv[0], kv[1], kv[2] - 1] : kv[1] > 0 ? [kv[0], kv[1] - 1, 99] : [kv[0] - 1, 99, 0]);
  }
  return out.sort(compareKernel);
})();

/** The namespace the reference says a pod owns for this key on this kernel. */
function expectedNamespace(r: Row, kernel: KernelVersion): string | null {
  if (r.namespace === 'none') {
    const m = /per-netns in (\d+\.\d+)/.exec(r.perNetnsOrNsStatus ?? '');
    return m && ge(kernel, m[1]!) ? 'net' : null;
  }
  const since = parseKernelVersion(r.kernelNamespacedSince ?? '');
  if (since && compareKernel(kernel, since) < 0) return null;
  return r.namespace;
}

/** The kubelet's namespace rules, written from the reference (§9) independently of the product code. */
function kubeletKnows(name: string, m: number): boolean {
  if (m <= 28) return name === 'kernel.sem' || /^kernel\.(shm|msg)/.test(name) || name.startsWith('fs.mqueue.') || name.startsWith('net.');
  const ipc = ['kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced', 'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni'];
  if (ipc.includes(name) || name.startsWith('net.') || name.startsWith('fs.mqueue.')) return true;
  return m >= 37 && (name === 'kernel.domainname' || name.startsWith('user.'));
}

describe('Kubernetes classification matches the reference table', () => {
  const versions = Array.from({ length: 16 }, (_, i) => 22 + i); // 1.22 .. 1.37 (pre-release)
  it('covers every key, Kubernetes version and kernel boundary', () => {
    let checked = 0;
    for (const r of ref.sysctls) {
      for (const m of versions) {
        for (const kernel of boundaryKernels) {
          const c = classifySysctl(r.name, { k8s: `1.${m}`, kernel: fmt(kernel) });
          const ns = expectedNamespace(r, kernel);
          const safe = r.k8sSafeSince !== null && minor(r.k8sSafeSince) <= m && (r.minKernel === null || ge(kernel, r.minKernel));
          const runcRejects = /rejected by runc/.test(r.perNetnsOrNsStatus ?? '');
          const status = safe ? 'safe' : ns !== null && kubeletKnows(r.name, m) && !runcRejects ? 'unsafe' : 'node-level';
          const ps = r.podSecurityBaselineSince !== null && minor(r.podSecurityBaselineSince) <= m ? 'allowed' : 'forbidden';
          const where = `${r.name} k8s 1.${m} kernel ${fmt(kernel)}`;
          expect(c.namespace, where).toBe(ns);
          expect(c.kubernetes.status, where).toBe(status);
          expect(c.kubernetes.podSecurityBaseline, where).toBe(ps);
          expect(c.kubernetes.safeSince, where).toBe(r.k8sSafeSince);
          expect(c.kubernetes.minKernel, where).toBe(r.minKernel);
          checked++;
        }
      }
    }
    expect(checked).toBe(ref.sysctls.length * versions.length * boundaryKernels.length);
    expect(boundaryKernels.length).toBeGreaterThanOrEqual(16);
  });

  it('reproduces the safe set of every Kubernetes version range (new kernel) and the gating (unknown kernel)', () => {
    const cumulative: string[] = [];
    for (const [range, adds] of Object.entries(ref.safeSetByKubernetesVersion)) {
      const names = adds.map((a) => /^\+?([a-z0-9_.]+)/.exec(a)![1]!);
      const gated = new Set(adds.filter((a) => /\(/.test(a)).map((a) => /^\+?([a-z0-9_.]+)/.exec(a)![1]!));
      cumulative.push(...names);
      const [from, to] = range.replace(/ \(unreleased\)/, '').split('-');
      for (let m = minor(from!); m <= minor(to ?? from!); m++) {
        if (m < 22) continue;
        const all = ref.sysctls.map((r) => r.name);
        const safeNew = all.filter((n) => classifySysctl(n, { k8s: `1.${m}`, kernel: '6.12' }).kubernetes.status === 'safe');
        expect(safeNew.sort(), `1.${m}`).toEqual([...cumulative].sort());
        const safeUnknown = all.filter((n) => classifySysctl(n, { k8s: `1.${m}`, kernel: null }).kubernetes.status === 'safe');
        for (const n of safeUnknown) expect(gated.has(n), `${n} is gated, so dropped on an unknown kernel`).toBe(false);
      }
    }
  });

  it('reproduces the PodSecurity baseline of every policy version', () => {
    const cumulative: string[] = [];
    for (const [range, adds] of Object.entries(ref.podSecurityBaselineAllowedByPolicyVersion)) {
      cumulative.push(...adds.map((a) => a.replace(/^\+/, '')));
      const v = /v1\.(\d+)/.exec(range.split('-')[1] ?? range)![1]!;
      const m = Math.max(22, Number(v));
      const allowed = ref.sysctls
        .map((r) => r.name)
        .filter((n) => classifySysctl(n, { k8s: `1.${m}`, kernel: '6.1' }).kubernetes.podSecurityBaseline === 'allowed');
      expect(allowed.sort(), range).toEqual([...cumulative].sort());
    }
  });
});

describe('exact error texts', () => {
  it('kubelet SysctlForbidden with host network: lower case before 1.29, capitalised after', () => {
    const a = classifySysctl('net.ipv4.ip_local_port_range', { k8s: '1.28', kernel: '6.1', hostNetwork: true });
    expect(a.kubernetes.errors.sysctlForbidden).toBe('forbidden sysctl: "net.ipv4.ip_local_port_range" not allowed with host net enabled');
    expect(a.kubernetes.errors.apiValidation).toBeUndefined();
    const b = classifySysctl('net.ipv4.ip_unprivileged_port_start', { k8s: '1.29', kernel: '6.1', hostNetwork: true });
    expect(b.kubernetes.errors.sysctlForbidden).toBe('forbidden sysctl: "net.ipv4.ip_unprivileged_port_start" not allowed with host Net enabled');
    expect(b.kubernetes.errors.apiValidation).toBe(
      `spec.securityContext.sysctls[0].name: Invalid value: "net.ipv4.ip_unprivileged_port_start": may not be specified when 'hostNetwork' is true`,
    );
    const c = classifySysctl('kernel.shm_rmid_forced', { k8s: '1.30', kernel: '6.1', hostIPC: true });
    expect(c.kubernetes.errors.sysctlForbidden).toBe('forbidden sysctl: "kernel.shm_rmid_forced" not allowed with host IPC enabled');
  });

  it('a hostNetwork/hostIPC pod cannot set the conflicting keys; exports send them to the node', () => {
    expect(classifySysctl('net.ipv4.ip_local_port_range', { k8s: '1.33', kernel: '6.1' }).kubernetes.settableInPod).toBe(true);
    expect(classifySysctl('net.ipv4.ip_local_port_range', { k8s: '1.33', kernel: '6.1', hostNetwork: true }).kubernetes.settableInPod).toBe(false);
    expect(classifySysctl('net.ipv4.ip_local_port_range', { k8s: '1.33', kernel: '6.1', hostIPC: true }).kubernetes.settableInPod).toBe(true);
    expect(classifySysctl('kernel.shm_rmid_forced', { k8s: '1.33', kernel: '6.1', hostIPC: true }).kubernetes.settableInPod).toBe(false);
    const settings = [
      { key: 'net.ipv4.ip_local_port_range', value: '1024 65000' },
      { key: 'kernel.shm_rmid_forced', value: '1' },
    ];
    const r = exportSnippets('pod', settings, { k8s: '1.33', kernel: '6.1', hostNetwork: true });
    expect(r.placements.map((p) => `${p.key}:${p.target}`)).toEqual(['net.ipv4.ip_local_port_range:node', 'kernel.shm_rmid_forced:pod']);
    expect(r.placements[0]!.reason).toMatch(/hostNetwork/);
    // The hostNetwork pod needs PodSecurity privileged: its document holds the Namespace first, then the Pod.
    const [ns, pod] = parseAllDocuments(r.documents[0]!.text).map((d) => d.toJS()) as [{ kind: string }, { spec: { hostNetwork: boolean; securityContext: { sysctls: { name: string }[] } } }];
    expect(ns.kind).toBe('Namespace');
    expect(pod.spec.hostNetwork).toBe(true);
    expect(pod.spec.securityContext.sysctls.map((x) => x.name)).toEqual(['kernel.shm_rmid_forced']);
  });

  it('not allowlisted, PodSecurity, runc and kubelet start errors', () => {
    const mm = classifySysctl('vm.max_map_count', { k8s: '1.31', kernel: '6.1' });
    expect(mm.kubernetes.status).toBe('node-level');
    expect(mm.namespace).toBeNull();
    expect(mm.kubernetes.errors.sysctlForbidden).toBe('forbidden sysctl: "vm.max_map_count" not allowlisted');
    expect(mm.kubernetes.errors.kubeletStart).toBe('the sysctl "vm.max_map_count" are not known to be namespaced');
    expect(mm.kubernetes.errors.runtime).toBe('sysctl "vm.max_map_count" is not in a separate kernel namespace');
    const so = classifySysctl('net.core.somaxconn', { k8s: '1.36', kernel: '6.12' });
    expect(so.kubernetes.status).toBe('unsafe');
    expect(so.kubernetes.errors.podSecurity).toBe('violates PodSecurity "baseline:latest": forbidden sysctls (net.core.somaxconn)');
    const pinned = classifySysctl('net.ipv4.ip_local_reserved_ports', { k8s: '1.36', kernel: '6.12', podSecurityVersion: 'v1.26' });
    expect(pinned.kubernetes.status).toBe('safe');
    expect(pinned.kubernetes.podSecurityBaseline).toBe('forbidden');
    expect(pinned.kubernetes.errors.podSecurity).toBe('violates PodSecurity "baseline:v1.26": forbidden sysctls (net.ipv4.ip_local_reserved_ports)');
    const host = classifySysctl('kernel.hostname', { k8s: '1.36', kernel: '6.12' });
    expect(host.namespace).toBe('uts');
    expect(host.kubernetes.errors.runtime).toBe('sysctl "kernel.hostname" is not allowed as it conflicts with the OCI "hostname" field');
    const rmem = classifySysctl('net/core/rmem_max', { k8s: '1.33', kernel: '6.12' });
    expect(rmem.name).toBe('net.core.rmem_max');
    expect(rmem.kubernetes.status).toBe('node-level');
    expect(rmem.kubernetes.errors.runtime).toContain('permission denied');
    expect(classifySysctl('net.core.rmem_max', { k8s: '1.33', kernel: '6.1' }).kubernetes.errors.runtime).toContain('no such file or directory');
  });

  it('slash names: kubelet normalises, PodSecurity does not', () => {
    const c = classifySysctl('net/ipv4/ip_local_port_range', { k8s: '1.30', kernel: '6.1' });
    expect(c.name).toBe('net.ipv4.ip_local_port_range');
    expect(c.kubernetes.status).toBe('safe');
    expect(c.kubernetes.podSecurityBaseline).toBe('forbidden');
    const vlan = classifySysctl('net/ipv4/conf/eno2.100/rp_filter', { k8s: '1.30', kernel: '6.1' });
    expect(vlan.name).toBe('net.ipv4.conf.eno2/100.rp_filter');
    expect(vlan.path).toBe('net/ipv4/conf/eno2.100/rp_filter');
  });

  it('tcp_syncookies stays safe on kernel 4.4 (no kubelet gate) but the kernel does not namespace it', () => {
    const c = classifySysctl('net.ipv4.tcp_syncookies', { k8s: '1.30', kernel: '4.4.0-210-generic' });
    expect(c.kubernetes.status).toBe('safe');
    expect(c.namespace).toBeNull();
    expect(c.kubernetes.reasons.join(' ')).toMatch(/does not namespace/);
  });

  it('rejects versions outside 1.22-1.37 and bad kernels with a clear message', () => {
    expect(() => classifySysctl('kernel.sem', { k8s: '1.21', kernel: '6.1' })).toThrow(/1\.22 to 1\.36/);
    expect(() => classifySysctl('kernel.sem', { k8s: '1.30', kernel: 'six' })).toThrow(/Kernel version "six"/);
  });
});

describe('allowedUnsafeSysctls validation (kubelet start)', () => {
  it.each([
    ['kernel.msg*', null],
    ['net.*', null],
    ['net.ipv4.tcp_*', null],
    ['kernel.sem', null],
    ['net.ipv4.conf.*.send_redirects', 'must have at most 253 characters and match regex'],
    ['*', 'must have at most 253 characters'],
    ['vm.max_map_count', 'the sysctl "vm.max_map_count" are not known to be namespaced'],
    ['fs.aio-max-nr', 'the sysctl "fs.aio-max-nr" are not known to be namespaced'],
    ['vm.*', 'the sysctls "vm.*" are not known to be namespaced'],
  ])('%s', (entry, err) => {
    const r = validateAllowedUnsafe(entry, '1.30');
    if (err === null) expect(r).toBeNull();
    else expect(r).toContain(err);
  });
});

describe('Kubernetes versions: labels and release status come from one place', () => {
  it('every version past the last released one is labelled pre-release, and only those', () => {
    for (const v of k8sVersions) {
      const minor = Number(v.split('.')[1]);
      expect(k8sVersionLabel(v), v).toBe(minor > K8S_MAX_RELEASED_MINOR ? `Kubernetes ${v} (pre-release)` : `Kubernetes ${v}`);
      expect(classifySysctl('net.ipv4.tcp_notsent_lowat', { k8s: v, kernel: '6.1' }).kubernetes.preRelease, v).toBe(minor > K8S_MAX_RELEASED_MINOR);
    }
  });
});
