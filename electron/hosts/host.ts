import type { HostSummary } from '../../shared/app/contract';

/**
 * One machine whose settings HostDeck reads and writes. Handlers receive the host and take
 * every path and address from it, so the same handler works on the real system, on a
 * `--root DIR` image and in the tests' sandboxes.
 */
export interface Host {
  readonly id: string;
  readonly label: string;
  readonly kind: HostSummary['kind'];
  readonly readOnly: boolean;
  /** Files are read under this directory ("/" for the running system). */
  readonly root: string;
  /** Live kernel parameters (normally /proc/sys). */
  readonly procSys: string;
  /** D-Bus system bus address; undefined means the platform default. */
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
}

export function createHost(opts: HostOptions): Host {
  const services = new Map<string, { dispose(): void | Promise<void> }>();
  const root = opts.root ?? '/';
  const host: Host = {
    id: opts.id,
    label: opts.label,
    kind: opts.kind,
    readOnly: opts.readOnly ?? false,
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
    },
    summary() {
      return { id: host.id, label: host.label, kind: host.kind, readOnly: host.readOnly, root: host.root };
    },
  };
  return host;
}
