import { stringify } from 'yaml';
import { catalogEntry, isKnownKey, suggestKey, validateValue } from './catalog';
import { classifySysctl, validateAllowedUnsafe, type ClassifyOptions, type K8sStatus } from './k8s';
import { normalizeKey } from './keys';
import { formatTunedProfile } from './tuned';

/**
 * Where each selected sysctl goes for a Kubernetes version and node kernel, and the snippets:
 * Pod / Deployment securityContext.sysctls, KubeletConfiguration allowedUnsafeSysctls (with the
 * node label, Namespace and scheduling that the pod needs), for node-level keys a sysctl.d file,
 * a Node Tuning Operator Tuned resource and a privileged DaemonSet, and for Alibaba Cloud ACK
 * secure-sandbox pods the sysctls annotation. Settings are checked first (names, values,
 * duplicates) so that what is exported is what a cluster accepts; each problem is reported.
 * YAML comes from the `yaml` library; tests parse it back and validate it as the API server does.
 */
export type ExportKind = 'pod' | 'kubelet' | 'node' | 'sandbox';

export interface Placement {
  key: string;
  value: string;
  target: 'pod' | 'kubelet+pod' | 'node' | 'sandbox';
  status: 'safe' | 'unsafe' | 'node-level';
  reason: string;
}

/** A setting the export left out or changed, with the reason. `index` is 1-based in the input. */
export interface ExportProblem {
  index: number | null;
  key: string;
  severity: 'error' | 'warning';
  message: string;
}

export interface ExportDocument {
  title: string;
  language: 'yaml' | 'ini' | 'sysctl' | 'shell';
  text: string;
}

export interface ExportResult {
  kind: ExportKind;
  documents: ExportDocument[];
  placements: Placement[];
  problems: ExportProblem[];
}

export interface ExportOptions extends ClassifyOptions {
  /** Profile name ("90-hostdeck"): names the sysctl.d file and, without its number, the Kubernetes objects. */
  name?: string;
  /** Live values under /proc/sys of the host by key: these names count as known (module keys too), their values give a type. */
  live?: ReadonlyMap<string, string | undefined>;
}

/** The API server's sysctl name rule (validation.IsValidSysctlName): lowercase segments, "." or "/" between, at most 253. */
export const SYSCTL_NAME_RE = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;

/** The ACK secure-sandbox annotation (reference §14): "k1=v1,k2=v2", read by the sandbox runtime into the pod's own kernel. */
export const ACK_SANDBOX_ANNOTATION = 'securecontainer.alibabacloud.com/sysctls';
/** ACK's RuntimeClass for secure-sandbox (runV) pods. */
export const ACK_SANDBOX_RUNTIME_CLASS = 'runv';
/** PodSecurity admission's namespace label. */
export const PSA_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/**
 * The profile as systemd-sysctl would read it: one value per key, the last assignment winning
 * (sysctl.d(5)), then each key checked against the catalog and the host's names, and each value
 * against the key's type. Only clean settings are returned; everything else is a problem.
 */
export function checkSettings(settings: { key: string; value: string }[], live?: ReadonlyMap<string, string | undefined>): { settings: { key: string; value: string }[]; problems: ExportProblem[] } {
  const problems: ExportProblem[] = [];
  const last = new Map<string, { index: number; value: string }>();
  settings.forEach((s, i) => {
    const raw = s.key.trim();
    if (!raw) return;
    const key = normalizeKey(raw);
    const prev = last.get(key);
    if (prev) {
      problems.push({
        index: prev.index,
        key,
        severity: 'warning',
        message: `${key} is set more than once (settings ${prev.index} and ${i + 1}): the last one wins, as in sysctl.d, so "${prev.value}" is dropped.`,
      });
      last.delete(key); // keep the order of the winning line
    }
    last.set(key, { index: i + 1, value: s.value });
  });
  const clean: { key: string; value: string }[] = [];
  const liveKeys = live ? new Set(live.keys()) : undefined;
  for (const [key, { index, value }] of last) {
    if (!isKnownKey(key, liveKeys)) {
      const hint = suggestKey(key, liveKeys);
      problems.push({
        index,
        key,
        severity: 'error',
        message: `${key} is not a kernel parameter${hint ? `: did you mean ${hint}?` : ' HostDeck knows or this host has'} Left out of the export.`,
      });
      continue;
    }
    const check = validateValue(catalogEntry(key, live?.get(key)), value);
    if (!check.ok) {
      problems.push({ index, key, severity: 'error', message: `${check.error}. Left out of the export.` });
      continue;
    }
    clean.push({ key, value: check.value });
  }
  problems.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return { settings: clean, problems };
}

export function placeSettings(settings: { key: string; value: string }[], opts: ClassifyOptions): Placement[] {
  return settings.map((s) => {
    const c = classifySysctl(s.key, opts);
    const k = c.kubernetes;
    const value = s.value.trim().replace(/\s+/g, ' ');
    const hostNs = (opts.hostNetwork && k.conflictsWithHostNetwork) || (opts.hostIPC && k.conflictsWithHostIPC);
    if (hostNs && k.status !== 'node-level') {
      const which = opts.hostNetwork && k.conflictsWithHostNetwork ? 'hostNetwork' : 'hostIPC';
      return { key: c.name, value, target: 'node', status: k.status, reason: `The pod uses ${which}: it shares the node's namespace, so it cannot set this per pod and sees the node's value; set it on the node.` };
    }
    if (k.status === 'safe') {
      return { key: c.name, value, target: 'pod', status: k.status, reason: k.reasons[0] ?? 'safe' };
    }
    if (k.status === 'unsafe') {
      return { key: c.name, value, target: 'kubelet+pod', status: k.status, reason: `${k.reasons.join(' ')} The Kubelet export holds the allowlist and the pod snippet that needs it.` };
    }
    return { key: c.name, value, target: 'node', status: k.status, reason: k.reasons.join(' ') };
  });
}

/**
 * What an ACK secure-sandbox (runV) pod may do with a key: each such pod runs its own guest
 * kernel, so the annotation can set any key, node-level ones included, and changes only that
 * pod's kernel. What it cannot carry is a value with a comma (the annotation's separator).
 */
export function sandboxVerdict(status: K8sStatus, value?: string): { allowed: boolean; reason: string } {
  if (value !== undefined && value.includes(',')) {
    return { allowed: false, reason: `The value "${value}" contains a comma, which the ${ACK_SANDBOX_ANNOTATION} annotation uses between settings: it cannot be passed this way. Use single values or set it in the pod's image or entrypoint.` };
  }
  const nodeLevel = status === 'node-level';
  return {
    allowed: true,
    reason: nodeLevel
      ? `Allowed in an ACK secure-sandbox pod: it has its own kernel, so the ${ACK_SANDBOX_ANNOTATION} annotation sets this otherwise node-level key for that pod alone; the node and other pods keep their values. A value with a comma cannot be passed.`
      : `Allowed in an ACK secure-sandbox pod through the ${ACK_SANDBOX_ANNOTATION} annotation, without kubelet allowlist or privileged PodSecurity level; it changes only the pod's own kernel. A value with a comma cannot be passed.`,
  };
}

/** A DNS-1123 label from a profile name: "90-HostDeck.conf" -> "hostdeck" (the number belongs to the file name). */
export function exportNames(name: string | undefined): { object: string; file: string } {
  const base = (name ?? 'sysctl-tuning')
    .toLowerCase()
    .replace(/\.conf$/, '')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const object = base.replace(/^\d+-(?=[a-z0-9])/, '').slice(0, 63).replace(/-+$/, '') || 'sysctl-tuning';
  const file = /^\d+-/.test(base) ? base : `90-${object}`;
  return { object, file };
}

const CONTAINERS = [{ name: 'app', image: 'registry.example/app:latest' }];

interface PodShape {
  name: string;
  namespace?: string;
  annotations?: Record<string, string>;
  sysctls: { name: string; value: string }[];
  hostNetwork?: boolean;
  hostIPC?: boolean;
  runtimeClassName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: { key: string; operator: 'Equal'; value: string; effect: 'NoSchedule' }[];
}

function podSpec(p: PodShape): Record<string, unknown> {
  return {
    ...(p.runtimeClassName ? { runtimeClassName: p.runtimeClassName } : {}),
    ...(p.hostNetwork ? { hostNetwork: true } : {}),
    ...(p.hostIPC ? { hostIPC: true } : {}),
    ...(p.nodeSelector ? { nodeSelector: p.nodeSelector } : {}),
    ...(p.tolerations ? { tolerations: p.tolerations } : {}),
    ...(p.sysctls.length ? { securityContext: { sysctls: p.sysctls } } : {}),
    containers: CONTAINERS,
  };
}

function namespaceDoc(name: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [PSA_ENFORCE_LABEL]: 'privileged' } } };
}

/** Pod and Deployment, each preceded by its Namespace when the pod needs PodSecurity privileged. */
function podDocs(p: PodShape, suffix: string, namespace: Record<string, unknown> | null): ExportDocument[] {
  const meta = { name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}) };
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...meta, ...(p.annotations ? { annotations: p.annotations } : {}) }, spec: podSpec(p) };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta,
    spec: {
      selector: { matchLabels: { app: p.name } },
      template: { metadata: { labels: { app: p.name }, ...(p.annotations ? { annotations: p.annotations } : {}) }, spec: podSpec(p) },
    },
  };
  const docs = (o: Record<string, unknown>) => (namespace ? [namespace, o] : [o]).map((d) => stringify(d)).join('---\n');
  return [
    { title: `Pod${suffix}`, language: 'yaml', text: docs(pod) },
    { title: `Deployment (pod template)${suffix}`, language: 'yaml', text: docs(deployment) },
  ];
}

export function exportSnippets(kind: ExportKind, input: { key: string; value: string }[], opts: ExportOptions): ExportResult {
  const { settings, problems } = checkSettings(input, opts.live);
  const names = exportNames(opts.name);
  const name = names.object;
  const documents: ExportDocument[] = [];

  if (kind === 'sandbox') {
    const placements: Placement[] = [];
    const sysctls: string[] = [];
    for (const s of settings) {
      const c = classifySysctl(s.key, opts);
      const v = sandboxVerdict(c.kubernetes.status, s.value);
      if (!v.allowed) {
        problems.push({ index: null, key: s.key, severity: 'error', message: `${v.reason} Left out of the export.` });
        continue;
      }
      placements.push({ key: c.name, value: s.value, target: 'sandbox', status: c.kubernetes.status, reason: v.reason });
      sysctls.push(`${c.name}=${s.value}`);
    }
    if (opts.hostNetwork || opts.hostIPC) {
      problems.push({
        index: null,
        key: opts.hostNetwork ? 'hostNetwork' : 'hostIPC',
        severity: 'warning',
        message: 'A secure-sandbox pod runs its own kernel in a lightweight VM and cannot share the node’s network or IPC namespace: the export leaves hostNetwork/hostIPC out.',
      });
    }
    if (sysctls.length) {
      documents.push(...podDocs({ name, sysctls: [], annotations: { [ACK_SANDBOX_ANNOTATION]: sysctls.join(',') }, runtimeClassName: ACK_SANDBOX_RUNTIME_CLASS }, ' (ACK secure sandbox)', null));
    }
    return { kind, documents, placements, problems };
  }

  const placements = placeSettings(settings, opts);
  // The API server rejects pod sysctl names outside its rule (upper case, odd characters): those stay on the node.
  for (const p of placements) {
    if (p.target !== 'node' && !SYSCTL_NAME_RE.test(p.key)) {
      p.target = 'node';
      p.reason = `The API server accepts only lowercase names matching ${SYSCTL_NAME_RE.source} in a pod spec: set it on the node.`;
      problems.push({ index: null, key: p.key, severity: 'warning', message: `${p.key} cannot appear in a pod spec (the API server's name rule): it goes to the node export instead.` });
    }
  }
  const hostNs = { hostNetwork: opts.hostNetwork || undefined, hostIPC: opts.hostIPC || undefined };
  const sysctlsOf = (ps: Placement[]) => ps.map((p) => ({ name: p.key, value: p.value }));
  // PodSecurity baseline forbids host namespaces and every sysctl outside its list (of the policy version).
  const psaForbidden = (ps: Placement[]) => ps.some((p) => classifySysctl(p.key, opts).kubernetes.podSecurityBaseline === 'forbidden');

  if (kind === 'pod') {
    // Only what a pod may set on a stock kubelet: the safe keys. Unsafe ones need the kubelet's
    // allowlist first, so their pod snippet comes with the kubelet export.
    const pods = placements.filter((p) => p.target === 'pod');
    if (pods.length || hostNs.hostNetwork || hostNs.hostIPC) {
      const privileged = psaForbidden(pods) || !!hostNs.hostNetwork || !!hostNs.hostIPC;
      documents.push(...podDocs({ name, namespace: privileged ? name : undefined, sysctls: sysctlsOf(pods), ...hostNs }, '', privileged ? namespaceDoc(name) : null));
    }
  } else if (kind === 'kubelet') {
    const allowed = [...new Set(placements.filter((p) => p.target === 'kubelet+pod').map((p) => p.key))];
    for (const a of allowed) {
      const err = validateAllowedUnsafe(a, opts.k8s);
      if (err) throw new RangeError(err);
    }
    if (allowed.length) {
      // The pod must land only on nodes whose kubelet allows these keys: a label says which, an optional taint keeps other pods off.
      const label = `sysctls.hostdeck.io/${name}`;
      const cfg = { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', allowedUnsafeSysctls: allowed };
      documents.push({ title: 'KubeletConfiguration', language: 'yaml', text: stringify(cfg) });
      documents.push({ title: 'kubelet flags', language: 'shell', text: `--allowed-unsafe-sysctls='${allowed.join(',')}' --node-labels='${label}=allowed'\n` });
      documents.push({
        title: 'Node label and taint',
        language: 'shell',
        text: [
          `# After the kubelet on NODE runs with the allowlist above, mark the node so that the pod is scheduled there only:`,
          `kubectl label node NODE ${label}=allowed`,
          `# Optional: keep pods that do not need these sysctls off the node (the pod tolerates it):`,
          `kubectl taint node NODE ${label}=allowed:NoSchedule`,
          '',
        ].join('\n'),
      });
      const pods = placements.filter((p) => p.target !== 'node');
      documents.push(
        ...podDocs(
          {
            name,
            namespace: name,
            sysctls: sysctlsOf(pods),
            ...hostNs,
            nodeSelector: { [label]: 'allowed' },
            tolerations: [{ key: label, operator: 'Equal', value: 'allowed', effect: 'NoSchedule' }],
          },
          ' once the kubelet allows them',
          namespaceDoc(name),
        ),
      );
    }
  } else {
    const node = placements.filter((p) => p.target === 'node');
    if (node.length) {
      const conf = `# ${name}: node-level kernel parameters (written by HostDeck)\n${node.map((p) => `${p.key} = ${p.value}`).join('\n')}\n`;
      documents.push({ title: `/etc/sysctl.d/${names.file}.conf`, language: 'sysctl', text: conf });
      const tunedData = formatTunedProfile(node, { summary: `${name} node sysctls`, include: 'openshift-node' });
      const tuned = {
        apiVersion: 'tuned.openshift.io/v1',
        kind: 'Tuned',
        metadata: { name, namespace: 'openshift-cluster-node-tuning-operator' },
        spec: {
          profile: [{ name, data: tunedData }],
          recommend: [{ match: [{ label: 'node-role.kubernetes.io/worker' }], priority: 20, profile: name }],
        },
      };
      documents.push({ title: 'Tuned (Node Tuning Operator)', language: 'yaml', text: stringify(tuned) });
      const script = node.map((p) => `sysctl -w ${shellQuote(`${p.key}=${p.value}`)}`).join(' && ');
      const ds = {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name, namespace: 'kube-system' },
        spec: {
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              hostNetwork: true,
              hostIPC: true,
              initContainers: [{ name: 'sysctl', image: 'busybox:stable', command: ['sh', '-c', script], securityContext: { privileged: true } }],
              containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10' }],
            },
          },
        },
      };
      documents.push({ title: 'Privileged DaemonSet (last resort)', language: 'yaml', text: stringify(ds) });
    }
  }
  return { kind, documents, placements, problems };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** "key = value" lines (sysctl.d style) to settings, for `kernel export --from FILE`. */
export function settingsFromKeys(keys: string[], values: Record<string, string> = {}): { key: string; value: string }[] {
  return keys.map((k) => ({ key: normalizeKey(k), value: values[k] ?? '' }));
}
