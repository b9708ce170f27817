import type { IpcMainInvokeEvent } from 'electron';
import { listOperations } from '../../shared/api/contract';
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
 * else, then the runtime validates the input against the contract before the handler runs.
 */
export function registerIpcHandlers(ipcMain: IpcMainLike, runtime: Runtime, mainFrame: () => unknown): string[] {
  const channels: string[] = [];
  for (const op of listOperations()) {
    const channel = `${IPC_PREFIX}${op.channel}`;
    ipcMain.handle(channel, async (event, request) => {
      if (!isTrustedSender(event.senderFrame, mainFrame())) {
        return { ok: false, error: { code: 'NOT_AUTHORIZED', message: `Refused ${op.channel}: untrusted sender frame` } };
      }
      return runtime.call(op.channel, request);
    });
    channels.push(channel);
  }
  return channels;
}
