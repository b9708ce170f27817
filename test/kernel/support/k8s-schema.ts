import { z } from 'zod';

/**
 * The shape of every Kubernetes object HostDeck exports, as the API server's types have it
 * (strict: an unknown or misplaced field fails, as `kubectl apply --validate=strict` would).
 * Written from the API reference, independently of the exporter.
 */
const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/).max(253);
const label = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63);
const stringMap = z.record(z.string(), z.string());
const metadata = z.strictObject({ name, namespace: label.optional(), labels: stringMap.optional(), annotations: stringMap.optional() });
const sysctl = z.strictObject({ name: z.string().min(1), value: z.string() });
const container = z.strictObject({
  name: label,
  image: z.string().min(1).regex(/^\S+$/),
  command: z.array(z.string()).optional(),
  securityContext: z.strictObject({ privileged: z.boolean() }).optional(),
});
const podSpec = z.strictObject({
  runtimeClassName: name.optional(),
  hostNetwork: z.boolean().optional(),
  hostIPC: z.boolean().optional(),
  nodeSelector: stringMap.optional(),
  tolerations: z.array(z.strictObject({ key: z.string(), operator: z.enum(['Equal', 'Exists']), value: z.string(), effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']) })).optional(),
  securityContext: z.strictObject({ sysctls: z.array(sysctl).min(1) }).optional(),
  initContainers: z.array(container).optional(),
  containers: z.array(container).min(1),
});
const template = z.strictObject({ metadata: z.strictObject({ labels: stringMap, annotations: stringMap.optional() }), spec: podSpec });
const workload = z.strictObject({ selector: z.strictObject({ matchLabels: stringMap }), template });

export const k8sObjectSchema = z.discriminatedUnion('kind', [
  z.strictObject({ apiVersion: z.literal('v1'), kind: z.literal('Namespace'), metadata: metadata.extend({ name: label }) }),
  z.strictObject({ apiVersion: z.literal('v1'), kind: z.literal('Pod'), metadata, spec: podSpec }),
  z.strictObject({ apiVersion: z.literal('apps/v1'), kind: z.literal('Deployment'), metadata, spec: workload }),
  z.strictObject({ apiVersion: z.literal('apps/v1'), kind: z.literal('DaemonSet'), metadata, spec: workload }),
  z.strictObject({
    apiVersion: z.literal('tuned.openshift.io/v1'),
    kind: z.literal('Tuned'),
    metadata,
    spec: z.strictObject({
      profile: z.array(z.strictObject({ name: z.string(), data: z.string() })),
      recommend: z.array(z.strictObject({ match: z.array(z.strictObject({ label: z.string() })), priority: z.number().int(), profile: z.string() })),
    }),
  }),
]);

/** The kubelet's config file (not an API object; `--part kubelet-config`). */
export const kubeletConfigSchema = z.strictObject({
  apiVersion: z.literal('kubelet.config.k8s.io/v1beta1'),
  kind: z.literal('KubeletConfiguration'),
  allowedUnsafeSysctls: z.array(z.string().min(1)).min(1),
});
