import { parseAllDocuments, stringify } from 'yaml';
import { catalogEntry, isKnownKey, suggestKey, validateValue } from './catalog';
import { classifySysctl, validateAllowedUnsafe, type ClassifyOptions, type K8sStatus } from './k8s';
import { DEFAULT_IMAGE, EXPORT_PARTS } from './export-parts';
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

export { DEFAULT_IMAGE, EXPORT_PARTS };
export type ExportPart = (typeof EXPORT_PARTS)[number];

export interface ExportDocument {
  title: string;
  part: ExportPart;
  language: 'yaml' | 'ini' | 'sysctl' | 'shell';
  /** Objects for the cluster (`kubectl apply`); false: a file or command for a node or kubelet. */
  cluster: boolean;
  text: string;
}

/** A clean setting this export does not hold because it belongs to another one. */
export interface ExportOmission {
  key: string;
  value: string;
  /** The export that holds it. */
  goesTo: 'pod' | 'kubelet' | 'node';
  reason: string;
}

export interface ExportResult {
  kind: ExportKind;
  documents: ExportDocument[];
  placements: Placement[];
  problems: ExportProblem[];
  omitted: ExportOmission[];
}

export interface ExportOptions extends ClassifyOptions {
  /** Profile name ("90-hostdeck"): names the sysctl.d file and, without its number, the Kubernetes objects. */
  name?: string;
  /** Live values under /proc/sys of the host by key: these names count as known (module keys too), their values give a type. */
  live?: ReadonlyMap<string, string | undefined>;
  /** Namespace of the Pod and Deployment (default: none for a plain pod, the object name when it needs PodSecurity privileged). */
  namespace?: string;
  /** Name of the Pod and Deployment (default: from the profile name). */
  podName?: string;
  /** Container image of the Pod and Deployment (default: DEFAULT_IMAGE, a placeholder). */
  image?: string;
}

const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A container image reference: [registry[:port]/]path[:tag][@digest], no blanks (the kubelet's parser decides the rest). */
const IMAGE_RE = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@[a-z0-9]+:[a-f0-9]{32,})?$/;

/** Checks the editable names of an export; throws RangeError naming the field and the rule. */
export function checkExportNames(o: Pick<ExportOptions, 'namespace' | 'podName' | 'image'>): void {
  for (const [field, v] of [['namespace', o.namespace], ['pod name', o.podName]] as const) {
    if (v !== undefined && (v.length > 63 || !DNS1123_LABEL_RE.test(v))) {
      throw new RangeError(`The ${field} "${v}" is not a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)`);
    }
  }
  if (o.image !== undefined && (o.image.length > 255 || !IMAGE_RE.test(o.image))) {
    throw new RangeError(`The image "${o.image}" is not an image reference like registry.example/team/app:1.2 (lowercase repository, optional :tag and @sha256:digest, no blanks)`);
  }
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

interface PodShape {
  name: string;
  image: string;
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
    containers: [{ name: 'app', image: p.image }],
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
    { title: `Pod${suffix}`, part: 'pod', language: 'yaml', cluster: true, text: docs(pod) },
    { title: `Deployment (pod template)${suffix}`, part: 'deployment', language: 'yaml', cluster: true, text: docs(deployment) },
  ];
}

export function exportSnippets(kind: ExportKind, input: { key: string; value: string }[], opts: ExportOptions): ExportResult {
  checkExportNames(opts);
  const { settings, problems } = checkSettings(input, opts.live);
  const names = exportNames(opts.name);
  const name = names.object;
  // The workload's own names (editable); the node label, Tuned and DaemonSet keep the profile's.
  const podName = opts.podName ?? name;
  const image = opts.image ?? DEFAULT_IMAGE;
  const documents: ExportDocument[] = [];
  const omitted: ExportOmission[] = [];

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
      documents.push(...podDocs({ name: podName, image, namespace: opts.namespace, sysctls: [], annotations: { [ACK_SANDBOX_ANNOTATION]: sysctls.join(',') }, runtimeClassName: ACK_SANDBOX_RUNTIME_CLASS }, ' (ACK secure sandbox)', null));
    }
    return { kind, documents, placements, problems, omitted };
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
      const ns = opts.namespace ?? (privileged ? podName : undefined);
      documents.push(...podDocs({ name: podName, image, namespace: ns, sysctls: sysctlsOf(pods), ...hostNs }, '', privileged ? namespaceDoc(ns!) : null));
    }
    omit(placements.filter((p) => p.target !== 'pod'), omitted);
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
      documents.push({ title: 'KubeletConfiguration', part: 'kubelet-config', language: 'yaml', cluster: false, text: stringify(cfg) });
      documents.push({ title: 'kubelet flags', part: 'flags', language: 'shell', cluster: false, text: `--allowed-unsafe-sysctls='${allowed.join(',')}' --node-labels='${label}=allowed'\n` });
      documents.push({
        title: 'Node label and taint',
        part: 'node-label',
        language: 'shell',
        cluster: false,
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
            name: podName,
            image,
            namespace: opts.namespace ?? podName,
            sysctls: sysctlsOf(pods),
            ...hostNs,
            nodeSelector: { [label]: 'allowed' },
            tolerations: [{ key: label, operator: 'Equal', value: 'allowed', effect: 'NoSchedule' }],
          },
          ' once the kubelet allows them',
          namespaceDoc(opts.namespace ?? podName),
        ),
      );
    }
    omit(placements.filter((p) => p.target === 'node'), omitted);
  } else {
    const node = placements.filter((p) => p.target === 'node');
    if (node.length) {
      const conf = `# ${name}: node-level kernel parameters (written by HostDeck)\n${node.map((p) => `${p.key} = ${p.value}`).join('\n')}\n`;
      documents.push({ title: `/etc/sysctl.d/${names.file}.conf`, part: 'sysctl.d', language: 'sysctl', cluster: false, text: conf });
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
      documents.push({ title: 'Tuned (Node Tuning Operator)', part: 'tuned', language: 'yaml', cluster: true, text: stringify(tuned) });
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
      documents.push({ title: 'Privileged DaemonSet (last resort)', part: 'daemonset', language: 'yaml', cluster: true, text: stringify(ds) });
    }
    omit(placements.filter((p) => p.target !== 'node'), omitted);
  }
  return { kind, documents, placements, problems, omitted };
}

/** Records the placements an export does not hold, with the export that does and why. */
function omit(ps: Placement[], into: ExportOmission[]): void {
  for (const p of ps) {
    const goesTo = p.target === 'pod' ? 'pod' : p.target === 'node' ? 'node' : 'kubelet';
    const where = goesTo === 'pod' ? 'the Pod export (any pod may set it)' : goesTo === 'kubelet' ? "the Kubelet export (the kubelet's allowedUnsafeSysctls first, then the pod)" : 'the Node export (one value for the whole node)';
    into.push({ key: p.key, value: p.value, goesTo, reason: `${p.key} (${p.status}) is not in this export: it belongs in ${where}.` });
  }
}

/**
 * The whole export as one YAML stream a cluster tool reads: the problems, left-out keys and the
 * artefacts that are not cluster objects (kubelet config, flags, sysctl.d file) as comments in
 * the prefix, then each cluster object as its own document after "---", each object once (the
 * Pod and the Deployment share their Namespace).
 */
export function exportStream(r: ExportResult): string {
  const comment = (text: string) => text.trimEnd().split('\n').map((l) => (l ? `# ${l}` : '#'));
  const head: string[] = [
    ...r.problems.map((p) => `# ${p.severity}: ${p.message.replace(/\n/g, ' ')}`),
    ...r.omitted.map((o) => `# left out: ${o.reason}`),
  ];
  for (const d of r.documents.filter((x) => !x.cluster)) {
    head.push(`# --- ${d.title} (not a cluster object; print it alone with --part ${d.part}):`, ...comment(d.text));
  }
  if (r.placements.length) {
    head.push('# --- Why each key went where', ...r.placements.map((p) => `# ${p.key}=${p.value}: ${p.target} (${p.status}) - ${p.reason}`));
  }
  const seen = new Set<string>();
  const body: string[] = [];
  for (const d of r.documents.filter((x) => x.cluster)) {
    for (const doc of parseAllDocuments(d.text)) {
      const text = stringify(doc.toJS());
      if (seen.has(text)) continue;
      seen.add(text);
      body.push(`---\n# ${d.title}\n${text}`);
    }
  }
  return `${[...head, ...body].join('\n').trimEnd()}\n`;
}

/** One artefact of an export (`--part`), as printed; null when this export has no such part. */
export function exportPart(r: ExportResult, part: ExportPart): string | null {
  const d = r.documents.find((x) => x.part === part);
  return d ? d.text : null;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** "key = value" lines (sysctl.d style) to settings, for `kernel export --from FILE`. */
export function settingsFromKeys(keys: string[], values: Record<string, string> = {}): { key: string; value: string }[] {
  return keys.map((k) => ({ key: normalizeKey(k), value: values[k] ?? '' }));
}
