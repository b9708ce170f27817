import { describe, expect, it } from 'vitest';
import { compareTrace, expectedClient } from '../../../shared/firewall/trace/agree';
import { concreteFlow } from '../../../shared/firewall/trace/flow';
import { firstPacketTrace, kernelVerdict, packetKey, packetTraces, parseTraceLine, rejectOf } from '../../../shared/firewall/trace/parse';

// Recorded from nft 1.0.6 (`nft -a monitor`) with firewalld 1.3.3's ruleset, trimmed.
const T = 'hostdeck_trace_abc123';
const rejected = [
  'add table inet hostdeck_trace_abc123 # handle 2',
  `trace id 6432675b inet ${T} pre packet: iif "eth0" @ll,0,112 0x800 ip saddr 10.8.0.2 ip daddr 10.8.0.1 ip protocol udp udp sport 40003 udp dport 9999`,
  `trace id 6432675b inet ${T} pre rule iifname "eth0" ip saddr 10.8.0.2 ip daddr 10.8.0.1 udp sport 40003 udp dport 9999 meta nftrace set 1 # handle 2 (verdict continue)`,
  `trace id 6432675b inet ${T} pre policy accept `,
  'trace id 6432675b inet firewalld mangle_PREROUTING packet: iif "eth0" @ll,0,112 0x800 ip saddr 10.8.0.2',
  'trace id 6432675b inet firewalld mangle_PREROUTING rule jump mangle_PREROUTING_ZONES # handle 33 (verdict jump mangle_PREROUTING_ZONES)',
  'trace id 6432675b inet firewalld mangle_PREROUTING_ZONES rule iifname "eth0" goto mangle_PRE_public # handle 88 (verdict goto mangle_PRE_public)',
  'trace id 6432675b inet firewalld mangle_PREROUTING policy accept ',
  'trace id 1111aaaa inet other input rule tcp dport 22 accept # handle 3 (verdict accept)',
  'trace id 6432675b inet firewalld filter_INPUT rule jump filter_INPUT_ZONES # handle 20 (verdict jump filter_INPUT_ZONES)',
  'trace id 6432675b inet firewalld filter_IN_public rule reject with icmpx admin-prohibited # handle 129 (verdict drop)',
  // The same id reused for a later packet: not part of this one's trace.
  `trace id 6432675b inet ${T} pre packet: iif "eth0" ip saddr 10.8.0.2`,
  'trace id 6432675b inet firewalld filter_IN_public_allow rule udp dport 9999 accept # handle 140 (verdict accept)',
];

describe('nft monitor trace, parsed', () => {
  it('one packet: its steps in order, the tracing table left out, the reject named with its type', () => {
    const t = firstPacketTrace(rejected, T)!;
    expect(t.id).toBe('6432675b');
    expect(t.steps.map((s) => `${s.chain}:${s.kind}:${s.outcome}`)).toEqual([
      'mangle_PREROUTING:rule:jump',
      'mangle_PREROUTING_ZONES:rule:jump',
      'mangle_PREROUTING:policy:accept',
      'filter_INPUT:rule:jump',
      'filter_IN_public:rule:reject',
    ]);
    expect(t.steps[1]).toMatchObject({ handle: 88, rule: 'iifname "eth0" goto mangle_PRE_public', verdict: 'goto mangle_PRE_public' });
    expect(kernelVerdict(t.steps)).toMatchObject({ verdict: 'reject', rejectWith: 'icmpx admin-prohibited', decidedBy: { chain: 'filter_IN_public', handle: 129 } });
  });

  it('an accepted packet is decided by the last rule that accepted; a drop by the dropping rule', () => {
    const acc = firstPacketTrace(
      [
        `trace id 01 inet ${T} pre packet: iif "eth0"`,
        'trace id 01 inet firewalld filter_IN_public_allow rule tcp dport 8080 accept # handle 133 (verdict accept)',
        'trace id 01 inet late input policy accept ',
      ],
      T,
    )!;
    expect(kernelVerdict(acc.steps)).toMatchObject({ verdict: 'accept', decidedBy: { rule: 'tcp dport 8080 accept', handle: 133 } });
    const drop = parseTraceLine('trace id 02 inet firewalld filter_IN_public_deny rule ip saddr 10.8.0.3 tcp dport 8080 drop # handle 130 (verdict drop)')!;
    expect(kernelVerdict([drop.step!])).toMatchObject({ verdict: 'drop', decidedBy: { handle: 130 } });
    expect(kernelVerdict([drop.step!]).rejectWith).toBeUndefined();
  });

  it('reads reject types as explain names them, and a comment with parentheses does not confuse the verdict', () => {
    expect(rejectOf('tcp dport 80 reject')).toBe('icmpx port-unreachable');
    expect(rejectOf('reject with tcp reset')).toBe('tcp reset');
    expect(rejectOf('ip saddr 1.2.3.4 reject with icmp type host-prohibited')).toBe('icmp host-prohibited');
    expect(rejectOf('tcp dport 80 accept')).toBeUndefined();
    const l = parseTraceLine('trace id 03 inet t c rule tcp dport 1 accept comment "a (verdict drop) b" # handle 9 (verdict accept)')!;
    expect(l.step).toMatchObject({ outcome: 'accept', handle: 9, rule: 'tcp dport 1 accept comment "a (verdict drop) b"' });
    expect(parseTraceLine('garbage')).toBeUndefined();
    expect(firstPacketTrace(['add table inet x'], T)).toBeUndefined();
  });
});

describe('the traced flow', () => {
  const port = () => 45000;
  it('fills what explain may leave unknown, and says so', () => {
    const c = concreteFlow({ protocol: 'tcp', dport: 8080 }, port);
    expect(c.flow).toEqual({ family: 'ipv4', protocol: 'tcp', src: '192.0.2.7', dst: '192.0.2.1', iface: 'hdtrace0', dport: 8080, sport: 45000 });
    expect(c.notes.join(' ')).toMatch(/No source given.*No destination given.*No interface given.*No source port given/);
    expect(concreteFlow({ protocol: 'icmpv6', src: 'fd00::2', iface: 'eth0' }, port).flow).toMatchObject({ family: 'ipv6', dst: '2001:db8::1', icmpType: 'echo-request' });
  });

  it.each([
    [{ protocol: 'tcp' as const }, /dport: a tcp packet needs a destination port/],
    [{ protocol: 'sctp' as const, dport: 1 }, /protocol: "sctp": trace sends TCP, UDP or ICMP echo/],
    [{ dport: 1 }, /protocol: trace sends one real packet and needs its protocol/],
    [{ protocol: 'tcp' as const, dport: 1, src: '10.0.0.0/8' }, /src: "10.0.0.0\/8" is not one IPv4 or IPv6 address/],
    [{ protocol: 'tcp' as const, dport: 1, src: '127.0.0.1' }, /src: "127.0.0.1" is a loopback address/],
    [{ protocol: 'tcp' as const, dport: 1, src: '10.0.0.1', dst: 'fd00::1' }, /family: the flow mixes ipv4 and ipv6/],
    [{ protocol: 'tcp' as const, dport: 1, iface: 'eth0/../x' }, /iface: "eth0\/..\/x" is not a Linux interface name/],
    [{ protocol: 'tcp' as const, dport: 1, iface: 'a-very-long-interface' }, /iface: .* is not a Linux interface name/],
    [{ protocol: 'tcp' as const, dport: 1, iface: 'lo' }, /iface: traffic on lo/],
    [{ protocol: 'tcp' as const, dport: 1, iface: 'eth1', outIface: 'eth1' }, /outIface: "eth1" is also the ingress interface/],
    [{ protocol: 'tcp' as const, dport: 1, iface: 'eth0', outIface: 'lo' }, /outIface: a forwarded packet never leaves by lo/],
    [{ protocol: 'tcp' as const, dport: 1, outIface: 'eth1;x y' }, /outIface: .* is not a Linux interface name/],
    [{ protocol: 'icmp' as const, icmpType: 'timestamp-request' }, /icmpType: "timestamp-request": trace sends ICMP echo requests only/],
    [{ protocol: 'tcp' as const, dport: 1, srcMac: '01:00:5e:00:00:01' }, /srcMac: .* is not a unicast MAC/],
    [{ protocol: 'tcp' as const, dport: 1, src: '10.0.0.1', dst: '10.0.0.1' }, /src: "10.0.0.1" is also the destination/],
  ])('refuses %j, naming the field', (flow, msg) => {
    expect(() => concreteFlow(flow, port)).toThrow(msg);
  });
});

describe('prediction, kernel and client compared', () => {
  const step = { kind: 'target' as const, words: 'w', firewalld: 'target %%REJECT%%', chain: 'filter_IN_public', outcome: 'reject' as const };
  const kstep = { family: 'inet', table: 'firewalld', chain: 'filter_IN_public_deny', kind: 'rule' as const, rule: 'ip saddr 10.8.0.3 drop', handle: 7, verdict: 'drop', outcome: 'drop' as const };
  it('agrees when all three tell the same story', () => {
    expect(compareTrace({ verdict: 'reject', rejectWith: 'icmpx admin-prohibited', decidedBy: step, family: 'ipv4' }, { verdict: 'reject', rejectWith: 'icmpx admin-prohibited', traced: true }, { outcome: 'unreachable', detail: '' }, 'tcp')).toEqual({ agreement: true });
  });
  it('says loudly which differs', () => {
    const r = compareTrace({ verdict: 'reject', decidedBy: step, family: 'ipv4' }, { verdict: 'drop', decidedBy: kstep, traced: true }, { outcome: 'timeout', detail: 'no answer' }, 'tcp');
    expect(r.agreement).toBe(false);
    expect(r.disagreement).toBe('explain predicts REJECT by target %%REJECT%% [filter_IN_public], but the kernel DROPPED it at inet firewalld filter_IN_public_deny: ip saddr 10.8.0.3 drop (handle 7)');
    const c = compareTrace({ verdict: 'accept', decidedBy: step, family: 'ipv4' }, { verdict: 'accept', traced: true }, { outcome: 'timeout', detail: 'no answer' }, 'udp');
    expect(c.disagreement).toMatch(/the client saw timeout \(no answer\), which does not fit: the kernel ACCEPTED it, so it should have seen connected/);
  });
  it('a Linux TCP client over IPv6 times out on an ICMPv6 reject, and is refused on tcp reset', () => {
    expect(expectedClient('reject', 'icmpx admin-prohibited', 'tcp', 'ipv6')).toEqual(['timeout']);
    expect(expectedClient('reject', 'tcp reset', 'tcp', 'ipv6')).toEqual(['refused', 'unreachable']);
  });

  it('many packets in flight at once: each packet with its own steps by its key, ids interleaved and reused, a retransmission ignored', () => {
    const pk = (id: string, what: string) => `trace id ${id} inet ${T} pre packet: iif "eth0" ether saddr 02:68:64:02:00:00 ${what}`;
    const lines = [
      pk('aa', 'ip saddr 10.9.0.2 ip daddr 10.9.0.1 ip dscp cs0 ip protocol tcp tcp sport 20001 tcp dport 8080 tcp flags == syn'),
      pk('bb', 'ip6 saddr fd09:1::3 ip6 daddr fd09:1::1 ip6 nexthdr ipv6-icmp icmpv6 type echo-request icmpv6 code no-route icmpv6 parameter-problem 1212481537 @th,64,64 0x1'),
      'trace id aa inet firewalld filter_IN_public_allow rule tcp dport 8080 accept # handle 12 (verdict accept)',
      'trace id bb inet firewalld filter_IN_hd-a rule reject with icmpx admin-prohibited # handle 99 (verdict drop)',
      // Id aa reused by the next packet: an ICMP echo (nft prints its id).
      pk('aa', 'ip saddr 10.9.0.3 ip daddr 10.9.0.1 ip protocol icmp icmp type echo-request icmp code net-unreachable icmp id 7 icmp sequence 1'),
      'trace id aa inet firewalld filter_IN_public rule icmp type echo-request drop # handle 40 (verdict drop)',
      // The first SYN again (retransmitted): its first trace stands.
      pk('cc', 'ip saddr 10.9.0.2 ip daddr 10.9.0.1 ip protocol tcp tcp sport 20001 tcp dport 8080 tcp flags == syn'),
      'trace id cc inet firewalld filter_IN_public rule reject # handle 41 (verdict drop)',
    ];
    const t = packetTraces(lines, T);
    expect([...t.keys()]).toEqual(['10.9.0.2 10.9.0.1 tcp 20001 8080', 'fd09:1::3 fd09:1::1 icmpv6 id 18501', '10.9.0.3 10.9.0.1 icmp id 7']);
    expect(kernelVerdict(t.get('10.9.0.2 10.9.0.1 tcp 20001 8080')!.steps)).toMatchObject({ verdict: 'accept', decidedBy: { handle: 12 } });
    expect(kernelVerdict(t.get('fd09:1::3 fd09:1::1 icmpv6 id 18501')!.steps)).toMatchObject({ verdict: 'reject', decidedBy: { handle: 99 } });
    expect(kernelVerdict(t.get('10.9.0.3 10.9.0.1 icmp id 7')!.steps)).toMatchObject({ verdict: 'drop', decidedBy: { handle: 40 } });
    // A packet line that does not show the whole flow is no key at all (never a wrong one).
    expect(packetKey('iif "eth0" ip saddr 10.8.0.2')).toBeUndefined();
  });

  it('a forwarded packet: the filter rule that accepted it decides, not the masquerade after it (which also says accept)', () => {
    const steps = [
      parseTraceLine('trace id aa inet firewalld filter_FWD_policy_hd-fwd_allow rule tcp dport 9191 accept # handle 70 (verdict accept)')!.step!,
      parseTraceLine('trace id aa inet firewalld nat_POST_policy_hd-fwd_allow rule meta nfproto ipv4 oifname != "lo" masquerade # handle 80 (verdict accept)')!.step!,
    ];
    expect(kernelVerdict(steps)).toMatchObject({ verdict: 'accept', decidedBy: { handle: 70 } });
  });
});
