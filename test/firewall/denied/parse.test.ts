import { describe, expect, it } from 'vitest';
import { DeniedGroups, describeGroup, MAX_LINE, parseDeniedLine } from '../../../shared/firewall/denied/parse';

// Lines as the kernel's nf_log (nf_log_syslog.c) prints them after firewalld's prefixes.
const MAC = 'MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00';
const TCP4 = `IN=eth0 OUT= ${MAC} SRC=192.0.2.7 DST=10.0.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=47316 DF PROTO=TCP SPT=51234 DPT=8080 WINDOW=64240 RES=0x00 SYN URGP=0 `;
const UDP4 = `IN=eth0 OUT= ${MAC} SRC=192.0.2.7 DST=10.0.0.5 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=1 DF PROTO=UDP SPT=53124 DPT=5353 LEN=20 `;
const ICMP4 = `IN=eth0 OUT= ${MAC} SRC=192.0.2.7 DST=10.0.0.5 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=2 DF PROTO=ICMP TYPE=8 CODE=0 ID=4321 SEQ=1 `;
const TCP6 = `IN=eth1 OUT= MAC=33:33:00:00:00:01:52:54:00:65:43:21:86:dd SRC=2001:0db8:0000:0000:0000:0000:0000:0007 DST=2001:0db8:0000:0000:0000:0000:0000:0001 LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=123456 PROTO=TCP SPT=40000 DPT=22 WINDOW=64800 RES=0x00 SYN URGP=0 `;
const ICMP6 = `IN=eth1 OUT= MAC=33:33:00:00:00:01:52:54:00:65:43:21:86:dd SRC=fe80:0000:0000:0000:5054:00ff:fe65:4321 DST=ff02:0000:0000:0000:0000:0001:ff00:0001 LEN=72 TC=0 HOPLIMIT=255 FLOWLBL=0 PROTO=ICMPv6 TYPE=135 CODE=0 `;
const FWD4 = `IN=eth0 OUT=eth1 ${MAC} SRC=192.0.2.7 DST=198.51.100.9 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=9 DF PROTO=TCP SPT=40001 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0 `;

describe('parseDeniedLine: every firewalld prefix', () => {
  it.each([
    ['filter_IN_public_REJECT: ', TCP4, { kind: 'zone', chain: 'IN', zone: 'public', action: 'REJECT', proto: 'tcp', dport: 8080, sport: 51234, family: 'ipv4' }],
    ['filter_IN_drop_DROP: ', UDP4, { kind: 'zone', chain: 'IN', zone: 'drop', action: 'DROP', proto: 'udp', dport: 5353, len: 40 }],
    ['filter_FWD_internal_REJECT: ', FWD4, { kind: 'zone', chain: 'FWD', zone: 'internal', outIface: 'eth1', dst: '198.51.100.9' }],
    ['filter_IN_policy_lan-to-host_DROP: ', TCP4, { kind: 'policy', chain: 'IN', policy: 'lan-to-host', action: 'DROP' }],
    ['filter_FWD_policy_my_policy_REJECT: ', FWD4, { kind: 'policy', chain: 'FWD', policy: 'my_policy', action: 'REJECT' }],
    ['filter_zone_public_HOST_ICMP_BLOCK: ', ICMP4, { kind: 'icmp-block', chain: 'IN', zone: 'public', proto: 'icmp', icmpType: 8, icmpCode: 0 }],
    ['filter_wan-block_ICMP_BLOCK: ', ICMP4, { kind: 'icmp-block', policy: 'wan-block', action: 'REJECT' }],
    ['STATE_INVALID_DROP: ', TCP4, { kind: 'invalid', action: 'DROP' }],
    ['FINAL_REJECT: ', TCP4, { kind: 'final', action: 'REJECT' }],
    ['rpfilter_DROP: ', ICMP6, { kind: 'rpfilter', action: 'DROP', family: 'ipv6', proto: 'icmpv6', icmpType: 135, src: 'fe80::5054:ff:fe65:4321' }],
    ['RFC3964_IPv4_REJECT: ', TCP6, { kind: 'rfc3964', action: 'REJECT' }],
    ['filter_IN_public_REJECT: ', TCP6, { kind: 'zone', family: 'ipv6', src: '2001:db8::7', dst: '2001:db8::1', dport: 22, inIface: 'eth1' }],
    ['my rich log ', TCP4, { kind: 'custom', action: 'LOG', prefix: 'my rich log' }],
  ])('%s', (prefix, body, want) => {
    expect(parseDeniedLine(prefix + body)).toMatchObject(want);
  });

  it('reads the journal (JSON, also a MESSAGE sent as bytes), dmesg, /dev/kmsg and syslog', () => {
    const j = parseDeniedLine(JSON.stringify({ MESSAGE: `filter_IN_public_REJECT: ${TCP4}`, __REALTIME_TIMESTAMP: '1733504480123456', _TRANSPORT: 'kernel', PRIORITY: '4' }));
    expect(j).toMatchObject({ zone: 'public', time: 1733504480123, src: '192.0.2.7' });
    const bytes = [...Buffer.from(`FINAL_REJECT: ${UDP4}`)];
    expect(parseDeniedLine(JSON.stringify({ MESSAGE: bytes }))).toMatchObject({ kind: 'final', dport: 5353 });
    expect(parseDeniedLine(`[ 5123.004567] filter_IN_public_DROP: ${TCP4}`)).toMatchObject({ uptime: 5123.004567, action: 'DROP' });
    expect(parseDeniedLine(`4,1234,5123004567,-;filter_IN_public_DROP: ${TCP4}`)).toMatchObject({ uptime: 5123.004567 });
    expect(parseDeniedLine(`Dec  6 17:01:20 host1 kernel: filter_IN_public_REJECT: ${TCP4}`, 2026)).toMatchObject({ time: Date.UTC(2026, 11, 6, 17, 1, 20) });
  });

  it('keeps the outer packet of an ICMP error, not the one it quotes', () => {
    const line = `filter_IN_public_REJECT: IN=eth0 OUT= ${MAC} SRC=192.0.2.7 DST=10.0.0.5 LEN=88 TOS=0x00 PREC=0x00 TTL=64 ID=5 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.0.0.5 DST=192.0.2.7 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=6 PROTO=UDP SPT=53 DPT=40000 LEN=40 ] `;
    expect(parseDeniedLine(line)).toMatchObject({ src: '192.0.2.7', proto: 'icmp', icmpType: 3, icmpCode: 3 });
    expect(parseDeniedLine(line)?.dport).toBeUndefined();
  });
});

// Recorded: real lines of this machine's kernel log (dmesg and /dev/kmsg), sent by the sandboxed
// firewalld 1.3.3 with LogDenied=all (test/firewall/denied/denied.int.test.ts sends them).
const RECORDED = {
  dmesg4: '[24210.303208] filter_IN_public_REJECT: IN=eth0 OUT= MAC=b6:67:54:8a:4b:27:0a:f6:87:da:a9:ba:08:00 SRC=10.231.51.77 DST=10.231.51.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=21405 DF PROTO=TCP SPT=46579 DPT=8081 WINDOW=64240 RES=0x00 SYN URGP=0 ',
  kmsg4: '4,9421,24212080313,-;filter_IN_public_REJECT: IN=eth0 OUT= MAC=b6:67:54:8a:4b:27:0a:f6:87:da:a9:ba:08:00 SRC=10.231.51.77 DST=10.231.51.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=34556 DF PROTO=TCP SPT=41371 DPT=8082 WINDOW=64240 RES=0x00 SYN URGP=0 ',
};

describe('parseDeniedLine: recorded lines and the rest of the prefixes, both families', () => {
  it('reads recorded dmesg and /dev/kmsg lines', () => {
    expect(parseDeniedLine(RECORDED.dmesg4)).toEqual({
      uptime: 24210.303208, prefix: 'filter_IN_public_REJECT', kind: 'zone', chain: 'IN', zone: 'public', action: 'REJECT', inIface: 'eth0',
      mac: 'b6:67:54:8a:4b:27:0a:f6:87:da:a9:ba:08:00', src: '10.231.51.77', dst: '10.231.51.1', family: 'ipv4', proto: 'tcp', sport: 46579, dport: 8081, len: 60,
    });
    expect(parseDeniedLine(RECORDED.kmsg4)).toMatchObject({ uptime: 24212.080313, zone: 'public', dport: 8082, sport: 41371 });
  });

  it.each([
    ['filter_OUT_policy_host-out_REJECT: ', `IN= OUT=eth0 SRC=10.0.0.5 DST=192.0.2.7 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=3 DF PROTO=TCP SPT=40000 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0 `, { kind: 'policy', chain: 'OUT', policy: 'host-out', outIface: 'eth0', dport: 25 }],
    ['filter_IN_dmz/web_DROP: ', TCP4, { kind: 'zone', zone: 'dmz/web', action: 'DROP' }],
    ['filter_FWD_external_DROP: ', TCP6.replace('OUT= ', 'OUT=eth2 '), { kind: 'zone', chain: 'FWD', zone: 'external', family: 'ipv6', outIface: 'eth2', src: '2001:db8::7' }],
    ['filter_zone_public_HOST_ICMP_BLOCK: ', ICMP6.replace('TYPE=135', 'TYPE=128'), { kind: 'icmp-block', zone: 'public', family: 'ipv6', proto: 'icmpv6', icmpType: 128 }],
    ['filter_zone_dmz_ANY_ICMP_BLOCK: ', ICMP4, { kind: 'icmp-block', chain: 'FWD', zone: 'dmz' }],
    ['STATE_INVALID_DROP: ', TCP6, { kind: 'invalid', family: 'ipv6', dport: 22 }],
    ['FINAL_REJECT: ', TCP6, { kind: 'final', family: 'ipv6' }],
    ['filter_IN_policy_allow-host-ipv6_DROP: ', ICMP6, { kind: 'policy', policy: 'allow-host-ipv6', family: 'ipv6' }],
  ])('%s', (prefix, body, want) => {
    expect(parseDeniedLine(prefix + body)).toMatchObject(want);
  });

  it('reads an IPv6 line from the journal with its time', () => {
    const p = parseDeniedLine(JSON.stringify({ MESSAGE: `filter_IN_public_DROP: ${TCP6}`, __REALTIME_TIMESTAMP: '1796578400000000', __MONOTONIC_TIMESTAMP: '5123004567', _TRANSPORT: 'kernel', PRIORITY: '4' }));
    expect(p).toMatchObject({ time: 1796578400000, uptime: 5123.004567, family: 'ipv6', zone: 'public', action: 'DROP', src: '2001:db8::7', dst: '2001:db8::1' });
  });
});

describe('parseDeniedLine: hostile input', () => {
  it('ignores what is not a packet line and never throws', () => {
    const junk = ['', 'hello', '{', '{"MESSAGE": 5}', 'null', '[]', '{"MESSAGE": "IN=eth0"}', 'IN=eth0 SRC=1.2.3.4', 'x'.repeat(10_000_000), `${'A='.repeat(100_000)}`, '\u0000\u0001 IN= OUT=', '{"MESSAGE": [1e309, -1, "x"]}'];
    for (const j of junk) expect(() => parseDeniedLine(j)).not.toThrow();
    expect(parseDeniedLine('hello')).toBeUndefined();
    expect(parseDeniedLine('x'.repeat(10_000_000))).toBeUndefined();
    expect(parseDeniedLine(undefined as unknown as string)).toBeUndefined();
  });

  it('bounds a huge line and its fields', () => {
    const p = parseDeniedLine(`filter_IN_public_REJECT: IN=eth0 OUT= SRC=${'9'.repeat(100_000)} DST=10.0.0.5 PROTO=TCP SPT=1 DPT=99999999 ${'X=1 '.repeat(100_000)}`);
    expect(p?.src?.length).toBeLessThanOrEqual(64);
    expect(p?.dport).toBeUndefined();
    expect(JSON.stringify(p).length).toBeLessThan(MAX_LINE);
    const longPrefix = parseDeniedLine(`${'p'.repeat(3000)} ${TCP4}`);
    expect(longPrefix?.prefix.length).toBeLessThanOrEqual(128);
  });
});

describe('DeniedGroups', () => {
  it('groups by source, port, interface, zone and action and says it in words', () => {
    const g = new DeniedGroups();
    const t0 = Date.UTC(2026, 11, 6, 17, 0, 0);
    for (let i = 0; i < 37; i++) {
      g.add(parseDeniedLine(JSON.stringify({ MESSAGE: `filter_IN_public_REJECT: ${TCP4.replace('SPT=51234', `SPT=${40000 + i}`)}`, __REALTIME_TIMESTAMP: String((t0 + i * 8000) * 1000) }))!);
    }
    g.add(parseDeniedLine(`filter_IN_public_REJECT: ${UDP4}`)!, t0);
    expect(g.size).toBe(2);
    const [top] = g.list();
    expect(describeGroup(top!)).toBe('192.0.2.7 → 8080/tcp on eth0: 37 times in 5 min, zone public, REJECT');
    expect(describeGroup(g.list()[1]!)).toBe('192.0.2.7 → 5353/udp on eth0: once, zone public, REJECT');
  });

  it('keeps at most maxGroups, dropping the least recently seen', () => {
    const g = new DeniedGroups(100);
    for (let i = 0; i < 10_000; i++) g.add(parseDeniedLine(`filter_IN_public_DROP: ${TCP4.replace('SRC=192.0.2.7', `SRC=10.${(i >> 8) & 255}.${i & 255}.1`)}`)!);
    expect(g.size).toBe(100);
    expect(g.list().some((x) => x.src === '10.39.15.1')).toBe(true);
    expect(g.list().some((x) => x.src === '10.0.0.1')).toBe(false);
  });
});
