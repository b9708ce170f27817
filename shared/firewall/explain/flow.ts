import { z } from 'zod';

/**
 * The question "will this packet pass?" and firewalld's answer, as data both sides share
 * (firewall.explain, the CLI, the panel). Fields of the flow may be unknown: the answer then
 * says what it depends on.
 */

export const flowProtocolSchema = z.enum(['tcp', 'udp', 'sctp', 'dccp', 'icmp', 'icmpv6']);
export type FlowProtocol = z.infer<typeof flowProtocolSchema>;

const port = z.number().int().min(0).max(65535);
const text = z.string().min(1).max(64);

export const flowSchema = z.object({
  /** Derived from the addresses when they are given. */
  family: z.enum(['ipv4', 'ipv6']).optional(),
  src: text.optional(),
  srcMac: text.optional(),
  dst: text.optional(),
  protocol: flowProtocolSchema.optional(),
  /** firewalld's ICMP type name (echo-request, ...); icmp/icmpv6 only. */
  icmpType: text.optional(),
  dport: port.optional(),
  sport: port.optional(),
  /** Interface the packet arrives on. */
  iface: text.optional(),
  /** For forwarded traffic: the interface it leaves by. Absent = to this host. */
  outIface: text.optional(),
});
export type Flow = z.infer<typeof flowSchema>;

export const verdictSchema = z.enum(['accept', 'reject', 'drop']);
export type Verdict = z.infer<typeof verdictSchema>;

export const stepKindSchema = z.enum([
  'conntrack', 'dnat', 'loopback', 'invalid', 'rpfilter', 'dispatch', 'policy', 'policy-target',
  'rich-rule', 'service', 'port', 'protocol', 'source-port', 'icmp-block', 'icmp-block-inversion',
  'icmp-default', 'forward-port', 'masquerade', 'intra-zone-forward', 'log', 'target', 'final-reject',
]);
export type StepKind = z.infer<typeof stepKindSchema>;

export const stepSchema = z.object({
  kind: stepKindSchema,
  /** People's words ("Port 8080/tcp is open in zone public"). */
  words: z.string(),
  /** firewalld's name for the element ("port 8080/tcp", "rich rule 'rule ...'", "target %%REJECT%%"). */
  firewalld: z.string(),
  /** The nft chain firewalld puts it in (filter_IN_public_allow). */
  chain: z.string(),
  /** What the element did to this packet; `maybe` = it depends on an unknown field. */
  outcome: z.enum(['accept', 'reject', 'drop', 'continue', 'no-match', 'maybe']),
  rejectWith: z.string().optional(),
  zone: z.string().optional(),
  policy: z.string().optional(),
  richRule: z.object({ text: z.string(), priority: z.number().int() }).optional(),
  service: z.object({ name: z.string(), port: z.string().optional() }).optional(),
  /** For `maybe`: what the outcome depends on ("the source address"). */
  dependsOn: z.string().optional(),
});
export type Step = z.infer<typeof stepSchema>;

export const zoneChoiceSchema = z.object({
  name: z.string(),
  by: z.enum(['source', 'interface', 'default']),
  /** Why, in words ("source 192.0.2.0/24 is bound to zone trusted; sources win over interfaces"). */
  why: z.string(),
});
export type ZoneChoice = z.infer<typeof zoneChoiceSchema>;

const outcomeFields = {
  verdict: verdictSchema,
  /** The nft reject expression ("icmpx admin-prohibited", "tcp reset"). */
  rejectWith: z.string().optional(),
  /** What the client sees ("connection refused", "no route to host", "time-out"). */
  clientSees: z.string(),
  decidedBy: stepSchema,
  zone: zoneChoiceSchema.optional(),
};

export const explainCaseSchema = z.object({
  /** "the packet arrives on eth0", "the source is in 10.0.0.0/8". */
  when: z.string(),
  field: z.enum(['iface', 'src']),
  value: z.string(),
  ...outcomeFields,
});
export type ExplainCase = z.infer<typeof explainCaseSchema>;

export const explanationSchema = z.object({
  /** `depends`: the unknown interface or source decides; see cases. */
  verdict: z.enum(['accept', 'reject', 'drop', 'depends']),
  rejectWith: z.string().optional(),
  clientSees: z.string(),
  /** The one element that decided (for `depends`: the one of the first case). */
  decidedBy: stepSchema,
  zone: zoneChoiceSchema.optional(),
  /** Everything considered, in firewalld's order, up to and including the deciding element. */
  path: z.array(stepSchema),
  family: z.enum(['ipv4', 'ipv6']).optional(),
  direction: z.enum(['input', 'forward']),
  /** Per value of an unknown interface or source, when they lead to different answers. */
  cases: z.array(explainCaseSchema),
  /** Elements on the path that would decide differently if an unknown field matched them. */
  alternatives: z.array(z.object({ when: z.string(), verdict: verdictSchema, decidedBy: stepSchema })),
  /** The log prefix LogDenied would print for this packet, when it is logged. */
  logPrefix: z.string().optional(),
  /** What the answer assumes (a new connection, not established; rate limits not reached). */
  assumptions: z.array(z.string()),
});
export type Explanation = z.infer<typeof explanationSchema>;
