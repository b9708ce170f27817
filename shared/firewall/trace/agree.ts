import type { Explanation } from '../explain/flow';
import type { TraceClient, TraceStep } from './contract';

/**
 * Do explain's prediction, the kernel's trace and the client's own result tell the same story?
 * The verdicts must match, and the client must have seen what that verdict shows a client.
 */

export interface KernelSide {
  verdict: 'accept' | 'reject' | 'drop';
  rejectWith?: string;
  decidedBy?: TraceStep;
  traced: boolean;
}

/** What a client sees for a verdict (mirrors explain's clientSees): connected, refused/unreachable, or a time-out. */
export function expectedClient(verdict: KernelSide['verdict'], rejectWith: string | undefined, protocol: string | undefined, family: string | undefined): Array<TraceClient['outcome']> {
  if (verdict === 'accept') return ['connected'];
  if (verdict === 'drop') return ['timeout'];
  // Linux TCP over IPv6 ignores ICMPv6 errors while connecting: it retries and times out.
  if (protocol === 'tcp' && family === 'ipv6' && rejectWith !== 'tcp reset') return ['timeout'];
  return ['refused', 'unreachable'];
}

export function stepText(s: TraceStep): string {
  const where = `${s.family} ${s.table} ${s.chain}`;
  return s.kind === 'rule' ? `${where}: ${s.rule}${s.handle !== undefined ? ` (handle ${s.handle})` : ''}` : `${where}: policy ${s.verdict}`;
}

export function compareTrace(
  prediction: Pick<Explanation, 'verdict' | 'rejectWith' | 'decidedBy' | 'family'>,
  kernel: KernelSide,
  client: TraceClient,
  protocol: string | undefined,
): { agreement: boolean; disagreement?: string } {
  const problems: string[] = [];
  const kWords = `the kernel ${kernel.verdict === 'accept' ? 'ACCEPTED' : kernel.verdict === 'drop' ? 'DROPPED' : 'REJECTED'} it${kernel.rejectWith ? ` (${kernel.rejectWith})` : ''}${kernel.decidedBy ? ` at ${stepText(kernel.decidedBy)}` : ''}`;
  if (prediction.verdict !== kernel.verdict) {
    problems.push(`explain predicts ${prediction.verdict.toUpperCase()}${prediction.rejectWith ? ` (${prediction.rejectWith})` : ''} by ${prediction.decidedBy.firewalld} [${prediction.decidedBy.chain}], but ${kWords}`);
  }
  if (!kernel.traced) problems.push('the kernel printed no trace for the packet: its verdict is only what the client saw');
  const expected = expectedClient(kernel.verdict, kernel.rejectWith, protocol, prediction.family);
  if (!expected.includes(client.outcome)) {
    problems.push(`the client saw ${client.outcome} (${client.detail}), which does not fit: ${kWords}, so it should have seen ${expected.join(' or ')}`);
  }
  return problems.length ? { agreement: false, disagreement: problems.join('; ') } : { agreement: true };
}
