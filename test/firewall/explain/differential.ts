/**
 * The differential run behind the proof of explain (#15 part 2): random firewalld configurations loaded into a real
 * firewalld (its own network namespace), real packets sent to it from a peer namespace, and
 * for every pair HostDeck's explain (from the state HostDeck reads over D-Bus) against what
 * the client saw: connected = accept, refused or ICMP unreachable = reject, timed out = drop.
 * Seeded: HOSTDECK_EXPLAIN_SEED replays a run; HOSTDECK_EXPLAIN_PAIRS sets its size (the
 * bench runs 2,000). Needs root and firewalld, dbus, nftables, util-linux, python3.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FirewalldClient } from '../../../electron/firewall/client';
import { readRuntime } from '../../../electron/firewall/reader';
import { explainFlow, type Explanation, type Flow } from '../../../shared/firewall/explain';
import { compareTrace } from '../../../shared/firewall/trace/agree';
import { traceOnce } from '../../../electron/firewall/trace/engine';
import { startFirewalldSandbox, type FirewalldSandbox } from '../../support/firewalld-sandbox';
import { startPacketPeer, type PacketPeer, type ProbeFlow, type ProbeResult } from '../../support/packet-probe';
import { LINKS, PEER_HOSTS, PROBE_PORTS, prng, randomConfig, type GenConfig } from './random-config';

export interface DifferentialReport {
  seed: number;
  pairs: number;
  disagreements: string[];
  /** How many pairs each kind of deciding element and verdict decided ("rich-rule reject": 31): shows what the run covered. */
  decidedBy: Record<string, number>;
  /** Pairs also traced through a copy of the sandbox's ruleset (firewall.trace's engine), and by verdict. */
  traced: number;
  tracedBy: Record<string, number>;
}

const FLOWS_PER_CONFIG = 60;

/**
 * `traces`: how many of the pairs are also traced with firewall.trace's engine (the kernel's own
 * path through a copy of the sandbox's ruleset): up to 3 a round (each configuration's drop,
 * reject and accept first) until there are that many.
 */
export async function runDifferential(sb: FirewalldSandbox, peer: PacketPeer, seed: number, pairs: number, log: (s: string) => void = () => {}, opts: { traces?: number } = {}): Promise<DifferentialReport> {
  const rand = prng(seed);
  const traces = opts.traces ?? 0;
  const perRound = 3;
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
      const flows: Array<{ probe: ProbeFlow; flow: Flow }> = [];
      for (let i = 0; i < FLOWS_PER_CONFIG; i++) {
        const k = Math.floor(rand() * LINKS);
        const h = PEER_HOSTS[Math.floor(rand() * PEER_HOSTS.length)];
        const v6 = rand() < 0.3;
        const src = v6 ? `fd09:${k}::${h}` : `10.9.${k}.${h}`;
        const dst = v6 ? `fd09:${k}::1` : `10.9.${k}.1`;
        const x = rand();
        const protocol = x < 0.5 ? 'tcp' : x < 0.8 ? 'udp' : v6 ? 'icmpv6' : 'icmp';
        // Mostly ports the configuration mentions, so that its rules are what decides.
        const mentioned = mentionedPorts(cfg);
        const dport = (rand() < 0.7 && mentioned.length ? mentioned[Math.floor(rand() * mentioned.length)] : PROBE_PORTS[Math.floor(rand() * PROBE_PORTS.length)])!;
        const id = round * 1000 + i;
        if (protocol === 'icmp' || protocol === 'icmpv6') {
          const icmp = icmpId++;
          flows.push({ probe: { id, protocol, src, dst, icmpId: icmp }, flow: { protocol, icmpType: 'echo-request', src, dst, iface: `eth${k}` } });
        } else {
          // A fresh source port per flow: no packet may belong to a connection conntrack knows.
          const sp = sport++;
          if (sport > 60000) sport = 20000;
          flows.push({ probe: { id, protocol, src, dst, dport, sport: sp }, flow: { protocol, src, dst, dport, sport: sp, iface: `eth${k}` } });
        }
      }
      const t1 = Date.now();
      const seen = new Map<number, ProbeResult>((await peer.probe(flows.map((f) => f.probe))).map((p) => [p.id, p]));
      const tProbe = Date.now() - t1;
      const toTrace: Array<{ flow: Flow; explained: Explanation }> = [];
      for (const { probe, flow } of flows) {
        const got = seen.get(probe.id);
        const explained = explainFlow(layer, flow, { defaultZone, ipsetEntries: Object.fromEntries(ipsetEntries) });
        const observed = !got ? 'missing' : got.outcome === 'connected' ? 'accept' : got.outcome === 'timeout' ? 'drop' : got.outcome === 'error' ? `error ${got.detail}` : 'reject';
        // What the client can see: Linux TCP over IPv6 ignores ICMPv6 errors while connecting, so
        // firewalld's ICMPv6 rejects time out like drops there (see clientSees); tcp-reset does not.
        const expected = explained.verdict === 'reject' && flow.protocol === 'tcp' && explained.family === 'ipv6' && explained.rejectWith !== 'tcp reset' ? 'drop' : explained.verdict;
        report.pairs++;
        const kind = `${explained.decidedBy.kind} ${explained.verdict}${explained.zone ? ` (zone by ${explained.zone.by})` : ''}`;
        report.decidedBy[kind] = (report.decidedBy[kind] ?? 0) + 1;
        if (explained.verdict !== 'depends') toTrace.push({ flow, explained });
        if (observed !== expected) {
          report.disagreements.push(
            [
              `seed ${seed} round ${round}: ${flow.protocol} ${flow.src}${flow.sport ? `:${flow.sport}` : ''} -> ${flow.dst}${flow.dport ? `:${flow.dport}` : ''} on ${flow.iface}`,
              `  explain: ${explained.verdict}${expected !== explained.verdict ? ` (client sees ${expected})` : ''} by ${explained.decidedBy.firewalld} (${explained.decidedBy.chain}), zone ${explained.zone?.name} by ${explained.zone?.by}`,
              `  packet:  ${observed} (${got?.detail})`,
              `  path: ${explained.path.map((s) => `${s.firewalld}=${s.outcome}`).join(' | ')}`,
              `  config: ${JSON.stringify(cfg.zones)}`,
              `  policies: ${JSON.stringify(cfg.policies)}`,
              `  ipsets read: ${JSON.stringify(Object.fromEntries(ipsetEntries))}; files: ${cfg.files['ipsets/hd-hosts.xml']?.replace(/\s+/g, ' ')} ${cfg.files['ipsets/hd-net.xml']?.replace(/\s+/g, ' ')}`,
            ].join('\n'),
          );
        }
      }
      const t2 = Date.now();
      const picked = pickForTrace(toTrace, Math.min(perRound, traces - report.traced));
      if (picked.length) {
        const ruleset = JSON.parse(sb.inNetns('/usr/sbin/nft', '-j', 'list', 'ruleset')) as unknown;
        for (const { flow, explained } of picked) {
          const f = flow as Required<Pick<Flow, 'src' | 'dst' | 'iface'>> & Flow;
          const k = await traceOnce(ruleset, { family: f.src.includes(':') ? 'ipv6' : 'ipv4', protocol: f.protocol as 'tcp', src: f.src, dst: f.dst, sport: f.sport, dport: f.dport, iface: f.iface }, { privilege: 'root' });
          report.traced++;
          report.tracedBy[k.verdict] = (report.tracedBy[k.verdict] ?? 0) + 1;
          const cmp = compareTrace(explained, k, k.client, f.protocol);
          if (!cmp.agreement) {
            report.disagreements.push(
              [
                `seed ${seed} round ${round} (trace): ${f.protocol} ${f.src}${f.sport ? `:${f.sport}` : ''} -> ${f.dst}${f.dport ? `:${f.dport}` : ''} on ${f.iface}`,
                `  ${cmp.disagreement}`,
                `  kernel path: ${k.steps.filter((x) => x.kind === 'rule' || x.outcome !== 'accept').map((x) => `${x.chain}: ${x.rule ?? x.verdict}`).join(' | ')}`,
                `  config: ${JSON.stringify(cfg.zones)}`,
              ].join('\n'),
            );
          }
        }
      }
      log(`round ${round}: ${report.pairs} pairs, ${report.disagreements.length} disagreements, ${report.traced} traced (reload ${tReload} ms, packets ${tProbe} ms, traces ${Date.now() - t2} ms, total ${Date.now() - t0} ms)`);
    }
  } finally {
    client.dispose();
  }
  return report;
}

/** Up to n flows to trace: one of each verdict first (drop, reject, accept), then in order. */
function pickForTrace<T extends { explained: Explanation }>(all: T[], n: number): T[] {
  const out: T[] = [];
  for (const v of ['drop', 'reject', 'accept']) {
    const hit = all.find((x) => x.explained.verdict === v);
    if (hit && out.length < n) out.push(hit);
  }
  for (const x of all) if (out.length < n && !out.includes(x)) out.push(x);
  return out;
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

