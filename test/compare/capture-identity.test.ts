import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { createHost, treeTransport } from '../../electron/hosts/host';

/**
 * A snapshot's identity comes from the host's own transport. When the host cannot say who it is
 * (describe() fails: an SSH host that dropped), the snapshot says nothing about its OS rather
 * than this machine's /etc/os-release (what a readFileSync fallback under host.root, "/" for
 * an SSH host, used to put there).
 */
const dir = mkdtempSync(join(tmpdir(), 'hostdeck-capture-id-'));
mkdirSync(join(dir, 'etc'));
writeFileSync(join(dir, 'etc/os-release'), 'PRETTY_NAME="Image OS 1"\n');
const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: 'unix:path=/nonexistent/bus' } });
afterAll(async () => {
  await rt.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const localOs = /^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';

describe('compare snapshot: identity', () => {
  it("is the host's own (its os-release through its transport)", async () => {
    rt.hosts.add(createHost({ id: 'img', label: 'Image', kind: 'local', root: dir, systemBusAddress: 'unix:path=/nonexistent/bus' }));
    const snap = await rt.api.compare.snapshot({}, { host: 'img' });
    expect(snap.identity.os).toBe('Image OS 1');
  });

  it("is never this machine's when the host cannot describe itself", async () => {
    expect(localOs).not.toBe('');
    const transport = treeTransport({ root: dir, systemBusAddress: 'unix:path=/nonexistent/bus' });
    transport.describe = () => Promise.reject(new Error('link dropped'));
    // root "/" as for an SSH host: the machine behind the transport is not this one.
    rt.hosts.add(createHost({ id: 'far', label: 'Far', kind: 'remote', root: '/', transport }));
    const snap = await rt.api.compare.snapshot({}, { host: 'far' });
    expect(snap.identity.os).not.toBe(localOs);
    expect(snap.identity.os).toBe('');
  });
});
