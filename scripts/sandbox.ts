// `npm run sandbox`: a real firewalld in its own network namespace on a private bus, for trying
// HostDeck or firewall-cmd by hand. Prints what to export; stops everything when it is told to
// (Ctrl-C, SIGTERM, SIGHUP) or when whatever started it (npm, tsx, the shell's launcher) is gone.
import { readFileSync } from 'node:fs';
import { startFirewalldSandbox } from '../test/support/firewalld-sandbox';

/** The parent of a process, from /proc (undefined when it is gone). */
function parentOf(pid: number): { ppid: number; comm: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")".
    const close = stat.lastIndexOf(')');
    return { ppid: Number(stat.slice(close + 2).split(' ')[1]), comm: stat.slice(stat.indexOf('(') + 1, close) };
  } catch {
    return undefined;
  }
}

/**
 * The launcher processes above this one (tsx's parent, `sh -c`, npm). `npm run` forwards SIGTERM
 * only to its `sh -c`, which dies without passing it on, and tsx relays SIGINT and SIGTERM but not
 * SIGHUP: in both cases this process is left behind with firewalld and dbus-daemon. Watching the
 * launchers catches every such way of being abandoned.
 */
function launchers(): number[] {
  const out: number[] = [];
  let pid = process.ppid;
  while (pid > 1) {
    const p = parentOf(pid);
    if (!p || !/^(node|npm|npx|tsx|sh|dash)$|^npm /.test(p.comm)) break;
    out.push(pid);
    if (!/^(node|npm|npx|tsx)$|^npm /.test(p.comm)) break; // the first shell is the last launcher
    pid = p.ppid;
  }
  return out;
}

const sb = await startFirewalldSandbox();
console.log(`firewalld ${sb.firewallCmd('--version').trim()} is running in its sandbox (${sb.dir}).`);
console.log('In another shell:');
console.log(`  export DBUS_SYSTEM_BUS_ADDRESS=${sb.busAddress}`);
console.log('  firewall-cmd --list-all        # or: npm run -s hostdeck -- serve');
console.log('Press Ctrl-C to stop it.');
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  sb.stop().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(`Could not stop the sandbox cleanly: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
const watched = launchers();
setInterval(() => {
  if (watched.some((pid) => !parentOf(pid))) stop();
}, 300);
