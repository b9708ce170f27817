import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, lstatSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const repo = path.resolve(import.meta.dirname, '../../..');
export const HELPER = path.join(repo, 'electron/helper/hostdeck-helper.py');
/** What the packages install at /usr/libexec/hostdeck/hostdeck-helper (it runs HELPER installed beside it). */
export const LAUNCHER = path.join(repo, 'electron/helper/hostdeck-helper-launcher.py');
export const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
export const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

export interface Answer {
  ok: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the helper's JSON, checked field by field in the tests
  result?: Record<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- idem
  error?: { code: string; message: string; detail?: any };
}

/** One request to the real helper (python3 -I), with --root/--proc-sys/--run-dir for a scratch root. */
export function helper(request: unknown, args: string[] = []): Answer {
  const r = spawnSync('/usr/bin/python3', ['-I', HELPER, ...args], { input: typeof request === 'string' ? request : JSON.stringify(request), encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  const line = r.stdout.trim().split('\n').pop();
  if (!line) throw new Error(`helper gave no answer (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(line) as Answer;
}

export function helperAsync(request: unknown, args: string[] = []): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const c = spawn('/usr/bin/python3', ['-I', HELPER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.on('error', reject);
    c.on('close', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as Answer);
      } catch {
        reject(new Error(`no answer: ${out}`));
      }
    });
    c.stdin.end(JSON.stringify(request));
  });
}

/** A scratch root with etc/ (and etc/sysctl.d/) for --root. */
export function scratchRoot(prefix = 'hostdeck-helper-'): string {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  mkdirSync(path.join(root, 'etc/sysctl.d'), { recursive: true });
  return root;
}

/** Every path under dir with its type and content hash (links: their target), for before/after comparisons. */
export function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    const st = lstatSync(abs);
    if (st.isSymbolicLink()) out.set(rel, `link:${readlinkSync(abs)}`);
    else if (st.isDirectory()) {
      out.set(rel, `dir:${(st.mode & 0o7777).toString(8)}`);
      for (const e of readdirSync(abs)) walk(path.join(rel, e));
    } else if (st.isFile()) out.set(rel, `file:${(st.mode & 0o7777).toString(8)}:${st.uid}:${sha(readFileSync(abs))}`);
    else out.set(rel, 'other');
  };
  walk('.');
  return out;
}
