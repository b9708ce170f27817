import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandsNeeded } from '../../electron/cli';

/**
 * Start-up cost (issue #22): a run loads the code of the command it names and nothing else, so
 * `hostdeck --version` starts about as fast as Node. Checked by what the built CLI really
 * loads (a module resolve hook that lists every package import), not by timing.
 */
const root = join(import.meta.dirname, '../..');
const cliJs = join(root, 'out/main/cli.js');

let work: string;
let hook: string;
let runs = 0;

beforeAll(() => {
  if (!existsSync(cliJs)) throw new Error(`${cliJs} is missing: run npm run build (npm test builds first)`);
  work = mkdtempSync(join(tmpdir(), 'hostdeck-startup-'));
  const hooks = join(work, 'hooks.mjs');
  // Every bare specifier (a package) the CLI's modules import, one per line, appended to the run's
  // log file at once (the hooks run on a thread of their own: what they wrote to stderr could be
  // lost when the CLI exits right after its last import, as a refused input does).
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';\nconst log = (l) => appendFileSync(process.env.HOSTDECK_TEST_LOAD_LOG, l + '\\n');\n` +
      `export async function resolve(spec, ctx, next) { if (!/^(node:|\\.|\\/|file:|data:)/.test(spec)) log('PKG ' + spec); return next(spec, ctx); }\n` +
      // And every file of the build it loads (to see which sources it evaluates).
      `export async function load(url, ctx, next) { if (url.startsWith('file:')) log('FILE ' + url); return next(url, ctx); }\n`,
  );
  hook = join(work, 'register.mjs');
  writeFileSync(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function packagesLoaded(...args: string[]): { packages: string[]; sources: string[]; bundled: string[]; status: number | null; stdout: string; stderr: string } {
  const loadLog = join(work, `loads-${++runs}.txt`);
  writeFileSync(loadLog, '');
  const r = spawnSync(process.execPath, ['--import', hook, cliJs, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, XDG_CACHE_HOME: work, HOSTDECK_TEST_LOAD_LOG: loadLog } });
  const loads = readFileSync(loadLog, 'utf8');
  const packages = [...new Set([...loads.matchAll(/^PKG (\S+)$/gm)].map((m) => m[1]!))].sort();
  // The bundler marks each source it puts into a chunk with a "// shared/x/y.ts" line.
  const files = [...loads.matchAll(/^FILE file:\/\/(\S+)$/gm)].map((m) => m[1]!).filter((f) => f.startsWith(join(root, 'out/')));
  const sources = [...new Set(files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^\/\/ ((?:shared|electron)\/\S+\.ts)$/gm)].map((m) => m[1]!)))].sort();
  const bundled = [...new Set(files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^\/\/ (?:\S*\/)?(node_modules\/\S+)$/gm)].map((m) => m[1]!)))].sort();
  return { packages, sources, bundled, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One `kernel list --json` run shared by the tests that look at it (each run is a whole CLI start). */
let kernelListRun: ReturnType<typeof packagesLoaded> | undefined;
const kernelList = () => (kernelListRun ??= packagesLoaded('kernel', 'list', '--json'));

describe('CLI start-up loads only what the command needs', () => {
  it('--version loads no package (commander is bundled; no zod, yaml, D-Bus or XML packages)', () => {
    const r = packagesLoaded('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // commander from node_modules was a package resolve plus its CommonJS files through the ESM loader on every run.
    expect(r.packages).toEqual([]);
  });

  it('kernel list loads only the kernel handlers: no D-Bus, XML or YAML package (they belong to other features)', () => {
    const r = kernelList();
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).entries.length).toBeGreaterThan(100);
    expect(r.packages).toEqual([]);
    // Nor the other features' contracts: building their zod schemas cost every run CPU (shared/api/by-feature.ts).
    const contracts = r.sources.filter((s) => /^shared\/[a-z]+\/contract\.ts$/.test(s));
    expect(contracts.filter((s) => s !== 'shared/kernel/contract.ts' && s !== 'shared/hosts/contract.ts')).toEqual([]);
  });

  it('kernel list builds no zod schema at all: its input and its answer pass their check plans (shared/api/plans.ts), so neither zod nor the kernel contract is evaluated', () => {
    const r = kernelList();
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).entries.length).toBeGreaterThan(100);
    expect(r.sources).toEqual(expect.arrayContaining(['shared/api/plans.ts', 'shared/api/plan-check.ts']));
    expect(r.sources.filter((s) => /^shared\/[a-z]+\/contract\.ts$|^shared\/api\/envelope-schema\.ts$/.test(s))).toEqual([]);
    // zod is bundled: its modules show as "// node_modules/zod/..." lines in the chunks evaluated.
    expect(r.bundled.filter((m) => m.startsWith('node_modules/zod/'))).toEqual([]);
  });

  it('an input its plan refuses still goes through zod, which refuses it in its own words (the plan decides nothing it cannot vouch for)', () => {
    // classify's keys are z.string().min(1): the plan's check fails an empty key, zod says why.
    const r = packagesLoaded('kernel', 'classify', '');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Invalid input for kernel.classify: keys.0: Too small: expected string to have >=1 characters [INVALID_INPUT]');
    expect(r.bundled.some((m) => m.startsWith('node_modules/zod/'))).toBe(true);
    expect(r.sources).toContain('shared/kernel/contract.ts');
  });

  it('kernel list on this machine evaluates no SSH transport, remote hosts, history or compare/DNS code (the CLI runtime loads them on demand)', () => {
    const r = kernelList();
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).entries.length).toBeGreaterThan(100);
    expect(r.sources).toContain('electron/cli/lazy-runtime.ts');
    const unwanted = r.sources.filter((s) => /^electron\/hosts\/(remote|ssh\/(transport|link|agent-source))\.ts$|^electron\/history\/|^shared\/history\/|^(electron|shared)\/(compare|dns)\//.test(s));
    expect(unwanted).toEqual([]);
  });

  it('kernel list evaluates none of the helper (its 96 KB source, the launcher, sessions, protocol schemas) nor the write side of the kernel handlers', () => {
    const r = kernelList();
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).entries.length).toBeGreaterThan(100);
    // The reads still come through the local transport, which carries the helper lazily.
    expect(r.sources).toEqual(expect.arrayContaining(['electron/hosts/tree-transport.ts', 'electron/helper/lazy-sessions.ts', 'electron/kernel/handlers.ts']));
    const helperCode = r.sources.filter((s) => /^electron\/helper\/(source|local|kept-session|session|version|host|call)\.ts$|^shared\/helper\/protocol\.ts$|^electron\/kernel\/(apply|write-parts)\.ts$/.test(s));
    expect(helperCode).toEqual([]);
  });

  it('kernel apply --dry-run still loads the write side and the helper protocol on its first write (the lazy parts are there when needed)', () => {
    const conf = join(work, 'dry.conf');
    writeFileSync(conf, `net.ipv4.tcp_keepalive_time = ${readFileSync('/proc/sys/net/ipv4/tcp_keepalive_time', 'utf8').trim()}\n`);
    const r = packagesLoaded('kernel', 'apply', '--dry-run', '--from', conf);
    expect(r.status).toBe(0);
    expect(r.sources).toEqual(expect.arrayContaining(['electron/kernel/apply.ts', 'shared/helper/protocol.ts']));
  });

  it('a change on this machine loads the history recorder (it records the change) and no remote host or SSH code', () => {
    const conf = join(work, 'dry-local.conf');
    writeFileSync(conf, `net.ipv4.tcp_keepalive_time = ${readFileSync('/proc/sys/net/ipv4/tcp_keepalive_time', 'utf8').trim()}\n`);
    const r = packagesLoaded('kernel', 'apply', '--dry-run', '--from', conf);
    expect(r.status).toBe(0);
    expect(r.sources).toContain('electron/history/recorder.ts');
    expect(r.sources.filter((s) => /^electron\/hosts\/(remote|ssh\/(transport|link))\.ts$/.test(s))).toEqual([]);
  });

  it('a compare loads no history code: the CLI looks at no read for history, and a compare changes nothing', () => {
    const a = join(work, 'a.sysctl');
    const b = join(work, 'b.sysctl');
    writeFileSync(a, 'net.ipv4.ip_default_ttl = 64\nkernel.pid_max = 4194304\n');
    writeFileSync(b, 'net.ipv4.ip_default_ttl = 65\nkernel.pid_max = 4194304\n');
    const r = packagesLoaded('compare', `a=${a}`, `b=${b}`, '--only', 'sysctl');
    expect(r.stdout).toContain('net.ipv4.ip_default_ttl');
    expect(r.sources).toContain('electron/compare/handlers.ts');
    expect(r.sources.filter((s) => /^(electron|shared)\/history\//.test(s))).toEqual([]);
  });

  it('the same run with --host on a saved-host name still loads the remote hosts (and says it does not know the host)', () => {
    const r = packagesLoaded('--host', 'no-such-saved-host', 'kernel', 'list', '--json');
    expect(r.status).toBe(1);
    expect(r.sources).toContain('electron/hosts/remote.ts');
  });

  it('--help still lists every command (all are loaded for it)', () => {
    const r = packagesLoaded('--help');
    expect(r.status).toBe(0);
    for (const c of ['serve', 'firewall', 'dns', 'kernel', 'helper', 'snapshot', 'compare', 'hosts']) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });

  it('picks the command from argv, skipping --host and its value; anything unclear loads all', () => {
    expect(commandsNeeded(['--version'])).toEqual(new Set());
    expect(commandsNeeded(['-V'])).toEqual(new Set());
    expect(commandsNeeded(['kernel', 'list', '--json'])).toEqual(new Set(['kernel']));
    expect(commandsNeeded(['--host', 'kernel', 'dns', 'check'])).toEqual(new Set(['dns']));
    expect(commandsNeeded(['--host=web1', 'compare', 'a', 'b'])).toEqual(new Set(['snapshot', 'compare']));
    expect(commandsNeeded(['kernl', 'list'])).toBe('all');
    expect(commandsNeeded(['help', 'kernel'])).toBe('all');
    expect(commandsNeeded(['--help'])).toBe('all');
    expect(commandsNeeded([])).toBe('all');
  });
});
