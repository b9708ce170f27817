import { promises as fs, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { COMPRESSIBLE, MIN_COMPRESS } from './precompress';
import { safeDecode } from './security';

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
  '.txt': 'text/plain; charset=utf-8',
};

export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Files the build names by content hash (vite: assets/index-tA1qR1RC.js): never change under one name. */
const HASHED = /-[A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$/;

/** Files up to this size are served from memory (with their compressed forms); larger ones are streamed. */
const MAX_CACHED_FILE = 8 * 1024 * 1024;
const MAX_CACHE_TOTAL = 96 * 1024 * 1024;

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

type Encoding = 'br' | 'gzip' | 'identity';

interface Cached {
  key: string;
  bytes: Buffer;
  etag: string;
  encoded: Partial<Record<'br' | 'gzip', Promise<Buffer>>>;
  cost: number;
}

/**
 * The built UI: index.html uncached (it names the current bundle), hashed assets cached for a
 * year and compressed (br or gzip, per Accept-Encoding): the build's FILE.br / FILE.gz when they
 * are at least as new as FILE (precompress.ts), else compressed once here and kept in memory.
 * Files are read whole, so a file deleted or replaced mid-request (a rebuild) is either served
 * as it was or answered 404; nothing streams from a file that can vanish under it, except files
 * too large to cache, which are streamed from an open descriptor with their errors handled.
 */
export class StaticFiles {
  readonly root: string;
  private readonly cache = new Map<string, Cached>();
  private cacheBytes = 0;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const decoded = safeDecode(pathname);
    if (decoded === undefined || decoded.includes('\0')) return text(res, 400, 'Bad path');
    const rel = normalize(decoded).replace(/^([/\\])+/, '');
    let file = resolve(this.root, rel || 'index.html');
    if (file !== this.root && !file.startsWith(this.root + sep)) return text(res, 403, 'Refused: outside the UI directory');
    let st = await stat(file);
    if (st?.isDirectory()) {
      file = join(file, 'index.html');
      st = await stat(file);
    }
    if (!st?.isFile()) {
      // Unknown paths that look like app routes get the app; missing assets get a 404.
      if (extname(rel)) return text(res, 404, 'Not found');
      file = join(this.root, 'index.html');
      st = await stat(file);
      if (!st?.isFile()) return text(res, 500, `The UI is not built: ${file} is missing (run npm run build).`);
    }
    const ext = extname(file);
    const immutable = file.startsWith(join(this.root, 'assets') + sep) && HASHED.test(file);
    res.setHeader('Content-Type', MIME[ext] ?? 'application/octet-stream');
    // The page itself must never be cached: it names the current bundle.
    res.setHeader('Cache-Control', immutable ? IMMUTABLE : ext === '.html' ? 'no-store' : 'no-cache');
    if (st.size > MAX_CACHED_FILE) return this.stream(req, res, file);

    let entry: Cached;
    try {
      entry = await this.load(file, st);
    } catch {
      return text(res, 404, 'Not found');
    }
    if (ext !== '.html') res.setHeader('ETag', entry.etag);
    if (ext !== '.html' && req.headers['if-none-match'] === entry.etag) {
      res.writeHead(304);
      res.end();
      return;
    }
    let body = entry.bytes;
    if (COMPRESSIBLE.has(ext) && body.length > MIN_COMPRESS) {
      res.setHeader('Vary', 'Accept-Encoding');
      const enc = pickEncoding(req.headers['accept-encoding']);
      if (enc !== 'identity') {
        body = await (entry.encoded[enc] ??= prebuilt(file, enc, st).then((b) => b ?? compress(enc, entry.bytes)));
        res.setHeader('Content-Encoding', enc);
      }
    }
    res.writeHead(200, { 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private async load(file: string, st: Stats): Promise<Cached> {
    const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
    const hit = this.cache.get(file);
    if (hit?.key === key) return hit;
    const bytes = await fs.readFile(file);
    const entry: Cached = { key, bytes, etag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`, encoded: {}, cost: bytes.length * 2 };
    if (hit) {
      this.cache.delete(file);
      this.cacheBytes -= hit.cost;
    }
    if (this.cacheBytes + entry.cost <= MAX_CACHE_TOTAL) {
      this.cache.set(file, entry);
      this.cacheBytes += entry.cost;
    }
    return entry;
  }

  private async stream(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
    // Opened first: a file replaced afterwards is still read whole from the old inode.
    const fh = await fs.open(file, 'r').catch(() => undefined);
    if (!fh) return text(res, 404, 'Not found');
    const st = await fh.stat();
    res.writeHead(200, { 'Content-Length': st.size });
    if (req.method === 'HEAD') {
      await fh.close();
      res.end();
      return;
    }
    pipeline(fh.createReadStream(), res, (err) => {
      if (err) res.destroy();
    });
  }
}

/** The build's compressed sibling (FILE.br, FILE.gz) when it is a file at least as new as FILE, else null. */
async function prebuilt(file: string, enc: 'br' | 'gzip', st: Stats): Promise<Buffer | null> {
  const sibling = `${file}.${enc === 'br' ? 'br' : 'gz'}`;
  const fh = await fs.open(sibling, 'r').catch(() => undefined);
  if (!fh) return null;
  try {
    const s = await fh.stat();
    if (!s.isFile() || s.size === 0 || s.mtimeMs < st.mtimeMs) return null;
    return await fh.readFile();
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

function stat(file: string): Promise<Stats | undefined> {
  return fs.stat(file).catch(() => undefined);
}

export function compress(enc: 'br' | 'gzip', bytes: Buffer): Promise<Buffer> {
  return enc === 'br'
    ? brotliAsync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length } })
    : gzipAsync(bytes, { level: 9 });
}

/** br if the client takes it, else gzip, else none (q=0 means "not this one"). */
export function pickEncoding(header: string | string[] | undefined): Encoding {
  const q = new Map<string, number>();
  for (const part of String(header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const v = qp ? Number(qp.slice(2)) : 1;
    q.set(name, Number.isFinite(v) ? v : 0);
  }
  const ok = (n: string) => (q.get(n) ?? (q.has('*') ? q.get('*')! : 0)) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return 'identity';
}

function text(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${body}\n`);
}
