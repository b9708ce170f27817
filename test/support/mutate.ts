/**
 * A copy of `value` with one thing changed at a path chosen by `pick` (each number picks a key
 * or index, modulo how many there are): set it to `replacement`, delete it, add an extra key
 * `notInSchema` beside it, or give it an own `__proto__` key. For differentials of a fast check
 * against zod (test/app/output-check.test.ts, test/compare/snapshot-exact.test.ts).
 */
export function mutate(value: unknown, pick: number[], replacement: unknown, how: 'set' | 'delete' | 'extra' | 'proto'): unknown {
  const copy = structuredClone(value);
  let cur: unknown = copy;
  let parent: Record<string | number, unknown> | null = null;
  let key: string | number | null = null;
  for (const p of pick) {
    if (cur === null || typeof cur !== 'object') break;
    const keys = Array.isArray(cur) ? cur.map((_, i) => i) : Object.keys(cur);
    if (!keys.length) break;
    parent = cur as Record<string | number, unknown>;
    key = keys[p % keys.length]!;
    cur = parent[key];
  }
  if (parent === null || key === null) return replacement;
  const isObject = cur !== null && typeof cur === 'object' && !Array.isArray(cur);
  if (how === 'delete') delete parent[key];
  else if (how === 'extra' && isObject) (cur as Record<string, unknown>).notInSchema = replacement;
  else if (how === 'proto' && isObject) Object.defineProperty(cur, '__proto__', { value: replacement, enumerable: true, configurable: true, writable: true });
  else parent[key] = replacement;
  return copy;
}
