import { contract, type Api, type CallRequest, type Feature } from './contract';
import { ApiError, envelopeSchema, type Envelope } from './errors';

/** Moves one call to the Node side and back: Electron IPC, HTTP, or in-process for the CLI. */
export type Transport = (channel: string, request: CallRequest) => Promise<Envelope>;

/**
 * Builds the typed API object from the contract over any transport. Errors come back as
 * envelopes (properties survive IPC and JSON that way) and are rethrown here as ApiError.
 */
export function createApi(transport: Transport): Api {
  const api: Record<string, Record<string, unknown>> = {};
  for (const feature of Object.keys(contract) as Feature[]) {
    const ops: Record<string, unknown> = {};
    for (const name of Object.keys(contract[feature])) {
      const channel = `${feature}.${name}`;
      ops[name] = async (input: unknown, options?: { host?: string }) => {
        const raw = await transport(channel, { host: options?.host ?? 'local', input: input ?? {} });
        const envelope = envelopeSchema.safeParse(raw);
        if (!envelope.success) throw new ApiError('INTERNAL', `Malformed answer to ${channel}`, raw);
        if (!envelope.data.ok) {
          const { code, message, detail } = envelope.data.error;
          throw new ApiError(code, message, detail);
        }
        return envelope.data.result;
      };
    }
    api[feature] = ops;
  }
  return api as unknown as Api;
}
