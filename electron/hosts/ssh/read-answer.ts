import { createHash } from 'node:crypto';
import type { FileFacts } from '../transport';

/** FileFacts as the read agent answers them (content in base64; an expanded listing's entries). */
export type AgentFacts = Omit<FileFacts, 'bytes'> & { bytes?: string; expanded?: AgentFacts[] };

/**
 * The facts of one read with the sha256 of their content (and of their expanded entries'): the
 * agent sends the bytes and leaves the digest to the reader, which computes it of the bytes it
 * got (hashlib would load OpenSSL on the host on every run, ~6 ms; here it takes microseconds).
 */
export function withDigests(f: AgentFacts): AgentFacts {
  const out: AgentFacts = { ...f };
  if (typeof f.bytes === 'string') out.sha256 = createHash('sha256').update(Buffer.from(f.bytes, 'base64')).digest('hex');
  if (Array.isArray(f.expanded)) out.expanded = f.expanded.map(withDigests);
  return out;
}
