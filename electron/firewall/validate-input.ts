import { ApiError } from '../../shared/api/errors';
import type { ForwardPort, LayerState, PolicyItems, PolicyPatch, Port, ZoneItems, ZonePatch } from '../../shared/firewall/model';
import { checkRichRuleIn, parseRichRule } from '../../shared/firewall/rich-rule';
import {
  checkIcmpTypeName,
  checkInterfaceName,
  checkIpsetEntry,
  checkIpsetOptions,
  checkIpsetType,
  checkName,
  checkPort,
  checkPortProtocol,
  checkProtocol,
  checkSingleAddress,
  checkZoneSource,
  type ObjectKind,
} from '../../shared/firewall/validate';

/**
 * Checks requests before anything is sent to firewalld (1.3.3 answers some bad ports with
 * code-less Python errors, and a half-applied runtime patch is worse than a refused one).
 * The rules themselves live in shared/firewall/validate.ts and rich-rule.ts; this file turns
 * their findings into ApiErrors that name the field and the value.
 */

interface Problem {
  field: string;
  value: string;
  message: string;
}

function fail(problems: Problem[]): never {
  const first = problems[0]!;
  const code = problems.every((p) => /ports|Port/.test(p.field)) ? 'INVALID_PORT' : 'INVALID_VALUE';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  throw new ApiError(code, `${first.field}: ${first.message}${more}`, { problems });
}

function checkPorts(out: Problem[], field: string, ports: Port[] | undefined) {
  for (const p of ports ?? []) {
    const m = checkPort(p.port) ?? checkPortProtocol(p.protocol);
    if (m) out.push({ field, value: `${p.port}/${p.protocol}`, message: m });
  }
}

function checkForwardPorts(out: Problem[], field: string, fps: ForwardPort[] | undefined) {
  for (const f of fps ?? []) {
    const value = `port=${f.port}:proto=${f.protocol}:toport=${f.toPort ?? ''}:toaddr=${f.toAddr ?? ''}`;
    const m =
      checkPort(f.port) ??
      checkPortProtocol(f.protocol) ??
      (f.toPort ? checkPort(f.toPort, 'destination port') : undefined) ??
      (f.toAddr ? checkSingleAddress(f.toAddr, undefined, 'destination address') : undefined) ??
      (!f.toPort && !f.toAddr ? 'A forward port needs a destination port, a destination address, or both.' : undefined);
    if (m) out.push({ field, value, message: m });
  }
}

function checkList(out: Problem[], field: string, items: string[] | undefined, check: (s: string) => string | undefined) {
  for (const v of items ?? []) {
    const m = check(v);
    if (m) out.push({ field, value: v, message: m });
  }
}

function richContext(layer: LayerState | undefined) {
  if (!layer) return {};
  return {
    services: Object.keys(layer.services),
    serviceDefs: Object.fromEntries(Object.values(layer.services).map((v) => [v.name, { destination: v.destination, includes: v.includes }])),
    icmptypes: Object.values(layer.icmptypes).map((i) => ({ name: i.name, destinations: i.destinations })),
    ipsets: Object.values(layer.ipsets).map((s) => ({ name: s.name, type: s.type, family: s.options.family })),
  };
}

function checkRichRules(out: Problem[], field: string, rules: string[] | undefined, layer: LayerState | undefined) {
  for (const text of rules ?? []) {
    const r = parseRichRule(text);
    if (!r.ok) {
      out.push({ field, value: text, message: `${r.error.message} [${r.error.code}]` });
      continue;
    }
    const problems = checkRichRuleIn(r.rule, richContext(layer));
    if (problems.length) out.push({ field, value: text, message: `${problems[0]!.message} [${problems[0]!.code}]` });
  }
}

/** Items that name other objects must exist in the layer they are added to. */
function known(layer: LayerState | undefined, kind: 'services' | 'icmptypes') {
  return layer ? Object.keys(layer[kind]) : undefined;
}

/** Checks the item lists zones and policies share; `checkService` decides what an unknown service means. */
function checkSharedItems(
  out: Problem[],
  side: 'add' | 'remove',
  items: ZoneItems | PolicyItems,
  layer: LayerState | undefined,
  checkService: (name: string) => string | undefined,
): void {
  checkPorts(out, `${side}.ports`, items.ports);
  checkPorts(out, `${side}.sourcePorts`, items.sourcePorts);
  checkForwardPorts(out, `${side}.forwardPorts`, items.forwardPorts);
  checkList(out, `${side}.protocols`, items.protocols, checkProtocol);
  if (side !== 'add') return;
  const services = known(layer, 'services');
  checkList(out, 'add.services', items.services, (s) =>
    services && !services.includes(s) ? `firewalld has no service named ${JSON.stringify(s)}.` : checkService(s),
  );
  const icmp = known(layer, 'icmptypes');
  checkList(out, 'add.icmpBlocks', items.icmpBlocks, (s) => checkIcmpTypeName(s, icmp));
  checkRichRules(out, 'add.richRules', items.richRules, layer);
}

export function validateZonePatch(patch: ZonePatch, layer: LayerState | undefined): void {
  const out: Problem[] = [];
  for (const [side, items] of [
    ['add', patch.add],
    ['remove', patch.remove],
  ] as const) {
    if (!items) continue;
    checkSharedItems(out, side, items, layer, (s) => checkName('service', s));
    checkList(out, `${side}.interfaces`, items.interfaces, checkInterfaceName);
    const ipsets = layer ? Object.values(layer.ipsets) : undefined;
    checkList(out, `${side}.sources`, items.sources, (s) => checkZoneSource(s, side === 'add' ? ipsets : undefined));
  }
  if (out.length) fail(out);
}

export function validatePolicyPatch(patch: PolicyPatch, layer: LayerState | undefined): void {
  const out: Problem[] = [];
  for (const [side, items] of [
    ['add', patch.add],
    ['remove', patch.remove],
  ] as const) {
    if (!items) continue;
    checkSharedItems(out, side, items, layer, () => undefined);
    if (side === 'add') {
      const zones = layer ? [...Object.keys(layer.zones), 'HOST', 'ANY'] : undefined;
      for (const f of ['ingressZones', 'egressZones'] as const) {
        checkList(out, `add.${f}`, items[f], (z) => (zones && !zones.includes(z) ? `There is no zone named ${JSON.stringify(z)}.` : undefined));
      }
    }
  }
  if (out.length) fail(out);
}

export function validateName(kind: ObjectKind, name: string): void {
  const m = checkName(kind, name);
  if (m) fail([{ field: 'name', value: name, message: m }]);
}

export function validatePortList(field: string, ports: Port[] | undefined): void {
  const out: Problem[] = [];
  checkPorts(out, field, ports);
  if (out.length) fail(out);
}

export function validateIpsetDefinition(type: string, options: Record<string, string>): void {
  const m = checkIpsetType(type) ?? checkIpsetOptions(type, options);
  if (m) fail([{ field: 'type', value: type, message: m }]);
}

/**
 * Checks every entry for the ipset's type; problems name the 1-based position so an import
 * from a file can point at its line (the UI strips comments but keeps the mapping).
 */
export function validateIpsetEntries(entries: string[], type: string, options: Record<string, string>): void {
  const problems: Problem[] = [];
  for (let i = 0; i < entries.length && problems.length < 100; i++) {
    const m = checkIpsetEntry(entries[i]!, type, options);
    if (m) problems.push({ field: `entries[${i + 1}]`, value: entries[i]!, message: m });
  }
  if (problems.length) {
    throw new ApiError(
      'INVALID_VALUE',
      `${problems.length >= 100 ? '100 or more' : problems.length} entr${problems.length === 1 ? 'y does' : 'ies do'} not fit an ipset of type ${type}; first: entry ${problems[0]!.field.slice(8, -1)} ${problems[0]!.message}`,
      { problems },
    );
  }
}
