import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { defaultCacheDir } from '../../electron/cache/own-cache-file';
import { requireTool } from './support/sysctl-sandbox';

/**
 * kernel.list on this machine stores its fresh-namespace probe and the next run (a new
 * Runtime, as the next CLI process) takes its defaults from that file, not from a new probe.
 */
describe('kernel list reuses the fresh-namespace probe of an earlier run', () => {
  it('a second runtime reads the stored listing (a marked value shows up as the default)', async () => {
    requireTool('/usr/bin/unshare', 'util-linux');
    if (process.getuid?.() !== 0) throw new Error('needs root (unshare -n -i -u), as CI runs it');
    const list = async () => {
      const rt = new Runtime({ mode: 'cli' });
      try {
        return await rt.api.kernel.list({ k8s: '1.33' });
      } finally {
        await rt.dispose();
      }
    };
    const first = await list();
    const row = first.entries.find((e) => e.key === 'net.ipv4.tcp_keepalive_time');
    expect(row?.default).toEqual({ value: expect.any(String), basis: 'fresh-namespace' });
    const file = path.join(defaultCacheDir(), 'fresh-namespace.json');
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { values: Record<string, string> };
    cached.values['net/ipv4/tcp_keepalive_time'] = '4242';
    writeFileSync(file, JSON.stringify(cached));
    const second = await list();
    expect(second.entries.find((e) => e.key === 'net.ipv4.tcp_keepalive_time')?.default).toEqual({ value: '4242', basis: 'fresh-namespace' });
  });
});
