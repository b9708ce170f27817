import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarizeFiles } from '../../electron/compare/summary';
import { ApiError } from '../../shared/api/errors';
import { parseSnapshotJson } from '../../shared/compare/imports';
import type { Snapshot } from '../../shared/compare/snapshot';
import { seeded, writeFleet } from '../support/fleet';
import { realSnapshotForFile } from '../support/fleet-file';

/**
 * The snapshot parser's quick path (fleet summaries parse 1,000 files) must answer exactly as
 * the full checks do: the same snapshot for a good file, the same refusal (file, line, reason)
 * for a bad one. Each case is a real snapshot with one hostile edit, as an attacker writes it.
 */
let real: Snapshot;
realSnapshotForFile((s) => (real = s));

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const answer = (text: string, quick: boolean) => {
  try {
    return { snapshot: parseSnapshotJson('host.json', text, quick) };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { error: `${e.code} ${e.message}` };
  }
};

/** Hostile edits of one entry or of the text around it. */
const edits: [string, (d: Doc, i: number) => void][] = [
  ['a value with an escaped NUL', (d, i) => (d.sysctl.entries[i].value = 'a\u0000b')],
  ['a value with a carriage return', (d, i) => (d.sysctl.entries[i].value = '1\r')],
  ['a value with U+2028', (d, i) => (d.sysctl.entries[i].value = '1\u2028')],
  ['a value with a C1 control', (d, i) => (d.sysctl.entries[i].value = '1\u0085')],
  ['a value over the helper limit', (d, i) => (d.sysctl.entries[i].value = 'é'.repeat(2049))],
  ['a multi-line value (allowed)', (d, i) => (d.sysctl.entries[i].value = 'line 1\nline 2\tx')],
  ['a null value', (d, i) => (d.sysctl.entries[i].value = null)],
  ['a number value', (d, i) => (d.sysctl.entries[i].value = 1)],
  ['a key with a blank', (d, i) => (d.sysctl.entries[i].key = 'net.ipv4 .x')],
  ['a key with a newline', (d, i) => (d.sysctl.entries[i].key = 'net.ipv4\n.x')],
  ['a slash key (valid, not canonical)', (d, i) => (d.sysctl.entries[i].key = 'net/ipv4/ip_forward')],
  ['a key with ..', (d, i) => (d.sysctl.entries[i].key = 'net..x')],
  ['an empty key', (d, i) => (d.sysctl.entries[i].key = '')],
  ['a 300-byte key', (d, i) => (d.sysctl.entries[i].key = `k.${'a'.repeat(298)}`)],
  ['an unknown state', (d, i) => (d.sysctl.entries[i].state = 'fine')],
  ['writable as text', (d, i) => (d.sysctl.entries[i].writable = 'yes')],
  ['an extra field (dropped)', (d, i) => (d.sysctl.entries[i].extra = 'x')],
  ['a __proto__ field', (d, i) => (d.sysctl.entries[i] = JSON.parse(`{"__proto__":{"polluted":1},"key":"a.b","state":"ok","value":"1"}`))],
  ['an entry that is an array', (d, i) => (d.sysctl.entries[i] = ['a.b', 'ok'])],
  ['an entry that is null', (d, i) => (d.sysctl.entries[i] = null)],
  ['entries that are an object', (d) => (d.sysctl.entries = { 0: d.sysctl.entries[0] })],
  ['no value on an unreadable key (valid)', (d, i) => (d.sysctl.entries[i] = { key: d.sysctl.entries[i].key, state: 'unreadable' })],
  ['a value on a write-only key', (d, i) => (d.sysctl.entries[i].state = 'write-only')],
  ['deep nesting in an unknown field', (d) => (d.extra = JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`))],
  ['deep nesting at the limit', (d) => (d.extra = JSON.parse(`${'['.repeat(31)}${']'.repeat(31)}`))],
  ['a control character in a resolv.conf text', (d) => d.dns && (d.dns.text += '\u0001')],
  ['a newline in a firewall zone name', (d) => d.firewall?.runtime && (d.firewall.runtime.zones['a\nb'] = Object.values(d.firewall.runtime.zones)[0])],
];
/** Edits of the text itself. */
const textEdits: [string, (t: string) => string][] = [
  ['a raw DEL byte', (t) => t.replace('"ok"', '"o\u007fk"')],
  ['a raw U+FFFD (bytes that are not UTF-8)', (t) => t.replace('"ok"', '"o\ufffdk"')],
  ['a raw control byte', (t) => t.replace('"ok"', '"o\u0001k"')],
  ['a raw tab inside a string', (t) => t.replace('"ok"', '"o\tk"')],
  ['a vertical tab between tokens', (t) => t.replace(',', ',\u000b')],
  ['the text cut off', (t) => t.slice(0, Math.floor(t.length / 2))],
  ['a byte-order mark and blanks first', (t) => `\ufeff \n${t}`],
  ['a newer version', (t) => t.replace('"version":1', '"version":2')],
];

describe('snapshot import: the quick path answers as the full checks', () => {
  it('the same snapshot for a real one', () => {
    const text = JSON.stringify(real);
    expect(answer(text, true)).toEqual(answer(text, false));
    expect(answer(text, true).snapshot?.sysctl?.entries.length).toBe(real.sysctl!.entries.length);
  });

  it('the same answer for every hostile edit, at seeded places', () => {
    const rand = seeded(22);
    const n = real.sysctl!.entries.length;
    for (const [what, edit] of edits) {
      for (let k = 0; k < 3; k++) {
        const doc = structuredClone(real) as Doc;
        edit(doc, Math.floor(rand() * n));
        const text = JSON.stringify(doc);
        expect(answer(text, true), what).toEqual(answer(text, false));
      }
    }
    for (const [what, edit] of textEdits) {
      const text = edit(JSON.stringify(real, null, 1));
      const quick = answer(text, true);
      expect(quick, what).toEqual(answer(text, false));
    }
  });

  it('refuses as the full checks do: a sample of answers', () => {
    const doc = structuredClone(real) as Doc;
    doc.sysctl.entries[3].value = 'a\u0000b';
    expect(answer(JSON.stringify(doc), true).error).toMatch(/^PARSE_ERROR host\.json, line 1: .*NUL/);
    expect(answer(JSON.stringify(real).replace('"ok"', '"o\u007fk"'), true).error).toMatch(/binary data \(control byte 0x7f\)/);
  });
});

describe('fleet summary of files', () => {
  it('a FIFO among the files is a host not read, and the summary does not wait for a writer', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-fleet-fifo-'));
    try {
      const p = writeFleet(real, dir, 2, 3);
      const fifo = path.join(dir, 'web-0003.json');
      execFileSync('mkfifo', [fifo]);
      const s = await summarizeFiles([...p.files, fifo].map((file) => ({ file })), {});
      expect(s.hosts.map((h) => h.label)).toEqual(['web-0001', 'web-0002', 'web-0003']);
      expect(s.notRead).toEqual([{ host: 'web-0003', section: 'all', reason: `${fifo} is not a regular file` }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
