import type { OpOutput } from '../../../shared/api/contract';
import { stepText } from '../../../shared/firewall/trace/agree';

/** `hostdeck firewall trace` without --json: the kernel's verdict and path beside explain's prediction, a disagreement first and loud. */
export function traceText(r: OpOutput<'firewall', 'trace'>): string {
  const lines: string[] = [];
  const f = r.flow;
  if (r.disagreement) lines.push(`!!! DISAGREEMENT: ${r.disagreement}`, '');
  lines.push(`${r.verdict.toUpperCase()}${r.rejectWith ? ` (${r.rejectWith})` : ''}: what the kernel did to one real packet`);
  lines.push(`  packet: ${f.protocol} ${f.src}${f.sport ? ` port ${f.sport}` : ''} -> ${f.dst}${f.dport ? ` port ${f.dport}` : ''} arriving on ${f.iface}`);
  if (r.decidedBy) lines.push(`  decided by: ${stepText(r.decidedBy)}`);
  lines.push(`  the client saw: ${r.client.outcome} (${r.client.detail})`);
  const p = r.prediction;
  lines.push(`explain predicted: ${p.verdict.toUpperCase()}${p.rejectWith ? ` (${p.rejectWith})` : ''}: ${p.decidedBy.words}  [${p.decidedBy.firewalld}, ${p.decidedBy.chain}]`);
  lines.push(`agreement: ${r.agreement ? 'yes' : 'NO'}`);
  lines.push('kernel path:');
  for (const s of r.kernelPath) {
    const what = s.kind === 'rule' ? `${s.rule}${s.handle !== undefined ? `  # handle ${s.handle}` : ''}` : `(${s.kind === 'policy' ? 'chain policy' : 'end of chain'})`;
    lines.push(`  ${s.outcome.padEnd(8)} ${s.family} ${s.table} ${s.chain}: ${what}`);
  }
  for (const t of r.notLoaded) lines.push(`not loaded: table ${t.table}: ${t.error}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
