import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../support/cli';

// A one-shot CLI read must cost one read (issue #22): the app looks at a host again after a page
// load to notice outside changes; the CLI does not, it leaves that to the next change's "before".
describe('history and CLI read commands', () => {
  const data = mkdtempSync(path.join(tmpdir(), 'hostdeck-hist-cli-'));
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it('hostdeck kernel list records no point and starts no second read', async () => {
    const saved = { data: process.env.XDG_DATA_HOME, on: process.env.HOSTDECK_HISTORY };
    process.env.XDG_DATA_HOME = data;
    process.env.HOSTDECK_HISTORY = 'on';
    try {
      const r = await runHostdeck(['kernel', 'list', '--json']);
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out).entries.length).toBeGreaterThan(100);
      const store = path.join(data, 'hostdeck', 'history');
      // History is on (the store may be opened), but nothing was read again nor recorded.
      const files = existsSync(store) ? readdirSync(store, { recursive: true }).filter((f) => String(f).endsWith('log')) : [];
      expect(files).toEqual([]);
      const h = await runHostdeck(['history', '--json']);
      expect(h.code, h.err).toBe(0);
      expect(JSON.parse(h.out).points).toEqual([]);
    } finally {
      process.env.XDG_DATA_HOME = saved.data;
      process.env.HOSTDECK_HISTORY = saved.on;
    }
  }, 60_000);
});
