import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Fails (never skips) when a system tool is missing, naming the Debian package to install. */
export function requireTool(cmd: string, pkg: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`]);
  if (r.status !== 0) throw new Error(`${cmd} is missing: run \`apt-get install -y ${pkg}\``);
}

export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('these tests need root (private mount and network namespaces)');
}

export const supportDir = new URL('.', import.meta.url).pathname;

/** Compiles one of the C probes in this folder into a temp dir and returns the binary path. */
export function compileProbe(source: string, compiler: 'gcc' | 'musl-gcc', extra: string[] = []): string {
  requireTool(compiler, compiler === 'gcc' ? 'gcc libc6-dev' : 'musl-tools');
  const dir = mkdtempSync(join(tmpdir(), 'hostdeck-dns-probe-'));
  const out = join(dir, source.replace(/\.c$/, '') + (compiler === 'musl-gcc' ? '-musl' : ''));
  const r = spawnSync(compiler, ['-O1', '-Wall', '-o', out, join(supportDir, source), ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${compiler} ${source} failed:\n${r.stderr}`);
  return out;
}

/** The real file behind /etc/resolv.conf (bind-mount over the target when it is a symlink). */
export function resolvConfTarget(): string {
  try {
    return realpathSync('/etc/resolv.conf');
  } catch {
    return '/etc/resolv.conf';
  }
}

export function writeTemp(name: string, bytes: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hostdeck-dns-'));
  const p = join(dir, name);
  writeFileSync(p, Buffer.from(bytes, 'latin1'));
  return p;
}

export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface NsRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` in private mount + UTS namespaces with `file` bind-mounted over /etc/resolv.conf
 * (and optionally more bind mounts), with an empty environment plus `env`. The host never sees
 * the file or the hostname.
 */
export function runWithResolvConf(
  file: string,
  command: string[],
  opts: { hostname?: string; env?: Record<string, string>; mounts?: [string, string][]; net?: boolean; pre?: string; post?: string; timeoutS?: number } = {},
): NsRun {
  requireTool('unshare', 'util-linux');
  const lines = ['set -e'];
  if (opts.net) lines.push('ip link set lo up');
  lines.push(`mount --bind ${shq(file)} ${shq(resolvConfTarget())}`);
  for (const [src, dst] of opts.mounts ?? []) lines.push(`mount --bind ${shq(src)} ${shq(dst)}`);
  lines.push(`hostname ${shq(opts.hostname ?? 'probe')}`);
  if (opts.pre) lines.push(opts.pre);
  const envArgs = Object.entries(opts.env ?? {}).map(([k, v]) => shq(`${k}=${v}`));
  lines.push(`set +e`);
  lines.push(`env -i ${envArgs.join(' ')} timeout ${opts.timeoutS ?? 5} ${command.map(shq).join(' ')}`);
  lines.push('rc=$?');
  if (opts.post) lines.push(opts.post);
  lines.push('exit $rc');
  const args = ['-m', '-u', '--propagation', 'private', ...(opts.net ? ['-n'] : []), 'sh', '-c', lines.join('\n')];
  const r = spawnSync('unshare', args, { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function readJsonFile<T>(p: string): T {
  return JSON.parse(readFileSync(p, 'utf8')) as T;
}
