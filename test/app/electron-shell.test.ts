import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { contract, listOperations } from '../../shared/api/contract';
import type { Envelope } from '../../shared/api/errors';
import { Runtime } from '../../electron/api/runtime';
import { registerIpcHandlers, type IpcMainLike } from '../../electron/app/ipc';
import { contentSecurityPolicy } from '../../electron/app/csp';
import { APP_ORIGIN, isAppUrl, isTrustedSender, resolveAppPath, secureWebPreferences } from '../../electron/app/security';

// The Electron binary cannot run here; these tests hold the decisions main.ts delegates to.
const exposed: Record<string, unknown> = {};
const invoked: { channel: string; args: unknown[] }[] = [];
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
  ipcRenderer: {
    invoke: (channel: string, ...args: unknown[]) => {
      invoked.push({ channel, args });
      return Promise.resolve({ ok: true, result: null });
    },
    on: vi.fn(),
    removeListener: vi.fn(),
  },
}));

describe('window settings', () => {
  it('are exactly the secure ones (sandbox, isolation, no node, no webview)', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toEqual({
      preload: '/app/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
      devTools: false,
    });
  });

  it('have a strict CSP: self only, no inline or eval', () => {
    expect(contentSecurityPolicy).toContain("default-src 'none'");
    expect(contentSecurityPolicy).toContain("script-src 'self'");
    expect(contentSecurityPolicy).toContain("style-src 'self'");
    expect(contentSecurityPolicy).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('main.ts wires every checklist item it cannot delegate', () => {
    const main = readFileSync(join(import.meta.dirname, '../../electron/main.ts'), 'utf8');
    for (const needle of [
      'secureWebPreferences(',
      "setWindowOpenHandler",
      "action: 'deny'",
      "'will-navigate'",
      "'will-redirect'",
      "'will-attach-webview'",
      'setPermissionRequestHandler((_wc, _permission, callback) => callback(false))',
      'setPermissionCheckHandler(() => false)',
      'registerSchemesAsPrivileged',
      'protocol.handle(APP_SCHEME',
      'app.enableSandbox()',
      'requestSingleInstanceLock',
    ]) {
      expect(main, needle).toContain(needle);
    }
    expect(main).not.toContain('file://');
    expect(main).not.toMatch(/nodeIntegration:\s*true|contextIsolation:\s*false|webSecurity:\s*false/);
  });
});

describe('navigation and app protocol', () => {
  it('allows only the app origin, compared as an origin', () => {
    expect(isAppUrl(`${APP_ORIGIN}/index.html#/dns`)).toBe(true);
    for (const u of ['https://evil.example/', 'app://hostdeck.evil/', 'app://evil/', 'file:///etc/passwd', 'app://hostdeck@evil/', 'not a url']) {
      expect(isAppUrl(u), u).toBe(false);
    }
  });

  it('maps app URLs into the renderer directory and refuses traversal', () => {
    expect(resolveAppPath('/r', 'app://hostdeck/')).toBe('/r/index.html');
    expect(resolveAppPath('/r', 'app://hostdeck/assets/x.js')).toBe('/r/assets/x.js');
    for (const u of ['app://hostdeck/../etc/passwd', 'app://hostdeck/%2e%2e/%2e%2e/etc/passwd', 'app://hostdeck/a/..%2f..%2f..%2fetc/passwd', 'app://other/x', 'app://hostdeck/%00']) {
      const p = resolveAppPath('/r', u);
      expect(p === null || p.startsWith('/r/'), `${u} -> ${p}`).toBe(true);
    }
    expect(resolveAppPath('/r', 'app://hostdeck/..%2f..%2fetc%2fpasswd')).toBeNull();
  });
});

describe('IPC handlers', () => {
  function register() {
    const handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<Envelope>>();
    const ipc: IpcMainLike = { handle: (channel, fn) => void handlers.set(channel, fn) };
    const rt = new Runtime({ mode: 'electron', local: { systemBusAddress: 'unix:path=/nonexistent/bus' } });
    const mainFrame = { url: `${APP_ORIGIN}/index.html`, parent: null };
    registerIpcHandlers(ipc, rt, () => mainFrame);
    const event = (senderFrame: unknown) => ({ senderFrame }) as unknown as IpcMainInvokeEvent;
    return { handlers, rt, mainFrame, event };
  }

  it('registers one handler per contract operation and nothing else', () => {
    const { handlers } = register();
    expect([...handlers.keys()].sort()).toEqual(listOperations().map((o) => `hostdeck:${o.channel}`).sort());
  });

  it('answers the main frame of our window on our origin', async () => {
    const { handlers, mainFrame, event } = register();
    const r = await handlers.get('hostdeck:app.info')!(event(mainFrame), { input: {} });
    expect(r).toMatchObject({ ok: true, result: { mode: 'electron' } });
  });

  it('refuses every other sender on every channel before running anything', async () => {
    const { handlers, mainFrame, event } = register();
    const frames = [
      null,
      { url: 'https://evil.example/', parent: null },
      { url: `${APP_ORIGIN}/index.html`, parent: mainFrame }, // a subframe
      { url: `${APP_ORIGIN}/index.html`, parent: null }, // same URL, not our window's frame
    ];
    for (const [channel, fn] of handlers) {
      for (const f of frames) {
        const r = await fn(event(f), { input: {} });
        expect(r, `${channel} from ${JSON.stringify(f?.url)}`).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED' } });
      }
    }
    expect(isTrustedSender(undefined, mainFrame)).toBe(false);
  });

  it('validates input with the contract before the handler runs', async () => {
    const { handlers, mainFrame, event } = register();
    const r = await handlers.get('hostdeck:app.info')!(event(mainFrame), { input: 'not an object' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('preload', () => {
  it('exposes one named function per operation and an event subscription, nothing generic', async () => {
    await import('../../electron/preload');
    const bridge = exposed.hostdeckBridge as Record<string, unknown>;
    expect(Object.isFrozen(bridge)).toBe(true);
    const ops = listOperations();
    const features = Object.keys(contract);
    expect(Object.keys(bridge).sort()).toEqual([...features, 'onEvent'].sort());
    for (const o of ops) {
      const fn = (bridge[o.feature] as Record<string, unknown>)[o.name];
      expect(typeof fn, o.channel).toBe('function');
    }
    for (const forbidden of ['invoke', 'call', 'send', 'ipcRenderer', 'on']) expect(bridge).not.toHaveProperty(forbidden);
    await (bridge.app as Record<string, (r: unknown) => Promise<unknown>>).info!({ host: 'local', input: {} });
    expect(invoked.at(-1)).toEqual({ channel: 'hostdeck:app.info', args: [{ host: 'local', input: {} }] });
  });
});
