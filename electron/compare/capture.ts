import { createHash } from 'node:crypto';
import path from 'node:path';
import { isApiError } from '../../shared/api/errors';
import type { Api, OpOutput } from '../../shared/api/contract';
import type { LiveEntry } from '../../shared/kernel/contract';
import type { FullState, LayerState } from '../../shared/firewall/model';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type Snapshot, type SnapshotIdentity, type SnapshotLayer } from '../../shared/compare/snapshot';
import type { Host } from '../hosts/host';
import { inCallScope } from '../hosts/call-scope';
import { liveSnapshot } from '../kernel/configured';
import { ALL_SECTIONS, readPlan, type CaptureSection } from './read-plan';

/**
 * Builds a snapshot of any host from the feature operations themselves (the live /proc/sys read,
 * kernel.effective, dns.read/check, firewall.status/state/ipsetEntries) through the typed
 * in-process API, so whatever transport the host has (local, image, SSH, snapshot), the
 * snapshot holds exactly what the pages show. A section that cannot be read carries its error;
 * a host where nothing can be read is unreachable (the caller reports it, others go on).
 */

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function identityOf(host: Host, sysctl: Map<string, string>): Promise<SnapshotIdentity> {
  try {
    return await host.transport.describe();
  } catch {
    // What the sysctls say. Never this machine's files: the host may be another one (SSH), and a
    // tree transport's describe() already read its os-release.
    return { hostname: sysctl.get('kernel.hostname') ?? '', os: '', kernel: sysctl.get('kernel.osrelease') ?? '', time: Date.now() };
  }
}

/** Raw texts of the sysctl.d files systemd-sysctl applies (for a snapshot host to show them again). */
async function fileTexts(host: Host, paths: string[]): Promise<{ path: string; text: string }[]> {
  const facts = await host.transport.read(paths.map((p) => ({ path: p, content: true, follow: true, maxBytes: 1024 * 1024 })));
  return facts.filter((f) => f.bytes).map((f) => ({ path: f.path, text: f.bytes!.toString('utf8') }));
}

async function ipsetHash(api: Api, hostId: string, layer: 'runtime' | 'permanent', name: string): Promise<string | null> {
  const all: string[] = [];
  try {
    for (let offset = 0; ; ) {
      const page = await api.firewall.ipsetEntries({ name, layer, offset, limit: 10_000 }, { host: hostId });
      all.push(...page.entries);
      offset += page.entries.length;
      if (page.entries.length === 0 || offset >= page.matched) break;
    }
  } catch {
    return null;
  }
  all.sort();
  return createHash('sha256').update(all.join('\n')).digest('hex');
}

async function snapshotLayer(api: Api, hostId: string, layer: 'runtime' | 'permanent', l: LayerState): Promise<SnapshotLayer> {
  const ipsets: SnapshotLayer['ipsets'] = {};
  for (const [name, set] of Object.entries(l.ipsets)) {
    ipsets[name] = { ...set, entriesSha256: set.entryCount === 0 ? createHash('sha256').update('').digest('hex') : await ipsetHash(api, hostId, layer, name) };
  }
  return { zones: l.zones, policies: l.policies, services: l.services, ipsets };
}

export { ALL_SECTIONS, type CaptureSection };

/** A live /proc/sys entry as a snapshot keeps it (history merges a re-read of a few keys into a snapshot with it). */
export function snapshotSysctlEntry(e: LiveEntry): NonNullable<Snapshot['sysctl']>['entries'][number] {
  return { key: e.key, state: e.state, ...(e.state === 'ok' ? { value: e.value ?? '' } : {}), writable: e.writable };
}

/** Settles to the reason "not asked" without reading anything: a section left out of `--only` is never read. */
const NOT_ASKED = Symbol('not asked');
function ask<T>(wanted: boolean, read: () => Promise<T>): Promise<T> {
  return wanted ? read() : Promise.reject(NOT_ASKED);
}

/**
 * Answers a read already produced (history records a page load from them instead of reading the
 * host again): the live sysctls of kernel.list, kernel.effective, dns.read of the default path,
 * a fresh firewall.state. What is not given is read as usual.
 */
export interface GivenAnswers {
  live?: { entries: LiveEntry[] };
  effective?: OpOutput<'kernel', 'effective'>;
  read?: OpOutput<'dns', 'read'>;
  state?: FullState;
}

/**
 * A snapshot of `host` with the sections in `only` (default: all). Sections not asked for are
 * not read at all (null in the snapshot): `compare --only sysctl` never opens the host's bus.
 */
export async function takeSnapshot(api: Api, host: Host, only: readonly CaptureSection[] = ALL_SECTIONS, given: GivenAnswers = {}): Promise<Snapshot> {
  const existing = host.transport.snapshot?.();
  if (existing) return existing;
  const o = { host: host.id };
  const want = new Set(only);
  // One call (call-scope.ts) even when made in the background (history's look after a read):
  // the features' reads below share its prefetch, and no other call does.
  return inCallScope(async () => {
    // One round trip for every read the sections make (SSH hosts), shared by the features below.
    const release = host.transport.prefetch?.(await readPlan(only));
    try {
      return await capture(api, host, o, want, given);
    } finally {
      release?.();
    }
  });
}

async function capture(api: Api, host: Host, o: { host: string }, want: Set<CaptureSection>, given: GivenAnswers): Promise<Snapshot> {
  const [list, eff, read, check, status] = await Promise.allSettled([
    // The live values only (key, state, value, writable): the Kernel page's classification, defaults and namespace probe
    // (kernel.list) cost ~80 ms of CPU per host and ~480 KB of validated output, none of it in a snapshot.
    ask(want.has('sysctl'), () => (given.live ? Promise.resolve(given.live) : liveSnapshot(host).then((l) => ({ entries: l.live })))),
    ask(want.has('sysctl'), () => (given.effective ? Promise.resolve(given.effective) : api.kernel.effective({}, o))),
    ask(want.has('dns'), () => (given.read ? Promise.resolve(given.read) : api.dns.read({}, o))),
    ask(want.has('dns'), () => api.dns.check({}, o)),
    ask(want.has('firewall'), () => api.firewall.status({}, o)),
  ]);
  const asked = (r: PromiseSettledResult<unknown>) => !(r.status === 'rejected' && r.reason === NOT_ASKED);
  const errors: string[] = [];
  // Sections the host did not answer: kept with their error, so every output says "not read".
  const failed: { sysctl?: string; sysctld?: string; dns?: string; firewall?: string } = {};
  const sysctlValues = new Map<string, string>();
  let sysctl: Snapshot['sysctl'] = null;
  if (list.status === 'fulfilled') {
    sysctl = { entries: list.value.entries.map(snapshotSysctlEntry), from: 'procsys' };
    for (const e of list.value.entries) if (e.state === 'ok') sysctlValues.set(e.key, e.value ?? '');
  } else if (asked(list)) {
    errors.push(`sysctls: ${msg(list.reason)}`);
    failed.sysctl = msg(list.reason);
  }
  let sysctld: Snapshot['sysctld'] = null;
  if (eff.status === 'fulfilled') {
    const applied = eff.value.files.filter((f) => f.status === 'applied').map((f) => f.path);
    sysctld = {
      settings: eff.value.settings.map((s) => ({ key: s.key, value: s.value, file: s.file, line: s.line })),
      files: eff.value.files.map((f) => ({ path: f.path, status: f.status })),
      texts: await fileTexts(host, applied.map((p) => (p.startsWith('/') ? p : `/${p}`))),
    };
  } else if (asked(eff)) {
    errors.push(`sysctl.d: ${msg(eff.reason)}`);
    failed.sysctld = msg(eff.reason);
  }
  let dns: Snapshot['dns'] = null;
  if (read.status === 'fulfilled' && check.status === 'fulfilled') {
    const r = read.value;
    const c = check.value;
    dns = {
      path: r.path.startsWith('/') && host.root !== '/' && r.path.startsWith(host.root) ? `/${path.relative(host.root, r.path)}` : r.path,
      exists: r.exists,
      text: r.text,
      owner: { kind: r.owner.kind, name: r.owner.name, managed: r.owner.managed, symlinkTarget: r.owner.symlinkTarget },
      glibc: { nameservers: c.nameservers, ignoredNameservers: c.ignoredNameservers, search: c.search, options: c.options },
    };
  } else if (asked(read)) {
    const e = read.status === 'rejected' ? read.reason : (check as PromiseRejectedResult).reason;
    errors.push(`resolv.conf: ${msg(e)}`);
    failed.dns = msg(e);
  }
  let firewall: Snapshot['firewall'] = null;
  if (status.status === 'fulfilled') {
    if (!status.value.running && (status.value.problem === 'failed' || status.value.problem === 'notAuthorized')) {
      // Stalled or not authorized: nothing is known about the firewall (no bus means no firewalld running).
      failed.firewall = status.value.reason ?? 'firewalld did not answer';
    } else if (!status.value.running && status.value.problem !== 'notRunning') {
      firewall = { running: false, reason: status.value.reason ?? 'firewalld is not running', version: '', defaultZone: null, logDenied: null, activeZones: {}, coverage: [], runtime: null, permanent: null };
    } else {
      // firewalld stopped (the bus answers, firewalld is not on it): its configuration files, as an
      // image's, so the host is compared and fixed offline (more reads, for such a host only).
      const stopped = !status.value.running;
      try {
        const s: FullState = !stopped && given.state ? given.state : await api.firewall.state({ refresh: true, ...(stopped ? { offline: true } : {}) }, o);
        firewall = {
          running: true,
          version: s.daemon.version,
          // The files, no daemon: compare shows them as one "configuration" column (three-way).
          ...(status.value.offline || stopped ? { offline: true } : {}),
          defaultZone: s.global.defaultZone,
          logDenied: s.global.logDenied,
          activeZones: s.global.activeZones,
          coverage: ['zones', 'policies', 'services', 'ipsets'],
          runtime: await snapshotLayer(api, host.id, 'runtime', s.runtime),
          permanent: await snapshotLayer(api, host.id, 'permanent', s.permanent),
        };
      } catch (e) {
        if (stopped) firewall = { running: false, reason: `${status.value.reason ?? 'firewalld is not running'}; its files: ${msg(e)}`, version: '', defaultZone: null, logDenied: null, activeZones: {}, coverage: [], runtime: null, permanent: null };
        else failed.firewall = msg(e);
      }
    }
  } else if (asked(status)) {
    errors.push(`firewalld: ${msg(status.reason)}`);
    failed.firewall = msg(status.reason);
  }
  // firewalld answering "stalled" or "not authorized" is the host answering: a section not read, not a host unreachable.
  // A status without such a problem (no bus, no firewall capability) is not: a host none of whose
  // files could be read told us nothing (a host Ansible could not reach, say), so it is
  // unreachable rather than "read, empty".
  const firewallAnswered = status.status === 'fulfilled' && (status.value.running || status.value.problem === 'notRunning' || status.value.problem === 'notAuthorized' || status.value.problem === 'failed');
  if (!sysctl && !sysctld && !dns && !firewall?.running && !firewallAnswered) {
    // Nothing could be read: the host is unreachable, not "empty".
    const first = [list, eff, read, status].find((r): r is PromiseRejectedResult => r.status === 'rejected' && asked(r));
    throw first?.reason ?? new Error(errors.join('; '));
  }
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    source: { kind: 'live', detail: `${host.kind} host ${host.label}` },
    identity: await identityOf(host, sysctlValues),
    sysctl: sysctl ?? (failed.sysctl ? { entries: [], from: 'procsys', error: failed.sysctl } : null),
    sysctld: sysctld ?? (failed.sysctld ? { settings: [], files: [], texts: [], error: failed.sysctld } : null),
    dns:
      dns ??
      (failed.dns
        ? { path: '/etc/resolv.conf', exists: false, text: '', owner: null, glibc: { nameservers: [], ignoredNameservers: [], search: [], options: {} }, error: failed.dns }
        : null),
    firewall:
      firewall ??
      (failed.firewall
        ? { running: false, reason: failed.firewall, error: failed.firewall, version: '', defaultZone: null, logDenied: null, activeZones: {}, coverage: [], runtime: null, permanent: null }
        : null),
  };
}

export function errorText(e: unknown): string {
  return isApiError(e) ? `${e.message} (${e.code})` : msg(e);
}
