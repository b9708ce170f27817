import type { ZodType } from 'zod';

/**
 * electron/api/output-check.ts's fast check (true only when zod's parse would succeed AND give
 * back a value equal to the input, so the input may be used as is and zod's copy skipped), for
 * schemas of documents HostDeck reads back, such as snapshots (issue #17: zod's copy was 12% of
 * a 1,000-file fleet summary). Beyond output-check's plain JSON kinds it knows `.default()`
 * (exact only when the value is there: zod would fill it in otherwise), `.min(n)` on strings, arrays
 * and numbers (also `.nonnegative()`, `.positive()`), and `.int()`; any other check, transform, pipe or lazy part gets no fast check (null).
 */
export type ExactCheck = (value: unknown) => boolean;

interface Node {
  accepts: (v: unknown) => boolean;
  exact: (v: unknown) => boolean;
}

type Def = { type: string; checks?: { _zod?: { def?: { check?: string; minimum?: number; format?: string; value?: unknown; inclusive?: boolean } } }[]; [k: string]: unknown };

const compiled = new WeakMap<ZodType, ExactCheck | null>();

export function exactCheck(schema: ZodType): ExactCheck | null {
  let c = compiled.get(schema);
  if (c === undefined) {
    const node = compile(schema);
    c = node ? node.exact : null;
    compiled.set(schema, c);
  }
  return c;
}

const both = (f: (v: unknown) => boolean): Node => ({ accepts: f, exact: f });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The checks this module knows, as one predicate on the value (null: a check it does not know). */
function checksOf(def: Def): ((v: unknown) => boolean) | null {
  const tests: ((v: unknown) => boolean)[] = [];
  for (const c of def.checks ?? []) {
    const d = c._zod?.def;
    if (d?.check === 'min_length' && typeof d.minimum === 'number' && (def.type === 'string' || def.type === 'array')) {
      const min = d.minimum;
      tests.push((v) => (v as string | unknown[]).length >= min);
    } else if (d?.check === 'greater_than' && typeof d.value === 'number' && def.type === 'number') {
      const min = d.value;
      tests.push(d.inclusive ? (v) => (v as number) >= min : (v) => (v as number) > min);
    } else if (d?.check === 'number_format' && d.format === 'safeint' && def.type === 'number') tests.push((v) => Number.isSafeInteger(v));
    else return null;
  }
  return (v) => tests.every((t) => t(v));
}

function compile(schema: ZodType): Node | null {
  const def = (schema as unknown as { _zod?: { def?: Def } })._zod?.def;
  if (!def) return null;
  const checks = checksOf(def);
  if (!checks) return null;
  const base = compileKind(def);
  if (!base || !def.checks?.length) return base;
  return { accepts: (v) => base.accepts(v) && checks(v), exact: (v) => base.exact(v) && checks(v) };
}

function compileKind(def: Def): Node | null {
  switch (def.type) {
    case 'string':
      return both((v) => typeof v === 'string');
    case 'number':
      // zod 4 refuses NaN and ±Infinity.
      return both((v) => typeof v === 'number' && Number.isFinite(v));
    case 'boolean':
      return both((v) => typeof v === 'boolean');
    case 'null':
      return both((v) => v === null);
    case 'unknown':
    case 'any':
      return both(() => true);
    case 'literal': {
      const values = def.values as unknown[];
      if (!values.every((x) => typeof x === 'string' || typeof x === 'boolean' || x === null || (typeof x === 'number' && Number.isFinite(x)))) return null;
      return both((v) => values.includes(v));
    }
    case 'enum': {
      const values = new Set(Object.values(def.entries as Record<string, unknown>));
      return both((v) => values.has(v));
    }
    case 'nullable':
    case 'optional': {
      const inner = compile(def.innerType as ZodType);
      if (!inner) return null;
      const empty = def.type === 'nullable' ? null : undefined;
      return { accepts: (v) => v === empty || inner.accepts(v), exact: (v) => v === empty || inner.exact(v) };
    }
    case 'default': {
      // Missing: zod gives the default (accepted, not the same value); present: the inner schema decides.
      const inner = compile(def.innerType as ZodType);
      if (!inner) return null;
      return { accepts: (v) => v === undefined || inner.accepts(v), exact: (v) => v !== undefined && inner.exact(v) };
    }
    case 'array': {
      const el = compile(def.element as ZodType);
      if (!el) return null;
      return {
        accepts: (v) => Array.isArray(v) && v.every((x) => el.accepts(x)),
        exact: (v) => {
          if (!Array.isArray(v)) return false;
          for (let i = 0; i < v.length; i++) if (!el.exact(v[i])) return false;
          return true;
        },
      };
    }
    case 'object': {
      // A catchall (strict, loose, passthrough) decides extra keys differently: zod's job.
      if (def.catchall !== undefined) return null;
      const shape = def.shape as Record<string, ZodType>;
      const keys = Object.keys(shape);
      const nodes: Node[] = [];
      for (const k of keys) {
        const n = compile(shape[k]!);
        if (!n) return null;
        nodes.push(n);
      }
      const keySet = new Set(keys);
      return {
        accepts: (v) => isObject(v) && keys.every((k, i) => nodes[i]!.accepts(v[k])),
        exact: (v) => {
          if (!isObject(v)) return false;
          for (let i = 0; i < keys.length; i++) if (!nodes[i]!.exact(v[keys[i]!])) return false;
          // A key the schema does not name would be stripped by zod (a "__proto__" key too): not exact.
          for (const k in v) if (!keySet.has(k)) return false;
          return Object.getOwnPropertySymbols(v).length === 0;
        },
      };
    }
    case 'record': {
      // Only string keys: an enum key type makes zod 4 demand every key.
      const keyDef = (def.keyType as { _zod?: { def?: Def } })._zod?.def;
      if (!keyDef || keyDef.type !== 'string' || (keyDef.checks && keyDef.checks.length > 0)) return null;
      const val = compile(def.valueType as ZodType);
      if (!val) return null;
      return {
        accepts: (v) => isObject(v) && Object.keys(v).every((k) => val.accepts(v[k])),
        // zod 4 builds records key by key: a "__proto__" key would not come back as an own key.
        exact: (v) => isObject(v) && Object.getOwnPropertySymbols(v).length === 0 && Object.keys(v).every((k) => k !== '__proto__' && val.exact(v[k])),
      };
    }
    case 'union': {
      // zod answers with the first option that accepts: exact only if that one gives it back whole.
      if (def.inclusive === false) return null;
      const options: Node[] = [];
      for (const o of def.options as ZodType[]) {
        const n = compile(o);
        if (!n) return null;
        options.push(n);
      }
      const first = (v: unknown) => options.find((o) => o.accepts(v));
      return { accepts: (v) => first(v) !== undefined, exact: (v) => first(v)?.exact(v) ?? false };
    }
    default:
      return null;
  }
}
