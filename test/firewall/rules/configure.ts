import type { FirewalldSandbox } from '../../support/firewalld-sandbox';

/** The rich rules the rules tests install in zone "work" (every action, every placement). */
export const WORK_RICH_RULES = [
  'rule family="ipv4" source address="192.0.2.0/24" port port="8443" protocol="tcp" accept',
  'rule family="ipv4" source address="198.51.100.7" reject',
  'rule family="ipv4" source address="198.51.100.8" reject type="icmp-host-prohibited"',
  'rule family="ipv6" source address="2001:db8::/64" drop',
  'rule family="ipv4" source address="203.0.113.9" service name="ssh" log prefix="hd-log " level="info"',
  'rule priority="-5" family="ipv4" source address="203.0.113.10" drop',
  'rule priority="7" service name="ftp" accept',
  'rule family="ipv4" source address="203.0.113.11" audit accept',
  'rule family="ipv4" source address="203.0.113.12" icmp-block name="echo-request"',
  'rule family="ipv4" source address="203.0.113.13" masquerade',
  'rule family="ipv4" forward-port port="2222" protocol="tcp" to-port="22"',
  'rule family="ipv4" source address="203.0.113.14" limit value="3/m" accept',
];

/** Zones and policies with services, ports, sources, rich rules, icmp blocks, masquerade, forward ports. */
export function configureRules(sb: FirewalldSandbox): void {
  // Targets and new objects exist only in the permanent layer: set them, reload, then the rest at runtime.
  const perm = (...args: string[]) => sb.firewallCmd('--permanent', ...args);
  perm('--new-ipset=hd-allow', '--type=hash:net');
  perm('--zone=dmz', '--set-target=DROP');
  perm('--new-policy=hd-out');
  perm('--policy=hd-out', '--add-ingress-zone=HOST');
  perm('--policy=hd-out', '--add-egress-zone=ANY');
  perm('--policy=hd-out', '--set-target=REJECT');
  sb.firewallCmd('--reload');
  const z = (zone: string, ...args: string[]) => sb.firewallCmd(`--zone=${zone}`, ...args);
  z('work', '--add-interface=eth7');
  z('work', '--add-source=10.20.0.0/16');
  z('work', '--add-source=2001:db8:1::/48');
  z('work', '--add-service=http', '--add-service=dns', '--add-service=samba');
  z('work', '--add-port=8080/tcp', '--add-port=7000-7010/udp', '--add-port=9999/sctp');
  z('work', '--add-protocol=gre');
  z('work', '--add-source-port=5353/udp');
  z('work', '--add-icmp-block=echo-request', '--add-icmp-block=timestamp-request');
  z('work', '--add-masquerade');
  z('work', '--add-forward-port=port=8081:proto=tcp:toport=80');
  z('work', '--add-forward-port=port=5353:proto=udp:toport=53:toaddr=10.20.0.5');
  for (const r of WORK_RICH_RULES) z('work', `--add-rich-rule=${r}`);
  z('dmz', '--add-interface=eth8');
  z('dmz', '--add-icmp-block-inversion');
  z('dmz', '--add-icmp-block=echo-reply');
  z('internal', '--add-source=ipset:hd-allow');
  sb.firewallCmd('--policy=hd-out', '--add-service=https');
  sb.firewallCmd('--policy=hd-out', '--add-port=53/udp');
  sb.firewallCmd('--policy=hd-out', '--add-rich-rule=rule family="ipv4" destination address="192.0.2.99" reject');
}

/** A rule added by hand into firewalld's own chain, and a table of another program (as Docker or libvirt add). */
export function addForeignRules(sb: FirewalldSandbox): void {
  sb.inNetns('nft', 'add', 'rule', 'inet', 'firewalld', 'filter_IN_work_allow', 'tcp', 'dport', '31337', 'counter', 'accept');
  sb.inNetns('nft', 'add', 'table', 'ip', 'hd_docker');
  sb.inNetns('nft', 'add', 'chain', 'ip', 'hd_docker', 'FORWARD', '{ type filter hook forward priority 0; policy accept; }');
  sb.inNetns('nft', 'add', 'rule', 'ip', 'hd_docker', 'FORWARD', 'ip', 'daddr', '172.17.0.0/16', 'counter', 'accept');
}
