import { RuntimeCore, type RuntimeOptions, type RuntimeParts } from '../api/runtime-core';

/**
 * The CLI's runtime: the remote hosts (SSH transport and link, the helper and agent sources they
 * carry) and the history recorder (store, snapshot capture, compare and DNS code) are imported on
 * the first call that needs them, so `hostdeck kernel list` on this machine never evaluates them
 * (issue #22; test/app/cli-startup.test.ts checks what the built CLI evaluates).
 */
export class LazyRuntime extends RuntimeCore {
  constructor(opts: RuntimeOptions) {
    super(opts, null, loadRuntimeParts);
  }
}

async function loadRuntimeParts(): Promise<RuntimeParts> {
  const [{ RemoteHosts }, { outageText }, { HistoryRecorder }] = await Promise.all([import('../hosts/remote'), import('../hosts/ssh/link'), import('../history/recorder')]);
  return { RemoteHosts, HistoryRecorder, outageText };
}
