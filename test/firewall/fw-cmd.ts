import { execFile } from 'node:child_process';
import { startFirewalldSandbox, type FirewalldSandbox } from '../support/firewalld-sandbox';

/**
 * firewall-cmd against the sandbox, asynchronously. The sandbox's own firewallCmd uses
 * spawnSync, which blocks Node's event loop; firewalld runs with --debug and its output pipe
 * is only drained by that loop, so a reload (or many calls in a row) fills the pipe, firewalld
 * blocks writing its log and firewall-cmd times out after 25 s. Awaiting execFile keeps the
 * loop, and so the pipe, moving.
 */
export function fwRaw(sb: FirewalldSandbox, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/firewall-cmd', args, { env: sb.env, encoding: 'utf8', timeout: 90_000 }, (err, stdout, stderr) => {
      const status = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ status, stdout: stdout ?? '', stderr: stderr ?? '' });
    });
  });
}

export async function fw(sb: FirewalldSandbox, ...args: string[]): Promise<string> {
  const r = await fwRaw(sb, ...args);
  if (r.status !== 0) throw new Error(`firewall-cmd ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

export const lines = (text: string) => text.split('\n').filter((l) => l !== '');

/**
 * startFirewalldSandbox, retried: its start-up probe runs `firewall-cmd --state` with spawnSync,
 * which can deadlock the same way (firewalld's start-up log fills the undrained pipe, the
 * probe waits 25 s). A fresh attempt usually gets through; reported to the lead.
 */
export async function startSandbox(attempts = 3): Promise<FirewalldSandbox> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startFirewalldSandbox();
    } catch (e) {
      last = e;
      if (!String((e as Error).message).includes('Timed out')) throw e;
    }
  }
  throw last;
}
