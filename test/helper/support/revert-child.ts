/**
 * "HostDeck" for the revert tests: asks for a change with a revert timer, prints the answer,
 * and is then killed with SIGKILL (by itself, at once), as if the app crashed or was killed.
 *   kernel MODE [SECONDS] [GO]: api.kernel.apply({settings, revertAfterSeconds: SECONDS (5)}) on this machine's
 *                (namespace's) /proc/sys; MODE=confirm also confirms at once (helper.confirm).
 *                With GO (a path): starts up first (imports, runtime, the kernel handlers), creates
 *                GO.ready, and applies only once GO exists, so a test can time the apply itself
 *                rather than a whole process start on a loaded machine.
 *   raw JSON RUNDIR: runLocalHelper(JSON, {elevate: false}, {runDir}) (a firewall-cmd plan).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { Runtime } from '../../../electron/api/runtime';
import { runLocalHelper } from '../../../electron/helper/local';
import type { HelperRequest } from '../../../shared/helper/protocol';

const [kind, a, b, go] = process.argv.slice(2) as [string, string, string, string | undefined];
let out: unknown;
if (kind === 'kernel') {
  const rt = new Runtime({ mode: 'cli' });
  const settings = [{ key: 'net.core.somaxconn', value: a === 'confirm' ? '2222' : '1111' }];
  if (go) {
    // A dry run of the same apply loads what the real one needs (handlers, validation, reads).
    await rt.api.kernel.apply({ settings, dryRun: true });
    writeFileSync(`${go}.ready`, '');
    while (!existsSync(go)) await new Promise((r) => setTimeout(r, 20));
  }
  const r = await rt.api.kernel.apply({ settings, revertAfterSeconds: Number(b ?? 5) });
  out = a === 'confirm' ? { apply: r, confirm: await rt.api.helper.confirm({ id: r.revert!.id }) } : { apply: r };
} else {
  out = await runLocalHelper(JSON.parse(a) as HelperRequest, { elevate: false }, { runDir: b });
}
process.stdout.write(JSON.stringify(out) + '\n', () => process.kill(process.pid, 'SIGKILL'));
