import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFirewalldSandbox, type FirewalldSandbox } from '../support/firewalld-sandbox';
import { HELPER, repo } from './support/run';

/**
 * "Revert unless confirmed" timers outlive HostDeck: the process that asked is SIGKILLed right
 * after the answer, and the detached reverter still restores the change at the deadline
 * (sysctl: in a private network namespace; firewall-cmd: against a sandboxed firewalld).
 * Confirming (cancel-revert) keeps the change.
 */
const TSX = path.join(repo, 'node_modules/.bin/tsx');
const CHILD = path.join(repo, 'test/helper/support/revert-child.ts');
/** These cases mount their own tmpfs /run, so timers use the real default /run/hostdeck inside it. */
const ownRun = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'HOSTDECK_RUN_DIR'));

/** Polls revert-status until the timer is no longer pending; returns the final state. */
const WAIT = `
import json, subprocess, sys, time
def status(i, extra):
    p = subprocess.run(['/usr/bin/python3', '-I', ${JSON.stringify(HELPER)}] + extra, input=json.dumps({'verb': 'revert-status', 'id': i}), capture_output=True, text=True)
    return json.loads(p.stdout)['result']
ids = sys.argv[1].split(',')
extra = sys.argv[2:]
out = {}
for i in ids:
    for _ in range(400):
        s = status(i, extra)
        if s['status'] not in ('pending', 'reverting'):
            break
        time.sleep(0.1)
    out[i] = s
print(json.dumps(out))
`;

interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}
/** A command run without blocking the event loop: the cases of this file wait for their timers at the same time. */
function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeout: number }): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: repo, encoding: 'utf8', ...opts }, (err, stdout, stderr) => {
      const e = err as { code?: unknown; signal?: NodeJS.Signals | null } | null;
      resolve({ status: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}
/** `script` in fresh network and mount namespaces, as root. */
const inNamespaces = (script: string, work: string) => run('unshare', ['-n', '-m', '--propagation', 'private', 'sh', '-c', script, 'sh', TSX, CHILD, work], { timeout: 90_000, env: ownRun });

describe('revert timers survive the HostDeck process', () => {
  let work: string;
  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('runs as root (namespaces), as CI does');
    work = mkdtempSync(path.join(tmpdir(), 'hostdeck-revert-'));
    writeFileSync(path.join(work, 'wait.py'), WAIT);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  // The three cases each wait for a timer of their own (a namespace, a sandboxed firewalld): they wait at the same time.
  it.concurrent('sysctl: a confirmed change stays; a timer finding a value someone else set since leaves it alone (private netns, HostDeck SIGKILLed)', async () => {
    const script = `set -e
mount -t tmpfs tmpfs /run
before=$(cat /proc/sys/net/core/somaxconn)
# Both HostDecks start at once and wait, ready, for their "go": the first timer then only has to
# outlast the second one's apply, not a whole process start on a loaded machine.
ready() { i=0; while [ ! -e "$1.ready" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done; [ -e "$1.ready" ] || { echo "a HostDeck did not get ready" >&2; exit 97; }; }
"$1" "$2" kernel revert 15 "$3/go1" > "$3/revert.json" & first=$!
# The second one confirms at once: its own timer (60 s) never fires, however loaded the machine.
"$1" "$2" kernel confirm 60 "$3/go2" > "$3/confirm.json" & second=$!
ready "$3/go1"; ready "$3/go2"
touch "$3/go1"; wait $first || true
touch "$3/go2"; wait $second || true
applied=$(cat /proc/sys/net/core/somaxconn)
ids=$(/usr/bin/python3 -c 'import json,sys; print(",".join(json.load(open(sys.argv[1]))["apply"]["revert"]["id"] for f in [0]))' "$3/revert.json")
/usr/bin/python3 "$3/wait.py" "$ids" > "$3/final.json"
echo "{\\"before\\": \\"$before\\", \\"applied\\": \\"$applied\\", \\"after\\": \\"$(cat /proc/sys/net/core/somaxconn)\\", \\"netns\\": \\"$(readlink /proc/self/ns/net)\\"}"
`;
    const r = await inNamespaces(script, work);
    expect(r.status, r.stderr).toBe(0);
    const facts = JSON.parse(r.stdout.trim().split('\n').pop()!) as { before: string; applied: string; after: string; netns: string };
    expect(facts.netns).not.toBe(readlinkSync('/proc/self/ns/net'));
    const revert = JSON.parse(readFileSync(path.join(work, 'revert.json'), 'utf8')) as { apply: { revert: { id: string }; results: { outcome: string }[] } };
    const confirm = JSON.parse(readFileSync(path.join(work, 'confirm.json'), 'utf8')) as { confirm: { cancelled: boolean; status: string } };
    const final = JSON.parse(readFileSync(path.join(work, 'final.json'), 'utf8')) as Record<string, { status: string; results: { key: string; outcome: string; readBack: string }[] }>;
    expect(revert.apply.results[0]!.outcome).toBe('applied');
    expect(confirm.confirm).toMatchObject({ cancelled: true, status: 'cancelled' });
    // the second apply (confirmed) set 2222 on top of 1111 (well within the first timer's 15 s: the second
    // HostDeck was started and ready before the first applied); the first timer then finds 2222, not the 1111
    // it wrote, and leaves it alone (someone changed it since) — exactly undo's conflict rule
    const first = final[revert.apply.revert.id]!;
    expect(first.status).toBe('failed');
    expect(first.results[0]).toMatchObject({ key: 'net.core.somaxconn', outcome: 'conflict' });
    expect(facts.after).toBe('2222');
  });

  it.concurrent("sysctl: alone, the killed HostDeck's change is reverted at the deadline", async () => {
    const script = `set -e
mount -t tmpfs tmpfs /run
before=$(cat /proc/sys/net/core/somaxconn)
# 10 s, not 5: room to read the applied value on a loaded machine; the wait costs nothing, the other cases wait longer.
"$1" "$2" kernel revert 10 > "$3/revert2.json" || true
applied=$(cat /proc/sys/net/core/somaxconn)
id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["apply"]["revert"]["id"])' "$3/revert2.json")
/usr/bin/python3 "$3/wait.py" "$id" > "$3/final2.json"
echo "{\\"before\\": \\"$before\\", \\"applied\\": \\"$applied\\", \\"after\\": \\"$(cat /proc/sys/net/core/somaxconn)\\"}"
`;
    const r = await inNamespaces(script, work);
    expect(r.status, r.stderr).toBe(0);
    const facts = JSON.parse(r.stdout.trim().split('\n').pop()!) as { before: string; applied: string; after: string };
    const final = Object.values(JSON.parse(readFileSync(path.join(work, 'final2.json'), 'utf8')) as Record<string, { status: string }>)[0]!;
    expect(facts.applied).toBe('1111');
    expect(final.status).toBe('reverted');
    expect(facts.after).toBe(facts.before);
  });

  it.concurrent('firewall-cmd plan against a sandboxed firewalld: runs /usr/bin/firewall-cmd with the planned argv on the given bus after the caller was SIGKILLed', async () => {
    const fw: FirewalldSandbox = await startFirewalldSandbox();
    try {
      fw.firewallCmd('--zone=public', '--add-port=7777/tcp');
      expect(fw.firewallCmd('--zone=public', '--query-port=7777/tcp').trim()).toBe('yes');
      const runDir = path.join(work, 'fw-run');
      const req = JSON.stringify({ verb: 'schedule-revert', seconds: 5, plan: { kind: 'firewall-cmd', commands: [['--zone=public', '--remove-port=7777/tcp']] } });
      const r = await run(TSX, [CHILD, 'raw', req, runDir], { env: { ...process.env, ...fw.env }, timeout: 60_000 });
      expect(r.signal === 'SIGKILL' || r.status === 128 + 9, `${r.status} ${r.signal} ${r.stderr}`).toBe(true);
      const answer = JSON.parse(r.stdout.trim()) as { ok: boolean; result: { id: string } };
      expect(answer.ok).toBe(true);
      const w = await run('/usr/bin/python3', [path.join(work, 'wait.py'), answer.result.id, '--run-dir', runDir], { timeout: 60_000 });
      const final = (JSON.parse(w.stdout) as Record<string, { status: string; results: { argv: string[]; exitCode: number }[] }>)[answer.result.id]!;
      expect(final.status).toBe('reverted');
      expect(final.results).toEqual([expect.objectContaining({ argv: ['--zone=public', '--remove-port=7777/tcp'], exitCode: 0 })]);
      expect(fw.firewallCmdRaw('--zone=public', '--query-port=7777/tcp').stdout.trim()).toBe('no');
    } finally {
      await fw.stop();
    }
  });
});
