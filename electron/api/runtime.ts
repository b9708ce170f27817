import { RemoteHosts } from '../hosts/remote';
import { outageText } from '../hosts/ssh/link';
import { HistoryRecorder } from '../history/recorder';
import { RuntimeCore, type RuntimeOptions } from './runtime-core';

export { issuesDetail, MAX_REPORTED_ISSUES, toApiError, type RuntimeMode, type RuntimeOptions } from './runtime-core';

/**
 * The runtime of the app, browser mode, tests and benches: remote hosts and history loaded with
 * it, so `runtime.remote` and `runtime.history` are there from the start. The CLI uses
 * electron/cli/lazy-runtime.ts, which loads them only when a call needs them (issue #22).
 */
export class Runtime extends RuntimeCore {
  constructor(opts: RuntimeOptions) {
    super(opts, { RemoteHosts, HistoryRecorder, outageText });
  }
}
