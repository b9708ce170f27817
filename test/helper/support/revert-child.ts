/**
 * "HostDeck" for the revert tests: asks for a change with a revert timer, prints the answer,
 * and is then killed with SIGKILL (by itself, at once), as if the app crashed or was killed.
 *   kernel MODE [SECONDS]: api.kernel.apply({settings, revertAfterSeconds: SECONDS (5)}) on this machine's
 *                (namespace's) /proc/sys; MODE=confirm also confirms at once (helper.confirm).
 *   raw JSON RUNDIR: runLocalHelper(JSON, {elevate: false}, {runDir}) (a firewall-cmd plan).
 */
import { Runtime } from '../../../electron/api/runtime';
import { runLocalHelper } from '../../../electron/helper/local';
import type { HelperRequest } from '../../../shared/helper/protocol';

const [kind, a, b] = process.argv.slice(2) as [string, string, string];
let out: unknown;
if (kind === 'kernel') {
  const rt = new Runtime({ mode: 'cli' });
  const r = await rt.api.kernel.apply({ settings: [{ key: 'net.core.somaxconn', value: a === 'confirm' ? '2222' : '1111' }], revertAfterSeconds: Number(b ?? 5) });
  out = a === 'confirm' ? { apply: r, confirm: await rt.api.helper.confirm({ id: r.revert!.id }) } : { apply: r };
} else {
  out = await runLocalHelper(JSON.parse(a) as HelperRequest, { elevate: false }, { runDir: b });
}
process.stdout.write(JSON.stringify(out) + '\n', () => process.kill(process.pid, 'SIGKILL'));
