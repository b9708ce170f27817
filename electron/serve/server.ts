import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { ApiError } from '../../shared/api/errors';
import type { Runtime } from '../api/runtime';
import { contentSecurityPolicy } from '../app/csp';
import {
  allowedHosts,
  bearerToken,
  cookieName,
  hostAllowed,
  isLoopback,
  originAllowed,
  readCookie,
  tokensEqual,
} from './security';

export interface ServeOptions {
  runtime: Runtime;
  /** Directory of the built renderer (out/renderer). */
  staticDir: string;
  port?: number;
  bind?: string;
  /** Non-loopback addresses are refused unless the user asked for one explicitly (--bind). */
  explicitBind?: boolean;
  /** Fixed token (tests); random otherwise. */
  token?: string;
  /** Largest accepted request body (ipset imports can be large). */
  maxBodyBytes?: number;
}

export interface RunningServer {
  url: string;
  /** The URL with the token, as printed for the user. */
  loginUrl: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
  '.map': 'application/json',
};

/**
 * Browser mode: the built UI and the same handlers as Electron's IPC, over HTTP on loopback.
 * Every request needs the token (cookie set by the first page load, or a Bearer header), a
 * Host header naming this server (DNS rebinding) and no foreign Origin (CSRF).
 */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const bind = opts.bind ?? '127.0.0.1';
  if (!isLoopback(bind) && !opts.explicitBind) {
    throw new ApiError(
      'INVALID_INPUT',
      `Refusing to listen on ${bind}: browser mode can change this host's firewall and files, so it listens on 127.0.0.1 only. ` +
        'Reach it through `ssh -L`, or pass --bind explicitly if you really mean it.',
    );
  }
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const staticRoot = resolve(opts.staticDir);
  const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  let allowed = new Set<string>();
  let port = 0;
  const streams = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'INTERNAL', message: String(e) } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setCommonHeaders(res);
    if (!hostAllowed(req.headers.host, allowed)) {
      return sendText(res, 421, `Refused: this server answers only to ${[...allowed].join(', ')} (Host header "${req.headers.host ?? ''}").`);
    }
    const origin = req.headers.origin;
    const fetchSite = req.headers['sec-fetch-site'];
    if (!originAllowed(origin, allowed) || fetchSite === 'cross-site') {
      return sendText(res, 403, `Refused: requests from ${origin ?? 'another site'} are not allowed.`);
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const cookie = cookieName(port);

    // First page load: trade the token in the URL for an HttpOnly cookie, then drop it from the URL.
    const urlToken = url.searchParams.get('token');
    if (req.method === 'GET' && urlToken !== null) {
      if (!tokensEqual(urlToken, token)) return sendUnauthorized(res, url.pathname);
      res.setHeader('Set-Cookie', `${cookie}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      url.searchParams.delete('token');
      res.writeHead(303, { Location: url.pathname + (url.search || '') });
      res.end();
      return;
    }
    const given = bearerToken(req.headers.authorization) ?? readCookie(req.headers.cookie, cookie);
    if (!tokensEqual(given, token)) return sendUnauthorized(res, url.pathname);

    if (url.pathname === '/api/events' && req.method === 'GET') return openEventStream(req, res);
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { code: 'INVALID_INPUT', message: 'Use POST' } });
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
        // Also blocks "simple" cross-site form posts, which cannot send application/json.
        return sendJson(res, 415, { ok: false, error: { code: 'INVALID_INPUT', message: 'Content-Type must be application/json' } });
      }
      const channel = decodeURIComponent(url.pathname.slice('/api/'.length));
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req, maxBody)) || '{}');
      } catch (e) {
        return sendJson(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: `Bad request body: ${(e as Error).message}` } });
      }
      const envelope = await opts.runtime.call(channel, body);
      return sendJson(res, envelope.ok || envelope.error.code !== 'UNKNOWN_OPERATION' ? 200 : 404, envelope);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
    return serveStatic(url.pathname, res);
  }

  function openEventStream(req: IncomingMessage, res: ServerResponse) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    streams.add(res);
    const unsubscribe = opts.runtime.events.subscribe((e) => res.write(`data: ${JSON.stringify(e)}\n\n`));
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(ping);
      unsubscribe();
      streams.delete(res);
    });
  }

  async function serveStatic(pathname: string, res: ServerResponse) {
    let rel: string;
    try {
      rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    } catch {
      return sendText(res, 400, 'Bad path');
    }
    let file = resolve(staticRoot, rel || 'index.html');
    if (file !== staticRoot && !file.startsWith(staticRoot + sep)) return sendText(res, 403, 'Refused: outside the UI directory');
    let st = await fs.stat(file).catch(() => undefined);
    if (st?.isDirectory()) {
      file = join(file, 'index.html');
      st = await fs.stat(file).catch(() => undefined);
    }
    if (!st) {
      // Unknown paths that look like app routes get the app; missing assets get a 404.
      if (extname(rel)) return sendText(res, 404, 'Not found');
      file = join(staticRoot, 'index.html');
      st = await fs.stat(file).catch(() => undefined);
      if (!st) return sendText(res, 500, `The UI is not built: ${file} is missing (run npm run build).`);
    }
    res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Length': st.size });
    createReadStream(file).pipe(res);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bind, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(bind, port);
  const shownHost = isLoopback(bind) ? '127.0.0.1' : bind.includes(':') ? `[${bind}]` : bind;
  const url = `http://${shownHost}:${port}/`;
  return {
    url,
    loginUrl: `${url}?token=${token}`,
    port,
    token,
    server,
    async close() {
      for (const s of streams) s.end();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}

function setCommonHeaders(res: ServerResponse) {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

function sendUnauthorized(res: ServerResponse, pathname: string) {
  if (pathname.startsWith('/api/')) {
    return sendJson(res, 401, {
      ok: false,
      error: { code: 'NOT_AUTHORIZED', message: 'Missing or wrong HostDeck token' },
    });
  }
  return sendText(res, 401, 'HostDeck needs its token: open the full URL that `hostdeck serve` printed (it ends with ?token=...).');
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error(`request body over ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
