import type { CheckPlan, PlanCheck } from './check-plan';

/**
 * A plan (check-plan.ts) made into the check exact-check.ts describes: true only when zod's
 * parse of the value would succeed AND give back a value equal to it. No zod here: the CLI and
 * the server check calls with it before (and mostly instead of) loading zod and the contract.
 */
export type ExactCheck = (value: unknown) => boolean;

interface Node {
  /** zod would accept the value. */
  accepts: (v: unknown) => boolean;
  /** zod would accept it and give back an equal value. */
  exact: (v: unknown) => boolean;
}

const both = (f: (v: unknown) => boolean): Node => ({ accepts: f, exact: f });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkOf(checks: PlanCheck[] | undefined): ((v: unknown) => boolean) | null {
  if (!checks?.length) return null;
  const tests = checks.map((c): ((v: unknown) => boolean) => {
    switch (c[0]) {
      case 'min': {
        const min = c[1];
        return (v) => (v as string | unknown[]).length >= min;
      }
      case 'max': {
        const max = c[1];
        return (v) => (v as string | unknown[]).length <= max;
      }
      case 'gt': {
        const [, min, inclusive] = c;
        return inclusive ? (v) => (v as number) >= min : (v) => (v as number) > min;
      }
      case 'lt': {
        const [, max, inclusive] = c;
        return inclusive ? (v) => (v as number) <= max : (v) => (v as number) < max;
      }
      case 'regex': {
        // As zod tests it: from the start of the string whatever the flags left behind.
        const re = new RegExp(c[1], c[2]);
        return (v) => {
          re.lastIndex = 0;
          return re.test(v as string);
        };
      }
      case 'safeint':
        return (v) => Number.isSafeInteger(v);
    }
  });
  return (v) => tests.every((t) => t(v));
}

/** Whether zod fills in a missing value: a default, also under nullable or optional. */
function fillsIn(plan: CheckPlan): boolean {
  return plan.t === 'default' || ((plan.t === 'nullable' || plan.t === 'optional') && fillsIn(plan.i));
}

function compile(plan: CheckPlan): Node {
  const base = compileKind(plan);
  const checks = 'c' in plan ? checkOf(plan.c) : null;
  return checks ? { accepts: (v) => base.accepts(v) && checks(v), exact: (v) => base.exact(v) && checks(v) } : base;
}

function compileKind(plan: CheckPlan): Node {
  switch (plan.t) {
    case 'string':
      return both((v) => typeof v === 'string');
    case 'number':
      // zod 4 refuses NaN and ±Infinity.
      return both((v) => typeof v === 'number' && Number.isFinite(v));
    case 'boolean':
      return both((v) => typeof v === 'boolean');
    case 'null':
      return both((v) => v === null);
    case 'any':
      return both(() => true);
    case 'literal': {
      const values = plan.v;
      return both((v) => values.includes(v as string));
    }
    case 'enum': {
      const values = new Set<unknown>(plan.v);
      return both((v) => values.has(v));
    }
    case 'nullable':
    case 'optional': {
      const inner = compile(plan.i);
      const empty = plan.t === 'nullable' ? null : undefined;
      // zod 4 hands a missing value on to a default inside (z.x().default(d).optional() gives d): not exact then.
      const given = empty === undefined && fillsIn(plan.i) ? false : true;
      return { accepts: (v) => v === empty || inner.accepts(v), exact: (v) => (v === empty ? given : inner.exact(v)) };
    }
    case 'default': {
      // Missing: zod gives the default (accepted, not the same value); present: the inner schema decides.
      const inner = compile(plan.i);
      return { accepts: (v) => v === undefined || inner.accepts(v), exact: (v) => v !== undefined && inner.exact(v) };
    }
    case 'array': {
      const el = compile(plan.e);
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
      const keys = Object.keys(plan.s);
      const nodes = keys.map((k) => compile(plan.s[k]!));
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
      const val = compile(plan.v);
      return {
        accepts: (v) => isObject(v) && Object.keys(v).every((k) => val.accepts(v[k])),
        // zod 4 builds records key by key: a "__proto__" key would not come back as an own key.
        exact: (v) => isObject(v) && Object.getOwnPropertySymbols(v).length === 0 && Object.keys(v).every((k) => k !== '__proto__' && val.exact(v[k])),
      };
    }
    case 'union': {
      const options = plan.o.map(compile);
      const first = (v: unknown) => options.find((o) => o.accepts(v));
      return { accepts: (v) => first(v) !== undefined, exact: (v) => first(v)?.exact(v) ?? false };
    }
  }
}

/** The check of a plan (null plan: no check, zod decides). */
export function planCheck(plan: CheckPlan | null): ExactCheck | null {
  return plan ? compile(plan).exact : null;
}
