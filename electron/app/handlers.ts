import type { FeatureHandlers } from '../api/context';
import { hostdeckVersion } from './version';

export const appHandlers: FeatureHandlers<'app'> = {
  info: (ctx) => ({
    version: hostdeckVersion,
    mode: ctx.mode,
    privileged: ctx.host.privileged,
    platform: `${process.platform} ${process.arch}`,
  }),
  hosts: (ctx) => {
    // Saved remote hosts are registered (not connected) on first need.
    ctx.hosts.loadSaved();
    return { hosts: ctx.hosts.list().map((h) => h.summary()) };
  },
};
