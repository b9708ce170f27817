import type { z } from 'zod';
import type { EventContract, FeatureContract, OperationDef } from './define';
import { appContract, appEvents } from '../app/contract';
import { firewallContract, firewallEvents } from '../firewall/contract';
import { dnsContract, dnsEvents } from '../dns/contract';
import { kernelContract, kernelEvents } from '../kernel/contract';
import { compareContract, compareEvents } from '../compare/contract';
import { helperContract, helperEvents } from '../helper/contract';
import { hostsContract, hostsEvents } from '../hosts/contract';
import { historyContract, historyEvents } from '../history/contract';

/**
 * Every operation HostDeck offers, by feature. The Electron IPC handlers, the preload, browser
 * mode's HTTP routes and the CLI are all derived from this object; add an operation here (in its
 * feature's contract file) and implement it in electron/<feature>/handlers.ts.
 */
export const contract = {
  app: appContract,
  firewall: firewallContract,
  dns: dnsContract,
  kernel: kernelContract,
  compare: compareContract,
  helper: helperContract,
  hosts: hostsContract,
  history: historyContract,
} satisfies Record<string, FeatureContract>;

/** Events the Node side pushes to the UI (firewalld signals, file changes, ...). */
export const events = {
  ...appEvents,
  ...firewallEvents,
  ...dnsEvents,
  ...kernelEvents,
  ...compareEvents,
  ...helperEvents,
  ...hostsEvents,
  ...historyEvents,
} satisfies EventContract;

export type Contract = typeof contract;
export type Feature = keyof Contract;
export type OpName<F extends Feature> = keyof Contract[F] & string;
type Def<F extends Feature, N extends OpName<F>> = Contract[F][N] extends OperationDef ? Contract[F][N] : never;
export type OpInput<F extends Feature, N extends OpName<F>> = z.input<Def<F, N>['input']>;
export type OpParsedInput<F extends Feature, N extends OpName<F>> = z.output<Def<F, N>['input']>;
export type OpOutput<F extends Feature, N extends OpName<F>> = z.output<Def<F, N>['output']>;

export type Events = typeof events;
export type EventName = keyof Events & string;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export type HostDeckEvent = { [E in EventName]: { name: E; host: string; payload: EventPayload<E> } }[EventName];

/** Options every call may carry besides its input. */
export interface CallOptions {
  /** Host id; "local" when omitted. */
  host?: string;
}

/** The typed API object the renderer and the CLI use: api.firewall.status({}) and so on. */
export type Api = {
  [F in Feature]: {
    [N in OpName<F>]: (input: OpInput<F, N>, options?: CallOptions) => Promise<OpOutput<F, N>>;
  };
};

export interface OperationEntry {
  feature: Feature;
  name: string;
  /** The wire name: IPC channel suffix and HTTP path segment, e.g. "firewall.status". */
  channel: string;
  def: OperationDef;
}

export function listOperations(): OperationEntry[] {
  const out: OperationEntry[] = [];
  for (const feature of Object.keys(contract) as Feature[]) {
    const ops = contract[feature] as FeatureContract;
    for (const name of Object.keys(ops)) {
      out.push({ feature, name, channel: `${feature}.${name}`, def: ops[name]! });
    }
  }
  return out;
}

export function findOperation(channel: string): OperationEntry | undefined {
  return listOperations().find((o) => o.channel === channel);
}

/** What a client sends for one call, on every transport. */
export interface CallRequest {
  host?: string;
  input: unknown;
}
