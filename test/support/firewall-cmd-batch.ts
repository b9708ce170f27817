import { execFile } from 'node:child_process';
import type { FirewalldSandbox } from './firewalld-sandbox';

/**
 * Many firewall-cmd calls in one Python process: /usr/bin/firewall-cmd itself (compiled once)
 * runs once per argv, in order, with that argv, on the sandbox's bus, exactly as if it had been
 * started alone. Each call as its own process spends most of its time importing Python modules
 * (firewall, dbus, gi); a set-up of 40 calls pays that once instead of 40 times. Each call gets
 * a bus connection of its own, as it would as a process.
 * firewallCmdBatch stops at the first call that fails; firewallCmdBatchRaw runs them all and
 * hands back every status (for --query-* checks, whose "no" is exit 1).
 */
const RUNNER = `
import contextlib, dbus, io, json, sys
path = '/usr/bin/firewall-cmd'
with open(path) as f:
    code = compile(f.read(), path, 'exec')
req = json.load(sys.stdin)
results = []
for argv in req['calls']:
    sys.argv = [path] + argv
    out, err = io.StringIO(), io.StringIO()
    status = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            exec(code, {'__name__': '__main__', '__file__': path})
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    results.append({'argv': argv, 'status': status, 'stdout': out.getvalue(), 'stderr': err.getvalue()})
    # A fresh bus connection for the next call, as a process of its own would have: each client
    # adds its signal match rules to the connection, and the bus caps them per connection.
    dbus.SystemBus().close()
    if status != 0 and req['stopOnFailure']:
        break
sys.__stdout__.write(json.dumps(results))
`;

export interface FirewallCmdResult {
  argv: string[];
  status: number;
  stdout: string;
  stderr: string;
}

function runBatch(sb: FirewalldSandbox, calls: string[][], stopOnFailure: boolean): Promise<FirewallCmdResult[]> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', ['-c', RUNNER], { env: sb.env, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      let results: FirewallCmdResult[];
      try {
        results = JSON.parse(stdout) as FirewallCmdResult[];
      } catch {
        reject(new Error(`firewall-cmd batch gave no answer (${err?.message ?? 'no error'}): ${stderr}`));
        return;
      }
      const failed = results.find((r) => r.status !== 0);
      if (failed && stopOnFailure) reject(new Error(`firewall-cmd ${failed.argv.join(' ')} failed (${failed.status}): ${failed.stderr || failed.stdout}`));
      else if (results.length !== calls.length) reject(new Error(`firewall-cmd batch ran ${results.length} of ${calls.length} calls: ${stderr}`));
      else resolve(results);
    });
    child.stdin!.end(JSON.stringify({ calls, stopOnFailure }));
  });
}

/** Runs every argv through firewall-cmd against the sandbox; returns their outputs, throws naming the first that failed. */
export const firewallCmdBatch = (sb: FirewalldSandbox, calls: string[][]) => runBatch(sb, calls, true);

/** Runs every argv through firewall-cmd against the sandbox, failed or not; returns each one's status and output. */
export const firewallCmdBatchRaw = (sb: FirewalldSandbox, calls: string[][]) => runBatch(sb, calls, false);

/**
 * Checks in one process (firewallCmdBatchRaw): each result has its status, its output split into
 * words (as FwSession.words; read only where the call must work), and ok(v), which gives v back
 * only if the call worked (as sandbox.firewallCmd, which throws on failure).
 */
export async function firewallCmdChecks(sb: FirewalldSandbox, calls: string[][]) {
  return (await firewallCmdBatchRaw(sb, calls)).map((r) => ({
    ...r,
    get words(): string[] {
      return r.status === 0 ? r.stdout.trim().split(/\s+/).filter(Boolean) : failed(r);
    },
    ok: <T>(v: T): T => (r.status === 0 ? v : failed(r)),
  }));
}
function failed(r: FirewallCmdResult): never {
  throw new Error(`firewall-cmd ${r.argv.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
}
