import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { runLocalHelper } from '../../electron/helper/local';
import { commandMs, medianMs, type BenchReporter } from './harness';

/**
 * One helper round trip (spawn python3, validate, lock, back up, atomic replace, fsync, answer)
 * against `cp` of the same file, and a read-only verb against `sysctl -n` of one key. Runs the
 * helper directly on a scratch root (as root it would through pkexec add polkit's own cost,
 * measured in test/helper/pkexec.int.test.ts).
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'hostdeck-bench-helper-'));
  try {
    mkdirSync(path.join(root, 'etc'), { recursive: true });
    const file = path.join(root, 'etc/resolv.conf');
    let text = 'nameserver 192.0.2.1\n';
    writeFileSync(file, text);
    let i = 0;
    const writeMs = await medianMs(async () => {
      const next = `nameserver 192.0.2.${++i % 250}\n`;
      const sha = createHash('sha256').update(text).digest('hex');
      const a = await runLocalHelper({ verb: 'write-file', path: '/etc/resolv.conf', content: Buffer.from(next).toString('base64'), expectedSha256: sha }, { elevate: true }, { root });
      if (!a.ok) throw new Error(a.error.message);
      text = next;
    }, 15);
    copyFileSync(file, path.join(root, 'copy'));
    const cpMs = await commandMs('cp', [file, path.join(root, 'copy2')], undefined, 15);
    r.ratio('helper: write-file round trip (backup + atomic replace + fsync)', writeMs, 'cp of the file', cpMs);
    const listMs = await medianMs(async () => {
      const a = await runLocalHelper({ verb: 'list-backups', path: '/etc/resolv.conf' }, { elevate: true }, { root });
      if (!a.ok) throw new Error(a.error.message);
    }, 15);
    const sysctlMs = await commandMs('sysctl', ['-n', 'net.core.somaxconn'], undefined, 15);
    r.ratio('helper: list-backups round trip', listMs, 'sysctl -n one key', sysctlMs);
    r.value('helper: python3 -I -c pass alone (the floor of any round trip)', await commandMs('/usr/bin/python3', ['-I', '-c', 'pass'], undefined, 15));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
