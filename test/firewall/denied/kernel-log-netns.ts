import { readFileSync, writeFileSync } from 'node:fs';

/**
 * net.netfilter.nf_log_all_netns: with 0 (the default) a `log` rule in a network namespace other
 * than the initial one prints nothing, so the sandboxed firewalld's LogDenied lines never reach
 * the kernel log. The denied-packet tests set it to 1 for their duration and put the old value
 * back (afterAll, and a finally around the test body): the one sysctl of this machine they change.
 */
const PATH = '/proc/sys/net/netfilter/nf_log_all_netns';

export function allowNamespaceKernelLog(): { restore(): void; reassert(): void } {
  const old = readFileSync(PATH, 'utf8').trim();
  writeFileSync(PATH, '1');
  let restored = false;
  return {
    // Another test restoring its own old value (0) while this one runs would silence the log: set it again before a probe.
    reassert() {
      if (!restored && readFileSync(PATH, 'utf8').trim() !== '1') writeFileSync(PATH, '1');
    },
    restore() {
      if (restored) return;
      restored = true;
      writeFileSync(PATH, old);
    },
  };
}

/** A source address no other test uses: the kernel log is one for the whole machine, so tests find their lines by it. */
export function uniqueSubnet(): { fw: string; peer: string; fw6: string; peer6: string } {
  const a = 100 + Math.floor(Math.random() * 150);
  const b = Math.floor(Math.random() * 250) + 1;
  const six = `fd48:${a.toString(16)}:${b.toString(16)}`;
  return { fw: `10.${a}.${b}.1`, peer: `10.${a}.${b}.77`, fw6: `${six}::1`, peer6: `${six}::77` };
}

/** Polls `cond` every 25 ms until it gives a value, or fails naming what it waited for. */
export async function until<T>(cond: () => T | undefined, ms: number, what: string): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = cond();
    if (v !== undefined) return v;
    if (Date.now() - start > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
