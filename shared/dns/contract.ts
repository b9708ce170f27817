import { z } from 'zod';
import { operation, type EventContract, type FeatureContract } from '../api/define';

const libc = z.enum(['glibc', 'musl']);
const family = z.enum(['unspec', 'inet', 'inet6']);
const envSchema = z.record(z.string(), z.string());


/**
 * resolv.conf text sent for checking, planning or saving: real files are a few hundred bytes, but
 * the analysis is linear (test/dns/analysis-linear.test.ts), so the limit is the default 1 MiB:
 * a 1 MiB file analyses in a few hundred milliseconds.
 */
const RESOLV_TEXT_BYTES = 1024 * 1024;
export const diagnosticSchema = z.object({
  line: z.number().int(),
  code: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  fix: z.string(),
  dangerous: z.boolean().optional(),
  /** The fix as a one-line edit (replace, split or delete that line), when it can be applied mechanically. */
  edit: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('replaceLine'), line: z.number().int(), text: z.string() }),
      z.object({ kind: z.literal('splitLine'), line: z.number().int(), lines: z.array(z.string()).min(1) }),
      z.object({ kind: z.literal('deleteLine'), line: z.number().int() }),
    ])
    .optional(),
});

export const ownerSchema = z.object({
  /** Stable id: unmanaged, systemd-resolved-stub, systemd-resolved-static, systemd-resolved-uplink, systemd-resolved-foreign, networkmanager, resolvconf, openresolv, netconfig, tailscale, connman, wsl, container, immutable, symlink, missing. */
  kind: z.string(),
  name: z.string(),
  /** Why we think so (symlink target, header line, mount point, attribute). */
  evidence: z.array(z.string()),
  /** Where to make the change instead (empty when editing the file is right). */
  changeInstead: z.array(z.string()),
  /** Editing this file directly is pointless or harmful (it is regenerated or pinned). */
  managed: z.boolean(),
  symlinkTarget: z.string().nullable(),
  mountPoint: z.boolean(),
  immutable: z.boolean().nullable(),
});
export type DnsOwner = z.infer<typeof ownerSchema>;

export const checkOutputSchema = z.object({
  path: z.string(),
  libc,
  nameservers: z.array(z.string()),
  ignoredNameservers: z.array(z.string()),
  search: z.array(z.string()),
  sortlist: z.array(z.string()),
  options: z.record(z.string(), z.union([z.number(), z.boolean()])),
  owner: ownerSchema.nullable(),
  warnings: z.array(diagnosticSchema),
  dangerous: z.boolean(),
});
export type DnsCheck = z.infer<typeof checkOutputSchema>;

export const plannedQuerySchema = z.object({
  name: z.string(),
  reason: z.string(),
  kind: z.enum(['as-is-first', 'search', 'as-is-last']),
  domain: z.string().optional(),
});
export const planOutputSchema = z.object({
  libc,
  input: z.string(),
  /** FQDNs in the order they are queried, each ending with ".". */
  queries: z.array(z.string()),
  steps: z.array(plannedQuerySchema),
  types: z.array(z.enum(['A', 'AAAA'])),
  packets: z.number().int(),
  stop: z.string().optional(),
  advice: z.array(z.string()),
});
export type DnsPlan = z.infer<typeof planOutputSchema>;

export const readOutputSchema = z.object({
  path: z.string(),
  exists: z.boolean(),
  /** The file's text: UTF-8 when it decodes as UTF-8, else one character per byte (latin1). */
  text: z.string(),
  encoding: z.enum(['utf8', 'latin1']),
  /** Version for conflict detection on save (null when the file does not exist). */
  sha256: z.string().nullable(),
  owner: ownerSchema,
  hostname: z.string().nullable(),
  /** Whether the current route can save (polkit asked without interaction): false where it would refuse. */
  writable: z.boolean(),
  /** Why not, or what saving will involve (a password prompt). */
  writeNote: z.string().nullable().optional(),
});
export type DnsRead = z.infer<typeof readOutputSchema>;

export const dnsConfigSchema = z.object({
  nameservers: z.array(z.string()).optional(),
  searches: z.array(z.string()).optional(),
  options: z.array(z.object({ name: z.string(), value: z.string().optional() })).optional(),
});

export const podInputSchema = z.object({
  policy: z.enum(['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']).default('ClusterFirst'),
  hostNetwork: z.boolean().default(false),
  namespace: z.string().min(1).default('default'),
  clusterDomain: z.string().default('cluster.local'),
  clusterDns: z.array(z.string()).default(['10.96.0.10']),
  /** The node's resolv.conf text; omit to read the host's file; null = kubelet --resolv-conf="". */
  nodeResolvConf: z.string().nullable().optional(),
  dnsConfig: dnsConfigSchema.optional(),
  /** Names to plan inside the pod. */
  names: z.array(z.string()).default([]),
  libc: libc.default('glibc'),
});

export const podOutputSchema = z.object({
  effectivePolicy: z.enum(['cluster', 'host', 'none']),
  nameservers: z.array(z.string()),
  searches: z.array(z.string()),
  options: z.array(z.string()),
  resolvConf: z.string(),
  events: z.array(z.object({ reason: z.string(), message: z.string() })),
  optionsOrderUnstable: z.boolean(),
  validation: z.array(z.string()),
  yaml: z.string(),
  plans: z.array(planOutputSchema),
  warnings: z.array(diagnosticSchema),
});
export type DnsPod = z.infer<typeof podOutputSchema>;

export const liveResultSchema = z.object({
  server: z.string(),
  ok: z.boolean(),
  rcode: z.string().nullable(),
  answers: z.array(z.string()),
  latencyMs: z.number().nullable(),
  error: z.string().nullable(),
});
export type DnsLiveResult = z.infer<typeof liveResultSchema>;

const resolvedDomainSchema = z.object({ domain: z.string(), routeOnly: z.boolean() });

export const resolvedLinkSchema = z.object({
  ifindex: z.number().int(),
  name: z.string(),
  /** Upstream servers as resolvectl prints them: "addr", "addr:port" / "[v6]:port", "#server-name" for DNS-over-TLS. */
  servers: z.array(z.string()),
  /** Search domains, and routing-only domains (resolvectl shows those with "~"). */
  domains: z.array(resolvedDomainSchema),
  defaultRoute: z.boolean().nullable(),
  currentServer: z.string().nullable(),
  /** Current scopes as resolvectl names them: DNS, LLMNR/IPv4, LLMNR/IPv6, mDNS/IPv4, mDNS/IPv6. */
  scopes: z.array(z.string()),
  dnssec: z.string().nullable(),
  dnsOverTls: z.string().nullable(),
});
export type ResolvedLink = z.infer<typeof resolvedLinkSchema>;

export const resolvedStateSchema = z.object({
  available: z.boolean(),
  reason: z.string().nullable(),
  global: z
    .object({
      servers: z.array(z.string()),
      domains: z.array(resolvedDomainSchema),
      fallbackServers: z.array(z.string()),
      currentServer: z.string().nullable(),
      /** stub, static, uplink, foreign or missing (systemd 246+). */
      resolvConfMode: z.string().nullable(),
    })
    .nullable(),
  links: z.array(resolvedLinkSchema),
});
export type ResolvedState = z.infer<typeof resolvedStateSchema>;

export const dnsContract = {
  read: operation({
    summary: 'Read resolv.conf (under the host root) with its version and owner',
    input: z.object({ path: z.string().optional() }),
    output: readOutputSchema,
  }),
  check: operation({
    maxBytes: RESOLV_TEXT_BYTES,
    summary: 'How glibc or musl reads resolv.conf: used and ignored nameservers, search list, options, warnings, owner',
    input: z.object({
      /** A file under the host root (default etc/resolv.conf), or literal text via `text`. */
      path: z.string().optional(),
      text: z.string().optional(),
      libc: libc.default('glibc'),
      hostname: z.string().optional(),
      env: envSchema.optional(),
    }),
    output: checkOutputSchema,
  }),
  plan: operation({
    maxBytes: RESOLV_TEXT_BYTES,
    summary: 'The exact names the resolver queries for NAME, in order, with the packet count',
    input: z.object({
      name: z.string().min(1),
      path: z.string().optional(),
      text: z.string().optional(),
      libc: libc.default('glibc'),
      family: family.default('unspec'),
      hostname: z.string().optional(),
      env: envSchema.optional(),
      existing: z.array(z.string()).optional(),
    }),
    output: planOutputSchema,
  }),
  pod: operation({
    maxBytes: RESOLV_TEXT_BYTES,
    summary: "A pod's resolv.conf as the kubelet builds it, its query plans and a dnsConfig snippet",
    input: podInputSchema,
    output: podOutputSchema,
  }),
  liveCheck: operation({
    maxBytes: RESOLV_TEXT_BYTES,
    summary: 'Query each configured nameserver for a name: answer, latency or error',
    input: z.object({
      name: z.string().min(1).default('.'),
      type: z.enum(['A', 'AAAA', 'NS']).default('A'),
      servers: z.array(z.string()).optional(),
      text: z.string().optional(),
      timeoutMs: z.number().int().min(50).max(30_000).default(2000),
    }),
    output: z.object({ name: z.string(), type: z.string(), results: z.array(liveResultSchema) }),
  }),
  resolved: operation({
    summary: 'systemd-resolved upstream servers and domains per link (D-Bus org.freedesktop.resolve1)',
    input: z.object({}),
    output: resolvedStateSchema,
  }),
  save: operation({
    maxBytes: RESOLV_TEXT_BYTES,
    summary: 'Write resolv.conf atomically (backup, refuses if changed since read; dangerous settings need confirm)',
    mutates: true,
    input: z.object({
      path: z.string().optional(),
      text: z.string(),
      encoding: z.enum(['utf8', 'latin1']).default('utf8'),
      expectedSha256: z.string().nullable(),
      confirm: z.boolean().default(false),
      /** Write even though the file is managed by another program. */
      overrideOwner: z.boolean().default(false),
    }),
    output: z.object({
      path: z.string(),
      sha256: z.string(),
      /** Where the helper kept the previous content (restore it with helper.restore). */
      backupPath: z.string().nullable(),
      /** rename() hit EBUSY (bind-mounted file): written in place after the backup. */
      inPlace: z.boolean().default(false),
      notes: z.array(z.string()).default([]),
    }),
  }),
} satisfies FeatureContract;

export const dnsEvents = {} satisfies EventContract;
