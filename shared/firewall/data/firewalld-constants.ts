// Facts copied from firewalld 1.3.3 (Debian 12 package 1.3.3-1~deb12u2), files under
// /usr/lib/python3/dist-packages/firewall/. Each table names the file it comes from, so that
// a later firewalld can be compared line by line.

/** core/base.py REJECT_TYPES: `reject type=...` values accepted per rule family. */
export const REJECT_TYPES = {
  ipv4: [
    'icmp-host-prohibited', 'host-prohib', 'icmp-net-unreachable', 'net-unreach', 'icmp-host-unreachable',
    'host-unreach', 'icmp-port-unreachable', 'port-unreach', 'icmp-proto-unreachable', 'proto-unreach',
    'icmp-net-prohibited', 'net-prohib', 'tcp-reset', 'tcp-rst', 'icmp-admin-prohibited', 'admin-prohib',
  ],
  ipv6: [
    'icmp6-adm-prohibited', 'adm-prohibited', 'icmp6-no-route', 'no-route', 'icmp6-addr-unreachable',
    'addr-unreach', 'icmp6-port-unreachable', 'port-unreach', 'tcp-reset',
  ],
} as const;

/** core/rich.py Rich_Log.check: syslog levels a `log level=` may name. */
export const LOG_LEVELS = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'] as const;

/** core/rich.py Rich_Rule.check: protocols of port, source-port and forward-port elements. */
export const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp', 'dccp'] as const;

/** core/base.py ZONE_TARGETS (the "{chain}_{zone}" placeholder is what "default" means). */
export const ZONE_TARGETS = ['default', 'ACCEPT', 'DROP', '%%REJECT%%'] as const;
/** core/base.py POLICY_TARGETS. */
export const POLICY_TARGETS = ['CONTINUE', 'ACCEPT', 'DROP', 'REJECT'] as const;
/** server/firewalld.py setLogDenied: accepted values. */
export const LOG_DENIED_VALUES = ['all', 'unicast', 'broadcast', 'multicast', 'off'] as const;

/** core/ipset.py IPSET_TYPES (bitmap and list types are not supported by firewalld). */
export const IPSET_TYPES = [
  'hash:ip', 'hash:ip,port', 'hash:ip,port,ip', 'hash:ip,port,net', 'hash:ip,mark',
  'hash:net', 'hash:net,net', 'hash:net,port', 'hash:net,port,net', 'hash:net,iface', 'hash:mac',
] as const;
/** core/base.py SOURCE_IPSET_TYPES: ipset types usable as a zone source or rich-rule source. */
export const SOURCE_IPSET_TYPES = [
  'hash:ip', 'hash:ip,port', 'hash:ip,mark', 'hash:net', 'hash:net,port', 'hash:net,iface', 'hash:mac',
] as const;
/** core/ipset.py IPSET_CREATE_OPTIONS and IPSET_MAXNAMELEN. */
export const IPSET_OPTIONS = ['family', 'hashsize', 'maxelem', 'timeout'] as const;
export const IPSET_MAX_NAME_LEN = 32;

/** core/icmp.py ICMP_TYPES (name -> "type/code"), used to check ipset "icmp:<type>" entries. */
export const ICMP_TYPES: Record<string, string> = {
  'echo-reply': '0/0', pong: '0/0', 'network-unreachable': '3/0', 'host-unreachable': '3/1',
  'protocol-unreachable': '3/2', 'port-unreachable': '3/3', 'fragmentation-needed': '3/4',
  'source-route-failed': '3/5', 'network-unknown': '3/6', 'host-unknown': '3/7', 'network-prohibited': '3/9',
  'host-prohibited': '3/10', 'TOS-network-unreachable': '3/11', 'TOS-host-unreachable': '3/12',
  'communication-prohibited': '3/13', 'host-precedence-violation': '3/14', 'precedence-cutoff': '3/15',
  'source-quench': '4/0', 'network-redirect': '5/0', 'host-redirect': '5/1', 'TOS-network-redirect': '5/2',
  'TOS-host-redirect': '5/3', 'echo-request': '8/0', ping: '8/0', 'router-advertisement': '9/0',
  'router-solicitation': '10/0', 'ttl-zero-during-transit': '11/0', 'ttl-zero-during-reassembly': '11/1',
  'ip-header-bad': '12/0', 'required-option-missing': '12/1', 'timestamp-request': '13/0',
  'timestamp-reply': '14/0', 'address-mask-request': '17/0', 'address-mask-reply': '18/0',
};
/** core/icmp.py ICMPV6_TYPES. */
export const ICMPV6_TYPES: Record<string, string> = {
  'no-route': '1/0', 'communication-prohibited': '1/1', 'address-unreachable': '1/3', 'port-unreachable': '1/4',
  'packet-too-big': '2/0', 'ttl-zero-during-transit': '3/0', 'ttl-zero-during-reassembly': '3/1',
  'bad-header': '4/0', 'unknown-header-type': '4/1', 'unknown-option': '4/2', 'echo-request': '128/0',
  ping: '128/0', 'echo-reply': '129/0', pong: '129/0', 'router-solicitation': '133/0',
  'router-advertisement': '134/0', 'neighbour-solicitation': '135/0', 'neigbour-solicitation': '135/0',
  'neighbour-advertisement': '136/0', 'neigbour-advertisement': '136/0', redirect: '137/0',
};

/**
 * Name rules of core/io/*.py check_name: letters and digits plus these characters.
 * Zone and policy names may hold one inner "/"; the part before it is limited by the
 * netfilter chain name length (functions.py max_zone_name_len = 28 - len("POST__allow") = 17,
 * max_policy_name_len = 28 - len("POST_allow") = 18).
 */
export const NAME_RULES = {
  zone: { extra: '_-/', maxLen: 17 },
  policy: { extra: '_-/', maxLen: 18 },
  service: { extra: '_-', maxLen: undefined },
  icmptype: { extra: '_-', maxLen: undefined },
  helper: { extra: '-.', maxLen: undefined },
  ipset: { extra: '_-:.', maxLen: IPSET_MAX_NAME_LEN },
} as const;

/** Rich_Rule.priority_min / priority_max. */
export const RICH_PRIORITY_MIN = -32768;
export const RICH_PRIORITY_MAX = 32767;
/** Rich_Log.check / Rich_NFLog.check: longest log prefix. */
export const LOG_PREFIX_MAX = 127;
/** functions.py checkTcpMssClamp: smallest numeric clamp value. */
export const TCP_MSS_CLAMP_MIN = 536;
