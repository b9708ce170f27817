import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, promises as fs, type Dirent, type Stats } from 'node:fs';
import type { FileFacts, FileType, ReadRequest } from './transport';
import { hostPathProblem, insideRoot, machinePath, resolveInRoot } from './root-path';

/**
 * Reads host files for the transports that see the host as a directory tree on this machine
 * (local: "/", image: `--root DIR`). The rules, each against a hostile file tree:
 *  - paths resolve inside the root as if chrooted (root-path.ts); nothing outside is named;
 *  - the file is first opened with O_PATH|O_NOFOLLOW, which opens nothing (no FIFO waits for a
 *    writer, no device driver's open() runs: opening /dev/watchdog would arm it), then fstat'ed,
 *    and /proc/self/fd says where it really is: outside an image's root -> OUTSIDE_ROOT (a link
 *    swapped in after resolution). Only a regular file (or a directory for a listing) is then
 *    reopened through /proc/self/fd, so what is read is exactly the inode that was checked;
 *  - content is bounded (maxBytes, default 4 MiB -> TOO_LARGE) and every request has a deadline.
 */

/** Linux's O_PATH (not in Node's constants); the same value on x86-64 and arm64. */
const O_PATH = 0o10000000;
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
export const DEFAULT_DEADLINE_MS = 10_000;
/** A handful at a time: enough to overlap, never enough to fill libuv's 4-thread pool. */
const CONCURRENCY = 3;

export interface TreeContext {
  /** The root as given ("/" or an image directory). */
  root: string;
  /** realpath(root), to check where opened files really are. */
  realRoot: string;
}

export function fileTypeOf(st: Stats | Dirent): FileType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'missing';
}

const TYPE_WORDS: Record<FileType, string> = {
  file: 'a regular file',
  dir: 'a directory',
  symlink: 'a symbolic link',
  fifo: 'a FIFO (named pipe)',
  socket: 'a socket',
  char: 'a character device',
  block: 'a block device',
  missing: 'missing',
};

/** Plain words for a file type: "a FIFO (named pipe)", "a character device", ... */
export function typeWords(t: FileType): string {
  return TYPE_WORDS[t];
}

const errnoOf = (e: unknown) => (e as NodeJS.ErrnoException).code ?? 'EIO';

/**
 * A call's deadline counts time without an answer, not the whole call: a hung file system (FUSE,
 * NFS) answers nothing and every request still pending is TIMEOUT `deadlineMs` after the last
 * answer, while a healthy one on a starved machine (a loaded CI runner, a laptop compiling) keeps
 * answering and is read in full. Bound: a call never runs past MAX_DEADLINES deadlines.
 */
const MAX_DEADLINES = 6;

/** Reads many requests with a bounded concurrency; each answer is in the order asked. */
/**
 * `deadlineMs` is how long the call waits without any answer, as the answer names it; `startedAt`
 * is when the call began (a caller that spent part of the deadline before reading passes its own start).
 */
export async function readTree(ctx: TreeContext, requests: ReadRequest[], deadlineMs = DEFAULT_DEADLINE_MS, startedAt = Date.now()): Promise<FileFacts[]> {
  const out: FileFacts[] = new Array<FileFacts>(requests.length);
  let mounts: Promise<Set<string>> | undefined;
  const mountPoints = () => (mounts ??= readMountPoints());
  let next = 0;
  let lastAnswer = startedAt;
  const last = startedAt + deadlineMs * MAX_DEADLINES;
  const end = () => Math.min(lastAnswer + deadlineMs, last);
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      const req = requests[i]!;
      out[i] = await withDeadline(readOne(ctx, req, mountPoints), end, req, deadlineMs);
      // A timeout is no answer: it moves nothing, so a hung file system fails every request still pending at once.
      if (out[i]!.error?.code !== 'TIMEOUT') lastAnswer = Date.now();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, requests.length) }, worker));
  return out;
}

/** The answer for a request the file system did not answer within the call's deadline. */
export function timeoutFacts(req: ReadRequest, deadlineMs: number): FileFacts {
  return { path: String(req.path), type: 'missing', error: { code: 'TIMEOUT', message: `${String(req.path)}: no answer from the file system within ${deadlineMs} ms` } };
}

/** `p`, or the timeout answer once `end()` has passed; `end` moves while other requests are answered. */
async function withDeadline(p: Promise<FileFacts>, end: () => number, req: ReadRequest, total: number): Promise<FileFacts> {
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  const late = new Promise<FileFacts>((resolve) => {
    // Decided in the check phase, after the poll phase has delivered what the file system answered
    // meanwhile: on a starved loop the timer and those answers fall due in the same turn.
    const check = () => {
      if (settled) return;
      const left = end() - Date.now();
      if (left <= 0) resolve(timeoutFacts(req, total));
      else timer = setTimeout(() => setImmediate(check), left);
    };
    check();
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    settled = true;
    clearTimeout(timer);
  }
}

async function readOne(ctx: TreeContext, req: ReadRequest, mountPoints: () => Promise<Set<string>>): Promise<FileFacts> {
  const problem = hostPathProblem(req.path);
  if (problem) return { path: String(req.path), type: 'missing', error: { code: 'INVALID_PATH', message: problem } };
  const facts: FileFacts = { path: req.path, type: 'missing' };
  const wantsData = !!(req.content || req.list);
  // The path as asked: every directory on the way resolved inside the root, the name itself not followed.
  const asked = await resolveInRoot(ctx.root, req.path, { followLast: false });
  if (!asked.ok) {
    if (wantsData || asked.code !== 'ENOENT') facts.error = { code: asked.code, message: asked.message };
    return facts;
  }
  let lst: Stats;
  try {
    lst = await fs.lstat(machinePath(ctx.root, asked.path));
  } catch (e) {
    if (wantsData || errnoOf(e) !== 'ENOENT') facts.error = { code: errnoOf(e), message: `${req.path}: ${errnoOf(e) === 'ENOENT' ? 'does not exist' : (e as Error).message}` };
    return facts;
  }
  Object.assign(facts, { type: fileTypeOf(lst), mode: lst.mode & 0o7777, uid: lst.uid, gid: lst.gid, size: lst.size, mtimeMs: lst.mtimeMs });
  let resolveError: { code: string; message: string } | undefined;
  if (lst.isSymbolicLink()) {
    try {
      facts.linkTarget = await fs.readlink(machinePath(ctx.root, asked.path));
    } catch (e) {
      resolveError = { code: errnoOf(e), message: `${req.path}: ${(e as Error).message}` };
    }
    const full = await resolveInRoot(ctx.root, asked.path);
    if (full.ok) facts.resolved = full.path;
    else resolveError ??= { code: full.code, message: `${req.path} is a symbolic link to ${facts.linkTarget ?? '?'}: ${full.message}` };
  } else {
    facts.resolved = asked.path;
  }
  if (!facts.resolved) {
    if (wantsData) facts.error = resolveError;
    return facts;
  }
  if (!wantsData && !req.attrs && facts.type !== 'symlink') {
    facts.targetType = facts.type;
    return facts;
  }
  if (facts.type === 'symlink' && !req.follow && wantsData) {
    facts.error = { code: 'NOT_REGULAR', message: `${req.path} is a symbolic link (to ${facts.linkTarget ?? '?'}) and links were not to be followed` };
    return facts;
  }
  await openAndRead(ctx, req, facts, facts.resolved, mountPoints);
  return facts;
}

/** O_PATH open (opens nothing), fstat, where-is-it check, then the real read of that very inode. */
async function openAndRead(ctx: TreeContext, req: ReadRequest, facts: FileFacts, target: string, mountPoints: () => Promise<Set<string>>): Promise<void> {
  const wantsData = !!(req.content || req.list);
  const fail = (code: string, message: string) => {
    if (wantsData) facts.error = { code, message };
  };
  let ph: fs.FileHandle;
  try {
    ph = await fs.open(machinePath(ctx.root, target), O_PATH | constants.O_NOFOLLOW);
  } catch (e) {
    return fail(errnoOf(e), `${req.path}: ${(e as Error).message}`);
  }
  try {
    const st = await ph.stat();
    const real = await fs.readlink(`/proc/self/fd/${ph.fd}`).catch(() => null);
    if (real === null && ctx.realRoot !== '/') return fail('OUTSIDE_ROOT', `${req.path}: cannot tell where the opened file lies (/proc is not mounted), so it is not read`);
    if (real !== null && !insideRoot(ctx.realRoot, real.replace(/ \(deleted\)$/, ''))) {
      // Nothing about the outside file is reported: not its type, size or content.
      delete facts.resolved;
      return fail('OUTSIDE_ROOT', `${req.path} leads outside the host root (a link changed while it was being read); not read`);
    }
    const type = fileTypeOf(st);
    facts.targetType = type;
    if (req.attrs) {
      const mounts = await mountPoints();
      facts.bindMount = (real !== null && mounts.has(real)) || mounts.has(machinePath(ctx.root, req.path));
      if (type === 'file' || type === 'dir') {
        const imm = await immutableOf(machinePath(ctx.root, target));
        if (imm !== null) facts.immutable = imm;
      }
    }
    if (req.content) {
      if (type !== 'file') return fail('NOT_REGULAR', `${req.path} is ${typeWords(type)}, not a regular file: it is not read`);
      const max = req.maxBytes ?? DEFAULT_MAX_BYTES;
      if (st.size > max) return fail('TOO_LARGE', `${req.path} is ${st.size} bytes, more than the ${max} bytes HostDeck reads`);
      const bytes = await readReopened(ph.fd, max);
      if (bytes === null) return fail('TOO_LARGE', `${req.path} is more than the ${max} bytes HostDeck reads`);
      facts.bytes = bytes;
      facts.sha256 = createHash('sha256').update(bytes).digest('hex');
    }
    if (req.list) {
      if (type !== 'dir') return fail('ENOTDIR', `${req.path} is ${typeWords(type)}, not a directory`);
      const ents = await fs.readdir(`/proc/self/fd/${ph.fd}`, { withFileTypes: true });
      facts.entries = ents.map((d) => ({ name: d.name, type: fileTypeOf(d) })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
  } catch (e) {
    fail(errnoOf(e), `${req.path}: ${(e as Error).message}`);
  } finally {
    await ph.close();
  }
}

/** Reopens the checked inode for reading and reads at most max+1 bytes (null: more than max). */
async function readReopened(pathFd: number, max: number): Promise<Buffer | null> {
  const fh = await fs.open(`/proc/self/fd/${pathFd}`, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(64 * 1024, max + 1 - total);
      if (want <= 0) return null;
      const b = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(b, 0, want, null);
      if (bytesRead === 0) break;
      chunks.push(b.subarray(0, bytesRead));
      total += bytesRead;
    }
    return total > max ? null : Buffer.concat(chunks, total);
  } finally {
    await fh.close();
  }
}

/** Mount points of this process's mount namespace (/proc/self/mountinfo field 5, unescaped). */
async function readMountPoints(): Promise<Set<string>> {
  try {
    const text = await fs.readFile('/proc/self/mountinfo', 'utf8');
    const out = new Set<string>();
    for (const l of text.split('\n')) {
      const mp = l.split(' ')[4];
      if (mp) out.add(mp.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
    }
    return out;
  } catch {
    return new Set();
  }
}

/**
 * The immutable attribute through lsattr (FS_IOC_GETFLAGS needs an ioctl Node cannot make).
 * Null when unknown: no lsattr, a file system without attributes, or no answer in 3 s.
 */
function immutableOf(file: string): Promise<boolean | null> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: boolean | null) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        resolve(v);
      }
    };
    const p = spawn('lsattr', ['-d', '--', file], { stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      finish(null);
    }, 3000);
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      if (out.length < 65536) out += d.toString();
    });
    p.on('error', () => finish(null));
    p.on('close', (code) => finish(code === 0 ? (out.trim().split(/\s+/)[0] ?? '').includes('i') : null));
  });
}
