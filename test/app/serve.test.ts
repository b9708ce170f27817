import { request } from 'node:http';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { startServer, type RunningServer } from '../../electron/serve/server';
import { isLoopback, originAllowed, allowedHosts } from '../../electron/serve/security';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP so tests can send any Host and Origin header (fetch forbids both). */
function http(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('browser mode server', () => {
  let rt: Runtime;
  let srv: RunningServer;
  let port: number;
  let auth: Record<string, string>;
  let scratch: string;
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    // scratch/ui is the UI directory; scratch/hostdeck-secret.txt sits just outside it.
    scratch = mkdtempSync(join(tmpdir(), 'hostdeck-ui-'));
    const ui = join(scratch, 'ui');
    mkdirSync(join(ui, 'assets'), { recursive: true });
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>HostDeck</title>');
    writeFileSync(join(ui, 'assets', 'a.js'), 'console.log(1)');
    writeFileSync(join(scratch, 'hostdeck-secret.txt'), 'secret');
    rt = new Runtime({ mode: 'browser', local: { systemBusAddress: 'unix:path=/nonexistent/bus' } });
    srv = await startServer({ runtime: rt, staticDir: ui, port: 0 });
    port = srv.port;
    auth = { authorization: `Bearer ${srv.token}` };
  });
  afterAll(async () => {
    await srv.close();
    await rt.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('prints a loopback URL carrying a long random token', () => {
    expect(srv.loginUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[A-Za-z0-9_-]{32}$`));
    expect(srv.server.address()).toMatchObject({ address: '127.0.0.1' });
  });

  it('refuses API calls without a token or with a wrong one', async () => {
    const none = await http(port, 'POST', '/api/app.info', json, '{"input":{}}');
    expect(none.status).toBe(401);
    // Not NOT_AUTHORIZED (that is polkit's no): the page's session is what is missing.
    expect(JSON.parse(none.body).error.code).toBe('NOT_AUTHENTICATED');
    const wrong = await http(port, 'POST', '/api/app.info', { ...json, authorization: 'Bearer nope' }, '{"input":{}}');
    expect(wrong.status).toBe(401);
    const wrongCookie = await http(port, 'POST', '/api/app.info', { ...json, cookie: `hostdeck_token_${port}=nope` }, '{"input":{}}');
    expect(wrongCookie.status).toBe(401);
    const page = await http(port, 'GET', '/');
    expect(page.status).toBe(401);
    expect(page.body).not.toContain('<title>HostDeck');
  });

  it('answers with the right token, as a Bearer header or as the cookie from the first page load', async () => {
    const ok = await http(port, 'POST', '/api/app.info', { ...json, ...auth }, '{"input":{}}');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, result: { mode: 'browser' } });

    const first = await http(port, 'GET', `/?token=${srv.token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const pair = cookie.split(';')[0]!;
    const page = await http(port, 'GET', '/', { cookie: pair });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>HostDeck');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const api = await http(port, 'POST', '/api/app.hosts', { ...json, cookie: pair }, '{"input":{}}');
    expect(JSON.parse(api.body).result.hosts[0].id).toBe('local');
  });

  it('refuses a wrong token in the URL without setting a cookie', async () => {
    const r = await http(port, 'GET', '/?token=guess');
    expect(r.status).toBe(401);
    expect(r.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a foreign Origin even with the right token (CSRF)', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${port + 1}`, 'null', `https://127.0.0.1:${port}`]) {
      const r = await http(port, 'POST', '/api/app.info', { ...json, ...auth, origin }, '{"input":{}}');
      expect(r.status, origin).toBe(403);
    }
    const same = await http(port, 'POST', '/api/app.info', { ...json, ...auth, origin: `http://127.0.0.1:${port}` }, '{"input":{}}');
    expect(same.status).toBe(200);
    const crossSite = await http(port, 'POST', '/api/app.info', { ...json, ...auth, 'sec-fetch-site': 'cross-site' }, '{}');
    expect(crossSite.status).toBe(403);
  });

  it('refuses a wrong Host header even with the right token (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `10.0.0.1:${port}`]) {
      const r = await http(port, 'POST', '/api/app.info', { ...json, ...auth, host }, '{"input":{}}');
      expect(r.status, host).toBe(421);
    }
    const localhost = await http(port, 'POST', '/api/app.info', { ...json, ...auth, host: `localhost:${port}` }, '{"input":{}}');
    expect(localhost.status).toBe(200);
  });

  it('accepts only JSON posts, maps contract errors, and never serves files outside the UI', async () => {
    const form = await http(port, 'POST', '/api/app.info', { ...auth, 'content-type': 'text/plain' }, '{}');
    expect(form.status).toBe(415);
    const unknown = await http(port, 'POST', '/api/nope.nothing', { ...json, ...auth }, '{}');
    expect(JSON.parse(unknown.body).error.code).toBe('UNKNOWN_OPERATION');
    const bad = await http(port, 'POST', '/api/app.info', { ...json, ...auth }, '{"host": 3}');
    expect(JSON.parse(bad.body).ok).toBe(true); // a non-string host means "local"
    const badHost = await http(port, 'POST', '/api/app.info', { ...json, ...auth }, '{"host": "elsewhere"}');
    expect(JSON.parse(badHost.body).error.code).toBe('UNKNOWN_HOST');
    const junk = await http(port, 'POST', '/api/app.info', { ...json, ...auth }, '{not json');
    expect(junk.status).toBe(400);
    for (const p of ['/../hostdeck-secret.txt', '/%2e%2e/hostdeck-secret.txt', '/assets/..%2f..%2fhostdeck-secret.txt']) {
      const r = await http(port, 'GET', p, auth);
      expect(r.body, p).not.toContain('secret');
    }
    const asset = await http(port, 'GET', '/assets/a.js', auth);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
  });

  it('streams pushed events to an authenticated client', async () => {
    const got = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/api/events', headers: { host: `127.0.0.1:${port}`, ...auth } },
        (res) => {
          let buf = '';
          res.on('data', (c: Buffer) => {
            buf += c.toString();
            if (buf.includes(': connected')) rt.events.emit('app.hostsChanged', 'local', {});
            const m = /data: (.*)\n\n/.exec(buf);
            if (m) {
              resolve(m[1]!);
              req.destroy();
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(got)).toEqual({ name: 'app.hostsChanged', host: 'local', payload: {} });
    const noToken = await http(port, 'GET', '/api/events');
    expect(noToken.status).toBe(401);
  });

  it('refuses to listen on a non-loopback address unless --bind was explicit, and says why', async () => {
    await expect(startServer({ runtime: rt, staticDir: tmpdir(), port: 0, bind: '0.0.0.0' })).rejects.toThrow(/127\.0\.0\.1 only.*--bind/);
    expect(isLoopback('127.0.0.5')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('192.168.1.4')).toBe(false);
    expect(originAllowed('http://127.0.0.1:80/x', allowedHosts('127.0.0.1', 80))).toBe(false);
  });
});
