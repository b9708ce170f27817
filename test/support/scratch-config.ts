import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * Setup file of every vitest project: each test file (and every process it starts, which
 * inherits the environment) gets its own empty XDG_CONFIG_HOME, so no Runtime in a test reads
 * or writes the user's own ~/.config/hostdeck/hosts.json. HostDeck reads HOME only as the
 * fallback when XDG_CONFIG_HOME is unset (ssh reads the passwd entry's home, never $HOME), so
 * HOME stays as it is: the fake SSH hosts bring their own ssh_config, keys and known_hosts.
 * Tests that need saved hosts point XDG_CONFIG_HOME (or RemoteHostsOptions.configDir) at their
 * own scratch dir and put this one back.
 */
const dir = mkdtempSync(join(tmpdir(), 'hostdeck-test-config-'));
process.env.XDG_CONFIG_HOME = dir;
// ...and XDG_DATA_HOME (history points), so no test writes into the user's ~/.local/share.
process.env.XDG_DATA_HOME = join(dir, 'data');
// The same for caches (the kernel page's fresh-namespace probe, electron/kernel/fresh-cache.ts).
process.env.XDG_CACHE_HOME = join(dir, 'cache');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
