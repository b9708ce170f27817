import path from 'node:path';
import type { HostSummary } from '../../shared/app/contract';
import { ImageTransport } from './image';
import { LocalTransport } from './local';
import type { HostTransport } from './transport';

/**
 * One machine whose settings HostDeck reads and writes. Handlers receive the host and reach
 * the machine only through `host.transport` (files, /proc/sys, bus, helper, identity), so the
 * same handler works on the real system, a `--root DIR` image, an SSH host, a snapshot and
 * the tests' sandboxes.
 */
export interface Host {
  readonly id: string;
  readonly label: string;
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
  /** Per-host services (the firewalld client, watchers) created on first use and disposed with the host. */
  service<T extends { dispose(): void | Promise<void> }>(key: string, create: () => T): T;
  dispose(): Promise<void>;
  summary(): HostSummary;
}

export interface HostOptions {
  id: string;
  label: string;
  kind: HostSummary['kind'];
  readOnly?: boolean;
  root?: string;
  procSys?: string;
  systemBusAddress?: string;
  privileged?: boolean;
  /** How to reach the machine; default: local for root "/", an image for any other root. */
  transport?: HostTransport;
}

/** The transport of a host seen as a directory tree on this machine: local for "/", an image otherwise. */
export function treeTransport(opts: { root?: string; procSys?: string; systemBusAddress?: string }): HostTransport {
  const root = path.resolve(opts.root ?? '/');
  const common = { procSys: opts.procSys, busAddress: opts.systemBusAddress };
  return root === '/' ? new LocalTransport(common) : new ImageTransport({ ...common, root });
}

export function createHost(opts: HostOptions): Host {
  const services = new Map<string, { dispose(): void | Promise<void> }>();
  const root = opts.root ?? '/';
  const transport = opts.transport ?? treeTransport(opts);
  const host: Host = {
    id: opts.id,
    label: opts.label,
    kind: opts.kind,
    readOnly: opts.readOnly ?? false,
    transport,
    root,
    procSys: opts.procSys ?? '/proc/sys',
    systemBusAddress: opts.systemBusAddress,
    privileged: opts.privileged ?? false,
    service(key, create) {
      let s = services.get(key);
      if (!s) {
        s = create();
        services.set(key, s);
      }
      return s as ReturnType<typeof create>;
    },
    async dispose() {
      const all = [...services.values()];
      services.clear();
      await Promise.allSettled(all.map((s) => s.dispose()));
      await transport.dispose().catch(() => undefined);
    },
    summary() {
      const capabilities = transport.capabilities();
      // A host made read-only (an imported copy, a --read-only run) says so whatever its transport could do.
      const readOnly = host.readOnly || capabilities.readOnly;
      return {
        id: host.id,
        label: host.label,
        kind: host.kind,
        readOnly,
        root: host.root,
        capabilities: readOnly && !capabilities.readOnly ? { ...capabilities, readOnly, writes: 'none', missing: { ...capabilities.missing, writes: `${host.label} is read-only in HostDeck.` } } : capabilities,
      };
    },
  };
  return host;
}

/** A host path as people should see it: an image's files under the image directory, every other host's as they are. */
export function shownPath(host: Host, hostPath: string): string {
  return host.transport.kind === 'image' ? path.join(host.root, hostPath) : hostPath;
}
