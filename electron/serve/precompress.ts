import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

/** Types worth compressing (fonts and images are compressed already, except svg and ttf). */
export const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.map', '.ttf', '.txt', '.ico']);
/** Smaller files are sent as they are: the encoding headers would cost more than they save. */
export const MIN_COMPRESS = 1024;

/**
 * Writes FILE.br (brotli, quality 11) and FILE.gz (gzip -9) beside every compressible file of the
 * built UI, once at build time (electron.vite.config.ts), so `serve` sends the smallest form from
 * its first request on instead of compressing after every start. StaticFiles uses a sibling only
 * when it is at least as new as the file; anything else is compressed on the fly as before.
 */
export function precompressDir(dir: string): { files: number; raw: number; br: number } {
  let files = 0;
  let raw = 0;
  let br = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && COMPRESSIBLE.has(extname(e.name)) && statSync(p).size > MIN_COMPRESS) {
        const bytes = readFileSync(p);
        const b = brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
        writeAtomic(`${p}.br`, b);
        writeAtomic(`${p}.gz`, gzipSync(bytes, { level: 9 }));
        files++;
        raw += bytes.length;
        br += b.length;
      }
    }
  };
  walk(dir);
  return { files, raw, br };
}

function writeAtomic(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
