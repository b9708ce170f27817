import { z } from 'zod';
import { ApiError } from '../../shared/api/errors';
import { attributeRuleset, NftJsonError, parseNftRuleset, type RulesReport } from '../../shared/firewall/rules';
import type { FullState } from '../../shared/firewall/model';
import type { HandlerContext } from '../api/context';
import type { Host } from '../hosts/transport';
import { unwrapHelper } from '../helper/call';

const FIREWALLD_BUS_NAME = 'org.fedoraproject.FirewallD1';
const rulesetResult = z.object({ ruleset: z.unknown() });

/**
 * The pid of the firewalld HostDeck talks to, as the host's bus daemon knows it: the ruleset read
 * is the one of that firewalld's network namespace (a container's, a test's), not by chance this
 * process's. Undefined when the bus cannot tell (then the helper reads its own namespace).
 */
async function firewalldPid(host: Host): Promise<number | undefined> {
  try {
    const bus = await host.transport.systemBus();
    const obj = await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
    const dbus = obj.getInterface('org.freedesktop.DBus') as unknown as { GetConnectionUnixProcessID(name: string): Promise<unknown> };
    const pid = await dbus.GetConnectionUnixProcessID(FIREWALLD_BUS_NAME);
    return typeof pid === 'number' && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The host's running ruleset, `nft -j list ruleset`, through the helper's read-only verb
 * `nft-ruleset` (as this process when root, else pkexec; over SSH a root login or sudo -n of the
 * installed helper), in the network namespace of the firewalld on the host's bus. The rules view
 * and the trace (electron/firewall/trace) read it here, one way.
 */
export async function readNftRuleset(host: Host): Promise<unknown> {
  const caps = host.transport.capabilities();
  if (caps.nftRuleset === 'none') throw new ApiError('UNSUPPORTED', caps.missing.nftRuleset ?? 'This host has no nftables ruleset to read.');
  const pid = await firewalldPid(host);
  let answer;
  try {
    answer = await host.transport.helper({ verb: 'nft-ruleset', ...(pid ? { pid } : {}) }, { elevate: true, timeoutMs: 60_000 });
  } catch (e) {
    // The login's privilege is learned at this first call (SSH): say what it was for, keep what to grant.
    if (e instanceof ApiError && e.code === 'NEEDS_SUDO') throw new ApiError('NEEDS_SUDO', `Reading the nftables ruleset of ${host.label} needs root there (nft): ${e.message}`, e.detail);
    throw e;
  }
  return unwrapHelper(answer, rulesetResult).ruleset;
}

/**
 * firewall.rules: `nft -j list ruleset` read through the helper's read-only verb `nft-ruleset`
 * (as this process when root, else pkexec; over SSH a root login or sudo -n of the installed
 * helper), attributed with the runtime state HostDeck already reads. A host with no ruleset
 * (an image, a snapshot) answers UNSUPPORTED with its capability's reason.
 */
export async function rulesOnHost(ctx: HandlerContext, state: () => Promise<FullState>, input: { zone?: string; policy?: string }): Promise<RulesReport> {
  const caps = ctx.host.transport.capabilities();
  if (caps.nftRuleset === 'none') throw new ApiError('UNSUPPORTED', caps.missing.nftRuleset ?? 'This host has no nftables ruleset to read.');
  if (input.zone && input.policy) throw new ApiError('INVALID_INPUT', 'zone and policy exclude each other: ask for one');
  const [read, nft] = await Promise.allSettled([state(), readNftRuleset(ctx.host)]);
  if (nft.status === 'rejected') {
    // The ruleset's route first (root or the helper), and firewalld's own refusal beside it: a
    // login that has neither learns both things to grant at once, not one per attempt.
    const e = nft.reason as unknown;
    if (read.status === 'rejected' && e instanceof ApiError && read.reason instanceof ApiError && read.reason.code === 'NOT_AUTHORIZED') {
      // NOT_AUTHORIZED: the runtime then adds firewalld's polkit rule for this login (explainRefusal).
      const detail = typeof e.detail === 'object' && e.detail !== null ? e.detail : {};
      throw new ApiError('NOT_AUTHORIZED', `${e.message} The rules are also attributed with firewalld's configuration, which refused this login too: ${read.reason.message}`, detail);
    }
    throw e;
  }
  if (read.status === 'rejected') throw read.reason;
  const [s, ruleset] = [read.value, nft.value];
  if (input.zone && !s.runtime.zones[input.zone]) throw new ApiError('NOT_FOUND', `There is no zone "${input.zone}" in the runtime configuration`);
  if (input.policy && !s.runtime.policies[input.policy]) throw new ApiError('NOT_FOUND', `There is no policy "${input.policy}" in the runtime configuration`);
  let parsed;
  try {
    parsed = parseNftRuleset(ruleset);
  } catch (e) {
    if (e instanceof NftJsonError) throw new ApiError('PARSE_ERROR', `nft -j list ruleset on ${ctx.host.label}: ${e.message}`);
    throw e;
  }
  return attributeRuleset(parsed, s.runtime, { defaultZone: s.global.defaultZone, logDenied: s.global.logDenied, zone: input.zone, policy: input.policy });
}
