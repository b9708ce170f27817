import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SentOrder } from '../../../electron/firewall/sent-order';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => vi.useRealTimers());

describe('SentOrder: deadlines of calls queued behind others on one connection', () => {
  it('moves a deadline when a call sent before it is answered, not one sent after it', () => {
    const o = new SentOrder();
    const a = o.send(1000, 1000);
    const b = o.send(1000, 1000);
    const c = o.send(1000, 1000);
    vi.setSystemTime(800);
    b.answered();
    expect([a.deadline(), c.deadline()]).toEqual([1000, 1800]);
    vi.setSystemTime(900);
    a.answered();
    expect(c.deadline()).toBe(1900);
    expect(o.size).toBe(1);
  });

  it('moves nothing when a call ends without an answer (a dead firewalld keeps its 1 deadline)', () => {
    const o = new SentOrder();
    const a = o.send(1000, 1000);
    const b = o.send(1000, 1000);
    vi.setSystemTime(1000);
    a.dropped();
    expect(b.deadline()).toBe(1000);
  });

  it('never keeps a call longer than its timeout times (calls ahead of it + 1)', () => {
    const o = new SentOrder();
    const ahead = [o.send(1000, 1000), o.send(1000, 1000)];
    const last = o.send(1000, 1000);
    vi.setSystemTime(990);
    ahead[0]!.answered();
    vi.setSystemTime(1980);
    ahead[1]!.answered();
    expect(last.deadline()).toBe(2980);
    // A call ahead of it that answers late (it had waited for a slot) moves it no further than
    // its bound: 1 call ahead, 1 s each, so 2 s after it was sent.
    const o2 = new SentOrder();
    vi.setSystemTime(0);
    const slow = o2.send(5000, 1000);
    const behind = o2.send(1000, 1000);
    vi.setSystemTime(4000);
    slow.answered();
    expect(behind.deadline()).toBe(2000);
  });
});
