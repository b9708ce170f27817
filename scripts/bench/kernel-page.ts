import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import type { BenchReporter } from './harness';

const root = resolve(import.meta.dirname, '../..');
const viewport = { width: 1360, height: 860 };
const ROW = '[data-testid^="kernel-row-"]';

/** Marks the first Kernel row in the page's own timeline (runs before the app's scripts). */
const markFirstRow = `new MutationObserver((_, o) => {
  if (document.querySelector('${ROW}')) { performance.mark('hd-first-row'); o.disconnect(); }
}).observe(document, { childList: true, subtree: true });`;

interface Req { name: string; start: number; requestStart: number; responseStart: number; end: number; transfer: number; encoded: number; decoded: number }
interface Breakdown {
  reqs: Req[];
  firstRow: number;
  /** Renderer main-thread figures from Chromium's trace (ms of thread CPU, ms of wall). */
  trace: Record<string, { cpu: number; wall: number }>;
  compileByUrl: Record<string, { cpu: number; wall: number }>;
  metrics: Record<string, number>;
}

/**
 * The Kernel page with a cold browser cache, as an admin opening it through browser mode: from
 * navigation to the first parameter row, in Chromium (a fresh context per run: no HTTP cache).
 * Anchors in the same run: the same login page to the app shell (every page's floor: HTML +
 * bundle), and the `kernel.list` answer fetched alone by that page (the data's floor). Then one
 * traced cold load says where the time goes: bytes per request, script compile and run per
 * chunk, style and layout, the answer's server and transfer time, and the render after it.
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  const servers: Served[] = [];
  try {
    const now = await serve(browser, join(root, 'out/main/cli.js'));
    servers.push(now);
    // Another build's cli.js (e.g. main's out/ copied aside): timed alternately with this one, same run.
    const beforeCli = process.env.HOSTDECK_BENCH_KPAGE_BEFORE;
    const before = beforeCli ? await serve(browser, resolve(beforeCli)) : undefined;
    if (before) servers.push(before);
    const runs = Number(process.env.HOSTDECK_BENCH_KPAGE_RUNS ?? 5);
    const m = { page: [] as number[], shell: [] as number[], payload: [] as number[], before: [] as number[] };
    for (let i = 0; i < runs + 1; i++) {
      const x = await measure(now);
      const y = before ? await measure(before) : undefined;
      if (i === 0) continue; // warm-up (the server's first kernel.list, the OS page cache)
      m.page.push(x.pageMs);
      m.shell.push(x.shellMs);
      m.payload.push(x.fetchMs);
      if (y) m.before.push(y.pageMs);
    }
    const med = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
    report(r, await breakdown(browser, now), 'this build');
    if (before) report(r, await breakdown(browser, before), beforeCli!);
    if (!m.page.length) return;
    r.value('kernel page: cold cache, navigation to the first row', med(m.page), 'goal < 1000 ms');
    r.ratio('kernel page: cold, to the first row', med(m.page), 'the app shell alone (cold)', med(m.shell));
    r.ratio('kernel page: cold, to the first row', med(m.page), 'shell + kernel.list fetched alone', med(m.shell) + med(m.payload));
    if (before) r.ratio('kernel page: cold, to the first row', med(m.page), `the build of ${beforeCli} (same run, alternating)`, med(m.before));
    // The cause behind the chunks' late first bytes: serve is one event loop, and kernel.list holds it.
    const held = await staticBehindList(now, runs);
    r.ratio('kernel page: a chunk asked for 5 ms after kernel.list', held.behind, 'the same chunk alone', held.alone);
  } finally {
    await browser.close();
    for (const s of servers) s.child.kill('SIGTERM');
  }
}

interface Served {
  child: ChildProcess;
  base: string;
  token: string;
  cold(): Promise<BrowserContext>;
}

/** `serve` from one build, logged in once (the cookie): each measured context starts from that cookie and no cache. */
async function serve(browser: Browser, cli: string): Promise<Served> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], {
    env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = await new Promise<string>((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), out.includes('\n') && res(out)));
    child.once('exit', (c) => rej(new Error(`serve exited ${c}`)));
  });
  const [, base, token] = /(http:\/\/\S+?\/)\?token=(\S+)/.exec(line)!;
  const login = await browser.newContext({ viewport });
  const lp = await login.newPage();
  await lp.goto(`${base}?token=${token}`);
  await lp.locator('a[href="#/kernel"]').first().waitFor();
  const storageState = await login.storageState();
  await login.close();
  return { child, base: base!, token: token!, cold: () => browser.newContext({ viewport, storageState }) };
}

/** One cold Kernel page to its first row; anchors: the same shell alone (cold, another context) and the payload alone. */
async function measure({ base, cold }: Served): Promise<{ pageMs: number; shellMs: number; fetchMs: number }> {
  const ctx2 = await cold();
  const q = await ctx2.newPage();
  let t = performance.now();
  await q.goto(`${base}#/kernel`);
  await q.locator(ROW).first().waitFor();
  const pageMs = performance.now() - t;
  await ctx2.close();
  const ctx3 = await cold();
  const s = await ctx3.newPage();
  t = performance.now();
  await s.goto(`${base}#/hosts`);
  await s.locator('a[href="#/kernel"]').first().waitFor();
  const shellMs = performance.now() - t;
  const fetchMs = await s.evaluate(async () => {
    const t0 = window.performance.now();
    const a = await fetch('/api/kernel.list', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"input":{}}' });
    await a.json();
    return window.performance.now() - t0;
  });
  await ctx3.close();
  return { pageMs, shellMs, fetchMs };
}

/** Time to fetch the entry chunk alone, and when asked for 5 ms after a kernel.list (medians; Node's fetch, no browser). */
async function staticBehindList({ base, token }: Served, runs: number): Promise<{ alone: number; behind: number }> {
  const auth = { Authorization: `Bearer ${token}` };
  const html = await (await fetch(base, { headers: auth })).text();
  const chunk = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1] ?? '';
  const timeChunk = async () => {
    const t = performance.now();
    await (await fetch(`${base}${chunk}`, { headers: { ...auth, 'Accept-Encoding': 'br' } })).arrayBuffer();
    return performance.now() - t;
  };
  const alone: number[] = [];
  const behind: number[] = [];
  for (let i = 0; i < runs; i++) {
    alone.push(await timeChunk());
    const list = fetch(`${base}api/kernel.list`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"input":{}}' }).then((a) => a.arrayBuffer());
    await new Promise((res) => setTimeout(res, 5));
    behind.push(await timeChunk());
    await list;
  }
  const med = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
  return { alone: med(alone), behind: med(behind) };
}

async function breakdown(browser: Browser, { base, cold }: Served): Promise<Breakdown> {
  const ctx = await cold();
  await ctx.addInitScript(markFirstRow);
  const p = await ctx.newPage();
  const cdp = await ctx.newCDPSession(p);
  await cdp.send('Performance.enable');
  await browser.startTracing(p, { categories: ['devtools.timeline', 'v8', 'v8.execute', 'disabled-by-default-devtools.timeline', 'blink.user_timing'] });
  await p.goto(`${base}#/kernel`);
  await p.locator(ROW).first().waitFor();
  const firstRow = await p.evaluate(() => performance.getEntriesByName('hd-first-row')[0]?.startTime ?? NaN);
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const reqs = await p.evaluate(() =>
    (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => ({
      name: new URL(e.name).pathname,
      start: e.startTime,
      requestStart: e.requestStart,
      responseStart: e.responseStart,
      end: e.responseEnd,
      transfer: e.transferSize,
      encoded: e.encodedBodySize,
      decoded: e.decodedBodySize,
    })),
  );
  const nav = await p.evaluate(() => {
    const n = window.performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return { name: '/ (page)', start: 0, requestStart: n.requestStart, responseStart: n.responseStart, end: n.responseEnd, transfer: n.transferSize, encoded: n.encodedBodySize, decoded: n.decodedBodySize };
  });
  const buf = await browser.stopTracing();
  if (process.env.HOSTDECK_BENCH_KPAGE_TRACE) writeFileSync(process.env.HOSTDECK_BENCH_KPAGE_TRACE, buf);
  const raw = JSON.parse(buf.toString()) as { traceEvents: TraceEvent[] };
  await ctx.close();
  const { trace, compileByUrl } = summarizeTrace(raw.traceEvents, firstRow);
  return { reqs: [nav, ...reqs], firstRow, trace, compileByUrl, metrics: Object.fromEntries(metrics.map((m) => [m.name, m.value])) };
}

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; tdur?: number; pid: number; tid: number; args?: { url?: string; data?: { url?: string }; fileName?: string } }

/**
 * Work on the page's main thread from navigation to the first row, by kind (self time: a
 * compile inside an evaluation counts as compile), compile per chunk on the main thread and
 * the chunks' streamed parse on Chromium's background threads.
 */
function summarizeTrace(events: TraceEvent[], firstRowMs: number) {
  const mark = events.find((e) => e.name === 'hd-first-row');
  const trace: Record<string, { cpu: number; wall: number }> = {};
  const compileByUrl: Record<string, { cpu: number; wall: number }> = {};
  if (!mark) return { trace, compileByUrl };
  const from = mark.ts - firstRowMs * 1000;
  const inWindow = (e: TraceEvent) => e.ph === 'X' && e.pid === mark.pid && e.ts >= from && e.ts <= mark.ts;
  const kinds: Record<string, string[]> = {
    'script compile': ['v8.compile', 'v8.compileModule', 'V8.CompileCode'],
    'script run': ['EvaluateScript', 'v8.evaluateModule', 'FunctionCall', 'TimerFire', 'FireAnimationFrame', 'EventDispatch', 'RunMicrotasks'],
    'css parse': ['ParseAuthorStyleSheet'],
    'style recalc': ['UpdateLayoutTree'],
    layout: ['Layout'],
    'paint + composite': ['Paint', 'UpdateLayerTree', 'Layerize', 'PrePaint', 'Commit'],
    'html parse': ['ParseHTML'],
    gc: ['MinorGC', 'MajorGC'],
  };
  const kindOf = (e: TraceEvent) => Object.entries(kinds).find(([, n]) => n.includes(e.name))?.[0];
  const add = (rec: Record<string, { cpu: number; wall: number }>, k: string, e: TraceEvent, sign = 1) => {
    const v = (rec[k] ??= { cpu: 0, wall: 0 });
    v.cpu += (sign * (e.tdur ?? e.dur ?? 0)) / 1000;
    v.wall += (sign * (e.dur ?? 0)) / 1000;
  };
  const path = (url: string) => new URL(url, 'http://x/').pathname;
  const main = events.filter((e) => inWindow(e) && e.tid === mark.tid && kindOf(e)).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const stack: TraceEvent[] = [];
  for (const e of main) {
    while (stack.length && stack.at(-1)!.ts + (stack.at(-1)!.dur ?? 0) <= e.ts) stack.pop();
    const parent = stack.at(-1);
    const k = kindOf(e)!;
    if (parent && kindOf(parent) !== k) add(trace, kindOf(parent)!, e, -1);
    if (!parent || kindOf(parent) !== k) add(trace, k, e);
    const url = e.args?.data?.url ?? e.args?.fileName;
    if (k === 'script compile' && url) add(compileByUrl, `${path(url)} (main thread)`, e);
    stack.push(e);
  }
  for (const e of events) {
    if (inWindow(e) && e.tid !== mark.tid && e.name === 'BackgroundJSStreamManager::RunScriptStreamingTask' && e.args?.url) add(compileByUrl, `${path(e.args.url)} (streamed parse)`, e);
  }
  return { trace, compileByUrl };
}

function report(r: BenchReporter, b: Breakdown, build: string): void {
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  r.note(`kernel page, one traced cold load of ${build}: first row at ${b.firstRow.toFixed(0)} ms after navigation start`);
  const tot = { transfer: 0, decoded: 0 };
  for (const q of b.reqs) {
    tot.transfer += q.transfer;
    tot.decoded += q.decoded;
    r.note(`  ${q.name.padEnd(44)} ${kib(q.transfer).padStart(11)} on the wire, ${kib(q.decoded).padStart(11)} decoded; sent ${q.start.toFixed(0).padStart(5)} ms, first byte ${q.responseStart.toFixed(0).padStart(5)}, done ${q.end.toFixed(0).padStart(5)}`);
  }
  r.note(`  ${b.reqs.length} requests: ${kib(tot.transfer)} on the wire, ${kib(tot.decoded)} decoded`);
  const list = b.reqs.find((q) => q.name.endsWith('/api/kernel.list'));
  if (list) {
    r.note(`  kernel.list: server ${(list.responseStart - list.requestStart).toFixed(0)} ms (request to first byte), transfer ${(list.end - list.responseStart).toFixed(0)} ms, ${kib(list.encoded)} for ${kib(list.decoded)} of JSON; first row ${(b.firstRow - list.end).toFixed(0)} ms after the answer's last byte`);
  }
  r.note('  main thread until the first row (thread CPU / wall ms):');
  for (const [k, v] of Object.entries(b.trace).sort((x, y) => y[1].wall - x[1].wall)) r.note(`    ${k.padEnd(20)} ${v.cpu.toFixed(1).padStart(7)} / ${v.wall.toFixed(1).padStart(7)}`);
  for (const [u, v] of Object.entries(b.compileByUrl).sort((x, y) => y[1].wall - x[1].wall).slice(0, 8)) r.note(`    ${u.padEnd(56)} ${v.cpu.toFixed(1).padStart(7)} / ${v.wall.toFixed(1).padStart(7)}`);
  const m = b.metrics;
  r.note(`  Chromium's page totals (s): script ${m.ScriptDuration?.toFixed(3)}, style ${m.RecalcStyleDuration?.toFixed(3)}, layout ${m.LayoutDuration?.toFixed(3)}, all tasks ${m.TaskDuration?.toFixed(3)}; JS heap ${((m.JSHeapUsedSize ?? 0) / 1048576).toFixed(1)} MiB, ${m.Nodes} DOM nodes`);
}
