import type { FeatureHandlers } from '../api/handler';
import { hostdeckVersion } from './version';

export const appHandlers: FeatureHandlers<'app'> = {
  info: (ctx) => ({
    version: hostdeckVersion,
    mode: ctx.runtime.mode,
    privileged: ctx.host.privileged,
    platform: `${process.platform} ${process.arch}`,
  }),
  hosts: (ctx) => {
    // Saved remote hosts are registered (not connected) on first need.
    ctx.runtime.remote.load();
    return { hosts: ctx.runtime.hosts.list().map((h) => h.summary()) };
  },
};
