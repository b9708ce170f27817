/**
 * Browser mode keeps the build's hashed assets in memory from its start (StaticFiles.warm): a
 * chunk is answered in its request's own event-loop turn, without the file-system round trips
 * that made the Kernel page's chunks wait behind kernel.list's computation (issue #22). The
 * bytes are the build's, compressed forms included; the page itself is still read per request.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { precompressDir } from '../../electron/serve/precompress';
import { startServer, type RunningServer } from '../../electron/serve/server';
import { decodedBody, rawRequest } from '../support/raw-http';

let rt: Runtime;
let srv: RunningServer;
let scratch: string;
let ui: string;
const js = `console.log(${JSON.stringify('w'.repeat(300))});\n`.repeat(300);
const chunk = 'assets/KernelPage-Q1w2E3r4.js';

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'hostdeck-warm-'));
  ui = join(scratch, 'ui');
  mkdirSync(join(ui, 'assets'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>first</title>');
  writeFileSync(join(ui, chunk), js);
  writeFileSync(join(ui, 'assets', 'plain.js'), js);
  precompressDir(ui);
  rt = new Runtime({ mode: 'browser', local: { systemBusAddress: 'unix:path=/nonexistent/bus' } });
  srv = await startServer({ runtime: rt, staticDir: ui, port: 0 });
});
afterAll(async () => {
  await srv?.close();
  await rt?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

const get = (path: string, extra: string[] = []) =>
  rawRequest(srv.port, [`GET /${path} HTTP/1.1`, `Host: 127.0.0.1:${srv.port}`, `Authorization: Bearer ${srv.token}`, 'Connection: close', ...extra].join('\r\n'));

describe('hashed assets kept in memory from the start', () => {
  it('a hashed chunk is answered from memory, as the build wrote it, even once its files are gone', async () => {
    const br = readFileSync(join(ui, `${chunk}.br`));
    const gz = readFileSync(join(ui, `${chunk}.gz`));
    // Gone from the disk (a rebuild removed them): only a server that holds them answers 200.
    for (const f of [chunk, `${chunk}.br`, `${chunk}.gz`]) unlinkSync(join(ui, f));
    const a = await get(chunk, ['Accept-Encoding: gzip, br']);
    expect(a.status).toBe(200);
    expect(a.headers['content-encoding']).toBe('br');
    expect(a.body.equals(br)).toBe(true);
    expect(a.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(a.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const g = await get(chunk, ['Accept-Encoding: gzip']);
    expect(g.body.equals(gz)).toBe(true);
    expect(decodedBody(g).toString()).toBe(js);
    const plain = await get(chunk);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(js);
    // Revalidation still works from memory.
    const again = await get(chunk, [`If-None-Match: ${a.headers.etag}`]);
    expect(again.status).toBe(304);
  });

  it('the page and unhashed files are still read per request: a new build is seen at once', async () => {
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>second</title>');
    expect((await get('')).body.toString()).toContain('second');
    unlinkSync(join(ui, 'assets', 'plain.js'));
    expect((await get('assets/plain.js')).status).toBe(404);
  });
});
