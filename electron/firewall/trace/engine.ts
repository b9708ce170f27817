import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ApiError } from '../../../shared/api/errors';
import { kernelVerdict, packetTraces } from '../../../shared/firewall/trace/parse';
import type { TraceClient, TraceStep } from '../../../shared/firewall/trace/contract';
import { TRACE_DRIVER } from './driver';

/** One concrete packet to trace: every field known. */
export interface TracePacket {
  family: 'ipv4' | 'ipv6';
  protocol: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  /** The host's interface name the packet arrives on (the inside veth end's name). */
  iface: string;
  /** Forwarded: the host's interface the packet leaves by (a third namespace plays what is behind it). */
  outIface?: string;
  /** ICMP echo id (chosen when missing; packets of one batch need distinct ones). */
  icmpId?: number;
  srcMac?: string;
}

export interface TraceRunOptions {
  /** How the namespaces are made: `unshare -n` (root) or `unshare -rn` (an unprivileged user namespace). */
  privilege: 'root' | 'userns';
  /** Whole-run deadline (namespaces, load, monitor, packet, cleanup). Default 20 s. */
  deadlineMs?: number;
  /** How long the client waits for an answer before it calls the packet dropped. Default 1 s. */
  clientTimeoutMs?: number;
  /** Called once the driver runs (tests look for leftovers by HOSTDECK_TRACE=traceTable in processes' environment). */
  onStart?: (run: { pid: number; traceTable: string }) => void;
}

export interface KernelTrace {
  verdict: 'accept' | 'reject' | 'drop';
  rejectWith?: string;
  decidedBy?: TraceStep;
  steps: TraceStep[];
  /** False when the monitor printed nothing for the packet (the verdict is then the client's). */
  traced: boolean;
  client: TraceClient;
  notLoaded: Array<{ table: string; error: string }>;
  ms: Record<string, number>;
}

interface DriverAnswer {
  ok: boolean;
  step?: string;
  error?: string;
  notLoaded?: Array<{ table: string; error: string }>;
  lines?: string[];
  /** Per packet, in the request's order: what its client saw, and its key in the trace lines. */
  clients?: TraceClient[];
  keys?: string[];
  ms?: Record<string, number>;
}

/** The lowest priority of any prerouting base chain in the ruleset (so the trace table runs before it). */
function tracePriority(ruleset: unknown): number {
  let low = -350;
  const items = (ruleset as { nftables?: unknown[] })?.nftables;
  for (const o of Array.isArray(items) ? items : []) {
    const c = (o as { chain?: { hook?: string; prio?: unknown } }).chain;
    if (c?.hook === 'prerouting' && typeof c.prio === 'number' && c.prio - 10 < low) low = c.prio - 10;
  }
  // nft priorities are 32-bit: a hostile -2147483648 must not underflow the trace table's.
  return Math.max(low, -2147483648);
}

/**
 * Traces one packet through `ruleset` (the host's `nft -j list ruleset`, parsed) in throwaway
 * namespaces on this machine; see driver.ts for what happens inside. Rejects with TIMEOUT at
 * the deadline (the driver and everything it started are killed), UNSUPPORTED when namespaces
 * cannot be made, IO_ERROR naming the step that failed.
 */
export async function traceOnce(ruleset: unknown, packet: TracePacket, opts: TraceRunOptions): Promise<KernelTrace> {
  return (await traceMany(ruleset, [packet], opts))[0]!;
}

/**
 * Many packets through one copy of `ruleset`: the namespaces are made and the ruleset loaded
 * once per batch, the packets sent at once, one monitor reads every trace. Packets that cannot
 * share one copy (the same source behind two interfaces, an address both local and forwarded,
 * a source that is another packet's destination, two MACs on one interface) go to separate batches, run one after the other. Results are in
 * the packets' order; the deadline applies to each batch.
 */
export async function traceMany(ruleset: unknown, packets: TracePacket[], opts: TraceRunOptions): Promise<KernelTrace[]> {
  const out: KernelTrace[] = new Array(packets.length);
  for (const batch of batches(packets)) {
    const got = await traceBatch(ruleset, batch.map((i) => packets[i]!), opts);
    batch.forEach((i, j) => (out[i] = got[j]!));
  }
  // The monitor's netlink socket can overflow when many packets are traced at once on a busy
  // machine (the kernel drops trace events, not packets): those packets go once more, alone
  // in a smaller batch, so that the kernel's path, not only the client's result, is known.
  const lost = packets.map((_, i) => i).filter((i) => !out[i]!.traced);
  if (packets.length > 1 && lost.length) {
    for (const batch of batches(lost.map((i) => packets[i]!))) {
      const got = await traceBatch(ruleset, batch.map((j) => packets[lost[j]!]!), opts);
      batch.forEach((j, k) => {
        if (got[k]!.traced) out[lost[j]!] = got[k]!;
      });
    }
  }
  return out;
}

/** Indexes of packets, grouped so that every group can share one copy's addresses and routes. */
export function batches(packets: TracePacket[]): number[][] {
  interface Batch { idx: number[]; srcIface: Map<string, string>; dstWhere: Map<string, string>; ifaceMac: Map<string, string>; echo: Set<number> }
  const groups: Batch[] = [];
  const norm = (a: string) => a.toLowerCase();
  const fits = (b: Batch, p: TracePacket) => {
    const where = p.outIface ? `via ${p.outIface}` : 'local';
    const src = norm(p.src);
    const dst = norm(p.dst);
    if ((b.srcIface.get(src) ?? p.iface) !== p.iface) return false;
    if ((b.dstWhere.get(dst) ?? where) !== where) return false;
    // A source must not be an address of the copy (local) nor a destination anywhere.
    if (b.dstWhere.has(src) || b.srcIface.has(dst) || src === dst) return false;
    if ((b.ifaceMac.get(p.iface) ?? p.srcMac ?? '') !== (p.srcMac ?? '')) return false;
    if (p.icmpId !== undefined && b.echo.has(p.icmpId)) return false;
    return true;
  };
  packets.forEach((p, i) => {
    let b = groups.find((g) => fits(g, p));
    if (!b) groups.push((b = { idx: [], srcIface: new Map(), dstWhere: new Map(), ifaceMac: new Map(), echo: new Set() }));
    b.idx.push(i);
    b.srcIface.set(norm(p.src), p.iface);
    b.dstWhere.set(norm(p.dst), p.outIface ? `via ${p.outIface}` : 'local');
    b.ifaceMac.set(p.iface, p.srcMac ?? '');
    if (p.icmpId !== undefined) b.echo.add(p.icmpId);
  });
  return groups.map((g) => g.idx);
}

/** Ports a forward-port may send a packet to (nft's dnat / redirect "to :PORT"): listeners wait there too. */
function natPorts(ruleset: unknown): number[] {
  const found = new Set<number>();
  const visit = (x: unknown, depth: number): void => {
    if (depth > 40 || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach((y) => visit(y, depth + 1));
    for (const [k, v] of Object.entries(x)) {
      if ((k === 'dnat' || k === 'redirect') && v && typeof v === 'object' && typeof (v as { port?: unknown }).port === 'number') found.add((v as { port: number }).port);
      visit(v, depth + 1);
    }
  };
  visit((ruleset as { nftables?: unknown })?.nftables, 0);
  return [...found].filter((p) => Number.isInteger(p) && p > 0 && p < 65536).slice(0, 200);
}

function traceBatch(ruleset: unknown, packets: TracePacket[], opts: TraceRunOptions): Promise<KernelTrace[]> {
  const deadlineMs = opts.deadlineMs ?? 20_000;
  const clientTimeout = (opts.clientTimeoutMs ?? 1000) / 1000;
  const traceTable = `hostdeck_trace_${randomBytes(3).toString('hex')}`;
  // ICMP echoes need an id each (what the trace table and the client match on).
  let nextId = 0x4844;
  const wire = packets.map((p) => ({ ...p, ...(p.protocol === 'icmp' || p.protocol === 'icmpv6' ? { icmpId: p.icmpId ?? nextId++ } : {}) }));
  const nat = natPorts(ruleset);
  const listen = {
    tcp: [...new Set([...wire.filter((p) => p.protocol === 'tcp').map((p) => p.dport!), ...nat])],
    udp: [...new Set([...wire.filter((p) => p.protocol === 'udp').map((p) => p.dport!), ...nat])],
  };
  const request = { packets: wire, listen, ruleset, traceTable, priority: tracePriority(ruleset), clientTimeout };
  const args = opts.privilege === 'root' ? ['-n'] : ['-rn'];
  return new Promise((resolve, reject) => {
    // Its own process group: at the deadline the whole group is killed, not just the driver.
    const child = spawn('/usr/bin/unshare', [...args, '/usr/bin/python3', '-I', '-c', TRACE_DRIVER], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', HOSTDECK_TRACE: traceTable },
    });
    if (child.pid) opts.onStart?.({ pid: child.pid, traceTable });
    let out = '';
    let err = '';
    let settled = false;
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      kill();
      reject(new ApiError('TIMEOUT', `The trace did not finish within ${deadlineMs} ms; everything it started was stopped`));
    }, deadlineMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new ApiError('UNSUPPORTED', `Cannot start the trace: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      kill();
      if (settled) return;
      settled = true;
      let answer: DriverAnswer;
      try {
        answer = JSON.parse(out) as DriverAnswer;
      } catch {
        const why = err.trim().split('\n').slice(-3).join(' ');
        return reject(
          /unshare/.test(why)
            ? new ApiError('UNSUPPORTED', `Cannot create the throwaway network namespaces (${why}): run as root, or allow unprivileged user namespaces`)
            : new ApiError('IO_ERROR', `The trace driver failed (exit ${code}): ${why || 'no output'}`),
        );
      }
      if (!answer.ok) return reject(new ApiError('IO_ERROR', `Trace step "${answer.step}" failed: ${answer.error}`, { step: answer.step }));
      const traces = packetTraces(answer.lines ?? [], traceTable);
      resolve(
        wire.map((_, i) => {
          const packetTrace = traces.get(answer.keys?.[i] ?? '');
          const client = answer.clients?.[i] ?? { outcome: 'error', detail: 'no client result' };
          const steps = packetTrace?.steps ?? [];
          const kv = packetTrace ? kernelVerdict(steps) : { verdict: fromClient(client) };
          return { ...kv, steps, traced: !!packetTrace, client, notLoaded: answer.notLoaded ?? [], ms: answer.ms ?? {} };
        }),
      );
    });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(request));
  });
}

function fromClient(c: TraceClient): 'accept' | 'reject' | 'drop' {
  return c.outcome === 'connected' ? 'accept' : c.outcome === 'timeout' ? 'drop' : 'reject';
}
