import path from 'node:path';
import type { FileFacts, HostTransport, ReadRequest } from '../../hosts/transport';

/**
 * The files one call (call-scope.ts) has read of a host, by request: a second read of the
 * configuration in the same call (the history capture after a write, the writer's own read after
 * the history capture before it) asks the host only for what is not known yet. A file is known by
 * what was read of it (its bytes and sha256: the identity the write path hands the helper, which
 * refuses with CONFLICT when the file on the host is no longer that one). What a write changed is
 * forgotten (changed()), with its directory's listing, and read again.
 */
export class CallReads {
  private readonly known = new Map<string, FileFacts>();

  constructor(private readonly t: HostTransport) {}

  /** The host's transport, answering the requests already answered in this call from what was read. */
  transport(): HostTransport {
    const read = (requests: ReadRequest[]) => this.read(requests);
    return new Proxy(this.t, {
      get(target, prop) {
        if (prop === 'read') return read;
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  private async read(requests: ReadRequest[]): Promise<FileFacts[]> {
    const keys = requests.map(keyOf);
    const missing = requests.filter((_, i) => !this.known.has(keys[i]!));
    if (missing.length) {
      const facts = await this.t.read(missing);
      // A file that could not be read (a timeout, an I/O error) is asked again next time.
      missing.forEach((r, i) => facts[i] && !facts[i]!.error && this.known.set(keyOf(r), facts[i]!));
      const fresh = new Map(missing.map((r, i) => [keyOf(r), facts[i]!]));
      return keys.map((k) => fresh.get(k) ?? this.known.get(k)!);
    }
    return keys.map((k) => this.known.get(k)!);
  }

  /** Files (host paths) a write replaced or removed: they and their directories' listings are read again. */
  changed(paths: string[]): void {
    const gone = new Set(paths.flatMap((p) => [p, path.posix.dirname(p)]));
    for (const [k, f] of this.known) if (gone.has(f.path)) this.known.delete(k);
  }
}

const keyOf = (r: ReadRequest) => JSON.stringify([r.path, !!r.content, !!r.list, !!r.follow, r.maxBytes ?? null, !!r.attrs]);
