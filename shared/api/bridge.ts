import type { CallRequest, HostDeckEvent } from './contract';
import type { Envelope } from './errors';

/**
 * What the Electron preload exposes on window.hostdeckBridge: one named function per contract
 * operation (bridge.firewall.status(request)) and one event subscription. Nothing generic: no
 * channel argument, no ipcRenderer.
 */
export type HostDeckBridge = {
  [feature: string]: Record<string, (request: CallRequest) => Promise<Envelope>>;
} & {
  onEvent(listener: (e: HostDeckEvent) => void): () => void;
};
