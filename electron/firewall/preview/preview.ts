import { ApiError } from '../../../shared/api/errors';
import { attributeRuleset, NftJsonError, parseNftRuleset } from '../../../shared/firewall/rules';
import type { PreviewReport } from '../../../shared/firewall/preview/contract';
import type { Host } from '../../hosts/transport';
import { ETC, readOfflineConfig, USR_LIB } from '../offline/reader';
import { withThrowawayFirewalld } from './throwaway';

/**
 * firewall.preview: the ruleset the host's configuration files would make. The files are read
 * through the host's transport (an image's root, an SSH host's agent, this machine), exactly the
 * ones the offline reader loads; on a live host these are its permanent configuration, pending
 * permanent changes included (firewalld writes them to /etc/firewalld at once). They are loaded
 * into a throwaway firewalld on this machine (throwaway.ts); nothing on the host changes.
 */

const DIRS = ['zones', 'policies', 'services', 'ipsets', 'icmptypes', 'helpers'];
/** Files firewalld reads besides the kinds' directories. */
const SINGLES = ['firewalld.conf', 'direct.xml', 'lockdown-whitelist.xml'];
const MAX_FILE = 64 * 1024 * 1024;

async function configFiles(host: Host): Promise<{ defaults: Map<string, Buffer>; system: Map<string, Buffer> }> {
  const t = host.transport;
  const trees = { defaults: new Map<string, Buffer>(), system: new Map<string, Buffer>() };
  const bases = [[USR_LIB, trees.defaults], [ETC, trees.system]] as const;
  const listings = await t.read(bases.flatMap(([base]) => DIRS.map((d) => ({ path: `${base}/${d}`, list: true, follow: true }))));
  const wanted: Array<{ path: string; rel: string; into: Map<string, Buffer> }> = [];
  bases.forEach(([base, into], b) => {
    DIRS.forEach((d, i) => {
      for (const e of listings[b * DIRS.length + i]!.entries ?? []) if (e.name.endsWith('.xml') && !e.name.startsWith('.')) wanted.push({ path: `${base}/${d}/${e.name}`, rel: `${d}/${e.name}`, into });
    });
    for (const f of SINGLES) wanted.push({ path: `${base}/${f}`, rel: f, into });
  });
  const read = await t.read(wanted.map((w) => ({ path: w.path, content: true, follow: true, maxBytes: MAX_FILE })));
  read.forEach((f, i) => {
    const w = wanted[i]!;
    if (f.bytes) w.into.set(w.rel, f.bytes);
    else if (f.error && f.error.code !== 'ENOENT') throw new ApiError('IO_ERROR', `${t.displayPath(w.path)}: ${f.error.message}`);
  });
  return trees;
}

export async function previewOnHost(host: Host, input: { zone?: string; policy?: string }): Promise<PreviewReport> {
  if (input.zone && input.policy) throw new ApiError('INVALID_INPUT', 'zone and policy exclude each other: ask for one');
  // The model the rules are attributed with: the same files, read as firewalld loads them.
  const config = await readOfflineConfig(host.transport);
  const bad = config.problems.filter((p) => p.severity === 'error');
  if (bad.length) {
    throw new ApiError('INVALID_INPUT', `firewalld would not load this configuration, so it has no ruleset to preview: ${bad.slice(0, 5).map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.element}: ${p.message}`).join('; ')}${bad.length > 5 ? ` (and ${bad.length - 5} more)` : ''}`);
  }
  const s = config.state;
  if (input.zone && !s.permanent.zones[input.zone]) throw new ApiError('NOT_FOUND', `There is no zone "${input.zone}" in the configuration of ${host.label}`);
  if (input.policy && !s.permanent.policies[input.policy]) throw new ApiError('NOT_FOUND', `There is no policy "${input.policy}" in the configuration of ${host.label}`);
  const files = await configFiles(host);
  return withThrowawayFirewalld(files, async (fw) => {
    let parsed;
    try {
      parsed = parseNftRuleset(await fw.ruleset());
    } catch (e) {
      if (e instanceof NftJsonError) throw new ApiError('PARSE_ERROR', `nft -j list ruleset of the preview: ${e.message}`);
      throw e;
    }
    const report = attributeRuleset(parsed, s.permanent, { defaultZone: s.global.defaultZone, logDenied: s.global.logDenied, zone: input.zone, policy: input.policy });
    const source = `the configuration files of ${host.label}: ${s.offline!.dirs.join(' + ')}`;
    const notes = [
      `Preview: the ruleset firewalld ${fw.version} makes from ${source}, in a throwaway network namespace; nothing on ${host.label} changed.`,
      ...(fw.version !== s.offline!.version ? [`The configuration is for firewalld ${s.offline!.version} (${s.offline!.versionFrom}); the preview ran this machine's firewalld ${fw.version}.`] : []),
      ...(s.config.FirewallBackend && s.config.FirewallBackend !== 'nftables' ? [`FirewallBackend=${s.config.FirewallBackend}: the host would use iptables; the nftables rules shown are what the nftables backend makes.`] : []),
    ];
    return { ...report, notes: [...notes, ...report.notes], firewalldVersion: fw.version, source };
  });
}
