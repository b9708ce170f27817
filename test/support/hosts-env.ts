import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeHosts } from './fake-hosts';

/**
 * Points HostDeck (in this process) at fake hosts: their ssh_config, and a scratch
 * XDG_CONFIG_HOME whose hosts.json holds `saved` (none by default). `restore()` puts both
 * variables back and removes the scratch directory.
 */
export function useFakeHostsConfig(fh: FakeHosts, saved: string[] = []): { configDir: string; restore(): void } {
  const before = { HOSTDECK_SSH_CONFIG: process.env.HOSTDECK_SSH_CONFIG, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
  const configDir = mkdtempSync(join(tmpdir(), 'hostdeck-e2e-cfg-'));
  if (saved.length) {
    mkdirSync(join(configDir, 'hostdeck'));
    writeFileSync(join(configDir, 'hostdeck/hosts.json'), JSON.stringify({ version: 1, hosts: saved.map((id) => ({ id, destination: id })) }));
  }
  process.env.HOSTDECK_SSH_CONFIG = fh.sshConfig;
  process.env.XDG_CONFIG_HOME = configDir;
  return {
    configDir,
    restore() {
      for (const [k, v] of Object.entries(before)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}
