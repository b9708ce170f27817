import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { HelperRequest } from '../../shared/helper/protocol';
import { runLocalHelper } from '../../electron/helper/local';
import { openLocalHelperSession } from '../../test/helper/support/session-client';
import { PYTHON3, helperSource } from '../../electron/helper/source';
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
    const unshareSysctl = await commandMs('unshare', ['-n', 'sysctl', '-q', '-w', 'net.core.somaxconn=4097'], undefined, 15);
    const unshareTrue = await commandMs('unshare', ['-n', 'true'], undefined, 15);
    const sysctlMs = Math.max(unshareSysctl - unshareTrue, 0.5);
    r.note(`helper: anchors: cp ${cpMs.toFixed(2)} ms; sysctl -w ${sysctlMs.toFixed(2)} ms (unshare -n sysctl -w ${unshareSysctl.toFixed(2)} - unshare -n true ${unshareTrue.toFixed(2)})`);

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

    const listMs = await medianMs(async () => {
      const a = await runLocalHelper({ verb: 'list-backups', path: '/etc/resolv.conf' }, { elevate: true }, { root });
      if (!a.ok) throw new Error(a.error.message);
    }, 15);
    const readMs = await commandMs('sysctl', ['-n', 'net.core.somaxconn'], undefined, 15);
    r.ratio('helper: list-backups round trip', listMs, 'sysctl -n one key', readMs);
    r.value('helper: python3 -I -S -c pass alone (the floor of a one-call round trip)', await commandMs(PYTHON3, ['-I', '-S', '-c', 'pass'], undefined, 15));
    copyFileSync(file, path.join(root, 'copy2'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
