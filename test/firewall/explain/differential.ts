/**
 * The differential run behind the proof of explain (#15 part 2): random firewalld configurations loaded into a real
 * firewalld (its own network namespace), real packets sent to it from a peer namespace, and
 * for every pair HostDeck's explain (from the state HostDeck reads over D-Bus) against what
 * the client saw: connected = accept, refused or ICMP unreachable = reject, timed out = drop;
 * and every flow's packet also traced by the kernel through a copy of the ruleset (firewall.trace's
 * engine, all of a configuration's packets through one copy at once), path and verdict compared.
 * Seeded: HOSTDECK_EXPLAIN_SEED replays a run; HOSTDECK_EXPLAIN_PAIRS sets its size (the
 * bench runs 2,000). Needs root and firewalld, dbus, nftables, util-linux, python3.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FirewalldClient } from '../../../electron/firewall/client';
import { readRuntime } from '../../../electron/firewall/reader';
import { explainFlow, type Flow } from '../../../shared/firewall/explain';
import { compareTrace } from '../../../shared/firewall/trace/agree';
import { traceMany, type TracePacket } from '../../../electron/firewall/trace/engine';
import { startFirewalldSandbox, type FirewalldSandbox } from '../../support/firewalld-sandbox';
import { startPacketPeer, type PacketPeer, type ProbeFlow, type ProbeResult } from '../../support/packet-probe';
import { LINKS, PEER_HOSTS, PROBE_PORTS, prng, randomConfig, type GenConfig } from './random-config';

export interface DifferentialReport {
  seed: number;
  pairs: number;
  disagreements: string[];
  /** How many pairs each kind of deciding element and verdict decided ("rich-rule reject": 31): shows what the run covered. */
  decidedBy: Record<string, number>;
  /** Pairs whose packet the kernel traced through a copy of the sandbox's ruleset (firewall.trace's engine; all of them), and by the kernel's verdict. */
  traced: number;
  tracedBy: Record<string, number>;
}

/** Flows per random configuration: the configuration is loaded, read and copied once for all of them. */
export const FLOWS_PER_CONFIG = 100;
/** The share of flows that are forwarded (in on one link, out on another). */
const FORWARDED = 0.25;

/**
 * `pairs` random flows (at least; whole rounds of FLOWS_PER_CONFIG), each a triple: explain's
 * prediction, the kernel's trace of the packet through a copy of the configuration's ruleset
 * (firewall.trace's engine, with its client's result) and a real client against the real
 * firewalld. A pair agrees when all of them tell the same story.
 */
export async function runDifferential(sb: FirewalldSandbox, peer: PacketPeer, seed: number, pairs: number, log: (s: string) => void = () => {}): Promise<DifferentialReport> {
  const rand = prng(seed);
  const etc = join(sb.dir, 'etc');
  const client = new FirewalldClient({ busAddress: sb.busAddress });
  await client.ready();
  const report: DifferentialReport = { seed, pairs: 0, disagreements: [], decidedBy: {}, traced: 0, tracedBy: {} };
  let sport = 20000;
  let icmpId = 1;
  try {
    for (let round = 0; report.pairs < pairs; round++) {
      const cfg = randomConfig(rand);
      load(etc, cfg);
      const t0 = Date.now();
      const r = sb.firewallCmdRaw('--reload');
      const tReload = Date.now() - t0;
      if (r.status !== 0) throw new Error(`seed ${seed} round ${round}: firewalld refused the configuration: ${r.stderr || r.stdout}\n${JSON.stringify(cfg.files, null, 1)}`);
      const { layer, ipsetEntries } = await readRuntime(client);
      const defaultZone = ((await client.call('.getDefaultZone'))[0] as string) ?? 'public';
      const flows: Array<{ probe: ProbeFlow; flow: Flow; forwarded: boolean }> = [];
      for (let i = 0; i < FLOWS_PER_CONFIG; i++) {
        const k = Math.floor(rand() * LINKS);
        const h = PEER_HOSTS[Math.floor(rand() * PEER_HOSTS.length)];
        const v6 = rand() < 0.3;
        const src = v6 ? `fd09:${k}::${h}` : `10.9.${k}.${h}`;
        // A quarter forwarded: in on eth<k>, out on another link to a host behind it (the
        // kernel's trace only: the real firewalld's namespace has nothing behind its links).
        const out = rand() < FORWARDED ? (k + 1 + Math.floor(rand() * (LINKS - 1))) % LINKS : undefined;
        const dst = out !== undefined ? (v6 ? `fd09:${out}::200` : `10.9.${out}.200`) : v6 ? `fd09:${k}::1` : `10.9.${k}.1`;
        const fwd = out !== undefined ? { outIface: `eth${out}` } : {};
        const x = rand();
        const protocol = x < 0.5 ? 'tcp' : x < 0.8 ? 'udp' : v6 ? 'icmpv6' : 'icmp';
        // Mostly ports the configuration mentions, so that its rules are what decides.
        const mentioned = mentionedPorts(cfg);
        const dport = (rand() < 0.7 && mentioned.length ? mentioned[Math.floor(rand() * mentioned.length)] : PROBE_PORTS[Math.floor(rand() * PROBE_PORTS.length)])!;
        const id = round * 1000 + i;
        if (protocol === 'icmp' || protocol === 'icmpv6') {
          const icmp = icmpId++;
          flows.push({ probe: { id, protocol, src, dst, icmpId: icmp }, flow: { protocol, icmpType: 'echo-request', src, dst, iface: `eth${k}`, ...fwd }, forwarded: out !== undefined });
        } else {
          // A fresh source port per flow: no packet may belong to a connection conntrack knows.
          const sp = sport++;
          if (sport > 60000) sport = 20000;
          flows.push({ probe: { id, protocol, src, dst, dport, sport: sp }, flow: { protocol, src, dst, dport, sport: sp, iface: `eth${k}`, ...fwd }, forwarded: out !== undefined });
        }
      }
      // Real packets against the real firewalld and, at the same time, the kernel's own path for
      // every flow: one copy of this configuration's ruleset with all the round's packets through
      // it at once (firewall.trace's engine).
      const ruleset = JSON.parse(sb.inNetns('/usr/sbin/nft', '-j', 'list', 'ruleset')) as unknown;
      const t1 = Date.now();
      let tProbe = 0;
      let tTrace = 0;
      const [probed, kernel] = await Promise.all([
        peer.probe(flows.filter((f) => !f.forwarded).map((f) => f.probe)).finally(() => (tProbe = Date.now() - t1)),
        traceMany(ruleset, flows.map(({ flow: f, probe }) => tracePacket(f, probe)), { privilege: 'root', clientTimeoutMs: 800, deadlineMs: 60_000 }).finally(() => (tTrace = Date.now() - t1)),
      ]);
      const seen = new Map<number, ProbeResult>(probed.map((p) => [p.id, p]));
      flows.forEach(({ probe, flow, forwarded }, i) => {
        const got = seen.get(probe.id);
        const explained = explainFlow(layer, flow, { defaultZone, ipsetEntries: Object.fromEntries(ipsetEntries) });
        const observed = !got ? 'missing' : got.outcome === 'connected' ? 'accept' : got.outcome === 'timeout' ? 'drop' : got.outcome === 'error' ? `error ${got.detail}` : 'reject';
        // What the client can see: Linux TCP over IPv6 ignores ICMPv6 errors while connecting, so
        // firewalld's ICMPv6 rejects time out like drops there (see clientSees); tcp-reset does not.
        const expected = explained.verdict === 'reject' && flow.protocol === 'tcp' && explained.family === 'ipv6' && explained.rejectWith !== 'tcp reset' ? 'drop' : explained.verdict;
        const k = kernel[i]!;
        report.pairs++;
        report.traced++;
        report.tracedBy[k.verdict] = (report.tracedBy[k.verdict] ?? 0) + 1;
        const kind = `${forwarded ? 'forwarded: ' : ''}${explained.decidedBy.kind} ${explained.verdict}${explained.zone ? ` (zone by ${explained.zone.by})` : ''}`;
        report.decidedBy[kind] = (report.decidedBy[kind] ?? 0) + 1;
        const problems: string[] = [];
        if (!forwarded && observed !== expected) problems.push(`the client against the real firewalld saw ${observed} (${got?.detail}), explain predicts ${explained.verdict}${expected !== explained.verdict ? ` (client sees ${expected})` : ''}`);
        const cmp = explained.verdict === 'depends' ? { agreement: false, disagreement: 'explain answered "depends" for a flow with every field known' } : compareTrace(explained, k, k.client, flow.protocol);
        if (!cmp.agreement) problems.push(`trace: ${cmp.disagreement}`);
        if (problems.length) {
          report.disagreements.push(
            [
              `seed ${seed} round ${round}: ${flow.protocol} ${flow.src}${flow.sport ? `:${flow.sport}` : ''} -> ${flow.dst}${flow.dport ? `:${flow.dport}` : ''} on ${flow.iface}${flow.outIface ? ` out ${flow.outIface}` : ''}`,
              ...problems.map((x) => `  ${x}`),
              `  explain: ${explained.verdict} by ${explained.decidedBy.firewalld} (${explained.decidedBy.chain}), zone ${explained.zone?.name} by ${explained.zone?.by}`,
              `  path: ${explained.path.map((x) => `${x.firewalld}=${x.outcome}`).join(' | ')}`,
              `  kernel: ${k.verdict}; ${k.steps.filter((x) => x.kind === 'rule' || x.outcome !== 'accept').map((x) => `${x.chain}: ${x.rule ?? x.verdict}`).join(' | ')}`,
              `  config: ${JSON.stringify(cfg.zones)}`,
              `  policies: ${JSON.stringify(cfg.policies)}`,
              `  ipsets read: ${JSON.stringify(Object.fromEntries(ipsetEntries))}; files: ${cfg.files['ipsets/hd-hosts.xml']?.replace(/\s+/g, ' ')} ${cfg.files['ipsets/hd-net.xml']?.replace(/\s+/g, ' ')}`,
            ].join('\n'),
          );
        }
      });
      log(`round ${round}: ${report.pairs} pairs, ${report.disagreements.length} disagreements, ${report.traced} traced (reload ${tReload} ms, packets ${tProbe} ms, kernel trace ${tTrace} ms ${JSON.stringify(kernel[0]?.ms)}, total ${Date.now() - t0} ms)`);
    }
  } finally {
    client.dispose();
  }
  return report;
}

/** The differential's flow as firewall.trace's engine takes it (the probe's ICMP echo id kept). */
function tracePacket(f: Flow, probe: ProbeFlow): TracePacket {
  return {
    family: f.src!.includes(':') ? 'ipv6' : 'ipv4',
    protocol: f.protocol as TracePacket['protocol'],
    src: f.src!,
    dst: f.dst!,
    iface: f.iface!,
    ...(f.outIface ? { outIface: f.outIface } : {}),
    ...(f.sport ? { sport: f.sport, dport: f.dport } : {}),
    ...(probe.icmpId !== undefined ? { icmpId: probe.icmpId } : {}),
  };
}

function mentionedPorts(cfg: GenConfig): number[] {
  const text = Object.values(cfg.files).join('\n');
  const out = new Set<number>();
  for (const m of text.matchAll(/port="(\d+)(?:-(\d+))?"/g)) {
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    for (const p of PROBE_PORTS) if (p >= lo && p <= hi) out.add(p);
  }
  for (const svc of ['ssh', 'http', 'https']) if (text.includes(`name="${svc}"`)) out.add({ ssh: 22, http: 80, https: 443 }[svc]!);
  return [...out].sort((a, b) => a - b);
}

/** Replaces the sandbox's zones, services and ipsets with the generated files. */
function load(etc: string, cfg: GenConfig): void {
  for (const dir of ['zones', 'policies', 'services', 'ipsets']) {
    mkdirSync(join(etc, dir), { recursive: true });
    for (const f of readdirSync(join(etc, dir))) rmSync(join(etc, dir, f), { force: true });
  }
  for (const [path, text] of Object.entries(cfg.files)) {
    mkdirSync(dirname(join(etc, path)), { recursive: true });
    writeFileSync(join(etc, path), text);
  }
}

export async function startDifferentialRig(): Promise<{ sb: FirewalldSandbox; peer: PacketPeer; stop(): Promise<void> }> {
  const sb = await startFirewalldSandbox();
  let peer: PacketPeer | undefined;
  try {
    const links = [...Array(LINKS).keys()].map((k) => ({
      fwIface: `eth${k}`,
      fwAddr: `10.9.${k}.1/24`,
      peerAddrs: PEER_HOSTS.map((h) => `10.9.${k}.${h}/24`),
      fwAddr6: `fd09:${k}::1/64`,
      peerAddrs6: PEER_HOSTS.map((h) => `fd09:${k}::${h}/64`),
    }));
    peer = await startPacketPeer(sb.firewalldPid()!, links, PROBE_PORTS);
  } catch (e) {
    await sb.stop();
    throw e;
  }
  return {
    sb,
    peer,
    async stop() {
      peer?.stop();
      await sb.stop();
    },
  };
}

