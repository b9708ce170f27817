import { RuntimeCore, type RuntimeOptions, type RuntimePartLoaders } from '../api/runtime-core';

/**
 * The CLI's runtime: the remote hosts (SSH transport and link, the helper and agent sources they
 * carry) and the history recorder (store, snapshot capture, compare and DNS code) are each
 * imported on the first call that needs them, so `hostdeck kernel list` on this machine evaluates
 * neither, a change on this machine no SSH code and a compare no recorder (issue #22;
 * test/app/cli-startup.test.ts checks what the built CLI evaluates).
 */
export class LazyRuntime extends RuntimeCore {
  constructor(opts: RuntimeOptions) {
    super(opts, null, loaders);
  }
}

const loaders: RuntimePartLoaders = {
  remote: async () => {
    const [{ RemoteHosts }, { outageText }] = await Promise.all([import('../hosts/remote'), import('../hosts/ssh/link')]);
    return { RemoteHosts, outageText };
  },
  history: async () => ({ HistoryRecorder: (await import('../history/recorder')).HistoryRecorder }),
};
