import { parseAllDocuments } from 'yaml';
import { classifySysctl } from '../../../shared/kernel/k8s';

/**
 * What a cluster does with exported YAML, written from the Kubernetes sources independently of
 * the exporter: API server validation (object names, namespaces, labels, annotations, selectors,
 * tolerations, pod sysctls: name rule, duplicates, host-namespace conflicts from 1.29), PodSecurity
 * admission for the namespace the pod lands in (a namespace without label gets `defaultLevel`),
 * and kubelet admission (a sysctl outside the safe list needs allowedUnsafeSysctls on the node the
 * pod is scheduled to, which the pod must select). Returns every violation; [] = accepted.
 */
export interface ClusterOptions {
  k8s: string;
  kernel: string;
  /** PodSecurity level of namespaces without an enforce label (clusters often default to baseline). */
  defaultLevel?: 'privileged' | 'baseline';
}

type Obj = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, unknown>; annotations?: Record<string, unknown> }; spec?: Record<string, unknown> } & Record<string, unknown>;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
// validation.go: SysctlContainSlashFmt
const SYSCTL_SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const SYSCTL_NAME = new RegExp(`^(${SYSCTL_SEGMENT}[\\./])*${SYSCTL_SEGMENT}$`);

function isLabel(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}
function isSubdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}
function isQualifiedName(k: string): boolean {
  const parts = k.split('/');
  if (parts.length > 2) return false;
  const name = parts.pop()!;
  if (parts.length && !isSubdomain(parts[0]!)) return false;
  return name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** Parses the YAML texts (each may hold several documents) strictly. */
export function parseObjects(...texts: string[]): Obj[] {
  const out: Obj[] = [];
  for (const t of texts) {
    for (const d of parseAllDocuments(t)) {
      if (d.errors.length) throw new Error(`YAML error: ${d.errors[0]!.message}`);
      const v = d.toJS() as Obj | null;
      if (v) out.push(v);
    }
  }
  return out;
}

function checkMeta(o: Obj, errs: string[]): void {
  const m = o.metadata ?? {};
  const where = `${o.kind}/${m.name}`;
  if (!m.name) errs.push(`${o.kind}: metadata.name: Required value`);
  else if (o.kind === 'Namespace' ? !isLabel(m.name) : !isSubdomain(m.name)) errs.push(`${where}: metadata.name: Invalid value: "${m.name}"`);
  if (m.namespace !== undefined && !isLabel(m.namespace)) errs.push(`${where}: metadata.namespace: Invalid value: "${m.namespace}"`);
  checkLabels(m.labels, `${where}: metadata.labels`, errs);
  for (const [k, v] of Object.entries(m.annotations ?? {})) {
    if (!isQualifiedName(k)) errs.push(`${where}: metadata.annotations: Invalid value: "${k}"`);
    if (typeof v !== 'string') errs.push(`${where}: metadata.annotations[${k}]: must be a string`);
  }
}

function checkLabels(labels: Record<string, unknown> | undefined, where: string, errs: string[]): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (!isQualifiedName(k)) errs.push(`${where}: Invalid value: "${k}"`);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) errs.push(`${where}: Invalid value: "${String(v)}"`);
  }
}

interface PodSpec {
  hostNetwork?: boolean;
  hostIPC?: boolean;
  nodeSelector?: Record<string, unknown>;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
  securityContext?: { sysctls?: { name: unknown; value: unknown }[] };
  containers?: { name?: string; image?: string; securityContext?: { privileged?: boolean } }[];
  initContainers?: { name?: string; image?: string; securityContext?: { privileged?: boolean } }[];
  runtimeClassName?: string;
}

function minor(v: string): number {
  return Number(v.split('.')[1]);
}

/** Validation of a pod spec as the API server does it (the parts exports touch). */
function checkPodSpec(spec: PodSpec, where: string, opts: ClusterOptions, errs: string[]): void {
  if (!spec.containers?.length) errs.push(`${where}.containers: Required value`);
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    if (!c.name || !isLabel(c.name)) errs.push(`${where}.containers.name: Invalid value: "${c.name}"`);
    if (!c.image) errs.push(`${where}.containers.image: Required value`);
  }
  if (spec.runtimeClassName !== undefined && !isSubdomain(spec.runtimeClassName)) errs.push(`${where}.runtimeClassName: Invalid value`);
  checkLabels(spec.nodeSelector, `${where}.nodeSelector`, errs);
  for (const t of spec.tolerations ?? []) {
    if (t.key && !isQualifiedName(t.key)) errs.push(`${where}.tolerations.key: Invalid value: "${t.key}"`);
    if (t.operator && !['Equal', 'Exists'].includes(t.operator)) errs.push(`${where}.tolerations.operator: Unsupported value: "${t.operator}"`);
    if (t.operator === 'Exists' && t.value) errs.push(`${where}.tolerations.value: must be empty when operator is Exists`);
    if (t.effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) errs.push(`${where}.tolerations.effect: Unsupported value: "${t.effect}"`);
  }
  const seen = new Set<string>();
  (spec.securityContext?.sysctls ?? []).forEach((s, i) => {
    const p = `${where}.securityContext.sysctls[${i}]`;
    if (typeof s.name !== 'string' || s.name.length > 253 || !SYSCTL_NAME.test(s.name)) errs.push(`${p}.name: Invalid value: "${String(s.name)}"`);
    else if (seen.has(s.name)) errs.push(`${p}.name: Duplicate value: "${s.name}"`);
    else seen.add(s.name);
    if (typeof s.value !== 'string') errs.push(`${p}.value: must be a string`);
    if (typeof s.name === 'string' && minor(opts.k8s) >= 29) {
      const ns = classifySysctl(s.name, { k8s: opts.k8s, kernel: opts.kernel }).kubernetes.kubeletNamespace;
      if (spec.hostNetwork && ns === 'net') errs.push(`${p}.name: Invalid value: "${s.name}": may not be specified when 'hostNetwork' is true`);
      if (spec.hostIPC && ns === 'ipc') errs.push(`${p}.name: Invalid value: "${s.name}": may not be specified when 'hostIPC' is true`);
    }
  });
}

/** PodSecurity baseline (what exports can trip): host namespaces, privileged containers, sysctls outside the list. */
function podSecurity(spec: PodSpec, level: string, opts: ClusterOptions): string[] {
  if (level === 'privileged') return [];
  const v: string[] = [];
  if (spec.hostNetwork || spec.hostIPC) v.push('host namespaces');
  if ([...(spec.containers ?? []), ...(spec.initContainers ?? [])].some((c) => c.securityContext?.privileged)) v.push('privileged');
  const bad = (spec.securityContext?.sysctls ?? []).filter((s) => classifySysctl(String(s.name), { k8s: opts.k8s, kernel: opts.kernel }).kubernetes.podSecurityBaseline === 'forbidden');
  if (bad.length) v.push(`forbidden sysctls (${bad.map((s) => String(s.name)).join(', ')})`);
  return v;
}

/**
 * Applies the objects to a simulated cluster. `nodeLabels` are the labels of the nodes whose kubelet
 * runs with `allowedUnsafe` (from the kubelet export); other nodes run a stock kubelet.
 */
export function validateCluster(objects: Obj[], opts: ClusterOptions & { allowedUnsafe?: string[]; nodeLabels?: Record<string, string> }): string[] {
  const errs: string[] = [];
  const namespaces = new Map<string, string>();
  for (const o of objects) {
    if (!o.apiVersion || !o.kind) {
      errs.push('apiVersion and kind are required');
      continue;
    }
    // A KubeletConfiguration is the kubelet's config file, not an API object.
    if (o.apiVersion.startsWith('kubelet.config.k8s.io/')) continue;
    checkMeta(o, errs);
    if (o.kind === 'Namespace') namespaces.set(o.metadata!.name!, String(o.metadata?.labels?.['pod-security.kubernetes.io/enforce'] ?? opts.defaultLevel ?? 'baseline'));
  }
  for (const o of objects) {
    let spec: PodSpec | undefined;
    const where = `${o.kind}/${o.metadata?.name}`;
    if (o.kind === 'Pod') spec = o.spec as PodSpec;
    else if (o.kind === 'Deployment' || o.kind === 'DaemonSet') {
      const s = o.spec as { selector?: { matchLabels?: Record<string, string> }; template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, unknown> }; spec?: PodSpec } };
      const tl = s.template?.metadata?.labels ?? {};
      const sel = s.selector?.matchLabels ?? {};
      if (!Object.keys(sel).length) errs.push(`${where}: spec.selector: Required value`);
      for (const [k, v] of Object.entries(sel)) if (tl[k] !== v) errs.push(`${where}: spec.template.metadata.labels: Invalid value: selector does not match template labels`);
      checkLabels(tl, `${where}: spec.template.metadata.labels`, errs);
      for (const k of Object.keys(s.template?.metadata?.annotations ?? {})) if (!isQualifiedName(k)) errs.push(`${where}: spec.template.metadata.annotations: Invalid value: "${k}"`);
      spec = s.template?.spec;
    }
    if (!spec) continue;
    checkPodSpec(spec, `${where}: spec`, opts, errs);
    const ns = o.metadata?.namespace ?? 'default';
    // Namespaces created by the same bundle carry their label; kube-system is privileged on every distribution.
    const level = namespaces.get(ns) ?? (ns === 'kube-system' ? 'privileged' : (opts.defaultLevel ?? 'baseline'));
    const psa = podSecurity(spec, level, opts);
    if (psa.length) errs.push(`${where}: violates PodSecurity "${level}:latest": ${psa.join(', ')}`);
    // Kubelet admission on the node the scheduler picks.
    const unsafe = (spec.securityContext?.sysctls ?? [])
      .map((s) => String(s.name))
      .filter((n) => classifySysctl(n, { k8s: opts.k8s, kernel: opts.kernel, hostNetwork: spec.hostNetwork, hostIPC: spec.hostIPC }).kubernetes.status !== 'safe');
    if (unsafe.length) {
      const allowed = opts.allowedUnsafe ?? [];
      const notAllowed = unsafe.filter((n) => !allowed.some((a) => (a.endsWith('*') ? n.startsWith(a.slice(0, -1)) : a === n)));
      if (notAllowed.length) errs.push(`${where}: SysctlForbidden: forbidden sysctl: "${notAllowed[0]}" not allowlisted`);
      const sel = Object.entries(spec.nodeSelector ?? {});
      const pinned = sel.length > 0 && sel.every(([k, v]) => opts.nodeLabels?.[k] === v);
      if (!pinned) errs.push(`${where}: may be scheduled to a node whose kubelet does not allow ${unsafe.join(', ')} (no nodeSelector for the allowing nodes)`);
    }
  }
  return errs;
}
