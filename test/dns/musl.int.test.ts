import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { inetAtonExact, inetPton6 } from '../../shared/dns/inet';
import { readMusl, type MuslNameserver } from '../../shared/dns/musl';
import { corpus, muslCorpus } from './corpus';
import { compileProbe, requireRoot, runWithResolvConf, writeTemp } from './support/tools';

/**
 * Differential test of HostDeck's musl reading: for every corpus file, musl's own
 * __get_resolv_conf (static musl-gcc probe) reports the same nameservers (with their scope ids),
 * search list and numbers. It runs in a private network namespace with lo and a veth pair
 * hd0/hd1, so `%name` scopes resolve against interfaces we know.
 */

interface MuslProbe {
  nns: number;
  ndots: number;
  attempts: number;
  timeout: number;
  nameservers: { family: 4 | 6; scopeId: number; bytes: string }[];
  search: string[];
  interfaces: Record<string, number>;
}

let probe = '';
beforeAll(() => {
  requireRoot();
  probe = compileProbe('musl-probe.c', 'musl-gcc', ['-static']);
});
afterAll(() => {
  if (probe) rmSync(dirname(probe), { recursive: true, force: true });
});

function hex(s: MuslNameserver): string {
  if (s.family === 4) return inetAtonExact(s.address)!.toString(16).padStart(8, '0');
  return inetPton6(s.address)!
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

function runProbe(bytes: string): MuslProbe {
  const file = writeTemp('resolv.conf', bytes);
  try {
    const r = runWithResolvConf(file, [probe], { net: true, pre: 'ip link add hd0 type veth peer name hd1', timeoutS: 3 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as MuslProbe;
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
  }
}

describe('musl __get_resolv_conf agrees with HostDeck on every corpus file', () => {
  for (const [name, bytes] of Object.entries({ ...corpus, ...muslCorpus })) {
    it(name, () => {
      const got = runProbe(bytes);
      expect(Object.keys(got.interfaces).sort()).toEqual(['hd0', 'hd1', 'lo']);
      const m = readMusl(bytes, { interfaces: got.interfaces });
      expect({ nns: got.nns, ndots: got.ndots, attempts: got.attempts, timeout: got.timeout, nameservers: got.nameservers, search: got.search }).toEqual({
        nns: m.nameservers.length,
        ndots: m.ndots,
        attempts: m.attempts,
        timeout: m.timeout,
        nameservers: m.nameservers.map((s) => ({ family: s.family, scopeId: s.scopeId, bytes: hex(s) })),
        search: m.search,
      });
    });
  }
});

describe('the cases the musl corpus is about', () => {
  it('named scopes resolve to the interface index and unknown names drop the server', () => {
    const m = readMusl(muslCorpus.scopeNamed!, { interfaces: { lo: 1, hd0: 3, hd1: 2 } });
    expect(m.nameservers.map((s) => [s.address, s.scopeId])).toEqual([
      ['fe80::1', 1],
      ['fe80::2', 3],
      ['fe80::4', 2],
    ]);
    expect(m.scopeRejected).toEqual([{ line: 3, token: 'fe80::3%nosuch', problem: 'unknown-interface' }]);
  });

  it('a 255-byte line is ignored, a 254-byte line is read, and a CR counts', () => {
    expect(readMusl(muslCorpus.line254!).search[0]).toBe('a.example');
    expect(readMusl(muslCorpus.line255!).search).toEqual(['before.example']);
    expect(readMusl(muslCorpus.line254Crlf!).search).toEqual(['before.example']);
    expect(readMusl(muslCorpus.line253Crlf!).search[0]).toBe('a.example');
  });
});
