import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { HelperRequest } from '../../shared/helper/protocol';
import { runLocalHelper } from '../../electron/helper/local';
import { openLocalHelperSession } from '../../electron/helper/session';
import { HelperSessions, keepHelperSessions } from '../../electron/helper/kept-session';
import { PYTHON3, helperLauncher, helperSource } from '../../electron/helper/source';
import { spawnSync } from 'node:child_process';
import { commandMs, medianMs, type BenchReporter } from './harness';

/** The helper as it ran before bytecode (python3 -I -c SOURCE, compiled on every call): the "before" of each row, same run. */
function fromSource(request: HelperRequest, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(PYTHON3, ['-I', '-c', helperSource, ...args], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.on('close', () => (out.includes('"ok": true') ? resolve() : reject(new Error(out))));
    c.stdin.end(JSON.stringify(request));
  });
}

/**
 * Helper round trips (spawn python3, load the helper, validate, lock, back up, atomic replace,
 * fsync, answer) against the tools an admin would use instead: `cp` of the same file for a
 * resolv.conf save, `sysctl -w` of one key for `sysctl-set`. The helper runs directly on a
 * scratch root and a /proc/sys copy (the bench never changes this machine's settings); the
 * `sysctl -w` anchor writes a real key in a fresh network namespace and is measured as
 * `unshare -n sysctl -w` minus `unshare -n true`. Through pkexec, polkit's authorization comes on
 * top of every round trip (or once per session), measured in test/helper/pkexec.int.test.ts.
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'hostdeck-bench-helper-'));
  try {
    mkdirSync(path.join(root, 'etc'), { recursive: true });
    const procSys = path.join(root, 'procsys');
    mkdirSync(path.join(procSys, 'net/core'), { recursive: true });
    writeFileSync(path.join(procSys, 'net/core/somaxconn'), '4096\n');
    const file = path.join(root, 'etc/resolv.conf');
    let text = 'nameserver 192.0.2.1\n';
    writeFileSync(file, text);
    let i = 0;
    const saveRequest = (): HelperRequest => {
      const next = `nameserver 192.0.2.${++i % 250}\n`;
      const sha = createHash('sha256').update(text).digest('hex');
      text = next;
      return { verb: 'write-file', path: '/etc/resolv.conf', content: Buffer.from(next).toString('base64'), expectedSha256: sha };
    };
    const sysctlRequest = (): HelperRequest => ({ verb: 'sysctl-set', settings: [{ key: 'net.core.somaxconn', value: String(4000 + (++i % 90)) }] });

    const cpMs = await commandMs('cp', [file, path.join(root, 'copy')], undefined, 15);
    // sysctl -w timed inside a network namespace of its own (a difference of two unshare runs was
    // noise on a loaded machine, down to "0.5 ms"); it writes that namespace's key, never the host's.
    const sysctlMs = sysctlInNamespaceMs(15);
    r.note(`helper: anchors: cp ${cpMs.toFixed(2)} ms; sysctl -w ${sysctlMs.toFixed(2)} ms (in unshare -n)`);

    const saveBefore = await medianMs(() => fromSource(saveRequest(), ['--root', root]), 15);
    const saveMs = await medianMs(async () => {
      const a = await runLocalHelper(saveRequest(), { elevate: true }, { root });
      if (!a.ok) throw new Error(a.error.message);
    }, 15);
    r.ratio('helper: resolv.conf save, one call (backup + atomic replace + fsync)', saveMs, 'cp of the file', cpMs, '<= 3');
    r.ratio('helper: resolv.conf save, one call, from source (before: -c, compiled each call)', saveBefore, 'cp of the file', cpMs);

    const setBefore = await medianMs(() => fromSource(sysctlRequest(), ['--proc-sys', procSys]), 15);
    const setMs = await medianMs(async () => {
      const a = await runLocalHelper(sysctlRequest(), { elevate: true }, { procSys });
      if (!a.ok) throw new Error(a.error.message);
    }, 15);
    r.ratio('helper: sysctl-set of one key, one call', setMs, 'sysctl -w', sysctlMs, '<= 3');
    r.ratio('helper: sysctl-set of one key, one call, from source (before)', setBefore, 'sysctl -w', sysctlMs);

    // A session: one helper process (one authorization through pkexec), ten changes.
    const N = 10;
    const sessionMs = await medianMs(async () => {
      const s = await openLocalHelperSession({ elevate: true }, { root, procSys });
      for (let k = 0; k < N; k++) {
        const a = await s.call(k % 2 ? saveRequest() : sysctlRequest());
        if (!a.ok) throw new Error(a.error.message);
      }
      await s.close();
    }, 9);
    r.ratio(`helper: per change in a session of ${N} (sysctl-set and resolv.conf saves, alternating)`, sessionMs / N, 'sysctl -w', sysctlMs, '<= 3');

    // A kept session (the app and serve, HOSTDECK_HELPER_KEEP): the product's HelperSessions as a
    // page uses it, the helper already started by the change before; each row is one change's round trip.
    keepHelperSessions(30);
    const kept = new HelperSessions();
    try {
      const warm = await kept.call({ verb: 'version' }, { elevate: true }, { root, procSys });
      if (!warm.ok) throw new Error(warm.error.message);
      const keptSet = await medianMs(async () => {
        const a = await kept.call(sysctlRequest(), { elevate: true }, { root, procSys });
        if (!a.ok) throw new Error(a.error.message);
      }, 15);
      const keptSave = await medianMs(async () => {
        const a = await kept.call(saveRequest(), { elevate: true }, { root, procSys });
        if (!a.ok) throw new Error(a.error.message);
      }, 15);
      r.ratio('helper: sysctl-set of one key in a kept session (the next change on the page)', keptSet, 'sysctl -w', sysctlMs, '<= 3');
      r.ratio('helper: resolv.conf save in a kept session (the next change on the page)', keptSave, 'cp of the file', cpMs, '<= 3');
    } finally {
      keepHelperSessions(0);
      await kept.close();
    }

    const listMs = await medianMs(async () => {
      const a = await runLocalHelper({ verb: 'list-backups', path: '/etc/resolv.conf' }, { elevate: true }, { root });
      if (!a.ok) throw new Error(a.error.message);
    }, 15);
    const readMs = await commandMs('sysctl', ['-n', 'net.core.somaxconn'], undefined, 15);
    r.ratio('helper: list-backups round trip', listMs, 'sysctl -n one key', readMs);
    r.value('helper: python3 -I -S -c pass alone (the floor of a one-call round trip)', await commandMs(PYTHON3, ['-I', '-S', '-c', 'pass'], undefined, 15));
    copyFileSync(file, path.join(root, 'copy2'));
    installedLauncher(r, root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Median ms of `sysctl -q -w net.core.somaxconn=...` spawned from a Node child inside `unshare -n`. */
function sysctlInNamespaceMs(runs: number): number {
  const child = `const { spawnSync } = require('node:child_process'); const { performance } = require('node:perf_hooks'); const ts = [];
for (let i = 0; i <= ${runs}; i++) { const t = performance.now(); const r = spawnSync('sysctl', ['-q', '-w', 'net.core.somaxconn=' + (4097 + (i % 50))]); if (r.status !== 0) throw new Error(String(r.stderr)); if (i) ts.push(performance.now() - t); }
ts.sort((a, b) => a - b); process.stdout.write(String(ts[Math.floor(ts.length / 2)]));`;
  const p = spawnSync('unshare', ['-n', process.execPath, '-e', child], { encoding: 'utf8', timeout: 120_000 });
  if (p.status !== 0) throw new Error(`sysctl -w anchor in unshare -n failed: ${p.stderr.slice(0, 500)}`);
  return Number(p.stdout);
}

/**
 * The installed helper as pkexec and sudo run it (the launcher at /usr/libexec/hostdeck, its
 * source beside it, bytecode in /var/lib/hostdeck/bytecode), without polkit's authorization,
 * which comes on top (test/helper/pkexec.int.test.ts). It runs in a private mount and network
 * namespace (tmpfs over /usr/libexec and /var/lib; `sysctl -w` writes that namespace's key), and
 * alternates, run by run, the launcher, the source run as before (compiled on every start) and
 * the anchors, medians of each.
 */
const LAUNCHER_CHILD = `
const { spawnSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const fs = require('node:fs');
const [root, runs] = process.argv.slice(1);
const time = (cmd, args, input) => {
  const t = performance.now();
  const r = spawnSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(cmd + ' ' + args.join(' ') + ' failed: ' + r.stdout + r.stderr);
  return performance.now() - t;
};
const L = '/usr/libexec/hostdeck/hostdeck-helper', S = '/usr/libexec/hostdeck/hostdeck-helper.py';
const t = { set: [], setSrc: [], sysctl: [], save: [], saveSrc: [], cp: [] };
let text = fs.readFileSync(root + '/etc/resolv.conf', 'utf8');
const save = () => {
  const next = 'nameserver 192.0.2.' + (1 + Math.floor(Math.random() * 250)) + '\\n';
  const sha = require('node:crypto').createHash('sha256').update(text).digest('hex');
  text = next;
  return JSON.stringify({ verb: 'write-file', path: '/etc/resolv.conf', content: Buffer.from(next).toString('base64'), expectedSha256: sha });
};
for (let i = 0; i <= Number(runs); i++) {
  const v = String(4000 + (i % 90));
  const set = JSON.stringify({ verb: 'sysctl-set', settings: [{ key: 'net.core.somaxconn', value: v }] });
  const a = time(L, [], set);
  const b = time('/usr/bin/python3', ['-I', '-S', S], set.replace(v, String(5000 + (i % 90))));
  const c = time('sysctl', ['-q', '-w', 'net.core.somaxconn=' + (6000 + (i % 90))]);
  const d = time(L, ['--root', root], save());
  const e = time('/usr/bin/python3', ['-I', '-S', S, '--root', root], save());
  const f = time('cp', [root + '/etc/resolv.conf', root + '/copy']);
  if (i > 0) { t.set.push(a); t.setSrc.push(b); t.sysctl.push(c); t.save.push(d); t.saveSrc.push(e); t.cp.push(f); }
}
const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const out = {};
for (const k of Object.keys(t)) out[k] = median(t[k]);
out.cached = fs.existsSync('/var/lib/hostdeck/bytecode/hostdeck-helper.pyc');
process.stdout.write(JSON.stringify(out));
`;

function installedLauncher(r: BenchReporter, root: string): void {
  if (process.getuid?.() !== 0) {
    r.note('helper: installed-launcher rows skipped: they need root for a mount namespace (as CI runs the bench)');
    return;
  }
  const dir = path.join(root, 'installed');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'hostdeck-helper'), helperLauncher, { mode: 0o755 });
  writeFileSync(path.join(dir, 'hostdeck-helper.py'), helperSource, { mode: 0o644 });
  const script = `set -e
mount -t tmpfs -o mode=0755 tmpfs /usr/libexec
mount -t tmpfs -o mode=0755 tmpfs /var/lib
mkdir -m 0755 /usr/libexec/hostdeck
install -m 0755 "$1/hostdeck-helper" /usr/libexec/hostdeck/hostdeck-helper
install -m 0644 "$1/hostdeck-helper.py" /usr/libexec/hostdeck/hostdeck-helper.py
exec "$2" -e "$3" "$4" 9`;
  const p = spawnSync('unshare', ['-m', '-n', '--propagation', 'private', 'sh', '-c', script, 'sh', dir, process.execPath, LAUNCHER_CHILD, root], { encoding: 'utf8', timeout: 300_000 });
  if (p.status !== 0) throw new Error(`installed-launcher bench failed (${p.status}): ${p.stderr.slice(0, 1000)}`);
  const j = JSON.parse(p.stdout) as Record<string, number> & { cached: boolean };
  if (!j.cached) throw new Error('the launcher wrote no bytecode: the rows would measure the source');
  r.ratio('helper: installed launcher (pkexec/sudo path, authorization apart), sysctl-set of one key', j.set!, 'sysctl -w (same netns)', j.sysctl!, '<= 3');
  r.ratio('helper: installed helper run from source (before: compiled on every pkexec/sudo start), sysctl-set', j.setSrc!, 'sysctl -w (same netns)', j.sysctl!);
  r.ratio('helper: installed launcher, resolv.conf save', j.save!, 'cp of the file', j.cp!, '<= 3');
  r.ratio('helper: installed helper run from source (before), resolv.conf save', j.saveSrc!, 'cp of the file', j.cp!);
}
