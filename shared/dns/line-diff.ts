/**
 * Line diff of two texts (longest common subsequence), for "review changes before save".
 * Hand-written because resolv.conf files are a few dozen lines and no diff library is a
 * dependency; the quadratic table is bounded by MAX_CELLS and degrades to "replace all".
 */

export type DiffLine = { kind: 'same' | 'del' | 'add'; text: string; oldLine: number | null; newLine: number | null };

const MAX_CELLS = 4_000_000;

function lines(text: string): string[] {
  const l = text.split('\n');
  if (l.length > 0 && l[l.length - 1] === '') l.pop();
  return l;
}

export function diffLines(before: string, after: string): DiffLine[] {
  const a = lines(before);
  const b = lines(after);
  const out: DiffLine[] = [];
  if (a.length * b.length > MAX_CELLS) {
    a.forEach((text, i) => out.push({ kind: 'del', text, oldLine: i + 1, newLine: null }));
    b.forEach((text, j) => out.push({ kind: 'add', text, oldLine: null, newLine: j + 1 }));
    return out;
  }
  // lcs[i][j] = LCS length of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i]!, oldLine: i + 1, newLine: j + 1 });
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push({ kind: 'add', text: b[j]!, oldLine: null, newLine: j + 1 });
      j++;
    } else {
      out.push({ kind: 'del', text: a[i]!, oldLine: i + 1, newLine: null });
      i++;
    }
  }
  // Within a changed block show the removed lines first, as diff tools do.
  for (let k = 1; k < out.length; k++) {
    let m = k;
    while (m > 0 && out[m]!.kind === 'del' && out[m - 1]!.kind === 'add') {
      [out[m - 1], out[m]] = [out[m]!, out[m - 1]!];
      m--;
    }
  }
  return out;
}
