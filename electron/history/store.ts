import { createHash, randomBytes } from 'node:crypto';
import {
  close,
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { ApiError } from '../../shared/api/errors';
import type { Snapshot } from '../../shared/compare/snapshot';
import { changesOfLeaves, featuresOf } from '../../shared/history/changes';
import { flattenSnapshot, sectionOfLeaf, unflattenSnapshot, type LeafSection, type Leaves } from '../../shared/history/flatten';
import { MAX_POINT_CHANGES, pointSchema, retentionSchema, type HistoryNotice, type HistoryPoint, type Retention } from '../../shared/history/model';
import { buildTree, bucketsOf, chunksOf, HASH_HEX, leavesOf, treeState, type TreeState } from './tree';

/**
 * Where and how points are kept: one directory per host under
 * `$XDG_DATA_HOME/hostdeck/history/` (or the directory given, such as Electron's user data),
 * holding `current`, a link to the generation in use, whose `log` is one append-only file of
 * lines: chunks (`NAME JSON`, named by the hash of the JSON) and points (`{...}`: a point's
 * summary and the root chunk of its facts). A point and the chunks it adds are one write and
 * one sync, chunks first, so a crash (SIGKILL, power) can cut off only that write: a reader
 * skips a line that is not whole and says a point was lost, and a writer that finds the file
 * not ending in a newline starts on a new line. Retention (age, size) writes a new generation
 * with the points kept and the chunks they reach, then switches `current` in one rename.
 */

export interface HistoryStoreOptions {
  /** Default: $XDG_DATA_HOME/hostdeck/history (~/.local/share/hostdeck/history). */
  dir?: string;
  retention?: Partial<Retention>;
  now?: () => number;
}

export function defaultHistoryDir(): string {
  const data = process.env.XDG_DATA_HOME && process.env.XDG_DATA_HOME.startsWith('/') ? process.env.XDG_DATA_HOME : path.join(homedir(), '.local', 'share');
  return path.join(data, 'hostdeck', 'history');
}

/** A host id as a directory name: readable, and a hash so that no two ids share one. */
export function hostDirName(hostId: string): string {
  const slug = hostId.toLowerCase().replace(/[^a-z0-9_.@-]+/g, '-').replace(/^[-.]+/, '').slice(0, 60) || 'host';
  return `${slug}-${createHash('sha256').update(hostId).digest('hex').slice(0, 10)}`;
}

interface PointLine extends HistoryPoint {
  root: string;
}

export interface PointInput {
  kind: HistoryPoint['kind'];
  what: string;
  operation?: string | null;
  who?: HistoryPoint['who'];
  result?: HistoryPoint['result'];
  error?: string | null;
  sections: HistoryPoint['sections'];
  time?: number;
}

export interface TimelineRead {
  points: HistoryPoint[];
  notices: HistoryNotice[];
}

export class HistoryStore {
  readonly dir: string;
  readonly retention: Retention;
  private readonly now: () => number;
  private readonly hosts = new Map<string, HostHistory>();

  constructor(opts: HistoryStoreOptions = {}) {
    this.dir = opts.dir ?? defaultHistoryDir();
    this.retention = retentionSchema.parse(opts.retention ?? {});
    this.now = opts.now ?? Date.now;
  }

  host(hostId: string): HostHistory {
    let h = this.hosts.get(hostId);
    if (!h) this.hosts.set(hostId, (h = new HostHistory(path.join(this.dir, hostDirName(hostId)), this.retention, this.now)));
    return h;
  }
}

/**
 * Syncs of appended points still on their way to the disk (file → its promise). A point is
 * written (readable by every process, safe from a SIGKILL) when append returns; its sync runs
 * on libuv's pool so that a change does not wait on the disk (the sync was most of a point's
 * time), and the next append to the file syncs first if it is still pending, so a power loss
 * can cost only the last point: the one being written.
 */
const pendingSyncs = new Map<string, Promise<void>>();

/** Resolves when every point appended so far is on the disk (the CLI before it exits, tests). */
export async function historySynced(): Promise<void> {
  while (pendingSyncs.size) await Promise.allSettled([...pendingSyncs.values()]);
}

/** Append-only file of lines, read incrementally. */
class LineFile {
  constructor(readonly file: string) {}

  size(): number {
    try {
      return statSync(this.file).size;
    } catch {
      return 0;
    }
  }

  /**
   * Appends whole lines in one write; a torn line before them is ended first. `sync: 'now'`
   * returns once they are on the disk, `'later'` (a point) once written, the sync following.
   */
  append(text: string, sync: 'now' | 'later' = 'now'): number {
    const fd = openSync(this.file, 'a+', 0o600);
    let closeLater = false;
    try {
      // The point before this one reaches the disk before this one is written.
      if (pendingSyncs.has(this.file)) fdatasyncSync(fd);
      const size = fstatSync(fd).size;
      let lead = '';
      if (size > 0) {
        const b = Buffer.alloc(1);
        readSync(fd, b, 0, 1, size - 1);
        if (b[0] !== 0x0a) lead = '\n';
      }
      const buf = Buffer.from(lead + text, 'utf8');
      writeSync(fd, buf);
      if (sync === 'now') fdatasyncSync(fd);
      else {
        closeLater = true;
        const file = this.file;
        const done = new Promise<void>((resolve) => {
          fdatasync(fd, () => {
            close(fd, () => resolve());
          });
        }).finally(() => {
          if (pendingSyncs.get(file) === done) pendingSyncs.delete(file);
        });
        pendingSyncs.set(file, done);
      }
      return size + Buffer.byteLength(lead);
    } finally {
      if (!closeLater) closeSync(fd);
    }
  }

  readFrom(offset: number): Buffer {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return Buffer.alloc(0);
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= offset) return Buffer.alloc(0);
      const buf = Buffer.alloc(size - offset);
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  }
}

const NL = 0x0a;
const TOP_LEAVES = new Set(['sysctl', 'sysctld', 'dns', 'firewall']);

export class HostHistory {
  private gen = '';
  private log!: LineFile;
  /** Chunk name → [offset, length] of its JSON in the log, read up to `indexed`. */
  private index = new Map<string, [number, number]>();
  private indexed = 0;
  private points: PointLine[] = [];
  private notices: HistoryNotice[] = [];
  private tornTail = false;
  private last: TreeState | null = null;

  constructor(
    readonly dir: string,
    private readonly retention: Retention,
    private readonly now: () => number,
  ) {}

  /** Follows `current` (another process may have compacted): a new generation is read from the start. */
  private sync(): void {
    const cur = path.join(this.dir, 'current');
    let gen = '';
    try {
      gen = readlinkSync(cur);
    } catch {
      gen = '';
    }
    if (!gen) {
      mkdirSync(path.join(this.dir, 'g1'), { recursive: true, mode: 0o700 });
      try {
        symlinkSync('g1', cur);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      gen = readlinkSync(cur);
    }
    if (gen !== this.gen) {
      this.gen = gen;
      this.log = new LineFile(path.join(this.dir, gen, 'log'));
      this.index = new Map();
      this.indexed = 0;
      this.points = [];
      this.notices = [];
      this.tornTail = false;
      this.last = null;
    }
    this.readLog();
  }

  private readLog(): void {
    const buf = this.log.readFrom(this.indexed);
    if (!buf.length) return;
    // Only whole lines: a write still under way in another process is read next time.
    const end = buf.lastIndexOf(NL) + 1;
    let start = 0;
    while (start < end) {
      const nl = buf.indexOf(NL, start);
      const lineStart = start;
      start = nl + 1;
      if (nl === lineStart) continue;
      if (buf[lineStart] !== 0x7b) {
        const sp = lineStart + HASH_HEX;
        if (nl - lineStart > HASH_HEX + 1 && buf[sp] === 0x20) this.index.set(buf.toString('latin1', lineStart, sp), [this.indexed + sp + 1, nl - sp - 1]);
        else this.damaged();
        continue;
      }
      let v: unknown;
      try {
        v = JSON.parse(buf.toString('utf8', lineStart, nl));
      } catch {
        v = undefined;
      }
      if (v && typeof v === 'object' && 'notice' in v) {
        this.notices.push({ time: Number((v as unknown as { time: number }).time) || 0, message: String((v as unknown as { notice: string }).notice) });
        continue;
      }
      // Lines are this store's own: a cheap check of the shape (zod per line made a 10,000-point timeline take a second).
      if (isPointLine(v)) this.points.push(v);
      else this.damaged();
    }
    this.indexed += end;
    this.tornTail = end < buf.length;
  }

  /** A line that is not whole: the end of a write cut off by a crash (one notice per write, not per line). */
  private damaged(): void {
    const at = this.points.at(-1)?.time ?? 0;
    if (this.notices.at(-1)?.message.startsWith('A point being written') && this.notices.at(-1)!.time === at) return;
    this.notices.push({ time: at, message: `A point being written when HostDeck stopped was cut off and is lost (a damaged line in ${this.log.file}); the points before and after it are whole.` });
  }

  /** A last line without its newline: being written right now, or cut off (a writer syncs within moments: older than 5 s is cut off). */
  private tornNotice(): HistoryNotice[] {
    if (!this.tornTail) return [];
    try {
      if (this.now() - statSync(this.log.file).mtimeMs <= 5000) return [];
    } catch {
      return [];
    }
    return [{ time: this.points.at(-1)?.time ?? 0, message: `The last point was being written when HostDeck stopped and is lost (${this.log.file} ends in the middle of a line); the points before it are whole.` }];
  }

  private chunk = (name: string): string => {
    let at = this.index.get(name);
    if (!at) {
      this.readLog();
      at = this.index.get(name);
    }
    if (!at) throw new ApiError('IO_ERROR', `The history store ${this.dir} is damaged: chunk ${name} is missing`);
    const fd = this.rfd ?? openSync(this.log.file, 'r');
    try {
      const buf = Buffer.alloc(at[1]);
      readSync(fd, buf, 0, at[1], at[0]);
      const text = buf.toString('utf8');
      if (createHash('sha256').update(text).digest('hex').slice(0, HASH_HEX) !== name) {
        throw new ApiError('IO_ERROR', `The history store ${this.dir} is damaged: chunk ${name} does not match its name`);
      }
      return text;
    } finally {
      if (fd !== this.rfd) closeSync(fd);
    }
  };

  private rfd: number | undefined;
  /** Runs fn with the objects file open once (a point's facts are hundreds of chunks). */
  private reading<T>(fn: () => T): T {
    if (this.rfd !== undefined) return fn();
    this.rfd = openSync(this.log.file, 'r');
    try {
      return fn();
    } finally {
      closeSync(this.rfd);
      this.rfd = undefined;
    }
  }

  /** The timeline, oldest first, with what retention or a crash dropped. */
  read(): TimelineRead {
    this.sync();
    return { points: this.points.map(publicPoint), notices: [...this.notices, ...this.tornNotice()] };
  }

  /** The facts of a point (throws NOT_FOUND naming the id). */
  snapshotAt(id: string): Snapshot {
    this.sync();
    const p = this.find(id);
    this.readLog();
    return this.reading(() => unflattenSnapshot(leavesOf(bucketsOf(p.root, this.chunk), this.chunk), p.time));
  }

  find(id: string): HistoryPoint & { root: string } {
    this.sync();
    const exact = this.points.find((p) => p.id === id);
    if (exact) return exact;
    const matches = id.length >= 4 ? this.points.filter((p) => p.id.startsWith(id)) : [];
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new ApiError('INVALID_INPUT', `"${id}" names ${matches.length} points: give more of the id`);
    throw new ApiError('NOT_FOUND', `No point "${id}" in the history of this host`);
  }

  /** The time of the oldest point kept, null for none. */
  firstTime(): number | null {
    this.sync();
    return this.points[0]?.time ?? null;
  }

  lastPoint(): HistoryPoint | null {
    this.sync();
    const p = this.points.at(-1);
    return p ? publicPoint(p) : null;
  }

  /** The facts of the last point, or null when the host has none yet. */
  lastSnapshot(): Snapshot | null {
    const l = this.lastState();
    const p = this.points.at(-1);
    return l && p ? unflattenSnapshot(l.leaves, p.time) : null;
  }

  private lastState(): TreeState | null {
    this.sync();
    const p = this.points.at(-1);
    if (!p) return null;
    if (this.last?.root !== p.root) {
      this.readLog();
      this.last = this.reading(() => treeState(p.root, this.chunk));
    }
    return this.last;
  }

  /**
   * Records a point. The facts of sections not in `input.sections` (or not read: an error)
   * are the last point's. `outside` and `first` points are recorded only when something
   * differs from the last point (returns null otherwise); `change` points always are.
   */
  record(input: PointInput, facts: Snapshot): { point: HistoryPoint | null; dropped: HistoryNotice | null } {
    this.sync();
    const prev = this.lastState();
    const leaves = mergeLeaves(prev?.leaves ?? null, facts, input.sections);
    const tree = buildTree(leaves, prev);
    const time = input.time ?? this.now();
    if (prev && prev.root === tree.root && input.kind !== 'change') return { point: null, dropped: null };
    const changes = prev ? changesOfLeaves(prev.leaves, leaves, tree.changed) : [];
    // A section read for the first time (the host's first DNS read after its first sysctl read) is a first read of it.
    const firstOf = prev ? tree.changed.filter((p) => TOP_LEAVES.has(p) && !prev.leaves.has(p)) : [];
    if (prev && !changes.length && !firstOf.length && input.kind !== 'change') {
      // Only counters or identities moved: nothing to record.
      return { point: null, dropped: null };
    }
    const kind = (!prev || (firstOf.length && !changes.length)) && input.kind === 'outside' ? 'first' : input.kind;
    const point: PointLine = {
      id: createHash('sha256').update(`${time}\0${tree.root}\0${randomBytes(8).toString('hex')}`).digest('hex').slice(0, 12),
      time,
      kind,
      what: input.what,
      operation: input.operation ?? null,
      who: input.who ?? null,
      result: input.result ?? null,
      error: input.error ?? null,
      since: kind === 'outside' ? (this.points.at(-1)?.time ?? null) : null,
      sections: input.sections,
      features: featuresOf(changes, (input.kind === 'change' && !changes.length) || kind === 'first' ? input.sections : []),
      changes: changes.slice(0, MAX_POINT_CHANGES),
      changesTotal: changes.length,
      root: tree.root,
    };
    this.readLog();
    const lines: string[] = [];
    for (const [name, text] of tree.chunks) if (!this.index.has(name)) lines.push(`${name} ${text}\n`);
    lines.push(`${JSON.stringify(point)}\n`);
    // One write, one sync: the point and its new chunks land together or not at all (the sync runs on while the change goes on).
    this.log.append(lines.join(''), 'later');
    this.readLog();
    this.last = { root: tree.root, buckets: tree.buckets, levels: tree.levels, leaves, texts: tree.texts };
    const dropped = this.applyRetention();
    return { point: publicPoint(point), dropped };
  }

  /** Bytes the current generation takes. */
  bytes(): number {
    this.sync();
    return this.log.size();
  }

  /**
   * Drops points older than the retention age, then the oldest until the store fits the size
   * limit (to 90% of it, so that the next points do not compact again at once). The last point
   * is always kept: it is what the next read is compared with.
   */
  applyRetention(): HistoryNotice | null {
    const now = this.now();
    const maxAge = this.retention.maxAgeDays * 86_400_000;
    let keepFrom = this.points.findIndex((p) => now - p.time <= maxAge);
    if (keepFrom < 0) keepFrom = this.points.length - 1;
    const size = this.bytes();
    if (keepFrom === 0 && size <= this.retention.maxBytes) return null;
    let reason = keepFrom > 0 ? `older than ${this.retention.maxAgeDays} days` : '';
    if (size > this.retention.maxBytes) {
      // Points cost unevenly (the first carries every chunk); dropping by share of points is close enough, and checked after.
      const target = Math.floor(this.points.length * (1 - (size - this.retention.maxBytes * 0.9) / size));
      const bySize = Math.max(keepFrom, Math.min(this.points.length - 1, this.points.length - Math.max(1, target)));
      if (bySize > keepFrom) {
        keepFrom = bySize;
        reason = reason ? `${reason}, and to keep the history under ${mib(this.retention.maxBytes)}` : `to keep the history under ${mib(this.retention.maxBytes)}`;
      }
    }
    if (keepFrom <= 0) return null;
    const dropped = this.points.slice(0, keepFrom);
    const notice: HistoryNotice = {
      time: now,
      message: `${dropped.length === 1 ? `1 point (${iso(dropped[0]!.time)}) was` : `${dropped.length} points from ${iso(dropped[0]!.time)} to ${iso(dropped.at(-1)!.time)} were`} dropped (${reason}; retention: ${this.retention.maxAgeDays} days, ${mib(this.retention.maxBytes)})`,
    };
    this.compact(this.points.slice(keepFrom), notice);
    return notice;
  }

  /** Writes a new generation holding `keep` and the chunks they reach, then switches to it. */
  private compact(keep: PointLine[], notice: HistoryNotice): void {
    this.readLog();
    const n = Number(/^g(\d+)$/.exec(this.gen)?.[1] ?? '1') + 1;
    const gen = `g${n}`;
    const dir = path.join(this.dir, gen);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { mode: 0o700 });
    const seen = new Set<string>();
    const lines: string[] = [];
    this.reading(() => {
      for (const p of keep) {
        for (const c of chunksOf(p.root, this.chunk, seen)) lines.push(`${c} ${this.chunk(c)}\n`);
      }
    });
    const kept = this.notices.filter((x) => x.time >= (keep[0]?.time ?? 0)).slice(-20);
    new LineFile(path.join(dir, 'log')).append(
      lines.join('') + [...kept.map((x) => JSON.stringify({ notice: x.message, time: x.time })), JSON.stringify({ notice: notice.message, time: notice.time }), ...keep.map((p) => JSON.stringify(p))].join('\n') + '\n',
    );
    const tmp = path.join(this.dir, `current.${process.pid}.tmp`);
    rmSync(tmp, { force: true });
    symlinkSync(gen, tmp);
    renameSync(tmp, path.join(this.dir, 'current'));
    const old = this.gen;
    this.sync();
    // Older generations are no longer read by anyone who follows `current`.
    for (const d of readdirSync(this.dir)) if (/^g\d+$/.test(d) && d !== gen && d !== old) rmSync(path.join(this.dir, d), { recursive: true, force: true });
    rmSync(path.join(this.dir, old), { recursive: true, force: true });
  }

  exists(): boolean {
    return existsSync(path.join(this.dir, 'current'));
  }

  /** The log file of the generation in use (tests). */
  logFile(): string {
    this.sync();
    return this.log.file;
  }
}

const KINDS = new Set(pointSchema.shape.kind.options as readonly string[]);
function isPointLine(v: unknown): v is PointLine {
  const p = v as Partial<PointLine> | null;
  return (
    !!p &&
    typeof p === 'object' &&
    typeof p.id === 'string' &&
    typeof p.root === 'string' &&
    typeof p.time === 'number' &&
    KINDS.has(p.kind as string) &&
    typeof p.what === 'string' &&
    Array.isArray(p.changes) &&
    Array.isArray(p.sections) &&
    Array.isArray(p.features)
  );
}

function publicPoint(p: PointLine): HistoryPoint {
  const { root: _root, ...rest } = p;
  return rest;
}

/** Leaves of the sections read now, the others' from the last point (a section not read, or read with an error, is carried over). */
function mergeLeaves(prev: Leaves | null, facts: Snapshot, sections: readonly string[]): Leaves {
  if (!prev) return flattenSnapshot(facts);
  const read = new Set<LeafSection>();
  // A section that answered with an error says nothing about the host: the last facts stay.
  const answered = (v: unknown) => !!v && !(v as { error?: string }).error;
  if (sections.includes('sysctl') && answered(facts.sysctl)) read.add('sysctl');
  if (sections.includes('sysctl.d') && answered(facts.sysctld)) read.add('sysctld');
  if (sections.includes('dns') && answered(facts.dns)) read.add('dns');
  if (sections.includes('firewall') && answered(facts.firewall)) read.add('firewall');
  // Only the sections read are flattened: a one-key kernel point does not walk the firewall.
  const now = flattenSnapshot(facts, read);
  const out: Leaves = new Map();
  for (const [k, v] of prev) if (!read.has(sectionOfLeaf(k) as LeafSection)) out.set(k, v);
  for (const [k, v] of now) {
    // The identity (hostname, kernel) as read with the sections; kept when nothing was read. The source stays the first's.
    if (k === 'source' || (k === 'identity' && read.size === 0)) continue;
    out.set(k, v);
  }
  return out;
}

const iso = (t: number) => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
const mib = (b: number) => `${Math.round((b / 1024 / 1024) * 10) / 10} MiB`;
