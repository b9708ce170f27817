import { stringify } from 'yaml';
import { cLine, parseDocument } from './document';

/**
 * The pod resolv.conf exactly as the kubelet builds it (pkg/kubelet/network/dns/dns.go:
 * GetPodDNS, parseResolvConf, appendDNSConfig, mergeDNSOptions, formDNSConfigFitsLimits), with
 * ExpandedDNSConfig limits (GA 1.28): 3 nameservers, 32 search domains, 2048 characters.
 * Where the kubelet iterates a Go map (option order), we keep first-appearance order and say
 * that the real order is not stable.
 */

export type DnsPolicy = 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';

export interface PodDnsConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}

export interface PodDnsInput {
  policy: DnsPolicy;
  hostNetwork?: boolean;
  namespace: string;
  clusterDomain?: string;
  /** kubelet clusterDNS; empty makes ClusterFirst fall back to Default. */
  clusterDns?: string[];
  /** The kubelet's --resolv-conf file content (byte string); null = --resolv-conf="". */
  nodeResolvConf: string | null;
  /** Node IP families for --resolv-conf="" (default IPv4). */
  nodeIpFamilies?: (4 | 6)[];
  dnsConfig?: PodDnsConfig;
}

export interface PodDnsEvent {
  reason: 'DNSConfigForming' | 'MissingClusterDNS' | 'HostFileParseError' | 'InvalidDNSConfig';
  message: string;
}

export interface PodDnsResult {
  effectivePolicy: 'cluster' | 'host' | 'none';
  nameservers: string[];
  searches: string[];
  options: string[];
  /** The file the container sees. */
  resolvConf: string;
  events: PodDnsEvent[];
  /** True when the order of `options` comes from a Go map (differs between pods). */
  optionsOrderUnstable: boolean;
}

export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
const DNS1123_SUBDOMAIN_MAX = 253;

/** The kubelet's own resolv.conf parser (not glibc's): TrimSpace, # comments, last search wins. */
export function kubeletParseResolvConf(text: string): { nameservers: string[]; searches: string[]; options: string[]; errors: string[] } {
  const nameservers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  const errors: string[] = [];
  for (const raw of text.split('\n')) {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/).filter((f) => f !== '');
    if (fields.length === 0) continue;
    if (fields[0] === 'nameserver') {
      if (fields.length >= 2) nameservers.push(fields[1]!);
      else errors.push('nameserver list is empty ');
    }
    if (fields[0] === 'search') {
      searches = fields.slice(1).filter((s) => s !== '.').map((s) => (s.endsWith('.') ? s.slice(0, -1) : s));
    }
    if (fields[0] === 'options') options = appendOptions(options, fields.slice(1));
  }
  return { nameservers, searches, options, errors };
}

/** appendOptions: merge by name ("ndots" of "ndots:5"); the later one replaces the earlier in place. */
function appendOptions(options: string[], more: string[]): string[] {
  const m = new Map<string, string>();
  for (const o of [...options, ...more]) m.set(o.split(':')[0]!, o);
  return [...m.values()];
}

function omitDuplicates(xs: string[]): string[] {
  return [...new Set(xs)];
}

function mergeDnsOptions(existing: string[], extra: PodDnsConfig['options']): string[] {
  const m = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(':');
    if (i >= 0) m.set(op.slice(0, i), op.slice(i + 1));
    else m.set(op, '');
  }
  for (const op of extra ?? []) m.set(op.name, op.value ?? '');
  return [...m.entries()].map(([k, v]) => (v !== '' ? `${k}:${v}` : k));
}

export function buildPodResolvConf(input: PodDnsInput): PodDnsResult {
  const events: PodDnsEvent[] = [];
  let servers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  let unstable = false;
  if (input.nodeResolvConf !== null) {
    const host = kubeletParseResolvConf(input.nodeResolvConf);
    if (host.errors.length) {
      events.push({ reason: 'HostFileParseError', message: `Encountered error while parsing resolv conf file: ${host.errors.join('; ')} (the kubelet cannot create the pod's sandbox)` });
    }
    servers = host.nameservers;
    searches = host.searches;
    options = host.options;
    if (host.options.length > 1) unstable = true;
  }
  let kind: PodDnsResult['effectivePolicy'];
  switch (input.policy) {
    case 'None':
      kind = 'none';
      break;
    case 'ClusterFirstWithHostNet':
      kind = 'cluster';
      break;
    case 'ClusterFirst':
      kind = input.hostNetwork ? 'host' : 'cluster';
      break;
    default:
      kind = 'host';
  }
  const clusterDns = input.clusterDns ?? [];
  if (kind === 'none') {
    servers = [];
    searches = [];
    options = [];
    unstable = false;
    if (!input.dnsConfig?.nameservers?.length) {
      events.push({ reason: 'InvalidDNSConfig', message: 'dnsPolicy None needs dnsConfig with at least one nameserver (the API server rejects the pod).' });
    }
  } else if (kind === 'cluster' && clusterDns.length > 0) {
    servers = [...clusterDns];
    const d = input.clusterDomain ?? '';
    if (d !== '') searches = omitDuplicates([`${input.namespace}.svc.${d}`, `svc.${d}`, d, ...searches]);
    options = ['ndots:5'];
    unstable = false;
  } else {
    if (kind === 'cluster') {
      events.push({ reason: 'MissingClusterDNS', message: `kubelet does not have ClusterDNS IP configured and cannot create Pod using "${input.policy}" policy. Falling back to "Default" policy.` });
      kind = 'host';
    }
    if (input.nodeResolvConf === null) {
      servers = [];
      for (const f of input.nodeIpFamilies ?? []) servers.push(f === 6 ? '::1' : '127.0.0.1');
      if (servers.length === 0) servers.push('127.0.0.1');
      searches = ['.'];
    }
  }
  if (input.dnsConfig) {
    servers = omitDuplicates([...servers, ...(input.dnsConfig.nameservers ?? [])]);
    searches = omitDuplicates([...searches, ...(input.dnsConfig.searches ?? [])]);
    const before = options.length;
    options = mergeDnsOptions(options, input.dnsConfig.options);
    if (options.length > 1 || before > 1) unstable = true;
  }
  if (servers.length > MAX_DNS_NAMESERVERS) {
    servers = servers.slice(0, MAX_DNS_NAMESERVERS);
    events.push({ reason: 'DNSConfigForming', message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${servers.join(' ')}` });
  }
  let exceeded = false;
  if (searches.length > MAX_DNS_SEARCH_PATHS) {
    searches = searches.slice(0, MAX_DNS_SEARCH_PATHS);
    exceeded = true;
  }
  const kept = searches.filter((s) => s.length <= DNS1123_SUBDOMAIN_MAX);
  if (kept.length !== searches.length) exceeded = true;
  searches = kept;
  const lineLen = searches.join(' ').length;
  if (lineLen > MAX_DNS_SEARCH_LIST_CHARS) {
    let cutLen = 0;
    let cutNum = 0;
    for (let i = searches.length - 1; i >= 0; i--) {
      cutLen += searches[i]!.length + 1;
      cutNum++;
      if (lineLen - cutLen <= MAX_DNS_SEARCH_LIST_CHARS) break;
    }
    searches = searches.slice(0, searches.length - cutNum);
    exceeded = true;
  }
  if (exceeded) {
    events.push({ reason: 'DNSConfigForming', message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${searches.join(' ')}` });
  }
  return { effectivePolicy: kind, nameservers: servers, searches, options, resolvConf: formatPodResolvConf(servers, searches, options), events, optionsOrderUnstable: unstable };
}

/** The file as the container runtime writes it (containerd/CRI-O: search, nameserver, options). */
export function formatPodResolvConf(servers: string[], searches: string[], options: string[]): string {
  let out = '';
  if (searches.length) out += `search ${searches.join(' ')}\n`;
  for (const s of servers) out += `nameserver ${s}\n`;
  if (options.length) out += `options ${options.join(' ')}\n`;
  return out;
}

/** A pod spec fragment with dnsPolicy and dnsConfig, ready to paste. */
export function dnsConfigYaml(policy: DnsPolicy, cfg: PodDnsConfig): string {
  const dnsConfig: Record<string, unknown> = {};
  if (cfg.nameservers?.length) dnsConfig.nameservers = cfg.nameservers;
  if (cfg.searches?.length) dnsConfig.searches = cfg.searches;
  if (cfg.options?.length) dnsConfig.options = cfg.options.map((o) => (o.value !== undefined ? { name: o.name, value: o.value } : { name: o.name }));
  const spec: Record<string, unknown> = { dnsPolicy: policy };
  if (Object.keys(dnsConfig).length) spec.dnsConfig = dnsConfig;
  return stringify({ spec });
}

/** Validates a dnsConfig as the API server does (ExpandedDNSConfig + RelaxedDNSSearchValidation). */
export function validatePodDnsConfig(policy: DnsPolicy, cfg: PodDnsConfig | undefined): string[] {
  const errs: string[] = [];
  const ns = cfg?.nameservers ?? [];
  if (policy === 'None' && ns.length === 0) errs.push('spec.dnsConfig.nameservers: required when dnsPolicy is None');
  if (ns.length > MAX_DNS_NAMESERVERS) errs.push(`spec.dnsConfig.nameservers: must not have more than ${MAX_DNS_NAMESERVERS} nameservers`);
  for (const n of ns) if (!/^[\d.]+$|:/.test(n)) errs.push(`spec.dnsConfig.nameservers: "${n}" must be a valid IP address`);
  const s = cfg?.searches ?? [];
  if (s.length > MAX_DNS_SEARCH_PATHS) errs.push(`spec.dnsConfig.searches: must not have more than ${MAX_DNS_SEARCH_PATHS} search paths`);
  if (s.join(' ').length > MAX_DNS_SEARCH_LIST_CHARS) errs.push(`spec.dnsConfig.searches: must not have more than ${MAX_DNS_SEARCH_LIST_CHARS} characters (including spaces) in the search list`);
  for (const d of s) {
    if (d === '.') continue;
    const name = d.endsWith('.') ? d.slice(0, -1) : d;
    if (name.length > 253 || !/^[a-z0-9_]([-a-z0-9_]*[a-z0-9])?(\.[a-z0-9_]([-a-z0-9_]*[a-z0-9])?)*$/.test(name)) {
      errs.push(`spec.dnsConfig.searches: "${d}" must be a lowercase RFC 1123 subdomain`);
    }
  }
  for (const o of cfg?.options ?? []) if (!o.name) errs.push('spec.dnsConfig.options: name is required');
  return errs;
}

/** Lines of a host file the kubelet reads differently from glibc (for the pod view). */
export function kubeletDifferences(text: string): { line: number; message: string }[] {
  const out: { line: number; message: string }[] = [];
  parseDocument(text).lines.forEach((l, i) => {
    const t = cLine(l).replace(/\n$/, '');
    if (/^domain[ \t]/.test(t)) out.push({ line: i + 1, message: 'The kubelet ignores "domain" lines: pods do not get this domain.' });
    if (t.startsWith(';')) out.push({ line: i + 1, message: 'The kubelet does not treat ";" as a comment.' });
  });
  return out;
}
