import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { planText } from '../../shared/dns/check';
import { readGlibc } from '../../shared/dns/glibc';
import { readMusl } from '../../shared/dns/musl';
import { compileProbe, requireRoot } from './support/tools';
import { runManyWithDnsServer, runWithDnsServer, type LoggedQuery } from './support/netns';

/**
 * Differential test of the query plan: getaddrinfo() from the real glibc and from musl (static
 * musl-gcc build) runs inside a private network namespace against a logging DNS server on
 * loopback; the names it receives, in order, and the packet count equal HostDeck's plan.
 */

let glibcProbe = '';
let muslProbe = '';
beforeAll(() => {
  requireRoot();
  glibcProbe = compileProbe('gai-probe.c', 'gcc');
  muslProbe = compileProbe('gai-probe.c', 'musl-gcc', ['-static']);
});
afterAll(() => {
  for (const p of [glibcProbe, muslProbe]) if (p) rmSync(dirname(p), { recursive: true, force: true });
});

/** Names in arrival order, each once (A/AAAA pairs and parallel servers collapse). */
function names(qs: LoggedQuery[]): string[] {
  const out: string[] = [];
  for (const q of qs) if (!out.includes(q.qname)) out.push(q.qname);
  return out;
}

interface Case {
  title: string;
  resolv: string;
  names: string[];
  exists?: string[];
}

const one = 'nameserver 127.0.0.1\n';
const cases: Case[] = [
  { title: 'search list, ndots 1', resolv: `${one}search a.example b.example\n`, names: ['foo', 'foo.bar', 'foo.bar.'] },
  { title: 'root in the middle of the search list', resolv: `${one}search a.example . b.example\n`, names: ['foo'] },
  { title: 'no-tld-query', resolv: `${one}search a.example\noptions no-tld-query\n`, names: ['foo', 'foo.bar'] },
  {
    title: 'Kubernetes pod, ndots 5',
    resolv: 'search default.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 127.0.0.1\noptions ndots:5\n',
    names: ['api.example.com', 'api.example.com.', 'kubernetes.default'],
    exists: ['kubernetes.default.svc.cluster.local.'],
  },
  { title: 'ndots 0', resolv: `${one}search a.example\noptions ndots:0\n`, names: ['foo'] },
  { title: 'two nameservers', resolv: 'nameserver 127.0.0.1\nnameserver 127.0.0.2\nsearch a.example\n', names: ['foo', 'x.y'] },
  { title: 'no-aaaa', resolv: `${one}search a.example\noptions no-aaaa\n`, names: ['foo'] },
  { title: 'inline comment in search', resolv: `${one}search a.example # corp domain\n`, names: ['foo'] },
  { title: 'domain with two words', resolv: `${one}domain a.example b.example\n`, names: ['foo'] },
  { title: 'negative ndots', resolv: `${one}search a.example\noptions ndots:-1\n`, names: ['a.b.c'] },
  { title: 'CRLF file', resolv: 'nameserver 127.0.0.1\r\nsearch a.example b.example\r\n', names: ['foo'] },
  { title: 'leading-dot and trailing-dot search entries', resolv: `${one}search .a.example b.example.\n`, names: ['foo'] },
  { title: 'invalid search entry stops glibc', resolv: `${one}search a..example b.example\n`, names: ['foo'] },
  { title: 'label longer than 63 bytes', resolv: `${one}search ${'l'.repeat(64)}.example b.example\n`, names: ['foo'] },
  { title: 'no search list', resolv: one, names: ['foo', 'foo.bar'] },
  // musl only: a %name scope on a non-link-local address drops the server (glibc ignores the scope).
  { title: 'named scope on ::1', resolv: 'nameserver ::1%lo\nnameserver 127.0.0.1\nsearch a.example\n', names: ['foo'] },
  { title: 'numeric scope on ::1', resolv: 'nameserver ::1%1\nnameserver 127.0.0.2\nsearch a.example\n', names: ['foo'] },
  // musl only: lines of 255 bytes or more are ignored.
  { title: 'search line longer than 255 bytes', resolv: `${one}search a.example ${Array.from({ length: 22 }, (_, i) => `d${String(i).padStart(2, '0')}.example`).join(' ')}\n`, names: ['foo'] },
  { title: 'options line longer than 255 bytes', resolv: `${one}search a.example\noptions ndots:2 ${'no-such-option'.repeat(18)}\n`, names: ['x.y'] },
  { title: 'ndots above the dots, found on the second try', resolv: `${one}search a.example b.example\noptions ndots:2\n`, names: ['x.y'], exists: ['x.y.b.example.'] },
];

/**
 * Every name of a case through both libcs in one namespace with one DNS server
 * (runManyWithDnsServer), run when the case's first test asks; each test reads its own run.
 */
const runsByCase = new Map<Case, Map<string, ReturnType<typeof runManyWithDnsServer>[number]>>();
function runOf(c: Case, libc: 'glibc' | 'musl', name: string) {
  let runs = runsByCase.get(c);
  if (!runs) {
    const keys = (['glibc', 'musl'] as const).flatMap((l) => c.names.map((n) => [l, n] as const));
    const results = runManyWithDnsServer(c.resolv, keys.map(([l, n]) => [l === 'glibc' ? glibcProbe : muslProbe, n]), { exists: c.exists });
    runs = new Map(keys.map(([l, n], i) => [`${l} ${n}`, results[i]!]));
    runsByCase.set(c, runs);
  }
  return runs.get(`${libc} ${name}`)!;
}

describe.each(['glibc', 'musl'] as const)('%s getaddrinfo sends exactly the planned queries', (libc) => {
  for (const c of cases) {
    for (const name of c.names) {
      it(`${c.title}: ${name}`, () => {
        const plan = planText(name, c.resolv, libc, { existing: c.exists, hostname: 'probe' });
        const r = runOf(c, libc, name);
        expect(r.status, r.stderr).toBe(0);
        expect(names(r.queries)).toEqual(plan.queries.map((q) => q.name));
        expect(r.queries.length).toBe(plan.packets);
        // musl asks every nameserver it accepted at once; glibc asks the first and moves on only on errors.
        const servers = libc === 'musl' ? readMusl(c.resolv, { interfaces: { lo: 1 } }).nameservers.map((s) => s.address) : [readGlibc(c.resolv).used[0]!.address];
        expect([...new Set(r.queries.map((q) => q.server))].sort()).toEqual(r.queries.length ? [...servers].sort() : []);
      });
    }
  }
});

describe('attempts:0', () => {
  const resolv = `${one}search a.example\noptions attempts:0\n`;
  it('glibc sends nothing at all', () => {
    const plan = planText('foo', resolv, 'glibc');
    const r = runWithDnsServer(resolv, [glibcProbe, 'foo']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.queries).toEqual([]);
    expect(plan.packets).toBe(0);
    expect(plan.queries).toEqual([]);
  });
  it('musl crashes with SIGFPE (timeout reports 128+8)', () => {
    const plan = planText('foo', resolv, 'musl');
    const r = runWithDnsServer(resolv, [muslProbe, 'foo']);
    expect(r.status).toBe(136);
    expect(plan.packets).toBe(0);
    expect(plan.advice.join(' ')).toContain('SIGFPE');
  });
});
