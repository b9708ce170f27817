import type { FeatureHandlers } from '../api/context';

/** The saved remote hosts: thin calls into the remote host list (RemoteHosts, electron/hosts/remote.ts). */
export const hostsHandlers: FeatureHandlers<'hosts'> = {
  list: (ctx) => ({ hosts: ctx.remote.list() }),
  add: async (ctx, input) => ({ host: await ctx.remote.add(input.destination, input.name) }),
  remove: async (ctx, input) => ({ removed: await ctx.remote.remove(input.id) }),
  check: async (ctx, input) => ({ host: await ctx.remote.check(input.id) }),
  acceptHostKey: async (ctx, input) => ({ host: await ctx.remote.acceptHostKey(input.id, input.fingerprint) }),
  replaceHostKey: async (ctx, input) => ctx.remote.replaceHostKey(input.id, input.fingerprint),
  installHelper: (ctx, input) => ctx.remote.installHelper(input.id),
  importInventory: (ctx, input) => ctx.remote.importInventory(input.inventory, input.limit),
};
