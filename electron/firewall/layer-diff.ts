import type { ObjectDiff } from '../../shared/firewall/contract';
import type { FullState, Port, ForwardPort } from '../../shared/firewall/model';
import { richRuleKey } from '../../shared/firewall/rich-rule';

/**
 * Runtime vs permanent, object by object and field by field. Written here because
 * shared/firewall/diff.ts did not exist when this was needed; it is pure and can move there.
 * Rich rules compare by firewalld's normalized form (runtime and permanent spell some rules
 * differently after the XML round trip).
 */

type Kind = ObjectDiff['kind'];
type Fields = ObjectDiff['fields'];

const portText = (p: Port) => `${p.port}/${p.protocol}`;
const fwdText = (f: ForwardPort) =>
  [`port=${f.port}`, `proto=${f.protocol}`, f.toPort ? `toport=${f.toPort}` : '', f.toAddr ? `toaddr=${f.toAddr}` : ''].filter(Boolean).join(':');

function listDiff(out: Fields, field: string, rt: string[], pm: string[], key: (s: string) => string = (s) => s) {
  const rk = new Map(rt.map((s) => [key(s), s]));
  const pk = new Map(pm.map((s) => [key(s), s]));
  const runtimeOnly = [...rk].filter(([k]) => !pk.has(k)).map(([, v]) => v);
  const permanentOnly = [...pk].filter(([k]) => !rk.has(k)).map(([, v]) => v);
  if (runtimeOnly.length || permanentOnly.length) out.push({ field, runtimeOnly, permanentOnly });
}

function scalarDiff(out: Fields, field: string, rt: unknown, pm: unknown) {
  if (rt === pm || (rt === undefined && pm === undefined)) return;
  out.push({ field, runtimeOnly: [], permanentOnly: [], runtime: String(rt ?? ''), permanent: String(pm ?? '') });
}

type Obj = Record<string, unknown>;
const arr = (o: Obj, k: string) => (o[k] as unknown[] | undefined) ?? [];

function commonFields(out: Fields, r: Obj, p: Obj) {
  listDiff(out, 'services', arr(r, 'services') as string[], arr(p, 'services') as string[]);
  listDiff(out, 'ports', (arr(r, 'ports') as Port[]).map(portText), (arr(p, 'ports') as Port[]).map(portText));
  listDiff(out, 'protocols', arr(r, 'protocols') as string[], arr(p, 'protocols') as string[]);
  listDiff(out, 'sourcePorts', (arr(r, 'sourcePorts') as Port[]).map(portText), (arr(p, 'sourcePorts') as Port[]).map(portText));
  scalarDiff(out, 'short', r.short, p.short);
  scalarDiff(out, 'description', r.description, p.description);
}

function zoneOrPolicyFields(out: Fields, r: Obj, p: Obj) {
  commonFields(out, r, p);
  listDiff(out, 'icmpBlocks', arr(r, 'icmpBlocks') as string[], arr(p, 'icmpBlocks') as string[]);
  listDiff(out, 'forwardPorts', (arr(r, 'forwardPorts') as ForwardPort[]).map(fwdText), (arr(p, 'forwardPorts') as ForwardPort[]).map(fwdText));
  listDiff(out, 'richRules', arr(r, 'richRules') as string[], arr(p, 'richRules') as string[], richRuleKey);
  scalarDiff(out, 'target', r.target, p.target);
  scalarDiff(out, 'masquerade', r.masquerade, p.masquerade);
}

function objectFields(kind: Kind, r: Obj, p: Obj): Fields {
  const out: Fields = [];
  if (kind === 'zone') {
    zoneOrPolicyFields(out, r, p);
    listDiff(out, 'interfaces', arr(r, 'interfaces') as string[], arr(p, 'interfaces') as string[]);
    listDiff(out, 'sources', arr(r, 'sources') as string[], arr(p, 'sources') as string[]);
    scalarDiff(out, 'forward', r.forward, p.forward);
    scalarDiff(out, 'icmpBlockInversion', r.icmpBlockInversion, p.icmpBlockInversion);
  } else if (kind === 'policy') {
    zoneOrPolicyFields(out, r, p);
    listDiff(out, 'ingressZones', arr(r, 'ingressZones') as string[], arr(p, 'ingressZones') as string[]);
    listDiff(out, 'egressZones', arr(r, 'egressZones') as string[], arr(p, 'egressZones') as string[]);
    scalarDiff(out, 'priority', r.priority, p.priority);
  } else if (kind === 'service') {
    commonFields(out, r, p);
    listDiff(out, 'modules', arr(r, 'modules') as string[], arr(p, 'modules') as string[]);
    listDiff(out, 'helpers', arr(r, 'helpers') as string[], arr(p, 'helpers') as string[]);
    listDiff(out, 'includes', arr(r, 'includes') as string[], arr(p, 'includes') as string[]);
    const d = (o: Obj) => (o.destination ?? {}) as Record<string, string>;
    scalarDiff(out, 'destination.ipv4', d(r).ipv4, d(p).ipv4);
    scalarDiff(out, 'destination.ipv6', d(r).ipv6, d(p).ipv6);
  } else {
    scalarDiff(out, 'type', r.type, p.type);
    scalarDiff(out, 'options', JSON.stringify(r.options ?? {}), JSON.stringify(p.options ?? {}));
    scalarDiff(out, 'short', r.short, p.short);
    scalarDiff(out, 'entryCount', r.entryCount, p.entryCount);
  }
  return out;
}

const LAYER_KEY = { zone: 'zones', policy: 'policies', service: 'services', ipset: 'ipsets' } as const;

export function diffLayers(state: FullState, kindFilter?: Kind, nameFilter?: string): ObjectDiff[] {
  const out: ObjectDiff[] = [];
  for (const kind of Object.keys(LAYER_KEY) as Kind[]) {
    if (kindFilter && kind !== kindFilter) continue;
    const rt = state.runtime[LAYER_KEY[kind]] as Record<string, Obj>;
    const pm = state.permanent[LAYER_KEY[kind]] as Record<string, Obj>;
    for (const name of [...new Set([...Object.keys(rt), ...Object.keys(pm)])].sort()) {
      if (nameFilter && name !== nameFilter) continue;
      const r = rt[name];
      const p = pm[name];
      if (!p) out.push({ kind, name, status: 'runtimeOnly', fields: [] });
      else if (!r) out.push({ kind, name, status: 'permanentOnly', fields: [] });
      else {
        const fields = objectFields(kind, r, p);
        if (fields.length) out.push({ kind, name, status: 'changed', fields });
      }
    }
  }
  return out;
}

/** Scalars that only runtime edits change (zone metadata such as target is permanent-only). */
const RUNTIME_SCALARS: Record<Kind, string[]> = {
  zone: ['masquerade', 'forward', 'icmpBlockInversion'],
  policy: ['masquerade', 'target', 'priority'],
  service: [],
  ipset: ['entryCount'],
};

/** The differences a reload would throw away: runtime-only items, runtime edits of scalars, runtime-only objects. */
export function runtimeChangesLostOnReload(diffs: ObjectDiff[]): ObjectDiff[] {
  return diffs.filter(
    (d) =>
      d.status === 'runtimeOnly' ||
      (d.status === 'changed' &&
        d.fields.some((f) => f.runtimeOnly.length > 0 || (f.runtime !== undefined && RUNTIME_SCALARS[d.kind].includes(f.field)))),
  );
}
