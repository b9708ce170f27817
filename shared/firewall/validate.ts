/**
 * Client-side validation of the values firewalld takes: ports, protocols, addresses, MACs,
 * ipset entries, object names, ICMP types and timeouts.
 *
 * Why hand-written: the rules are firewalld's own (functions.py, core/ipset.py, core/io/*.py in
 * firewalld 1.3.3), including its Python quirks (int() accepting "+5" or "1_0", inet_pton
 * refusing leading zeros, port names from /etc/services). No library reproduces them, and
 * firewalld 1.3.3 answers some bad values with code-less Python errors (reference §8), so we
 * must refuse them ourselves with a message that names the value.
 *
 * Every `check*` function returns undefined when the value is fine, else one plain sentence.
 */
import servicePortsData from './data/service-ports.json';
import protocolsData from './data/protocols.json';
import {
  ICMP_TYPES,
  ICMPV6_TYPES,
  IPSET_OPTIONS,
  IPSET_TYPES,
  NAME_RULES,
  PORT_PROTOCOLS,
  SOURCE_IPSET_TYPES,
} from './data/firewalld-constants';

export type Problem = string | undefined;
export type Family = 'ipv4' | 'ipv6';

const SERVICE_PORTS: Record<string, number> = servicePortsData.ports;
const PROTOCOLS: Record<string, number> = protocolsData.protocols;

const q = (v: string) => JSON.stringify(v);

// ---------------------------------------------------------------------------------------------
// Python int() as firewalld uses it

/** Python `int(s)` (base 10): surrounding whitespace, a sign and single underscores between digits. */
export function pyInt(s: string): number | undefined {
  const m = /^\s*([+-]?)(\d(?:_?\d)*)\s*$/.exec(s);
  if (!m) return undefined;
  const n = Number(m[2]!.replace(/_/g, ''));
  return m[1] === '-' ? -n : n;
}

/** Python `int(s, 0)`: like pyInt, plus 0x/0o/0b prefixes; decimal may not have leading zeros. */
export function pyInt0(s: string): number | undefined {
  const m = /^\s*([+-]?)(?:0[xX]((?:_?[0-9a-fA-F])+)|0[oO]((?:_?[0-7])+)|0[bB]((?:_?[01])+)|([1-9](?:_?\d)*|0(?:_?0)*))\s*$/.exec(s);
  if (!m) return undefined;
  const [, sign, hex, oct, bin, dec] = m;
  const strip = (x: string) => x.replace(/_/g, '');
  const n = hex !== undefined ? parseInt(strip(hex), 16)
    : oct !== undefined ? parseInt(strip(oct), 8)
    : bin !== undefined ? parseInt(strip(bin), 2)
    : Number(strip(dec!));
  return sign === '-' ? -n : n;
}

const isAsciiDigits = (s: string) => /^[0-9]+$/.test(s);

export function isUint16(s: string): boolean {
  const n = pyInt0(s);
  return n !== undefined && n >= 0 && n <= 65535;
}
export function isUint32(s: string): boolean {
  const n = pyInt0(s);
  return n !== undefined && n >= 0 && n <= 4294967295;
}

// ---------------------------------------------------------------------------------------------
// Ports (functions.py getPortID / getPortRange / check_port)

/** Port number of a name from /etc/services (Debian netbase), or undefined. */
export function servicePort(name: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(SERVICE_PORTS, name) ? SERVICE_PORTS[name] : undefined;
}

function getPortId(port: string): number {
  const p = port.trim();
  let id = pyInt(p);
  if (id === undefined) id = servicePort(p) ?? -1;
  if (id > 65535) return -2;
  return id;
}

/** firewalld's getPortRange: [port] or [lo, hi], -1 unknown/invalid, -2 too big, null ambiguous. */
export function getPortRange(ports: string): [number] | [number, number] | -1 | -2 | null {
  if (isAsciiDigits(ports)) {
    const id = getPortId(ports);
    return id >= 0 ? [id] : (id as -1 | -2);
  }
  const splits = ports.split('-');
  if (splits.length === 2 && isAsciiDigits(splits[0]!) && isAsciiDigits(splits[1]!)) {
    const a = getPortId(splits[0]!);
    const b = getPortId(splits[1]!);
    if (a >= 0 && b >= 0) return a < b ? [a, b] : a > b ? [b, a] : [a];
  }
  const matched: Array<[number] | [number, number]> = [];
  for (let i = splits.length; i > 0; i--) {
    const a = getPortId(splits.slice(0, i).join('-'));
    const port2 = splits.slice(i).join('-');
    if (port2.length > 0) {
      const b = getPortId(port2);
      if (a >= 0 && b >= 0) matched.push(a < b ? [a, b] : a > b ? [b, a] : [a]);
    } else if (a >= 0) {
      matched.push([a]);
      if (i === splits.length) break;
    }
  }
  if (matched.length < 1) return -1;
  if (matched.length > 1) return null;
  return matched[0]!;
}

/** Exactly what firewalld accepts as a port (numbers, ranges, /etc/services names). */
export function isFirewalldPort(port: string): boolean {
  const r = getPortRange(port);
  return Array.isArray(r);
}

/**
 * A port or port range as the UI takes it: "443", "8000-8100", or a service name firewalld
 * resolves ("https"). Port 0 is accepted because firewalld accepts it.
 */
export function checkPort(port: string, what = 'port'): Problem {
  const v = port.trim();
  if (v === '') return `The ${what} is empty: enter a number from 0 to 65535 or a range like 8000-8100.`;
  const r = getPortRange(port);
  if (r === -2) return `The ${what} ${q(port)} is too big: ports go from 0 to 65535.`;
  if (r === null) return `The ${what} ${q(port)} is ambiguous: write the range with numbers, like 8000-8100.`;
  if (r === -1) {
    if (/^[0-9]+-[0-9]+$/.test(v)) return `The ${what} range ${q(port)} goes past 65535: ports go from 0 to 65535.`;
    if (/^[+-]?\d/.test(v)) return `${q(port)} is not a valid ${what}: use a number from 0 to 65535 or a range like 8000-8100.`;
    return `${q(port)} is not a valid ${what}: it is neither a number from 0 to 65535 nor a service name in /etc/services.`;
  }
  return undefined;
}

/** The form firewalld stores a zone/policy port in (functions.py portStr with "-"): "22", "7000-8000". */
export function normalizePort(port: string): string | undefined {
  const r = getPortRange(port);
  if (!Array.isArray(r)) return undefined;
  return r.join('-');
}

/** Protocol of a port, source port or forward port: tcp, udp, sctp or dccp. */
export function checkPortProtocol(proto: string): Problem {
  if ((PORT_PROTOCOLS as readonly string[]).includes(proto)) return undefined;
  return `${q(proto)} is not a port protocol: use tcp, udp, sctp or dccp.`;
}

/** functions.py checkProtocol: a number 0-255 or a name from /etc/protocols. */
export function isProtocol(proto: string): boolean {
  const n = pyInt(proto);
  if (n !== undefined) return n >= 0 && n <= 255;
  return Object.prototype.hasOwnProperty.call(PROTOCOLS, proto);
}
export function checkProtocol(proto: string): Problem {
  if (proto.trim() === '') return 'The protocol is empty: enter a name such as gre or esp, or a number from 0 to 255.';
  if (isProtocol(proto)) return undefined;
  if (pyInt(proto) !== undefined) return `Protocol number ${q(proto)} is out of range: protocol numbers go from 0 to 255.`;
  return `${q(proto)} is not a known protocol: use a name from /etc/protocols (such as gre, esp, icmp) or a number from 0 to 255.`;
}
export function knownProtocolNames(): string[] {
  return Object.keys(PROTOCOLS);
}

// ---------------------------------------------------------------------------------------------
// Addresses (glibc inet_pton as functions.py checkIP / checkIP6 / checkIPnMask / checkIP6nMask use it)

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_RE = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

export function isIPv4(ip: string): boolean {
  return IPV4_RE.test(ip);
}

/** inet_pton(AF_INET6) after firewalld strips surrounding brackets ("[::1]" is accepted). */
export function isIPv6(ip: string, stripBrackets = true): boolean {
  const s = stripBrackets ? ip.replace(/^[[\]]+|[[\]]+$/g, '') : ip;
  if (s.length === 0 || /[^0-9a-fA-F:.]/.test(s)) return false;
  let head = s;
  let v4Groups = 0;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    if (lastColon < 0 || !isIPv4(s.slice(lastColon + 1))) return false;
    head = s.slice(0, lastColon + 1);
    v4Groups = 2;
    // "::1.2.3.4" leaves "::", "a::1.2.3.4" leaves "a::", "a:b:c:d:e:f:1.2.3.4" leaves "a:...:f:"
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::') && dbl >= 0) return false;
  const group = /^[0-9a-fA-F]{1,4}$/;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  if (dbl >= 0) {
    const left = groups(head.slice(0, dbl));
    const right = groups(head.slice(dbl + 2));
    if (![...left, ...right].every((g) => group.test(g))) return false;
    return left.length + right.length + v4Groups <= 7;
  }
  const all = groups(head);
  if (!all.every((g) => group.test(g))) return false;
  return all.length + v4Groups === 8;
}

/** functions.py checkIPnMask: "a.b.c.d", "a.b.c.d/len" (0-32) or "a.b.c.d/netmask". */
export function isIPv4Net(ip: string): boolean {
  const i = ip.indexOf('/');
  if (i < 0) return isIPv4(ip);
  const addr = ip.slice(0, i);
  const mask = ip.slice(i + 1);
  if (!addr || !mask || !isIPv4(addr)) return false;
  if (mask.includes('.')) return isIPv4(mask);
  const n = pyInt(mask);
  return n !== undefined && n >= 0 && n <= 32;
}

/** functions.py checkIP6nMask: an IPv6 address with an optional /0-128 prefix. */
export function isIPv6Net(ip: string): boolean {
  const i = ip.indexOf('/');
  if (i < 0) return isIPv6(ip);
  const addr = ip.slice(0, i);
  const mask = ip.slice(i + 1);
  if (!addr || !mask || !isIPv6(addr)) return false;
  const n = pyInt(mask);
  return n !== undefined && n >= 0 && n <= 128;
}

/** An address or network of `family` (functions.py check_address), as rich rules take them. */
export function checkAddress(addr: string, family: Family | undefined, what = 'address'): Problem {
  if (addr === '') return `The ${what} is empty.`;
  if (family === 'ipv4') {
    if (isIPv4Net(addr)) return undefined;
    if (isIPv6Net(addr)) return `${q(addr)} is an IPv6 ${what}, but the rule family is ipv4.`;
    return `${q(addr)} is not a valid IPv4 ${what} or network (like 192.0.2.0/24).`;
  }
  if (family === 'ipv6') {
    if (isIPv6Net(addr)) return undefined;
    if (isIPv4Net(addr)) return `${q(addr)} is an IPv4 ${what}, but the rule family is ipv6.`;
    return `${q(addr)} is not a valid IPv6 ${what} or network (like 2001:db8::/32).`;
  }
  if (isIPv4Net(addr) || isIPv6Net(addr)) return undefined;
  return `${q(addr)} is not a valid IPv4 or IPv6 ${what} or network.`;
}

/** A single address (no prefix) of `family`: forward-port to-addr. */
export function checkSingleAddress(addr: string, family: Family | undefined, what = 'address'): Problem {
  const ok = family === 'ipv4' ? isIPv4(addr) : family === 'ipv6' ? isIPv6(addr) : isIPv4(addr) || isIPv6(addr);
  if (ok) return undefined;
  if (addr.includes('/')) return `${q(addr)} is a network, but the ${what} must be a single address.`;
  return `${q(addr)} is not a valid ${family === 'ipv4' ? 'IPv4 ' : family === 'ipv6' ? 'IPv6 ' : ''}${what}.`;
}

/** functions.py check_mac: six colon-separated pairs of hex digits. */
export function isMac(mac: string): boolean {
  return /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$/.test(mac);
}
export function checkMac(mac: string): Problem {
  return isMac(mac) ? undefined : `${q(mac)} is not a MAC address: write six pairs of hex digits separated by colons, like 52:54:00:12:34:56.`;
}

/** A zone source (fw_zone.check_source): IPv4/IPv6 address or network, MAC, or "ipset:<name>". */
export function checkZoneSource(source: string, ipsets?: ReadonlyArray<{ name: string; type: string }>): Problem {
  if (isIPv4Net(source) || isIPv6Net(source) || isMac(source)) return undefined;
  if (source.startsWith('ipset:')) {
    const name = source.slice(6);
    const nameProblem = checkName('ipset', name);
    if (nameProblem) return nameProblem;
    if (ipsets) {
      const set = ipsets.find((s) => s.name === name);
      if (!set) return `There is no ipset named ${q(name)}.`;
      if (!(SOURCE_IPSET_TYPES as readonly string[]).includes(set.type)) {
        return `The ipset ${q(name)} has type ${set.type}, which cannot be a zone source (usable: ${SOURCE_IPSET_TYPES.join(', ')}).`;
      }
    }
    return undefined;
  }
  return `${q(source)} is not a valid source: use an address or network (192.0.2.0/24, 2001:db8::/32), a MAC address or ipset:<name>.`;
}

/** functions.py checkInterface, tightened to the Linux limit of 15 characters. */
export function checkInterfaceName(name: string): Problem {
  if (name === '') return 'The interface name is empty.';
  if (name.length > 15) return `The interface name ${q(name)} is too long: Linux interface names have at most 15 characters.`;
  const bad = [' ', '/', '!', '*'].find((c) => name.includes(c));
  if (bad) return `The interface name ${q(name)} contains ${q(bad)}, which firewalld does not allow.`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Names of zones, policies, services, ipsets, icmptypes, helpers (core/io/*.py check_name)

export type ObjectKind = keyof typeof NAME_RULES;
const KIND_WORD: Record<ObjectKind, string> = {
  zone: 'zone', policy: 'policy', service: 'service', icmptype: 'ICMP type', helper: 'helper', ipset: 'ipset',
};

export function checkName(kind: ObjectKind, name: string): Problem {
  const rule = NAME_RULES[kind];
  const word = KIND_WORD[kind];
  if (name === '') return `The ${word} name is empty.`;
  for (const ch of name) {
    if (!/[\p{L}\p{N}]/u.test(ch) && !rule.extra.includes(ch)) {
      const allowed = rule.extra.split('').map((c) => `"${c}"`).join(', ');
      return `The ${word} name ${q(name)} contains ${q(ch)}: use letters, digits and ${allowed} only.`;
    }
  }
  if (kind === 'zone' || kind === 'policy') {
    if (name.startsWith('/')) return `The ${word} name ${q(name)} cannot start with "/".`;
    if (name.endsWith('/')) return `The ${word} name ${q(name)} cannot end with "/".`;
    if (name.split('/').length > 2) return `The ${word} name ${q(name)} has more than one "/".`;
  }
  const checked = name.includes('/') ? name.slice(0, name.indexOf('/')) : name;
  if (rule.maxLen !== undefined && checked.length > rule.maxLen) {
    return `The ${word} name ${q(name)} has ${checked.length} characters; firewalld allows at most ${rule.maxLen}.`;
  }
  return undefined;
}

/** An ICMP type name: must be one of firewalld's icmptypes when the list is known. */
export function checkIcmpTypeName(name: string, known?: readonly string[]): Problem {
  if (name === '') return 'The ICMP type is empty.';
  if (known && !known.includes(name)) return `firewalld has no ICMP type named ${q(name)}.`;
  return checkName('icmptype', name);
}

// ---------------------------------------------------------------------------------------------
// Timeouts

/**
 * A timeout as firewall-cmd --timeout takes it: a number of seconds, optionally with s, m or h.
 * Returns seconds, or undefined when it is not a timeout.
 */
export function parseTimeout(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([smh]?)\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A runtime timeout in seconds (D-Bus `i`): 1 to 2^31-1; 0 means "no timeout" and is allowed. */
export function checkTimeout(seconds: number | string, allowZero = true): Problem {
  const n = typeof seconds === 'number' ? seconds : parseTimeout(seconds);
  if (n === undefined || !Number.isInteger(n)) return `${q(String(seconds))} is not a timeout: write seconds, or a number with s, m or h (like 10m).`;
  if (n < 0) return `The timeout ${n} is negative.`;
  if (n === 0 && !allowZero) return 'The timeout must be at least 1 second.';
  if (n > 2147483647) return `The timeout ${n} is too long: at most 2147483647 seconds.`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// ipsets (core/io/ipset.py IPSet.check_entry and _check_config)

export type IpsetType = (typeof IPSET_TYPES)[number];

export function checkIpsetType(type: string): Problem {
  return (IPSET_TYPES as readonly string[]).includes(type)
    ? undefined
    : `${q(type)} is not an ipset type firewalld supports: use one of ${IPSET_TYPES.join(', ')}.`;
}

export function checkIpsetOptions(type: string, options: Record<string, string>): Problem {
  for (const [key, value] of Object.entries(options)) {
    if (!(IPSET_OPTIONS as readonly string[]).includes(key)) return `${q(key)} is not an ipset option: use family, hashsize, maxelem or timeout.`;
    if (key === 'family') {
      if (type === 'hash:mac') return 'An ipset of type hash:mac cannot have a family.';
      if (value !== 'inet' && value !== 'inet6') return `The ipset family ${q(value)} is not valid: use inet (IPv4) or inet6 (IPv6).`;
    } else {
      const n = pyInt(value);
      if (n === undefined) return `The ipset option ${key} must be a whole number, not ${q(value)}.`;
      if (n < 0) return `The ipset option ${key} cannot be negative (${q(value)}).`;
    }
  }
  return undefined;
}

/**
 * One entry of an ipset of `type` (hash:ip, hash:net, hash:mac, hash:ip,port, ...), as
 * firewalld checks it. `family` comes from the ipset's "family" option (inet6 -> ipv6).
 */
export function checkIpsetEntry(entry: string, type: string, options: Record<string, string> = {}): Problem {
  const family: Family = options.family === 'inet6' ? 'ipv6' : 'ipv4';
  const fam = family === 'ipv6' ? 'IPv6' : 'IPv4';
  if (!type.startsWith('hash:')) return `The ipset type ${q(type)} is not usable.`;
  const flags = type.slice(5).split(',');
  const items = entry.split(',');
  if (entry === '') return 'The entry is empty.';
  if (flags.length !== items.length) {
    return `${q(entry)} does not fit an ipset of type ${type}: it needs ${flags.length} part${flags.length > 1 ? 's' : ''} (${flags.join(',')}) separated by commas.`;
  }
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]!;
    const item = items[i]!;
    const where = flags.length > 1 ? ` in ${q(entry)}` : '';
    if (flag === 'ip') {
      if (item.includes('-') && family === 'ipv4') {
        if (i > 1) return `${q(item)}${where} cannot be an address range at this position.`;
        const parts = item.split('-');
        if (parts.length !== 2) return `${q(item)}${where} is not a valid address range (like 192.0.2.1-192.0.2.9).`;
        for (const p of parts) if (!isIPv4(p)) return `${q(p)}${where} is not a valid IPv4 address.`;
      } else if (family === 'ipv4') {
        if (item === '0.0.0.0') return `0.0.0.0${where} cannot be an ipset entry.`;
        const ok = i === 0 ? isIPv4Net(item) : isIPv4(item);
        if (!ok) return `${q(item)}${where} is not a valid IPv4 address${i === 0 ? ' or network' : ''}.`;
      } else if (!isIPv6(item)) {
        return `${q(item)}${where} is not a valid IPv6 address (the ipset family is inet6).`;
      }
    } else if (flag === 'net') {
      if (item.includes('-')) {
        const parts = item.split('-');
        if (parts.length !== 2) return `${q(item)}${where} is not a valid address range.`;
        if (!(family === 'ipv4' ? isIPv4(parts[0]!) : isIPv6(parts[0]!))) return `${q(parts[0]!)}${where} is not a valid ${fam} address.`;
        if (!(family === 'ipv4' ? isIPv4Net(parts[1]!) : isIPv6Net(parts[1]!))) return `${q(parts[1]!)}${where} is not a valid ${fam} address.`;
      } else {
        if (item.endsWith('/0') && !(family === 'ipv6' && i === 0 && type === 'hash:net,iface')) {
          return `${q(item)}${where}: a /0 network cannot be an ipset entry.`;
        }
        if (!(family === 'ipv4' ? isIPv4Net(item) : isIPv6Net(item))) {
          return `${q(item)}${where} is not a valid ${fam} network (the ipset family is ${family === 'ipv6' ? 'inet6' : 'inet'}).`;
        }
      }
    } else if (flag === 'mac') {
      if (!isMac(item) || item === '00:00:00:00:00:00') return `${q(item)}${where} is not a valid MAC address (00:00:00:00:00:00 is not allowed).`;
    } else if (flag === 'port') {
      if (item.includes(':')) {
        const parts = item.split(':');
        if (parts.length !== 2) return `${q(item)}${where} is not a valid port: use proto:port, like tcp:80.`;
        const [proto, port] = parts as [string, string];
        if (proto === 'icmp') {
          if (family !== 'ipv4') return `icmp${where} needs an inet (IPv4) ipset; use icmpv6 here.`;
          if (!(port in ICMP_TYPES) && !Object.values(ICMP_TYPES).includes(port)) return `${q(port)}${where} is not an ICMP type name or type/code.`;
        } else if (proto === 'icmpv6' || proto === 'ipv6-icmp') {
          if (family !== 'ipv6') return `${proto}${where} needs an inet6 (IPv6) ipset.`;
          // firewalld 1.3.3 checks icmpv6 *names* against the IPv4 table (core/icmp.py check_icmpv6_name).
          if (!(port in ICMP_TYPES) && !Object.values(ICMPV6_TYPES).includes(port)) return `${q(port)}${where} is not an ICMPv6 type name or type/code.`;
        } else if (!['tcp', 'sctp', 'udp', 'udplite'].includes(proto) && !isProtocol(proto)) {
          return `${q(proto)}${where} is not a known protocol.`;
        } else if (!isFirewalldPort(port)) {
          return `${q(port)}${where} is not a valid port.`;
        }
      } else if (!isFirewalldPort(item)) {
        return `${q(item)}${where} is not a valid port.`;
      }
    } else if (flag === 'mark') {
      const n = item.startsWith('0x') ? (/^0x[0-9a-fA-F]+$/.test(item) ? parseInt(item.slice(2), 16) : undefined) : pyInt(item);
      if (n === undefined || n < 0 || n > 4294967295) return `${q(item)}${where} is not a valid mark (0 to 4294967295, or hex like 0x10).`;
    } else if (flag === 'iface') {
      const p = checkInterfaceName(item);
      if (p) return `${p.replace(/\.$/, '')}${where}.`;
    } else {
      return `The ipset type ${q(type)} is not usable.`;
    }
  }
  return undefined;
}

export interface IpsetImportLine {
  line: number;
  entry: string;
}
export interface IpsetImportResult {
  entries: string[];
  problems: Array<{ line: number; entry: string; message: string }>;
  duplicates: number;
}

/**
 * Reads an ipset entries file like `firewall-cmd --add-entries-from-file` does (one entry per
 * line; blank lines and lines starting with # or ; are skipped), checks each entry for the
 * set's type and drops duplicates. Entries already in `existing` count as duplicates.
 */
export function parseIpsetEntriesFile(
  text: string,
  type: string,
  options: Record<string, string> = {},
  existing?: ReadonlySet<string>,
): IpsetImportResult {
  const entries: string[] = [];
  const problems: IpsetImportResult['problems'] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const entry = lines[i]!.trim();
    if (entry === '' || entry.startsWith('#') || entry.startsWith(';')) continue;
    const problem = checkIpsetEntry(entry, type, options);
    if (problem) {
      problems.push({ line: i + 1, entry, message: problem });
      continue;
    }
    if (seen.has(entry) || existing?.has(entry)) {
      duplicates++;
      continue;
    }
    seen.add(entry);
    entries.push(entry);
  }
  return { entries, problems, duplicates };
}
