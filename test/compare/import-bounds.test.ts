import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import { IMPORT_MAX_DEPTH, IMPORT_MAX_KEYS, importFiles } from '../../shared/compare/imports';
import { runHostdeck } from '../support/cli';

/**
 * Issue #20 item 14, as the attacker: imports built to cost memory and CPU (30 MB of nested
 * JSON, more keys than any host has, megabyte strings, 51 hosts) are refused with the file and
 * the limit, before the expensive part runs.
 */
const work = mkdtempSync(path.join(tmpdir(), 'hd-bounds-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function refusal(name: string, text: string): ApiError {
  try {
    importFiles([{ name, text }]);
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error(`${name} was imported`);
}

const snapshot = (patch: Record<string, unknown>) =>
  JSON.stringify({ format: 'hostdeck-snapshot', version: 1, source: { kind: 'live', detail: 't' }, identity: { hostname: 'h', os: '', kernel: '', time: 0 }, sysctl: null, sysctld: null, dns: null, firewall: null, ...patch });

describe('import bounds', () => {
  it('30 MB of nested JSON is refused at the depth limit, naming file and line', () => {
    const n = 15_000_000;
    const e = refusal('nested.json', `${'\n['.repeat(40)}${'['.repeat(n - 40)}${']'.repeat(n)}`);
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.message).toBe(`nested.json, line ${IMPORT_MAX_DEPTH + 2}: JSON nested more than ${IMPORT_MAX_DEPTH} levels deep: not a HostDeck snapshot (limit ${IMPORT_MAX_DEPTH})`);
  });

  it('more sysctl keys than the per-host limit: sysctl -a and snapshots', () => {
    const lines = Array.from({ length: IMPORT_MAX_KEYS + 1 }, (_, i) => `net.k${i}.x = 1`).join('\n');
    expect(refusal('many.txt', lines).message).toBe('many.txt: more than 100,000 sysctl keys: no host has that many (limit 100,000 per host)');
    const entries = Array.from({ length: IMPORT_MAX_KEYS + 1 }, (_, i) => ({ key: `net.k${i}.x`, state: 'ok', value: '1' }));
    expect(refusal('many.json', snapshot({ sysctl: { entries } })).message).toMatch(/^many\.json: more than 100,000 sysctl keys/);
    // The limit itself is fine.
    expect(importFiles([{ name: 'ok.txt', text: lines.slice(0, lines.lastIndexOf('\n')) }]).snapshot.sysctl!.entries).toHaveLength(IMPORT_MAX_KEYS);
  });

  it('strings over their limit: a 2 MiB resolv.conf text in a snapshot, a 5 KiB sysctl value', () => {
    const dns = { path: '/etc/resolv.conf', exists: true, text: `# ${'x'.repeat(2 * 1024 * 1024)}\n`, owner: null, glibc: { nameservers: [], ignoredNameservers: [], search: [], options: {} } };
    expect(refusal('big.json', snapshot({ dns })).message).toMatch(/^big\.json, line 1: dns\.text: a string longer than 1 MiB \(limit\)/);
    expect(refusal('v.txt', `net.core.x = ${'1'.repeat(5000)}\n`).message).toBe('v.txt, line 1: net.core.x: value longer than 4096 bytes');
  });

  it('hostdeck compare with 51 hosts says so before reading any file', async () => {
    const bad = path.join(work, 'binary.txt');
    writeFileSync(bad, Buffer.from([0, 1, 2, 3]));
    const r = await runHostdeck(['compare', ...Array.from({ length: 51 }, () => bad)]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/compare takes at most 50 hosts \(51 given\)/);
  });
});
