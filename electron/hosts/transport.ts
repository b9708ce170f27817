import type { LiveEntry, LiveSource } from '../../shared/kernel/contract';
import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import type { HostCapabilities } from '../../shared/hosts/capabilities';
import type { Snapshot } from '../../shared/compare/snapshot';
import type { MessageBus } from '@jellybrick/dbus-next';
import type { HelperOptions } from '../helper/local';
import type { SshLink } from './ssh/link';
import type { KernelLogOptions, KernelLogReader } from './kernel-log';
import type { HostSummary } from '../../shared/app/contract';

export type { HelperOptions, KernelLogOptions, KernelLogReader };

/**
 * What a host offers the features: everything a handler needs from a machine, and nothing
 * else. Handlers never import `fs` or `child_process` for host data; they ask the host's
 * transport. Implementations: local (this machine), image (`--root DIR`, every path resolved
 * inside DIR as if chrooted), ssh (system ssh + ControlMaster; reads through a one-round-trip
 * agent, writes through the helper), snapshot (read-only, from a snapshot or imported text).
 *
 * Paths are always the host's own absolute paths ("/etc/resolv.conf"), never this machine's
 * path of an image: the transport maps them.
 */

export type FileType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char' | 'block' | 'missing';

/** Facts about one path, as the host sees it (lstat: a symlink is reported as a symlink). */
export interface FileFacts {
  /** The path as asked (host-absolute). */
  path: string;
  type: FileType;
  /** Raw readlink() of a symlink. */
  linkTarget?: string;
  /** Host-absolute path after resolving every link inside the host root; absent when it leaves the root, loops or is missing. */
  resolved?: string;
  /** Type of the file `resolved` names (what a reader following links meets): a symlink to /dev/null reports 'char'. */
  targetType?: FileType;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  mtimeMs?: number;
  /** Content of a regular file (after following links when `follow`), when asked for. */
  bytes?: Buffer;
  /** sha256 hex of `bytes`. */
  sha256?: string;
  /** Directory entries (name and type, sorted by name), when asked for. */
  entries?: { name: string; type: FileType }[];
  /** Why content or entries could not be had (errno code and plain words): not thrown, reported.
   *  Codes beyond errno: NOT_REGULAR (a FIFO, device, socket or directory where a file was wanted),
   *  TOO_LARGE (over maxBytes), OUTSIDE_ROOT (the file opened lies outside an image's root),
   *  INVALID_PATH, TIMEOUT. */
  error?: { code: string; message: string };
  /** The immutable attribute (chattr +i) of the file (after following links), when `attrs` was asked; undefined when unknown. */
  immutable?: boolean;
  /** Whether the path (or its link target) is a mount point on the host (a bind-mounted file), when `attrs` was asked. */
  bindMount?: boolean;
}

export interface ReadRequest {
  /** Host-absolute path. */
  path: string;
  /** Read the content of a regular file (non-regular files are refused with error NOT_REGULAR). */
  content?: boolean;
  /** List a directory. */
  list?: boolean;
  /** Follow symlinks (inside the host root) before reading content or listing. */
  follow?: boolean;
  /** Refuse content larger than this (error TOO_LARGE); default 4 MiB. */
  maxBytes?: number;
  /** Also report `immutable` and `bindMount` (costs a process and a mountinfo read on local hosts). */
  attrs?: boolean;
}

/** A listing whose entries are read in the same round trip (what the caller would ask next). */
export interface ReadExpand {
  /** Entries are read under the listing's resolved path, or under the path as asked. */
  base: 'resolved' | 'path';
  /** Only names ending so (never hidden ones), e.g. ".conf". */
  suffix?: string;
  /** A file under each entry instead of the entry itself (e.g. "ifindex"). */
  sub?: string;
  content?: boolean;
  follow?: boolean;
  maxBytes?: number;
}

/**
 * Everything a refresh will read from a host, asked at once (HostTransport.prefetch): its
 * /proc/sys, its identity, and files (listings with `expand` bring their entries too).
 */
export interface ReadPlan {
  procSys?: boolean;
  describe?: boolean;
  reads?: (ReadRequest & { expand?: ReadExpand })[];
  /** firewalld's full read (electron/firewall/bulk-read.ts), made on the host in the same round trip. */
  bus?: BusReadCall[];
}

/**
 * One firewalld read call (a get/list/query method or Properties.GetAll) a transport makes on
 * the host itself (HostTransport.busReads); `each` are made for every name or object path the
 * call answers (the name as the argument, or the path as the object).
 */
export interface BusReadCall {
  path: string;
  iface: string;
  member: string;
  sig?: string;
  args?: string[];
  each?: { iface: string; member: string; sig?: string; itemAs: 'arg' | 'path'; path?: string; args?: string[] }[];
}

/** A call BusReadCall made: its return values (plain JSON: booleans, numbers, strings, lists, objects) or its D-Bus error. */
export interface BusReadAnswer {
  path: string;
  iface: string;
  member: string;
  args: string[];
  body?: unknown[];
  error?: { name: string; message: string };
}

/** What procSys() answers. */
export interface ProcSysSnapshot {
  entries: LiveEntry[];
  dirs: string[];
  /** Where the values come from (a running kernel, or a copy of /proc/sys); absent means the host's own kernel. */
  source?: LiveSource;
}

export interface HostIdentity {
  hostname: string;
  /** PRETTY_NAME from os-release, or "". */
  os: string;
  /** Kernel release (uname -r / kernel/osrelease). */
  kernel: string;
  /** Host's clock when described, ms since epoch. */
  time: number;
  /** The login's own name as the host reports it (an SSH host); absent for this machine. */
  user?: string;
}

export interface HostTransport {
  /**
   * What this host offers now (shared/hosts/capabilities.ts). Synchronous: it answers from
   * what the transport already knows (an SSH host's last privilege probe), never a round trip.
   */
  capabilities(): HostCapabilities;
  /** Reads many paths in one round trip; never throws for a missing or unreadable path (see FileFacts.error). */
  read(requests: ReadRequest[]): Promise<FileFacts[]>;
  /**
   * Every entry under the host's live /proc/sys in one round trip (directories in `dirs`).
   * With `only` (paths relative to /proc/sys, e.g. "kernel/osrelease"), a transport may read just
   * those (dirs then empty); one that ignores it answers everything and callers pick.
   */
  procSys(only?: string[]): Promise<ProcSysSnapshot>;
  describe(): Promise<HostIdentity>;
  /**
   * A transport whose every round trip costs (SSH) reads the whole plan in one round trip and
   * answers read(), procSys() and describe() from it (and shares any repeated read) until the
   * returned function is called. Absent where reads are local and cheap.
   */
  prefetch?(plan: ReadPlan): () => void;
  /**
   * firewalld's read calls made on the host itself, all in one round trip (a transport whose bus
   * is tunnelled: SSH), held like the other reads while a prefetch() asking for them is open.
   * Absent where the bus is local (calls are cheap); rejects UNSUPPORTED where the host cannot
   * (callers then use the bus itself).
   */
  busReads?(calls: BusReadCall[]): Promise<BusReadAnswer[]>;
  /** Runs one verb of the privileged helper on the host (pkexec, sudo -n, or directly as root). */
  helper(request: HelperRequest, opts: HelperOptions): Promise<HelperResponse>;
  /**
   * Runs fn with the host's elevated helper calls in ONE helper process (one authorization, one
   * start; every verb still checked as a single call), closed when fn ends. Absent where each
   * call has its own (callers then just run fn: see withHelperSession in helper/host.ts).
   */
  helperSession?<T>(fn: () => Promise<T>): Promise<T>;
  /** A D-Bus address this process can connect to for the host's system bus, or undefined for the platform default. */
  busAddress(): Promise<string | undefined>;
  /**
   * The host's one system bus connection, shared by every feature and disposed with the
   * transport (see SharedBus in bus.ts): features never open a bus of their own. Rejects with
   * FIREWALLD_NOT_RUNNING (detail.noBus) when the bus cannot be reached.
   */
  systemBus(): Promise<MessageBus>;
  /**
   * Reads (and follows) the host's kernel log: the journal, or the kernel ring buffer where
   * there is none (an SSH host's over its link, as the login user). Absent where there is no
   * running kernel to read (an image, a snapshot): features say so instead.
   */
  kernelLog?(opts: KernelLogOptions): KernelLogReader;
  /** A host path as people should see it: an image's files under the image directory on this machine, every other host's as they are. */
  displayPath(hostPath: string): string;
  /** The record a read-only host is made of (a snapshot host); absent for a host that is a machine. */
  snapshot?(): Snapshot;
  /**
   * The connection the host is reached over, when it can drop (an SSH host): every call on the
   * host is guarded by it (HOST_UNREACHABLE as soon as it goes down). Absent for hosts on this machine.
   */
  readonly link?: SshLink;
  /** The identity as last described, without a round trip (an SSH host's, once connected); absent when not known. */
  readonly identity?: HostIdentity;
  dispose(): Promise<void>;
}

/**
 * One machine whose settings HostDeck reads and writes. Handlers receive the host and reach
 * the machine only through `host.transport` (files, /proc/sys, bus, helper, identity), so the
 * same handler works on the real system, a `--root DIR` image, an SSH host, a snapshot and
 * the tests' sandboxes.
 */
export interface Host {
  readonly id: string;
  readonly label: string;
  /** For display only (the host list's label): nothing branches on it; features ask transport.capabilities(). */
  readonly kind: HostSummary['kind'];
  readonly readOnly: boolean;
  /** Everything handlers read from (and, through the helper, write to) the machine. */
  readonly transport: HostTransport;
  /** Files are read under this directory ("/" for the running system); for display and for local writers only. */
  readonly root: string;
  /** Live kernel parameters on this machine (normally /proc/sys); for local writers only: readers use transport.procSys(). */
  readonly procSys: string;
  /** D-Bus system bus address given at creation; readers use transport.busAddress(). */
  readonly systemBusAddress: string | undefined;
  /** Whether this process may change the host directly (root). */
  readonly privileged: boolean;
  /**
   * Set while the host's bus answers but firewalld is not on it (stopped, masked, failed), with
   * the reason; its capability `firewall` then reads 'offline' (the configuration files). Kept
   * current by every firewalld status read and name-owner signal.
   */
  firewalldStopped: string | undefined;
  /** Per-host services (the firewalld client, watchers) created on first use and disposed with the host. */
  service<T extends { dispose(): void | Promise<void> }>(key: string, create: () => T): T;
  dispose(): Promise<void>;
  summary(): HostSummary;
}
