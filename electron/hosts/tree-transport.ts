import { promises as fs, realpathSync } from 'node:fs';
import type { MessageBus } from '@jellybrick/dbus-next';
import { hostname as osHostname } from 'node:os';
import type { LiveSource } from '../../shared/kernel/contract';
import { readTree, timeoutFacts, DEFAULT_DEADLINE_MS } from './file-reader';
import { readLive } from './proc-sys';
import type { FileFacts, HostIdentity, HostTransport, ProcSysSnapshot, ReadRequest } from './transport';
import type { HelperOptions } from './transport';
import { SharedBus } from './bus';
import type { HostCapabilities } from '../../shared/hosts/capabilities';
import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import { LazyHelperSessions } from '../helper/lazy-sessions';

export interface TreeTransportOptions {
  /** The host's root on this machine: "/" for the running system, else an image directory. */
  root: string;
  /** Where live kernel parameters are read (the running kernel's /proc/sys, or a copy in tests). */
  procSys?: string;
  /** D-Bus system bus address; undefined: DBUS_SYSTEM_BUS_ADDRESS or the platform default. */
  busAddress?: string;
  /** Deadline for one read() call's requests, ms. */
  deadlineMs?: number;
}

/**
 * A host seen as a directory tree on this machine: the running system ("/") or another
 * system's root. Files go through file-reader.ts (chroot-style resolution, O_PATH checks,
 * bounded reads), /proc/sys through one synchronous pass (proc-sys.ts).
 */
export abstract class TreeTransport implements HostTransport {
  /** Whether the tree is this machine's own "/" (its hostname and kernel are this machine's), not another system's root. */
  protected abstract readonly ownMachine: boolean;
  readonly root: string;
  readonly procSysDir: string;
  protected readonly bus: string | undefined;
  private readonly deadlineMs: number;
  private realRoot: Promise<string> | undefined;
  private readonly sharedBus = new SharedBus(() => this.busAddress());

  constructor(opts: TreeTransportOptions) {
    this.root = opts.root;
    this.procSysDir = opts.procSys ?? '/proc/sys';
    this.bus = opts.busAddress ?? (process.env.DBUS_SYSTEM_BUS_ADDRESS || undefined);
    this.deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  }

  async read(requests: ReadRequest[]): Promise<FileFacts[]> {
    // The root's realpath is where every opened file must lie (checked per file through /proc/self/fd).
    this.realRoot ??= this.root === '/' ? Promise.resolve('/') : fs.realpath(this.root).catch(() => this.root);
    // Inside the deadline too: on a hung file system (a dead NFS server) realpath never returns.
    const start = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const realRoot = await Promise.race([this.realRoot, new Promise<null>((r) => (timer = setTimeout(() => r(null), this.deadlineMs)))]).finally(() => clearTimeout(timer));
    if (realRoot === null) return requests.map((req) => timeoutFacts(req, this.deadlineMs));
    // The rest of the same deadline; a late answer names the call's deadline, not what was left of it.
    return readTree({ root: this.root, realRoot }, requests, this.deadlineMs, start);
  }

  async procSys(only?: string[]): Promise<ProcSysSnapshot> {
    const dirs: string[] = [];
    const entries = readLive(this.procSysDir, dirs, only);
    return { entries, dirs, source: await this.liveSource() };
  }

  /** Whether procSys() reads the running kernel's own /proc/sys (not a copy). */
  async readsRunningKernel(): Promise<boolean> {
    if (this.procSysDir === '/proc/sys') return true;
    try {
      return (await fs.realpath(this.procSysDir)) === '/proc/sys';
    } catch {
      return false;
    }
  }

  /** readsRunningKernel() for capabilities(), which must answer at once (the realpath is cached: it does not change while HostDeck runs). */
  protected readsRunningKernelNow(): boolean {
    this.runningKernel ??= (() => {
      if (this.procSysDir === '/proc/sys') return true;
      try {
        return realpathSync(this.procSysDir) === '/proc/sys';
      } catch {
        return false;
      }
    })();
    return this.runningKernel;
  }
  private runningKernel: boolean | undefined;

  protected async liveSource(): Promise<LiveSource> {
    const p = this.procSysDir;
    if (!(await this.readsRunningKernel())) return { procSys: p, kind: 'procsys-copy', note: `Live values are read from ${p}, not from a running kernel.` };
    if (this.ownMachine) return { procSys: p, kind: 'host', note: null };
    return { procSys: p, kind: 'running-kernel', note: `Compared with the live kernel of this host (${p}), not with a kernel booted from ${this.root}.` };
  }

  async describe(): Promise<HostIdentity> {
    const [hostnameFile, osRelease, usrOsRelease] = await this.read([
      { path: '/etc/hostname', content: true, follow: true, maxBytes: 64 * 1024 },
      { path: '/etc/os-release', content: true, follow: true, maxBytes: 64 * 1024 },
      { path: '/usr/lib/os-release', content: true, follow: true, maxBytes: 64 * 1024 },
    ]);
    const os = prettyName(osRelease?.bytes ?? usrOsRelease?.bytes);
    const kernel = (await this.procSys(['kernel/osrelease'])).entries[0];
    return {
      hostname: this.ownMachine ? osHostname() : firstLine(hostnameFile?.bytes),
      os,
      kernel: kernel?.state === 'ok' ? (kernel.value ?? '').trim() : '',
      time: Date.now(),
    };
  }

  abstract helper(request: HelperRequest, opts: HelperOptions): Promise<HelperResponse>;

  /** This host's helper runs on this machine: one session while an action holds it, and kept a while in the app (kept-session.ts, loaded by the first call). */
  protected readonly helperSessions = new LazyHelperSessions();

  helperSession<T>(fn: () => Promise<T>): Promise<T> {
    return this.helperSessions.hold(fn);
  }

  abstract capabilities(): HostCapabilities;

  busAddress(): Promise<string | undefined> {
    return Promise.resolve(this.bus);
  }

  systemBus(): Promise<MessageBus> {
    return this.sharedBus.get();
  }

  displayPath(hostPath: string): string {
    return hostPath;
  }

  async dispose(): Promise<void> {
    this.sharedBus.dispose();
    await this.helperSessions.close();
  }
}

function firstLine(b: Buffer | undefined): string {
  if (!b) return '';
  // hostname(5): the first line that is not a comment; trailing spaces dropped.
  return (b.toString('utf8').split('\n').find((l) => l.trim() && !l.trimStart().startsWith('#')) ?? '').trim();
}

/** PRETTY_NAME of os-release(5): shell-style quoting, with the few escapes it allows. */
export function prettyName(b: Buffer | undefined): string {
  if (!b) return '';
  for (const line of b.toString('utf8').split('\n')) {
    const m = /^\s*PRETTY_NAME=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[1]!.trim();
    const q = v[0];
    if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) v = v.slice(1, -1);
    return q === "'" ? v : v.replace(/\\([\\$"`])/g, '$1');
  }
  return '';
}
