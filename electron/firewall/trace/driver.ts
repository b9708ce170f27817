/**
 * The trace driver: one Python 3 program (standard library only) that HostDeck starts inside a
 * fresh network namespace (`unshare -n` as root, `unshare -rn` with unprivileged user
 * namespaces). That namespace plays the host: it gets a veth end named like the host's
 * interface, the flow's destination address and the host's ruleset. A second namespace, made
 * from inside (`unshare -n`), plays the client. Every child is tied to the driver with
 * PR_SET_PDEATHSIG, so when the driver ends (or HostDeck kills it at its deadline) every
 * process dies, and the namespaces with them: nothing is left on this machine and nothing of the
 * host's (or this machine's) own namespaces is touched.
 *
 * stdin: one JSON request (see TraceRequest in engine.ts); stdout: one JSON answer.
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
    v6 = req['family'] == 'ipv6'
    iface, src, dst = req['iface'], req['src'], req['dst']
    plen = '128' if v6 else '32'
    run('loopback', ['ip', 'link', 'set', 'lo', 'up'])

    # The client's namespace: a sleeping process holds it.
    holder = subprocess.Popen(['unshare', '-n', 'sleep', '600'], env=ENV, preexec_fn=tie, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    procs.append(holder)
    mine = os.readlink('/proc/self/ns/net')
    for _ in range(250):
        try:
            if os.readlink('/proc/%d/ns/net' % holder.pid) != mine: break
        except OSError: pass
        if holder.poll() is not None: raise Fail('client namespace', 'unshare -n failed: %s' % holder.stderr.read().decode(errors='replace').strip())
        time.sleep(0.01)
    else:
        raise Fail('client namespace', 'the client namespace did not appear within 2.5 s')
    peer = ['nsenter', '-t', str(holder.pid), '-n']

    # Fixed MACs and permanent neighbour entries: no ARP or neighbour discovery, which the
    # host's rules might drop, stands between the client and the one packet traced.
    mac_in, mac_peer = '02:68:64:00:00:01', req.get('srcMac') or '02:68:64:00:00:02'
    nodad = ' nodad' if v6 else ''
    # One ip process per namespace (ip -batch): the family follows from each address.
    run('veth and addresses', ['ip', '-batch', '-'], '\n'.join([
        'link add %s address %s type veth peer name hdpeer0 address %s netns %d' % (iface, mac_in, mac_peer, holder.pid),
        'addr add %s/%s dev %s%s' % (dst, plen, iface, nodad),
        'link set %s up' % iface,
        'route add %s/%s dev %s' % (src, plen, iface),
        'neigh replace %s lladdr %s dev %s nud permanent' % (src, mac_peer, iface),
    ]) + '\n')
    run('client addresses', peer + ['ip', '-batch', '-'], '\n'.join([
        'link set lo up',
        'addr add %s/%s dev hdpeer0%s' % (src, plen, nodad),
        'link set hdpeer0 up',
        'route add %s/%s dev hdpeer0' % (dst, plen),
        'neigh replace %s lladdr %s dev hdpeer0 nud permanent' % (dst, mac_in),
    ]) + '\n')
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

    # Listeners where the packet is going, so "connected" means the firewall let it through.
    proto, dport, sport = req['protocol'], req.get('dport'), req.get('sport')
    af = socket.AF_INET6 if v6 else socket.AF_INET
    if proto in ('tcp', 'udp'):
        s = socket.socket(af, socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((dst, dport))
        if proto == 'tcp': s.listen(8)
        def serve():
            while True:
                try:
                    if proto == 'tcp':
                        c, _ = s.accept(); c.close()
                    else:
                        data, addr = s.recvfrom(2048); s.sendto(data, addr)
                except OSError:
                    return
        threading.Thread(target=serve, daemon=True).start()

    # The trace table: before every chain of the host's (lowest prerouting priority - 10), it
    # marks exactly this flow's packets from the peer.
    table = req['traceTable']
    ip = 'ip6' if v6 else 'ip'
    match = 'iifname "%s" %s saddr %s %s daddr %s' % (iface, ip, src, ip, dst)
    if proto in ('tcp', 'udp'): match += ' %s sport %d %s dport %d' % (proto, sport, proto, dport)
    elif proto == 'icmp': match += ' icmp type echo-request'
    else: match += ' icmpv6 type echo-request'
    trace_rules = 'table inet %s {\n chain pre {\n  type filter hook prerouting priority %d; policy accept;\n  %s meta nftrace set 1\n }\n}\n' % (table, req['priority'], match)

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

    # One packet from the client's namespace.
    client = subprocess.run(peer + ['python3', '-I', '-c', CLIENT, json.dumps({'protocol': proto, 'src': src, 'dst': dst, 'sport': sport, 'dport': dport, 'timeout': req['clientTimeout']})],
                            capture_output=True, text=True, timeout=req['clientTimeout'] + 5, env=ENV, preexec_fn=tie)
    try:
        result = json.loads(client.stdout)
    except ValueError:
        result = {'outcome': 'error', 'detail': (client.stderr or client.stdout).strip()[-500:] or 'the client printed nothing'}
    t_client = time.time()
    # Trace events arrive over netlink a moment after the packet: wait until the monitor is quiet.
    last = -1
    for _ in range(40):
        time.sleep(0.05)
        with lock: n = len(lines)
        if n == last: break
        last = n
    with lock: out = list(lines)
    done({'ok': True, 'notLoaded': not_loaded, 'lines': [l for l in out if l.startswith('trace id ')], 'client': result,
          'ms': {'namespaces': round((t_ns - t0) * 1000), 'load': round((t_load - t_ns) * 1000), 'monitor': round((t_ready - t_load) * 1000), 'packet': round((t_client - t_ready) * 1000)}})

CLIENT = r'''
import errno, json, select, socket, struct, sys, time
f = json.loads(sys.argv[1]); T = f['timeout']
v6 = ':' in f['dst']; af = socket.AF_INET6 if v6 else socket.AF_INET
def err(e):
    if isinstance(e, socket.timeout): return ('timeout', 'no answer within %.1f s' % T)
    if e.errno == errno.ECONNREFUSED: return ('refused', 'ECONNREFUSED (connection refused)')
    if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM, errno.ENOPROTOOPT): return ('unreachable', '%s (%s)' % (errno.errorcode.get(e.errno, e.errno), e.strerror))
    return ('error', repr(e))
def tcp():
    s = socket.socket(af, socket.SOCK_STREAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((f['src'], f['sport'])); s.settimeout(T)
    try: s.connect((f['dst'], f['dport'])); return ('connected', 'TCP handshake completed')
    except OSError as e: return err(e)
def udp():
    s = socket.socket(af, socket.SOCK_DGRAM)
    # IP_RECVERR / IPV6_RECVERR: without it Linux hides "soft" ICMP errors from UDP sockets.
    if v6: s.setsockopt(41, 25, 1)
    else: s.setsockopt(socket.SOL_IP, 11, 1)
    s.bind((f['src'], f['sport'])); s.settimeout(T)
    try: s.connect((f['dst'], f['dport'])); s.send(b'hostdeck-trace'); s.recv(2048); return ('connected', 'the datagram was answered')
    except OSError as e: return err(e)
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def echo():
    ident = 0x4844
    if v6:
        s = socket.socket(af, socket.SOCK_RAW, socket.IPPROTO_ICMPV6); pkt = struct.pack('!BBHHH', 128, 0, 0, ident, 1) + b'hostdeck'
    else:
        s = socket.socket(af, socket.SOCK_RAW, socket.IPPROTO_ICMP); h = struct.pack('!BBHHH', 8, 0, 0, ident, 1) + b'hostdeck'
        pkt = struct.pack('!BBHHH', 8, 0, csum(h), ident, 1) + b'hostdeck'
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
        if (t == 129 if v6 else t == 0): return ('connected', 'echo reply')
        if (t == 1 if v6 else t == 3): return ('unreachable', 'ICMP%s destination unreachable, code %d' % ('v6' if v6 else '', code))
try:
    o, d = {'tcp': tcp, 'udp': udp, 'icmp': echo, 'icmpv6': echo}[f['protocol']]()
except Exception as e:
    o, d = 'error', repr(e)
print(json.dumps({'outcome': o, 'detail': d}))
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
