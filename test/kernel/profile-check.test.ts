import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { copyProcSysWithValues } from './support/procsys-copy';

/** "What would change" on a /proc/sys copy: the same findings as the exports give for the same profile. */
describe('kernel.checkProfile says what an admin typing a profile needs to know', () => {
  let dir: string;
  let rt: Runtime;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-profile-check-'));
    const ps = path.join(dir, 'proc-sys');
    copyProcSysWithValues(ps, /^(net\/core|vm\/)/);
    writeFileSync(path.join(ps, 'net/core/somaxconn'), '4096\n');
    rt = new Runtime({ mode: 'cli', local: { root: dir, procSys: ps } });
  });
  afterAll(async () => {
    await rt.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a typo gets "did you mean", as the exports give it', async () => {
    const r = await rt.api.kernel.checkProfile({ settings: [{ key: 'net.core.somaxcon', value: '8192' }] });
    expect(r.entries[0]).toMatchObject({ key: 'net.core.somaxcon', change: 'unknown-key', error: 'net.core.somaxcon does not exist on this host: did you mean net.core.somaxconn?' });
  });

  it('a key set twice: the earlier line is flagged as having no effect, the last one says it wins', async () => {
    const r = await rt.api.kernel.checkProfile({
      settings: [
        { key: 'net.core.somaxconn', value: '8192' },
        { key: 'vm.swappiness', value: '10' },
        { key: 'net/core/somaxconn', value: '1024' },
      ],
    });
    expect(r.entries.map((e) => [e.key, e.change])).toEqual([
      ['net.core.somaxconn', 'overridden'],
      ['vm.swappiness', expect.stringMatching(/^(change|unchanged)$/)],
      ['net.core.somaxconn', 'change'],
    ]);
    expect(r.entries[0]!.warning).toBe('net.core.somaxconn is set again further down (= 1024): the last one wins, as in sysctl.d, so this line has no effect');
    expect(r.entries[2]!.warning).toBe('net.core.somaxconn is also set further up (1 time): this last one wins');
    expect(r.entries[1]!.warning).toBeNull();
  });
});
