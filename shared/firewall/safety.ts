/**
 * The lock-out guard: could a change cut the admin off, so that safe apply (apply, count down,
 * revert unless confirmed) must be the default? One implementation for the page (it judges
 * staged edits at once) and the Node side (safeApplyCheck, and the refusal of risky writes sent
 * without safe apply); the Node side also knows the SSH ports sshd uses.
 *
 * Cases from the issue and from real lock-outs (firewalld #841: sshd on another port; cockpit
 * #12281: removing the service the session runs over; panic mode):
 *  - a zone the session goes through stops letting an SSH port in (service, port, accept rule
 *    or ACCEPT target removed), or gets a rule that drops/rejects SSH;
 *  - such a zone's target becomes DROP or REJECT;
 *  - the session's interface or address moves into a zone that does not let SSH in;
 *  - the default zone becomes one that does not let SSH in;
 *  - a policy towards HOST from the session's zones drops/rejects, or stops letting SSH in;
 *  - panic mode turned on.
 */
import type { SafeApplyDecision, SafeChange } from './contract';
import type { FullState, Policy, Port, Zone } from './model';
import { policyAfterPatch, zoneAfterPatch, portText } from './patch';
import { parseRichRule, type RichRule } from './rich-rule';
import { getPortRange, isIPv4 } from './validate';

/** A change the guard judges: exactly what safe apply can apply (zone, policy, panic, default zone). */
export type GuardedChange = SafeChange;

export interface GuardContext {
  state: Pick<FullState, 'runtime' | 'permanent' | 'global'>;
  /** Ports sshd listens on (and the server port of the current SSH connection); [22] when unknown. */
  sshPorts?: number[];
  /** The admin's address as the host sees it (SSH_CLIENT), to find the zone its source binds to. */
  clientAddress?: string;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/** Whether an IPv4 address falls in a zone source ("a.b.c.d", "a.b.c.d/len"). IPv6, MAC and ipset sources never match. */
export function sourceMatches(source: string, addr: string): boolean {
  if (!isIPv4(addr)) return false;
  const [net, lenText] = source.split('/');
  if (!net || !isIPv4(net)) return false;
  const len = lenText === undefined ? 32 : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > 32) return false;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((ipv4ToInt(net) & mask) >>> 0) === ((ipv4ToInt(addr) & mask) >>> 0);
}

/**
 * The zones the admin's SSH session may pass through. With a known client address: the zone
 * whose source matches it (sources win over interfaces in firewalld), else the zones of bound
 * interfaces plus the default zone (which takes every interface nobody bound). Without one,
 * zones bound to sources count too: the admin may come from any of them.
 */
export function sessionZones(ctx: GuardContext): string[] {
  const active = ctx.state.global.activeZones;
  if (ctx.clientAddress) {
    const bySource = Object.entries(active).find(([, b]) => b.sources.some((s) => sourceMatches(s, ctx.clientAddress!)));
    if (bySource) return [bySource[0]];
  }
  const zones = new Set(Object.entries(active).filter(([, b]) => b.interfaces.length > 0 || (!ctx.clientAddress && b.sources.length > 0)).map(([z]) => z));
  zones.add(ctx.state.global.defaultZone);
  return [...zones];
}

const portCovers = (p: Pick<Port, 'port' | 'protocol'>, port: number, protocol = 'tcp') => {
  if (p.protocol !== protocol) return false;
  const r = getPortRange(p.port);
  if (!Array.isArray(r)) return false;
  return r.length === 1 ? r[0] === port : port >= r[0] && port <= r[1]!;
};

function serviceCarries(ctx: GuardContext, service: string, port: number): boolean {
  if (service === 'ssh' && port === 22) return true;
  const def = ctx.state.runtime.services[service] ?? ctx.state.permanent.services[service];
  return !!def?.ports.some((p) => portCovers(p, port));
}

function ruleMatchesPort(rule: RichRule, port: number, ctx: GuardContext): boolean {
  const e = rule.element;
  if (!e) return true; // a rule without element matches all traffic (of its source)
  if (e.type === 'port') return portCovers({ port: e.port, protocol: e.protocol as Port['protocol'] }, port);
  if (e.type === 'service') return serviceCarries(ctx, e.name, port);
  if (e.type === 'protocol') return e.value === 'tcp' || e.value === '6';
  return false;
}

/** Whether a zone (or policy) lets new TCP connections to `port` in (by target, services, ports or accept rules for everyone). */
export function allowsPort(obj: Pick<Zone, 'target' | 'services' | 'ports' | 'richRules'>, port: number, ctx: GuardContext): boolean {
  if (obj.target === 'ACCEPT') return true;
  if (obj.ports.some((p) => portCovers(p, port))) return true;
  if (obj.services.some((s) => serviceCarries(ctx, s, port))) return true;
  return obj.richRules.some((text) => {
    const r = parseRichRule(text);
    return r.ok && r.rule.action?.type === 'accept' && !r.rule.source && !r.rule.destination && ruleMatchesPort(r.rule, port, ctx);
  });
}

/** Rich rules that drop or reject an SSH port (for every source, or the admin's). */
function blockingRules(added: readonly string[], ports: number[], ctx: GuardContext): string[] {
  return added.filter((text) => {
    const r = parseRichRule(text);
    if (!r.ok) return false;
    const { action, source } = r.rule;
    if (action?.type !== 'drop' && action?.type !== 'reject') return false;
    if (source && !source.invert && !(source.kind === 'address' && ctx.clientAddress && sourceMatches(source.value, ctx.clientAddress))) return false;
    return ports.some((p) => ruleMatchesPort(r.rule, p, ctx));
  });
}

const sshWord = (ports: number[]) => (ports.length === 1 && ports[0] === 22 ? 'SSH (port 22)' : `SSH (port ${ports.join(', ')})`);

/** The zone an interface is in now: its bound zone, or the default zone when nobody bound it. */
function zoneOfInterface(ctx: GuardContext, iface: string): string {
  const bound = Object.entries(ctx.state.global.activeZones).find(([, b]) => b.interfaces.includes(iface));
  return bound ? bound[0] : ctx.state.global.defaultZone;
}

function judgeZone(name: string, zone: Zone, after: Zone, added: Zone['richRules'], moved: { interfaces: string[]; sources: string[] }, ctx: GuardContext, ports: number[], reasons: string[]) {
  const session = sessionZones(ctx);
  const where = `zone ${name}${ctx.state.global.defaultZone === name ? ' (the default zone)' : ''}`;
  if (session.includes(name)) {
    if ((after.target === 'DROP' || after.target === '%%REJECT%%') && after.target !== zone.target) {
      reasons.push(`Zone ${name} carries your SSH session and its target would become ${after.target === 'DROP' ? 'DROP' : 'REJECT'}: everything not explicitly allowed is refused.`);
    }
    const lost = ports.filter((p) => allowsPort(zone, p, ctx) && !allowsPort(after, p, ctx));
    if (lost.length) {
      const removed = [
        ...zone.services.filter((s) => !after.services.includes(s) && lost.some((p) => serviceCarries(ctx, s, p))),
        ...zone.ports.filter((x) => !after.ports.some((y) => portText(y) === portText(x)) && lost.some((p) => portCovers(x, p))).map(portText),
      ];
      reasons.push(`The active ${where} carries your SSH session and would no longer allow ${sshWord(lost)}${removed.length ? ` (removing ${removed.join(', ')})` : ''}.`);
    }
    const blocking = blockingRules(added, ports, ctx);
    if (blocking.length) reasons.push(`A new rule in zone ${name} drops or rejects ${sshWord(ports)}: ${blocking[0]}`);
  }
  // Binding a session interface (a bound one, or one the default zone takes) or the admin's address moves the session here.
  const ifaces = moved.interfaces.filter((i) => {
    const from = zoneOfInterface(ctx, i);
    return from !== name && session.includes(from);
  });
  const source = moved.sources.some((s) => ctx.clientAddress && sourceMatches(s, ctx.clientAddress));
  if ((ifaces.length || source) && !ports.some((p) => allowsPort(after, p, ctx))) {
    reasons.push(`Moves ${ifaces.length ? `interface ${ifaces.join(', ')}` : 'your address'} into zone ${name}, which does not let ${sshWord(ports)} in.`);
  }
}

function judgePolicy(policy: Policy, after: Policy, added: string[], ctx: GuardContext, ports: number[], reasons: string[]) {
  const session = sessionZones(ctx);
  const toHost = after.egressZones.includes('HOST');
  const fromSession = after.ingressZones.includes('ANY') || after.ingressZones.some((z) => session.includes(z));
  if (!toHost || !fromSession) return;
  const refusing = (p: Policy) => p.target === 'DROP' || p.target === 'REJECT';
  if (refusing(after) && after.target !== policy.target) {
    reasons.push(`Policy ${policy.name} would ${after.target === 'DROP' ? 'drop' : 'reject'} traffic to this host from zones your session uses.`);
  }
  // Under a refusing target, only what the policy itself allows gets through.
  const lost = ports.filter((p) => allowsPort(policy, p, ctx) && !allowsPort(after, p, ctx));
  if (lost.length && (refusing(after) || refusing(policy))) {
    reasons.push(`Policy ${policy.name} (traffic to this host) would no longer allow ${sshWord(lost)}.`);
  } else if (lost.length && (policy.services.includes('ssh') && !after.services.includes('ssh'))) {
    reasons.push(`Removes service ssh from policy ${policy.name} (traffic to this host).`);
  }
  const blocking = blockingRules(added, ports, ctx);
  if (blocking.length) reasons.push(`A new rule in policy ${policy.name} drops or rejects ${sshWord(ports)} to this host: ${blocking[0]}`);
}

/** Whether safe apply should be the default for this change, and why (one plain sentence per risk). */
export function safeApplyRequired(change: GuardedChange, ctx: GuardContext): SafeApplyDecision {
  const ports = ctx.sshPorts?.length ? ctx.sshPorts : [22];
  const reasons: string[] = [];
  const { runtime, permanent, global } = ctx.state;
  if (change.type === 'panic') {
    if (change.enabled) reasons.push('Panic mode drops all traffic, including the connection you manage this host through.');
  } else if (change.type === 'defaultZone') {
    const z = runtime.zones[change.name] ?? permanent.zones[change.name];
    if (z && change.name !== global.defaultZone && sessionZones(ctx).includes(global.defaultZone) && !ports.some((p) => allowsPort(z, p, ctx))) {
      reasons.push(`The new default zone ${change.name} does not let ${sshWord(ports)} in; interfaces without a zone would lose SSH.`);
    }
  } else if (change.type === 'zone') {
    const zone = runtime.zones[change.name] ?? permanent.zones[change.name];
    if (zone) {
      const after = zoneAfterPatch(zone, change.patch);
      const moved = { interfaces: change.patch.add?.interfaces ?? [], sources: change.patch.add?.sources ?? [] };
      judgeZone(change.name, zone, after, change.patch.add?.richRules ?? [], moved, ctx, ports, reasons);
    }
  } else {
    const policy = runtime.policies[change.name] ?? permanent.policies[change.name];
    if (policy) judgePolicy(policy, policyAfterPatch(policy, change.patch), change.patch.add?.richRules ?? [], ctx, ports, reasons);
  }
  return { required: reasons.length > 0, reasons, sshPorts: ports };
}
