import { z } from 'zod';
import { operation } from '../../api/define';
import { layerSchema } from '../model';
import { flowSchema, verdictSchema } from '../explain/flow';

/**
 * firewall.trace (#15 part 2): one real packet through the host's own nftables ruleset, loaded
 * into throwaway network namespaces, with the kernel's path (`nft monitor trace`) next to
 * explain's prediction. Its input is exactly firewall.explain's.
 */

/** One line of the kernel's trace: a rule that matched, a base chain's policy, or a chain's end. */
export const traceStepSchema = z.object({
  family: z.string(),
  table: z.string(),
  chain: z.string(),
  kind: z.enum(['rule', 'policy', 'end']),
  /** The rule's handle in the traced copy: the same as on the host (the ruleset is loaded as listed). */
  handle: z.number().int().optional(),
  /** The rule as nft prints it ("tcp dport 8080 accept"). */
  rule: z.string().optional(),
  /** nft's verdict for this step: accept, drop, continue, return, jump CHAIN, goto CHAIN. */
  verdict: z.string(),
  /** What the step did, as the client sees it: a `reject` rule is a drop to nft but a reject to the client. */
  outcome: z.enum(['accept', 'reject', 'drop', 'continue', 'jump', 'return']),
  rejectWith: z.string().optional(),
});
export type TraceStep = z.infer<typeof traceStepSchema>;

/** What the client in the peer namespace saw. */
export const traceClientSchema = z.object({
  outcome: z.enum(['connected', 'refused', 'unreachable', 'timeout', 'error']),
  detail: z.string(),
});
export type TraceClient = z.infer<typeof traceClientSchema>;

/** The result, around firewall.explain's own output schema (passed in: shared/firewall/contract.ts owns it). */
export const traceResultSchema = <P extends z.ZodType>(prediction: P) => z.object({
  /** The flow as traced: every field explain may leave unknown filled in (and named in notes). */
  flow: flowSchema,
  /** The kernel's verdict for the packet (a closed port behind an accepting rule is `accept`). */
  verdict: verdictSchema,
  rejectWith: z.string().optional(),
  /** The kernel step that decided: the dropping or rejecting rule, else the last rule (or policy) that accepted. */
  decidedBy: traceStepSchema.optional(),
  /** Every step of the packet through the host's tables, in the kernel's order (HostDeck's trace table left out). */
  kernelPath: z.array(traceStepSchema),
  client: traceClientSchema,
  /** firewall.explain for the same flow on the runtime layer. */
  prediction,
  /** True when explain, the kernel's trace and the client's result tell the same story. */
  agreement: z.boolean(),
  /** When they do not: what differs, in words. */
  disagreement: z.string().optional(),
  /** Tables of the host's ruleset that could not be loaded into the copy (and why); their rules were not traced. */
  notLoaded: z.array(z.object({ table: z.string(), error: z.string() })),
  /** What the trace assumed or chose (addresses, ports, a listener on the port). */
  notes: z.array(z.string()),
  /** Milliseconds: reading the host's ruleset, and the trace itself (namespaces, load, packet). */
  timings: z.object({ rulesetMs: z.number(), traceMs: z.number() }),
});

/** The operation; `prediction` is firewall.explain's output schema. */
export const traceOperation = <P extends z.ZodType>(prediction: P) =>
  operation({
    summary: "One real packet through a copy of the host's nftables ruleset in throwaway namespaces: the kernel's path and verdict next to explain's prediction",
    input: z.object({ flow: flowSchema, layer: layerSchema.default('runtime') }),
    output: traceResultSchema(prediction),
  });
