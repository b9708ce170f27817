import type { ZodType } from 'zod';

/**
 * What exact-check.ts can decide about a zod schema, as plain JSON: the part of the schema a
 * check needs, with nothing of zod in it. A plan is made from the contract when it is built
 * (scripts/gen-contract-plans.ts writes shared/api/plans/*.json) so that a call whose input and
 * answer pass the plan's check never loads zod (issue #22: building zod and the feature's schemas
 * was ~15% of `hostdeck kernel list`). null: a kind or check the plan does not know (zod decides).
 */
export type CheckPlan =
  | { t: 'string' | 'number' | 'boolean' | 'null' | 'any'; c?: PlanCheck[] }
  | { t: 'array'; e: CheckPlan; c?: PlanCheck[] }
  | { t: 'literal' | 'enum'; v: (string | number | boolean | null)[] }
  | { t: 'optional' | 'nullable' | 'default'; i: CheckPlan }
  | { t: 'object'; s: Record<string, CheckPlan> }
  | { t: 'record'; v: CheckPlan }
  | { t: 'union'; o: CheckPlan[] };

/**
 * min and max length (strings, arrays), a lower and an upper bound (numbers, inclusive or not), a
 * safe integer, a regular expression (source and flags) a string must match.
 */
export type PlanCheck = ['min', number] | ['max', number] | ['gt', number, boolean] | ['lt', number, boolean] | ['safeint'] | ['regex', string, string];

type Def = {
  type: string;
  checks?: { _zod?: { def?: { check?: string; minimum?: number; maximum?: number; format?: string; value?: unknown; inclusive?: boolean; pattern?: unknown } } }[];
  [k: string]: unknown;
};

const defOf = (schema: unknown) => (schema as { _zod?: { def?: Def } })._zod?.def;

function checksOf(def: Def): PlanCheck[] | null {
  const out: PlanCheck[] = [];
  for (const c of def.checks ?? []) {
    const d = c._zod?.def;
    const sized = def.type === 'string' || def.type === 'array';
    if (d?.check === 'min_length' && typeof d.minimum === 'number' && sized) out.push(['min', d.minimum]);
    else if (d?.check === 'max_length' && typeof d.maximum === 'number' && sized) out.push(['max', d.maximum]);
    else if (d?.check === 'greater_than' && typeof d.value === 'number' && def.type === 'number') out.push(['gt', d.value, d.inclusive === true]);
    else if (d?.check === 'less_than' && typeof d.value === 'number' && def.type === 'number') out.push(['lt', d.value, d.inclusive === true]);
    else if (d?.check === 'string_format' && d.format === 'regex' && d.pattern instanceof RegExp && def.type === 'string') out.push(['regex', d.pattern.source, d.pattern.flags]);
    else if (d?.check === 'number_format' && d.format === 'safeint' && def.type === 'number') out.push(['safeint']);
    else return null;
  }
  return out;
}

const jsonScalar = (x: unknown): x is string | number | boolean | null => typeof x === 'string' || typeof x === 'boolean' || x === null || (typeof x === 'number' && Number.isFinite(x));

/**
 * The plan of a zod schema, or null when it has a kind or check a plan cannot express. `plain`:
 * null for any check or default too (an answer's plan: an answer passed as is is the handler's
 * own object, which only plain schemas had before plans, see featurePlans).
 */
export function planOf(schema: ZodType, opts: { plain?: boolean } = {}): CheckPlan | null {
  const def = defOf(schema);
  if (!def) return null;
  const checks = checksOf(def);
  if (!checks || (opts.plain && (checks.length > 0 || def.type === 'default'))) return null;
  const c = checks.length ? { c: checks } : {};
  switch (def.type) {
    case 'string':
    case 'number':
      return { t: def.type, ...c };
    case 'boolean':
    case 'null':
      return checks.length ? null : { t: def.type };
    case 'unknown':
    case 'any':
      return checks.length ? null : { t: 'any' };
    case 'literal': {
      const values = def.values as unknown[];
      return !checks.length && values.every(jsonScalar) ? { t: 'literal', v: values } : null;
    }
    case 'enum': {
      const values = Object.values(def.entries as Record<string, unknown>);
      return !checks.length && values.every(jsonScalar) ? { t: 'enum', v: values } : null;
    }
    case 'nullable':
    case 'optional':
    case 'default': {
      // A default is kept only as "there is one": exact needs the value present, and zod's default never reaches a check.
      const i = checks.length ? null : planOf(def.innerType as ZodType, opts);
      return i ? { t: def.type, i } : null;
    }
    case 'array': {
      const e = planOf(def.element as ZodType, opts);
      return e ? { t: 'array', e, ...c } : null;
    }
    case 'object': {
      // A catchall (strict, loose, passthrough) decides extra keys differently: zod's job.
      if (checks.length || def.catchall !== undefined) return null;
      const s: Record<string, CheckPlan> = {};
      for (const [k, v] of Object.entries(def.shape as Record<string, ZodType>)) {
        const p = planOf(v, opts);
        if (!p) return null;
        s[k] = p;
      }
      return { t: 'object', s };
    }
    case 'record': {
      // Only string keys: an enum key type makes zod 4 demand every key.
      const keyDef = defOf(def.keyType);
      if (checks.length || !keyDef || keyDef.type !== 'string' || (keyDef.checks && keyDef.checks.length > 0)) return null;
      const v = planOf(def.valueType as ZodType, opts);
      return v ? { t: 'record', v } : null;
    }
    case 'union': {
      // zod answers with the first option that accepts: exact only if that one gives it back whole.
      if (checks.length || def.inclusive === false) return null;
      const o: CheckPlan[] = [];
      for (const x of def.options as ZodType[]) {
        const p = planOf(x, opts);
        if (!p) return null;
        o.push(p);
      }
      return { t: 'union', o };
    }
    default:
      return null;
  }
}

/** One operation as the call path needs it before (or without) its zod schemas. */
export interface OperationPlan {
  /** The contract's one-line summary (history names a change by it). */
  summary: string;
  mutates: boolean;
  input: CheckPlan | null;
  output: CheckPlan | null;
}

/** A feature's operations by name (shared/api/plans/<feature>.json). */
export type FeaturePlans = Record<string, OperationPlan>;

/**
 * The plans of a feature's contract (scripts/gen-contract-plans.ts writes them; a unit test holds
 * them equal). An answer's plan is a plain one: an answer it passes is the handler's own object,
 * as it was for exactly these schemas before (output-check.ts); anything else is zod's copy, so a
 * handler that hands out an object it keeps and changes later (a cached firewall state) still
 * gives its callers a copy.
 */
export function featurePlans(ops: Record<string, { input: ZodType; output: ZodType; summary: string; mutates?: boolean }>): FeaturePlans {
  const out: FeaturePlans = {};
  for (const [name, def] of Object.entries(ops)) out[name] = { summary: def.summary, mutates: def.mutates === true, input: planOf(def.input), output: planOf(def.output, { plain: true }) };
  return out;
}
