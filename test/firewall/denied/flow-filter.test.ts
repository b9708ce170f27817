import { describe, expect, it } from 'vitest';
import { deniedGroupMatches } from '../../../shared/firewall/denied/filter';
import { flowOfDenied } from '../../../shared/firewall/denied/flow';
import { DeniedGroups, parseDeniedLine } from '../../../shared/firewall/denied/parse';
import { flowSchema } from '../../../shared/firewall/explain/flow';

const TCP4 = 'filter_IN_public_REJECT: IN=eth0 OUT= SRC=192.0.2.7 DST=10.0.0.5 LEN=60 TTL=64 PROTO=TCP SPT=51234 DPT=8080 SYN ';
const ICMP6 = 'filter_zone_public_HOST_ICMP_BLOCK: IN=eth1 OUT= SRC=2001:0db8:0000:0000:0000:0000:0000:0007 DST=2001:0db8:0000:0000:0000:0000:0000:0001 LEN=72 PROTO=ICMPv6 TYPE=128 CODE=0 ';
const FWD = 'filter_FWD_internal_DROP: IN=eth0 OUT=eth1 SRC=192.0.2.7 DST=198.51.100.9 LEN=60 PROTO=UDP SPT=1 DPT=53 LEN=40 ';

describe('flowOfDenied: the flow Explain gets', () => {
  it('a TCP packet: source, destination, port, interface', () => {
    const f = flowOfDenied(parseDeniedLine(TCP4)!);
    expect(f).toEqual({ src: '192.0.2.7', dst: '10.0.0.5', protocol: 'tcp', dport: 8080, iface: 'eth0' });
    expect(flowSchema.parse(f)).toEqual(f);
  });

  it('an ICMPv6 echo by firewalld\'s type name, a forwarded packet with its egress interface, a group as its packet', () => {
    expect(flowOfDenied(parseDeniedLine(ICMP6)!)).toEqual({ src: '2001:db8::7', dst: '2001:db8::1', protocol: 'icmpv6', icmpType: 'echo-request', iface: 'eth1' });
    expect(flowOfDenied(parseDeniedLine(FWD)!)).toMatchObject({ protocol: 'udp', dport: 53, iface: 'eth0', outIface: 'eth1' });
    const g = new DeniedGroups().add(parseDeniedLine(TCP4)!);
    expect(flowOfDenied(g)).toEqual({ src: '192.0.2.7', dst: '10.0.0.5', protocol: 'tcp', dport: 8080, iface: 'eth0' });
  });

  it('a protocol explain cannot take stays unknown', () => {
    const p = parseDeniedLine('FINAL_REJECT: IN=eth0 OUT= SRC=192.0.2.7 DST=10.0.0.5 LEN=60 PROTO=47 ')!;
    expect(flowOfDenied(p)).toEqual({ src: '192.0.2.7', dst: '10.0.0.5', iface: 'eth0' });
  });
});

describe('deniedGroupMatches: the filter box', () => {
  const g = new DeniedGroups().add(parseDeniedLine(TCP4)!);
  it.each([
    ['', true], ['192.0.2.7', true], ['8080', true], ['8080/tcp', true], ['public reject', true], ['PUBLIC', true], ['eth0', true], ['10.0.0.5', true],
    ['8081', false], ['public drop', false], ['eth1', false], ['198.51', false],
  ])('"%s" → %s', (filter, want) => {
    expect(deniedGroupMatches(g, filter)).toBe(want);
  });
});
