import { afterAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';

/**
 * A snapshot's sysctls come from the live /proc/sys read itself, not through kernel.list (whose
 * classification, defaults and namespace probe no snapshot holds): the entries must be exactly
 * those the Kernel page lists, key by key, state, value and writability.
 */
const rt = new Runtime({ mode: 'cli' });
afterAll(() => rt.dispose());

describe('compare snapshot: sysctls', () => {
  it('holds every key the Kernel page lists, with the same state, value and writability', async () => {
    const [snap, list] = await Promise.all([rt.api.compare.snapshot({}), rt.api.kernel.list({})]);
    const volatile = /^(fs\.(dentry|inode|file)-(state|nr)|kernel\.random\.(uuid|entropy_avail|boot_id)|kernel\.ns_last_pid|fs\.aio-nr|kernel\.pty\.nr|net\.netfilter\.nf_conntrack_count)$/;
    const shape = (es: { key: string; state: string; value?: string | null; writable?: boolean }[]) =>
      es.map((e) => ({ key: e.key, state: e.state, value: e.state === 'ok' && !volatile.test(e.key) ? (e.value ?? '') : undefined, writable: e.writable }));
    expect(shape(snap.sysctl!.entries)).toEqual(shape(list.entries));
    expect(snap.sysctl!.entries.length).toBeGreaterThan(100);
  });
});
