import { promises as fs } from 'node:fs';
import type { Host } from '../hosts/host';

/**
 * This machine's network interfaces (name -> ifindex) from /sys/class/net, for musl's `%name`
 * nameserver scopes. Only for the live root: another system's root has other interfaces, and
 * then the musl reading assumes a named scope exists.
 */
export async function hostInterfaces(host: Host): Promise<Record<string, number> | undefined> {
  if (host.root !== '/') return undefined;
  try {
    const out: Record<string, number> = {};
    for (const n of await fs.readdir('/sys/class/net')) {
      const idx = Number((await fs.readFile(`/sys/class/net/${n}/ifindex`, 'utf8').catch(() => '')).trim());
      if (idx > 0) out[n] = idx;
    }
    return out;
  } catch {
    return undefined;
  }
}
