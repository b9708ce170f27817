import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import type { Api } from '../../shared/api/contract';
import { matchPattern } from '../hosts/inventory';
import { isDir } from './summary';
import { isImageRoot } from './import-arg';

/**
 * Host arguments that stand for several hosts: `@GROUP` (the saved hosts imported with that
 * Ansible group), a directory (every snapshot file in it: what `hostdeck snapshot --inventory
 * --out DIR` wrote; a system root with `etc/` is one image host instead), and `--limit PATTERN` over the saved hosts, matched by Ansible itself
 * (`web:!web-07`, `web:&eu`, `db*`) against an inventory of the saved names and groups.
 */

/** The snapshot files of a directory, by name (never its subdirectories, never dot files). */
export function snapshotFilesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name.endsWith('.json'))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** Saved host names matching an Ansible pattern, by Ansible's own rules (an inventory of names and groups only: no variable is written). */
async function savedMatching(hosts: { id: string; groups: string[] }[], pattern: string): Promise<Set<string>> {
  const groups: Record<string, { hosts: Record<string, null> }> = {};
  const ungrouped: Record<string, null> = {};
  for (const h of hosts) {
    if (!h.groups.length) ungrouped[h.id] = null;
    for (const g of h.groups) (groups[g] ??= { hosts: {} }).hosts[h.id] = null;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-limit-'));
  try {
    const file = path.join(dir, 'saved.yml');
    // The YAML library only for a pattern or a group (not loaded by a plain `compare h1 h2`).
    const { stringify } = await import('yaml');
    writeFileSync(file, stringify({ all: { hosts: ungrouped, children: groups } }), { mode: 0o600 });
    return await matchPattern(file, pattern);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function expandHostArgs(api: Api, args: string[], limit?: string): Promise<string[]> {
  const needSaved = limit !== undefined || args.some((a) => a.startsWith('@'));
  const saved = needSaved ? (await api.hosts.list({}, { host: 'local' })).hosts : [];
  const out: string[] = [];
  for (const a of args) {
    if (a.startsWith('@') && a.length > 1) {
      const g = a.slice(1);
      const members = saved.filter((h) => h.groups.includes(g)).map((h) => h.id);
      if (!members.length) throw new ApiError('UNKNOWN_HOST', `No saved host is in group "${g}" (groups come from hostdeck hosts import --inventory FILE)`, { group: g });
      // A host in two named groups is compared once; arguments given one by one stay as given.
      out.push(...members.filter((m) => !out.includes(m)));
    } else if (isDir(a) && !isImageRoot(a)) {
      const files = snapshotFilesIn(a);
      if (!files.length) throw new ApiError('INVALID_INPUT', `${a} holds no snapshot files (*.json)`);
      out.push(...files);
    } else {
      out.push(a);
    }
  }
  if (limit === undefined) return out;
  const matched = await savedMatching(saved, limit);
  // Without host arguments, --limit picks from every saved host.
  const pool = out.length ? out : saved.map((h) => h.id);
  const kept = [...new Set(pool)].filter((a) => matched.has(a) || !saved.some((h) => h.id === a));
  return kept;
}
