import type { ZodError } from 'zod';
import type { Api, CallRequest } from '../../shared/api/contract';
import { createApiByName, loadedOperation, operationByChannel } from '../../shared/api/by-feature';
import { loadedPlan, plannedOperation } from '../../shared/api/plans';
import { ApiError, type Envelope } from '../../shared/api/errors';
import { HostRegistry, type LocalHostOptions } from '../hosts/registry';
import type { RemoteHosts, RemoteHostsOptions } from '../hosts/remote';
import { EventHub } from './events';
import { featureHandlers, isFeature } from './handlers';
import { outputCheck } from './output-check';
import { inCallScope } from '../hosts/call-scope';
import type { HandlerContext, HostList } from './context';
import type { Host } from '../hosts/host';
import type { LinkStatus, SshLink } from '../hosts/ssh/link';
import type { HistoryRecorder } from '../history/recorder';
import type { HistoryStoreOptions } from '../history/store';

export type RuntimeMode = 'electron' | 'browser' | 'cli';

export interface RuntimeOptions {
  mode: RuntimeMode;
  local?: LocalHostOptions;
  /** Saved remote hosts (hosts.json) and ssh settings. */
  remote?: RemoteHostsOptions;
  /** Where and how long points are kept (electron/history/store.ts); false: no history (also HOSTDECK_HISTORY=off). */
  history?: HistoryStoreOptions | false;
  /**
   * Whether a read is looked at again for history (default true: the app and browser mode, where a
   * page load is the moment to notice outside changes). The CLI passes false: a one-shot read
   * command must cost one read, and the "before" read of its next change still notices them.
   */
  historyReads?: boolean;
}

/**
 * The remote hosts (SSH transport and link) and the history recorder (store, snapshot capture,
 * compare and DNS code): ~0.5 MB of code that a local read in the CLI never runs (issue #22).
 * `Runtime` (runtime.ts) loads them with itself; the CLI's runtime (electron/cli/lazy-runtime.ts)
 * only when a call needs them.
 */
export interface RuntimeParts {
  RemoteHosts: typeof RemoteHosts;
  HistoryRecorder: typeof HistoryRecorder;
  /** The SSH link's outage wording (electron/hosts/ssh/link.ts), for HOST_UNREACHABLE. */
  outageText: (s: Pick<LinkStatus, 'lastSeen' | 'nextAttempt'>) => string;
}

/**
 * How a runtime that loads its parts on demand (the CLI's) loads each: a compare of SSH hosts
 * needs the remote hosts and no recorder (the CLI looks at no read for history), a change on
 * this machine the recorder and no SSH code.
 */
export interface RuntimePartLoaders {
  remote: () => Promise<Pick<RuntimeParts, 'RemoteHosts' | 'outageText'>>;
  history: () => Promise<Pick<RuntimeParts, 'HistoryRecorder'>>;
}

/** Features whose handlers use neither other hosts nor the remote-host list: a local call of theirs needs no RuntimeParts. */
const LOCAL_ONLY_FEATURES: ReadonlySet<string> = new Set(['kernel', 'dns', 'firewall', 'helper']);

/**
 * One HostDeck process's Node side: its hosts, its event hub and the one place every call
 * goes through (IPC, HTTP and CLI alike), so validation and error mapping happen once.
 */
export class RuntimeCore {
  readonly hosts: HostRegistry;
  readonly events = new EventHub();
  readonly mode: RuntimeMode;
  /** Typed in-process client (what the CLI and tests use). */
  readonly api: Api;
  /** The host list handlers see (the same object for every call: compare keeps its cache per list; the CLI registers imports in it). */
  readonly hostList: HostList;
  private readonly historyReads: boolean;
  private readonly opts: RuntimeOptions;
  private remoteParts: Pick<RuntimeParts, 'RemoteHosts' | 'outageText'> | null = null;
  private historyInstalled = false;
  private loadingRemote: Promise<void> | null = null;
  private loadingHistory: Promise<void> | null = null;
  private remoteHosts: RemoteHosts | null = null;
  private recorder: HistoryRecorder | null = null;

  constructor(opts: RuntimeOptions, parts: RuntimeParts | null, private readonly loaders?: RuntimePartLoaders) {
    this.opts = opts;
    this.mode = opts.mode;
    this.historyReads = opts.historyReads ?? true;
    this.hosts = new HostRegistry(opts.local);
    this.api = createApiByName((channel, request) => this.call(channel, request));
    const hosts = this.hosts;
    this.hostList = {
      list: () => hosts.list(),
      get: (id) => this.hostFor(id),
      add: (h) => hosts.add(h),
      remove: (id) => hosts.remove(id),
      loadSaved: () => this.remote.load(),
    };
    if (parts) {
      this.installRemote(parts);
      this.installHistory(parts);
    }
  }

  /** Remote hosts over SSH: saved ones and destinations named in a call. */
  get remote(): RemoteHosts {
    if (!this.remoteHosts) throw new ApiError('INTERNAL', 'The remote hosts are not loaded yet (await runtime.ready() first)');
    return this.remoteHosts;
  }

  /** Records points around changes and after reads (electron/history/recorder.ts); null when history is off (or, in the CLI, not loaded yet). */
  get history(): HistoryRecorder | null {
    return this.recorder;
  }

  /** Loads the remote hosts where they are loaded on demand (a no-op otherwise). */
  async ready(): Promise<void> {
    if (this.remoteParts) return;
    const loaders = this.loadersOrFail();
    await (this.loadingRemote ??= loaders.remote().then((p) => this.installRemote(p)));
  }

  /** Loads the history recorder where it is loaded on demand (a no-op otherwise). */
  private async readyHistory(): Promise<void> {
    if (this.historyInstalled) return;
    const loaders = this.loadersOrFail();
    await (this.loadingHistory ??= loaders.history().then((p) => this.installHistory(p)));
  }

  private loadersOrFail(): RuntimePartLoaders {
    if (!this.loaders) throw new ApiError('INTERNAL', 'This runtime has no remote hosts or history');
    return this.loaders;
  }

  private installRemote(parts: Pick<RuntimeParts, 'RemoteHosts' | 'outageText'>): void {
    if (this.remoteParts) return;
    this.remoteParts = parts;
    this.remoteHosts = new parts.RemoteHosts(this.hosts, this.events, this.opts.remote);
  }

  private installHistory(parts: Pick<RuntimeParts, 'HistoryRecorder'>): void {
    if (this.historyInstalled) return;
    this.historyInstalled = true;
    const opts = this.opts;
    const historyOff = opts.history === false || (opts.history === undefined && process.env.HOSTDECK_HISTORY === 'off');
    this.recorder = historyOff
      ? null
      : new parts.HistoryRecorder(
          {
            api: this.api,
            host: (id) => {
              try {
                return this.hostFor(id);
              } catch {
                return undefined;
              }
            },
            subscribe: (l) => this.events.subscribe(l),
            summary: (channel) => loadedOperation(channel)?.def.summary ?? loadedPlan(channel)?.summary ?? channel,
          },
          opts.history || {},
        );
  }

  /** Runs one operation; never throws: the answer is an envelope. */
  async call(channel: string, request: unknown): Promise<Envelope> {
    try {
      // Calls made inside this one (a handler's, history's captures) share what it read (call-scope.ts).
      return { ok: true, result: await inCallScope(() => this.run(channel, request)) };
    } catch (e) {
      return { ok: false, error: toApiError(e).toJSON() };
    }
  }

  private async run(channel: string, request: unknown): Promise<unknown> {
    // The operation's check plan (shared/api/plans.ts) first: a call whose input and answer pass
    // it never builds zod or the feature's schemas. Only this feature's contract is loaded, and
    // only when the plan cannot decide (shared/api/by-feature.ts); unknown names are the contract's to refuse.
    const planned = await plannedOperation(channel);
    let contractOp = planned ? undefined : await operationByChannel(channel);
    const contractOf = async () => (contractOp ??= await operationByChannel(channel));
    if (!planned && !contractOp) throw new ApiError('UNKNOWN_OPERATION', `No operation called "${channel}"`);
    const op = planned ?? { feature: contractOp!.feature, name: contractOp!.name, mutates: contractOp!.def.mutates === true, input: null, output: null };
    const req = (request ?? {}) as Partial<CallRequest>;
    if (typeof req !== 'object' || Array.isArray(req)) throw new ApiError('INVALID_INPUT', 'The request must be an object');
    const hostId = typeof req.host === 'string' ? req.host : 'local';
    // The remote hosts for another host or a feature that uses them; the recorder for a change,
    // for the history feature itself, or for every call where reads are looked at for history.
    // Loaded first, so the synchronous paths below find them.
    const needRemote = hostId !== 'local' || !LOCAL_ONLY_FEATURES.has(op.feature);
    const needHistory = op.mutates || this.historyReads || op.feature === 'history';
    await Promise.all([needRemote ? this.ready() : undefined, needHistory ? this.readyHistory() : undefined]);
    const host = this.hostFor(hostId);
    // summary() folds a host made read-only (an imported copy) into its capabilities. Not
    // `writes`: a login that may not run the helper (writes "none") may still change the
    // firewall through polkit, and a helper write then says which sudoers line is missing.
    if (op.mutates && host.summary().capabilities.readOnly) {
      throw new ApiError('READ_ONLY_HOST', `${host.label} is read-only: ${channel} would change it`);
    }
    const input = req.input ?? {};
    let data: unknown;
    // An input zod would give back unchanged is copied as zod would have (the handler owns its
    // input: the caller's object, in this process, is never the handler's); anything else is
    // zod's to parse, fill in or refuse.
    if (op.input?.(input)) data = structuredClone(input);
    else {
      const def = (await contractOf())!.def;
      const parsed = def.input.safeParse(input);
      if (!parsed.success) {
        throw new ApiError('INVALID_INPUT', `Invalid input for ${channel}: ${summarizeZod(parsed.error)}`, issuesDetail(parsed.error));
      }
      data = parsed.data;
    }
    const remote = () => this.remote;
    const ctx: HandlerContext = {
      host,
      events: this.events,
      hosts: this.hostList,
      // A getter: a local kernel read in the CLI never loads the remote hosts.
      get remote() {
        return remote();
      },
      mode: this.mode,
      api: this.api,
      history: this.history,
    };
    const feature = isFeature(op.feature) ? ((await featureHandlers(op.feature)) as unknown as Record<string, (c: HandlerContext, i: unknown) => unknown>) : undefined;
    const handler = feature && Object.hasOwn(feature, op.name) ? feature[op.name] : undefined;
    if (!handler) throw new ApiError('UNKNOWN_OPERATION', `${channel} has no handler`);
    // A host reached over a link that can drop (SSH) guards every call with it.
    const link = host.transport.link;
    const execute = async () =>
      link
        ? await guardLink(this.remoteParts!.outageText, link, () => handler(ctx, data)).catch(async (e: unknown) => {
            // firewalld refused a non-root login: say which route is missing and the exact rule to add.
            throw await this.remote.explainRefusal(host.id, op.feature, e);
          })
        : await handler(ctx, data);
    // History: points around every change and after reads, for calls made by a user (IPC, HTTP,
    // CLI), not for the calls a handler or the recorder makes through the API.
    const history = this.history && !this.history.isNested() ? this.history : null;
    let result: unknown;
    if (!history) result = await execute();
    else if (op.mutates) result = await history.around(host, channel, data, () => history.nest(execute));
    else {
      result = await history.nest(execute);
      if (this.historyReads) history.observe(host, channel, data, result);
    }
    if (link && channel === 'firewall.status' && ['noBus', 'failed', 'notRunning'].includes((result as { problem?: string }).problem ?? '')) {
      // A bus that closed under a dead host is the host, not D-Bus: say which host, when it was
      // last seen and when HostDeck tries again, as the other pages do (HOST_UNREACHABLE).
      const down = link.status.state !== 'connected' || !(await link.probe(3000));
      if (down) throw link.lastRefusal ?? unreachable(this.remoteParts!.outageText, link, (result as { reason?: string }).reason);
    }
    if (link && channel === 'firewall.status') {
      // The status answers rather than throws: a refused login gets the same hint there.
      const st = result as { problem?: string; reason?: string };
      const hint = st.problem === 'notAuthorized' ? await this.remote.firewallHint(host.id) : null;
      if (hint) st.reason = `${st.reason ?? 'firewalld refused this login'}. ${hint.text}`;
    }
    // The output schema is part of the contract: a handler that breaks it is a bug, reported as such.
    // An answer that already is exactly what zod would give back is sent as is (output-check.ts).
    if (op.output?.(result)) return result;
    const def = (await contractOf())!.def;
    if (outputCheck(def.output)?.(result)) return result;
    const out = def.output.safeParse(result);
    if (!out.success) {
      throw new ApiError('INTERNAL', `${channel} produced an answer outside its contract: ${summarizeZod(out.error)}`, issuesDetail(out.error));
    }
    return out.data;
  }

  /**
   * A registered host or a saved remote host; in the CLI also any ssh destination (a temporary
   * remote host, so scripts need no set-up step). The UI and browser mode reach saved hosts only.
   */
  hostFor(id: string): Host {
    if (id !== 'local') this.remote.load();
    try {
      return this.hosts.get(id);
    } catch (e) {
      if (id === 'local' || this.mode !== 'cli' || !(e instanceof ApiError) || e.code !== 'UNKNOWN_HOST') throw e;
      return this.hosts.get(this.remote.resolve(id));
    }
  }

  async dispose(): Promise<void> {
    await Promise.all([this.loadingRemote?.catch(() => undefined), this.loadingHistory?.catch(() => undefined)]);
    await this.recorder?.dispose();
    await this.remoteHosts?.dispose();
    await this.hosts.dispose();
  }
}

/**
 * A call on a remote host: rejected with HOST_UNREACHABLE as soon as the SSH link drops (dbus-next
 * and child processes may otherwise wait forever), and any failure while the link is down is
 * reported as the host being unreachable, whatever layer noticed it first.
 */
async function guardLink<T>(outageText: RuntimeParts['outageText'], link: SshLink, run: () => Promise<T> | T): Promise<T> {
  let unwatch: (() => void) | undefined;
  const lost = new Promise<never>((_, reject) => {
    unwatch = watchLink(link, (s) => {
      if (s.state === 'disconnected' || s.state === 'unreachable') reject(unreachable(outageText, link, undefined));
    });
  });
  lost.catch(() => undefined);
  try {
    // The link first (within its connect deadline): a refused host key or login is reported as
    // such, not as whatever the handler's first read would make of it. ready(): a CLI link with
    // no master yet lets the first session log in itself (one handshake, not two in sequence).
    await link.ready();
    return await Promise.race([Promise.resolve().then(run), lost]);
  } catch (e) {
    // ssh refused the host (its key, the login): said as such, whichever layer met it first.
    if (link.lastRefusal) throw link.lastRefusal;
    let dead = false;
    const linkish = !(e instanceof ApiError) || ['TIMEOUT', 'FIREWALLD_NOT_RUNNING', 'INTERNAL', 'IO_ERROR', 'UNKNOWN'].includes(e.code);
    if (linkish && link.status.state === 'connected') {
      // Was it the link? A deadline that fired on a silent (black-holed) link, or a bus bridge
      // that noticed first: one empty session answers that within 3 s.
      dead = !(await link.probe(3000));
    }
    const st = link.status.state;
    if (!(e instanceof ApiError && e.code === 'HOST_UNREACHABLE') && (dead || st === 'disconnected' || st === 'unreachable')) {
      throw unreachable(outageText, link, e instanceof Error ? e.message : String(e));
    }
    if (e instanceof ApiError && e.code === 'HOST_UNREACHABLE' && !e.message.startsWith(`${link.destination.text} is unreachable (`)) throw unreachable(outageText, link, e.message);
    throw e;
  } finally {
    unwatch?.();
  }
}

/** HOST_UNREACHABLE naming the host, when it was last seen and when HostDeck reconnects. */
function unreachable(outageText: RuntimeParts['outageText'], link: SshLink, cause: string | undefined): ApiError {
  const s = link.status;
  return new ApiError('HOST_UNREACHABLE', `${link.destination.text} is unreachable (${outageText(s)}): ${s.message}`, {
    destination: link.destination.text,
    lastSeen: s.lastSeen ?? null,
    nextReconnect: s.nextAttempt ?? null,
    cause,
  });
}

/**
 * The calls waiting on each link share one 'status' listener: a page that loads after a reconnect
 * starts dozens of calls at once, and a listener each made Node warn of a leak
 * (MaxListenersExceededWarning, issue #21 item 22). The listener lives as long as the link.
 */
const linkWatchers = new WeakMap<SshLink, Set<(s: LinkStatus) => void>>();

function watchLink(link: SshLink, fn: (s: LinkStatus) => void): () => void {
  let set = linkWatchers.get(link);
  if (!set) {
    const fns = new Set<(s: LinkStatus) => void>();
    link.on('status', (s: LinkStatus) => {
      for (const f of [...fns]) f(s);
    });
    linkWatchers.set(link, fns);
    set = fns;
  }
  const mine = set;
  mine.add(fn);
  return () => mine.delete(fn);
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (isZodError(e)) return new ApiError('INVALID_INPUT', summarizeZod(e), issuesDetail(e));
  const err = e instanceof Error ? e : new Error(String(e));
  return new ApiError('INTERNAL', err.message || 'Unexpected error', { name: err.name });
}

/** zod's error, known by shape: this module does not load zod (a handler that threw one has). */
function isZodError(e: unknown): e is ZodError {
  return e instanceof Error && e.name === 'ZodError' && Array.isArray((e as { issues?: unknown }).issues);
}

/** Issues an error carries at most: a 2 MB invalid request once produced a 127 MB answer. */
export const MAX_REPORTED_ISSUES = 20;

function summarizeZod(e: ZodError): string {
  const more = e.issues.length > 5 ? ` (and ${e.issues.length - 5} more)` : '';
  return (
    e.issues
      .slice(0, 5)
      .map((i) => `${issuePath(i.path)}: ${clip(i.message, 200)}`)
      .join('; ') + more
  );
}

/** The first MAX_REPORTED_ISSUES issues, each reduced to code, path and message, plus the total. */
export function issuesDetail(e: ZodError): { issues: { code: string; path: (string | number)[]; message: string }[]; issueCount: number } {
  return {
    issues: e.issues.slice(0, MAX_REPORTED_ISSUES).map((i) => ({
      code: String(i.code),
      path: i.path.slice(0, 16).map((p) => (typeof p === 'number' ? p : clip(String(p), 100))),
      message: clip(i.message, 500),
    })),
    issueCount: e.issues.length,
  };
}

function issuePath(path: PropertyKey[]): string {
  return path.length ? clip(path.map(String).join('.'), 200) : '(input)';
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
