import { realpathSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import type { OpParsedInput } from '../../shared/api/contract';
import { MAX_COMPARE_HOSTS } from '../../shared/compare/diff';
import { importFiles } from '../../shared/compare/imports';
import type { Snapshot } from '../../shared/compare/snapshot';
import { FleetSummaryBuilder, type FleetSummary } from '../../shared/compare/summary';
import type { HandlerContext, HostList } from '../api/context';
import { errorText, takeSnapshot } from './capture';
import { addFiles, filesOfDir, isDir, labelOf, readSnapshotFile } from './summary';

/**
 * compare.summary and compare.open: the fleet summary of host ids or of a directory of
 * snapshot files on this machine, and a kind's files opened as read-only hosts. Only files of a
 * directory summarized in this runtime can be opened: the UI cannot make HostDeck read any path.
 */

const summarized = new WeakMap<HostList, Set<string>>();

function realDir(dir: string): string {
  let real: string;
  try {
    real = realpathSync(path.resolve(dir));
  } catch (e) {
    throw new ApiError('IO_ERROR', `${dir}: ${(e as Error).message}`);
  }
  if (!isDir(real)) throw new ApiError('INVALID_INPUT', `${dir} is not a directory`);
  return real;
}

/** A directory HostDeck itself wrote (a collect run): its files may be opened as a summarized directory's. */
export function rememberSummarized(hosts: HostList, dir: string): void {
  let dirs = summarized.get(hosts);
  if (!dirs) summarized.set(hosts, (dirs = new Set()));
  dirs.add(realDir(dir));
}

export async function fleetSummaryOp(ctx: HandlerContext, i: OpParsedInput<'compare', 'summary'>): Promise<FleetSummary> {
  const b = new FleetSummaryBuilder({ only: i.only, layer: i.layer, dnsName: i.dnsName });
  if (i.dir) {
    const dir = realDir(i.dir);
    let dirs = summarized.get(ctx.hosts);
    if (!dirs) summarized.set(ctx.hosts, (dirs = new Set()));
    dirs.add(dir);
    await addFiles(b, filesOfDir(dir).map((file) => ({ file })));
    return b.finish();
  }
  const ids = i.hosts!;
  if (new Set(ids).size !== ids.length) throw new ApiError('INVALID_INPUT', 'A host is listed twice');
  const hosts = ids.map((id) => ctx.hosts.get(id));
  const live = hosts.filter((h) => !h.transport.snapshot);
  if (live.length > MAX_COMPARE_HOSTS) {
    throw new ApiError('INVALID_INPUT', `a summary reads at most ${MAX_COMPARE_HOSTS} live hosts itself (${live.length} given): collect snapshots of more into a directory and summarize it`);
  }
  const read = new Map<string, { snapshot: Snapshot | null; error?: string }>();
  await Promise.all(
    live.map(async (h) => {
      try {
        read.set(h.id, { snapshot: await takeSnapshot(ctx.api, h) });
      } catch (e) {
        read.set(h.id, { snapshot: null, error: errorText(e) });
      }
    }),
  );
  for (const h of hosts) {
    const r = h.transport.snapshot ? { snapshot: h.transport.snapshot() } : read.get(h.id)!;
    b.add(h.label, h.id, r.snapshot, r.snapshot ? undefined : (r as { error?: string }).error);
  }
  return b.finish();
}

/** The snapshots of files in a summarized directory, with the names the summary gave them. */
export async function summaryFiles(ctx: Pick<HandlerContext, 'hosts'>, files: string[]): Promise<{ snapshot: Snapshot; label: string }[]> {
  const dirs = summarized.get(ctx.hosts) ?? new Set<string>();
  const out: { snapshot: Snapshot; label: string }[] = [];
  for (const f of files) {
    let real: string;
    try {
      real = realpathSync(f);
    } catch (e) {
      throw new ApiError('IO_ERROR', `${f}: ${(e as Error).message}`);
    }
    if (!dirs.has(path.dirname(real))) throw new ApiError('INVALID_INPUT', `${f} is not a file of a summarized directory`);
    const { snapshot } = importFiles([{ name: f, text: await readSnapshotFile(real) }]);
    out.push({ snapshot, label: labelOf(f, snapshot.identity.hostname) });
  }
  return out;
}
