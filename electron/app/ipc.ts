import type { IpcMainInvokeEvent } from 'electron';
import { listOperations } from '../../shared/api/contract';
import { inputLimit } from '../../shared/api/define';
import { jsonSizeWithin, tooLargeMessage } from '../../shared/api/size';
import type { Envelope } from '../../shared/api/errors';
import type { Runtime } from '../api/runtime';
import { isTrustedSender } from './security';

export const IPC_PREFIX = 'hostdeck:';
export const EVENT_CHANNEL = 'hostdeck:event';

/** The slice of ipcMain we use: a seam so the registration is testable without Electron. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<Envelope>): void;
}

/**
 * One ipcMain.handle per contract operation. Each checks the sender frame before anything
 * else, then the request's size against the operation's limit, then the runtime validates the
 * input against the contract before the handler runs.
 */
export function registerIpcHandlers(ipcMain: IpcMainLike, runtime: Runtime, mainFrame: () => unknown): string[] {
  const channels: string[] = [];
  for (const op of listOperations()) {
    const channel = `${IPC_PREFIX}${op.channel}`;
    ipcMain.handle(channel, async (event, request) => {
      if (!isTrustedSender(event.senderFrame, mainFrame())) {
        return { ok: false, error: { code: 'NOT_AUTHORIZED', message: `Refused ${op.channel}: untrusted sender frame` } };
      }
      // The same per-operation limit browser mode applies to the bytes it reads.
      const limit = inputLimit(op.def);
      if (jsonSizeWithin(request, limit) > limit) {
        return { ok: false, error: { code: 'TOO_LARGE', message: tooLargeMessage(op.channel, limit), detail: { limit } } };
      }
      return runtime.call(op.channel, request);
    });
    channels.push(channel);
  }
  return channels;
}
