import type { BusReadAnswer, BusReadCall } from '../hosts/transport';
import { callTarget, type CallOptions, type ConfigKind, type FirewalldClient, type FirewalldReads } from './client';
import { CONFIG_GET, CONFIG_LIST, RUNTIME_READS } from './reader';
import { FIREWALLD_CONFIG_PATH, FIREWALLD_PATH, ifaceName, type IfaceSuffix } from './signatures';

/**
 * firewalld's full state read (reader.ts: readDaemonInfo, readDaemonConfig, readGlobal,
 * readRuntime, readPermanent) as ONE plan the host's transport runs on the host itself
 * (HostTransport.busReads: the SSH read agent), instead of ~800 calls each crossing the
 * tunnelled bus. The readers then run unchanged against the answers (BulkReads): the same
 * calls, the same parsers, so the state is the bus read's by construction; a call the plan did
 * not make, or one that failed there, goes to the bus itself (and fails there as it would have).
 */

const PROPERTIES = 'org.freedesktop.DBus.Properties';

function firewalldCall(key: string, path?: string): Omit<BusReadCall, 'each'> {
  const t = callTarget(key, path);
  return { path: t.path, iface: ifaceName(t.suffix), member: t.member, sig: t.signature };
}

function getAll(suffix: IfaceSuffix, path: string): BusReadCall {
  return { path, iface: PROPERTIES, member: 'GetAll', sig: 's', args: [ifaceName(suffix)] };
}

/** Every call readAll() makes, in the agent's plan form. */
export function firewalldReadPlan(): BusReadCall[] {
  const plan: BusReadCall[] = [
    getAll('', FIREWALLD_PATH),
    getAll('config', FIREWALLD_CONFIG_PATH),
    ...['.getDefaultZone', '.getLogDenied', '.queryPanicMode', 'zone.getActiveZones', 'policy.getActivePolicies', 'policies.queryLockdown'].map((k) => firewalldCall(k)),
  ];
  for (const { list, get } of Object.values(RUNTIME_READS)) {
    const g = firewalldCall(get);
    plan.push({ ...firewalldCall(list), each: [{ path: g.path, iface: g.iface, member: g.member, sig: g.sig, itemAs: 'arg' }] });
  }
  for (const kind of Object.keys(CONFIG_LIST) as ConfigKind[]) {
    const g = firewalldCall(`config.${kind}.${CONFIG_GET[kind]}`, FIREWALLD_CONFIG_PATH);
    plan.push({
      ...firewalldCall(CONFIG_LIST[kind]),
      each: [
        { iface: PROPERTIES, member: 'GetAll', sig: 's', args: [ifaceName(`config.${kind}`)], itemAs: 'path' },
        { iface: g.iface, member: g.member, sig: g.sig, itemAs: 'path' },
      ],
    });
  }
  return plan;
}

const keyOf = (path: string, iface: string, member: string, args: unknown[]) => JSON.stringify([path, iface, member, args]);

/** The readers' calls answered from a bulk read; anything else (a miss, a call that failed there) through the client. */
export class BulkReads implements FirewalldReads {
  private readonly answers = new Map<string, unknown[]>();

  constructor(
    private readonly client: FirewalldClient,
    answers: BusReadAnswer[],
  ) {
    for (const a of answers) if (a.body) this.answers.set(keyOf(a.path, a.iface, a.member, a.args ?? []), a.body);
  }

  async call(key: string, body: unknown[] = [], opts: CallOptions = {}): Promise<unknown[]> {
    const t = callTarget(key, opts.path);
    return this.answers.get(keyOf(t.path, ifaceName(t.suffix), t.member, body)) ?? this.client.call(key, body, opts);
  }

  async getAllProperties(iface: IfaceSuffix, path = iface.startsWith('config') ? FIREWALLD_CONFIG_PATH : FIREWALLD_PATH): Promise<Record<string, unknown>> {
    const got = this.answers.get(keyOf(path, PROPERTIES, 'GetAll', [ifaceName(iface)]));
    return got ? ((got[0] ?? {}) as Record<string, unknown>) : this.client.getAllProperties(iface, path);
  }

  rememberPath(kind: ConfigKind, name: string, path: string): void {
    this.client.rememberPath(kind, name, path);
  }

  configPath(kind: ConfigKind, name: string): Promise<string> {
    return this.client.configPath(kind, name);
  }
}
