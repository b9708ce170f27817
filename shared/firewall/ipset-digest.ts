/**
 * An order-independent digest of an ipset's entries, so runtime and permanent can be compared by
 * content without shipping 100,000 entries to the page: equal sets give equal digests whatever
 * the order; any added, removed or swapped entry changes it (two 32-bit hashes per entry, summed
 * and xor-ed, plus the count: 128 bits). The entries that differ are then read page by page
 * (firewall.ipsetEntriesDiff).
 */

function hash32(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

export function entriesDigest(entries: Iterable<string>): string {
  let sumA = 0;
  let sumB = 0;
  let xorA = 0;
  let xorB = 0;
  let n = 0;
  for (const e of entries) {
    const a = hash32(e, 0x9747b28c);
    const b = hash32(e, 0x2f1a7d35);
    sumA = (sumA + a) >>> 0;
    sumB = (sumB + b) >>> 0;
    xorA = (xorA ^ a) >>> 0;
    xorB = (xorB ^ b) >>> 0;
    n++;
  }
  return `${n}:${hex(sumA)}${hex(sumB)}${hex(xorA)}${hex(xorB)}`;
}
