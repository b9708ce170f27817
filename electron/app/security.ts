import { isAbsolute, relative, resolve } from 'node:path';
import type { WebPreferences } from 'electron';

/** The app's own origin: the UI is served from this custom protocol, never from file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'hostdeck';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Electron's security checklist, items 2-4, 6, 9-12: the only webPreferences we ever use. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
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
    devTools: process.env.HOSTDECK_DEVTOOLS === '1',
  };
}

/**
 * Navigation is allowed only inside the app origin, compared on the parsed URL (scheme, host,
 * no credentials), never by string prefix. (Node reports origin "null" for custom schemes.)
 */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
  } catch {
    return false;
  }
}

/** The part of a sender frame the IPC check looks at (Electron's WebFrameMain). */
export interface SenderFrameLike {
  url: string;
  parent: unknown;
}

/**
 * Checklist item 17: only our window's main frame, on our origin, may call the API.
 * senderFrame can be null (the frame navigated or was destroyed): refuse.
 */
export function isTrustedSender(frame: SenderFrameLike | null | undefined, mainFrame: unknown): boolean {
  if (!frame) return false;
  if (frame.parent) return false;
  if (mainFrame !== undefined && frame !== mainFrame) return false;
  return isAppUrl(frame.url);
}

/**
 * Maps app://hostdeck/<path> to a file inside the built renderer; anything that escapes it
 * (../, encoded slashes, absolute paths) is refused with null.
 */
export function resolveAppPath(rendererDir: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const root = resolve(rendererDir);
  const file = resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`);
  const rel = relative(root, file);
  if (rel.startsWith('..') || isAbsolute(rel)) return null;
  return file;
}
