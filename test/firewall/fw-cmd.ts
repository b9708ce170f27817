import { execFile } from 'node:child_process';
import { firewallCmdBatch } from '../support/firewall-cmd-batch';
import type { FirewalldSandbox } from '../support/firewalld-sandbox';

/**
 * firewall-cmd against the sandbox, asynchronously. The sandbox's own firewallCmd uses
 * spawnSync, which blocks this process's event loop for the duration of the call; tests that
 * run HostDeck's server and Chromium in the same process (e2e) need that loop to keep serving
 * while firewall-cmd runs.
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
 * Several firewall-cmd calls in order, in one process (firewallCmdBatch: each is still
 * firewall-cmd's own code with that argv, on a bus connection of its own, without paying
 * Python's start-up each time); answers their outputs and throws naming the first that failed.
 * For calls the page watches only as a whole (a set-up, a clean-up, checks in a row).
 */
export async function fwAll(sb: FirewalldSandbox, ...calls: string[][]): Promise<string[]> {
  return (await firewallCmdBatch(sb, calls)).map((r) => r.stdout);
}
