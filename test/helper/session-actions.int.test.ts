import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directHelperStarts } from '../../electron/helper/local';
import { ImageTransport } from '../../electron/hosts/image';
import { runHostdeck } from '../support/cli';

/**
 * One user action that makes several helper calls starts the helper once (a helper session: one
 * authorization through pkexec), and leaves exactly what one helper per call leaves. Counted with
 * the product's own count of the python3 processes it starts for the helper (directHelperStarts:
 * an image, like HostDeck as root, runs the helper directly; through pkexec the same session is
 * one pkexec, see pkexec.int.test.ts).
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-session-actions-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function image(name: string): string {
  const root = path.join(dir, name);
  // A small configuration of its own (no /usr/lib/firewalld to load: this test is about the helper calls).
  mkdirSync(path.join(root, 'etc/firewalld/zones'), { recursive: true });
  writeFileSync(path.join(root, 'etc/firewalld/firewalld.conf'), 'DefaultZone=base\n');
  writeFileSync(path.join(root, 'etc/firewalld/zones/base.xml'), '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n</zone>\n');
  return root;
}

/** What the save left: the files under etc/firewalld and how many backups each has. */
function left(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const etc = path.join(root, 'etc/firewalld');
  for (const f of readdirSync(etc, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) out[path.relative(etc, path.join(f.parentPath, f.name))] = readFileSync(path.join(f.parentPath, f.name), 'utf8');
  }
  const backups = path.join(root, 'var/lib/hostdeck/backups');
  for (const d of readdirSync(backups).filter((n) => n.includes('%2F'))) out[`backups of ${d}`] = String(readdirSync(path.join(backups, d)).filter((n) => n.endsWith('.bak')).length);
  return out;
}

describe('one action, one helper', () => {
  it('a firewall offline save of two files (a new zone made the default) starts the helper once and writes what one-shot calls write', async () => {
    const edit = ['--new-zone', 'lab', '--set-default-zone', 'lab', '--json'];
    const a = image('session');
    const before = directHelperStarts.run;
    const r = await runHostdeck(['firewall', 'edit', '--root', a, ...edit]);
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as { files: unknown[] }).files).toHaveLength(2);
    expect(directHelperStarts.run - before).toBe(1);

    // The same save with one helper per call (the transport offering no session), on a twin image.
    const b = image('one-shot');
    const proto = ImageTransport.prototype as { helperSession?: unknown };
    const held = proto.helperSession;
    proto.helperSession = undefined;
    try {
      const start = directHelperStarts.run;
      const s = await runHostdeck(['firewall', 'edit', '--root', b, ...edit]);
      expect(s.code, s.err).toBe(0);
      expect(directHelperStarts.run - start).toBe(2);
    } finally {
      proto.helperSession = held;
    }
    expect(left(a)).toEqual(left(b));
    expect(left(a)['firewalld.conf']).toMatch(/^DefaultZone=lab$/m);
  }, 60_000);
});
