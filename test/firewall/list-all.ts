import type { ForwardPort, Policy, Port, PortProtocol, Service, Zone } from '../../shared/firewall/model';

/**
 * Reads `firewall-cmd --list-all` / `--info-policy` / `--info-service` output into key -> lines.
 * Used by tests only, to build model objects from firewalld's own view of an object.
 */
export function parseListAll(text: string): { name: string; keys: Map<string, string[]> } {
  const lines = text.split('\n');
  const name = (lines[0] ?? '').replace(/ \(.*\)$/, '').trim();
  const keys = new Map<string, string[]>();
  let last = '';
  for (const line of lines.slice(1)) {
    if (line.startsWith('\t')) {
      keys.get(last)?.push(line.slice(1));
      continue;
    }
    const m = /^ {2}([a-z -]+):(?: (.*))?$/.exec(line);
    if (!m) continue;
    last = m[1]!;
    const value = (m[2] ?? '').trim();
    keys.set(last, value ? [value] : []);
  }
  return { name, keys };
}

const words = (keys: Map<string, string[]>, k: string) => (keys.get(k) ?? []).flatMap((v) => v.split(' ')).filter(Boolean);
const ports = (keys: Map<string, string[]>, k: string): Port[] =>
  words(keys, k).map((p) => {
    const [port, protocol] = p.split('/') as [string, PortProtocol];
    return { port, protocol };
  });
const forwardPorts = (keys: Map<string, string[]>): ForwardPort[] =>
  (keys.get('forward-ports') ?? []).map((line) => {
    const o = Object.fromEntries(line.split(':').map((kv) => kv.split('=') as [string, string]));
    return { port: o.port!, protocol: o.proto as PortProtocol, toPort: o.toport ?? '', toAddr: o.toaddr ?? '' };
  });
const yes = (keys: Map<string, string[]>, k: string) => (keys.get(k) ?? [])[0] === 'yes';

export function zoneFromListAll(text: string, extra: { short?: string; description?: string } = {}): Zone {
  const { name, keys } = parseListAll(text);
  const target = (keys.get('target') ?? ['default'])[0]!;
  return {
    name,
    version: '',
    short: extra.short ?? '',
    description: extra.description ?? '',
    target: target === 'REJECT' ? '%%REJECT%%' : target,
    services: words(keys, 'services'),
    ports: ports(keys, 'ports'),
    protocols: words(keys, 'protocols'),
    sourcePorts: ports(keys, 'source-ports'),
    icmpBlocks: words(keys, 'icmp-blocks'),
    icmpBlockInversion: yes(keys, 'icmp-block-inversion'),
    forward: yes(keys, 'forward'),
    masquerade: yes(keys, 'masquerade'),
    forwardPorts: forwardPorts(keys),
    richRules: keys.get('rich rules') ?? [],
    interfaces: words(keys, 'interfaces'),
    sources: words(keys, 'sources'),
  };
}

export function policyFromInfo(text: string, extra: { short?: string; description?: string } = {}): Policy {
  const { name, keys } = parseListAll(text);
  return {
    name,
    version: '',
    short: extra.short ?? '',
    description: extra.description ?? '',
    target: (keys.get('target') ?? ['CONTINUE'])[0]!,
    priority: Number((keys.get('priority') ?? ['-1'])[0]),
    ingressZones: words(keys, 'ingress-zones'),
    egressZones: words(keys, 'egress-zones'),
    services: words(keys, 'services'),
    ports: ports(keys, 'ports'),
    protocols: words(keys, 'protocols'),
    sourcePorts: ports(keys, 'source-ports'),
    icmpBlocks: words(keys, 'icmp-blocks'),
    masquerade: yes(keys, 'masquerade'),
    forwardPorts: forwardPorts(keys),
    richRules: keys.get('rich rules') ?? [],
  };
}

export function serviceFromInfo(text: string, extra: { short?: string; description?: string } = {}): Service {
  const { name, keys } = parseListAll(text);
  const destination: Service['destination'] = {};
  for (const d of words(keys, 'destination')) {
    const [ipv, addr] = [d.slice(0, d.indexOf(':')), d.slice(d.indexOf(':') + 1)];
    if (ipv === 'ipv4') destination.ipv4 = addr;
    if (ipv === 'ipv6') destination.ipv6 = addr;
  }
  return {
    name,
    version: '',
    short: extra.short ?? '',
    description: extra.description ?? '',
    ports: ports(keys, 'ports'),
    protocols: words(keys, 'protocols'),
    sourcePorts: ports(keys, 'source-ports'),
    modules: words(keys, 'modules'),
    helpers: words(keys, 'helpers'),
    includes: words(keys, 'includes'),
    destination,
  };
}

/** --list-all text without the first (name) line, for comparing two objects. */
export const body = (text: string) => text.split('\n').slice(1).join('\n');
