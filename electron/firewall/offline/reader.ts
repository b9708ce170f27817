import { createHash } from 'node:crypto';
import { entriesDigest } from '../../../shared/firewall/ipset-digest';
import type { ActiveBinding, FullState, LayerState } from '../../../shared/firewall/model';
import { checkConfiguration } from '../../../shared/firewall/offline/check';
import { parseConfigFile, parseFirewalldConf, type ConfigKind, type ConfigProblem, type ParsedObject } from '../../../shared/firewall/offline/parse';
import type { FileFacts, HostTransport } from '../../hosts/transport';

/**
 * firewalld's permanent configuration read from the files, as firewalld reads it at start
 * (core/io/functions.py check_on_disk_config, fw.py _loader): for each kind the defaults in
 * /usr/lib/firewalld, then /etc/firewalld, a file there replacing the default of the same name
 * ("modified from the default"); firewalld.conf from /etc/firewalld. Files come through the
 * host's transport (an image's root as if chrooted, an SSH host's agent), bounded in size.
 */

export const USR_LIB = '/usr/lib/firewalld';
export const ETC = '/etc/firewalld';
const KINDS: Array<{ kind: ConfigKind; dir: string; key: keyof LayerState }> = [
  { kind: 'ipset', dir: 'ipsets', key: 'ipsets' },
  { kind: 'helper', dir: 'helpers', key: 'helpers' },
  { kind: 'icmptype', dir: 'icmptypes', key: 'icmptypes' },
  { kind: 'service', dir: 'services', key: 'services' },
  { kind: 'zone', dir: 'zones', key: 'zones' },
  { kind: 'policy', dir: 'policies', key: 'policies' },
];
/** Per file: firewalld's files are kilobytes; an ipset with a million entries is tens of MiB. */
const MAX_XML_BYTES = 8 * 1024 * 1024;
const MAX_IPSET_BYTES = 64 * 1024 * 1024;
/** The firewalld whose rules this reader implements (shared/firewall/data/firewalld-constants.ts). */
export const IMPLEMENTED_VERSION = '1.3.3';

export interface OfflineConfig {
  state: FullState;
  entries: Map<string, string[]>;
  problems: ConfigProblem[];
  /** Host path of each object's file, by "kind/name". */
  files: Map<string, string>;
  /** Where each object comes from, by "kind/name" (for writes: is there a default, an /etc copy, its sha256). */
  sources: Map<string, { path: string; builtin: boolean; inEtc: boolean; sha256?: string }>;
  /** firewalld.conf as read (undefined when missing). */
  conf: { text?: string; sha256?: string };
  /**
   * What did not load (unreadable.ts): an object file that could not be read or parsed (its
   * object is absent from the model), a kind's directory or firewalld.conf that could not be
   * read (so a file there may replace what this read shows). Writes that depend on one are refused.
   */
  unloaded: UnloadedFile[];
}

export interface UnloadedFile {
  /** An object's file ("kind/name"), a kind's directory, or firewalld.conf. */
  what: { object: { kind: ConfigKind; name: string } } | { dir: ConfigKind } | { conf: true };
  path: string;
  shown: string;
  /** The transport's code (NOT_REGULAR, TIMEOUT, EACCES, TOO_LARGE, ...) or the parser's. */
  code: string;
  message: string;
  line?: number;
}

const problemOf = (t: HostTransport, f: FileFacts, element: string): ConfigProblem => ({
  file: t.displayPath(f.path),
  element,
  code: f.error?.code ?? 'IO_ERROR',
  message: f.error?.message ?? 'unreadable',
  severity: 'error',
});

/** The firewalld version of the host's files: its package database, else the Python module, else assumed. */
export async function firewalldVersion(t: HostTransport): Promise<{ version: string; from: string }> {
  const [dpkg, pyDist, docs] = await t.read([
    { path: '/var/lib/dpkg/status', content: true, follow: true, maxBytes: 64 * 1024 * 1024 },
    { path: '/usr/lib/python3/dist-packages/firewall/config/__init__.py', content: true, follow: true, maxBytes: 1024 * 1024 },
    { path: '/usr/share/doc', list: true, follow: true },
  ]);
  if (dpkg?.bytes) {
    for (const stanza of dpkg.bytes.toString('utf8').split(/\n\n+/)) {
      if (!/^Package: firewalld$/m.test(stanza) || !/^Status: install ok installed$/m.test(stanza)) continue;
      const v = /^Version: (?:\d+:)?([^\s-]+)/m.exec(stanza);
      if (v) return { version: v[1]!, from: `the package database (${t.displayPath('/var/lib/dpkg/status')})` };
    }
  }
  const py = pyDist?.bytes ? /^VERSION = '([^']+)'/m.exec(pyDist.bytes.toString('utf8')) : null;
  if (py) return { version: py[1]!, from: `firewalld's Python module (${t.displayPath(pyDist!.path)})` };
  // RPM systems: /usr/share/doc/firewalld-X.Y.Z (the rpm database itself is a binary file).
  const doc = docs?.entries?.map((e) => /^firewalld-(\d+\.\d+\.\d+)$/.exec(e.name)?.[1]).find(Boolean);
  if (doc) return { version: doc, from: `its documentation directory (${t.displayPath(`/usr/share/doc/firewalld-${doc}`)})` };
  return { version: IMPLEMENTED_VERSION, from: 'assumed: no package database or firewalld module found under the root' };
}

export async function readOfflineConfig(t: HostTransport): Promise<OfflineConfig> {
  const problems: ConfigProblem[] = [];
  const listings = await t.read(KINDS.flatMap(({ dir }) => [USR_LIB, ETC].map((base) => ({ path: `${base}/${dir}`, list: true, follow: true }))));
  // name -> host path; /etc replaces /usr/lib file by file.
  const unloaded: UnloadedFile[] = [];
  const chosen = new Map<string, { kind: ConfigKind; name: string; path: string; builtin: boolean; overridden: boolean }>();
  KINDS.forEach(({ kind, dir }, k) => {
    for (const [j, base] of [USR_LIB, ETC].entries()) {
      const l = listings[k * 2 + j]!;
      // Unread, a directory's files may replace (in /etc) or be (in /usr/lib) what this read shows: firewalld, as root, reads them.
      if (l.error && l.error.code !== 'ENOENT') {
        problems.push(problemOf(t, l, `${base}/${dir}`));
        unloaded.push({ what: { dir: kind }, path: `${base}/${dir}`, shown: t.displayPath(`${base}/${dir}`), code: l.error.code, message: l.error.message });
      }
      for (const e of l.entries ?? []) {
        if (!e.name.endsWith('.xml')) continue;
        const name = e.name.slice(0, -4);
        const had = chosen.get(`${kind}/${name}`);
        chosen.set(`${kind}/${name}`, { kind, name, path: `${base}/${dir}/${e.name}`, builtin: j === 0 || !!had?.builtin, overridden: j === 1 && !!had });
      }
    }
  });
  const picks = [...chosen.values()];
  const [confFacts, ...files] = await t.read([
    { path: `${ETC}/firewalld.conf`, content: true, follow: true, maxBytes: 1024 * 1024 },
    ...picks.map((p) => ({ path: p.path, content: true, follow: true, maxBytes: p.kind === 'ipset' ? MAX_IPSET_BYTES : MAX_XML_BYTES })),
  ]);
  const layer: LayerState = { zones: {}, policies: {}, services: {}, ipsets: {}, icmptypes: {}, helpers: {} };
  const entries = new Map<string, string[]>();
  const fileOf = new Map<string, string>();
  const sources: OfflineConfig['sources'] = new Map();
  picks.forEach((p, i) => {
    const f = files[i]!;
    sources.set(`${p.kind}/${p.name}`, { path: p.path, builtin: p.builtin, inEtc: p.path.startsWith(`${ETC}/`), sha256: f.sha256 });
    const shown = t.displayPath(p.path);
    const what = { object: { kind: p.kind, name: p.name } };
    if (!f.bytes) {
      const problem = problemOf(t, f, `${p.kind} ${p.name}`);
      unloaded.push({ what, path: p.path, shown, code: problem.code, message: problem.message });
      return void problems.push(problem);
    }
    const r = parseConfigFile(p.kind, `${p.name}.xml`, shown, f.bytes.toString('utf8'));
    problems.push(...r.problems);
    if (!r.parsed) {
      const why = r.problems.find((x) => x.severity === 'error') ?? r.problems[0];
      return void unloaded.push({ what, path: p.path, shown, code: why?.code ?? 'PARSE_ERROR', message: why ? `${why.element}: ${why.message}` : 'does not load', line: why?.line });
    }
    const meta = { builtin: p.builtin, default: p.builtin && !p.overridden, filename: `${p.name}.xml`, path: p.path.slice(0, p.path.lastIndexOf('/')) };
    const parsed: ParsedObject = r.parsed;
    fileOf.set(`${p.kind}/${p.name}`, shown);
    if (parsed.kind === 'ipset') {
      entries.set(p.name, parsed.entries);
      layer.ipsets[p.name] = { ...parsed.obj, entryCount: parsed.entries.length, entriesHash: entriesDigest(parsed.entries), meta };
    } else {
      (layer[KINDS.find((x) => x.kind === parsed.kind)!.key] as Record<string, unknown>)[p.name] = { ...parsed.obj, meta };
    }
  });
  const confFile = t.displayPath(`${ETC}/firewalld.conf`);
  if (confFacts?.error && confFacts.error.code !== 'ENOENT') {
    // firewalld would read its DefaultZone, backend, ...; the fallbacks used here may not be what it runs with.
    problems.push(problemOf(t, confFacts, 'firewalld.conf'));
    unloaded.push({ what: { conf: true }, path: `${ETC}/firewalld.conf`, shown: confFile, code: confFacts.error.code, message: confFacts.error.message });
  }
  const conf = parseFirewalldConf(confFacts?.bytes?.toString('utf8'), confFile);
  problems.push(...conf.problems);
  const defaultZone = conf.settings.DefaultZone!;
  problems.push(...checkConfiguration(layer, defaultZone, { file: confFile, backend: conf.settings.FirewallBackend }, (kind, name) => fileOf.get(`${kind}/${name}`) ?? `${kind} ${name}`));
  const version = await firewalldVersion(t);

  // What would be bound once firewalld starts: the zones' own interfaces and sources.
  const activeZones: Record<string, ActiveBinding> = {};
  for (const z of Object.values(layer.zones)) if (z.interfaces.length || z.sources.length) activeZones[z.name] = { interfaces: [...z.interfaces], sources: [...z.sources] };
  const state: FullState = {
    revision: 1,
    busAddress: 'offline configuration',
    daemon: { version: version.version, interfaceVersion: '', state: 'OFFLINE', ipsetTypes: [], ipv4IcmpTypes: [], ipv6IcmpTypes: [] },
    config: conf.settings,
    global: { defaultZone, logDenied: conf.settings.LogDenied!, panicMode: false, lockdown: /^(yes|true)$/i.test(conf.settings.Lockdown!), activeZones, activePolicies: {} },
    // No runtime without a daemon: both layers show the configuration, so the pages and explain work unchanged.
    runtime: layer,
    permanent: layer,
    loadedAt: Date.now(),
    timed: [],
    offline: {
      label: 'offline configuration',
      dirs: [t.displayPath(USR_LIB), t.displayPath(ETC)],
      version: version.version,
      versionFrom: version.from,
      problems,
    },
  };
  const cfg: OfflineConfig = { state, entries, problems, files: fileOf, sources, conf: { text: confFacts?.bytes?.toString('utf8'), sha256: confFacts?.sha256 }, unloaded };
  // The basis a later offlineWrite passes: the files exactly as this read saw them.
  state.offline!.digest = configDigest(cfg);
  return cfg;
}

/** One digest over every file the configuration was read from. */
export function configDigest(cfg: OfflineConfig): string {
  const h = createHash('sha256');
  for (const [k, s] of [...cfg.sources].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(`${k}\0${s.path}\0${s.sha256 ?? '-'}\n`);
  h.update(`conf\0${cfg.conf.sha256 ?? '-'}\n`);
  return h.digest('hex');
}
