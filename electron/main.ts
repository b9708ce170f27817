import { app, BrowserWindow, ipcMain, net, protocol, session, shell } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Runtime } from './api/runtime';
import { DEFAULT_HELPER_KEEP_S, helperKeepSeconds, keepHelperSessions } from './helper/kept-session';
import { agentKeepSeconds, DEFAULT_AGENT_KEEP_S } from './hosts/ssh/agent-keep';
import { contentSecurityPolicy } from './app/csp';
import { EVENT_CHANNEL, registerIpcHandlers } from './app/ipc';
import { installShutdownHandlers } from './app/shutdown';
import { APP_ORIGIN, APP_SCHEME, isAppUrl, resolveAppPath, secureWebPreferences } from './app/security';

// Thin shell: everything below it (runtime, handlers, security decisions) is plain Node code
// tested without Electron. Checklist: ../shared/reference/electron.md section 3.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();

const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));
const preloadPath = fileURLToPath(new URL('../preload/preload.cjs', import.meta.url));
let mainWindow: BrowserWindow | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser; nothing opens inside the app.
    if (/^https:\/\/(docs\.kernel\.org|kubernetes\.io|firewalld\.org|man7\.org)\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

void app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppPath(rendererDir, request.url) ?? resolveAppPath(rendererDir, `${APP_ORIGIN}/index.html`);
    if (!file) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });

  // A change keeps its helper a short while, so the next change on the page is one round trip (README, "Sessions").
  keepHelperSessions(seconds(helperKeepSeconds, DEFAULT_HELPER_KEEP_S, 'the helper'));
  // Each SSH host's read agent is kept a minute, so a refresh does not start python3 on every host (README, "Remote hosts").
  const runtime = new Runtime({ mode: 'electron', remote: { keepAgents: seconds(agentKeepSeconds, DEFAULT_AGENT_KEEP_S, 'read agents') } });
  // Signals, fatal errors and every quit path revert pending safe applies before the app exits.
  const ending = installShutdownHandlers({ cleanup: () => runtime.dispose(), exit: (code) => app.exit(code) });
  app.on('before-quit', (event) => {
    event.preventDefault();
    void ending.shutdown('quitting', 0);
  });
  registerIpcHandlers(ipcMain, runtime, () => mainWindow?.webContents.mainFrame);
  runtime.events.subscribe((e) => mainWindow?.webContents.send(EVENT_CHANNEL, e));

  mainWindow = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'HostDeck',
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  await mainWindow.loadURL(`${APP_ORIGIN}/index.html`);

  app.on('window-all-closed', () => void ending.shutdown('window closed', 0));
});

/** A time setting from the environment, or its default when it is malformed (said on stderr): the app starts anyway. */
function seconds(read: () => number, fallback: number, what: string): number {
  try {
    return read();
  } catch (e) {
    console.error(`hostdeck: ${e instanceof Error ? e.message : String(e)}; keeping ${what} ${fallback} s`);
    return fallback;
  }
}
