import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SafeApplyDecision, SafeChange } from '../../shared/firewall/contract';
import type { FullState, Port, Zone } from '../../shared/firewall/model';
import { parseRichRule } from '../../shared/firewall/rich-rule';

/**
 * safeApply.required: could this change cut the admin off? Pure (state and SSH ports in);
 * cases from the issue and from real lock-outs (firewalld #841: sshd on another port;
 * cockpit #12281: removing the service the session runs over; panic mode):
 *  - ssh (or any service/port/rich rule carrying an SSH port) removed from an active zone;
 *  - an active zone's target set to DROP or REJECT;
 *  - an interface moved into a zone that does not let SSH in;
 *  - a policy towards HOST set to DROP/REJECT or losing ssh;
 *  - panic mode turned on.
 * A zone is active if it has interfaces or sources bound, or is the default zone (which takes
 * every interface nobody bound).
 */

function portCovers(p: Port, port: number): boolean {
  if (p.protocol !== 'tcp') return false;
  const [lo, hi] = p.port.split('-').map((x) => parseInt(x, 10));
  if (lo === undefined || Number.isNaN(lo)) return false;
  return port >= lo && port <= (hi ?? lo);
}

function serviceCarriesSsh(state: FullState, service: string, sshPorts: number[]): boolean {
  if (service === 'ssh') return true;
  const def = state.runtime.services[service] ?? state.permanent.services[service];
  return !!def?.ports.some((p) => sshPorts.some((s) => portCovers(p, s)));
}

function richRuleCarriesSsh(text: string, sshPorts: number[]): boolean {
  const r = parseRichRule(text);
  if (!r.ok) return /ssh/.test(text);
  const e = r.rule.element;
  if (r.rule.action?.type !== 'accept') return false;
  if (e?.type === 'service') return e.name === 'ssh';
  if (e?.type === 'port') return sshPorts.some((s) => portCovers({ port: e.port ?? '', protocol: (e.protocol ?? 'tcp') as Port['protocol'] }, s));
  return false;
}

export function zoneIsActive(state: FullState, zone: string): boolean {
  const b = state.global.activeZones[zone];
  return zone === state.global.defaultZone || !!(b && (b.interfaces.length || b.sources.length));
}

export function zoneLetsSshIn(zone: Zone, state: FullState, sshPorts: number[]): boolean {
  if (zone.target === 'ACCEPT') return true;
  if (zone.services.some((s) => serviceCarriesSsh(state, s, sshPorts))) return true;
  if (zone.ports.some((p) => sshPorts.some((s) => portCovers(p, s)))) return true;
  return zone.richRules.some((r) => richRuleCarriesSsh(r, sshPorts));
}

export function safeApplyRequired(change: SafeChange, state: FullState, sshPorts: number[]): SafeApplyDecision {
  const reasons: string[] = [];
  const ports = sshPorts.length ? sshPorts : [22];
  const portsText = ports.join(', ');
  if (change.type === 'panic') {
    if (change.enabled) reasons.push('Panic mode drops all traffic, including the connection you manage this host through.');
  } else if (change.type === 'zone') {
    const { name, patch } = change;
    const zone = state.runtime.zones[name];
    const active = zoneIsActive(state, name);
    const where = `zone ${name}${state.global.defaultZone === name ? ' (the default zone)' : ''}`;
    if (active) {
      for (const s of patch.remove?.services ?? []) {
        if (serviceCarriesSsh(state, s, ports)) reasons.push(`Removes service ${s} (SSH) from the active ${where}.`);
      }
      for (const p of patch.remove?.ports ?? []) {
        if (ports.some((s) => portCovers(p, s))) reasons.push(`Removes port ${p.port}/${p.protocol}, the SSH port, from the active ${where}.`);
      }
      for (const r of patch.remove?.richRules ?? []) {
        if (richRuleCarriesSsh(r, ports)) reasons.push(`Removes a rich rule that lets SSH in from the active ${where}.`);
      }
      if (patch.target === 'DROP' || patch.target === '%%REJECT%%') {
        reasons.push(`Sets the target of the active ${where} to ${patch.target === 'DROP' ? 'DROP' : 'REJECT'}: everything not explicitly allowed is refused.`);
      }
    }
    if (patch.add?.interfaces?.length && zone) {
      const after: Zone = {
        ...zone,
        target: patch.target ?? zone.target,
        services: zone.services.filter((s) => !patch.remove?.services?.includes(s)).concat(patch.add.services ?? []),
        ports: zone.ports.concat(patch.add.ports ?? []),
        richRules: zone.richRules.concat(patch.add.richRules ?? []),
      };
      if (!zoneLetsSshIn(after, state, ports)) {
        reasons.push(`Moves interface ${patch.add.interfaces.join(', ')} into zone ${name}, which does not let SSH (port ${portsText}) in.`);
      }
    }
  } else {
    const policy = state.runtime.policies[change.name] ?? state.permanent.policies[change.name];
    const toHost = !!policy?.egressZones.includes('HOST');
    if (toHost) {
      if (change.patch.target === 'DROP' || change.patch.target === 'REJECT') {
        reasons.push(`Sets the target of policy ${change.name} (traffic to this host) to ${change.patch.target}.`);
      }
      for (const s of change.patch.remove?.services ?? []) {
        if (serviceCarriesSsh(state, s, ports)) reasons.push(`Removes service ${s} (SSH) from policy ${change.name} (traffic to this host).`);
      }
    }
  }
  return { required: reasons.length > 0, reasons, sshPorts: ports };
}

/**
 * SSH ports of the host: `Port` lines of sshd_config (and sshd_config.d/*.conf) under the
 * host's root, plus the server port of the SSH connection HostDeck itself runs in
 * (SSH_CONNECTION = "client_ip client_port server_ip server_port") when it manages the local host.
 */
export async function sshPortsOf(root: string, env: NodeJS.ProcessEnv = process.env, local = true): Promise<number[]> {
  const ports = new Set<number>();
  const files = [join(root, 'etc/ssh/sshd_config')];
  try {
    const dir = join(root, 'etc/ssh/sshd_config.d');
    for (const f of (await readdir(dir)).sort()) if (f.endsWith('.conf')) files.push(join(dir, f));
  } catch {
    /* no drop-in directory */
  }
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const m = /^\s*Port\s+(\d+)\s*(?:#.*)?$/i.exec(line);
      if (m) ports.add(Number(m[1]));
    }
  }
  if (ports.size === 0) ports.add(22);
  const conn = local ? env.SSH_CONNECTION?.trim().split(/\s+/) : undefined;
  if (conn?.length === 4 && /^\d+$/.test(conn[3]!)) ports.add(Number(conn[3]));
  return [...ports].sort((a, b) => a - b);
}
