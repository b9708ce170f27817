import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Runtime, type RuntimeOptions } from '../../electron/api/runtime';
import type { LocalHostOptions } from '../../electron/hosts/registry';
import { startServer, type RunningServer } from '../../electron/serve/server';
import { pagesOf } from './pages';

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

let fileBrowser: Promise<Browser> | undefined;

/**
 * The test file's one Chromium: every app of the file opens in a context of its own on it (a
 * start costs seconds). Closed after the file by test/support/e2e-setup.ts (closeFileBrowser).
 */
export function browserOfFile(): Promise<Browser> {
  fileBrowser ??= launchChromium();
  return fileBrowser;
}

/** Closes the file's Chromium, if one was started (after the file's last test). */
export async function closeFileBrowser(): Promise<void> {
  const b = fileBrowser;
  fileBrowser = undefined;
  await (await b?.catch(() => undefined))?.close();
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
 * `options`: the rest of the Runtime's options (a history store of the test's own).
 */
export async function openApp(local: LocalHostOptions = {}, path = '', options: Omit<RuntimeOptions, 'mode' | 'local'> = {}, shared?: Browser): Promise<E2eApp> {
  assertE2ePrerequisites();
  const runtime = new Runtime({ ...options, mode: 'browser', local });
  const server = await startServer({ runtime, staticDir: rendererDir, port: 0 });
  // `shared`: a Chromium of the caller's; by default the file's one. Either is left open by stop().
  const browser = shared ?? (await browserOfFile());
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.url}${path}?token=${server.token}`);
  await pagesOf(page).shell.brand.waitFor();
  return {
    runtime,
    server,
    browser,
    page,
    pageErrors,
    async stop() {
      await context.close();
      await server.close();
      await runtime.dispose();
    },
  };
}

/**
 * Presses Tab (or Shift+Tab) until the focused element matches `selector`, as a keyboard user
 * would; fails if it is not reached within `max` presses (it is not focusable or not in the order).
 */
export async function tabTo(page: Page, selector: string, max = 80, back = false): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  throw new Error(`${selector} is not reachable with the keyboard (${max} × Tab)`);
}

/**
 * Takes a screenshot into test-results/screenshots/ (ignored by git). The tracked copies under
 * docs/ are written only when asked (`npm run screenshots` sets HOSTDECK_SCREENSHOTS=1), so a
 * test run never leaves the checkout dirty. Returns the paths written.
 */
export async function screenshot(page: Page, docsName: string): Promise<string[]> {
  const out = [resolve(repoRoot, 'test-results/screenshots', docsName)];
  if (process.env.HOSTDECK_SCREENSHOTS === '1') out.push(resolve(repoRoot, 'docs', docsName));
  for (const file of out) {
    mkdirSync(dirname(file), { recursive: true });
    await page.screenshot({ path: file });
  }
  return out;
}

/** One axe finding, reduced to what a report needs. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

let axeSource: string | null = null;

/**
 * Runs axe-core (WCAG 2.0/2.1/2.2 A and AA plus best practices) on the page as it is now and
 * returns the violations of the given impacts. axe's source goes in through the DevTools
 * protocol (page.evaluate), so the app's strict CSP stays on and is not bypassed for the app.
 */
export async function axeViolations(page: Page, impacts: string[] = ['serious', 'critical']): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Let finite transitions (theme switch, modal fade) end first: axe reads the colours as painted.
  await page.evaluate(() => Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished.catch(() => undefined))));
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return found.filter((v) => impacts.includes(v.impact ?? ''));
}

/**
 * Controls that share their accessible name with another control on the page ("Remove ssh"
 * twice, "Add" in every section): a screen-reader user listing the controls cannot tell them
 * apart. The names are computed by axe-core (the accessible-name algorithm), over what is
 * visible and operable. Returns "name ×count" lines.
 */
export async function duplicateNames(page: Page): Promise<string[]> {
  await axeViolations(page, []); // loads axe-core
  return page.evaluate(() => {
    const axe = (window as unknown as { axe: { setup(n: Element): unknown; teardown(): void; utils: { getNodeFromTree(e: Element): unknown }; commons: { text: { accessibleTextVirtual(v: unknown): string } } } }).axe;
    axe.setup(document.documentElement);
    try {
      const sel = 'button, a[href], input:not([type="hidden"]), select, textarea, [role="tab"], [role="button"], [role="link"], [role="checkbox"], [role="radio"], [role="switch"], [role="menuitem"]';
      const counts = new Map<string, number>();
      for (const el of Array.from(document.querySelectorAll(sel))) {
        const h = el as HTMLElement;
        if (h.closest('[hidden], [aria-hidden="true"], [inert]') || (h as HTMLButtonElement).disabled) continue;
        const r = h.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        // A radio group shares its name on purpose; its options are told apart by their labels.
        const name = axe.commons.text.accessibleTextVirtual(axe.utils.getNodeFromTree(h)).trim().replace(/\s+/g, ' ');
        if (!name) continue;
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      return [...counts].filter(([, n]) => n > 1).map(([name, n]) => `${name} ×${n}`);
    } finally {
      axe.teardown();
    }
  });
}
