import { describe, expect, it } from 'vitest';
import { checkText, planText } from '../../shared/dns/check';

/**
 * Hostile resolv.conf files must not freeze HostDeck's one Node process: the whole analysis
 * (`dns check` for glibc and musl, `dns plan` for both) grows linearly with the file. Each shape
 * below used to be quadratic (16,000 nameserver lines took 18 s). Checked as a ratio of CPU
 * times in one run, 1x against 10x the input, never against a wall-clock threshold: linear
 * code costs about 10x, quadratic code about 100x; 30x leaves room for noise and GC.
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

function analyse(text: string): void {
  checkText(text, 'glibc', { hostname: 'host.corp.example' });
  checkText(text, 'musl');
  planText('api.example.com', text, 'glibc');
  planText('api', text, 'musl');
}

/** CPU time of one analysis, the best of `runs` (the least disturbed by other processes). */
function cpuMs(text: string, runs: number): number {
  let best = Infinity;
  for (let k = 0; k < runs; k++) {
    const t = process.cpuUsage();
    analyse(text);
    const d = process.cpuUsage(t);
    best = Math.min(best, (d.user + d.system) / 1000);
  }
  return best;
}

const SMALL = 16 * 1024;

describe('resolv.conf analysis grows linearly with the file', () => {
  for (const [name, shape] of Object.entries(shapes)) {
    it(`${name}: 10x the bytes costs less than 30x the time`, () => {
      const small = shape(SMALL);
      const large = shape(10 * SMALL);
      analyse(large); // warm up the JIT on the same code paths
      const t1 = cpuMs(small, 3);
      const t10 = cpuMs(large, 2);
      // A floor of 0.5 ms keeps a tiny 1x measurement (timer granularity) from inflating the ratio.
      expect(t10 / Math.max(t1, 0.5), `1x ${t1.toFixed(2)} ms, 10x ${t10.toFixed(2)} ms`).toBeLessThan(30);
    });
  }
});
