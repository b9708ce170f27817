import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Three projects, one runner: unit (pure code and real files), integration (real firewalld,
// glibc, systemd-sysctl, namespaces; needs root) and e2e (browser mode in Debian's Chromium).
// Revert timers the tests schedule keep their state in a scratch dir, not this machine's
// /run/hostdeck (workers and the processes they start inherit it).
process.env.HOSTDECK_RUN_DIR ??= join(tmpdir(), `hostdeck-test-run-${process.pid}`);
// History (issue #18) reads each host again around every change: tests of the other features
// run without it (their own assertions do not count points); test/history turns it on with a
// store of its own (RuntimeOptions.history).
process.env.HOSTDECK_HISTORY ??= 'off';
// Every test file gets its own empty XDG_CONFIG_HOME: no test reads the user's saved hosts.
const setupFiles = ['test/support/scratch-config.ts'];

export default defineConfig({
  test: {
    // Two files at a time on a 2-core machine (vitest's default is one there): most integration
    // files wait on firewalld, sshd and namespaces rather than compute. e2e stays one Chromium at a time.
    maxWorkers: 2,
    reporters: process.env.HOSTDECK_TEST_JSON
      ? ['default', ['json', { outputFile: process.env.HOSTDECK_TEST_JSON }]]
      : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'test/**/*.e2e.test.ts', 'node_modules/**'],
          setupFiles,
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          setupFiles,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          expect: { poll: { timeout: 15_000 } },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.test.ts'],
          // One Chromium per file, closed after its last test (test/support/e2e-setup.ts).
          setupFiles: [...setupFiles, 'test/support/e2e-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One Chromium at a time on a 2-core machine.
          fileParallelism: false,
          // expect.poll's own default (1 s) is a timing assertion on a loaded 2-core machine: a page
          // that shows the right thing after 1.2 s is not wrong (compare.e2e saw 3 of 4 hosts at 1 s).
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
