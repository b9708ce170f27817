import type { TraceStep } from './contract';

/**
 * `nft monitor trace` as nft 1.0.x prints it (text even with -j), e.g.
 *   trace id 0fd2cbf4 inet firewalld filter_INPUT packet: iif "eth0" ip saddr 10.0.0.2 ...
 *   trace id 0fd2cbf4 inet firewalld filter_IN_public_allow rule tcp dport 8080 accept # handle 12 (verdict accept)
 *   trace id 0fd2cbf4 inet firewalld filter_INPUT policy accept
 * One packet's lines share an id; ids are reused, so a packet's trace is the run of lines from
 * its first `packet:` line in the tracing table to the next `packet:` line there with that id.
 */

export interface TraceLine {
  id: string;
  family: string;
  table: string;
  chain: string;
  /** packet: the packet as it entered a chain; rule / policy / end: a step. */
  type: 'packet' | 'rule' | 'policy' | 'end';
  step?: TraceStep;
  text: string;
}

const LINE = /^trace id ([0-9a-f]+) (\S+) (\S+) (\S+) (.*)$/;

export function parseTraceLine(line: string): TraceLine | undefined {
  const m = LINE.exec(line.trimEnd());
  if (!m) return undefined;
  const [, id, family, table, chain, rest] = m as unknown as [string, string, string, string, string, string];
  const base = { id, family, table, chain, text: line.trimEnd() };
  if (rest.startsWith('packet:')) return { ...base, type: 'packet' };
  if (rest.startsWith('policy ')) {
    const verdict = rest.slice(7).trim();
    return { ...base, type: 'policy', step: { family, table, chain, kind: 'policy', verdict, outcome: outcomeOf(verdict) } };
  }
  if (rest.startsWith('rule ')) {
    // The verdict is the last "(verdict ...)": a rule's comment may hold parentheses of its own.
    const v = /^rule (.*) \(verdict ([^()]*)\)$/.exec(rest);
    if (!v) return undefined;
    let rule = v[1]!;
    let handle: number | undefined;
    const h = / # handle (\d+)$/.exec(rule);
    if (h) {
      handle = Number(h[1]);
      rule = rule.slice(0, h.index);
    }
    const verdict = v[2]!.trim();
    const step: TraceStep = { family, table, chain, kind: 'rule', rule, verdict, outcome: outcomeOf(verdict) };
    if (handle !== undefined) step.handle = handle;
    const reject = rejectOf(rule);
    if (reject && verdict === 'drop') {
      step.outcome = 'reject';
      step.rejectWith = reject;
    }
    return { ...base, type: 'rule', step };
  }
  if (rest.startsWith('verdict ')) {
    const verdict = rest.slice(8).trim();
    return { ...base, type: 'end', step: { family, table, chain, kind: 'end', verdict, outcome: outcomeOf(verdict) } };
  }
  return undefined;
}

function outcomeOf(verdict: string): TraceStep['outcome'] {
  const word = verdict.split(' ')[0];
  if (word === 'accept' || word === 'drop' || word === 'continue' || word === 'return') return word;
  if (word === 'jump' || word === 'goto') return 'jump';
  // queue, stolen, ...: the packet left nftables' hands; for the client that is neither accept nor reject.
  return 'drop';
}

/** The reject expression of a rule's text, in explain's words ("icmpx admin-prohibited", "tcp reset"). */
export function rejectOf(rule: string): string | undefined {
  const m = /(?:^|\s)reject(?: with ((?:icmpx|icmp|icmpv6) (?:type )?[a-z-]+|tcp reset))?\s*$/.exec(rule.replace(/\s+comment\s+".*"$/, ''));
  if (!m) return undefined;
  // A bare "reject" sends ICMP(v6) port-unreachable (nft's default for inet is icmpx port-unreachable).
  return (m[1] ?? 'icmpx port-unreachable').replace(' type ', ' ');
}

export interface PacketTrace {
  id: string;
  /** Every step in the kernel's order, the tracing table's own steps left out. */
  steps: TraceStep[];
}

/**
 * The first packet's trace from monitor output: the first trace id seen with a `packet:` line
 * in `traceTable` (the one that sets nftrace), up to that id's next packet there.
 */
export function firstPacketTrace(lines: string[], traceTable: string): PacketTrace | undefined {
  let id: string | undefined;
  const steps: TraceStep[] = [];
  for (const raw of lines) {
    const l = parseTraceLine(raw);
    if (!l) continue;
    if (id === undefined) {
      if (l.type === 'packet' && l.table === traceTable) id = l.id;
      else continue;
    } else if (l.id !== id) continue;
    else if (l.type === 'packet' && l.table === traceTable) break;
    if (l.step && l.table !== traceTable) steps.push(l.step);
  }
  return id === undefined ? undefined : { id, steps };
}

/** The kernel's verdict from a packet's steps: the first drop or reject ends it; otherwise it was accepted. */
export function kernelVerdict(steps: TraceStep[]): { verdict: 'accept' | 'reject' | 'drop'; rejectWith?: string; decidedBy?: TraceStep } {
  const stop = steps.find((s) => s.outcome === 'drop' || s.outcome === 'reject');
  if (stop) return { verdict: stop.outcome as 'drop' | 'reject', ...(stop.rejectWith ? { rejectWith: stop.rejectWith } : {}), decidedBy: stop };
  const accepts = steps.filter((s) => s.outcome === 'accept');
  // A NAT statement (masquerade, snat, dnat, redirect) ends its nat chain with "accept" but
  // admits nothing: the filter rule that accepted the packet decided, not the rewrite after it.
  const byRule = accepts.filter((s) => s.kind === 'rule' && !/(?:^|\s)(?:masquerade|snat|dnat|redirect)(?:\s|$)/.test(s.rule ?? ''));
  const decidedBy = byRule[byRule.length - 1] ?? accepts[accepts.length - 1];
  return { verdict: 'accept', ...(decidedBy ? { decidedBy } : {}) };
}

/**
 * The packet a `packet:` line shows, as a key: "SRC DST tcp SPORT DPORT" or "SRC DST icmp id N"
 * (addresses as nft prints them). Undefined when the line does not show all of it.
 */
export function packetKey(text: string): string | undefined {
  const src = /\bip6? saddr (\S+)/.exec(text)?.[1];
  const dst = /\bip6? daddr (\S+)/.exec(text)?.[1];
  if (!src || !dst) return undefined;
  const ports = /\b(tcp|udp) sport (\d+) \1 dport (\d+)/.exec(text);
  if (ports) return `${src} ${dst} ${ports[1]} ${ports[2]} ${ports[3]}`;
  const echo = /\b(icmpv6|icmp) type echo-request\b.*?\b\1 id (\d+)/.exec(text);
  if (echo) return `${src} ${dst} ${echo[1]} id ${echo[2]}`;
  // nft 1.0.x prints an ICMPv6 echo's id and sequence as one 32-bit "parameter-problem" field.
  const v6echo = /\bicmpv6 type echo-request\b.*?\bicmpv6 parameter-problem (\d+)/.exec(text);
  if (v6echo) return `${src} ${dst} icmpv6 id ${Number(v6echo[1]) >>> 16}`;
  return undefined;
}

/**
 * Many packets traced at once (one monitor, packets in flight together): each packet's own
 * steps, by its key (see packetKey). A packet's trace runs from its `packet:` line in
 * `traceTable` to that id's next one there; lines of other ids interleave freely. The first
 * trace of a key wins (a retransmitted SYN is the same flow again).
 */
export function packetTraces(lines: string[], traceTable: string): Map<string, PacketTrace> {
  const out = new Map<string, PacketTrace>();
  // The open run of each trace id: where its steps go (undefined: a repeat, not collected).
  const open = new Map<string, PacketTrace | undefined>();
  for (const raw of lines) {
    const l = parseTraceLine(raw);
    if (!l) continue;
    if (l.type === 'packet' && l.table === traceTable) {
      const key = packetKey(l.text);
      const fresh = key !== undefined && !out.has(key) ? { id: l.id, steps: [] } : undefined;
      if (fresh) out.set(key!, fresh);
      open.set(l.id, fresh);
      continue;
    }
    const run = open.get(l.id);
    if (run && l.step && l.table !== traceTable) run.steps.push(l.step);
  }
  return out;
}
