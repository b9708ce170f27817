import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operationByChannel } from '../../shared/api/by-feature';
import { inputLimit } from '../../shared/api/define';
import { ApiError } from '../../shared/api/errors';
import { tooLargeMessage } from '../../shared/api/size';
import type { Runtime } from '../api/runtime';
import { contentSecurityPolicy } from '../app/csp';
import { lingerOnClose, readBody } from './body';
import {
  allowedHosts,
  bearerToken,
  cookieName,
  hostAllowed,
  isLoopback,
  machineNames,
  originAllowed,
  readCookie,
  safeDecode,
  shownAddress,
  tokensEqual,
  urlHost,
  type MachineNames,
} from './security';
import { pickEncoding, StaticFiles } from './static';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';

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
  /** The machine's names and addresses (tests); read from the OS otherwise. */
  machine?: MachineNames;
}

export interface RunningServer {
  url: string;
  /** The URL with the token, as printed for the user. */
  loginUrl: string;
  port: number;
  token: string;
  server: Server;
  /** Host headers this server answers to. */
  allowed: Set<string>;
  close(): Promise<void>;
}

type ErrorBody = { ok: false; error: { code: string; message: string; detail?: unknown } };

const apiError = (code: string, message: string, detail?: unknown): ErrorBody => ({
  ok: false,
  error: detail === undefined ? { code, message } : { code, message, detail },
});

/**
 * Browser mode: the built UI and the same handlers as Electron's IPC, over HTTP on loopback.
 * Every request needs the token (cookie set by the first page load, or a Bearer header), a
 * Host header naming this server (DNS rebinding) and no foreign Origin (CSRF). Every answer to
 * bad input is a 4xx; nothing a client sends can take the process down.
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
  const files = new StaticFiles(opts.staticDir);
  let allowed = new Set<string>();
  let port = 0;
  const streams = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, apiError('INTERNAL', e instanceof Error ? e.message : String(e)));
      else res.destroy();
    });
  });
  // A client that asks before sending a large body (Expect: 100-continue) is told 413 before it sends it.
  server.on('checkContinue', (req, res) => server.emit('request', req, res));
  // Slow or stalled uploads and idle connections end; a stalled body cannot pin memory forever.
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setCommonHeaders(res);
    req.on('error', () => res.destroy());
    const rawPath = req.url ?? '/';
    const api = rawPath.startsWith('/api/');
    const refuse = (status: number, code: string, message: string) =>
      api ? sendJson(res, status, apiError(code, message)) : sendText(res, status, message);
    if (!hostAllowed(req.headers.host, allowed)) {
      return refuse(421, 'NOT_AUTHORIZED', `Refused: this server answers only to ${[...allowed].join(', ')} (Host header "${req.headers.host ?? ''}").`);
    }
    const origin = req.headers.origin;
    if (!originAllowed(origin, allowed) || req.headers['sec-fetch-site'] === 'cross-site') {
      return refuse(403, 'NOT_AUTHORIZED', `Refused: requests from ${origin ?? 'another site'} are not allowed.`);
    }
    const url = parseTarget(rawPath);
    if (!url) return refuse(400, 'INVALID_INPUT', 'Bad request target');
    const cookie = cookieName(port);

    // First page load: trade the token in the URL for an HttpOnly cookie, then drop it from the URL.
    const urlToken = url.searchParams.get('token');
    if (req.method === 'GET' && urlToken !== null) {
      if (!tokensEqual(urlToken, token)) return sendUnauthorized(res, url.pathname);
      res.setHeader('Set-Cookie', `${cookie}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      url.searchParams.delete('token');
      res.writeHead(303, { Location: url.pathname.replace(/^\/+/, '/') + (url.search || '') });
      res.end();
      return;
    }
    const given = bearerToken(req.headers.authorization) ?? readCookie(req.headers.cookie, cookie);
    if (!tokensEqual(given, token)) return sendUnauthorized(res, url.pathname);

    if (url.pathname === '/api/events' && req.method === 'GET') return openEventStream(req, res);
    if (url.pathname.startsWith('/api/')) return callApi(req, res, url.pathname.slice('/api/'.length));
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
    return files.serve(req, res, url.pathname);
  }

  async function callApi(req: IncomingMessage, res: ServerResponse, rawChannel: string): Promise<void> {
    if (req.method !== 'POST') return sendJson(res, 405, apiError('INVALID_INPUT', 'Use POST'));
    const channel = safeDecode(rawChannel);
    if (channel === undefined) return sendJson(res, 400, apiError('INVALID_INPUT', 'Bad operation name in the path'));
    const op = await operationByChannel(channel);
    if (!op) return sendJson(res, 404, apiError('UNKNOWN_OPERATION', `No operation called "${channel.slice(0, 100)}"`));
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      // Also blocks "simple" cross-site form posts, which cannot send application/json.
      return sendJson(res, 415, apiError('INVALID_INPUT', 'Content-Type must be application/json'));
    }
    const limit = inputLimit(op.def);
    const tooLarge = () => {
      lingerOnClose(req.socket);
      res.setHeader('Connection', 'close');
      sendJson(res, 413, apiError('TOO_LARGE', tooLargeMessage(channel, limit), { limit, channel }));
    };
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) return tooLarge();
    if (req.headers.expect === '100-continue') res.writeContinue();
    const body = await readBody(req, limit);
    if (!body.ok) {
      if (body.reason === 'too-large') return tooLarge();
      return void res.destroy();
    }
    let request: unknown;
    try {
      request = JSON.parse(body.text || '{}');
    } catch (e) {
      return sendJson(res, 400, apiError('INVALID_INPUT', `Bad request body: ${(e as Error).message.slice(0, 200)}`));
    }
    const envelope = await opts.runtime.call(channel, request);
    if (res.destroyed) return;
    return sendAnswer(req, res, envelope);
  }

  function openEventStream(req: IncomingMessage, res: ServerResponse) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    // retry: how soon EventSource reconnects after the server went away (restart, tunnel drop).
    res.write('retry: 2000\n: connected\n\n');
    streams.add(res);
    const unsubscribe = opts.runtime.events.subscribe((e) => res.write(`data: ${JSON.stringify(e)}\n\n`));
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    const done = () => {
      clearInterval(ping);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', done);
    res.on('error', done);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bind, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const addr = server.address() as AddressInfo;
  port = addr.port;
  const machine = opts.machine ?? machineNames();
  allowed = allowedHosts(bind, port, addr.address, machine);
  const shown = urlHost(shownAddress(addr.address, machine));
  const url = `http://${shown}${port === 80 ? '' : `:${port}`}/`;
  return {
    url,
    loginUrl: `${url}?token=${token}`,
    port,
    token,
    server,
    allowed,
    async close() {
      for (const s of streams) s.end();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      // Requests still running get a moment to answer, then their connections are cut.
      const cut = setTimeout(() => server.closeAllConnections(), 1000);
      await closed;
      clearTimeout(cut);
    },
  };
}

/** The request target as a URL; "//" and other odd paths are kept as paths, garbage is undefined. */
function parseTarget(raw: string): URL | undefined {
  if (!raw.startsWith('/')) return undefined;
  try {
    const u = new URL(`http://hostdeck${raw}`);
    return u.host === 'hostdeck' ? u : undefined;
  } catch {
    return undefined;
  }
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

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
/** Answers smaller than this go as they are. */
const MIN_COMPRESS_ANSWER = 1024;

/**
 * An API answer (after the token, Host and Origin checks), compressed when the client takes br
 * or gzip: `kernel.list` is ~480 KB of JSON and ~40 KB as brotli. Fast settings (brotli 5, gzip
 * 6): the answer is made for this request only. Answers carry host data, never the token (it
 * travels in a header or an HttpOnly cookie), so compression reveals no secret by its size.
 */
async function sendAnswer(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
  const text = Buffer.from(JSON.stringify(body));
  const enc = text.length > MIN_COMPRESS_ANSWER ? pickEncoding(req.headers['accept-encoding']) : 'identity';
  res.setHeader('Vary', 'Accept-Encoding');
  let out = text;
  if (enc === 'br') out = await brotliAsync(text, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: text.length } });
  else if (enc === 'gzip') out = await gzipAsync(text, { level: 6 });
  if (res.destroyed) return;
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': out.length, ...(enc === 'identity' ? {} : { 'Content-Encoding': enc }) });
  res.end(out);
}

function sendText(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

function sendUnauthorized(res: ServerResponse, pathname: string) {
  if (pathname.startsWith('/api/')) {
    // Distinct from NOT_AUTHORIZED (polkit said no): this page's session is not valid here,
    // typically because the server restarted with a new token.
    return sendJson(
      res,
      401,
      apiError('NOT_AUTHENTICATED', 'Session expired: this page has no valid HostDeck token (the server restarted?). Reload the page from the URL `hostdeck serve` printed.'),
    );
  }
  return sendText(res, 401, 'HostDeck needs its token: open the full URL that `hostdeck serve` printed (it ends with ?token=...).');
}
