import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { summarizeFiles } from '../../electron/compare/summary';
import type { FleetSummary } from '../../shared/compare/summary';
import { writeFleet, type Planted } from '../support/fleet';

/**
 * Issue #17: a fleet summary parses its files in worker threads. The answer is the one the
 * single-thread path gives (hosts in file order, the same keys, kinds and counts), and hostile
 * files among them (a huge string, deep nesting, prototype keys, a file whose parse needs more
 * memory than a worker may take) are each refused naming the file, while the pool goes on.
 */
describe('fleet summary parsed in worker threads', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-fleet-pool-'));
  let p: Planted;
  let files: string[];
  const hostile: Record<string, string> = {};
  beforeAll(async () => {
    const rt = new Runtime({ mode: 'cli' });
    try {
      p = writeFleet(await rt.api.compare.snapshot({}), dir, 60, 5);
    } finally {
      await rt.dispose();
    }
    const good = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(p.files[0]!, 'utf8'))) as Record<string, unknown>;
    const put = (name: string, text: string) => {
      const f = path.join(dir, name);
      writeFileSync(f, text);
      hostile[name] = f;
    };
    // A string past the 1 MiB limit in a field zod takes as any string.
    put('huge-string.json', JSON.stringify({ ...good, source: { kind: 'import', detail: 'x'.repeat(1024 * 1024 + 10) } }));
    put('deep.json', `{"format":"hostdeck-snapshot","version":1,"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    // Prototype keys: dropped by the schema like any unknown key; nothing outside the document changes.
    put('proto.json', JSON.stringify(good).replace(/^\{/, '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},'));
    // 9 MB of empty objects: well-formed, under the import limit, but ~100 MB once parsed.
    put('heap-eater.json', `{"format":"hostdeck-snapshot","version":1,"x":[${'{},'.repeat(3_000_000)}{}]}`);
    put('broken.json', '{"format": "hostdeck-snapshot", "version": 1');
    // The hostile files in among the good ones, so answers after them must still come in order.
    files = [...p.files.slice(0, 20), hostile['huge-string.json']!, hostile['deep.json']!, ...p.files.slice(20, 40), hostile['proto.json']!, hostile['heap-eater.json']!, hostile['broken.json']!, ...p.files.slice(40)];
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let inline: FleetSummary;
  let pooled: FleetSummary;
  it('gives the single-thread answer: same hosts in the same order, same keys, kinds and notes', async () => {
    const list = files.map((file) => ({ file }));
    inline = await summarizeFiles(list, {}, {}, { workers: 0 });
    // A small heap per worker, so the heap eater kills its worker (the default is far larger).
    pooled = await summarizeFiles(list, {}, {}, { workers: 2, maxHeapMb: 48 });
    expect(pooled.hosts.map((h) => h.ref)).toEqual(files);
    const { notRead: a, ...restPooled } = pooled;
    const { notRead: b, ...restInline } = inline;
    expect(restPooled).toEqual(restInline);
    // The heap eater is refused by both, for a different reason (one thread has the process's heap).
    expect(a.filter((r) => r.host !== 'heap-eater')).toEqual(b.filter((r) => r.host !== 'heap-eater'));
    expect(pooled.keys.length).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);

  it('refuses each hostile file naming it; the good ones (prototype keys dropped) are summarized', () => {
    const why = Object.fromEntries(pooled.notRead.map((r) => [r.host, r.reason]));
    expect(Object.keys(why).sort()).toEqual(['broken', 'deep', 'heap-eater', 'huge-string']);
    expect(why['huge-string']).toMatch(/huge-string\.json.*longer than 1 MiB/);
    expect(why.deep).toMatch(/deep\.json.*nested more than 32 levels/);
    expect(why.broken).toMatch(/broken\.json, line 1: the JSON ends early/);
    expect(why['heap-eater']).toMatch(/heap-eater\.json: not read: parsing it needs more than the 48 MiB a parse may use/);
    expect(pooled.hosts.filter((h) => !pooled.notRead.some((r) => r.host === h.label))).toHaveLength(61);
  });
});
