import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_COMMAND } from '../../electron/hosts/ssh/agent-command';
import { agentCall, agentSource, sharedRules } from '../../electron/hosts/ssh/agent-source';
import { procSysOfRows } from '../../electron/hosts/ssh/procsys-rows';
import { helperSource } from '../../electron/helper/source';
import { readLive } from '../../electron/hosts/proc-sys';

// The SSH read agent (electron/hosts/ssh/hostdeck-agent.py) as HostDeck sends it: its Python
// tests (test/hosts/agent/test_agent.py, unittest) and a differential run against the TypeScript
// reader on this machine's /proc/sys (entry by entry, and on a hostile copy: agent-procsys.test.ts).
const repo = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-agent-'));
const program = path.join(dir, 'agent_program.py');
writeFileSync(program, agentSource);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the agent the way SshTransport does: AGENT_COMMAND, the program and one request on stdin. */
function runAgent(request: unknown): { protocol: number; result?: unknown; error?: { code: string } } {
  const [cmd, ...args] = AGENT_COMMAND.split(' ');
  const r = spawnSync(cmd!, args, { input: `${agentSource}\n${agentCall('run', request)}`, encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { protocol: number; result?: unknown };
}

describe('SSH read agent', () => {
  it('its Python tests pass (python3 -m unittest test/hosts/agent/test_agent.py)', () => {
    const r = spawnSync('/usr/bin/python3', ['-m', 'unittest', '-v', 'test_agent'], {
      cwd: path.join(repo, 'test/hosts/agent'),
      env: { ...process.env, HOSTDECK_AGENT_PROGRAM: program, HOSTDECK_HELPER: path.join(repo, 'electron/helper/hostdeck-helper.py'), PYTHONDONTWRITEBYTECODE: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\nOK\n?$/);
    expect(r.stderr).not.toMatch(/skipped/);
  });

  it('the program sent is the helper section shared with it, then the agent; the helper keeps that section', () => {
    const shared = sharedRules(helperSource);
    expect(agentSource.startsWith(shared)).toBe(true);
    expect(shared).toMatch(/def proc_entry_opened\(/);
    expect(agentSource).not.toMatch(/def (host_path_problem|read_all|errno_name|proc_entry_opened)\([\s\S]*def \1\(/);
    expect(() => sharedRules(helperSource.replace('# <<< shared with the read agent <<<', ''))).toThrow(/no section/);
  });

  it("reads this machine's /proc/sys as the TypeScript reader does (keys, states, stable values)", () => {
    const ts = readLive('/proc/sys');
    const py = procSysOfRows('this machine', runAgent({ op: 'procsys' }).result);
    const shape = (es: typeof ts) => es.map((e) => `${e.path} ${e.state} ${e.writable} ${e.mode}`).sort();
    expect(shape(py.entries)).toEqual(shape(ts));
    const value = (es: typeof ts, p: string) => es.find((e) => e.path === p)?.value;
    for (const p of ['kernel/osrelease', 'kernel/ostype', 'net/ipv4/ip_forward', 'vm/swappiness', 'kernel/pid_max']) expect(value(py.entries, p), p).toBe(value(ts, p));
  });

  it('answers an unknown op with UNSUPPORTED, in protocol 1', () => {
    expect(runAgent({ op: 'write' })).toMatchObject({ protocol: 1, error: { code: 'UNSUPPORTED' } });
  });

  it('busread refuses any call that is not a firewalld read (a write, another service, another object), before it opens a bus', () => {
    const main = { path: '/org/fedoraproject/FirewallD1', iface: 'org.fedoraproject.FirewallD1' };
    const refused = [
      { ...main, member: 'setDefaultZone', sig: 's', args: ['trusted'] },
      { ...main, member: 'reload' },
      { ...main, iface: 'org.fedoraproject.FirewallD1.zone', member: 'addPort', sig: 'ssi', args: ['public', '1/tcp', 0] },
      { path: '/org/freedesktop/systemd1', iface: 'org.freedesktop.systemd1.Manager', member: 'getUnit', sig: 's', args: ['x'] },
      { path: '/org/freedesktop/systemd1', iface: 'org.freedesktop.DBus.Properties', member: 'GetAll', sig: 's', args: [''] },
      { ...main, iface: 'org.freedesktop.DBus.Properties', member: 'Set', sig: 'ssv', args: [] },
      // A read whose per-item calls would write.
      { ...main, member: 'listServices', each: [{ ...main, member: 'removeService', itemAs: 'arg' }] },
    ];
    for (const call of refused) {
      const r = runAgent({ op: 'batch', requests: [{ op: 'busread', calls: [call] }] }) as { result: { error?: { code: string; message: string } }[] };
      expect(r.result[0]!.error, JSON.stringify(call)).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/not a firewalld (read|object)/) });
    }
  });
});
