import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../support/cli';

/**
 * `--host FILE` on every read command, as `compare` takes files: a HostDeck snapshot or raw
 * tool output (sysctl -a, resolv.conf) is a read-only host the kernel and dns commands read.
 */
describe('hostdeck --host FILE (a snapshot or import file)', () => {
  let dir: string;
  let snap: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-cli-hostfile-'));
    snap = path.join(dir, 'node-7.json');
    const r = await runHostdeck(['snapshot']);
    expect(r.err).toBe('');
    // The snapshot's somaxconn is made distinct from this machine's, so a local read cannot pass.
    const j = JSON.parse(r.out) as { sysctl: { entries: { key: string; value: string | null }[] } | null };
    const e = j.sysctl!.entries.find((x) => x.key === 'net.core.somaxconn')!;
    e.value = '777';
    writeFileSync(snap, JSON.stringify(j));
    writeFileSync(path.join(dir, 'sysctl-a.txt'), 'net.core.somaxconn = 31337\nvm.swappiness = 7\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('kernel list reads the snapshot (not UNKNOWN_HOST), before or after the command name', async () => {
    for (const args of [['--host', snap, 'kernel', 'list', '--json'], ['kernel', 'list', '--json', '--host', snap]]) {
      const r = await runHostdeck(args);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.out) as { entries: { key: string; value: string | null }[] };
      expect(out.entries.find((x) => x.key === 'net.core.somaxconn')?.value).toBe('777');
    }
  });

  it('NAME=FILE and raw `sysctl -a` output work too', async () => {
    const r = await runHostdeck(['--host', `web9=${path.join(dir, 'sysctl-a.txt')}`, 'kernel', 'list', '--json']);
    expect(r.err).toBe('');
    const out = JSON.parse(r.out) as { entries: { key: string; value: string | null }[] };
    expect(out.entries.find((x) => x.key === 'vm.swappiness')?.value).toBe('7');
  });

  it('dns owner reads the snapshot host; a file that does not exist is still an unknown host', async () => {
    const r = await runHostdeck(['--host', snap, 'dns', 'owner', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const missing = await runHostdeck(['--host', path.join(dir, 'nope.json'), 'kernel', 'list']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/UNKNOWN_HOST/);
  });
});
