import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import { createHost, treeTransport, type Host } from './host';

export interface LocalHostOptions {
  /** Read files under this directory instead of "/" (another system's root). */
  root?: string;
  procSys?: string;
  systemBusAddress?: string;
}

/** The hosts of one HostDeck process. "local" always exists. */
export class HostRegistry {
  private readonly hosts = new Map<string, Host>();

  constructor(local: LocalHostOptions = {}) {
    // Absolute from here on: labels, shown paths and writers all use the same directory.
    const root = path.resolve(local.root ?? '/');
    const procSys = local.procSys ?? '/proc/sys';
    const systemBusAddress = local.systemBusAddress ?? process.env.DBUS_SYSTEM_BUS_ADDRESS;
    this.add(
      createHost({
        id: 'local',
        label: root === '/' ? 'Local' : `Local (${root})`,
        kind: 'local',
        root,
        procSys,
        systemBusAddress,
        privileged: typeof process.getuid === 'function' && process.getuid() === 0,
        // "/" is this machine (LocalTransport); any other root is an image read as if chrooted.
        // The bus as given: an image given none has no firewalld of its own (its firewall is its files).
        transport: treeTransport({ root, procSys, systemBusAddress: local.systemBusAddress }),
      }),
    );
  }

  /** Never replaces a host: "local" or an imported snapshot must not be shadowed by a later one. */
  add(host: Host): Host {
    const had = this.hosts.get(host.id);
    if (had && had !== host) throw new ApiError('CONFLICT', `A host called "${host.id}" already exists (${had.label})`, { id: host.id });
    this.hosts.set(host.id, host);
    return host;
  }

  get(id: string): Host {
    const h = this.hosts.get(id);
    if (!h) throw new ApiError('UNKNOWN_HOST', `No host called "${id}"`, { known: [...this.hosts.keys()] });
    return h;
  }

  async remove(id: string): Promise<void> {
    const h = this.hosts.get(id);
    if (!h || id === 'local') return;
    this.hosts.delete(id);
    await h.dispose();
  }

  list(): Host[] {
    return [...this.hosts.values()];
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.list().map((h) => h.dispose()));
  }
}
