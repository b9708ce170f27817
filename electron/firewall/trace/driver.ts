/**
 * The trace driver: one Python 3 program (standard library only) that HostDeck starts inside a
 * fresh network namespace (`unshare -n` as root, `unshare -rn` with unprivileged user
 * namespaces). That namespace plays the host: it gets a veth end named like the host's
 * interfaces, the flows' destination addresses and the host's ruleset, loaded once. One more
 * namespace per interface, made from inside (`unshare -n`), plays what is behind it: the
 * clients whose packets arrive there and the destinations forwarded flows leave for; many
 * packets are sent at once and one `nft monitor` collects every packet's trace. Every child is tied to the driver with
 * PR_SET_PDEATHSIG, so when the driver ends (or HostDeck kills it at its deadline) every
 * process dies, and the namespaces with them: nothing is left on this machine and nothing of the
 * host's (or this machine's) own namespaces is touched.
 *
 * stdin: one JSON request (see driverRequest in engine.ts); stdout: one JSON answer.
 */
export const TRACE_DRIVER = String.raw`
import ctypes, json, os, select, signal, socket, subprocess, sys, threading, time

req = json.load(sys.stdin)
# HOSTDECK_TRACE marks every process of this trace (a test looks for leftovers by it).
ENV = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'LC_ALL': 'C', 'HOSTDECK_TRACE': req['traceTable']}
libc = ctypes.CDLL(None, use_errno=True)
def tie():
    # Die with the driver (PR_SET_PDEATHSIG = 1): a killed driver leaves no process, so no namespace.
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)
    os.setsid()

class Fail(Exception):
    def __init__(self, step, message):
        super().__init__(message); self.step = step; self.message = message

def run(step, args, data=None, timeout=5.0):
    try:
        r = subprocess.run(args, input=data, capture_output=True, text=True, timeout=timeout, env=ENV, preexec_fn=tie)
    except subprocess.TimeoutExpired:
        raise Fail(step, '%s did not finish within %.1f s' % (' '.join(args[:4]), timeout))
    if r.returncode != 0:
        raise Fail(step, (r.stderr or r.stdout).strip()[-2000:] or ('%s exited with %d' % (args[0], r.returncode)))
    return r.stdout

def done(obj):
    sys.stdout.write(json.dumps(obj)); sys.stdout.flush()

procs = []
def cleanup():
    for p in procs:
        try: p.kill()
        except Exception: pass

def main():
    t0 = time.time()
    packets = req['packets']
    run('loopback', ['ip', 'link', 'set', 'lo', 'up'])
    # Only this throwaway namespace's own settings: the kernel's ICMP error rate limit (a batch
    # of rejected packets must each get its error, not a time-out) and, for forwarded flows,
    # routing between interfaces, which a host that forwards has on.
    sysctls = {'net/ipv4/icmp_ratelimit': '0', 'net/ipv6/icmp/ratelimit': '0'}
    if any(p.get('outIface') for p in packets):
        sysctls.update({'net/ipv4/ip_forward': '1', 'net/ipv6/conf/all/forwarding': '1'})
    for k, v in sysctls.items():
        try:
            with open('/proc/sys/' + k, 'w') as f: f.write(v)
        except OSError as e:
            if 'forward' in k: raise Fail('forwarding', 'cannot turn on forwarding in the copy: %s' % e)

    def holder_ns(what):
        h = subprocess.Popen(['unshare', '-n', 'sleep', '600'], env=ENV, preexec_fn=tie, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(h)
        mine = os.readlink('/proc/self/ns/net')
        for _ in range(250):
            try:
                if os.readlink('/proc/%d/ns/net' % h.pid) != mine: return h.pid
            except OSError: pass
            if h.poll() is not None: raise Fail(what, 'unshare -n failed: %s' % h.stderr.read().decode(errors='replace').strip())
            time.sleep(0.01)
        raise Fail(what, 'the %s did not appear within 2.5 s' % what)

    def plen(a): return '128' if ':' in a else '32'
    def nodad(a): return ' nodad' if ':' in a else ''
    def uniq(xs):
        out = []
        for x in xs:
            if x not in out: out.append(x)
        return out

    # One namespace per interface plays what is behind it: the clients whose packets arrive
    # there and, for forwarded flows, the destinations reached through it. Fixed MACs and
    # permanent neighbour entries: no ARP or neighbour discovery, which the host's rules might
    # drop, stands between a client and the packets traced.
    ifaces = uniq([p['iface'] for p in packets] + [p['outIface'] for p in packets if p.get('outIface')])
    host_cmds, side, dest_pids = [], [], {}
    for i, name in enumerate(ifaces):
        pid = holder_ns('peer namespace')
        arriving = [p for p in packets if p['iface'] == name]
        leaving = [p for p in packets if p.get('outIface') == name]
        mac_h = '02:68:64:01:00:%02x' % i
        mac_p = next((p['srcMac'] for p in arriving if p.get('srcMac')), '02:68:64:02:00:%02x' % i)
        # The egress end's own addresses: what masquerade rewrites a source to.
        own = ['198.18.255.%d' % (i + 1), 'fd68:6400:ffff::%x' % (i + 1)] if leaving else []
        host_cmds += ['link add %s address %s type veth peer name hdpeer0 address %s netns %d' % (name, mac_h, mac_p, pid), 'link set %s up' % name]
        host_cmds += ['addr add %s/%s dev %s%s' % (a, plen(a), name, nodad(a)) for a in uniq(own + [p['dst'] for p in arriving if not p.get('outIface')])]
        for a in uniq([p['src'] for p in arriving] + [p['dst'] for p in leaving]):
            host_cmds += ['route add %s/%s dev %s' % (a, plen(a), name), 'neigh replace %s lladdr %s dev %s nud permanent' % (a, mac_p, name)]
        cmds = ['link set lo up'] + ['addr add %s/%s dev hdpeer0%s' % (a, plen(a), nodad(a)) for a in uniq([p['src'] for p in arriving] + [p['dst'] for p in leaving])] + ['link set hdpeer0 up']
        for a in uniq([p['dst'] for p in arriving] + [p['src'] for p in leaving] + own):
            cmds += ['route add %s/%s dev hdpeer0' % (a, plen(a)), 'neigh replace %s lladdr %s dev hdpeer0 nud permanent' % (a, mac_h)]
        side.append(('peer addresses', pid, cmds))
        for p in arriving: p['_ns'] = pid
        if leaving: dest_pids[name] = pid
    # One ip process per namespace (ip -batch): the family follows from each address.
    run('veth and addresses', ['ip', '-batch', '-'], '\n'.join(host_cmds) + '\n')
    for step, pid, cmds in side:
        run(step, ['nsenter', '-t', str(pid), '-n', 'ip', '-batch', '-'], '\n'.join(cmds) + '\n')
    t_ns = time.time()

    # The host's ruleset, as listed; a table nft cannot load back (iptables-nft's xt matches,
    # a flowtable on a device the copy lacks) is loaded without, and named.
    ruleset = req['ruleset']
    not_loaded = []
    try:
        run('load ruleset', ['nft', '-j', '-f', '-'], json.dumps(ruleset), timeout=20)
    except Fail as whole:
        run('flush', ['nft', 'flush', 'ruleset'])
        items = ruleset.get('nftables', [])
        meta = [o for o in items if 'metainfo' in o]
        groups = {}
        for o in items:
            (kind, body), = o.items() if len(o) == 1 else ((None, None),)
            if kind in (None, 'metainfo') or not isinstance(body, dict): continue
            key = (body.get('family'), body.get('name') if kind == 'table' else body.get('table'))
            groups.setdefault(key, []).append(o)
        for (family, table), objs in groups.items():
            try:
                run('load table', ['nft', '-j', '-f', '-'], json.dumps({'nftables': meta + objs}), timeout=20)
            except Fail as e:
                not_loaded.append({'table': '%s %s' % (family, table), 'error': e.message.splitlines()[0] if e.message else 'nft refused it'})
                try: run('clean table', ['nft', 'delete', 'table', str(family), str(table)])
                except Fail: pass
    t_load = time.time()

    # Listeners wherever a packet may end up (this namespace, or a destination's), on every
    # port a packet or a port forward names: "connected" means the firewall let the packet through.
    ports = req['listen']
    servers = [subprocess.Popen(['python3', '-I', '-c', SERVER, json.dumps(ports)], env=ENV, preexec_fn=tie, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
    servers += [subprocess.Popen(['nsenter', '-t', str(pid), '-n', 'python3', '-I', '-c', SERVER, json.dumps(ports)], env=ENV, preexec_fn=tie, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for pid in dest_pids.values()]
    procs.extend(servers)
    for s in servers:
        r, _, _ = select.select([s.stdout], [], [], 5)
        if not r or s.stdout.readline().strip() != 'ready': raise Fail('listeners', 'the listeners did not start: %s' % (s.stderr.read()[:500] if s.poll() is not None else 'no answer within 5 s'))

    # Each packet's key as nft prints the packet (addresses in inet_ntop's form), to find its trace.
    def canon(a): return socket.inet_ntop(socket.AF_INET6 if ':' in a else socket.AF_INET, socket.inet_pton(socket.AF_INET6 if ':' in a else socket.AF_INET, a))
    keys = ['%s %s %s %s' % (canon(p['src']), canon(p['dst']), p['protocol'], ('%d %d' % (p['sport'], p['dport'])) if p['protocol'] in ('tcp', 'udp') else 'id %d' % p['icmpId']) for p in packets]

    # The trace table: before every chain of the host's (lowest prerouting priority - 10), it
    # marks exactly the traced flows' packets.
    table = req['traceTable']
    rules = []
    for p in packets:
        ip = 'ip6' if ':' in p['src'] else 'ip'
        m = 'iifname "%s" %s saddr %s %s daddr %s' % (p['iface'], ip, p['src'], ip, p['dst'])
        if p['protocol'] in ('tcp', 'udp'): m += ' %s sport %d %s dport %d' % (p['protocol'], p['sport'], p['protocol'], p['dport'])
        else: m += ' %s type echo-request %s id %d' % (p['protocol'], p['protocol'], p['icmpId'])
        rules.append('  %s meta nftrace set 1' % m)
    trace_rules = 'table inet %s {\n chain pre {\n  type filter hook prerouting priority %d; policy accept;\n%s\n }\n}\n' % (table, req['priority'], '\n'.join(rules))

    # Monitor first, then add the trace table: its "add table" line proves the monitor listens.
    mon = subprocess.Popen(['nft', '-a', 'monitor'], env=ENV, preexec_fn=tie, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    procs.append(mon)
    lines = []
    lock = threading.Lock()
    ready = threading.Event()
    def reader():
        for line in mon.stdout:
            with lock: lines.append(line.rstrip('\n'))
            if line.startswith('add table inet %s' % table): ready.set()
    threading.Thread(target=reader, daemon=True).start()
    time.sleep(0.05)
    run('trace table', ['nft', '-f', '-'], trace_rules)
    if not ready.wait(5):
        raise Fail('monitor', 'nft monitor showed nothing within 5 s: %s' % mon.stderr.read()[:500] if mon.poll() is not None else 'nft monitor showed nothing within 5 s')
    t_ready = time.time()

    # The packets, from each client namespace at once (one client program per namespace).
    T = req['clientTimeout']
    clients = []
    for pid in uniq([p['_ns'] for p in packets]):
        idx = [i for i, p in enumerate(packets) if p['_ns'] == pid]
        c = subprocess.Popen(['nsenter', '-t', str(pid), '-n', 'python3', '-I', '-c', CLIENT, str(T)], env=ENV, preexec_fn=tie, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(c)
        c.stdin.write(json.dumps([packets[i] for i in idx])); c.stdin.close()
        clients.append((idx, c))
    results = [None] * len(packets)
    for idx, c in clients:
        errtext = ''
        try:
            # Read in turn: the other clients run meanwhile (their output is a line of JSON each).
            out = c.stdout.read(); errtext = c.stderr.read(); c.wait(timeout=5)
            got = json.loads(out)
        except Exception:
            got = [{'outcome': 'error', 'detail': 'the client printed no answer: %s' % (errtext or '').strip()[-300:]}] * len(idx)
        for i, r in zip(idx, got): results[i] = r
    t_client = time.time()
    # Trace events arrive over netlink a moment after the packets: wait until the monitor has
    # been quiet for 300 ms (on a busy machine nft may not run for a while), at most 4 s.
    last, still = -1, 0
    for _ in range(80):
        time.sleep(0.05)
        with lock: n = len(lines)
        still = still + 1 if n == last else 0
        if still >= 6: break
        last = n
    with lock: out = list(lines)
    done({'ok': True, 'notLoaded': not_loaded, 'lines': [l for l in out if l.startswith('trace id ')], 'clients': results, 'keys': keys,
          'ms': {'namespaces': round((t_ns - t0) * 1000), 'load': round((t_load - t_ns) * 1000), 'monitor': round((t_ready - t_load) * 1000), 'packet': round((t_client - t_ready) * 1000)}})

SERVER = r'''
import json, select, socket, sys, time
ports = json.loads(sys.argv[1]); socks = []
for proto in ('tcp', 'udp'):
    for p in ports.get(proto, []):
        for af, any_ in ((socket.AF_INET, '0.0.0.0'), (socket.AF_INET6, '::')):
            s = socket.socket(af, socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if af == socket.AF_INET6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((any_, p))
            if proto == 'tcp': s.listen(512)
            # UDP answers from the address the datagram went to (IP_PKTINFO / IPV6_RECVPKTINFO):
            # with several addresses on an interface the kernel would pick its first one.
            elif af == socket.AF_INET6: s.setsockopt(socket.IPPROTO_IPV6, 49, 1)
            else: s.setsockopt(socket.IPPROTO_IP, 8, 1)
            s.setblocking(False); socks.append(s)
print('ready', flush=True)
while True:
    if not socks: time.sleep(5); continue
    r, _, _ = select.select(socks, [], [], 5.0)
    for s in r:
        try:
            if s.type == socket.SOCK_STREAM:
                c, _ = s.accept(); c.close()
            else:
                data, anc, _, addr = s.recvmsg(2048, 256)
                if s.family == socket.AF_INET6:
                    info = [(socket.IPPROTO_IPV6, 50, d[:16] + b'\0\0\0\0') for l, t, d in anc if l == socket.IPPROTO_IPV6 and t == 50]
                else:
                    info = [(socket.IPPROTO_IP, 8, b'\0\0\0\0' + d[8:12] + b'\0\0\0\0') for l, t, d in anc if l == socket.IPPROTO_IP and t == 8]
                s.sendmsg([data], info, 0, addr)
        except (OSError, AttributeError):
            pass
'''

CLIENT = r'''
import errno, json, select, socket, struct, sys, time
from concurrent.futures import ThreadPoolExecutor
flows = json.load(sys.stdin); T = float(sys.argv[1])
def err(e):
    if isinstance(e, socket.timeout): return ('timeout', 'no answer within %.1f s' % T)
    if e.errno == errno.ECONNREFUSED: return ('refused', 'ECONNREFUSED (connection refused)')
    if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM, errno.ENOPROTOOPT): return ('unreachable', '%s (%s)' % (errno.errorcode.get(e.errno, e.errno), e.strerror))
    return ('error', repr(e))
def af(f): return socket.AF_INET6 if ':' in f['dst'] else socket.AF_INET
def tcp(f):
    s = socket.socket(af(f), socket.SOCK_STREAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((f['src'], f['sport'])); s.settimeout(T)
    try: s.connect((f['dst'], f['dport'])); return ('connected', 'TCP handshake completed')
    except OSError as e: return err(e)
    finally: s.close()
def udp(f):
    s = socket.socket(af(f), socket.SOCK_DGRAM)
    # IP_RECVERR / IPV6_RECVERR: without it Linux hides "soft" ICMP errors from UDP sockets.
    if af(f) == socket.AF_INET6: s.setsockopt(41, 25, 1)
    else: s.setsockopt(socket.SOL_IP, 11, 1)
    s.bind((f['src'], f['sport'])); s.settimeout(T)
    try: s.connect((f['dst'], f['dport'])); s.send(b'hostdeck-trace'); s.recv(2048); return ('connected', 'the datagram was answered')
    except OSError as e: return err(e)
    finally: s.close()
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def echo(f):
    # Every raw socket sees every ICMP packet: replies and errors are matched by the echo id.
    v6 = af(f) == socket.AF_INET6; ident = f['icmpId'] & 0xffff
    if v6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6); pkt = struct.pack('!BBHHH', 128, 0, 0, ident, 1) + b'hostdeck'
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); h = struct.pack('!BBHHH', 8, 0, 0, ident, 1) + b'hostdeck'
        pkt = struct.pack('!BBHHH', 8, 0, csum(h), ident, 1) + b'hostdeck'
    try:
        s.bind((f['src'], 0)); s.sendto(pkt, (f['dst'], 0))
        end = time.time() + T
        while True:
            left = end - time.time()
            if left <= 0: return ('timeout', 'no echo reply within %.1f s' % T)
            r, _, _ = select.select([s], [], [], left)
            if not r: continue
            data, addr = s.recvfrom(4096)
            off = 0 if v6 else (data[0] & 15) * 4
            t, code = data[off], data[off + 1]
            if (t == 129 if v6 else t == 0) and struct.unpack('!H', data[off + 4:off + 6])[0] == ident: return ('connected', 'echo reply')
            if (t == 1 if v6 else t == 3):
                inner = data[off + 8:]
                ioff = 40 if v6 else (inner[0] & 15) * 4 if inner else 0
                if len(inner) >= ioff + 6 and struct.unpack('!H', inner[ioff + 4:ioff + 6])[0] == ident:
                    return ('unreachable', 'ICMP%s destination unreachable, code %d' % ('v6' if v6 else '', code))
    except OSError as e: return err(e)
    finally: s.close()
def one(f):
    try: o, d = {'tcp': tcp, 'udp': udp, 'icmp': echo, 'icmpv6': echo}[f['protocol']](f)
    except Exception as e: o, d = 'error', repr(e)
    return {'outcome': o, 'detail': d}
with ThreadPoolExecutor(max_workers=64) as ex:
    print(json.dumps(list(ex.map(one, flows))))
'''

try:
    main()
except Fail as e:
    done({'ok': False, 'step': e.step, 'error': e.message})
except Exception as e:
    done({'ok': False, 'step': 'driver', 'error': repr(e)})
finally:
    cleanup()
`;
