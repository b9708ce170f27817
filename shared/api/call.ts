import type { CallRequest } from './contract';
import { ApiError } from './api-error';
import type { Envelope } from './errors';
import { readEnvelope } from './envelope';

/** Moves one call to the Node side and back: Electron IPC, HTTP, or in-process for the CLI. */
export type Transport = (channel: string, request: CallRequest) => Promise<Envelope>;

/** One operation's client function: envelopes come back as results or ApiErrors (they survive IPC and JSON). */
export function channelCaller(transport: Transport, channel: string): (input: unknown, options?: { host?: string }) => Promise<unknown> {
  return async (input, options) => {
    const raw = await transport(channel, { host: options?.host ?? 'local', input: input ?? {} });
    const envelope = readEnvelope(raw);
    if (!envelope) throw new ApiError('INTERNAL', `Malformed answer to ${channel}`, raw);
    if (!envelope.ok) {
      const { code, message, detail } = envelope.error;
      throw new ApiError(code, message, detail);
    }
    return envelope.result;
  };
}
