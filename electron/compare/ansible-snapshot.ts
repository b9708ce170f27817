import { spawn } from 'node:child_process';
import { closeSync, constants, fsyncSync, lstatSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ApiError } from '../../shared/api/errors';
import type { Api } from '../../shared/api/contract';
import { snapshotSchema } from '../../shared/compare/snapshot';
import type { HostList } from '../api/context';
import { ANSIBLE_PLAYBOOK, ansibleEnv, inventoryPath } from '../hosts/inventory';
import { createRecordedHost, snapshotReadPlan, type RecordedReads } from '../hosts/recorded';
import { agentCall, agentSource, AGENT_PROTOCOL } from '../hosts/ssh/agent-source';
import { procSysOfRows } from '../hosts/ssh/procsys-rows';
import { withDigests } from '../hosts/ssh/read-answer';
import { HELPER_INSTALL_PATH } from '../helper/source';
import { BUNDLE_PY, CALLBACK_PY, PLAY_YML } from './ansible/files';
import { snapshotOfRecorded } from './recorded-snapshot';

/**
 * `hostdeck snapshot --inventory FILE [--limit PATTERN] --out DIR [--forks N]`: Ansible reaches
 * the hosts (its inventory, forks, pipelining, become, bastions), HostDeck's play runs the read
 * agent once per host with a fixed plan of reads, and each host's answer becomes a snapshot
 * built by the same code as `hostdeck snapshot --host` (electron/hosts/recorded.ts), written to
 * DIR as soon as the host answers. A host that fails is reported and the others go on.
 */

export interface HostOutcome {
  host: string;
  ok: boolean;
  /** The file written (ok). */
  file?: string;
  /** Why not (unreachable, failed, unreadable answer). */
  error?: string;
  sysctls?: number;
}

/** A file name for a host name from an inventory (hostile): plain characters only, never hidden, never "." or "..", bounded. */
export function snapshotFileName(host: string, taken: Set<string>): string {
  const base = host.normalize('NFKC').replace(/[^A-Za-z0-9_.@-]+/g, '_').replace(/^[.]+/, '_').slice(0, 100) || '_';
  let name = `${base}.json`;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base}-${i}.json`;
  taken.add(name.toLowerCase());
  return name;
}

/** Writes a file in DIR atomically, never through a link planted there (temp file O_EXCL|O_NOFOLLOW, then rename). */
function writeAtomic(dir: string, name: string, text: string): string {
  const target = path.join(dir, name);
  const tmp = path.join(dir, `.${name}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return target;
}

function parseAnswer(host: string, stdout: string): RecordedReads {
  // Anything a login script printed comes before the answer.
  const at = stdout.indexOf('{"protocol":');
  if (at < 0) throw new Error(`the read agent on ${host} gave no answer`);
  const a = JSON.parse(stdout.slice(at)) as { protocol: number; result?: Omit<RecordedReads, 'procsys'> & { procsys?: unknown }; error?: { message: string } };
  if (a.protocol !== AGENT_PROTOCOL) throw new Error(`the read agent on ${host} answered protocol ${a.protocol}, expected ${AGENT_PROTOCOL}`);
  if (a.error || !a.result) throw new Error(a.error?.message ?? `the read agent on ${host} answered no result`);
  const r = a.result;
  if (!r.procsys || !Array.isArray(r.records) || typeof r.describe !== 'object') throw new Error(`the read agent on ${host} answered an incomplete bundle`);
  // The agent's answers as SshTransport decodes them: /proc/sys rows made entries, contents given their sha256.
  const records = r.records.map((rec) => (rec && typeof rec === 'object' && rec.fact && typeof rec.fact === 'object' ? { ...rec, fact: withDigests(rec.fact) } : rec));
  return { ...r, procsys: procSysOfRows(host, r.procsys), records };
}

export async function snapshotInventory(opts: {
  rt: { api: Api; hostList: Pick<HostList, 'add' | 'remove'> };
  inventory: string;
  limit?: string;
  out: string;
  forks?: number;
  /** Each host as it finishes (progress). */
  onHost?: (o: HostOutcome) => void;
  /** The whole run's deadline: ansible-playbook is killed past it (hosts not answered by then are reported by the caller). */
  timeoutMs?: number;
  /** Cancels the run (ansible-playbook is ended; hosts written so far stay written). */
  signal?: AbortSignal;
  /**
   * Runs ansible-playbook in a process group of its own, ended as a whole on cancel, at the
   * deadline and when it exits: no worker or ssh it started outlives the run (the app; the CLI
   * keeps it in the terminal's group, so that Ctrl-C reaches it).
   */
  processGroup?: boolean;
}): Promise<HostOutcome[]> {
  const inv = inventoryPath(opts.inventory);
  if (opts.limit?.startsWith('-')) throw new ApiError('INVALID_INPUT', `--limit ${JSON.stringify(opts.limit)}: a pattern cannot start with "-"`);
  if (opts.forks !== undefined && (!Number.isInteger(opts.forks) || opts.forks < 1 || opts.forks > 500)) throw new ApiError('INVALID_INPUT', `--forks ${opts.forks}: a number from 1 to 500`);
  mkdirSync(opts.out, { recursive: true });
  if (!lstatSync(opts.out).isDirectory()) throw new ApiError('IO_ERROR', `${opts.out} is not a directory`);
  const work = mkdtempSync(path.join(tmpdir(), 'hostdeck-ansible-'));
  const outcomes: HostOutcome[] = [];
  try {
    const plan = { steps: snapshotReadPlan(), describe: { exists: [HELPER_INSTALL_PATH] } };
    const program = `${agentSource}\n${BUNDLE_PY}\n${agentCall('bundle', plan)}`;
    writeFileSync(path.join(work, 'agent.py'), program, { mode: 0o600 });
    writeFileSync(path.join(work, 'play.yml'), PLAY_YML, { mode: 0o600 });
    mkdirSync(path.join(work, 'callback'), { mode: 0o700 });
    writeFileSync(path.join(work, 'callback', 'hostdeck.py'), CALLBACK_PY, { mode: 0o600 });
    const args = ['-i', inv, '-e', `hostdeck_agent_program=${path.join(work, 'agent.py')}`];
    if (opts.limit) args.push('--limit', opts.limit);
    if (opts.forks) args.push('--forks', String(opts.forks));
    args.push(path.join(work, 'play.yml'));
    const env = ansibleEnv({
      ANSIBLE_STDOUT_CALLBACK: 'hostdeck',
      ANSIBLE_CALLBACK_PLUGINS: path.join(work, 'callback'),
      ANSIBLE_LOAD_CALLBACK_PLUGINS: 'True',
      ANSIBLE_CALLBACKS_ENABLED: '',
      // The user's own setting wins; otherwise the agent goes on stdin with the module and nothing is written on the host.
      ANSIBLE_PIPELINING: process.env.ANSIBLE_PIPELINING ?? 'True',
      ANSIBLE_PYTHON_INTERPRETER: process.env.ANSIBLE_PYTHON_INTERPRETER ?? 'auto_silent',
    });
    const child = spawn(ANSIBLE_PLAYBOOK, args, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: work, detached: !!opts.processGroup });
    let exited = false;
    const signalAll = (sig: NodeJS.Signals) => {
      if (!opts.processGroup || !child.pid) return void (exited || child.kill(sig));
      try {
        process.kill(-child.pid, sig);
      } catch {
        // The group is empty already.
      }
    };
    const stderr: string[] = [];
    child.stderr.on('data', (b: Buffer) => {
      stderr.push(b.toString('utf8'));
      if (stderr.length > 200) stderr.shift();
    });
    const timer = opts.timeoutMs ? setTimeout(() => signalAll('SIGKILL'), opts.timeoutMs) : undefined;
    let escalate: NodeJS.Timeout | undefined;
    // Ansible ends its workers on SIGTERM; whatever still runs 3 s later is killed.
    const stop = () => {
      signalAll('SIGTERM');
      escalate ??= setTimeout(() => signalAll('SIGKILL'), 3000);
    };
    if (opts.signal?.aborted) stop();
    opts.signal?.addEventListener('abort', stop, { once: true });
    const closed = new Promise<number | null>((resolve, reject) => {
      child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new ApiError('UNSUPPORTED', `${ANSIBLE_PLAYBOOK} is not installed: install Ansible (apt install ansible-core)`) : e));
      // 'close' waits for every holder of the pipes: Ansible's workers keep its stdout open, and a
      // SIGKILLed ansible-playbook (nothing of its own clean-up runs) leaves them, and their ssh,
      // running. Its exit is when the group goes.
      child.on('exit', () => opts.processGroup && signalAll('SIGKILL'));
      child.on('close', (code) => {
        exited = true;
        // A worker or ssh left in the group (ansible-playbook killed before it could end them).
        signalAll('SIGKILL');
        resolve(code);
      });
    });
    const taken = new Set<string>();
    let noHosts = false;
    // One host at a time is built and written (the snapshot work is Node CPU; Ansible keeps reading the others).
    let chain = Promise.resolve();
    const rl = createInterface({ input: child.stdout });
    const rlClosed = new Promise<void>((r) => rl.once('close', () => r()));
    rl.on('line', (line) => {
      let m: { host?: string; status?: string; stdout?: string; msg?: string };
      try {
        m = JSON.parse(line) as typeof m;
      } catch {
        return; // not ours (a plugin printing to stdout)
      }
      if (m.status === 'no-hosts') noHosts = true;
      if (typeof m.host !== 'string') return;
      const host = m.host;
      chain = chain.then(async () => {
        let o: HostOutcome;
        if (m.status !== 'ok') {
          o = { host, ok: false, error: `${m.status === 'unreachable' ? 'unreachable' : 'failed'}: ${(m.msg ?? '').trim() || 'no message'}` };
        } else {
          const id = `ansible:${outcomes.length}:${host}`.slice(0, 60);
          try {
            const rec = parseAnswer(host, m.stdout ?? '');
            const h = opts.rt.hostList.add(createRecordedHost(id, host, rec));
            const out = snapshotSchema.parse(await snapshotOfRecorded(opts.rt.api, h, `${host} through Ansible`));
            const file = writeAtomic(opts.out, snapshotFileName(host, taken), `${JSON.stringify(out, null, 2)}\n`);
            o = { host, ok: true, file, sysctls: out.sysctl?.entries.length ?? 0 };
          } catch (e) {
            o = { host, ok: false, error: `answer not usable: ${e instanceof Error ? e.message : String(e)}` };
          } finally {
            await opts.rt.hostList.remove(id).catch(() => undefined);
          }
        }
        outcomes.push(o);
        opts.onHost?.(o);
      });
    });
    const code = await closed.finally(() => opts.signal?.removeEventListener('abort', stop));
    clearTimeout(timer);
    clearTimeout(escalate);
    await rlClosed;
    await chain;
    if (noHosts && outcomes.length === 0) throw new ApiError('INVALID_INPUT', `No host of ${opts.inventory} matches${opts.limit ? ` --limit ${JSON.stringify(opts.limit)}` : ''}`);
    // Exit 2 (some host failed) and 4 (some unreachable) are per-host outcomes; anything else before any host answered is the run failing.
    if (outcomes.length === 0 && code !== 0 && !opts.signal?.aborted) {
      throw new ApiError('INVALID_INPUT', `ansible-playbook failed (exit ${code ?? 'killed'}): ${stderr.join('').trim().split('\n').slice(-8).join('\n')}`);
    }
    return outcomes;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
