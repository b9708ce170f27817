import { describe, expect, it } from 'vitest';
import { planText } from '../../shared/dns/check';

// The advice under a plan must describe what is really sent: with attempts:0 nothing is.
const amplified = 'nameserver 192.0.2.1\nsearch default.svc.cluster.local svc.cluster.local cluster.local example.com\noptions ndots:5\n';

describe('query plan advice matches the packets sent', () => {
  it('without attempts:0 an amplified lookup costs N lookups (control)', () => {
    const p = planText('api.example.com', amplified, 'glibc');
    expect(p.packets).toBe(10);
    expect(p.advice.join(' ')).toContain('costs 5 lookups');
  });

  for (const opt of ['attempts:0', 'attempts:-1']) {
    it(`glibc with ${opt}: no query, no "costs N lookups", the advice says nothing is sent`, () => {
      const p = planText('api.example.com', `${amplified}options ${opt}\n`, 'glibc');
      expect(p.packets).toBe(0);
      expect(p.queries).toEqual([]);
      expect(p.advice.join(' ')).not.toMatch(/costs \d+ lookups|trailing dot|ndots/);
      expect(p.advice).toEqual([expect.stringContaining('glibc sends nothing at all')]);
      expect(p.stop).toMatch(/no query at all/);
    });
  }

  it('musl with attempts:0: crashes before sending, so no queries and only the crash advice', () => {
    const two = `nameserver 192.0.2.2\n${amplified}options attempts:0\n`;
    const p = planText('api.example.com', two, 'musl');
    expect(p.packets).toBe(0);
    expect(p.queries).toEqual([]);
    expect(p.advice).toEqual([expect.stringContaining('SIGFPE')]);
    expect(p.advice.join(' ')).not.toMatch(/costs \d+ lookups|all 2 nameservers/);
    expect(p.stop).toMatch(/SIGFPE/);
  });

  it('musl with attempts:1 still plans and advises normally (control)', () => {
    const p = planText('api.example.com', `${amplified}options attempts:1\n`, 'musl');
    expect(p.packets).toBe(10);
    expect(p.advice.join(' ')).toContain('costs 5 lookups');
  });
});
