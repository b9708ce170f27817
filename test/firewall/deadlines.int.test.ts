/**
 * A frozen firewalld (SIGSTOP): every call ends with TIMEOUT within its own deadline, the wait
 * for one of the 16 call slots included; the status says "firewalld is not answering" at once;
 * after SIGCONT the next call succeeds and the status recovers. Deadlines are set short here
 * through the service's options (reads 1 s, writes 2 s).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import { FirewallService } from '../../electron/firewall/service';
import { openSession, type FwSession } from './session';

let s: FwSession;
let svc: FirewallService;
let pid: number;

beforeAll(async () => {
  s = await openSession();
  const host = s.rt.hosts.get('local');
  svc = host.service('firewall', () => new FirewallService(host, s.rt.events, undefined, { readTimeoutMs: 1000, callTimeoutMs: 2000 }));
  await s.api.state({});
  pid = s.sb.firewalldPid()!;
});
afterAll(async () => {
  if (pid) process.kill(pid, 'SIGCONT');
  await s?.close();
});

describe('firewalld deadlines', () => {
  it('fails every call with TIMEOUT while firewalld is frozen, and recovers after SIGCONT', async () => {
    process.kill(pid, 'SIGSTOP');
    try {
      // 20 writes: 16 reach firewalld, 4 wait for a slot; the wait counts toward the deadline.
      const writes = Array.from({ length: 20 }, (_, i) => svc.client.call('zone.addPort', ['public', String(41000 + i), 'tcp', 0], { what: `adding port ${41000 + i}/tcp` }));
      const reads = Array.from({ length: 5 }, () => svc.client.call('zone.getZones'));
      const results = await Promise.allSettled([...writes, ...reads]);
      for (const r of results) {
        expect(r.status).toBe('rejected');
        const e = (r as PromiseRejectedResult).reason as ApiError;
        expect(e).toBeInstanceOf(ApiError);
        expect(e.code).toBe('TIMEOUT');
        expect(e.message).toMatch(/^firewalld is not answering: no reply within [12] s while /);
      }
      // The status area is told at once, and a status read says the same.
      await s.until(() => s.events.some((e) => e.name === 'firewall.statusChanged' && e.payload.errorCode === 'TIMEOUT'), 1000, 'the not-answering status event');
      const st = await s.api.status({});
      expect(st).toMatchObject({ running: false, errorCode: 'TIMEOUT' });
      expect(st.reason).toMatch(/^firewalld is not answering/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect((await svc.client.call('zone.getZones'))[0]).toContain('public');
    await s.until(async () => (await s.api.status({})).running, 5000, 'firewalld to answer again');
    await s.until(() => s.events.at(-1)?.name !== 'firewall.statusChanged' || (s.events.at(-1)!.payload as { running: boolean }).running, 3000, 'the status to recover');
    // The writes that reached firewalld before it froze ran when it resumed; put public back.
    s.sb.firewallCmdRaw('--zone=public', ...Array.from({ length: 20 }, (_, i) => `--remove-port=${41000 + i}/tcp`));
    expect(s.words('--zone=public', '--list-ports').filter((p) => p.startsWith('410'))).toEqual([]);
  });
});
