import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import { IMPORT_MAX_BYTES, importFiles } from '../../shared/compare/imports';
import type { HandlerEvents, HostList } from '../api/context';
import { createHost } from '../hosts/host';
import { addSnapshotHost, checkImportLabel, importLabel } from './handlers';

/**
 * A directory that is another system's root (it has an `etc` directory and no snapshot files):
 * compared as an image host, read as `--root DIR` reads it (its firewall from its files).
 */
export function isImageRoot(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory() || !statSync(path.join(dir, 'etc')).isDirectory()) return false;
    return !readdirSync(dir).some((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return false;
  }
}

function imageHost(rt: { hostList: Pick<HostList, 'list' | 'add'>; events: HandlerEvents }, dir: string, typed: string | null): { id: string; name: string } {
  const root = path.resolve(dir);
  const name = typed ?? (path.basename(root) || 'image');
  const known = rt.hostList.list().find((h) => h.root === root && h.id !== 'local');
  if (known) return { id: known.id, name };
  const base = `image:${name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').slice(0, 40) || 'image'}`;
  const ids = new Set(rt.hostList.list().map((h) => h.id));
  let id = base;
  for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
  // No bus: an image has no firewalld of its own; its firewall is its configuration files (capability 'offline').
  const host = createHost({ id, label: name, kind: 'local', root });
  rt.hostList.add(host);
  rt.events.emit('app.hostsChanged', 'local', {});
  return { id, name };
}

/**
 * Files and names given on the command line as compared hosts (compare's own arguments, and
 * the global --host FILE of every command).
 */

/** Reads a file to import, refusing a size over the import limit before reading it. */
export function readImportFile(file: string): string {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new ApiError('IO_ERROR', `${file} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError('IO_ERROR', `${file}: ${(e as Error).message}`);
  }
  if (size > IMPORT_MAX_BYTES) {
    throw new ApiError('TOO_LARGE', `${file} is ${(size / 1024 / 1024).toFixed(0)} MiB: imports are limited to ${IMPORT_MAX_BYTES / 1024 / 1024} MiB`);
  }
  const buf = Buffer.alloc(size);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, size, 0);
  } finally {
    closeSync(fd);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(buf);
}

/**
 * One compared host from a command-line argument: NAME=FILE or FILE (an importable file), [NAME=]DIR
 * of an image (a system root), or a host HostDeck knows ("local"; SSH destinations once the SSH transport registers them).
 */
export function resolveArg(rt: { hostList: Pick<HostList, 'list' | 'add' | 'get'>; events: HandlerEvents }, arg: string): { id: string; name: string } {
  const eq = /^([^=/]+)=(.+)$/.exec(arg);
  const file = eq && existsSync(eq[2]!) ? eq[2]! : arg;
  if (isImageRoot(file)) return imageHost(rt, file, eq && file === eq[2] ? checkImportLabel(file, eq[1]!) : null);
  if (existsSync(file)) {
    // The name the user typed is what the report and the playbook call the host (checked before reading).
    const typed = eq && file === eq[2] ? checkImportLabel(file, eq[1]!) : null;
    const { snapshot } = importFiles([{ name: path.basename(file), text: readImportFile(file) }]);
    const name = typed ?? importLabel(snapshot, path.basename(file));
    const host = addSnapshotHost({ hosts: rt.hostList, events: rt.events }, snapshot, name);
    return { id: host.id, name };
  }
  const known = rt.hostList.list().find((h) => h.id === arg || h.label === arg);
  if (known) return { id: known.id, name: arg };
  // A saved remote host or any ssh destination (ssh_config alias, user@host[:port]).
  return { id: rt.hostList.get(arg).id, name: arg };
}
