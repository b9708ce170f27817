import path from 'node:path';
import type { HostSummary } from '../../shared/app/contract';
import { ImageTransport } from './image';
import { LocalTransport } from './local';
import type { Host, HostTransport } from './transport';

export type { Host };

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
    firewalldStopped: undefined,
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
      const declared = transport.capabilities();
      // A host that can run firewalld but whose firewalld is not running now offers its files.
      const capabilities =
        declared.firewall === 'live' && host.firewalldStopped
          ? { ...declared, firewall: 'offline' as const, missing: { ...declared.missing, firewall: `firewalld is not running on ${host.label} (${host.firewalldStopped}): its configuration files are shown, as firewalld would load them.` } }
          : declared;
      // A host made read-only (an imported copy, a --read-only run) says so whatever its transport could do.
      const readOnly = host.readOnly || capabilities.readOnly;
      return {
        id: host.id,
        label: host.label,
        kind: host.kind,
        readOnly,
        root: host.root,
        capabilities:
          readOnly && !capabilities.readOnly
            ? { ...capabilities, readOnly, writes: 'none', firewallWrites: 'none', missing: { ...capabilities.missing, writes: `${host.label} is read-only in HostDeck.`, firewallWrites: `${host.label} is read-only in HostDeck.` } }
            : capabilities,
      };
    },
  };
  return host;
}
