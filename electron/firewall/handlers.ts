import type { OpOutput, OpParsedInput } from '../../shared/api/contract';
import type { Layer } from '../../shared/firewall/model';
import type { FeatureHandlers, HandlerContext } from '../api/context';
import { explainOnHost } from './explain';
import { deniedHandlers } from './denied/handlers';
import { hostInterfaceNames } from './explain-interfaces';
import { imageLimits, recordLimits } from './explain-reach';
import { rulesOnHost } from './rules';
import { firewallService as fw } from './service';
import { SnapshotFirewall } from './snapshot-reader';
import { traceOnHost } from './trace';
import { offlineFirewall, offlineWriter } from './offline/handlers';
import { previewOnHost } from './preview/preview';
import { ETC, firewalldVersion } from './offline/reader';
import { parseFirewalldConf } from '../../shared/firewall/offline/parse';

/** The operations that only read: answered by the live firewalld or by a host's record of it. */
type ReadOp = 'status' | 'state' | 'zone' | 'ipsetEntries' | 'ipsetEntriesDiff' | 'differences' | 'export' | 'safeApplyCheck' | 'safeApplyStatus';

/** Where a host's firewall state comes from, behind one interface (capabilities.firewall). */
export type FirewallReader = { [N in ReadOp]: (input: OpParsedInput<'firewall', N>) => OpOutput<'firewall', N> | Promise<OpOutput<'firewall', N>> };

/** The running firewalld, through the host's FirewallService (created on first use, shared with the changes). */
function liveReader(ctx: HandlerContext): FirewallReader {
  return {
    status: () => fw(ctx).status(),
    state: (i) => fw(ctx).state(i.refresh),
    zone: (i) => fw(ctx).zone(i.name, i.layer),
    ipsetEntries: (i) => fw(ctx).ipsetEntries(i),
    ipsetEntriesDiff: (i) => fw(ctx).ipsetEntriesDiff(i),
    differences: (i) => fw(ctx).differences(i.kind, i.name),
    export: (i) => fw(ctx).export(i),
    safeApplyCheck: (i) => fw(ctx).safeApplyCheck(i.change),
    safeApplyStatus: () => ({ sessions: fw(ctx).safe.list() }),
  };
}

/**
 * A host's record of its firewall (a snapshot host; none recorded reads as "no firewalld state").
 * Changes never reach it: the runtime refuses them on a read-only host.
 */
function recordReader(ctx: HandlerContext): FirewallReader {
  const record = ctx.host.transport.snapshot?.();
  // A host with no record at all says why in its own words (its capabilities).
  const why = record ? undefined : ctx.host.transport.capabilities().missing.firewall;
  const r = new SnapshotFirewall(ctx.host, record?.firewall ?? null, record?.identity.time ?? 0, why);
  return {
    status: () => r.status(),
    state: () => r.state(),
    zone: (i) => r.zone(i.name, i.layer),
    ipsetEntries: (i) => r.ipsetEntries(i),
    ipsetEntriesDiff: (i) => r.ipsetEntries({ name: i.name, layer: i.side === 'runtimeOnly' ? 'runtime' : 'permanent' }),
    differences: (i) => r.differences(i.kind, i.name),
    export: (i) => r.export(i),
    safeApplyCheck: () => r.safeApplyCheck(),
    safeApplyStatus: () => ({ sessions: [] }),
  };
}

/** The read operations answered from the configuration files (offline/): both layers are the configuration. */
function offlineReader(ctx: HandlerContext): FirewallReader {
  const r = offlineFirewall(ctx);
  return {
    status: () => r.status(),
    state: (i) => r.state(i.refresh),
    zone: (i) => r.zone(i.name, i.layer),
    ipsetEntries: (i) => r.ipsetEntries(i),
    ipsetEntriesDiff: (i) => ({ name: i.name, side: i.side, runtimeOnly: 0, permanentOnly: 0, matched: 0, offset: i.offset, entries: [] }),
    differences: async () => ({ revision: (await r.state()).revision, differences: [] }),
    export: (i) => r.export(i),
    safeApplyCheck: () => r.safeApplyCheck(),
    safeApplyStatus: () => ({ sessions: [] }),
  };
}

/** The host's firewall reader, chosen once per host from what the host declares. */
export function firewallReader(ctx: HandlerContext): FirewallReader {
  return ctx.host.service('firewall.reader', () => ({
    ...(() => {
      const source = ctx.host.transport.capabilities().firewall;
      return source === 'live' ? liveReader(ctx) : source === 'offline' ? offlineReader(ctx) : recordReader(ctx);
    })(),
    dispose() {},
  }));
}

const read =
  <N extends ReadOp>(name: N) =>
  (ctx: HandlerContext, input: OpParsedInput<'firewall', N>) =>
    // `offline` asks for the configuration files even where a daemon runs (--offline); a host
    // whose firewalld is stopped answers from them too (its capability firewall is then 'offline').
    ((input as { offline?: boolean }).offline || ctx.host.firewalldStopped ? offlineReader(ctx) : firewallReader(ctx))[name](input);

/**
 * The daemon's status, always asked of the daemon (it is how a start is noticed); when it is
 * not running, what its files would load is added, for the masthead's "offline configuration".
 */
async function status(ctx: HandlerContext, input: OpParsedInput<'firewall', 'status'>): Promise<OpOutput<'firewall', 'status'>> {
  const st = await firewallReader(ctx).status(input);
  if (!input.configuration || st.running || st.problem !== 'notRunning') return st;
  // Only the version and firewalld.conf (two reads), not the whole configuration: the masthead waits on this.
  const t = ctx.host.transport;
  const [version, [conf]] = await Promise.all([firewalldVersion(t), t.read([{ path: `${ETC}/firewalld.conf`, content: true, follow: true, maxBytes: 1024 * 1024 }])]).catch(() => [undefined, []] as const);
  if (!version) return st;
  const defaultZone = parseFirewalldConf(conf?.bytes?.toString('utf8'), t.displayPath(`${ETC}/firewalld.conf`)).settings.DefaultZone ?? '';
  return { ...st, configuration: { version: version.version, versionFrom: version.from, defaultZone } };
}

/** Thin: reads go to the host's reader, changes to the host's FirewallService (one bus connection, one state). */
export const firewallHandlers: FeatureHandlers<'firewall'> = {
  status,
  state: read('state'),
  zone: read('zone'),
  ipsetEntries: read('ipsetEntries'),
  ipsetEntriesDiff: read('ipsetEntriesDiff'),
  differences: read('differences'),
  export: read('export'),
  safeApplyCheck: read('safeApplyCheck'),
  safeApplyStatus: read('safeApplyStatus'),
  check: async (ctx) => offlineFirewall(ctx).check(),
  offlineWrite: (ctx, i) => offlineWriter(ctx).write(i),
  offlineDigest: (ctx) => offlineWriter(ctx).digest(),
  explain: (ctx, i) => {
    const files = !!i.offline || !!ctx.host.firewalldStopped;
    const offline = files || ctx.host.transport.capabilities().firewall === 'offline';
    const r = files ? offlineReader(ctx) : firewallReader(ctx);
    // An image asked through a bus answers from that bus, not from its own files: say so (not when the files are read).
    const limits = (l: Layer) => [...recordLimits(ctx.host.transport.snapshot?.().firewall, l), ...(offline ? [] : imageLimits(ctx.host.transport.displayPath('/etc/firewalld'), l))];
    return explainOnHost({ state: () => r.state({ refresh: false }), ipsetEntries: (x) => r.ipsetEntries(x), limits }, i);
  },
  trace: (ctx, i) => traceOnHost(ctx.host, i, (flow) => firewallHandlers.explain(ctx, { flow, layer: 'runtime' })),
  interfaces: (ctx) => hostInterfaceNames(ctx.host),

  rules: (ctx, i) => rulesOnHost(ctx, async () => firewallReader(ctx).state({ refresh: false }), i),
  preview: (ctx, i) => previewOnHost(ctx.host, i),

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
  ...deniedHandlers,
};
