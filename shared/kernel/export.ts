import { stringify } from 'yaml';
import { classifySysctl, validateAllowedUnsafe, type ClassifyOptions } from './k8s';
import { normalizeKey } from './keys';
import { formatTunedProfile } from './tuned';

/**
 * Where each selected sysctl goes for a Kubernetes version and node kernel, and the snippets:
 * Pod / Deployment securityContext.sysctls, KubeletConfiguration allowedUnsafeSysctls, and for
 * node-level keys a sysctl.d file, a Node Tuning Operator Tuned resource and a privileged
 * DaemonSet. YAML comes from the `yaml` library; tests parse it back.
 */
export interface Placement {
  key: string;
  value: string;
  target: 'pod' | 'kubelet+pod' | 'node';
  status: 'safe' | 'unsafe' | 'node-level';
  reason: string;
}

export interface ExportResult {
  kind: 'pod' | 'kubelet' | 'node';
  documents: { title: string; language: 'yaml' | 'ini' | 'sysctl'; text: string }[];
  placements: Placement[];
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

function podDocs(pods: Placement[], name: string, suffix = ''): ExportResult['documents'] {
  const sysctls = pods.map((p) => ({ name: p.key, value: p.value }));
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { securityContext: { sysctls }, containers: [{ name: 'app', image: 'registry.example/app:latest' }] },
  };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { securityContext: { sysctls }, containers: [{ name: 'app', image: 'registry.example/app:latest' }] },
      },
    },
  };
  return [
    { title: `Pod${suffix}`, language: 'yaml', text: stringify(pod) },
    { title: `Deployment (pod template)${suffix}`, language: 'yaml', text: stringify(deployment) },
  ];
}

export function exportSnippets(kind: 'pod' | 'kubelet' | 'node', settings: { key: string; value: string }[], opts: ClassifyOptions & { name?: string }): ExportResult {
  const placements = placeSettings(settings, opts);
  const name = opts.name ?? 'sysctl-tuning';
  const documents: ExportResult['documents'] = [];
  if (kind === 'pod') {
    // Only what a pod may set on a stock kubelet: the safe keys. Unsafe ones need the kubelet's
    // allowlist first, so their pod snippet comes with the kubelet export.
    documents.push(...podDocs(placements.filter((p) => p.target === 'pod'), name));
  } else if (kind === 'kubelet') {
    const unsafe = placements.filter((p) => p.target === 'kubelet+pod').map((p) => p.key);
    const allowed = [...new Set(unsafe)];
    for (const a of allowed) {
      const err = validateAllowedUnsafe(a, opts.k8s);
      if (err) throw new RangeError(err);
    }
    const cfg = { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', allowedUnsafeSysctls: allowed };
    documents.push({ title: 'KubeletConfiguration', language: 'yaml', text: stringify(cfg) });
    documents.push({ title: 'kubelet flag', language: 'sysctl', text: `--allowed-unsafe-sysctls='${allowed.join(',')}'\n` });
    if (allowed.length) documents.push(...podDocs(placements.filter((p) => p.target !== 'node'), name, ' once the kubelet allows them'));
  } else {
    const node = placements.filter((p) => p.target === 'node');
    const conf = `# ${name}: node-level kernel parameters (written by HostDeck)\n${node.map((p) => `${p.key} = ${p.value}`).join('\n')}\n`;
    documents.push({ title: `/etc/sysctl.d/90-${name}.conf`, language: 'sysctl', text: conf });
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
            initContainers: [{ name: 'sysctl', image: 'busybox:stable', command: ['sh', '-c', script || 'true'], securityContext: { privileged: true } }],
            containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10' }],
          },
        },
      },
    };
    documents.push({ title: 'Privileged DaemonSet (last resort)', language: 'yaml', text: stringify(ds) });
  }
  return { kind, documents, placements };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** "key = value" lines (sysctl.d style) to settings, for `kernel export --from FILE`. */
export function settingsFromKeys(keys: string[], values: Record<string, string> = {}): { key: string; value: string }[] {
  return keys.map((k) => ({ key: normalizeKey(k), value: values[k] ?? '' }));
}
