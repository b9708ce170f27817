import { ApiError } from '../../../shared/api/errors';
import { HELPER_MAX_FILE, writeFileResultSchema, deleteFileResultSchema } from '../../../shared/helper/protocol';
import type { LayerState } from '../../../shared/firewall/model';
import { checkConfiguration } from '../../../shared/firewall/offline/check';
import { parseConfigFile, parseFirewalldConf, type ConfigProblem } from '../../../shared/firewall/offline/parse';
import type { OfflineFileChange, OfflineUnchanged, OfflineWriteOp, OfflineWriteResult } from '../../../shared/firewall/offline/write-contract';
import { firewalldConfAfter } from '../../../shared/firewall/offline/write-conf';
import { helperXml, icmptypeXml, ipsetXml, policyXml, serviceXml, zoneXml } from '../../../shared/firewall/offline/write-xml';
import { entriesDigest } from '../../../shared/firewall/ipset-digest';
import { unwrapHelper } from '../../helper/call';
import { withHelperSession } from '../../helper/host';
import type { Host } from '../../hosts/host';
import type { OfflineFirewall } from './firewall';
import { applyOps, DIR_OF, type FileKind, type OfflineModel } from './apply';
import { configDigest, ETC, USR_LIB, type OfflineConfig } from './reader';
import { refuseDependents, refuseOnUnread } from './unreadable';
import { nmProfilesCheck } from '../nm-zone/profiles';

/**
 * Writes to an offline configuration (firewall.offlineWrite): read the files afresh, apply the
 * operations in memory (apply.ts), check the result as firewalld would load it, render each
 * changed object as firewalld writes it (write-xml.ts, write-conf.ts) and make sure it reads
 * back to the same object, then hand each file to the helper: atomic replace, a backup of the
 * previous content, CONFLICT when the file changed since it was read (its sha256), never through
 * a symbolic link, the image root as the boundary (--root), pkexec for a desktop user.
 */
export class OfflineWriter {
  constructor(
    private readonly host: Host,
    private readonly reader: OfflineFirewall,
  ) {}

  async digest(): Promise<{ digest: string }> {
    return { digest: configDigest(await this.reader.load(true)) };
  }

  async write(input: { ops: OfflineWriteOp[]; dryRun?: boolean; basis?: string }): Promise<OfflineWriteResult> {
    const t = this.host.transport;
    const cfg = await this.reader.load(true);
    const before = configDigest(cfg);
    if (input.basis !== undefined && input.basis !== before) {
      throw new ApiError('CONFLICT', `The firewalld configuration of ${this.host.label} changed since it was read; nothing was written. Reload it and apply your change again.`, { digest: before });
    }
    const model: OfflineModel = {
      layer: structuredClone(cfg.state.permanent) as LayerState,
      entries: new Map([...cfg.entries].map(([k, v]) => [k, [...v]])),
      conf: { ...(cfg.state.config as Record<string, string>) },
      builtin: new Set([...cfg.sources].filter(([, s]) => s.builtin).map(([k]) => k)),
      inEtc: new Set([...cfg.sources].filter(([, s]) => s.inEtc).map(([k]) => k)),
    };
    unloadedTargets(input.ops, cfg, model.layer, (p) => t.displayPath(p));
    refuseOnUnread(input.ops, cfg);
    const defaults = await this.readDefaults(input.ops, cfg);
    const applied = applyOps(model, input.ops, (kind, name) => defaults.get(`${kind}/${name}`));

    // Checked as firewalld loads the whole configuration; errors the files already had are reported, not blamed on this change.
    const shown = (kind: FileKind, name: string) => t.displayPath(`${ETC}/${DIR_OF[kind]}/${name}.xml`);
    const fileOf = (kind: 'zone' | 'policy' | 'service' | 'ipset', name: string) =>
      applied.touched.has(`${kind}/${name}`) ? shown(kind, name) : (cfg.files.get(`${kind}/${name}`) ?? `${kind} ${name}`);
    const confShown = t.displayPath(`${ETC}/firewalld.conf`);
    const key = (p: ConfigProblem) => `${p.code}|${p.element}|${p.message}`;
    const had = new Set(cfg.problems.filter((p) => p.severity === 'error').map(key));
    const after = checkConfiguration(model.layer, model.conf.DefaultZone!, { file: confShown, backend: model.conf.FirewallBackend }, fileOf);
    const fresh = after.filter((p) => !had.has(key(p)));
    if (fresh.length) {
      const first = fresh[0]!;
      throw new ApiError('INVALID_VALUE', `firewalld would not load the result: ${first.file}: ${first.element}: ${first.message}${fresh.length > 1 ? ` (and ${fresh.length - 1} more)` : ''}; nothing was written`, { problems: fresh });
    }

    const files: Array<OfflineFileChange & { expected: string | null; kind: FileKind | 'conf' }> = [];
    const unchanged: OfflineUnchanged[] = [];
    for (const [k, tch] of applied.touched) {
      if (tch.kind === 'conf') continue;
      const kind = tch.kind;
      const path = `${ETC}/${DIR_OF[kind]}/${tch.name}.xml`;
      const src = cfg.sources.get(k);
      const expected = src?.inEtc ? (src.sha256 ?? null) : null;
      if (tch.action === 'delete') {
        if (!src?.inEtc) continue; // created and deleted within this request
        files.push({ path, shown: t.displayPath(path), action: 'delete', object: `${kind} ${tch.name}`, changes: tch.changes, expected, kind });
        continue;
      }
      // A no-op writes nothing: the object as firewalld would read it is the one it reads now (wherever its file is).
      if (src && sameAsRead(kind, tch.name, model, cfg)) {
        unchanged.push({ shown: t.displayPath(src.path), object: `${kind} ${tch.name}` });
        continue;
      }
      const content = render(kind, tch.name, model);
      roundTrip(kind, tch.name, content, model, t.displayPath(path));
      if (Buffer.byteLength(content) > HELPER_MAX_FILE) {
        throw new ApiError('INVALID_VALUE', `${t.displayPath(path)} would be ${Buffer.byteLength(content)} bytes; HostDeck writes firewalld files up to ${HELPER_MAX_FILE} bytes (split a large ipset); nothing was written`);
      }
      files.push({ path, shown: t.displayPath(path), action: 'write', object: `${kind} ${tch.name}`, changes: tch.changes, content, expected, kind });
    }
    refuseDependents(files.filter((f) => f.action === 'write').map((f) => ({ object: f.object, value: modelObject(f.kind as FileKind, f.object.slice(f.object.indexOf(' ') + 1), model) })), cfg);
    const conf = applied.touched.get('conf/firewalld.conf');
    if (conf) {
      const content = firewalldConfAfter(cfg.conf.text, applied.confSets);
      if (content !== undefined && confUnchanged(cfg.conf.text, content)) unchanged.push({ shown: confShown, object: 'firewalld.conf' });
      else if (content !== undefined) {
        files.push({ path: `${ETC}/firewalld.conf`, shown: confShown, action: 'write', object: 'firewalld.conf', changes: conf.changes, content, expected: cfg.conf.sha256 ?? null, kind: 'conf' });
      }
    }
    // Objects others refer to first, firewalld.conf and deletions last: a reader in between sees fewer dangling names.
    const order = ['ipset', 'helper', 'icmptype', 'service', 'zone', 'policy', 'conf'];
    files.sort((a, b) => (a.action === b.action ? order.indexOf(a.kind) - order.indexOf(b.kind) : a.action === 'write' ? -1 : 1));
    const problems = after.filter((p) => p.severity === 'warning');
    const strip = ({ expected: _e, kind: _k, ...f }: (typeof files)[number]) => f;
    // Read before writing: a rename or delete warns about NetworkManager profiles naming the zone (written or not).
    const nm = await nmProfilesCheck(t, input.ops);
    const nmProfiles = nm ? { nmProfiles: nm } : {};
    if (input.dryRun || !files.length) return { written: false, files: files.map(strip), unchanged, problems, ...nmProfiles, digest: before };

    const done: OfflineFileChange[] = [];
    try {
      // One helper (one authorization) for all the files; each write is still checked on its own.
      await withHelperSession(this.host, async () => {
        for (const f of files) {
          if (f.action === 'write') {
            const r = unwrapHelper(
              await t.helper({ verb: 'write-file', path: f.path, content: Buffer.from(f.content!, 'utf8').toString('base64'), expectedSha256: f.expected }, { elevate: true }),
              writeFileResultSchema,
            );
            done.push({ ...strip(f), backup: r.backup });
          } else {
            const r = unwrapHelper(await t.helper({ verb: 'delete-file', path: f.path, expectedSha256: f.expected! }, { elevate: true }), deleteFileResultSchema);
            done.push({ ...strip(f), backup: r.backup });
          }
        }
      });
    } catch (e) {
      // The helper names host paths (/etc/firewalld/...): say which host's, e.g. the image's ROOT/etc/firewalld.
      if (!(e instanceof ApiError)) throw e;
      const message = hostPaths(e.message, files.map((f) => f.path), (p) => t.displayPath(p));
      if (done.length) {
        throw new ApiError(e.code, `${message} (already written: ${done.map((d) => d.shown).join(', ')}; each has a backup)`, { ...(e.detail as object), written: done });
      }
      throw new ApiError(e.code, message, e.detail);
    } finally {
      // What this call read stays shared (call-scope.ts) but for the files just written, read again below.
      this.reader.dispose(files.map((f) => f.path));
    }
    return { written: true, files: done, unchanged, problems, ...nmProfiles, digest: configDigest(await this.reader.load(true)) };
  }

  /** The /usr/lib defaults of the builtins a request resets or deletes (firewalld loads them again). */
  private async readDefaults(ops: OfflineWriteOp[], cfg: OfflineConfig): Promise<Map<string, { obj: unknown; entries?: string[] }>> {
    const want = new Set<string>();
    for (const op of ops) {
      const m = /^(zone|policy|service|ipset|icmptype|helper)\.(reset|delete)$/.exec(op.op);
      if (m && 'name' in op && cfg.sources.get(`${m[1]}/${op.name}`)?.builtin) want.add(`${m[1]}/${op.name}`);
    }
    const keys = [...want];
    const t = this.host.transport;
    const facts = await t.read(keys.map((k) => {
      const [kind, name] = k.split('/') as [FileKind, string];
      return { path: `${USR_LIB}/${DIR_OF[kind]}/${name}.xml`, content: true, follow: true, maxBytes: 8 * 1024 * 1024 };
    }));
    const out = new Map<string, { obj: unknown; entries?: string[] }>();
    keys.forEach((k, i) => {
      const [kind, name] = k.split('/') as [FileKind, string];
      const f = facts[i]!;
      if (!f.bytes) return;
      const r = parseConfigFile(kind, `${name}.xml`, t.displayPath(f.path), f.bytes.toString('utf8'));
      if (!r.parsed) return;
      const meta = { builtin: true, default: true, filename: `${name}.xml`, path: `${USR_LIB}/${DIR_OF[kind]}` };
      if (r.parsed.kind === 'ipset') out.set(k, { obj: { ...r.parsed.obj, entryCount: r.parsed.entries.length, entriesHash: entriesDigest(r.parsed.entries), meta }, entries: r.parsed.entries });
      else out.set(k, { obj: { ...r.parsed.obj, meta } });
    });
    return out;
  }
}

/**
 * A change to an object whose file did not load (a link out of the root, a FIFO, too large, a
 * DOCTYPE, malformed XML) is refused naming that file and why: the object is not in the model, so
 * applyOps would only say "there is no zone named ..." and the user would look in the wrong place.
 */
function unloadedTargets(ops: OfflineWriteOp[], cfg: OfflineConfig, layer: LayerState, shown: (hostPath: string) => string): void {
  const tables: Record<FileKind, Record<string, unknown>> = { zone: layer.zones, policy: layer.policies, service: layer.services, ipset: layer.ipsets, icmptype: layer.icmptypes, helper: layer.helpers };
  for (const op of ops) {
    const m = /^(zone|policy|service|ipset|icmptype|helper)\./.exec(op.op);
    if (!m || !('name' in op) || typeof op.name !== 'string') continue;
    const kind = m[1] as FileKind;
    const src = cfg.sources.get(`${kind}/${op.name}`);
    if (!src || tables[kind][op.name]) continue;
    const file = shown(src.path);
    const why = cfg.problems.find((p) => p.file === file && p.severity === 'error');
    throw new ApiError(
      'INVALID_VALUE',
      `${file}${why?.line ? `:${why.line}` : ''}: ${why ? `${why.element}: ${why.message}` : 'does not load'}${why ? ` (${why.code})` : ''}; HostDeck does not change a ${kind} whose file does not load (fix or remove that file first); nothing was written`,
      { problems: why ? [why] : [] },
    );
  }
}

/** A helper message with each host path it names (a file written or one of its directories) shown as the host shows it. */
function hostPaths(message: string, written: string[], shown: (hostPath: string) => string): string {
  const known = new Set(written.flatMap((w) => w.split('/').slice(1).map((_, i, parts) => `/${parts.slice(0, i + 1).join('/')}`)));
  return message.replace(/(^|[\s(])(\/[^\s:;,()]+)/g, (all, pre: string, p: string) => (known.has(p) ? `${pre}${shown(p)}` : all));
}

/** What an object to be written refers to: its settings, without its own name and where it was read from. */
const modelObject = (kind: FileKind, name: string, m: OfflineModel): unknown => {
  const { name: _n, meta: _m, ...settings } = (m.layer[`${kind === 'policy' ? 'policies' : `${kind}s`}` as keyof LayerState] as Record<string, Record<string, unknown>>)[name]!;
  return settings;
};

function render(kind: FileKind, name: string, m: OfflineModel): string {
  const L = m.layer;
  switch (kind) {
    case 'zone':
      return zoneXml(L.zones[name]!);
    case 'policy':
      return policyXml(L.policies[name]!);
    case 'service':
      return serviceXml(L.services[name]!);
    case 'ipset':
      return ipsetXml(L.ipsets[name]!, m.entries.get(name) ?? []);
    case 'icmptype':
      return icmptypeXml(L.icmptypes[name]!);
    case 'helper':
      return helperXml(L.helpers[name]!);
  }
}

const comparable = (o: unknown) => {
  const { meta: _m, entryCount: _c, entriesHash: _h, ...rest } = o as Record<string, unknown>;
  return canonical(rest);
};
const canonical = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(canonical).join(',')}]`
  : v && typeof v === 'object' ? `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`
  : JSON.stringify(v);

/** Whether the object after the operations is, as firewalld reads it, the object read from its file (settings and entries). */
function sameAsRead(kind: FileKind, name: string, m: OfflineModel, cfg: OfflineConfig): boolean {
  const key = `${kind === 'policy' ? 'policies' : `${kind}s`}` as keyof LayerState;
  const was = (cfg.state.permanent[key] as Record<string, unknown>)[name];
  const now = (m.layer[key] as Record<string, unknown>)[name];
  if (!was || !now || comparable(was) !== comparable(now)) return false;
  return kind !== 'ipset' || JSON.stringify(cfg.entries.get(name) ?? []) === JSON.stringify(m.entries.get(name) ?? []);
}

/** firewalld.conf whose settings, as firewalld reads them (fallbacks filled in), are those it has now. */
function confUnchanged(before: string | undefined, after: string): boolean {
  // firewalld reads its yes/no keys case-insensitively and as true/false too (the "True" it writes for a fallback).
  const read = (text: string | undefined) => {
    const settings = parseFirewalldConf(text, '').settings;
    return canonical(Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, k === 'DefaultZone' || k === 'LogDenied' ? v : /^(yes|true)$/i.test(v) ? 'yes' : /^(no|false)$/i.test(v) ? 'no' : v.toLowerCase()])));
  };
  return read(before) === read(after);
}

/** The file must load back, without a warning, into the object it was made from: else firewalld would read something else. */
function roundTrip(kind: FileKind, name: string, content: string, m: OfflineModel, shown: string): void {
  const r = parseConfigFile(kind, `${name}.xml`, shown, content);
  const bad = r.problems[0];
  if (bad || !r.parsed) {
    throw new ApiError('INVALID_VALUE', `${shown}: ${bad?.element ?? `${kind} ${name}`}: ${bad?.message ?? 'does not load'}; nothing was written`, { problems: r.problems });
  }
  const want = (m.layer[`${kind === 'policy' ? 'policies' : `${kind}s`}` as keyof LayerState] as Record<string, unknown>)[name];
  const wantEntries = kind === 'ipset' ? JSON.stringify(m.entries.get(name) ?? []) : '';
  const gotEntries = r.parsed.kind === 'ipset' ? JSON.stringify(r.parsed.entries) : '';
  if (comparable(r.parsed.obj) !== comparable(want) || wantEntries !== gotEntries) {
    throw new ApiError('INVALID_VALUE', `${shown}: ${kind} ${name} would not read back as written (firewalld would load something else); nothing was written`);
  }
}

