/**
 * The glob matcher HostDeck had before glob.ts, kept as the test oracle: expand the braces,
 * split at "/", one regular expression per component. It is exactly the old meaning (which the
 * systemd-sysctl differential tests proved on real globs) but exponential, so the property test
 * only feeds it small patterns. Test code only.
 */

export function oracleExpandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        const pre = pattern.slice(0, open);
        const post = pattern.slice(i + 1);
        const bounds = [open, ...commas, i];
        const alts = bounds.slice(0, -1).map((b, k) => pattern.slice(b + 1, bounds[k + 1]));
        return alts.flatMap((a) => oracleExpandBraces(pre + a + post));
      }
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  return [pattern];
}

export function oracleMatch(pattern: string, path: string): boolean {
  const c = path.split('/');
  return oracleExpandBraces(pattern).some((pat) => {
    const parts = pat.split('/');
    return c.length === parts.length && c.every((x, i) => componentRegex(parts[i]!).test(x));
  });
}

function componentRegex(comp: string): { test(s: string): boolean } {
  let re = '^';
  for (let i = 0; i < comp.length; i++) {
    const c = comp[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = comp.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = comp.slice(i + 1, end);
      const neg = body[0] === '!' || body[0] === '^';
      if (neg) body = body.slice(1);
      re += bracketClass(body, neg);
      i = end;
    } else if (c === '\\' && i + 1 < comp.length) {
      re += escapeRe(comp[++i]!);
    } else re += escapeRe(c);
  }
  const rx = new RegExp(`${re}$`, 'u');
  return comp.startsWith('.') ? rx : { test: (s: string) => !s.startsWith('.') && rx.test(s) };
}

function bracketClass(body: string, neg: boolean): string {
  const hex = (c: string) => `\\u{${c.codePointAt(0)!.toString(16)}}`;
  const chars = [...body];
  let cls = '';
  for (let k = 0; k < chars.length; k++) {
    const a = chars[k]!;
    if (chars[k + 1] === '-' && k + 2 < chars.length) {
      const b = chars[k + 2]!;
      if (a.codePointAt(0)! <= b.codePointAt(0)!) cls += `${hex(a)}-${hex(b)}`;
      k += 2;
    } else cls += hex(a);
  }
  if (cls === '') return neg ? '[^/]' : '(?!)';
  return `[${neg ? '^/' : ''}${cls}]`;
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
