import type { FeatureHandlers, HandlerContext } from '../api/handler';
import { snapshotOf } from '../hosts/snapshot';
import { explainOnHost } from './explain';
import { firewallService as fw } from './service';
import { SnapshotFirewall } from './snapshot-reader';

/** A snapshot host answers the read operations from its snapshot (mutations never reach a handler). */
function snap(ctx: HandlerContext): SnapshotFirewall | undefined {
  const s = snapshotOf(ctx.host);
  if (!s) return undefined;
  return ctx.host.service('firewall.snapshot', () => Object.assign(new SnapshotFirewall(ctx.host, s.firewall, s.identity.time), { dispose() {} }));
}

/** Thin: every handler goes to the host's FirewallService (one bus connection, one state). */
export const firewallHandlers: FeatureHandlers<'firewall'> = {
  status: (ctx) => snap(ctx)?.status() ?? fw(ctx).status(),
  state: (ctx, i) => snap(ctx)?.state() ?? fw(ctx).state(i.refresh),
  zone: (ctx, i) => snap(ctx)?.zone(i.name, i.layer) ?? fw(ctx).zone(i.name, i.layer),
  ipsetEntries: (ctx, i) => snap(ctx)?.ipsetEntries(i) ?? fw(ctx).ipsetEntries(i),
  ipsetEntriesDiff: (ctx, i) => snap(ctx)?.ipsetEntries({ name: i.name, layer: i.side === 'runtimeOnly' ? 'runtime' : 'permanent' }) ?? fw(ctx).ipsetEntriesDiff(i),
  differences: (ctx, i) => snap(ctx)?.differences(i.kind, i.name) ?? fw(ctx).differences(i.kind, i.name),
  export: (ctx, i) => snap(ctx)?.export(i) ?? fw(ctx).export(i),
  explain: (ctx, i) => explainOnHost(snap(ctx) ?? fw(ctx), i),
  safeApplyCheck: (ctx, i) => snap(ctx)?.safeApplyCheck() ?? fw(ctx).safeApplyCheck(i.change),
  safeApplyStatus: (ctx) => (snap(ctx) ? { sessions: [] } : { sessions: fw(ctx).safe.list() }),

  updateZone: (ctx, i) => fw(ctx).updateZone(i),
  createZone: (ctx, i) => fw(ctx).createZone(i.name, i.settings),
  renameZone: (ctx, i) => fw(ctx).renameZone(i.name, i.newName),
  deleteZone: (ctx, i) => fw(ctx).deleteZone(i.name),
  loadZoneDefaults: (ctx, i) => fw(ctx).loadZoneDefaults(i.name),
  setDefaultZone: (ctx, i) => fw(ctx).setDefaultZone(i.name, i.acknowledgeRisk),
  updatePolicy: (ctx, i) => fw(ctx).updatePolicy(i),
  createPolicy: (ctx, i) => fw(ctx).createPolicy(i.name, i.settings),
  renamePolicy: (ctx, i) => fw(ctx).renamePolicy(i.name, i.newName),
  deletePolicy: (ctx, i) => fw(ctx).deletePolicy(i.name),
  createService: (ctx, i) => fw(ctx).createService(i.name, i.settings),
  updateService: (ctx, i) => fw(ctx).updateService(i.name, i.settings),
  renameService: (ctx, i) => fw(ctx).renameService(i.name, i.newName),
  deleteService: (ctx, i) => fw(ctx).deleteService(i.name),
  loadServiceDefaults: (ctx, i) => fw(ctx).loadServiceDefaults(i.name),
  createIpset: (ctx, i) => fw(ctx).createIpset(i),
  deleteIpset: (ctx, i) => fw(ctx).deleteIpset(i.name),
  ipsetAddEntries: (ctx, i) => fw(ctx).ipsetEntriesChange('add', i),
  ipsetRemoveEntries: (ctx, i) => fw(ctx).ipsetEntriesChange('remove', i),
  ipsetSetEntries: (ctx, i) => fw(ctx).ipsetEntriesChange('set', i),
  reload: (ctx, i) => fw(ctx).reload(i.complete, i.confirm),
  runtimeToPermanent: (ctx) => fw(ctx).runtimeToPermanent(),
  setLogDenied: (ctx, i) => fw(ctx).setLogDenied(i.value, i.confirm),
  setPanicMode: (ctx, i) => fw(ctx).setPanicMode(i.enabled, i.confirm),
  startFirewalld: (ctx) => fw(ctx).startFirewalld(),
  safeApply: (ctx, i) => fw(ctx).safeApply(i.change, i.seconds, i.saveToPermanent, i.confirm),
  safeApplyConfirm: (ctx, i) => fw(ctx).safe.confirm(i.id),
  safeApplyRevert: (ctx, i) => fw(ctx).safe.revert(i.id),
};
