import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { randomInt } from 'node:crypto';
import type { DnsLiveResult } from '../../shared/dns/contract';
import { buildQuery, parseMessage, QTYPE, RCODES } from '../../shared/dns/wire';

/** Sends one real UDP query to one nameserver and reports answer, rcode and latency or the error. */
export function queryServer(server: string, name: string, type: keyof typeof QTYPE, timeoutMs: number, port = 53): Promise<DnsLiveResult> {
  const [addr, scope] = server.split('%');
  const family = addr!.includes(':') ? 'udp6' : 'udp4';
  const target = scope ? `${addr}%${scope}` : addr!;
  return new Promise((resolve) => {
    const sock = createSocket(family);
    const id = randomInt(0, 0x10000);
    let t0 = 0;
    let settled = false;
    const finish = (r: Omit<DnsLiveResult, 'server'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.close();
      resolve({ server, ...r });
    };
    const timer = setTimeout(() => finish({ ok: false, rcode: null, answers: [], latencyMs: null, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    sock.on('error', (e) => finish({ ok: false, rcode: null, answers: [], latencyMs: null, error: e.message }));
    sock.on('message', (msg) => {
      try {
        const m = parseMessage(msg);
        if (m.id !== id || !m.qr) return; // not ours: keep waiting
        const latencyMs = Math.round((performance.now() - t0) * 10) / 10;
        finish({ ok: m.rcode === 0 || m.rcode === 3, rcode: RCODES[m.rcode] ?? `RCODE${m.rcode}`, answers: m.answers.map((a) => a.data).filter(Boolean), latencyMs, error: null });
      } catch (e) {
        finish({ ok: false, rcode: null, answers: [], latencyMs: null, error: `unreadable answer: ${(e as Error).message}` });
      }
    });
    const q = buildQuery(id, name, QTYPE[type]);
    t0 = performance.now();
    sock.send(q, port, target, (e) => {
      if (e) finish({ ok: false, rcode: null, answers: [], latencyMs: null, error: e.message });
    });
  });
}

export async function liveCheck(servers: string[], name: string, type: keyof typeof QTYPE, timeoutMs: number): Promise<DnsLiveResult[]> {
  return Promise.all(servers.map((s) => queryServer(s, name, type, timeoutMs)));
}
