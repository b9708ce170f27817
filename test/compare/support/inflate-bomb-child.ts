import { gzipSync } from 'node:zlib';
import { inflateImportFiles, newInflateBudget } from '../../../electron/compare/import-inflate';

/**
 * A gzip bomb inflated the way compare.import inflates it, in a process of its own so that its
 * peak RSS says what the inflate allocated: 1,024 gzip members of 1 MiB of zeros, ~1 MB that
 * inflates to 1 GiB. Prints the refusal and the growth of the peak RSS (KiB) as JSON.
 */
const member = gzipSync(Buffer.alloc(1024 * 1024));
const bomb = Buffer.concat(Array.from({ length: 1024 }, () => member)).toString('base64');
const before = process.resourceUsage().maxRSS;
let refusal: { code?: string; message: string } | null = null;
let inflated = 0;
try {
  inflated = inflateImportFiles([{ name: 'bomb node-9.json', gzip: bomb }], newInflateBudget(0))[0]!.text.length;
} catch (e) {
  refusal = { code: (e as { code?: string }).code, message: (e as Error).message };
}
process.stdout.write(JSON.stringify({ refusal, inflated, compressed: bomb.length, peakGrowthKiB: process.resourceUsage().maxRSS - before }));
