import { ApiError } from '../../shared/api/errors';
import { checkText, planText } from '../../shared/dns/check';
import type { DnsPlan } from '../../shared/dns/contract';
import { diagnose } from '../../shared/dns/diagnostics';
import { readGlibc } from '../../shared/dns/glibc';
import { buildPodResolvConf, dnsConfigYaml, validatePodDnsConfig, type PodDnsConfig } from '../../shared/dns/kubernetes';
import type { QueryPlan } from '../../shared/dns/plan';
import type { FeatureHandlers, Host } from '../api/context';
import { helperBackupDir, writeFileResultSchema } from '../../shared/helper/protocol';
import { helperWritablePath } from '../../shared/helper/rules';
import { unwrapHelper } from '../helper/call';
import { helperStatus } from '../helper/handlers';
import { hostHelper } from '../helper/host';
import { polkitVerdict } from '../helper/local';
import { POLKIT_ACTION_ID } from '../helper/source';
import { checkReadablePath, fromText, hostPath, readResolvFile, toText } from './files';
import { hostInterfaces, hostLinks } from './interfaces';
import { liveCheck } from './live-check';
import { detectOwner } from './owner';
import { readResolved } from './resolved';

/** The host's hostname (the default search domain when resolv.conf has none), or undefined. */
async function hostnameOf(host: Host): Promise<string | undefined> {
  return (await host.transport.describe()).hostname || undefined;
}

export function toPlanOutput(p: QueryPlan): DnsPlan {
  const out: DnsPlan = { libc: p.libc, input: p.input, queries: p.queries.map((q) => q.name), steps: p.queries, types: p.types, packets: p.packets, advice: p.advice };
  if (p.stop) out.stop = p.stop;
  return out;
}

/** The bytes to analyse: literal text from the caller, or the file under the host root. */
async function source(host: Host, input: { path?: string; text?: string }, attrs = false): Promise<{ path: string; bytes: string; file?: Awaited<ReturnType<typeof readResolvFile>> }> {
  if (input.text !== undefined) return { path: input.path ?? '(text)', bytes: fromText(input.text, 'utf8') };
  const f = await readResolvFile(host, input.path, { attrs });
  return { path: f.path, bytes: f.bytes, file: f };
}

/** What the current route can do: a save that polkit will refuse is not offered as possible. */
async function writeRoute(host: Host): Promise<{ writable: boolean; writeNote: string | null }> {
  if (host.readOnly) return { writable: false, writeNote: `${host.label} is read-only` };
  const status = helperStatus(host);
  if (!status.available && !status.missing.length) return { writable: false, writeNote: host.summary().capabilities.missing.writes ?? `${host.label} takes no changes` };
  if (!status.available) return { writable: false, writeNote: `The helper cannot run here: ${status.missing.map((m) => m.what).join('; ')}` };
  if (status.via !== 'pkexec') return { writable: true, writeNote: null };
  const verdict = await polkitVerdict();
  if (verdict === 'refused') return { writable: false, writeNote: `polkit refuses HostDeck's action (${POLKIT_ACTION_ID}) for this user: ask an administrator for a rule, or save as root` };
  return { writable: true, writeNote: verdict === 'challenge' ? 'Saving asks for the administrator password (pkexec)' : null };
}

export const dnsHandlers: FeatureHandlers<'dns'> = {
  async read({ host, mode }, input) {
    checkReadablePath(mode, input.path);
    const f = await readResolvFile(host, input.path, { attrs: true });
    const owner = await detectOwner(host.transport, f.hostPath, { shown: f.path, facts: f.facts });
    return { path: f.path, exists: f.exists, ...toText(f.bytes), sha256: f.sha256, owner, hostname: (await hostnameOf(host)) ?? null, ...(await writeRoute(host)) };
  },

  async check({ host, mode }, input) {
    if (input.text === undefined) checkReadablePath(mode, input.path);
    const src = await source(host, input, true);
    const hostname = input.hostname ?? (await hostnameOf(host));
    const core = checkText(src.bytes, input.libc, { hostname, env: input.env, interfaces: await hostInterfaces(host) });
    const owner = src.file ? await detectOwner(host.transport, src.file.hostPath, { shown: src.file.path, facts: src.file.facts }) : null;
    return { path: src.path, ...core, owner };
  },

  async plan({ host, mode }, input) {
    if (input.text === undefined) checkReadablePath(mode, input.path);
    const src = await source(host, input);
    const hostname = input.hostname ?? (await hostnameOf(host));
    return toPlanOutput(planText(input.name, src.bytes, input.libc, { hostname, env: input.env, family: input.family, existing: input.existing, interfaces: await hostInterfaces(host) }));
  },

  async pod({ host }, input) {
    let node: string | null;
    if (input.nodeResolvConf === undefined) node = (await readResolvFile(host)).bytes;
    else node = input.nodeResolvConf === null ? null : fromText(input.nodeResolvConf, 'utf8');
    const dnsConfig = input.dnsConfig as PodDnsConfig | undefined;
    const r = buildPodResolvConf({ policy: input.policy, hostNetwork: input.hostNetwork, namespace: input.namespace, clusterDomain: input.clusterDomain, clusterDns: input.clusterDns, nodeResolvConf: node, dnsConfig });
    const plans = input.names.map((n) => toPlanOutput(planText(n, r.resolvConf, input.libc)));
    return {
      ...r,
      validation: validatePodDnsConfig(input.policy, dnsConfig),
      yaml: dnsConfigYaml(input.policy, dnsConfig ?? {}),
      plans,
      warnings: diagnose(r.resolvConf).diagnostics,
    };
  },

  async liveCheck({ host }, input) {
    let servers = input.servers;
    if (!servers) {
      const bytes = input.text !== undefined ? fromText(input.text, 'utf8') : (await readResolvFile(host)).bytes;
      servers = readGlibc(bytes).used.map((s) => (s.scope ? `${s.address}%${s.scope}` : s.address));
    }
    return { name: input.name, type: input.type, results: await liveCheck(servers, input.name, input.type, input.timeoutMs) };
  },

  async resolved({ host }) {
    const links = await hostLinks(host, { withType: true });
    return readResolved(() => host.transport.systemBus(), 3000, links);
  },

  async save({ host }, input) {
    const hp = hostPath(input.path);
    if (helperWritablePath(hp) !== 'resolv') {
      throw new ApiError('INVALID_VALUE', `HostDeck saves only /etc/resolv.conf, not ${input.path}`, { path: input.path });
    }
    const shown = host.transport.displayPath(hp);
    const bytes = fromText(input.text, input.encoding);
    const d = diagnose(bytes);
    if (d.dangerous && !input.confirm) {
      const bad = d.diagnostics.filter((x) => x.dangerous);
      throw new ApiError('NEEDS_CONFIRMATION', `This file has dangerous settings: ${bad.map((b) => `line ${b.line}: ${b.message}`).join(' ')} Save again with confirmation to write it anyway.`, { warnings: bad });
    }
    const owner = await detectOwner(host.transport, hp, { shown });
    if (owner.managed && !input.overrideOwner) {
      throw new ApiError('CONFLICT', `${shown} is managed by ${owner.name}; your change would be overwritten or refused. ${owner.changeInstead[0] ?? ''}`, { owner });
    }
    if (input.expectedSha256 !== null && !/^[0-9a-f]{64}$/.test(input.expectedSha256)) throw new ApiError('INVALID_INPUT', 'expectedSha256 must be the sha256 dns.read returned');
    // The bytes the review showed, byte for byte, through the helper (pkexec, root, or an image's
    // --root, where every directory is opened without following links).
    const answer = await hostHelper(host, { verb: 'write-file', path: hp, content: Buffer.from(bytes, 'latin1').toString('base64'), expectedSha256: input.expectedSha256 }, { elevate: true });
    const r = unwrapHelper(answer, writeFileResultSchema);
    return { path: shown, sha256: r.sha256, backupPath: r.backup ? host.transport.displayPath(`${helperBackupDir(hp)}/${r.backup}`) : null, inPlace: r.inPlace, notes: r.notes ?? [] };
  },
};
