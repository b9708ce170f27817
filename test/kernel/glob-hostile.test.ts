import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, matchGlob, matchListing, type GlobStats } from '../../shared/kernel/glob';
import { BRACE_COMBINATIONS_WARN, globBudgets, resolveSystemd } from '../../shared/kernel/sysctld';
import { oracleExpandBraces, oracleMatch } from './support/glob-oracle';

/**
 * sysctl.d globs are matched without backtracking and without expanding braces: a hostile key
 * must cost in proportion to its size, never exponentially (14 stars took 11 s per path, 20
 * brace groups 21 s and 652 MB). Costs are counted in automaton steps, so the checks are exact
 * and independent of the machine's load.
 */

const steps = (pattern: string, path: string): { matched: boolean; steps: number } => {
  const stats: GlobStats = { steps: 0 };
  const matched = matchGlob(compileGlob(pattern), path, stats);
  return { matched, steps: stats.steps };
};

const groups = (k: number) => Array.from({ length: k }, (_, i) => `{${String.fromCharCode(97 + (i % 26))},${String.fromCharCode(98 + (i % 25))}}`).join('');

const listing = [
  'net',
  'net/ipv4',
  'net/ipv4/conf',
  ...['all', 'default', 'lo', 'eth0', 'eth0.100', 'veth1'].flatMap((i) => [`net/ipv4/conf/${i}`, ...['rp_filter', 'arp_ignore', 'arp_announce', 'forwarding'].map((k) => `net/ipv4/conf/${i}/${k}`)]),
  'kernel',
  'kernel/msgmax',
  'vm',
  'vm/swappiness',
];

describe('glob matching cost (14 stars)', () => {
  it('grows linearly with the path: 10x the path costs less than 30x the steps', () => {
    const pattern = `net/ipv4/conf/${'*'.repeat(14)}x/rp_filter`;
    const name = (n: number) => `net/ipv4/conf/${'a'.repeat(n)}/rp_filter`;
    const one = steps(pattern, name(100));
    const ten = steps(pattern, name(1000));
    expect(one.matched).toBe(false);
    expect(ten.matched).toBe(false);
    expect(ten.steps / one.steps).toBeLessThan(30);
    // and it still matches what it should
    expect(steps(pattern, `net/ipv4/conf/${'a'.repeat(1000)}x/rp_filter`).matched).toBe(true);
  });

  it('grows linearly with the number of stars: 140 stars cost less than 30x what 14 do', () => {
    const name = `net/ipv4/conf/${'ab'.repeat(200)}/rp_filter`;
    const s14 = steps(`net/ipv4/conf/${'a*'.repeat(14)}x/rp_filter`, name);
    const s140 = steps(`net/ipv4/conf/${'a*'.repeat(140)}x/rp_filter`, name);
    expect(s14.matched || s140.matched).toBe(false);
    expect(s140.steps / s14.steps).toBeLessThan(30);
  });
});

describe('brace expansion is bounded (20 groups)', () => {
  it('20 groups: the matches are the real ones, the work is proportional to the pattern, and never multiplied out', () => {
    const stats20: GlobStats = { steps: 0 };
    const stats200: GlobStats = { steps: 0 };
    const g20 = compileGlob(`net/ipv4/conf/*/${groups(20)}`);
    expect(g20.combinations).toBe(2 ** 20);
    expect(matchListing(g20, [...listing, `net/ipv4/conf/lo/${'abcdefghijklmnopqrst'}`], stats20)).toEqual([`net/ipv4/conf/lo/abcdefghijklmnopqrst`]);
    const g200 = compileGlob(`net/ipv4/conf/*/${groups(200)}`);
    expect(g200.combinations).toBe(2 ** 200);
    expect(matchListing(g200, listing, stats200)).toEqual([]);
    expect(stats200.steps / stats20.steps).toBeLessThan(30);
  });

  it('a 116-byte line with 20 brace groups resolves to the keys it matches, with a warning naming file:line and the key', () => {
    const key = `net.ipv4.conf.*.${groups(20)}`;
    const content = `kernel.msgmax = 8192\n${key} = 1\n`;
    const r = resolveSystemd([{ dir: 'etc/sysctl.d', name: '50-hostile.conf', kind: 'file', content }], { listing: [...listing, 'net/ipv4/conf/eth0/abcdefghijklmnopqrst', 'net/ipv4/conf/lo/bbcdefghijklmnopqrst'] });
    expect(r.writes.map((w) => w.path).sort()).toEqual(['kernel/msgmax', 'net/ipv4/conf/eth0/abcdefghijklmnopqrst', 'net/ipv4/conf/lo/bbcdefghijklmnopqrst']);
    const w = r.warnings.find((x) => x.severity === 'warning');
    expect(w).toMatchObject({ file: 'etc/sysctl.d/50-hostile.conf', line: 2 });
    expect(w!.message).toContain(key);
    expect(w!.message).toContain('1,048,576 patterns');
    expect(r.failed).toBe(false);
  });

  it('warns only above the threshold, and only for globs (braces alone are written literally by systemd-sysctl)', () => {
    const below = `net.ipv4.conf.*.${groups(10)}`; // exactly 1,024
    const above = `net.ipv4.conf.*.${groups(11)}`;
    const literal = `net.ipv4.conf.lo.${groups(20)}`;
    const content = [below, above, literal].map((k) => `${k} = 1`).join('\n');
    const r = resolveSystemd([{ dir: 'etc/sysctl.d', name: 'x.conf', kind: 'file', content }], { listing });
    expect(2 ** 10).toBe(BRACE_COMBINATIONS_WARN);
    expect(r.warnings.filter((x) => x.severity === 'warning').map((x) => x.line)).toEqual([2]);
  });

  it('a hostile glob that exhausts the step budget is left unexpanded with a warning; the other lines still resolve', () => {
    const stars = `net.ipv4.conf.*.${'*{,}'.repeat(20000)}x`;
    const content = `${stars} = 1\nnet.ipv4.conf.*.rp_filter = 2\n`;
    const r = resolveSystemd([{ dir: 'etc/sysctl.d', name: '60-stars.conf', kind: 'file', content }], { listing });
    const budget = globBudgets(listing);
    expect(budget.perGlob).toBeLessThan(budget.total);
    expect(r.globs.map((g) => g.line)).toEqual([1]);
    const tooComplex = r.warnings.find((x) => x.line === 1 && x.message.includes('too complex'));
    expect(tooComplex).toMatchObject({ file: 'etc/sysctl.d/60-stars.conf', severity: 'warning' });
    expect(tooComplex!.message.length).toBeLessThan(500);
    expect(r.writes.filter((w) => w.path.endsWith('/rp_filter')).length).toBe(6);
  });
});

describe('glob matcher = brace expansion + per-component matching (the old meaning)', () => {
  it('agrees with the old expand-and-regex matcher on small patterns full of glob syntax', () => {
    const patChar = fc.constantFrom('{', '}', ',', '[', ']', '!', '^', '-', '*', '?', '\\', '/', '.', 'a', 'b', 'c', 'é', '😀');
    const pathChar = fc.constantFrom('a', 'b', 'c', '.', '-', '[', ']', '\\', '!', '{', '}', ',', '/', '*', 'é', '😀');
    fc.assert(
      fc.property(fc.array(patChar, { maxLength: 14 }).map((a) => a.join('')), fc.array(pathChar, { maxLength: 10 }).map((a) => a.join('')), (pattern, path) => {
        const expansions = oracleExpandBraces(pattern);
        fc.pre(expansions.length <= 256);
        const g = compileGlob(pattern);
        expect(g.combinations).toBe(expansions.length);
        expect(matchGlob(g, path), `${JSON.stringify(pattern)} on ${JSON.stringify(path)}`).toBe(oracleMatch(pattern, path));
      }),
      { numRuns: 6000 },
    );
  });

  it('agrees on realistic sysctl globs against a listing', () => {
    const part = fc.constantFrom('net', 'ipv4', 'conf', '*', '?o', 'l?', '[ae]*', '[!e]*', '{lo,all}', '{eth0,eth0.100}', 'rp_filter', 'arp_*', '{arp_ignore,forwarding}', '\\lo', 'eth0.100', '*.*');
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
        const pattern = parts.join('/');
        expect(matchListing(compileGlob(pattern), listing)).toEqual(listing.filter((p) => oracleMatch(pattern, p)).sort());
      }),
      { numRuns: 1500 },
    );
  });
});
