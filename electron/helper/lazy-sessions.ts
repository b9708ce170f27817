import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import type { HelperSessions } from './kept-session';
import type * as KeptSessionModule from './kept-session';
import type { HelperOptions, LocalHelperPlace } from './local';

/**
 * A host's HelperSessions (kept-session.ts), loaded with the helper's code (the launcher, the
 * 96 KB helper source, the protocol's schemas) on the first helper call: a transport that only
 * reads, as every `kernel list` does, evaluates none of it (issue #22).
 */
let keptSession: Promise<typeof KeptSessionModule> | undefined;
/** kept-session.ts, imported once per process (a probe loads it before dropping privileges: allHandlers). */
export const loadKeptSession = () => (keptSession ??= import('./kept-session'));

export class LazyHelperSessions {
  private sessions: HelperSessions | null = null;
  private loading: Promise<HelperSessions> | null = null;

  private load(): Promise<HelperSessions> {
    this.loading ??= loadKeptSession().then(({ HelperSessions }) => (this.sessions = new HelperSessions()));
    return this.loading;
  }

  async call(request: HelperRequest, opts: HelperOptions, place: LocalHelperPlace): Promise<HelperResponse> {
    return (await this.load()).call(request, opts, place);
  }

  async hold<T>(fn: () => Promise<T>): Promise<T> {
    return (await this.load()).hold(fn);
  }

  /** The kept helper's pid (tests, `helper status`), or null. */
  get pid(): number | null {
    return this.sessions?.pid ?? null;
  }

  /** Ends the session now, if the helper was ever loaded. */
  async close(): Promise<void> {
    await (this.sessions ?? (this.loading ? await this.loading : null))?.close();
  }
}
