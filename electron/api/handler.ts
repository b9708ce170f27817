import type { Feature, OpName, OpOutput, OpParsedInput } from '../../shared/api/contract';
import type { Host } from '../hosts/host';
import type { Runtime } from './runtime';

export interface HandlerContext {
  host: Host;
  runtime: Runtime;
}

/** A handler is a plain function of (host, input): no Electron, no HTTP, testable alone. */
export type Handler<F extends Feature, N extends OpName<F>> = (
  ctx: HandlerContext,
  input: OpParsedInput<F, N>,
) => Promise<OpOutput<F, N>> | OpOutput<F, N>;

export type FeatureHandlers<F extends Feature> = { [N in OpName<F>]: Handler<F, N> };
export type AllHandlers = { [F in Feature]: FeatureHandlers<F> };
