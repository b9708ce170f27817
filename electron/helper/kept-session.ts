import { envSeconds } from '../../shared/app/env-seconds';
import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import { helperEnv, helperLaunch, runLocalHelper, type HelperOptions, type LocalHelperPlace } from './local';
import { HELPER_SESSION_IDLE_MAX_S, HELPER_SESSION_LIFETIME_MS, HELPER_SESSION_MAX_REQUESTS, openLocalHelperSession, type HelperSession } from './session';

/**
 * How long the app and `serve` keep a helper session after a change (ms; 0: one helper per call
 * outside an action that holds one). Set once at start (keepHelperSessions); the one-shot CLI
 * keeps none, it exits right after its change.
 */
let keepMs = 0;

/** Default of HOSTDECK_HELPER_KEEP: sudo keeps its timestamp 5 min and polkit's auth_admin_keep 5 min; a root helper waiting on a pipe gets far less. */
export const DEFAULT_HELPER_KEEP_S = 30;

/** HOSTDECK_HELPER_KEEP: whole seconds from 0 (off) to 300, or "no"; DEFAULT_HELPER_KEEP_S when unset. */
export const helperKeepSeconds = (env: NodeJS.ProcessEnv = process.env): number => envSeconds(env, 'HOSTDECK_HELPER_KEEP', DEFAULT_HELPER_KEEP_S, HELPER_SESSION_IDLE_MAX_S);

/** Turns kept sessions on for this process (the app, `serve`): idle time in seconds, 0 for off. */
export function keepHelperSessions(seconds: number): void {
  keepMs = Math.max(0, Math.min(HELPER_SESSION_IDLE_MAX_S, Math.floor(seconds))) * 1000;
}

/** Margins so that this side always ends a session before the helper would: a request is never sent into a helper that is exiting. */
const IDLE_MARGIN_MS = 2_000;
const LIFETIME_MARGIN_MS = 15_000;

/**
 * One host's helper calls on this machine (the local host, an image): a one-shot helper per call,
 * or one helper session while an action holds it (hold(): a history restore, a firewall offline
 * save of several files) and, in the app, for keepMs after the last change. A session is used only
 * for elevated verbs (what runs as the user stays one-shot), only for the route it was opened on
 * (command, options and environment: a changed route closes it), and is closed before the helper's
 * own idle, lifetime or request limit could end it under a request.
 */
export class HelperSessions {
  private session: HelperSession | null = null;
  private sessionRoute = '';
  private opening: Promise<HelperSession> | null = null;
  private holds = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void>[] = [];

  async call(request: HelperRequest, opts: HelperOptions, place: LocalHelperPlace): Promise<HelperResponse> {
    if (!opts.elevate || (this.holds === 0 && keepMs === 0)) return runLocalHelper(request, opts, place);
    let route: string;
    try {
      route = routeKey(opts, place);
    } catch (e) {
      // No route any more (the installed helper went missing or out of date): nothing stays open.
      this.close();
      throw e;
    }
    this.stopIdleTimer();
    try {
      const s = await this.sessionFor(route, opts, place);
      return await s.call(request);
    } finally {
      this.armIdleTimer();
    }
  }

  /** Runs fn with this host's elevated helper calls in one session (opened on the first one). */
  async hold<T>(fn: () => Promise<T>): Promise<T> {
    this.holds++;
    try {
      return await fn();
    } finally {
      this.holds--;
      this.armIdleTimer();
    }
  }

  /** The kept helper's pid (tests, `helper status`), or null. */
  get pid(): number | null {
    return this.session && !this.session.ended ? (this.session.pid ?? null) : null;
  }

  /** Ends the session now (EOF to the helper); resolves when it has exited. */
  close(): Promise<void> {
    this.stopIdleTimer();
    const s = this.session;
    this.session = null;
    this.opening = null;
    if (s) this.closing.push(s.close());
    return Promise.all(this.closing.splice(0)).then(() => undefined);
  }

  private async sessionFor(route: string, opts: HelperOptions, place: LocalHelperPlace): Promise<HelperSession> {
    if (this.session && (this.sessionRoute !== route || !usable(this.session))) void this.close();
    if (this.session) return this.session;
    if (this.opening && this.sessionRoute === route) return this.opening;
    this.sessionRoute = route;
    // The helper waits a little longer than this side keeps it (at least 5 s between the steps of one action).
    const idleSeconds = Math.max(5, Math.ceil(keepMs / 1000)) + IDLE_MARGIN_MS / 1000 + 1;
    const opening = openLocalHelperSession(opts, place, { idleSeconds: Math.min(HELPER_SESSION_IDLE_MAX_S, idleSeconds) });
    this.opening = opening;
    try {
      const s = await opening;
      if (this.opening === opening) {
        this.session = s;
        this.opening = null;
      } else {
        this.closing.push(s.close()); // closed (or the route changed) while it started
      }
      return s;
    } catch (e) {
      if (this.opening === opening) this.opening = null;
      throw e;
    }
  }

  private stopIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private armIdleTimer(): void {
    this.stopIdleTimer();
    if (this.holds > 0) return;
    if (keepMs === 0) {
      void this.close();
      return;
    }
    this.idleTimer = setTimeout(() => void this.close(), keepMs);
    this.idleTimer.unref();
  }
}

/** Still safe to send a request into: the helper will not reach its idle, lifetime or request limit before answering. */
function usable(s: HelperSession): boolean {
  const now = Date.now();
  return !s.ended && s.sent < HELPER_SESSION_MAX_REQUESTS - 1 && now - s.startedAt < HELPER_SESSION_LIFETIME_MS - LIFETIME_MARGIN_MS && now - s.lastAnswerAt < s.idleMs - IDLE_MARGIN_MS;
}

/** Everything that decides who runs the helper and how: a session is never reused across a change of any of it. */
function routeKey(opts: HelperOptions, place: LocalHelperPlace): string {
  const launch = helperLaunch(opts, place);
  return JSON.stringify([launch.cmd, launch.args, launch.viaPkexec, process.getuid?.(), process.geteuid?.(), helperEnv(place)]);
}
