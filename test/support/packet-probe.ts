import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/**
 * Real packets against a sandboxed firewalld: a peer network namespace joined to firewalld's
 * by veth pairs (firewalld's ends carry the names the zones bind, eth0, eth1, ...), listeners
 * on every probed TCP and UDP port inside firewalld's namespace (so an accepted packet always
 * gets an answer), and a client that sends TCP SYNs (connect), UDP datagrams and ICMP echoes
 * from chosen source addresses and ports and reports what it saw. Nothing touches this
 * machine's own namespaces: every ip command runs under nsenter in the two test namespaces.
 */

export interface ProbeFlow {
  id: number;
  protocol: 'tcp' | 'udp' | 'icmp' | 'icmpv6';
  src: string;
  dst: string;
  dport?: number;
  sport?: number;
  /** ICMP echo identifier (unique per flow, to match replies and errors). */
  icmpId?: number;
}

/** connected: accepted; refused / unreachable: an ICMP error or RST (reject); timeout: dropped. */
export type ProbeOutcome = 'connected' | 'refused' | 'unreachable' | 'timeout' | 'error';

export interface ProbeResult {
  id: number;
  outcome: ProbeOutcome;
  detail: string;
}

export interface PeerLink {
  /** firewalld's end, e.g. eth0. */
  fwIface: string;
  /** The address firewalld's end carries (the flows' destination), with its prefix: 10.9.0.1/24. */
  fwAddr: string;
  /** Addresses of the peer's end (sources the flows may use), with prefixes. */
  peerAddrs: string[];
  /** IPv6: firewalld's end and the peer's (added without duplicate address detection). */
  fwAddr6?: string;
  peerAddrs6?: string[];
}

export interface PacketPeer {
  peerPid: number;
  probe(flows: ProbeFlow[], timeoutMs?: number): Promise<ProbeResult[]>;
  stop(): void;
}

const PY = '/usr/bin/python3';

const SERVER = String.raw`
import socket, sys, threading, select
ports = [int(p) for p in sys.argv[1].split(',')]
socks = []
for p in ports:
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(('0.0.0.0', p)); t.listen(512); t.setblocking(False)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(('0.0.0.0', p)); u.setblocking(False)
    socks += [t, u]
    t6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    t6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1); t6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t6.bind(('::', p)); t6.listen(512); t6.setblocking(False)
    u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    u6.bind(('::', p)); u6.setblocking(False)
    socks += [t6, u6]
print('ready', flush=True)
while True:
    r, _, _ = select.select(socks, [], [], 1.0)
    for s in r:
        try:
            if s.type == socket.SOCK_STREAM:
                c, _ = s.accept(); c.close()
            else:
                data, addr = s.recvfrom(2048); s.sendto(data, addr)
        except OSError:
            pass
`;

const CLIENT = String.raw`
import socket, sys, json, errno, struct, select, time
from concurrent.futures import ThreadPoolExecutor
flows = json.load(sys.stdin)
T = float(sys.argv[1])
def err(e):
    if isinstance(e, socket.timeout): return ('timeout', 'timed out')
    if e.errno == errno.ECONNREFUSED: return ('refused', 'ECONNREFUSED')
    if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM, errno.ENOPROTOOPT): return ('unreachable', errno.errorcode.get(e.errno, str(e.errno)))
    return ('error', repr(e))
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def fam(f):
    return socket.AF_INET6 if ':' in f['src'] else socket.AF_INET
def tcp(f):
    s = socket.socket(fam(f), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((f['src'], f.get('sport') or 0)); s.settimeout(T)
    try:
        s.connect((f['dst'], f['dport'])); return ('connected', 'connected')
    except OSError as e: return err(e)
    finally: s.close()
def udp(f):
    s = socket.socket(fam(f), socket.SOCK_DGRAM)
    # IP_RECVERR / IPV6_RECVERR: without it Linux hides ICMP errors it deems soft (net/host
    # unreachable, no route) from UDP sockets, and a reject would look like a drop.
    if fam(f) == socket.AF_INET6: s.setsockopt(41, 25, 1)
    else: s.setsockopt(socket.SOL_IP, 11, 1)
    s.bind((f['src'], f.get('sport') or 0)); s.settimeout(T)
    try:
        s.connect((f['dst'], f['dport'])); s.send(b'hostdeck-probe'); s.recv(2048); return ('connected', 'answered')
    except OSError as e: return err(e)
    finally: s.close()
def icmp(f):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.bind((f['src'], 0))
    ident = f['icmpId'] & 0xffff
    hdr = struct.pack('!BBHHH', 8, 0, 0, ident, 1) + b'hostdeck'
    pkt = struct.pack('!BBHHH', 8, 0, csum(hdr), ident, 1) + b'hostdeck'
    try:
        s.sendto(pkt, (f['dst'], 0))
        end = time.time() + T
        while True:
            left = end - time.time()
            if left <= 0: return ('timeout', 'no echo reply')
            r, _, _ = select.select([s], [], [], left)
            if not r: continue
            data, addr = s.recvfrom(4096)
            ihl = (data[0] & 15) * 4
            t, code = data[ihl], data[ihl + 1]
            if t == 0 and struct.unpack('!H', data[ihl + 4:ihl + 6])[0] == ident and addr[0] == f['dst']:
                return ('connected', 'echo reply')
            if t == 3:
                inner = data[ihl + 8:]
                iihl = (inner[0] & 15) * 4
                if len(inner) >= iihl + 6 and inner[9] == 1 and struct.unpack('!H', inner[iihl + 4:iihl + 6])[0] == ident:
                    return ('unreachable', 'ICMP type 3 code %d' % code)
    except OSError as e: return err(e)
    finally: s.close()
def icmp6(f):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.bind((f['src'], 0))
    ident = f['icmpId'] & 0xffff
    try:
        # The kernel fills in the ICMPv6 checksum; received data starts at the ICMPv6 header.
        s.sendto(struct.pack('!BBHHH', 128, 0, 0, ident, 1) + b'hostdeck', (f['dst'], 0))
        end = time.time() + T
        while True:
            left = end - time.time()
            if left <= 0: return ('timeout', 'no echo reply')
            r, _, _ = select.select([s], [], [], left)
            if not r: continue
            data, addr = s.recvfrom(4096)
            t, code = data[0], data[1]
            if t == 129 and struct.unpack('!H', data[4:6])[0] == ident: return ('connected', 'echo reply')
            if t == 1:
                inner = data[8:]
                if len(inner) >= 46 and inner[6] == 58 and struct.unpack('!H', inner[44:46])[0] == ident:
                    return ('unreachable', 'ICMPv6 type 1 code %d' % code)
    except OSError as e: return err(e)
    finally: s.close()
def run(f):
    try:
        o, d = {'tcp': tcp, 'udp': udp, 'icmp': icmp, 'icmpv6': icmp6}[f['protocol']](f)
    except Exception as e:
        o, d = 'error', repr(e)
    return {'id': f['id'], 'outcome': o, 'detail': d}
with ThreadPoolExecutor(max_workers=48) as ex:
    print(json.dumps(list(ex.map(run, flows))))
`;

function nsRun(pid: number, args: string[]): void {
  const r = spawnSync('/usr/bin/nsenter', ['-t', String(pid), '-n', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} (netns of ${pid}) failed: ${r.stderr}`);
}

export async function startPacketPeer(fwPid: number, links: PeerLink[], ports: number[]): Promise<PacketPeer> {
  // The peer namespace lives as long as this sleeping process; it is killed by pid in stop().
  const holder = spawn('/usr/bin/unshare', ['-n', 'sleep', '86400'], { stdio: 'ignore' });
  const peerPid = holder.pid!;
  let server: ChildProcess | undefined;
  const stop = () => {
    server?.kill('SIGKILL');
    holder.kill('SIGKILL');
  };
  try {
    await waitNetns(peerPid);
    nsRun(fwPid, ['ip', 'link', 'set', 'lo', 'up']);
    // The kernel rate-limits the ICMP errors it sends per destination (1/s, burst 6): a peer
    // rejected many times at once would see time-outs. Off in firewalld's test namespace only.
    nsRun(fwPid, ['sysctl', '-qw', 'net.ipv4.icmp_ratelimit=0']);
    nsRun(fwPid, ['sysctl', '-qw', 'net.ipv6.icmp.ratelimit=0']);
    nsRun(peerPid, ['ip', 'link', 'set', 'lo', 'up']);
    links.forEach((l, i) => {
      const peerIface = `peer${i}`;
      nsRun(fwPid, ['ip', 'link', 'add', l.fwIface, 'type', 'veth', 'peer', 'name', peerIface, 'netns', String(peerPid)]);
      nsRun(fwPid, ['ip', 'addr', 'add', l.fwAddr, 'dev', l.fwIface]);
      nsRun(fwPid, ['ip', 'link', 'set', l.fwIface, 'up']);
      for (const a of l.peerAddrs) nsRun(peerPid, ['ip', 'addr', 'add', a, 'dev', peerIface]);
      if (l.fwAddr6) nsRun(fwPid, ['ip', '-6', 'addr', 'add', l.fwAddr6, 'dev', l.fwIface, 'nodad']);
      for (const a of l.peerAddrs6 ?? []) nsRun(peerPid, ['ip', '-6', 'addr', 'add', a, 'dev', peerIface, 'nodad']);
      nsRun(peerPid, ['ip', 'link', 'set', peerIface, 'up']);
    });
    server = spawn('/usr/bin/nsenter', ['-t', String(fwPid), '-n', PY, '-c', SERVER, ports.join(',')], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let errText = '';
      server!.stderr!.on('data', (d: Buffer) => (errText += d.toString()));
      server!.stdout!.once('data', () => resolve());
      server!.once('exit', (c) => reject(new Error(`probe listeners exited (${c}): ${errText}`)));
    });
  } catch (e) {
    stop();
    throw e;
  }
  return {
    peerPid,
    stop,
    probe(flows, timeoutMs = 300) {
      const c = spawn('/usr/bin/nsenter', ['-t', String(peerPid), '-n', PY, '-c', CLIENT, String(timeoutMs / 1000)], { stdio: ['pipe', 'pipe', 'pipe'] });
      c.stdin!.end(JSON.stringify(flows));
      return childOutput(c).then(({ code, out, errText }) => {
        if (code !== 0) throw new Error(`probe client failed (${code}): ${errText}`);
        try {
          return JSON.parse(out) as ProbeResult[];
        } catch (e) {
          throw new Error(`probe client printed no JSON: ${String(e)} ${out.slice(0, 200)}`);
        }
      });
    },
  };
}

/**
 * A child's exit code with all it wrote. Waits for 'close' (every stdio pipe at its end), not
 * 'exit': Node may report the exit before the last data of a pipe has been read, and a client
 * that printed its JSON and exited looked as if it printed nothing (CI, denied-ssh.int).
 */
export function childOutput(c: ChildProcess): Promise<{ code: number | null; out: string; errText: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let errText = '';
    c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr?.on('data', (d: Buffer) => (errText += d.toString()));
    c.once('error', reject);
    c.once('close', (code) => resolve({ code, out, errText }));
  });
}

async function waitNetns(pid: number): Promise<void> {
  // unshare has exec'd sleep once its namespace differs from ours.
  const { readlinkSync } = await import('node:fs');
  const mine = readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 100; i++) {
    try {
      if (readlinkSync(`/proc/${pid}/ns/net`) !== mine) return;
    } catch {
      /* not there yet */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the peer network namespace did not appear');
}
