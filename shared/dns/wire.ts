/**
 * The few bits of the DNS wire format HostDeck needs (RFC 1035 §4): one question out, header,
 * question and A/AAAA/NS answers back. Hand-written because it is ~100 lines and no small,
 * maintained dependency-free package covers both building queries and parsing answers in the
 * renderer-safe shared layer. Names are byte strings (one char per byte).
 */

export const QTYPE = { A: 1, NS: 2, CNAME: 5, AAAA: 28 } as const;
export const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export function encodeName(name: string): number[] {
  const out: number[] = [];
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n !== '') {
    for (const label of n.split('.')) {
      if (label.length === 0 || label.length > 63) throw new Error(`invalid DNS name "${name}"`);
      out.push(label.length);
      for (let i = 0; i < label.length; i++) out.push(label.charCodeAt(i) & 0xff);
    }
  }
  out.push(0);
  return out;
}

export function buildQuery(id: number, name: string, qtype: number, recursionDesired = true): Uint8Array {
  const header = [id >> 8, id & 0xff, recursionDesired ? 0x01 : 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
  return Uint8Array.from([...header, ...encodeName(name), qtype >> 8, qtype & 0xff, 0, 1]);
}

/** Reads a (possibly compressed) name at `off`; returns the name (with final ".") and the offset after it. */
export function readName(msg: Uint8Array, off: number): { name: string; next: number } {
  const labels: string[] = [];
  let next = -1;
  let p = off;
  for (let hops = 0; hops < 64; hops++) {
    if (p >= msg.length) throw new Error('truncated name');
    const len = msg[p]!;
    if (len === 0) {
      if (next < 0) next = p + 1;
      return { name: labels.length ? `${labels.join('.')}.` : '.', next };
    }
    if ((len & 0xc0) === 0xc0) {
      if (p + 1 >= msg.length) throw new Error('truncated pointer');
      if (next < 0) next = p + 2;
      p = ((len & 0x3f) << 8) | msg[p + 1]!;
      continue;
    }
    if (p + 1 + len > msg.length) throw new Error('truncated label');
    labels.push(String.fromCharCode(...msg.subarray(p + 1, p + 1 + len)));
    p += 1 + len;
  }
  throw new Error('name compression loop');
}

export interface DnsMessage {
  id: number;
  qr: boolean;
  rcode: number;
  question: { name: string; type: number } | null;
  answers: { name: string; type: number; data: string }[];
}

export function parseMessage(msg: Uint8Array): DnsMessage {
  if (msg.length < 12) throw new Error('message shorter than a DNS header');
  const id = (msg[0]! << 8) | msg[1]!;
  const qr = (msg[2]! & 0x80) !== 0;
  const rcode = msg[3]! & 0x0f;
  const qd = (msg[4]! << 8) | msg[5]!;
  const an = (msg[6]! << 8) | msg[7]!;
  let off = 12;
  let question: DnsMessage['question'] = null;
  for (let i = 0; i < qd; i++) {
    const { name, next } = readName(msg, off);
    const type = (msg[next]! << 8) | msg[next + 1]!;
    if (i === 0) question = { name, type };
    off = next + 4;
  }
  const answers: DnsMessage['answers'] = [];
  for (let i = 0; i < an && off < msg.length; i++) {
    const { name, next } = readName(msg, off);
    const type = (msg[next]! << 8) | msg[next + 1]!;
    const rdlen = (msg[next + 8]! << 8) | msg[next + 9]!;
    const rd = msg.subarray(next + 10, next + 10 + rdlen);
    let data = '';
    if (type === QTYPE.A && rdlen === 4) data = [...rd].join('.');
    else if (type === QTYPE.AAAA && rdlen === 16) {
      const w: string[] = [];
      for (let k = 0; k < 16; k += 2) w.push(((rd[k]! << 8) | rd[k + 1]!).toString(16));
      data = w.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
    } else if (type === QTYPE.NS || type === QTYPE.CNAME) data = readName(msg, next + 10).name;
    answers.push({ name, type, data });
    off = next + 10 + rdlen;
  }
  return { id, qr, rcode, question, answers };
}

/** A response to `query` with the given rcode and optional A answer (used by test servers). */
export function buildResponse(query: Uint8Array, rcode: number, answerA?: string): Uint8Array {
  const q = parseMessage(query);
  const qEnd = 12 + encodeName(q.question?.name ?? '.').length + 4;
  const out = [...query.subarray(0, qEnd)];
  out[2] = 0x80 | (query[2]! & 0x01); // QR, keep RD
  out[3] = 0x80 | rcode; // RA
  out[6] = 0;
  out[7] = answerA ? 1 : 0;
  out[8] = out[9] = out[10] = out[11] = 0;
  if (answerA) out.push(0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...answerA.split('.').map(Number));
  return Uint8Array.from(out);
}
