import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodedBody, rawRequest } from '../../test/support/raw-http';
import { compress } from '../../electron/serve/static';
import { medianMs, type BenchReporter } from './harness';

const root = resolve(import.meta.dirname, '../..');
const MiB = 1024 * 1024;

/** VmRSS / VmHWM (peak) of a process, in bytes. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Resets VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs). */
function resetPeak(pid: number): void {
  spawn('sh', ['-c', `echo 5 > /proc/${pid}/clear_refs`]).on('error', () => {});
}

/**
 * Browser mode under its largest accepted request (a 16 MiB ipset import, just under the limit)
 * and a 50 MB one it must refuse: peak memory of the server process (RSS delta), and what the
 * UI bundle costs on the wire (brotli) against uncompressed.
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const child = spawn(process.execPath, [join(root, 'out/main/cli.js'), 'serve', '--port', '0'], {
    env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const line = await new Promise<string>((res, rej) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => ((out += d.toString()), out.includes('\n') && res(out)));
      child.once('exit', (c) => rej(new Error(`serve exited ${c}`)));
    });
    const [, port, token] = /:(\d+)\/\?token=(\S+)/.exec(line)!;
    const head = (path: string, extra: string[]) =>
      [`POST ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Authorization: Bearer ${token}`, 'Content-Type: application/json', 'Connection: close', ...extra].join('\r\n');
    const post = (channel: string, body: Buffer) => rawRequest(Number(port), head(`/api/${channel}`, [`Content-Length: ${body.length}`]), body, { timeoutMs: 120_000 });

    // Largest accepted: ipsetSetEntries just under its 16 MiB limit.
    const entries: string[] = [];
    let size = 60;
    for (let i = 0; size < 16 * MiB - 64; i++) {
      const e = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      entries.push(e);
      size += e.length + 3;
    }
    const big = Buffer.from(JSON.stringify({ input: { name: 'bench', layer: 'runtime', entries } }));
    await post('app.info', Buffer.from('{"input":{}}'));
    const pid = child.pid!;
    resetPeak(pid);
    await new Promise((res) => setTimeout(res, 200));
    const before = memory(pid);
    let t = performance.now();
    const accepted = await post('firewall.ipsetSetEntries', big);
    const acceptedMs = performance.now() - t;
    const after = memory(pid);
    r.value(
      `serve: largest accepted request (${(big.length / MiB).toFixed(1)} MiB, ${entries.length} ipset entries)`,
      acceptedMs,
      `HTTP ${accepted.status}; peak RSS +${((after.peak - before.rss) / MiB).toFixed(0)} MiB over ${(before.rss / MiB).toFixed(0)} MiB`,
    );

    // Refused: 50 MB to a 1 MiB operation, streamed without a declared length.
    resetPeak(pid);
    await new Promise((res) => setTimeout(res, 200));
    const before2 = memory(pid);
    const chunk = Buffer.alloc(MiB, 0x20);
    function* chunks() {
      for (let i = 0; i < 50; i++) yield Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    }
    t = performance.now();
    const refused = await rawRequest(Number(port), head('/api/dns.check', ['Transfer-Encoding: chunked']), chunks(), { timeoutMs: 60_000 });
    const refusedMs = performance.now() - t;
    const after2 = memory(pid);
    r.value('serve: 50 MB body to a 1 MiB operation', refusedMs, `HTTP ${refused.status}; peak RSS +${((after2.peak - before2.rss) / MiB).toFixed(0)} MiB`);

    // The largest asset's first request after start (the build's brotli) against the same file
    // sent as is (from memory, second request), and the on-the-fly brotli -9 it replaced.
    const assetDir = join(root, 'out/renderer/assets');
    const largest = readdirSync(assetDir).filter((f) => /\.js$/.test(f)).sort((a, b) => statSync(join(assetDir, b)).size - statSync(join(assetDir, a)).size)[0]!;
    const getAsset = (enc: string) => rawRequest(Number(port), [`GET /assets/${largest} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Authorization: Bearer ${token}`, `Accept-Encoding: ${enc}`, 'Connection: close'].join('\r\n'));
    t = performance.now();
    const first = await getAsset('br, gzip');
    const firstMs = performance.now() - t;
    await getAsset('identity');
    const identityMs = await medianMs(() => getAsset('identity'), 5);
    r.ratio(`serve: first request of ${largest} after start (${first.headers['content-encoding']}, ${(first.body.length / 1024).toFixed(0)} KiB)`, firstMs, 'the same file sent as is', identityMs, '<= 1.5');
    const raw0 = readFileSync(join(assetDir, largest));
    r.value('serve: brotli -9 of that file on the fly (what the first request paid before)', await medianMs(() => compress('br', raw0), 3));

    // kernel.list: the largest API answer, compressed per Accept-Encoding against sent as is.
    const apiCall = (enc: string | null) =>
      rawRequest(Number(port), [...head('/api/kernel.list', ['Content-Length: 12']).split('\r\n'), ...(enc ? [`Accept-Encoding: ${enc}`] : [])].join('\r\n'), Buffer.from('{"input":{}}'), { timeoutMs: 60_000 });
    let plainBytes = 0;
    let brBytes = 0;
    const plainMs = await medianMs(async () => void (plainBytes = (await apiCall(null)).body.length), 5);
    const brMs = await medianMs(async () => void (brBytes = (await apiCall('br, gzip')).body.length), 5);
    r.ratio(`serve: kernel.list answer with brotli (${(brBytes / 1024).toFixed(0)} KiB on the wire, ${(plainBytes / 1024).toFixed(0)} KiB as is)`, brMs, 'the same answer as is', plainMs, '<= 1.2 on loopback (the wire saving counts over SSH)');

    // The UI bundle on the wire.
    const assets = readdirSync(assetDir).filter((f) => /\.(js|css)$/.test(f));
    let raw = 0;
    let wire = 0;
    for (const f of assets) {
      const res = await rawRequest(Number(port), [`GET /assets/${f} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Authorization: Bearer ${token}`, 'Accept-Encoding: br, gzip', 'Connection: close'].join('\r\n'));
      wire += res.body.length;
      raw += decodedBody(res).length;
    }
    r.note(`serve: UI JS+CSS ${(raw / MiB).toFixed(2)} MiB uncompressed -> ${(wire / MiB).toFixed(2)} MiB with brotli (cached a year, immutable)`);
  } finally {
    child.kill('SIGTERM');
  }
}
