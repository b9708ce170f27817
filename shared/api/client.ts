import { contract, type Api, type Feature } from './contract';
import { channelCaller, type Transport } from './call';

export type { Transport };

/**
 * Builds the typed API object from the contract over any transport. Errors come back as
 * envelopes (properties survive IPC and JSON that way) and are rethrown here as ApiError.
 */
export function createApi(transport: Transport): Api {
  const api: Record<string, Record<string, unknown>> = {};
  for (const feature of Object.keys(contract) as Feature[]) {
    const ops: Record<string, unknown> = {};
    for (const name of Object.keys(contract[feature])) {
      ops[name] = channelCaller(transport, `${feature}.${name}`);
    }
    api[feature] = ops;
  }
  return api as unknown as Api;
}
