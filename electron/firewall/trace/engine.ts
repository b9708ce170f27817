import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ApiError } from '../../../shared/api/errors';
import { firstPacketTrace, kernelVerdict } from '../../../shared/firewall/trace/parse';
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
  client?: TraceClient;
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
export function traceOnce(ruleset: unknown, packet: TracePacket, opts: TraceRunOptions): Promise<KernelTrace> {
  const deadlineMs = opts.deadlineMs ?? 20_000;
  const clientTimeout = (opts.clientTimeoutMs ?? 1000) / 1000;
  const traceTable = `hostdeck_trace_${randomBytes(3).toString('hex')}`;
  const request = { ...packet, ruleset, traceTable, priority: tracePriority(ruleset), clientTimeout };
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
      const packetTrace = firstPacketTrace(answer.lines ?? [], traceTable);
      const client = answer.client ?? { outcome: 'error', detail: 'no client result' };
      const steps = packetTrace?.steps ?? [];
      const kv = packetTrace ? kernelVerdict(steps) : { verdict: fromClient(client) };
      resolve({ ...kv, steps, traced: !!packetTrace, client, notLoaded: answer.notLoaded ?? [], ms: answer.ms ?? {} });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(request));
  });
}

function fromClient(c: TraceClient): 'accept' | 'reject' | 'drop' {
  return c.outcome === 'connected' ? 'accept' : c.outcome === 'timeout' ? 'drop' : 'reject';
}
