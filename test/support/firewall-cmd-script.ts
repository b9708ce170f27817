import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firewallCmdBatch, type FirewallCmdResult } from './firewall-cmd-batch';
import type { FirewalldSandbox } from './firewalld-sandbox';

/**
 * Runs a firewall-cmd shell script against the sandbox with its firewall-cmd calls batched: the
 * script runs in /bin/sh as written (its quoting, `set -e`, its order), except that the
 * `firewall-cmd` sh finds first on PATH is a shim that records the argv sh built; those argvs then
 * run through firewall-cmd's own code in one Python process (firewallCmdBatch), stopping at the
 * first that fails, as `set -e` would. A 15-line script costs one firewall-cmd start instead of 15.
 * Only for scripts whose control flow does not depend on firewall-cmd's output or status (the
 * exported scripts: a straight list of calls under `set -e`).
 */
export async function runFirewallCmdScript(sb: FirewalldSandbox, script: string): Promise<FirewallCmdResult[]> {
  const dir = mkdtempSync(join(sb.dir, 'script-'));
  try {
    const file = join(dir, 'script.sh');
    const calls = join(dir, 'calls');
    writeFileSync(file, script);
    writeFileSync(calls, '');
    mkdirSync(join(dir, 'bin'));
    // Each call: its argument count, then each argument, NUL-terminated (arguments cannot hold NUL).
    writeFileSync(join(dir, 'bin/firewall-cmd'), '#!/bin/sh\nprintf \'%s\\0\' "$#" "$@" >> "$HOSTDECK_FWCMD_CALLS"\n', { mode: 0o755 });
    const env = { ...sb.env, PATH: `${join(dir, 'bin')}:${sb.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, HOSTDECK_FWCMD_CALLS: calls };
    await new Promise<void>((resolve, reject) => {
      execFile('/bin/sh', [file], { env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`script failed in sh: ${stderr || stdout || err.message}\n${script}`));
        else resolve();
      });
    });
    const argvs = parseCalls(readFileSync(calls, 'utf8'));
    if (!argvs.length) throw new Error(`the script called firewall-cmd not once:\n${script}`);
    return await firewallCmdBatch(sb, argvs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseCalls(text: string): string[][] {
  const fields = text.split('\0');
  fields.pop(); // after the last NUL
  const out: string[][] = [];
  for (let i = 0; i < fields.length; ) {
    const n = Number(fields[i]);
    if (!Number.isInteger(n) || n < 0 || i + 1 + n > fields.length) throw new Error(`bad call record at field ${i}: ${JSON.stringify(fields[i])}`);
    out.push(fields.slice(i + 1, i + 1 + n));
    i += 1 + n;
  }
  return out;
}
