import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';

/**
 * A hand-edited hosts.json is hostile input: an entry called "local", "snapshot:x" or
 * "__proto__" must not replace this machine, pose as an imported snapshot, or become a key that
 * objects keyed by host id treat specially. Runs against a scratch XDG_CONFIG_HOME, no ssh.
 */

let dir: string;
let file: string;
const saved = process.env.XDG_CONFIG_HOME;
const runtimes: Runtime[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostdeck-saved-hosts-'));
  process.env.XDG_CONFIG_HOME = dir;
  mkdirSync(join(dir, 'hostdeck'), { recursive: true });
  file = join(dir, 'hostdeck', 'hosts.json');
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.dispose()));
  if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = saved;
  rmSync(dir, { recursive: true, force: true });
});

function runtimeWith(hosts: { id: string; destination: string }[]): Runtime {
  writeFileSync(file, JSON.stringify({ version: 1, hosts }));
  const rt = new Runtime({ mode: 'cli', remote: { runtimeDir: mkdtempSync(join(dir, 'run-')) } });
  runtimes.push(rt);
  return rt;
}

describe('hosts.json: reserved ids are refused', () => {
  for (const id of ['local', 'LOCAL', 'snapshot:x', '__proto__', 'constructor', 'prototype', 'toString']) {
    it(`an entry called ${JSON.stringify(id)} neither replaces nor shadows a built-in host`, async () => {
      const rt = runtimeWith([
        { id: 'web1', destination: 'root@web1.example' },
        { id, destination: 'root@attacker.example' },
      ]);
      // "local" is still this machine, for every call that names it.
      const local = rt.hostFor('local');
      expect(local.kind).toBe('local');
      expect((await rt.api.app.hosts({})).hosts.filter((h) => h.id === 'local')).toEqual([expect.objectContaining({ kind: 'local' })]);
      // The file is refused as a whole, with the file and the entry named.
      const e = (await rt.api.hosts.list({}).catch((x: unknown) => x)) as { code: string; message: string; detail: { path: string; entry: string } };
      expect(e.code).toBe('PARSE_ERROR');
      expect(e.message).toContain(file);
      expect(e.message).toContain(`hosts[1].id ${JSON.stringify(id)}`);
      expect(e.detail).toMatchObject({ path: file, entry: 'hosts[1].id' });
      // Nothing from that file was registered: no remote host under any name.
      expect(rt.hosts.list().map((h) => h.kind)).not.toContain('remote');
      if (id !== 'local') expect(() => rt.hostFor(id)).toThrow(/UNKNOWN_HOST|No host called/);
    });
  }

  it('a name that is saved twice is refused the same way', async () => {
    const rt = runtimeWith([
      { id: 'web1', destination: 'root@web1.example' },
      { id: 'web1', destination: 'root@attacker.example' },
    ]);
    await expect(rt.api.hosts.list({})).rejects.toMatchObject({ code: 'PARSE_ERROR', message: expect.stringContaining('hosts[1].id "web1": "web1" is saved twice') });
  });

  it('a plain file still loads', async () => {
    const rt = runtimeWith([{ id: 'web1', destination: 'root@web1.example' }]);
    expect((await rt.api.hosts.list({})).hosts.map((h) => [h.id, h.destination])).toEqual([['web1', 'root@web1.example']]);
    expect(rt.hostFor('local').kind).toBe('local');
  });
});

describe('adding a host under a reserved name is refused', () => {
  for (const [destination, name] of [
    ['root@web1.example', 'local'],
    ['root@web1.example', 'snapshot:web1'],
    ['root@web1.example', '__proto__'],
    // An ssh_config alias that happens to be a reserved word becomes the default name: refused too.
    ['constructor', undefined],
    ['local', undefined],
  ] as const) {
    it(`${destination}${name ? ` --name ${name}` : ''}`, async () => {
      const rt = runtimeWith([]);
      const e = (await rt.api.hosts.add({ destination, name }).catch((x: unknown) => x)) as { code: string; message: string };
      expect(['INVALID_VALUE', 'INVALID_INPUT']).toContain(e.code);
      expect(e.message).toMatch(/choose another name/);
      expect(rt.hostFor('local').kind).toBe('local');
      expect((await rt.api.hosts.list({})).hosts).toEqual([]);
    });
  }
});
