import type { ZodType } from 'zod';

/**
 * A check of a handler's answer that allocates nothing: true only when zod's parse of `value`
 * would succeed AND give back a value equal to it (no key stripped, nothing transformed), so the
 * runtime may send `value` itself. Anything else (false) goes through zod, which then reports
 * the same issues as always or strips what the contract leaves out. Parsing the 480 KB
 * kernel.list answer with zod copied every row and cost ~17% of `kernel list` in GC (issue #22).
 *
 * Only the plain JSON schema kinds are compiled; a schema with any check (min, regex, int),
 * default, transform, pipe or lazy part gets no fast check at all (null): zod does it all.
 */
export type OutputCheck = (value: unknown) => boolean;

interface Node {
  /** zod would accept the value. */
  accepts: (v: unknown) => boolean;
  /** zod would accept it and give back an equal value. */
  exact: (v: unknown) => boolean;
}

type Def = { type: string; checks?: unknown[]; [k: string]: unknown };

const compiled = new WeakMap<ZodType, OutputCheck | null>();

export function outputCheck(schema: ZodType): OutputCheck | null {
  let c = compiled.get(schema);
  if (c === undefined) {
    const node = compile(schema);
    c = node ? node.exact : null;
    compiled.set(schema, c);
  }
  return c;
}

const both = (f: (v: unknown) => boolean): Node => ({ accepts: f, exact: f });

function compile(schema: ZodType): Node | null {
  const def = (schema as unknown as { _zod?: { def?: Def } })._zod?.def;
  if (!def || (def.checks && def.checks.length > 0)) return null;
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
      const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
      return {
        accepts: (v) => isObject(v) && keys.every((k, i) => nodes[i]!.accepts(v[k])),
        exact: (v) => {
          if (!isObject(v)) return false;
          for (let i = 0; i < keys.length; i++) if (!nodes[i]!.exact(v[keys[i]!])) return false;
          // A key the contract does not name would be stripped by zod: not exact.
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
      const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
      return {
        accepts: (v) => isRecord(v) && Object.keys(v).every((k) => val.accepts(v[k])),
        exact: (v) => isRecord(v) && Object.getOwnPropertySymbols(v).length === 0 && Object.keys(v).every((k) => val.exact(v[k])),
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
