// `npm test`: Debian prerequisites, type-check, lint, build, then every vitest project
// (unit, integration, e2e). Ends with one line "N passed, N failed" over all of it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages, ensureSystemdResolvedTree } from './deps.mjs';

// Node 18 (Debian 12's own package) fails deep inside Vite; say what is needed instead (README, Set up).
{
  const [maj, min] = process.versions.node.split('.').map(Number);
  if (maj < 20 || (maj === 20 && min < 19) || (maj > 20 && maj < 22) || (maj === 22 && min < 12)) {
    console.error(`HostDeck needs Node 20.19+ or 22.12+ (this is ${process.version}); see README.md, "Set up".`);
    process.exit(1);
  }
}

const root = join(import.meta.dirname, '..');
process.chdir(root);
const extra = process.argv.slice(2);
let stepFailures = 0;

/** Runs one pipeline step; a failed step counts as one failure unless `counted` says the tests count it. */
function step(name, cmd, args, env = process.env, counted = false) {
  console.log(`\n== ${name}: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`== ${name} FAILED (exit ${r.status ?? r.signal})`);
    if (!counted) stepFailures++;
    return false;
  }
  return true;
}

try {
  ensureDebianPackages();
  const root = ensureSystemdResolvedTree();
  if (root !== '/') process.env.HOSTDECK_SYSTEMD_RESOLVED_ROOT = root;
} catch (e) {
  console.error(`\n${e.message}`);
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}
if (typeof process.getuid === 'function' && process.getuid() !== 0) {
  console.error('The integration and end-to-end tests need root (network and mount namespaces, a private firewalld). Run: sudo npm test');
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

const npx = 'npx';
step('type-check', 'npm', ['run', '-s', 'typecheck']);
step('lint', 'npm', ['run', '-s', 'lint']);
const built = step('build', 'npm', ['run', '-s', 'build']);

let passed = 0;
let failed = 0;
if (built) {
  mkdirSync('test-results', { recursive: true });
  const report = join(root, 'test-results', 'vitest.json');
  rmSync(report, { force: true });
  const ok = step('tests', npx, ['vitest', 'run', ...extra], { ...process.env, HOSTDECK_TEST_JSON: report }, true);
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed = r.numPassedTests ?? 0;
    // Failed tests, plus files that failed without running a test (import errors, hooks).
    const brokenFiles = (r.testResults ?? []).filter(
      (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
    ).length;
    failed = (r.numFailedTests ?? 0) + brokenFiles;
    if (!ok && failed === 0) failed = 1;
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    if (skipped) {
      // A skipped test in CI is a defect: count it as a failure.
      console.error(`${skipped} skipped or todo tests: they count as failures`);
      failed += skipped;
    }
    if (passed === 0) {
      console.error('No test ran.');
      failed += 1;
    }
  } else {
    failed += 1;
  }
}
failed += stepFailures;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
