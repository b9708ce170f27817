/**
 * Browser mode's compression: the UI's brotli/gzip forms come from the build (precompressDir,
 * as electron.vite.config.ts writes them) from the first request on, a stale one is never sent,
 * and API answers are compressed per Accept-Encoding, only after the token, Host and Origin
 * checks, which answer exactly as before whatever the client accepts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { precompressDir } from '../../electron/serve/precompress';
import { startServer, type RunningServer } from '../../electron/serve/server';
import { decodedBody, rawRequest } from '../support/raw-http';

let rt: Runtime;
let srv: RunningServer;
let scratch: string;
let ui: string;
const js = `console.log(${JSON.stringify('y'.repeat(300))});\n`.repeat(400);
const css = `.row{color:red}\n`.repeat(400);

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'hostdeck-compress-'));
  ui = join(scratch, 'ui');
  mkdirSync(join(ui, 'assets'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>HostDeck</title>');
  writeFileSync(join(ui, 'assets', 'index-Q1w2E3r4.js'), js);
  writeFileSync(join(ui, 'assets', 'index-Z9x8C7v6.css'), css);
  precompressDir(ui);
  // A sibling older than its file (a file replaced after the build): must not be sent.
  writeFileSync(join(ui, 'assets', 'index-Z9x8C7v6.css.br'), brotliCompressSync(Buffer.from('.stale{}\n'.repeat(300))));
  const old = new Date(Date.now() - 3600_000);
  utimesSync(join(ui, 'assets', 'index-Z9x8C7v6.css.br'), old, old);
  rt = new Runtime({ mode: 'browser', local: { systemBusAddress: 'unix:path=/nonexistent/bus' } });
  srv = await startServer({ runtime: rt, staticDir: ui, port: 0 });
});
afterAll(async () => {
  await srv?.close();
  await rt?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

const head = (method: string, path: string, extra: string[] = []) =>
  [`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${srv.port}`, `Authorization: Bearer ${srv.token}`, 'Connection: close', ...extra].join('\r\n');
const api = (channel: string, extra: string[], input: unknown = {}) => {
  const body = JSON.stringify({ input });
  return rawRequest(srv.port, head('POST', `/api/${channel}`, ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, ...extra]), body, { timeoutMs: 60_000 });
};

describe('the UI, compressed at build time', () => {
  it('the first request after start gets the build\'s brotli and gzip bytes, exactly', async () => {
    const br = await rawRequest(srv.port, head('GET', '/assets/index-Q1w2E3r4.js', ['Accept-Encoding: gzip, br']));
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.body.equals(readFileSync(join(ui, 'assets/index-Q1w2E3r4.js.br')))).toBe(true);
    expect(decodedBody(br).toString()).toBe(js);
    const gz = await rawRequest(srv.port, head('GET', '/assets/index-Q1w2E3r4.js', ['Accept-Encoding: gzip']));
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.equals(readFileSync(join(ui, 'assets/index-Q1w2E3r4.js.gz')))).toBe(true);
  });

  it('a compressed sibling older than its file is ignored: the current file is sent', async () => {
    const r = await rawRequest(srv.port, head('GET', '/assets/index-Z9x8C7v6.css', ['Accept-Encoding: br']));
    expect(r.headers['content-encoding']).toBe('br');
    expect(decodedBody(r).toString()).toBe(css);
  });

  it('the build writes .br and .gz only for compressible files over 1 KiB', () => {
    const d = join(scratch, 'only');
    mkdirSync(d);
    writeFileSync(join(d, 'small.js'), 'x');
    writeFileSync(join(d, 'font.woff2'), Buffer.alloc(5000, 1));
    writeFileSync(join(d, 'big.js'), js);
    expect(precompressDir(d)).toMatchObject({ files: 1, raw: js.length });
  });
});

describe('API answers per Accept-Encoding', () => {
  const big = ['kernel.list', {}] as const;
  let plain: unknown;
  beforeAll(async () => {
    const r = await api(big[0], [], big[1]);
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.body.length).toBeGreaterThan(50_000);
    plain = JSON.parse(r.body.toString());
  }, 60_000);

  for (const [accept, expected] of [
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip;q=0.5', 'gzip'],
    ['*;q=0', undefined],
    ['deflate', undefined],
  ] as const) {
    it(`Accept-Encoding: ${accept} -> ${expected ?? 'as is'}`, async () => {
      const r = await api(big[0], [`Accept-Encoding: ${accept}`], big[1]);
      expect(r.status).toBe(200);
      expect(r.headers['content-encoding']).toBe(expected);
      expect(r.headers.vary).toBe('Accept-Encoding');
      expect(Number(r.headers['content-length'])).toBe(r.body.length);
      const got = JSON.parse(decodedBody(r).toString()) as { ok: boolean; result: { entries?: unknown[] } };
      expect(got.ok).toBe(true);
      expect(Object.keys(got.result)).toEqual(Object.keys((plain as { result: object }).result));
    }, 60_000);
  }

  it('a small answer is sent as is', async () => {
    const r = await api('app.info', ['Accept-Encoding: br']);
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(r.body.toString())).toMatchObject({ ok: true });
  });

  it('without the token, with a foreign Host or Origin: refused exactly as before, nothing compressed', async () => {
    const body = '{"input":{}}';
    const base = ['Content-Type: application/json', `Content-Length: ${body.length}`, 'Accept-Encoding: br, gzip', 'Connection: close'];
    const noToken = await rawRequest(srv.port, [`POST /api/kernel.list HTTP/1.1`, `Host: 127.0.0.1:${srv.port}`, ...base].join('\r\n'), body);
    expect(noToken.status).toBe(401);
    expect(JSON.parse(noToken.body.toString()).error.code).toBe('NOT_AUTHENTICATED');
    const badToken = await rawRequest(srv.port, [`POST /api/kernel.list HTTP/1.1`, `Host: 127.0.0.1:${srv.port}`, 'Authorization: Bearer nope', ...base].join('\r\n'), body);
    expect(badToken.status).toBe(401);
    const rebind = await rawRequest(srv.port, [`POST /api/kernel.list HTTP/1.1`, 'Host: evil.example:80', `Authorization: Bearer ${srv.token}`, ...base].join('\r\n'), body);
    expect(rebind.status).toBe(421);
    const csrf = await rawRequest(srv.port, [`POST /api/kernel.list HTTP/1.1`, `Host: 127.0.0.1:${srv.port}`, 'Origin: http://evil.example', `Authorization: Bearer ${srv.token}`, ...base].join('\r\n'), body);
    expect(csrf.status).toBe(403);
    for (const r of [noToken, badToken, rebind, csrf]) expect(r.headers['content-encoding']).toBeUndefined();
    const asset = await rawRequest(srv.port, [`GET /assets/index-Q1w2E3r4.js HTTP/1.1`, `Host: 127.0.0.1:${srv.port}`, 'Accept-Encoding: br', 'Connection: close'].join('\r\n'));
    expect(asset.status).toBe(401);
  });
});

describe('a compressed answer is the plain answer, byte for byte', () => {
  // dns.check of literal text answers the same bytes every time (glibc's reading of the text,
  // no live value in it), so the three encodings can be compared exactly.
  const text = Array.from({ length: 900 }, (_, i) => `nameserver 10.${i >> 8}.${i & 255}.53 # ${'x'.repeat(i % 7)}`).join('\n') + '\nsearch a.example b.example\n';
  let plain: Awaited<ReturnType<typeof api>>;
  beforeAll(async () => {
    plain = await api('dns.check', [], { text });
  }, 60_000);

  it('without Accept-Encoding: plain JSON, no Content-Encoding', () => {
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
    expect(plain.body.length).toBeGreaterThan(4096);
    expect(JSON.parse(plain.body.toString())).toMatchObject({ ok: true });
  });

  for (const accept of ['br', 'gzip']) {
    it(`${accept}: smaller on the wire, and the same bytes once inflated`, async () => {
      const r = await api('dns.check', [`Accept-Encoding: ${accept}`], { text });
      expect(r.status).toBe(200);
      expect(r.headers['content-encoding']).toBe(accept);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(r.body.length).toBeLessThan(plain.body.length / 4);
      expect(decodedBody(r).equals(plain.body)).toBe(true);
    });
  }

  it('a compressed answer still needs the token, this server\'s Host and no foreign Origin', async () => {
    const body = JSON.stringify({ input: { text } });
    const base = ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, 'Accept-Encoding: br, gzip', 'Connection: close'];
    const send = (lines: string[]) => rawRequest(srv.port, ['POST /api/dns.check HTTP/1.1', ...lines, ...base].join('\r\n'), body);
    const refused = [
      await send([`Host: 127.0.0.1:${srv.port}`]),
      await send([`Host: 127.0.0.1:${srv.port}`, 'Cookie: hostdeck=nope']),
      await send(['Host: rebind.example', `Authorization: Bearer ${srv.token}`]),
      await send([`Host: 127.0.0.1:${srv.port}`, 'Origin: http://evil.example', `Authorization: Bearer ${srv.token}`]),
    ];
    expect(refused.map((r) => r.status)).toEqual([401, 401, 421, 403]);
    for (const r of refused) {
      expect(r.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(r.body.toString()).ok).toBe(false);
    }
  });
});
