import type { Feature } from './contract';
import type { FeaturePlans } from './check-plan';
import { planCheck, type ExactCheck } from './plan-check';

/**
 * The contract's check plans one feature at a time, without zod: the runtime checks a call's
 * input and answer with them first, and loads the feature's zod contract (by-feature.ts) only
 * when a plan has no check for a schema or a value does not pass it, so zod reports exactly what
 * it always did. Generated from the contract (scripts/gen-contract-plans.ts), held equal to it
 * by test/app/contract-plans.test.ts.
 */
const loaders: { [F in Feature]: () => Promise<{ default: unknown }> } = {
  app: () => import('./plans/app.json'),
  firewall: () => import('./plans/firewall.json'),
  dns: () => import('./plans/dns.json'),
  kernel: () => import('./plans/kernel.json'),
  compare: () => import('./plans/compare.json'),
  helper: () => import('./plans/helper.json'),
  hosts: () => import('./plans/hosts.json'),
  history: () => import('./plans/history.json'),
};

/** A plan file's text, as the generator writes it and the test compares it. */
export const planFileText = (plans: FeaturePlans) => `${JSON.stringify(plans)}\n`;

export interface PlannedOperation {
  feature: Feature;
  name: string;
  summary: string;
  mutates: boolean;
  /** True: zod's parse of the input would give it back as is (null: the plan cannot tell). */
  input: ExactCheck | null;
  output: ExactCheck | null;
}

const features = new Map<string, Promise<Map<string, PlannedOperation>>>();
const loaded = new Map<string, Map<string, PlannedOperation>>();

/** A feature's plans, loaded once (allHandlers() loads every feature's before a probe drops privileges). */
export function loadFeaturePlans(feature: Feature): Promise<Map<string, PlannedOperation>> {
  let p = features.get(feature);
  if (!p) {
    p = loaders[feature]().then(({ default: raw }) => {
      const ops = new Map<string, PlannedOperation>();
      for (const [name, plan] of Object.entries(raw as FeaturePlans)) {
        ops.set(name, { feature, name, summary: plan.summary, mutates: plan.mutates, input: planCheck(plan.input), output: planCheck(plan.output) });
      }
      loaded.set(feature, ops);
      return ops;
    });
    p.catch(() => features.delete(feature));
    features.set(feature, p);
  }
  return p;
}

const split = (channel: string): [string, string] | null => {
  const dot = channel.indexOf('.');
  return dot < 0 ? null : [channel.slice(0, dot), channel.slice(dot + 1)];
};

/** The planned operation, if its feature's plans are loaded already (after plannedOperation). */
export function loadedPlan(channel: string): PlannedOperation | undefined {
  const s = split(channel);
  return s ? loaded.get(s[0])?.get(s[1]) : undefined;
}

/** The planned operation a channel names ("kernel.list"), or undefined (unknown: the contract decides). */
export async function plannedOperation(channel: string): Promise<PlannedOperation | undefined> {
  const s = split(channel);
  if (!s || !Object.hasOwn(loaders, s[0])) return undefined;
  return (await loadFeaturePlans(s[0] as Feature)).get(s[1]);
}
