import { ApiError } from '../../shared/api/errors';
import type * as WriteParts from './write-parts';
import { catalogEntry, isDescribed, suggestKey, validateValue } from '../../shared/kernel/catalog';
import { classifySysctl, type ClassifyOptions } from '../../shared/kernel/k8s';
import { keyProblem, keyToPath, normalizeKey, subsystemOf } from '../../shared/kernel/keys';
import { parseSysctlFile } from '../../shared/kernel/sysctld';
import { formatTunedProfile, parseTunedSysctl } from '../../shared/kernel/tuned';
import { parseKernelVersion } from '../../shared/kernel/version';
import type { FeatureHandlers, Host } from '../api/context';
import type { ListRow, LiveEntry } from '../../shared/kernel/contract';
import { helperWritablePath, sysctlKeyError, sysctlValueError } from '../../shared/helper/rules';
import { changedFromDefault, defaultFor } from '../../shared/kernel/defaults';
import { probeNamespaces } from './probe';
import { weakeningSettings } from '../../shared/helper/weakening';
import { freshNamespaceOf } from './fresh-namespace';
import { configuredVsLive, hostKernel, osreleaseOf } from './configured';
import { sameSysctlValue } from '../../shared/kernel/drift';
import { formatProfile } from './profile-format';
import { cachedVerdicts, verdictCodeId, verdictKey } from './verdict-cache';
import { defaultCacheDir } from '../cache/own-cache-file';

let parts: Promise<typeof WriteParts> | undefined;
/** The writes' code (helper protocol, apply): loaded by the first write, never by a list (issue #22); once per process. */
export const writeParts = () => (parts ??= import('./write-parts'));

type Target = { k8s: string; kernel?: string; podSecurityVersion?: string; hostNetwork?: boolean; hostIPC?: boolean };

/** Classification options; the node kernel defaults to the host's own (`hostKernelText`). */
function classifyOpts(hostKernelText: string, input: Target): ClassifyOptions {
  return {
    k8s: input.k8s,
    kernel: input.kernel ?? (hostKernelText || null),
    podSecurityVersion: input.podSecurityVersion,
    hostNetwork: input.hostNetwork,
    hostIPC: input.hostIPC,
  };
}

async function targetOpts(host: Host, input: Target): Promise<ClassifyOptions> {
  return classifyOpts(input.kernel === undefined ? await hostKernel(host) : '', input);
}

/** Every operation that takes a key checks it first: no "..", empty components, NUL, blanks. */
function checkKey(key: string, allowGlob = false): string {
  const problem = keyProblem(key, { allowGlob });
  if (problem) throw new ApiError('INVALID_VALUE', problem, { key });
  return normalizeKey(key);
}

/** The live entries of just these keys (one round trip; a transport may answer more). */
async function liveOf(host: Host, keys: string[]): Promise<Map<string, LiveEntry>> {
  const snap = await host.transport.procSys([...new Set(keys.map((k) => keyToPath(k)))]);
  return new Map(snap.entries.map((e) => [e.key, e]));
}

/** Version and input errors from the pure code become INVALID_VALUE with the exact message. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError) throw new ApiError('INVALID_VALUE', e.message);
    throw e;
  }
}

async function effective(host: Host) {
  const { eff, livePaths, drift, liveSource } = await configuredVsLive(host);
  return {
    root: host.root,
    files: eff.files,
    settings: eff.settings,
    globs: eff.globs.map((g) => ({ key: g.key, value: g.value, file: g.file, line: g.line })),
    exclusions: eff.exclusions.map((x) => ({ key: x.key, file: x.file, line: x.line })),
    warnings: eff.warnings,
    failed: eff.failed,
    drift: eff.settings
      .filter((s) => drift.has(s.path))
      .map((s) => ({ key: s.key, configured: s.value, live: livePaths.get(s.path)?.value ?? null, file: s.file, line: s.line })),
    liveSource,
  };
}

/** Host-absolute path of a profile name ("99-app" or "99-app.conf"), refused unless the helper may write it. */
function profileTarget(name: string): string {
  const file = name.endsWith('.conf') ? name : `${name}.conf`;
  const target = `/etc/sysctl.d/${file}`;
  if (helperWritablePath(target) !== 'sysctl.d') throw new ApiError('INVALID_VALUE', `"${name}" is not a profile name HostDeck writes (letters, digits, _ . @ + -)`);
  return target;
}

export const kernelHandlers: FeatureHandlers<'kernel'> = {
  async list({ host }, input) {
    // Bad versions fail before anything is read.
    guard(() => classifySysctl('kernel.sem', classifyOpts('', input)));
    const { eff, live, drift, liveSource } = await configuredVsLive(host);
    const kernelText = osreleaseOf(live);
    const opts = guard(() => classifyOpts(kernelText, input));
    guard(() => classifySysctl('kernel.sem', opts));
    const configured = new Map(eff.settings.map((s) => [s.path, s]));
    // Fresh-namespace defaults and the namespace probe describe this machine's own kernel only.
    const { fresh } = await freshNamespaceOf(host, live.map((e) => e.path));
    const devconf = Number(live.find((e) => e.path === 'net/core/devconf_inherit_init_net')?.value ?? '0');
    const kv = parseKernelVersion(kernelText);
    const probe = fresh && kv && input.kernel === undefined ? new Map(probeNamespaces(kv, kernelText, fresh, live).rows.map((r) => [r.key, r])) : null;
    // Classification per key, from the disk cache when this code classified these keys for this target before.
    const code = verdictCodeId();
    const verdicts = cachedVerdicts(defaultCacheDir(), code ? verdictKey(code, opts) : null, live.map((e) => e.key), (k) => {
      const c = classifySysctl(k, opts);
      return [c.namespace, c.kubernetes.status, c.kubernetes.podSecurityBaseline, isDescribed(k)];
    });
    const devconfInherit = Number.isFinite(devconf) ? devconf : 0;
    // Each row built once, in one shape (the output check then passes it as is: output-check.ts).
    const entries = live.map((e) => {
      const [namespace, status, podSecurityBaseline, described] = verdicts.get(e.key)!;
      const conf = configured.get(e.path);
      const configuredOut = conf ? { value: conf.value, file: conf.file, line: conf.line } : null;
      const def = defaultFor(e.key, e.path, e.mode, fresh, devconfInherit);
      const p = probe?.get(e.key);
      const row: ListRow = {
        key: e.key,
        path: e.path,
        state: e.state,
        ...(e.value !== undefined ? { value: e.value } : {}),
        ...(e.error !== undefined ? { error: e.error } : {}),
        writable: e.writable,
        mode: e.mode,
        subsystem: subsystemOf(e.key),
        namespace,
        status,
        podSecurityBaseline,
        configured: configuredOut,
        drift: drift.has(e.path),
        described,
        default: def,
        changed: null,
        probe: p ? { kind: p.probe, agrees: p.agree } : null,
      };
      row.changed = changedFromDefault(row, def);
      return row;
    });
    return {
      kernel: kernelText,
      k8s: input.k8s,
      entries,
      liveSource,
    };
  },
  async classify({ host }, input) {
    for (const k of input.keys) checkKey(k, true);
    const opts = await targetOpts(host, input);
    return guard(() => input.keys.map((k) => classifySysctl(k, opts)));
  },
  async describe({ host }, input) {
    const key = checkKey(input.key);
    const l = (await liveOf(host, [key])).get(key);
    const live = l?.state === 'ok' ? (l.value ?? '').trim() : undefined;
    const e = catalogEntry(key, live);
    return { ...e, type: e.type as unknown as Record<string, unknown> };
  },
  effective({ host }) {
    return effective(host);
  },
  async probe({ host }) {
    const k = await hostKernel(host);
    const kv = parseKernelVersion(k);
    if (!kv) return { available: false, reason: 'Cannot read kernel/osrelease', kernel: k, rows: [] };
    const { fresh, reason } = await freshNamespaceOf(host);
    if (!fresh) return { available: false, reason: reason ?? 'The probe could not run', kernel: k, rows: [] };
    return probeNamespaces(kv, k, fresh);
  },
  async apply({ host }, input) {
    // Current values come through the host's transport and writes through its helper: local, image and SSH hosts alike.
    const { applySettings } = await writeParts();
    return applySettings(host, input.settings, input.dryRun, input.revertAfterSeconds, input.confirmWeakening);
  },
  async undo({ host }, input) {
    const { undoApply } = await writeParts();
    return undoApply(host, input.entries, input.force, input.confirmWeakening);
  },
  async checkProfile({ host }, input) {
    // A bad name is that entry's error (the editor shows it on its line); it is never read.
    const problems = input.settings.map((s) => keyProblem(s.key));
    const live = await liveOf(host, input.settings.filter((_, i) => !problems[i]).map((s) => normalizeKey(s.key)));
    // The line of each key's last assignment: that one wins (sysctl.d), earlier ones have no effect.
    const lines = new Map<string, number[]>();
    input.settings.forEach((s, i) => {
      if (problems[i]) return;
      const key = normalizeKey(s.key);
      lines.set(key, [...(lines.get(key) ?? []), i + 1]);
    });
    const entries = input.settings.map((s, i) => {
      if (problems[i]) return { key: s.key, value: s.value, error: problems[i], warning: null, live: null, change: 'unknown-key' as const };
      const key = normalizeKey(s.key);
      const l = live.get(key);
      const entry = catalogEntry(key, l?.value);
      const check = validateValue(entry, s.value);
      const value = check.ok ? check.value : s.value.trim();
      const all = lines.get(key)!;
      const last = all[all.length - 1]!;
      const overridden = last !== i + 1;
      const change: 'unchanged' | 'change' | 'unknown-key' | 'not-readable' | 'overridden' = !l
        ? 'unknown-key'
        : overridden
          ? 'overridden'
          : l.state !== 'ok'
            ? 'not-readable'
            : sameSysctlValue(l.value ?? '', value)
              ? 'unchanged'
              : 'change';
      const warning = overridden
        ? `${key} is set again further down (= ${input.settings[last - 1]!.value.trim()}): the last one wins, as in sysctl.d, so this line has no effect`
        : all.length > 1
          ? `${key} is also set further up (${all.length - 1} time${all.length > 2 ? 's' : ''}): this last one wins`
          : null;
      // The same wording as the exports: an unknown key comes with the likely one.
      const missing = () => {
        const hint = suggestKey(key, new Set(live.keys()));
        return `${key} does not exist on this host${hint && hint !== key ? `: did you mean ${hint}?` : ''}`;
      };
      // The helper's refusals (core_pattern paths, suid_dumpable = 2, ...) show on their line before any save.
      const refused = sysctlKeyError(s.key) ?? sysctlValueError(key, s.value);
      return { key, value, error: refused ?? (check.ok ? (l ? null : missing()) : check.error), warning, live: l?.value ?? null, change };
    });
    return { entries, text: formatProfile(entries) };
  },
  async saveProfile({ host }, input) {
    for (const s of input.settings) checkKey(s.key);
    const live = await liveOf(host, input.settings.map((s) => normalizeKey(s.key)));
    const errors: string[] = [];
    const clean = input.settings.map((s) => {
      const key = normalizeKey(s.key);
      const refused = sysctlKeyError(s.key) ?? sysctlValueError(key, s.value);
      if (refused) {
        errors.push(refused);
        return { key, value: s.value };
      }
      const check = validateValue(catalogEntry(key, live.get(key)?.value), s.value);
      if (!check.ok) errors.push(check.error);
      return { key, value: check.ok ? check.value : s.value };
    });
    if (errors.length) throw new ApiError('INVALID_VALUE', errors.join('; '), { errors });
    // Boot applies the file: its weakening values need the same confirmation as a live apply.
    const { requireWeakeningConfirmed, hostHelper, unwrapHelper, writeFileResultSchema, helperBackupDir } = await writeParts();
    const confirmed = requireWeakeningConfirmed(weakeningSettings(clean), input.confirmWeakening);
    // Through the helper: allow-listed, atomic, backed up, refused if changed since read; on an
    // image (--root) every directory is opened without following links.
    const target = profileTarget(input.name);
    const answer = await hostHelper(host, { verb: 'write-file', path: target, content: Buffer.from(formatProfile(clean), 'utf8').toString('base64'), expectedSha256: input.expectedSha256, ...confirmed }, { elevate: true });
    const r = unwrapHelper(answer, writeFileResultSchema);
    return { path: host.transport.displayPath(target), sha256: r.sha256, backupPath: r.backup ? host.transport.displayPath(`${helperBackupDir(target)}/${r.backup}`) : null };
  },
  async deleteProfile({ host }, input) {
    const target = profileTarget(input.name);
    const { hostHelper, unwrapHelper, deleteFileResultSchema, helperBackupDir } = await writeParts();
    const r = unwrapHelper(await hostHelper(host, { verb: 'delete-file', path: target, expectedSha256: input.expectedSha256 }, { elevate: true }), deleteFileResultSchema);
    return { path: host.transport.displayPath(target), backupPath: host.transport.displayPath(`${helperBackupDir(target)}/${r.backup}`) };
  },
  async readProfile({ host }, input) {
    const name = input.name.endsWith('.conf') ? input.name : `${input.name}.conf`;
    const hostFile = `/etc/sysctl.d/${name}`;
    const [f] = await host.transport.read([{ path: hostFile, content: true, follow: true }]);
    if (f!.error && f!.error.code !== 'ENOENT') throw new ApiError('IO_ERROR', f!.error.message, { path: hostFile, errno: f!.error.code });
    const parsed = parseSysctlFile((f!.bytes ?? Buffer.alloc(0)).toString('utf8'), `etc/sysctl.d/${name}`);
    return {
      path: host.transport.displayPath(hostFile),
      exists: !!f!.bytes,
      sha256: f!.sha256 ?? null,
      settings: parsed.assignments.filter((a) => a.value !== null).map((a) => ({ key: a.key, value: a.value! })),
      warnings: parsed.warnings,
    };
  },
  async export({ host }, input) {
    for (const s of input.settings) checkKey(s.key);
    const opts = await targetOpts(host, input);
    // The host's own names count as known keys (module and driver keys the catalog lacks); their values give a type.
    const live = new Map([...(await liveOf(host, input.settings.map((s) => normalizeKey(s.key))))].map(([k, e]) => [k, e.value]));
    // The YAML writer comes with the export, not with `kernel list` (issue #22).
    const { exportSnippets } = await import('../../shared/kernel/export');
    return guard(() => exportSnippets(input.kind, input.settings, { ...opts, name: input.name, namespace: input.namespace, podName: input.podName, image: input.image, live }));
  },
  importTuned(_ctx, input) {
    return parseTunedSysctl(input.text);
  },
  exportTuned(_ctx, input) {
    return { text: formatTunedProfile(input.settings, { summary: input.summary, include: input.include }) };
  },
};
