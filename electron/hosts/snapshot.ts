import { createHash } from 'node:crypto';
import type { MessageBus } from '@jellybrick/dbus-next';
import { ApiError } from '../../shared/api/errors';
import { keyToPath } from '../../shared/kernel/keys';
import type { LiveEntry } from '../../shared/kernel/contract';
import type { Snapshot } from '../../shared/compare/snapshot';
import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import type { HostCapabilities } from '../../shared/hosts/capabilities';
import { createHost, type Host } from './host';
import { hostPathProblem } from './root-path';
import type { FileFacts, HostIdentity, HostTransport, ProcSysSnapshot, ReadRequest } from './transport';

/**
 * A read-only host made of a snapshot (a HostDeck snapshot file or imported `sysctl -a`,
 * resolv.conf and firewall-cmd text). Every page can show it: its files and /proc/sys are the
 * snapshot's, the firewall read operations answer from the snapshot's firewalld state
 * (electron/firewall/snapshot-reader.ts) and every mutation is refused with READ_ONLY_HOST by
 * the runtime before a handler runs.
 */

interface VirtualFile {
  bytes: Buffer;
  mode: number;
}

/** The host's files as the snapshot knows them (host-absolute paths). */
function virtualFiles(s: Snapshot): Map<string, VirtualFile> {
  const files = new Map<string, VirtualFile>();
  const put = (p: string, text: string) => files.set(p, { bytes: Buffer.from(text, 'utf8'), mode: 0o644 });
  if (s.dns?.exists) put(s.dns.path || '/etc/resolv.conf', s.dns.text);
  if (s.identity.hostname) put('/etc/hostname', `${s.identity.hostname}\n`);
  if (s.identity.os) put('/etc/os-release', `PRETTY_NAME=${JSON.stringify(s.identity.os)}\n`);
  for (const t of s.sysctld?.texts ?? []) put(t.path, t.text);
  return files;
}

function procSysEntries(s: Snapshot): LiveEntry[] {
  return (s.sysctl?.entries ?? []).map((e) => ({
    key: e.key,
    path: keyToPath(e.key),
    state: e.state,
    ...(e.state === 'ok' ? { value: e.value ?? '' } : {}),
    ...(e.state === 'unreadable' ? { error: 'EACCES' } : {}),
    writable: false,
    mode: e.state === 'write-only' ? 0o200 : 0o444,
  }));
}

/** The transport of a snapshot host: answers reads from the snapshot, refuses the helper. */
export class SnapshotTransport implements HostTransport {
  private readonly files: Map<string, VirtualFile>;
  constructor(private readonly snap: Snapshot) {
    this.files = virtualFiles(snap);
  }
  read(requests: ReadRequest[]): Promise<FileFacts[]> {
    return Promise.resolve(
      requests.map((r): FileFacts => {
        // The same answers as a host's own file system would give (the conformance suite holds every transport to them).
        const problem = hostPathProblem(r.path);
        if (problem) return { path: String(r.path), type: 'missing', error: { code: 'INVALID_PATH', message: problem } };
        const f = this.files.get(r.path);
        if (f) {
          const facts: FileFacts = { path: r.path, type: 'file', resolved: r.path, mode: f.mode, uid: 0, gid: 0, size: f.bytes.length, mtimeMs: this.snap.identity.time };
          if (r.content) {
            if (f.bytes.length > (r.maxBytes ?? 4 * 1024 * 1024)) facts.error = { code: 'TOO_LARGE', message: `${r.path} is larger than asked for` };
            else {
              facts.bytes = f.bytes;
              facts.sha256 = createHash('sha256').update(f.bytes).digest('hex');
            }
          }
          if (r.list) facts.error = { code: 'ENOTDIR', message: `${r.path} is a regular file, not a directory` };
          return facts;
        }
        const prefix = r.path.endsWith('/') ? r.path : `${r.path}/`;
        const children = [...this.files.keys()].filter((p) => p.startsWith(prefix));
        if (children.length) {
          const names = [...new Set(children.map((p) => p.slice(prefix.length).split('/')[0]!))].sort();
          const facts: FileFacts = { path: r.path, type: 'dir', resolved: r.path, mode: 0o755, uid: 0, gid: 0 };
          if (r.list) facts.entries = names.map((name) => ({ name, type: this.files.has(prefix + name) ? 'file' : 'dir' }));
          else if (r.content) facts.error = { code: 'NOT_REGULAR', message: `${r.path} is a directory, not a regular file: it is not read` };
          return facts;
        }
        const missing: FileFacts = { path: r.path, type: 'missing' };
        if (r.content || r.list) missing.error = { code: 'ENOENT', message: `${r.path} is not in the snapshot` };
        return missing;
      }),
    );
  }
  procSys(): Promise<ProcSysSnapshot> {
    const entries = procSysEntries(this.snap);
    const dirs = new Set<string>();
    for (const e of entries) {
      const parts = e.path.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    }
    const when = new Date(this.snap.identity.time).toISOString();
    return Promise.resolve({ entries, dirs: [...dirs].sort(), source: { procSys: 'snapshot', kind: 'procsys-copy', note: `Values from a snapshot (${this.snap.source.detail}, ${when}), not from a running kernel.` } });
  }
  describe(): Promise<HostIdentity> {
    return Promise.resolve({ ...this.snap.identity });
  }
  capabilities(): HostCapabilities {
    const record = `a snapshot (${this.snap.source.detail}) is a record of a host, not the host`;
    return {
      liveKernel: false,
      freshNamespaceProbe: false,
      systemBus: false,
      firewall: this.snap.firewall ? 'snapshot' : 'none',
      writes: 'none',
      firewallWrites: 'none',
      interfaces: false,
      journal: false,
      userNamespaces: false,
      nftRuleset: 'none',
      readOnly: true,
      localBus: false,
      missing: {
        liveKernel: `Kernel values come from ${record}.`,
        freshNamespaceProbe: `No kernel to start a process on: ${record}.`,
        systemBus: `No system bus: ${record}.`,
        ...(this.snap.firewall ? {} : { firewall: 'The snapshot holds no firewall state.' }),
        writes: `Nothing can be changed: ${record}.`,
        firewallWrites: `Nothing can be changed: ${record}.`,
        interfaces: `No network interfaces: ${record}.`,
        journal: `No journal: ${record}.`,
        userNamespaces: `No kernel to make namespaces on: ${record}.`,
        nftRuleset: `No nftables ruleset: ${record} (it keeps firewalld's configuration, not the rules made from it).`,
      },
    };
  }
  helper(request: HelperRequest): Promise<HelperResponse> {
    return Promise.reject(new ApiError('READ_ONLY_HOST', `A snapshot host cannot run ${request.verb}: it is read-only`));
  }
  busAddress(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
  systemBus(): Promise<MessageBus> {
    return Promise.reject(new ApiError('FIREWALLD_NOT_RUNNING', `No system bus: a snapshot (${this.snap.source.detail}) is a record of a host, not the host`, { noBus: true }));
  }
  displayPath(hostPath: string): string {
    return hostPath;
  }
  /** The record this host is made of (compare uses it as it is, the firewall pages read it). */
  snapshot(): Snapshot {
    return this.snap;
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

export function createSnapshotHost(opts: { id: string; label: string; snapshot: Snapshot }): Host {
  const host = createHost({
    id: opts.id,
    label: opts.label,
    kind: 'snapshot',
    readOnly: true,
    // Everything is read through the transport; these name no path on this machine.
    root: `snapshot:${opts.id}`,
    procSys: `snapshot:${opts.id}`,
    privileged: false,
    transport: new SnapshotTransport(opts.snapshot),
  });
  // summary() reads host.root: report the snapshot, not the private copy.
  host.summary = () => ({ id: host.id, label: host.label, kind: 'snapshot', readOnly: true, root: `snapshot:${opts.snapshot.source.detail}`.slice(0, 200), capabilities: host.transport.capabilities() });
  return host;
}
