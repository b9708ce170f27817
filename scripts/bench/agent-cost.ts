import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sharedRules } from '../../electron/hosts/ssh/agent-source';
import type { BenchReporter } from './harness';

/**
 * What one host pays for a live read (issue #17): the read agent run locally as SshTransport runs
 * it (the program and a batch [procsys, describe] on stdin of the agent command), its CPU per run
 * and the bytes of its answer, against `sysctl -a` (CPU and bytes) in the same loop.
 * HOSTDECK_BENCH_AGENT_BEFORE=/path/to/other/tree alternates that tree's agent with this one's.
 * Runs: HOSTDECK_BENCH_AGENT_RUNS (20).
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const runs = Number(process.env.HOSTDECK_BENCH_AGENT_RUNS ?? 20);
  const here = path.resolve(import.meta.dirname, '../..');
  const before = process.env.HOSTDECK_BENCH_AGENT_BEFORE;
  const work = mkdtempSync(path.join(tmpdir(), 'hostdeck-bench-agent-'));
  try {
    const trees = [{ name: 'this tree', root: here }, ...(before ? [{ name: `before (${before})`, root: before }] : [])].map((t) => ({ ...t, ...agentOf(t.root, work, t.name) }));
    const anchor: number[] = [];
    const cpu = new Map<string, number[]>(trees.map((t) => [t.name, []]));
    // Interleaved rounds: a busy moment of the shared machine hits every side alike.
    for (let round = 0; round < 3; round++) {
      anchor.push(loopCpuMs('/sbin/sysctl -a', runs));
      for (const t of trees) cpu.get(t.name)!.push(loopCpuMs(`${t.command} <'${t.program}'`, runs));
    }
    const sysctlBytes = spawnSync('/sbin/sysctl', ['-a'], { encoding: 'buffer', maxBuffer: 1 << 26 }).stdout.length;
    const a = median(anchor);
    for (const t of trees) {
      r.ratio(`agent: one host's read (batch procsys + describe), CPU per run, ${t.name}`, median(cpu.get(t.name)!), 'sysctl -a CPU', a, '<= 2');
      r.note(`  (answer ${(t.bytes / 1024).toFixed(0)} KB vs sysctl -a ${(sysctlBytes / 1024).toFixed(0)} KB; command ${t.command})`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const median = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;

/** A tree's agent program with the request written as transport.ts writes it, its command, and the size of one answer. */
function agentOf(root: string, work: string, name: string): { program: string; command: string; bytes: number } {
  const helper = readFileSync(path.join(root, 'electron/helper/hostdeck-helper.py'), 'utf8');
  const agent = readFileSync(path.join(root, 'electron/hosts/ssh/hostdeck-agent.py'), 'utf8');
  const flags = /AGENT_COMMAND = `\$\{PYTHON3\} ([^`]*)`/.exec(readFileSync(path.join(root, 'electron/hosts/ssh/agent-command.ts'), 'utf8'))?.[1];
  if (!flags) throw new Error(`${root}: no AGENT_COMMAND`);
  const request = { op: 'batch', requests: [{ op: 'procsys' }, { op: 'describe', exists: ['/usr/libexec/hostdeck/hostdeck-helper', '/usr/bin/systemd-stdio-bridge', '/usr/bin/firewall-cmd'] }] };
  const payload = Buffer.from(JSON.stringify(request), 'utf8').toString('base64');
  // The line that calls run(): the one this tree's transport writes.
  const call = /^import binascii/m.test(agent) ? `run(json.loads(binascii.a2b_base64('${payload}').decode('utf-8')))\n` : `import base64 as _b64\nrun(json.loads(_b64.b64decode('${payload}').decode('utf-8')))\n`;
  const program = path.join(work, `${name.replace(/\W+/g, '_')}.py`);
  writeFileSync(program, `${sharedRules(helper)}\n${agent}\n${call}`);
  const command = `/usr/bin/python3 ${flags}`;
  const out = spawnSync('/bin/sh', ['-c', `${command} <'${program}'`], { encoding: 'buffer', maxBuffer: 1 << 26 });
  if (out.status !== 0 || !out.stdout.toString('utf8').startsWith('{"protocol":')) throw new Error(`${name}: the agent failed: ${out.stderr.toString()}`);
  return { program, command, bytes: out.stdout.length };
}

/** CPU (user + sys) per run of a shell command run `runs` times in a loop, from the shell's `times`. */
function loopCpuMs(cmd: string, runs: number): number {
  const r = spawnSync('/bin/bash', ['-c', `for i in $(seq ${runs}); do ${cmd} >/dev/null; done; times`], { encoding: 'utf8' });
  const kids = r.stdout.trimEnd().split('\n').pop() ?? '';
  const secs = [...kids.matchAll(/(\d+)m([\d.]+)s/g)].reduce((s, m) => s + Number(m[1]) * 60 + Number(m[2]), 0);
  return (secs * 1000) / runs;
}
