import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { contract } from '../shared/api/contract';
import type { CallRequest, HostDeckEvent } from '../shared/api/contract';
import type { Envelope } from '../shared/api/errors';

// Sandboxed preload (one CJS bundle): exposes one named function per contract operation and
// one event subscription. Never ipcRenderer, never a generic invoke(channel, ...).
const IPC_PREFIX = 'hostdeck:';
const EVENT_CHANNEL = 'hostdeck:event';

const bridge: Record<string, unknown> = {};
for (const feature of Object.keys(contract) as (keyof typeof contract)[]) {
  const ops: Record<string, (request: CallRequest) => Promise<Envelope>> = {};
  for (const name of Object.keys(contract[feature])) {
    const channel = `${IPC_PREFIX}${feature}.${name}`;
    ops[name] = (request: CallRequest) => ipcRenderer.invoke(channel, request) as Promise<Envelope>;
  }
  bridge[feature] = Object.freeze(ops);
}
bridge.onEvent = (listener: (e: HostDeckEvent) => void) => {
  // The IpcRendererEvent never reaches the page: only the payload does.
  const wrapped = (_event: IpcRendererEvent, e: HostDeckEvent) => listener(e);
  ipcRenderer.on(EVENT_CHANNEL, wrapped);
  return () => {
    ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  };
};

contextBridge.exposeInMainWorld('hostdeckBridge', Object.freeze(bridge));
