import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Runtime } from '../../electron/api/runtime';
import type { LocalHostOptions } from '../../electron/hosts/registry';
import { startServer, type RunningServer } from '../../electron/serve/server';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const rendererDir = join(repoRoot, 'out/renderer');
export const CHROMIUM = '/usr/bin/chromium';

/** Flags for Debian's Chromium as root on a machine without internet (electron.md, section 2). */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function assertE2ePrerequisites(): void {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The UI is not built (${rendererDir}/index.html missing): run npm run build (npm test does it first).`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run apt-get install -y chromium`);
}

export async function launchChromium(): Promise<Browser> {
  assertE2ePrerequisites();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs });
}

export interface E2eApp {
  runtime: Runtime;
  server: RunningServer;
  browser: Browser;
  page: Page;
  /** Console errors and failed requests seen by the page (CSP violations land here). */
  pageErrors: string[];
  stop(): Promise<void>;
}

/**
 * Starts browser mode in-process (the real server and handlers) for a local host configured
 * by `local`, opens Chromium on the printed login URL and waits for the shell to render.
 */
export async function openApp(local: LocalHostOptions = {}, path = ''): Promise<E2eApp> {
  assertE2ePrerequisites();
  const runtime = new Runtime({ mode: 'browser', local });
  const server = await startServer({ runtime, staticDir: rendererDir, port: 0 });
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.url}${path}?token=${server.token}`);
  await page.getByTestId('brand').waitFor();
  return {
    runtime,
    server,
    browser,
    page,
    pageErrors,
    async stop() {
      await browser.close();
      await server.close();
      await runtime.dispose();
    },
  };
}

export async function screenshot(page: Page, file: string): Promise<string> {
  const out = resolve(repoRoot, file);
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  return out;
}
