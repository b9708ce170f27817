/**
 * Host lists folded into ranges, as admins write them (ClusterShell, pdsh, Slurm):
 * `web-[017-046,050]`, `db-[1-3]`. The last run of digits in a name is its number; names with
 * the same text around it fold together when their numbers are contiguous and written alike
 * (zero padding is kept: `web-017` and `web-18` never share a range).
 */

interface Parsed {
  name: string;
  prefix: string;
  digits: string | null;
  suffix: string;
}

const LAST_DIGITS = /^(.*?)(\d+)(\D*)$/;

function parse(name: string): Parsed {
  const m = LAST_DIGITS.exec(name);
  return m ? { name, prefix: m[1]!, digits: m[2]!, suffix: m[3]! } : { name, prefix: name, digits: null, suffix: '' };
}

/** Padded numbers ("007") keep their width; unpadded ones ("7", "10") fold with any unpadded one. */
const widthOf = (d: string) => (d.length > 1 && d.startsWith('0') ? d.length : 0);

/** Natural order: "web-2" before "web-10", the text around the number compared as text. */
export function naturalCompare(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (pa.prefix !== pb.prefix) return pa.prefix < pb.prefix ? -1 : 1;
  if (pa.digits !== null && pb.digits !== null) {
    const na = BigInt(pa.digits);
    const nb = BigInt(pb.digits);
    if (na !== nb) return na < nb ? -1 : 1;
    if (pa.digits.length !== pb.digits.length) return pa.digits.length - pb.digits.length;
  } else if (pa.digits !== pb.digits) return pa.digits === null ? -1 : 1;
  if (pa.suffix !== pb.suffix) return pa.suffix < pb.suffix ? -1 : 1;
  return 0;
}

/**
 * Folds names into ranges, naturally sorted: ["web-017", "web-018", "web-019", "web-030", "db1"]
 * gives ["db1", "web-[017-019,030]"]. Duplicates count once.
 */
export function foldHosts(names: Iterable<string>): string[] {
  const unique = [...new Set(names)].sort(naturalCompare).map(parse);
  const out: string[] = [];
  let i = 0;
  while (i < unique.length) {
    const first = unique[i]!;
    if (first.digits === null) {
      out.push(first.name);
      i++;
      continue;
    }
    // One group: same prefix, suffix and width; inside it, runs of consecutive numbers.
    const group: Parsed[] = [first];
    let j = i + 1;
    for (; j < unique.length; j++) {
      const p = unique[j]!;
      if (p.digits === null || p.prefix !== first.prefix || p.suffix !== first.suffix) break;
      if (widthOf(p.digits) !== widthOf(first.digits)) break;
      group.push(p);
    }
    if (group.length === 1) out.push(first.name);
    else {
      const parts: string[] = [];
      let start = 0;
      for (let k = 1; k <= group.length; k++) {
        const contiguous = k < group.length && BigInt(group[k]!.digits!) === BigInt(group[k - 1]!.digits!) + 1n;
        if (contiguous) continue;
        parts.push(k - 1 === start ? group[start]!.digits! : `${group[start]!.digits}-${group[k - 1]!.digits}`);
        start = k;
      }
      out.push(`${first.prefix}[${parts.join(',')}]${first.suffix}`);
    }
    i = j;
  }
  return out;
}
