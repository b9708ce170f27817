import { describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { snapshotFreshNamespace } from '../../electron/kernel/fresh-namespace';
import { readLive } from '../../electron/kernel/live';
import { documentedDefaults } from '../../shared/kernel/data/documented-defaults';
import { freshValueIsDefault } from '../../shared/kernel/defaults';
import { keyToPath } from '../../shared/kernel/keys';
import { requireTool } from './support/sysctl-sandbox';

const norm = (v: string) => v.trim().replace(/\s+/g, ' ');

describe('"changed from default" on this kernel', () => {
  it('our documented defaults of namespaced keys match what a fresh namespace shows', () => {
    requireTool('/usr/bin/unshare', 'util-linux');
    if (process.getuid?.() !== 0) throw new Error('needs root (unshare -n -i -u), as CI runs it');
    const fresh = snapshotFreshNamespace();
    if (typeof fresh === 'string') throw new Error(fresh);
    const modes = new Map(readLive('/proc/sys').map((e) => [e.path, e.mode]));
    const devconf = Number(readLive('/proc/sys').find((e) => e.path === 'net/core/devconf_inherit_init_net')?.value ?? 0);
    const compared: string[] = [];
    const mismatches: string[] = [];
    for (const [key, value] of Object.entries(documentedDefaults)) {
      const p = keyToPath(key);
      if (!freshValueIsDefault(p, modes.get(p) ?? 0o644, fresh, devconf)) continue;
      compared.push(key);
      if (norm(fresh.values.get(p)!) !== norm(value)) mismatches.push(`${key}: documented ${value}, fresh namespace ${fresh.values.get(p)}`);
    }
    expect(mismatches).toEqual([]);
    expect(compared.length).toBeGreaterThan(20);
  });

  it('kernel.list labels each default and each "changed" badge with its basis', async () => {
    const rt = new Runtime({ mode: 'cli' });
    try {
      const { entries } = await rt.api.kernel.list({ k8s: '1.33' });
      const by = new Map(entries.map((e) => [e.key, e]));
      expect(by.get('net.core.somaxconn')?.default?.basis).toBe('fresh-namespace');
      expect(by.get('kernel.msgmax')?.default?.basis).toBe('fresh-namespace');
      // copied from init_net when a namespace is created: not a default
      expect(by.get('net.ipv4.tcp_rmem')?.default).toBeNull();
      // global data shown read-only in a child: not a default either
      expect(by.get('net.core.rmem_max')?.default).toBeNull();
      expect(by.get('vm.swappiness')?.default).toEqual({ value: '60', basis: 'documented' });
      expect(by.get('net.core.somaxconn')?.probe).toEqual({ kind: 'net', agrees: true });
      for (const e of entries) {
        if (!e.changed) continue;
        if (e.changed.basis === 'configured') expect(e.configured, e.key).not.toBeNull();
        else {
          expect(e.changed.basis, e.key).toBe(e.default?.basis);
          expect(norm(e.value ?? ''), e.key).not.toBe(norm(e.default!.value));
        }
      }
    } finally {
      await rt.dispose();
    }
  });
});
