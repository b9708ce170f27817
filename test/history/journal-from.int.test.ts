import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeJournal } from '../../shared/history/journal';
import type { HistoryPoint } from '../../shared/history/model';
import { whoText } from '../../renderer/src/history/store';
import { timelineText } from '../../electron/history/cli';
import { b64, HELPER, sha } from '../helper/support/run';

/**
 * A journal line says which machine asked (`from`): the caller's hostname as it states it, and
 * over SSH the client address the real helper sees (its own SSH_CONNECTION as a root login, or
 * its parent's: sudo drops it). Hostile text is bounded and escaped wherever it is shown.
 */
const work = mkdtempSync(path.join(tmpdir(), 'hostdeck-history-from-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function write(name: string, from: unknown, wrap: (argv: string[]) => [string, string[]], env: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  const root = path.join(work, name);
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  writeFileSync(path.join(root, 'etc/resolv.conf'), 'nameserver 192.0.2.1\n');
  const req = { verb: 'write-file', path: '/etc/resolv.conf', content: b64(`nameserver 192.0.2.${name.length}\n`), expectedSha256: sha('nameserver 192.0.2.1\n'), from, journalSince: 0 };
  const [cmd, args] = wrap(['/usr/bin/python3', '-I', HELPER, '--root', root]);
  const { SSH_CONNECTION: _drop, ...base } = process.env;
  const r = spawnSync(cmd, args, { input: JSON.stringify(req), encoding: 'utf8', env: { ...base, ...env } });
  const answer = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ok: boolean; journal?: { entries: unknown[] } };
  // The write's answer carries the journal since journalSince (here: this entry).
  if (!answer.ok || answer.journal?.entries.length !== 1) throw new Error(`unexpected answer: ${r.stdout} ${r.stderr}`);
  const lines = readFileSync(path.join(root, 'var/lib/hostdeck/backups/journal'), 'utf8').trim().split('\n');
  return JSON.parse(lines.at(-1)!) as Record<string, unknown>;
}
const direct = (argv: string[]): [string, string[]] => [argv[0]!, argv.slice(1)];

/** What a helper started from this test process finds above it (a runner started over SSH has an SSH_CONNECTION up the tree). */
function ancestorVia(): string {
  let pid = process.pid;
  for (let i = 0; i < 7 && pid > 1; i++) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').find((x) => x.startsWith('SSH_CONNECTION='));
      if (env) return /^[0-9a-f.:]+$/i.test(env.slice(15).split(' ')[0]!) ? ` via ${env.slice(15).split(' ')[0]}` : '';
      pid = Number(readFileSync(`/proc/${pid}/stat`, 'latin1').split(')').pop()!.trim().split(' ')[1]);
    } catch {
      return '';
    }
  }
  return '';
}

describe("the journal's `from`", () => {
  it('keeps the machine the caller states, and the SSH client address from its own environment or its parent\'s', () => {
    expect(write('plain', 'ada-laptop', direct).from).toBe(`ada-laptop${ancestorVia()}`);
    expect(write('own', 'ada-laptop', direct, { SSH_CONNECTION: '192.0.2.7 51234 198.51.100.1 22' }).from).toBe('ada-laptop via 192.0.2.7');
    // sudo resets the environment: the address is the login shell's (the helper's parent).
    const viaParent = (argv: string[]): [string, string[]] => ['/bin/sh', ['-c', `env -u SSH_CONNECTION ${argv.join(' ')}; true`]];
    expect(write('parent', 'ada-laptop', viaParent, { SSH_CONNECTION: '2001:db8::7 51234 2001:db8::1 22' }).from).toBe('ada-laptop via 2001:db8::7');
    // Not an address: nothing is claimed.
    expect(write('bogus', 'ada-laptop', direct, { SSH_CONNECTION: 'evil\nline 1 2 3' }).from).toBe('ada-laptop');
  });

  it('is bounded and without control characters in the journal, whatever the caller sends', () => {
    const e = write('hostile', `evil\n{"verb":"forged"}\u001b[31m\u202e${'x'.repeat(500)}`, direct);
    expect(e.from).toMatch(/^evil\?\{"verb":"forged"\}\?\[31m\?x+( via [0-9a-f.:]+)?$/);
    expect((e.from as string).replace(/ via [0-9a-f.:]+$/, '').length).toBe(128);
  });

  it('is shown as "from X" in the timeline and the CLI, escaped when a journal line is hostile', () => {
    const point: HistoryPoint = { id: 'ab12', time: 2000, kind: 'outside', what: 'read', operation: null, who: null, result: null, error: null, since: 1000, sections: ['dns'], features: ['dns'], changes: [{ section: 'dns', layer: null, key: 'nameservers', from: 'a', to: 'b' }], changesTotal: 1 };
    const entry = { time: 1500, verb: 'write-file', uid: 0, login: 'root', result: 'changed', path: '/etc/resolv.conf' };
    const [ok] = mergeJournal([point], [{ ...entry, from: 'ada-laptop via 192.0.2.7' }], 'node-7');
    expect(whoText(ok!.who)).toBe('root on node-7 (helper journal) from ada-laptop via 192.0.2.7');
    // A journal written by something else: control and direction characters escaped, bounded.
    const [bad] = mergeJournal([point], [{ ...entry, login: 'ro\u001b]0;pwned\u0007ot', from: `x\n\u202eevil${'y'.repeat(400)}` }], 'node-7');
    const shown = whoText(bad!.who);
    // eslint-disable-next-line no-control-regex -- the characters looked for
    expect(shown).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(shown).toContain('ro\\u{1b}]0;pwned\\u{7}ot');
    expect(shown).toContain('from x\\u{a}\\u{202e}evil');
    expect(shown.length).toBeLessThan(260);
    // eslint-disable-next-line no-control-regex -- idem
    expect(timelineText([bad!])).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
  });
});
