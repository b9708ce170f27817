import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync, rmSync } from 'node:fs';
import { ApiError, type ErrorCode } from '../../../shared/api/errors';
import { helperRequestSchema, helperResponseSchema, type HelperRequest, type HelperResponse } from '../../../shared/helper/protocol';
import type { FirewallPrivilege, HostPrivilege } from '../../../shared/hosts/contract';
import type { HostCapabilities } from '../../../shared/hosts/capabilities';
import { HELPER_INSTALL_PATH, helperSource } from '../../helper/source';
import { helperVersionProblem } from '../../helper/version';
import type { BusReadAnswer, BusReadCall, FileFacts, HelperOptions, HostIdentity, HostTransport, ProcSysSnapshot, ReadExpand, ReadPlan, ReadRequest } from '../transport';
import { agentPayload } from './agent-payload';
import { AGENT_PROTOCOL, agentProgram } from './agent-source';
import { AGENT_COMMAND, PYTHON3 } from './agent-command';
import { procSysOfRows, type ProcSysListing } from './procsys-rows';
import { withDigests, type AgentFacts as RawFacts } from './read-answer';
import { KeptAgent, lacksPython3, noPython3 } from './kept-agent';
import type { SshDestination } from '../../../shared/hosts/destination';
import type { SshLink } from './link';
import { checkFirewalldPolkit, sudoersLine } from './privilege';
import { SharedBus } from '../bus';
import type { MessageBus } from '@jellybrick/dbus-next';
import type { KernelLogOptions, KernelLogReader } from '../kernel-log';
import { readRemoteKernelLog, remoteLogProblem, type RemoteKernelLogAccess } from './kernel-log';
import { callShared } from '../call-scope';

/** The reads one call holds of a host while a prefetch() of that call is open. */
interface HeldReads {
  /** read key (or 'procsys', 'describe', a bus read) -> its answer. */
  memo?: Map<string, unknown>;
  /** The call's prefetch() scopes still open (a compare and history's look inside it). */
  scopes: number;
}
const noneHeld = (): HeldReads => ({ scopes: 0 });

export const STDIO_BRIDGE = '/usr/bin/systemd-stdio-bridge';
export const SUDO = '/usr/bin/sudo';

/** The agent's default content limit (hostdeck-agent.py DEFAULT_MAX_BYTES). */
const AGENT_MAX_BYTES = 4 * 1024 * 1024;

/** What makes two reads the same read (attrs aside: a read with them answers one without). */
function readKey(r: ReadRequest, attrs: boolean): string {
  return JSON.stringify(['read', r.path, !!r.content, !!r.list, !!r.follow, attrs]);
}

export interface RemoteIdentity extends HostIdentity {
  uid: number;
  user: string;
  exists: Record<string, boolean>;
  /** What the login may read of the kernel log (the agent's read-only checks). */
  kernelLog?: RemoteKernelLogAccess;
}

export { sudoersLine } from './privilege';

/**
 * A remote host reached over SSH (see link.ts). Reads go through a small read-only Python agent
 * sent on stdin (one round trip per read(), procSys(), describe()); the system bus through
 * `systemd-stdio-bridge` behind a private unix socket that the unchanged firewalld client
 * connects to, always as the login user (firewalld authorizes non-root users through polkit);
 * writes through HostDeck's helper: as root by sending its source on stdin, or `sudo -n` of the
 * helper installed at HELPER_INSTALL_PATH for a non-root login. See privilege.ts.
 */
export class SshTransport implements HostTransport {
  /** unix:path=... of the private bus socket (0600 in the 0700 runtime dir). */
  readonly busSocket: string;
  private server: Server | undefined;
  private listening: Promise<void> | undefined;
  private readonly bridges = new Set<Socket>();
  private privilegeCache: Promise<HostPrivilege> | undefined;
  /** The last privilege probe's answer (kept across reconnects, for capabilities()). */
  private lastPrivilege: HostPrivilege | undefined;
  private identityCache: RemoteIdentity | undefined;
  /** When identityCache was read (this machine's clock): the host's clock moves on from its `time`. */
  private describedAt: number | undefined;
  /** Agent requests waiting for this turn's batch (see agent()). */
  private readonly queue: { request: Record<string, unknown>; timeoutMs: number; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  /** The ops of each agent run (one ssh session each) since the transport was made: tests and the bench count round trips. */
  readonly agentRuns: string[][] = [];
  /** One bus session (one systemd-stdio-bridge on the host) for every feature, not one per reader. */
  private readonly sharedBus = new SharedBus(() => this.busAddress(), 10_000);

  /** The host's kept read agent (the app, `serve`: opts.keepAgentS > 0), or null: one agent run per read. */
  private readonly keptAgent: KeptAgent | null;

  constructor(
    readonly link: SshLink,
    private readonly opts: { readTimeoutMs?: number; log?: (l: string) => void; keepAgentS?: number } = {},
  ) {
    this.busSocket = link.busSocketPath;
    this.keptAgent = (opts.keepAgentS ?? 0) > 0 ? new KeptAgent(link, opts.keepAgentS! * 1000, opts.log) : null;
    link.on('status', (s) => {
      // Not on 'connecting': a bridge that is waiting for the link to come up must survive that.
      if (s.state !== 'connected' && s.state !== 'connecting') {
        // A new connection may be another login (fixed sudoers, new key): learn again.
        this.privilegeCache = undefined;
        for (const b of [...this.bridges]) closeGently(b);
      }
    });
  }

  get identity(): RemoteIdentity | undefined {
    return this.identityCache;
  }

  // ---- reads --------------------------------------------------------------------------------

  /**
   * One agent request. Requests made in the same turn of the event loop go out together as one
   * 'batch' (one ssh session, one python3 start, the agent source sent once), each answered with
   * its own result or error.
   */
  private agent<T>(request: Record<string, unknown>, timeoutMs = this.opts.readTimeoutMs ?? 20_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ request, timeoutMs, resolve: resolve as (v: unknown) => void, reject });
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const items = this.queue.splice(0);
    if (items.length === 0) return;
    this.agentRuns.push(items.map((i) => String(i.request.op)));
    const timeoutMs = Math.max(...items.map((i) => i.timeoutMs));
    const what = [...new Set(items.map((i) => String(i.request.op)))].join(', ');
    this.agentRun<{ result?: unknown; error?: { code: string; message: string } }[]>({ op: 'batch', requests: items.map((i) => i.request) }, timeoutMs, what).then(
      (answers) => {
        items.forEach((it, k) => {
          const a = Array.isArray(answers) ? answers[k] : undefined;
          if (!a) it.reject(new ApiError('INTERNAL', `The read agent on ${this.link.destination.text} left request ${k + 1} (${String(it.request.op)}) unanswered`));
          else if (a.error) it.reject(new ApiError(a.error.code as ErrorCode, a.error.message));
          else it.resolve(a.result);
        });
      },
      (e: unknown) => items.forEach((it) => it.reject(e)),
    );
  }

  private async agentRun<T>(request: Record<string, unknown>, timeoutMs: number, what: string): Promise<T> {
    const answer = this.keptAgent ? await this.keptAgent.run(request, timeoutMs, `reading (${what})`) : await this.oneShotAgentRun<T>(request, timeoutMs, what);
    if (answer.protocol !== AGENT_PROTOCOL) throw new ApiError('UNSUPPORTED', `The read agent answered protocol ${answer.protocol}, expected ${AGENT_PROTOCOL}`);
    if (answer.error) throw new ApiError(answer.error.code as ErrorCode, answer.error.message);
    return answer.result as T;
  }

  /** One agent run in an ssh session of its own: python3 started, the agent sent with the request appended (the CLI, or kept agents off). */
  private async oneShotAgentRun<T>(request: Record<string, unknown>, timeoutMs: number, what: string): Promise<{ protocol: number; result?: T; error?: { code: string; message: string } }> {
    const script = agentProgram(agentPayload(request));
    const r = await this.link.exec(AGENT_COMMAND, { input: script, timeoutMs, what: `reading (${what})` });
    const text = r.stdout.toString('utf8');
    // Anything a login script printed comes before the answer.
    const at = text.indexOf('{"protocol":');
    if (lacksPython3(r.code, r.stderr)) throw noPython3(this.link.destination.text);
    if (at < 0) {
      throw new ApiError('INTERNAL', `The read agent on ${this.link.destination.text} gave no answer (exit ${r.code}): ${r.stderr.trim().slice(-500)}`);
    }
    try {
      return JSON.parse(text.slice(at)) as { protocol: number; result?: T; error?: { code: string; message: string } };
    } catch {
      throw new ApiError('INTERNAL', `The read agent on ${this.link.destination.text} answered malformed JSON`);
    }
  }

  /**
   * What this call (call-scope.ts) holds of the host. Never shared between calls: another call
   * reading the host meanwhile (history's look after a refresh, a page load) must not answer a
   * later refresh with what it read before (the Compare page's Refresh showed stale values).
   */
  private get memo(): Map<string, unknown> | undefined {
    return callShared(this, noneHeld)?.memo;
  }

  /**
   * Reads the plan in one round trip and shares every read (repeated ones too) with the rest of
   * the calling operation until the returned function is called: a compare refresh asks each host
   * once, however many features read the same /proc/sys, sysctl.d, resolv.conf or identity.
   * Outside a call (nothing to share with) it reads nothing ahead.
   */
  prefetch(plan: ReadPlan): () => void {
    const held = callShared(this, noneHeld);
    if (!held) return () => undefined;
    held.scopes++;
    held.memo ??= new Map();
    const quiet = (p: Promise<unknown>) => void p.catch(() => undefined);
    if (plan.procSys) quiet(this.procSys());
    if (plan.describe) quiet(this.describe());
    if (plan.reads?.length) quiet(this.read(plan.reads));
    if (plan.bus?.length) quiet(this.busReads(plan.bus));
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--held.scopes === 0) held.memo = undefined;
    };
  }

  /** A read answered by the held reads: the same request, or one asking for more (attrs, a larger maxBytes). */
  private held(r: ReadRequest): Promise<RawFacts> | undefined {
    const m = this.memo;
    if (!m) return undefined;
    const want = r.maxBytes ?? AGENT_MAX_BYTES;
    for (const attrs of r.attrs ? [true] : [false, true]) {
      const e = m.get(readKey(r, attrs)) as { maxBytes: number; facts: Promise<RawFacts> } | undefined;
      if (!e || (r.content && e.maxBytes < want)) continue;
      return e.facts.then((f) => {
        const { immutable: _i, bindMount: _b, ...plain } = f;
        const g: RawFacts = attrs && !r.attrs ? plain : f;
        // Read with a larger limit than this caller's: what it would have been refused, it is.
        if (r.content && g.bytes !== undefined && Buffer.byteLength(g.bytes, 'base64') > want) {
          const { bytes: _x, sha256: _s, ...rest } = g;
          return { ...rest, error: { code: 'TOO_LARGE', message: `${r.path} is more than the ${want} bytes HostDeck reads` } };
        }
        return g;
      });
    }
    return undefined;
  }

  private hold(r: ReadRequest, facts: Promise<RawFacts>): void {
    this.memo?.set(readKey(r, !!r.attrs), { maxBytes: r.maxBytes ?? AGENT_MAX_BYTES, facts });
  }

  async read(requests: (ReadRequest & { expand?: ReadExpand })[]): Promise<FileFacts[]> {
    if (requests.length === 0) return [];
    const answers: Promise<RawFacts>[] = new Array(requests.length);
    const missed: number[] = [];
    requests.forEach((r, i) => {
      const h = this.held(r);
      if (h) answers[i] = h;
      else missed.push(i);
    });
    if (missed.length) {
      // A path that is not host-absolute is answered per path by the agent (INVALID_PATH), as every transport does.
      const got = this.agent<RawFacts[]>({ op: 'read', requests: missed.map((i) => requests[i]) });
      missed.forEach((i, k) => {
        const r = requests[i]!;
        const one = got.then((all) => {
          const f = withDigests(all[k]!);
          // The entries of an expanded listing are held before anyone learns the listing.
          for (const e of f.expanded ?? []) this.hold({ path: e.path, content: r.expand?.content, follow: r.expand?.follow, maxBytes: r.expand?.maxBytes }, Promise.resolve(e));
          return f;
        });
        answers[i] = one;
        this.hold(r, one);
      });
    }
    const raw = await Promise.all(answers);
    return raw.map((f) => {
      const { bytes, expanded: _e, ...rest } = f;
      const out: FileFacts = { ...rest };
      if (bytes !== undefined) out.bytes = Buffer.from(bytes, 'base64');
      return out;
    });
  }

  async procSys(only?: string[]): Promise<ProcSysSnapshot> {
    let all = this.memo?.get('procsys') as Promise<ProcSysListing> | undefined;
    if (!all) {
      all = this.agent<unknown>({ op: 'procsys' }, 30_000).then((rows) => procSysOfRows(this.link.destination.text, rows));
      this.memo?.set('procsys', all);
    }
    const snap = await all;
    const entries = only ? snap.entries.filter((e) => only.includes(e.path)) : snap.entries;
    return {
      entries,
      dirs: only ? [] : snap.dirs,
      source: { procSys: '/proc/sys', kind: 'running-kernel', note: `Live values of ${this.link.destination.text}'s running kernel, read over SSH.` },
    };
  }

  busReads(calls: BusReadCall[]): Promise<BusReadAnswer[]> {
    const key = `busread\0${JSON.stringify(calls)}`;
    let p = this.memo?.get(key) as Promise<BusReadAnswer[]> | undefined;
    if (!p) {
      // Hundreds of calls on the host itself: one round trip instead of one over the tunnel each.
      p = this.agent<BusReadAnswer[]>({ op: 'busread', calls }, 60_000);
      this.memo?.set(key, p);
    }
    return p;
  }

  async describe(): Promise<RemoteIdentity> {
    let p = this.memo?.get('describe') as Promise<RemoteIdentity> | undefined;
    if (!p) {
      p = this.agent<RemoteIdentity>({ op: 'describe', exists: [HELPER_INSTALL_PATH, STDIO_BRIDGE, '/usr/bin/firewall-cmd'] }, 15_000);
      this.memo?.set('describe', p);
    }
    const id = await p;
    this.identityCache = id;
    this.describedAt = Date.now();
    return id;
  }

  // ---- privilege ----------------------------------------------------------------------------

  /** What this login may do, per route: files and kernel parameters (root, sudo -n of the helper, none) and the firewall (root, polkit, none). */
  privilege(): Promise<HostPrivilege> {
    this.privilegeCache ??= this.probePrivilege().then((p) => (this.lastPrivilege = p)).catch((e: unknown) => {
      this.privilegeCache = undefined;
      throw e;
    });
    return this.privilegeCache;
  }

  /**
   * Capabilities from what is known now: a remote host is a running machine; how it takes
   * changes is the last privilege probe's answer (sudo until the first probe says otherwise).
   */
  capabilities(): HostCapabilities {
    const p = this.lastPrivilege;
    const writes = p === undefined ? 'sudo' : p.mode === 'root' ? 'root' : p.mode === 'sudo' ? 'sudo' : p.mode === 'unknown' ? 'sudo' : 'none';
    const who = this.link.destination.text;
    const logProblem = remoteLogProblem(this.identityCache?.kernelLog, who, this.identityCache?.user ?? 'The login');
    // The firewall's route is firewalld's own (root or polkit on the host), learned by the same probe.
    const fwRoute = p?.firewall.route;
    const firewallWrites = fwRoute === 'none' ? 'none' : fwRoute === 'root' ? 'root' : 'polkit';
    return {
      liveKernel: true,
      // The probe starts a process under unshare on this machine only (kernel/fresh-namespace.ts).
      freshNamespaceProbe: false,
      systemBus: true,
      firewall: 'live',
      writes,
      firewallWrites,
      interfaces: true,
      journal: !logProblem,
      userNamespaces: false,
      // nft needs root: the helper reads it (sent on stdin to a root login, sudo -n of the installed one otherwise).
      nftRuleset: writes === 'root' ? 'root' : writes === 'sudo' ? 'helper' : 'none',
      readOnly: false,
      // The bus is the host's, through systemd-stdio-bridge: no polkit agent here can answer for it.
      localBus: false,
      missing: {
        freshNamespaceProbe: `Namespace defaults are learned on this machine only, not on ${who}.`,
        ...(writes === 'none' ? { writes: p?.message ?? `The login on ${who} may not change files or kernel parameters.` } : {}),
        ...(firewallWrites === 'none' ? { firewallWrites: p?.firewall.message ?? `firewalld on ${who} does not let this login change the firewall.` } : {}),
        ...(logProblem ? { journal: logProblem } : {}),
        userNamespaces: `HostDeck does not make namespaces on ${who}.`,
        ...(writes === 'none'
          ? {
              nftRuleset: `Reading the nftables ruleset needs root on ${who}: the login is not root and may not run HostDeck's helper with sudo -n.${p?.sudoersLine ? ` Allow it with "visudo -f /etc/sudoers.d/hostdeck": ${p.sudoersLine}` : ''}`,
            }
          : {}),
      },
    };
  }

  /** Asks again on the next privilege() (hosts check: the admin may just have added a rule). */
  forgetPrivilege(): void {
    this.privilegeCache = undefined;
  }

  private async probePrivilege(): Promise<HostPrivilege> {
    const id = await this.describe();
    const helperInstalled = id.exists[HELPER_INSTALL_PATH] ?? null;
    if (id.uid === 0) {
      return {
        mode: 'root',
        user: id.user,
        message: null,
        sudoersLine: null,
        helperInstalled,
        helperOutdated: null,
        firewall: { route: 'root', polkit: null, actions: [], message: null, polkitRule: null },
      };
    }
    const [files, firewall] = await Promise.all([this.probeSudo(id, helperInstalled), this.probeFirewall(id.user)]);
    return { ...files, firewall };
  }

  /** Files and kernel parameters for a non-root login: `sudo -n` of the installed helper, or the sudoers line to add. */
  private async probeSudo(id: RemoteIdentity, helperInstalled: boolean | null): Promise<Omit<HostPrivilege, 'firewall'>> {
    const line = sudoersLine(id.user);
    // sudo -l cannot allow a command that does not exist yet: for an uninstalled helper, look for
    // it in the login's own listing. The bridge is checked only to warn: sudo for it is root.
    const r = await this.link.exec(
      `e=$(${SUDO} -n -l ${HELPER_INSTALL_PATH} 2>&1 >/dev/null); echo "helper=$?"; echo "$e" >&2; ` +
        `${SUDO} -n -l 2>/dev/null | grep -qF ${HELPER_INSTALL_PATH} && echo listed=1; ` +
        `${SUDO} -n -l ${STDIO_BRIDGE} >/dev/null 2>&1 && echo bridge=0`,
      { timeoutMs: 15_000, what: 'checking sudo -n' },
    );
    const out = r.stdout.toString('utf8');
    const helper = /helper=0/.test(out) || (helperInstalled === false && /listed=1/.test(out));
    const bridgeToo = /bridge=0/.test(out);
    const noSudo = r.code === 127 || /sudo: (not found|No such file)|command not found/.test(r.stderr);
    const host = this.link.destination.text;
    const risk = bridgeToo
      ? ` Warning: sudoers also lets ${id.user} run ${STDIO_BRIDGE} as root, which is root for anyone with this login (its -p unixexec: runs any program): HostDeck never uses it, remove it and keep only: ${line}`
      : '';
    if (helper) {
      const missing = helperInstalled ? '' : `sudo -n is allowed for HostDeck's helper, but it is not installed at ${HELPER_INSTALL_PATH} on this host: saving files and kernel parameters needs it (hostdeck hosts install-helper, or the steps in the README).`;
      const outdated = helperInstalled ? await this.installedHelperProblem() : null;
      return { mode: 'sudo', user: id.user, message: [missing, outdated ?? '', risk].join(' ').trim() || null, sudoersLine: null, helperInstalled, helperOutdated: outdated };
    }
    const said = r.stderr.trim().split('\n').find((l) => l.startsWith('sudo:')) ?? '';
    return {
      mode: 'none',
      user: id.user,
      message:
        (noSudo
          ? `${id.user} is not root and sudo is not installed on ${host}: HostDeck can read files and kernel parameters but not change them. Log in as root, or install sudo and add this line with visudo: ${line}`
          : `${id.user} is not root and "sudo -n ${HELPER_INSTALL_PATH}" was refused${said ? ` (${said})` : ''}: HostDeck can read files and kernel parameters on ${host} but not change them. Add this line with "visudo -f /etc/sudoers.d/hostdeck" on the host (it allows HostDeck's helper and nothing else): ${line}`) + risk,
      sudoersLine: line,
      helperInstalled,
      helperOutdated: null,
    };
  }

  /**
   * The helper installed at HELPER_INSTALL_PATH is a root program from whichever HostDeck put it
   * there: asks it its version (the verb is harmless) and compares it with the one this HostDeck
   * carries. A sentence saying what to reinstall, or null.
   */
  private async installedHelperProblem(): Promise<string | null> {
    const r = await this.link.exec(`${SUDO} -n ${HELPER_INSTALL_PATH}`, { input: JSON.stringify({ verb: 'version' }), timeoutMs: 15_000, what: 'asking the installed helper its version' });
    const last = r.stdout.toString('utf8').trim().split('\n').filter((l) => l.startsWith('{')).pop();
    let answer: HelperResponse | undefined;
    try {
      const parsed = last ? helperResponseSchema.safeParse(JSON.parse(last)) : undefined;
      answer = parsed?.success ? parsed.data : undefined;
    } catch {
      answer = undefined;
    }
    const host = this.link.destination.text;
    const reinstall = `hostdeck hosts install-helper ${host} (a root login), or the steps it prints`;
    if (!answer) return `The helper installed at ${HELPER_INSTALL_PATH} on ${host} gave no answer HostDeck understands: reinstall it with ${reinstall}`;
    return helperVersionProblem(answer, `at ${HELPER_INSTALL_PATH} on ${host}`, reinstall);
  }

  /** The firewall for a non-root login: asks polkit over the login's own bridge (see privilege.ts). */
  private async probeFirewall(user: string): Promise<FirewallPrivilege> {
    let bus;
    try {
      bus = await this.systemBus();
    } catch (e) {
      return {
        route: 'unknown',
        polkit: null,
        actions: [],
        message: `Could not reach the system bus of ${this.link.destination.text} to ask polkit: ${e instanceof Error ? e.message : String(e)}`,
        polkitRule: null,
      };
    }
    try {
      return await checkFirewalldPolkit(bus, user, this.link.destination.text);
    } catch (e) {
      return { route: 'unknown', polkit: null, actions: [], message: `Could not ask polkit on ${this.link.destination.text}: ${e instanceof Error ? e.message : String(e)}`, polkitRule: null };
    }
  }

  // ---- helper -------------------------------------------------------------------------------

  async helper(request: HelperRequest, opts: HelperOptions): Promise<HelperResponse> {
    const parsed = helperRequestSchema.safeParse(request);
    if (!parsed.success) throw new ApiError('INVALID_INPUT', `Invalid helper request: ${parsed.error.issues.slice(0, 3).map((i) => i.message).join('; ')}`);
    const body = JSON.stringify(parsed.data);
    let priv = await this.privilege();
    if (priv.mode === 'sudo' && priv.helperInstalled === false) {
      // Installed since we looked (hosts install-helper through another login)?
      this.privilegeCache = undefined;
      priv = await this.privilege();
    }
    const timeoutMs = opts.timeoutMs ?? 30_000;
    let command: string;
    let input: string;
    if (priv.mode === 'root') {
      // The helper this HostDeck was built with, sent on stdin: nothing to install for root logins.
      const src = Buffer.from(helperSource, 'utf8');
      command = `${PYTHON3} -I -c 'import sys;exec(compile(sys.stdin.buffer.read(${src.length}),"hostdeck-helper","exec"))'`;
      input = helperSource + body;
    } else if (priv.mode === 'sudo') {
      if (priv.helperInstalled === false) {
        throw new ApiError('UNSUPPORTED', `HostDeck's helper is not installed at ${HELPER_INSTALL_PATH} on ${this.link.destination.text}; sudo users need it there (the sudoers line names that path). Install it: hostdeck hosts install-helper (see README, "Remote hosts")`, {
          path: HELPER_INSTALL_PATH,
        });
      }
      // An old helper has the old rules (and may not know this request): never send it a change.
      if (priv.helperOutdated) throw new ApiError('UNSUPPORTED', priv.helperOutdated, { path: HELPER_INSTALL_PATH });
      command = `${SUDO} -n ${HELPER_INSTALL_PATH}`;
      input = body;
    } else {
      throw new ApiError('NEEDS_SUDO', priv.message ?? `${priv.user ?? 'This login'} may not change ${this.link.destination.text}`, { sudoersLine: priv.sudoersLine, user: priv.user });
    }
    const r = await this.link.exec(command, { input, timeoutMs, what: `running the helper (${request.verb})` });
    const text = r.stdout.toString('utf8').trim();
    const last = text.split('\n').filter((l) => l.startsWith('{')).pop();
    if (last) {
      try {
        const answer = helperResponseSchema.safeParse(JSON.parse(last));
        if (answer.success) return answer.data;
      } catch {
        /* fall through */
      }
    }
    if (/a password is required|may not run sudo|is not allowed to execute|not in the sudoers/.test(r.stderr)) {
      this.privilegeCache = undefined;
      const line = sudoersLine(priv.user ?? 'USER');
      throw new ApiError('NEEDS_SUDO', `sudo on ${this.link.destination.text} refused HostDeck's helper (${r.stderr.trim().split('\n')[0]}). Add this line with "visudo -f /etc/sudoers.d/hostdeck" (it allows the helper and nothing else): ${line}`, { sudoersLine: line });
    }
    throw new ApiError('INTERNAL', `The helper on ${this.link.destination.text} gave no answer (exit ${r.code}): ${r.stderr.trim().slice(-500)}`);
  }

  /** Installs the helper at HELPER_INSTALL_PATH (root logins only; atomic: temp file + rename). */
  async installHelper(): Promise<{ installed: boolean; path: string; steps: string[] }> {
    const priv = await this.privilege();
    const steps = manualInstallSteps(this.link.destination);
    if (priv.mode !== 'root') return { installed: false, path: HELPER_INSTALL_PATH, steps };
    const src = Buffer.from(helperSource, 'utf8');
    const installer = [
      'import os, sys, tempfile',
      `p = ${JSON.stringify(HELPER_INSTALL_PATH)}`,
      'd = os.path.dirname(p)',
      'os.makedirs(d, 0o755, exist_ok=True)',
      `data = sys.stdin.buffer.read(${src.length})`,
      "fd, tmp = tempfile.mkstemp(dir=d, prefix='.hostdeck-helper.')",
      'os.write(fd, data); os.fchmod(fd, 0o755); os.fsync(fd); os.close(fd)',
      'os.rename(tmp, p)',
      "print('ok')",
    ].join('\n');
    const shebang = helperSource.startsWith('#!') ? '' : '#!/usr/bin/python3 -I\n';
    const payload = shebang + helperSource;
    const installerCmd = `${PYTHON3} -I -c '${installer.replace(/'/g, `'\\''`).replace(`read(${src.length})`, `read(${Buffer.byteLength(payload)})`)}'`;
    const r = await this.link.exec(installerCmd, { input: payload, timeoutMs: 20_000, what: 'installing the helper' });
    if (r.code !== 0 || !r.stdout.toString().includes('ok')) throw new ApiError('IO_ERROR', `Installing the helper failed: ${r.stderr.trim().slice(-500)}`);
    this.privilegeCache = undefined;
    return { installed: true, path: HELPER_INSTALL_PATH, steps: [] };
  }

  // ---- D-Bus --------------------------------------------------------------------------------

  /** Starts the private bus socket; each connection to it is one systemd-stdio-bridge session on the host. */
  listen(): Promise<void> {
    this.listening ??= new Promise<void>((resolve, reject) => {
      rmSync(this.busSocket, { force: true });
      const server = createServer((sock) => this.bridge(sock));
      server.on('error', reject);
      server.listen(this.busSocket, () => {
        chmodSync(this.busSocket, 0o600);
        resolve();
      });
      this.server = server;
    });
    return this.listening;
  }

  private bridge(sock: Socket): void {
    this.bridges.add(sock);
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.bridges.delete(sock));
    sock.pause();
    const start = async () => {
      // Always as the login user: firewalld authorizes a non-root login through polkit. Never
      // through sudo, which would make the bridge (and every D-Bus service behind it) root's.
      const child = await this.link.spawnSession(STDIO_BRIDGE, 10_000);
      if (sock.destroyed) {
        child.kill('SIGKILL');
        return;
      }
      child.stdin!.on('error', () => undefined);
      let err = '';
      child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
      child.stdout!.pipe(sock);
      sock.pipe(child.stdin!);
      sock.resume();
      child.stdin!.on('error', () => sock.destroy());
      child.on('exit', (code) => {
        if (err.trim()) this.opts.log?.(`bridge on ${this.link.destination.text} exited ${code}: ${err.trim()}`);
        closeGently(sock);
      });
      sock.on('close', () => child.kill('SIGTERM'));
    };
    start().catch((e: unknown) => {
      this.opts.log?.(`bridge to ${this.link.destination.text}: ${e instanceof Error ? e.message : String(e)}`);
      closeGently(sock);
    });
  }

  async busAddress(): Promise<string> {
    await this.listen();
    return `unix:path=${this.busSocket}`;
  }

  systemBus(): Promise<MessageBus> {
    return this.sharedBus.get();
  }

  displayPath(hostPath: string): string {
    return hostPath;
  }

  /** The host's kernel log over the link (ssh/kernel-log.ts): the journal or dmesg, whichever the login may read. */
  kernelLog(opts: KernelLogOptions): KernelLogReader {
    return readRemoteKernelLog(
      this.link,
      async () => {
        // The identity read when the host was added, or now (one round trip).
        const id = this.identityCache?.kernelLog ? this.identityCache : await this.describe();
        return { access: id.kernelLog, hostTimeMs: id.time, localTimeMs: this.describedAt ?? Date.now() };
      },
      opts,
    );
  }

  /** The kept read agent's pid on the host, or null (none kept, or none open now). */
  get keptAgentPid(): number | null {
    return this.keptAgent?.remotePid ?? null;
  }

  async dispose(): Promise<void> {
    await this.keptAgent?.dispose();
    this.sharedBus.dispose();
    for (const b of [...this.bridges]) closeGently(b);
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
    rmSync(this.busSocket, { force: true });
    await this.link.dispose();
  }
}

/**
 * Ends a bus client's socket with EOF rather than a reset: dbus-next writes its handshake the
 * moment it connects and has no error listener on that write, so a socket destroyed under it
 * would surface as an uncaught EPIPE. Reading what it sends and then ending lets it see 'end'.
 */
function closeGently(sock: Socket): void {
  if (sock.destroyed) return;
  sock.resume();
  sock.end();
  setTimeout(() => sock.destroy(), 2000).unref();
}

/**
 * The helper's manual install for a login that has sudo with a password: fresh private
 * directories (mktemp -d, mode 0700) on both ends, never a fixed /tmp path another user of
 * either machine could plant or swap before `sudo install` copies it as root.
 * Destinations never contain shell characters (parseDestination), so they are used as they are.
 */
export function manualInstallSteps(d: SshDestination): string[] {
  const user = d.user !== undefined ? `${d.user}@` : '';
  const ssh = `ssh ${d.port !== undefined ? `-p ${d.port} ` : ''}${user}${d.host}`;
  const scpHost = d.host.includes(':') ? `[${d.host}]` : d.host;
  const scp = `scp ${d.port !== undefined ? `-P ${d.port} ` : ''}`;
  return [
    `l=$(mktemp -d) && hostdeck helper install-files "$l"   # on this machine: a new private directory`,
    `r=$(${ssh} mktemp -d) && ${scp}"$l/hostdeck-helper" ${user}${scpHost}:"$r/hostdeck-helper"`,
    `${ssh.replace(/^ssh /, 'ssh -t ')} sudo install -D -o root -g root -m 0755 "$r/hostdeck-helper" ${HELPER_INSTALL_PATH} && ${ssh} rm -r "$r" && rm -r "$l"`,
  ];
}
