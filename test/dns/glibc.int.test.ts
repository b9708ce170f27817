import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { readGlibc, RES_DEFAULT, RES } from '../../shared/dns/glibc';
import { corpus } from './corpus';
import { compileProbe, requireRoot, runWithResolvConf, writeTemp } from './support/tools';

/**
 * Differential test: for every corpus file, HostDeck's reading equals what the real glibc's
 * res_ninit reports, with the file bind-mounted over /etc/resolv.conf in a private mount namespace.
 */

interface ProbeAddr {
  family: number;
  address?: string;
  scopeId?: number;
}
interface Probe {
  nscount: number;
  nameservers: ProbeAddr[];
  dnsrch: string[];
  ndots: number;
  timeout: number;
  attempts: number;
  options: number;
  sortlist: { address: string; mask: string }[];
  internal: { nameservers: ProbeAddr[]; search: string[]; sortlistSize: number };
}

let probe = '';
beforeAll(() => {
  requireRoot();
  probe = compileProbe('glibc-probe.c', 'gcc');
});
afterAll(() => rmSync(dirname(probe), { recursive: true, force: true }));

function runProbe(bytes: string, opts: { hostname?: string; env?: Record<string, string> } = {}) {
  const file = writeTemp('resolv.conf', bytes);
  try {
    return runWithResolvConf(file, [probe], { ...opts, timeoutS: 3 });
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
  }
}

function expected(bytes: string, opts: { hostname?: string; env?: Record<string, string> }) {
  const c = readGlibc(bytes, opts);
  const addr = (s: { family: 4 | 6; address: string; scope?: string }): ProbeAddr =>
    s.family === 4 ? { family: 4, address: s.address } : { family: 6, address: s.address, scopeId: scopeId(s.scope) };
  return {
    hang: c.hang !== null,
    abort: c.abort !== null,
    state: {
      nscount: c.used.length,
      nameservers: c.used.map(addr),
      dnsrch: c.legacyDnsrch,
      ndots: c.ndots,
      timeout: c.timeout,
      attempts: c.attempts,
      options: c.optionBits,
      sortlist: c.sortlist.slice(0, 10).map(({ address, mask }) => ({ address, mask })),
      internal: {
        nameservers: (c.defaultNameserver ? c.used : c.nameservers).map(addr),
        search: c.search,
        sortlistSize: c.sortlist.length,
      },
    },
  };
}

/** if_nametoindex in the probe's namespaces: "lo" is 1; numbers are numbers; unknown names 0. */
function scopeId(scope: string | undefined): number {
  if (scope === undefined) return 0;
  if (scope === 'lo') return 1;
  return /^\d+$/.test(scope) ? Number(scope) : 0;
}

function pick(p: Probe) {
  return {
    nscount: p.nscount,
    nameservers: p.nameservers,
    dnsrch: p.dnsrch,
    ndots: p.ndots,
    timeout: p.timeout,
    attempts: p.attempts,
    options: p.options,
    sortlist: p.sortlist,
    internal: { nameservers: p.internal.nameservers, search: p.internal.search, sortlistSize: p.internal.sortlistSize },
  };
}

describe('glibc res_ninit agrees with HostDeck on every corpus file', () => {
  for (const [name, bytes] of Object.entries(corpus)) {
    it(name, () => {
      const want = expected(bytes, { hostname: 'probe' });
      const r = runProbe(bytes);
      if (want.hang) {
        // glibc 2.36 never returns from res_init on these lines: `timeout` kills the probe.
        expect(r.status, r.stderr).toBe(124);
        return;
      }
      if (want.abort) {
        // glibc 2.36 fails an assertion in update_from_conf and aborts (SIGABRT, 128 + 6).
        expect(r.status, r.stderr).toBe(134);
        expect(r.stderr).toContain('resolv_conf_matches');
        return;
      }
      expect(r.status, r.stderr).toBe(0);
      const got = JSON.parse(r.stdout) as Probe;
      expect(pick(got)).toEqual(want.state);
    });
  }
});

describe('hostname, LOCALDOMAIN and RES_OPTIONS', () => {
  const cases: { name: string; bytes: string; hostname?: string; env?: Record<string, string> }[] = [
    { name: 'empty file takes the domain from the hostname', bytes: '', hostname: 'host.corp.example' },
    { name: 'hostname with several dots', bytes: '', hostname: 'a.b.c.example' },
    { name: 'search line beats the hostname', bytes: 'search a.example\n', hostname: 'host.corp.example' },
    { name: 'LOCALDOMAIN replaces search', bytes: 'search a.example\n', env: { LOCALDOMAIN: 'x.example  y.example' } },
    { name: 'LOCALDOMAIN empty gives the root', bytes: 'search a.example\n', env: { LOCALDOMAIN: '' } },
    { name: 'LOCALDOMAIN with a leading blank', bytes: 'domain d.example\n', env: { LOCALDOMAIN: ' z.example' } },
    { name: 'RES_OPTIONS overrides the file', bytes: 'options ndots:3 timeout:9\n', env: { RES_OPTIONS: 'ndots:1 rotate attempts:1' } },
    { name: 'RES_OPTIONS cannot clear flags in 2.36', bytes: 'options no-aaaa\n', env: { RES_OPTIONS: '-no-aaaa' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = runProbe(c.bytes, { hostname: c.hostname, env: c.env });
      expect(r.status, r.stderr).toBe(0);
      expect(pick(JSON.parse(r.stdout) as Probe)).toEqual(expected(c.bytes, { hostname: c.hostname ?? 'probe', env: c.env }).state);
    });
  }

  it('the defaults are what glibc uses without a file entry', () => {
    const c = readGlibc('', {});
    expect(c.optionBits).toBe(RES_DEFAULT | RES.INIT);
    expect(c.used).toEqual([{ family: 4, address: '127.0.0.1', line: 0 }]);
  });
});
