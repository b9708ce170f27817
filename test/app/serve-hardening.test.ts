/**
 * Browser mode under hostile or unlucky input, over raw TCP: bodies over their operation's
 * limit, malformed paths and cookies, files vanishing mid-request, Host headers for every kind
 * of bind, caching and compression of the UI. After each, the server is up and the next
 * normal call succeeds.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, unlinkSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { allowedHosts, reachableNames, shownAddress, type MachineNames } from '../../electron/serve/security';
import { startServer, type RunningServer } from '../../electron/serve/server';
import { decodedBody, rawRequest } from '../support/raw-http';

const MiB = 1024 * 1024;
let rt: Runtime;
let srv: RunningServer;
let scratch: string;
let ui: string;
const js = `console.log(${JSON.stringify('x'.repeat(200))});\n`.repeat(500);

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'hostdeck-harden-'));
  ui = join(scratch, 'ui');
  mkdirSync(join(ui, 'assets'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>HostDeck</title>');
  writeFileSync(join(ui, 'assets', 'index-tA1qR1RC.js'), js);
  writeFileSync(join(ui, 'assets', 'big-AbCdEf12.bin'), Buffer.alloc(9 * MiB, 7));
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
const post = (channel: string, body: string | Buffer) =>
  rawRequest(srv.port, head('POST', `/api/${channel}`, ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`]), body);

async function stillServes() {
  const r = await post('app.info', '{"input":{}}');
  expect(r.status).toBe(200);
  expect(JSON.parse(r.body.toString())).toMatchObject({ ok: true, result: { mode: 'browser' } });
}

describe('request size limits', () => {
  it('answers 413 at once when the declared length is over the limit, without reading the body', async () => {
    const r = await rawRequest(srv.port, head('POST', '/api/app.info', ['Content-Type: application/json', `Content-Length: ${50 * MiB}`]));
    expect(r.status).toBe(413);
    const e = JSON.parse(r.body.toString()).error;
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toBe('The request to app.info is larger than its limit of 1 MiB: send less at once (split large imports).');
    await stillServes();
  });

  it('stops reading a chunked body at the limit and answers 413 while the client is still sending', async () => {
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    function* chunks() {
      for (let i = 0; i < 200; i++) yield Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    }
    const r = await rawRequest(srv.port, head('POST', '/api/dns.check', ['Content-Type: application/json', 'Transfer-Encoding: chunked']), chunks());
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body.toString()).error).toMatchObject({ code: 'TOO_LARGE', detail: { limit: 1024 * 1024, channel: 'dns.check' } });
    await stillServes();
  });

  it('tells a client that asks first (Expect: 100-continue) before it sends anything', async () => {
    const r = await rawRequest(srv.port, head('POST', '/api/app.info', ['Content-Type: application/json', `Content-Length: ${2 * MiB}`, 'Expect: 100-continue']));
    expect(r.status).toBe(413);
  });

  it('accepts a large ipset import up to its own limit', async () => {
    const entries = Array.from({ length: 120_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const body = JSON.stringify({ input: { name: 'big', layer: 'runtime', entries } });
    expect(body.length).toBeGreaterThan(MiB);
    const r = await post('firewall.ipsetSetEntries', body);
    expect(r.status).toBe(200);
    // Read and validated; the handler then finds no firewalld on this test's bus.
    expect(JSON.parse(r.body.toString()).error.code).toBe('FIREWALLD_NOT_RUNNING');
  });

  it('caps the issues an invalid request carries', async () => {
    const entries = Array.from({ length: 50_000 }, (_, i) => i);
    const r = await post('firewall.ipsetSetEntries', JSON.stringify({ input: { name: 'big', layer: 'runtime', entries } }));
    expect(r.status).toBe(200);
    const e = JSON.parse(r.body.toString()).error;
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.detail.issues).toHaveLength(20);
    expect(e.detail.issueCount).toBe(50_000);
    expect(e.message).toContain('and 49995 more');
    expect(r.body.length).toBeLessThan(16 * 1024);
  });
});

describe('malformed requests get a 4xx and the process stays up', () => {
  it.each([
    ['a malformed cookie', () => head('GET', '/api/events', [`Cookie: hostdeck_token_${srv.port}=%E0%A4%A`]).replace(/Authorization: .*\r\n/, ''), 401],
    ['GET //', () => head('GET', '//'), 200],
    ['GET //evil.example/x', () => head('GET', '//evil.example/x'), 200],
    ['a malformed operation name', () => head('POST', '/api/%E0%A4%A', ['Content-Type: application/json', 'Content-Length: 2']), 400],
    ['a malformed static path', () => head('GET', '/assets/%E0%A4%A.js'), 400],
    ['an absolute-form target', () => head('GET', `http://127.0.0.1:1/`), 400],
  ])('%s', async (_what, makeHead, status) => {
    const h = makeHead();
    const r = await rawRequest(srv.port, h, h.includes('Content-Length: 2') ? '{}' : undefined);
    expect(r.status).toBe(status);
    await stillServes();
  });

  it('a malformed cookie on the API answers NOT_AUTHENTICATED', async () => {
    const r = await rawRequest(
      srv.port,
      head('POST', '/api/app.info', ['Content-Type: application/json', 'Content-Length: 2', `Cookie: hostdeck_token_${srv.port}=%E0%A4%A`]).replace(/Authorization: .*\r\n/, ''),
      '{}',
    );
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body.toString()).error.code).toBe('NOT_AUTHENTICATED');
  });

  it('survives UI files deleted or replaced while they are served (a rebuild)', async () => {
    const big = join(ui, 'assets', 'big-AbCdEf12.bin');
    // Large files are streamed: delete one while its answer is still going out.
    const slow = rawRequest(srv.port, head('GET', '/assets/big-AbCdEf12.bin'));
    unlinkSync(big);
    const r = await slow;
    expect([200, 404]).toContain(r.status);
    expect((await rawRequest(srv.port, head('GET', '/assets/big-AbCdEf12.bin'))).status).toBe(404);
    // A cached file replaced under the same name: the new content is served.
    const file = join(ui, 'assets', 'index-tA1qR1RC.js');
    writeFileSync(`${file}.new`, 'console.log("rebuilt")');
    renameSync(`${file}.new`, file);
    expect((await rawRequest(srv.port, head('GET', '/assets/index-tA1qR1RC.js'))).body.toString()).toBe('console.log("rebuilt")');
    unlinkSync(file);
    expect((await rawRequest(srv.port, head('GET', '/assets/index-tA1qR1RC.js'))).status).toBe(404);
    writeFileSync(file, js);
    await stillServes();
  });
});

describe('caching and compression of the UI', () => {
  it('serves hashed assets immutable and compressed per Accept-Encoding, the page uncached', async () => {
    const get = (enc?: string) => rawRequest(srv.port, head('GET', '/assets/index-tA1qR1RC.js', enc ? [`Accept-Encoding: ${enc}`] : []));
    const br = await get('gzip, deflate, br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.body.length).toBeLessThan(js.length / 10);
    expect(decodedBody(br).toString()).toBe(js);
    const gz = await get('gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(decodedBody(gz).toString()).toBe(js);
    const refusedBr = await get('br;q=0, gzip;q=0.5');
    expect(refusedBr.headers['content-encoding']).toBe('gzip');
    const plain = await get();
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(js);
    const again = await rawRequest(srv.port, head('GET', '/assets/index-tA1qR1RC.js', [`If-None-Match: ${plain.headers.etag}`]));
    expect(again.status).toBe(304);
    const page = await rawRequest(srv.port, head('GET', '/', ['Accept-Encoding: br']));
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
  });
});

describe('binding', () => {
  const machine: MachineNames = {
    hostname: 'node7.example.org',
    addresses: [
      { address: '127.0.0.1', family: 'IPv4', internal: true },
      { address: '::1', family: 'IPv6', internal: true },
      { address: '192.0.2.7', family: 'IPv4', internal: false },
      { address: '2001:db8::7', family: 'IPv6', internal: false },
    ],
  };

  it('accepts every name a wildcard bind is reachable by, and nothing else', () => {
    expect(reachableNames('0.0.0.0', '0.0.0.0', machine).sort()).toEqual(['127.0.0.1', '192.0.2.7', 'localhost', 'node7', 'node7.example.org']);
    expect(reachableNames('::', '::', machine)).toEqual(expect.arrayContaining(['[2001:db8::7]', '[::1]', '192.0.2.7']));
    const a = allowedHosts('0.0.0.0', 7390, '0.0.0.0', machine);
    expect(a.has('192.0.2.7:7390')).toBe(true);
    expect(a.has('node7.example.org:7390')).toBe(true);
    expect(a.has('0.0.0.0:7390')).toBe(false);
    expect(a.has('evil.example:7390')).toBe(false);
    expect(shownAddress('0.0.0.0', machine)).toBe('192.0.2.7');
  });

  it('accepts the Host header without the port on port 80', () => {
    const a = allowedHosts('127.0.0.1', 80);
    expect(a.has('127.0.0.1')).toBe(true);
    expect(a.has('localhost')).toBe(true);
    expect(allowedHosts('127.0.0.1', 8080).has('127.0.0.1')).toBe(false);
  });

  it.each([
    ['::1', 'http://[::1]:', '[::1]'],
    ['127.0.0.5', 'http://127.0.0.5:', '127.0.0.5'],
  ])('--bind %s prints a URL that works and answers to it', async (bind, prefix, hostName) => {
    const s = await startServer({ runtime: rt, staticDir: ui, port: 0, bind });
    try {
      expect(s.url).toBe(`${prefix}${s.port}/`);
      const h = (host: string) =>
        rawRequest(s.port, [`GET /api/nothing HTTP/1.1`, `Host: ${host}`, 'Connection: close'].join('\r\n'), undefined, { host: bind });
      expect((await h(`${hostName}:${s.port}`)).status).toBe(401); // reached the token check
      expect((await h(`127.0.0.1:${s.port}`)).status).toBe(421); // not a name this server is reachable by
    } finally {
      await s.close();
    }
  });
});
