import { z } from 'zod';
import { operation } from '../../api/define';

/** The kinds of firewalld element an nft rule can come from. */
export const elementKindSchema = z.enum([
  'service',
  'port',
  'protocol',
  'source-port',
  'source',
  'interface',
  'default-zone',
  'rich-rule',
  'target',
  'icmp-block',
  'icmp-block-inversion',
  'masquerade',
  'forward-port',
  'forward',
  'policy',
  'layout',
  'base',
  'log-denied',
]);
export type ElementKind = z.infer<typeof elementKindSchema>;

export const madeBySchema = z.object({
  kind: elementKindSchema,
  /** People's words ("Service ssh (its port 22/tcp) is allowed in zone public"). */
  words: z.string(),
  /** firewalld's own name for it ("service ssh", the rich rule's text). */
  firewalld: z.string(),
  zone: z.string().optional(),
  policy: z.string().optional(),
  richRule: z.string().optional(),
  service: z.string().optional(),
  /** The port of a service or item this rule is for ("22/tcp"). */
  port: z.string().optional(),
});
export type MadeBy = z.infer<typeof madeBySchema>;

export const ruleViewSchema = z.object({
  handle: z.number().int().optional(),
  /** The rule as nft prints it (without its counter). */
  text: z.string(),
  counter: z.object({ packets: z.number(), bytes: z.number() }).optional(),
  /** Every element that explains it (firewalld installs identical rules once): empty when none does. */
  madeBy: z.array(madeBySchema),
  /** No firewalld element explains it: added by hand, Docker, libvirt, or a model that changed since. */
  foreign: z.boolean(),
  /** Why it is foreign, or what else to know. */
  note: z.string().optional(),
});
export type RuleView = z.infer<typeof ruleViewSchema>;

export const chainViewSchema = z.object({
  family: z.string(),
  table: z.string(),
  name: z.string(),
  /** Base chains: hook, priority, policy. */
  hook: z.string().optional(),
  priority: z.number().optional(),
  policy: z.string().optional(),
  /** The zone or policy this chain belongs to, with the part (pre/log/deny/allow/post) when it is one. */
  zone: z.string().optional(),
  firewallPolicy: z.string().optional(),
  part: z.enum(['pre', 'log', 'deny', 'allow', 'post']).optional(),
  words: z.string(),
  rules: z.array(ruleViewSchema),
});
export type ChainView = z.infer<typeof chainViewSchema>;

export const rulesReportSchema = z.object({
  /** nft's version as it lists itself. */
  nftVersion: z.string().optional(),
  /** firewalld's chain layout seen in the ruleset. */
  layout: z.enum(['0.9', '1.x', '2.0-2.4', '2.5+', 'unknown']),
  /** Whether rules carry counters (firewalld >= 2.0 with NftablesCounters=yes, or rules added with counters). */
  counters: z.boolean(),
  /** Chains of firewalld's tables (inet firewalld, and ip/ip6 firewalld where used), in nft's order. */
  chains: z.array(chainViewSchema),
  /** Tables firewalld did not make (Docker, libvirt, `nft` by hand): every rule there is foreign. */
  foreignTables: z.array(z.object({ family: z.string(), name: z.string(), chains: z.array(chainViewSchema) })),
  /** Counts over what was read (before the zone/policy filter). */
  totals: z.object({ rules: z.number().int(), attributed: z.number().int(), foreign: z.number().int() }),
  notes: z.array(z.string()),
});
export type RulesReport = z.infer<typeof rulesReportSchema>;

export const rulesContract = {
  rules: operation({
    summary: 'The nftables rules firewalld made for each zone and policy, each attributed to the element that produced it, and rules no firewalld element explains',
    input: z.object({
      /** Only the chains of this zone (and the dispatch rules that lead to it). */
      zone: z.string().min(1).max(64).optional(),
      policy: z.string().min(1).max(64).optional(),
    }),
    output: rulesReportSchema,
  }),
};
