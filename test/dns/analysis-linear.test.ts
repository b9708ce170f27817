import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { checkText, planText } from '../../shared/dns/check';

/**
 * Hostile resolv.conf files must not freeze HostDeck's one Node process: the whole analysis
 * (`dns check` for glibc and musl, `dns plan` for both) grows linearly with the file. Each shape
 * below used to be quadratic (16,000 nameserver lines took 18 s). Never a wall-clock threshold:
 * the test compares the CPU time of ten analyses of the 1x input with one analysis of the 10x
 * input, the same number of bytes. Linear code costs about the same (ratio 1), quadratic code
 * ten times as much (ratio 10); the limit of 3 is the old "10x the bytes in less than 30x the
 * time". Comparing equal amounts of work keeps each sample long (tens of ms, not a noisy 0.5 ms)
 * and equally exposed to GC and to other processes; samples alternate between the two sides
 * (a burst of machine load hits both), each starts after a full GC, and each side keeps its
 * best of several (the least disturbed one).
 */

type Shape = (bytes: number) => string;

/** Repeats line(i) + sep until the text has `bytes` bytes. */
function fill(bytes: number, line: (i: number) => string, sep = '\n'): string {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const l = line(i) + sep;
    parts.push(l);
    n += l.length;
  }
  return parts.join('').slice(0, bytes);
}

const shapes: Record<string, Shape> = {
  'many nameserver lines': (b) => fill(b, (i) => `nameserver 10.0.${(i >> 8) & 255}.${i & 255}`),
  'nameservers musl rejects for their scope': (b) => `nameserver 192.0.2.1\n${fill(b, () => 'nameserver fe80::1%')}`,
  'one long options line': (b) => `options ${fill(b, () => 'ndots:20', ' ')}\r\n`,
  'many options lines with bad tokens': (b) => fill(b, () => 'options ndots:20 timeout:0 attempts:9 rotatex foo'),
  'one long search line': (b) => `search ${fill(b, (i) => `d${i}.example`, ' ')}`,
  'many search lines with inline comments': (b) => fill(b, (i) => `search a${i}.example # c`),
  'a run of blanks before a comment': (b) => `options a${' '.repeat(b)}b #c\nnameserver 192.0.2.1${' '.repeat(b)}x #c\n`,
  'a run of carriage returns in a token': (b) => `options a${'\r'.repeat(b)}b #c\n`,
  'one long sortlist line': (b) => `sortlist ${fill(b, () => '10.0.0.0/24', ' ')}`,
  'unknown and miscased lines': (b) => fill(b, (i) => `Nameserver x${i}\tfoo`),
  'CRLF lines': (b) => fill(b, () => 'nameserver 192.0.2.1', '\r\n'),
  'NUL bytes': (b) => fill(b, () => 'nameserver 192.0.2.1\0x'),
  'a huge number': (b) => `options ndots:${'9'.repeat(b)}`,
  'lines longer than musl reads': (b) => fill(b, () => `search ${'a'.repeat(300)}`),
};

/** Shapes also checked up to 2 MiB (the issue's 1.6 MB files that took over half a second). */
const LARGE_SHAPES = ['a run of carriage returns in a token', 'unknown and miscased lines'];

function analyse(text: string): void {
  checkText(text, 'glibc', { hostname: 'host.corp.example' });
  checkText(text, 'musl');
  planText('api.example.com', text, 'glibc');
  planText('api', text, 'musl');
}

// A full collection before each sample, so that no sample pays for the garbage of the one before.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** CPU time (ms) of analysing each text once, after a full GC. */
function cpuMs(texts: readonly string[]): number {
  gc();
  const t = process.cpuUsage();
  for (const text of texts) analyse(text);
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

/**
 * The ratio of the best CPU times of one analysis of the 10x text and of ten analyses of the
 * 1x text, in alternating rounds after a JIT warm-up. Linear code stops after the first round
 * when the ratio is clearly linear (below 2: noise cannot take a quadratic ratio of 10 down
 * there); otherwise up to `maxRounds`, so only a ratio that stays high in every round fails.
 */
function measure(small: string, large: string, maxRounds: number): { t1: number; t10: number } {
  const tenSmall = Array<string>(10).fill(small);
  analyse(small);
  analyse(small);
  let t1 = Infinity;
  let t10 = Infinity;
  for (let r = 0; r < maxRounds && !(t10 / t1 < 2); r++) {
    // Alternate which side goes first, so neither always runs right after the other.
    if (r % 2 === 0) {
      t1 = Math.min(t1, cpuMs(tenSmall));
      t10 = Math.min(t10, cpuMs([large]));
    } else {
      t10 = Math.min(t10, cpuMs([large]));
      t1 = Math.min(t1, cpuMs(tenSmall));
    }
  }
  return { t1, t10 };
}

const SMALL = 64 * 1024;
const LARGE = 2 * 1024 * 1024;

describe('resolv.conf analysis grows linearly with the file', () => {
  for (const [name, shape] of Object.entries(shapes)) {
    const big = LARGE_SHAPES.includes(name);
    const bytes = big ? Math.ceil(LARGE / 10) : SMALL;
    it(`${name}: 10x the bytes (${(10 * bytes) >> 10} KiB) costs less than 30x the time`, () => {
      const small = shape(bytes);
      const large = shape(10 * bytes);
      const { t1, t10 } = measure(small, large, 4);
      // t1 is ten 1x analyses: t10 / (t1 / 10) < 30.
      expect(t10 / t1, `10 x 1x ${t1.toFixed(1)} ms, 1 x 10x ${t10.toFixed(1)} ms`).toBeLessThan(3);
    });
  }
});
