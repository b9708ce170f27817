import type { FeatureHandlers } from '../api/handler';

/** The saved remote hosts: thin calls into the runtime's RemoteHosts (electron/hosts/remote.ts). */
export const hostsHandlers: FeatureHandlers<'hosts'> = {
  list: (ctx) => ({ hosts: ctx.runtime.remote.list() }),
  add: async (ctx, input) => ({ host: await ctx.runtime.remote.add(input.destination, input.name) }),
  remove: async (ctx, input) => ({ removed: await ctx.runtime.remote.remove(input.id) }),
  check: async (ctx, input) => ({ host: await ctx.runtime.remote.check(input.id) }),
  acceptHostKey: async (ctx, input) => ({ host: await ctx.runtime.remote.acceptHostKey(input.id, input.fingerprint) }),
  replaceHostKey: async (ctx, input) => ctx.runtime.remote.replaceHostKey(input.id, input.fingerprint),
  installHelper: (ctx, input) => ctx.runtime.remote.installHelper(input.id),
};
