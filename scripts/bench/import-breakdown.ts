import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Runtime } from '../../electron/api/runtime';
import { fleet } from './compare';

/**
 * Issue #22, where the Compare import's time goes: 50 snapshot files chosen in Chromium (browser
 * mode, in-process server) to the first grid row. Per run: the page's own timeline (change event,
 * each API call leaving and answering, first host card, first grid row), the page's main-thread
 * CPU split as Chromium counts it (script, style, layout), each operation's wall and CPU time in
 * the server, and for the last run a CPU profile's heaviest functions with their callers.
 * `npx tsx scripts/bench/import-breakdown.ts [runs]` after `npm run build`. Not a test: figures.
 */

const rt0 = new Runtime({ mode: 'cli' });
const base = await rt0.api.compare.snapshot({});
await rt0.dispose();
const snaps = fleet(base);
const { openApp, closeFileBrowser } = await import('../../test/support/e2e');
const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-s29-'));
const files = snaps.map((s, i) => {
  const f = path.join(dir, `node-${i + 1}.json`);
  writeFileSync(f, JSON.stringify(s));
  return f;
});
console.log('bytes per file', JSON.stringify(snaps[0]).length);
const runs = Number(process.argv[2] ?? 3);
for (let run = 0; run < runs; run++) {
  const app = await openApp({});
  const origCall = app.runtime.call.bind(app.runtime);
  const serverTimes: string[] = [];
  (app.runtime as unknown as { call: typeof origCall }).call = async (ch: string, req: unknown) => {
    const t = performance.now();
    const cpu = process.cpuUsage();
    const r = await origCall(ch, req);
    const u = process.cpuUsage(cpu);
    serverTimes.push(`${ch} ${(performance.now() - t).toFixed(0)}ms cpu ${((u.user + u.system) / 1000).toFixed(0)}ms`);
    return r;
  };
  const { page } = app;
  await page.evaluate(`(() => {
    window.__t = [];
    const mark = (s) => window.__t.push([performance.now(), s]);
    document.addEventListener('change', () => mark('change event'), true);
    const f = window.fetch;
    window.fetch = async (...a) => {
      const u = String(a[0]).split('/api/')[1] ?? String(a[0]);
      mark('fetch ' + u + ' body ' + (typeof a[1]?.body === 'string' ? a[1].body.length : a[1]?.body ? 'bin ' + (a[1].body.size ?? a[1].body.byteLength) : 0));
      const r = await f(...a);
      mark('headers ' + u);
      return r;
    };
    // The compressing workers: when each starts, first answers and last answers.
    const W = window.Worker;
    let nw = 0;
    window.Worker = class extends W {
      constructor(...a) {
        super(...a);
        const n = ++nw;
        let got = 0;
        mark('worker ' + n + ' created');
        this.addEventListener('message', () => {
          got++;
          if (got === 1) mark('worker ' + n + ' first answer');
          else if (got === 25) mark('worker ' + n + ' 25th answer');
        });
      }
    };
    const mo = new MutationObserver(() => {
      if (document.querySelector('[data-testid="compare-host"]') && !window.__t.some((x) => x[1] === 'first host card')) mark('first host card');
      if (document.querySelector('[data-testid="compare-grid-sysctl"] [data-testid="grid-row"]')) {
        mark('first grid row in DOM');
        requestAnimationFrame(() => setTimeout(() => mark('painted (raf+timeout)')));
        mo.disconnect();
      }
    });
    mo.observe(document.body, { childList: true, subtree: true });
  })()`);
  await page.evaluate(() => {
    location.hash = '#/compare';
  });
  await page.getByTestId('compare-import-input').waitFor({ state: 'attached' });
  const ev: string[] = [];
  let t0 = 0;
  const at = () => (performance.now() - t0).toFixed(0);
  page.on('request', (q) => {
    if (q.url().includes('/api/')) ev.push(`${at()} req ${q.url().split('/api/')[1]} ${q.postDataBuffer()?.length ?? 0}B`);
  });
  page.on('response', (q) => {
    if (q.url().includes('/api/')) ev.push(`${at()} resp ${q.url().split('/api/')[1]}`);
  });
  page.on('requestfinished', (q) => {
    if (q.url().includes('/api/')) ev.push(`${at()} done ${q.url().split('/api/')[1]}`);
  });
  const cdp = await page.context().newCDPSession(page);
  // HOSTDECK_BREAKDOWN_PROFILE=0: no CPU profile (old and new builds timed alike).
  const profile = run === runs - 1 && process.env.HOSTDECK_BREAKDOWN_PROFILE !== '0';
  if (profile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  await cdp.send('Performance.enable');
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const m0 = await metrics();
  const cpu0 = process.cpuUsage();
  t0 = performance.now();
  await page.getByTestId('compare-import-input').setInputFiles(files);
  ev.push(`${at()} setInputFiles returned`);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="compare-host"]').length === n && !!document.querySelector('[data-testid="compare-grid-sysctl"] [data-testid="grid-row"]'), 50, { timeout: 120_000, polling: 'raf' });
  ev.push(`${at()} first grid row`);
  const m1 = await metrics();
  const cpu1 = process.cpuUsage(cpu0);
  const d = (k: string) => ((m1[k]! - m0[k]!) * 1000).toFixed(0);
  console.log(`  page CPU: task ${d('TaskDuration')} ms = script ${d('ScriptDuration')} + style ${d('RecalcStyleDuration')} + layout ${d('LayoutDuration')} (+ other); node process (server + playwright) CPU ${((cpu1.user + cpu1.system) / 1000).toFixed(0)} ms`);
  const marks = (await page.evaluate('window.__t')) as [number, string][];
  const c0 = marks.find((x) => x[1] === 'change event')?.[0] ?? 0;
  console.log(marks.map(([t, s]) => `   +${(t - c0).toFixed(0)} ${s}`).join('\n'));
  console.log(`run ${run}:\n  ${ev.join('\n  ')}\n  server: ${serverTimes.join('; ')}`);
  if (profile) {
    const { profile: p } = await cdp.send('Profiler.stop');
    const self = new Map<string, number>();
    const dt = new Map<number, number>();
    for (let i = 0; i < p.samples!.length; i++) dt.set(p.samples![i]!, (dt.get(p.samples![i]!) ?? 0) + p.timeDeltas![i]!);
    for (const n of p.nodes) {
      const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
      self.set(k, (self.get(k) ?? 0) + (dt.get(n.id) ?? 0) / 1000);
    }
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const stacks = new Map<string, number>();
    for (const n of p.nodes) {
      if (!['getPropertyValue', 'get offsetWidth', 'fetch', 'ReadState', 'setAttribute', 'earlyKey'].includes(n.callFrame.functionName)) continue;
      const chain: string[] = [];
      for (let id = parent.get(n.id), k = 0; id !== undefined && k < 6; id = parent.get(id), k++) { const c = byId.get(id)!.callFrame; chain.push(`${c.functionName || '(anon)'}@${c.url.split('/').pop()}:${c.lineNumber}`); }
      const key = `${n.callFrame.functionName} <- ${chain.join(' <- ')}`;
      stacks.set(key, (stacks.get(key) ?? 0) + (dt.get(n.id) ?? 0) / 1000);
    }
    console.log([...stacks].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `  ${v.toFixed(0)}ms ${k}`).join('\n'));
    console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `  ${v.toFixed(0)}ms ${k}`).join('\n'));
  }
  await app.stop();
}
rmSync(dir, { recursive: true, force: true });
// openApp's Chromium is the file's one (a test file closes it after its last test): left open, the script never ends.
await closeFileBrowser();
