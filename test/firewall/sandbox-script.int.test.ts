/**
 * `npm run sandbox` stops its firewalld and dbus-daemon however it is stopped, not only on
 * Ctrl-C (which signals the whole process group): SIGTERM to npm (npm forwards it to its child
 * only) and SIGHUP to tsx (tsx relays SIGINT and SIGTERM only) used to leave tsx, firewalld and
 * dbus-daemon running. Needs root and firewalld, dbus, nftables, util-linux.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/e2e';

/** Every live process below `root`, with its command line. */
function descendants(root: number): Array<{ pid: number; cmd: string }> {
  const parent = new Map<number, number>();
  const cmd = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // a zombie is already gone
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      cmd.set(Number(d), readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ').trim());
    } catch {
      // gone meanwhile
    }
  }
  const out: Array<{ pid: number; cmd: string }> = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp !== p) continue;
      out.push({ pid: child, cmd: cmd.get(child)! });
      walk(child);
    }
  };
  walk(root);
  return out;
}

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
};

/** Starts the sandbox, waits for its ready line, sends `signal` to the process `target` picks, and returns what was left running after it. */
async function stopWith(command: string[], signal: NodeJS.Signals, target: (procs: Array<{ pid: number; cmd: string }>, top: number) => number) {
  // Its own process group: the signal goes to one process, as `kill PID` or a closing session would send it.
  const child = spawn(command[0]!, command.slice(1), { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  try {
    await expect.poll(() => out, { timeout: 60_000, interval: 200 }).toContain('Press Ctrl-C to stop it.');
    const procs = [{ pid: child.pid!, cmd: command.join(' ') }, ...descendants(child.pid!)];
    expect(procs.some((p) => p.cmd.includes('/usr/sbin/firewalld'))).toBe(true);
    expect(procs.some((p) => p.cmd.includes('dbus-daemon'))).toBe(true);
    process.kill(target(procs, child.pid!), signal);
    // firewalld takes a moment to stop; the bound is generous, the check is that nothing is left.
    await expect.poll(() => procs.filter((p) => alive(p.pid)).map((p) => p.cmd), { timeout: 30_000, interval: 250 }).toEqual([]);
  } finally {
    // Whatever a failed run left behind, only this test's own processes.
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

describe('npm run sandbox cleans up on every stop signal', () => {
  it('SIGTERM to npm: no tsx, firewalld or dbus-daemon of it remains', async () => {
    await stopWith(['npm', 'run', 'sandbox'], 'SIGTERM', (_procs, top) => top);
  });

  it('SIGHUP to tsx (the session that started it closed): no firewalld or dbus-daemon of it remains', async () => {
    await stopWith([`${repoRoot}/node_modules/.bin/tsx`, 'scripts/sandbox.ts'], 'SIGHUP', (_procs, top) => top);
  });
});
