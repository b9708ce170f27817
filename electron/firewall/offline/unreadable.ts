import { ApiError } from '../../../shared/api/errors';
import type { OfflineWriteOp } from '../../../shared/firewall/offline/write-contract';
import type { OfflineConfig, UnloadedFile } from './reader';

/**
 * A write never builds on a configuration file it could not read (issue #16): an object whose
 * file did not load is absent from the model, so a change naming it would say "there is no
 * service named ssh", and a change to an object that refers to it would be written as if the
 * rest were known. A kind's directory or firewalld.conf that could not be read may hold files
 * that replace what the read shows (an /etc file over its /usr/lib default), so no write is
 * made at all then. Each refusal names the file and why; nothing is written.
 */

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a value (an operation, an object as it will be written) names `name` anywhere. */
export function mentions(value: unknown, name: string): boolean {
  // A rich rule names objects inside its text: service name="ssh", ipset="x", icmp-block name="y".
  const inText = new RegExp(`(?:name|ipset|value)="${escape(name)}"`);
  const walk = (v: unknown): boolean =>
    typeof v === 'string' ? v === name || v === `ipset:${name}` || inText.test(v)
    : Array.isArray(v) ? v.some(walk)
    : v && typeof v === 'object' ? Object.values(v).some(walk)
    : false;
  return walk(value);
}

const reason = (u: UnloadedFile) => `${u.shown}${u.line ? `:${u.line}` : ''}: ${u.code}: ${u.message}`;

function refuse(u: UnloadedFile, why: string, all: UnloadedFile[]): never {
  throw new ApiError('INVALID_VALUE', `${reason(u)}; ${why}; nothing was written`, {
    unreadable: all.map((x) => ({ file: x.shown, line: x.line, code: x.code, message: x.message })),
  });
}

/** Before the operations run: a directory or firewalld.conf unread, or an unloaded object an operation names. */
export function refuseOnUnread(ops: OfflineWriteOp[], cfg: OfflineConfig): void {
  const whole = cfg.unloaded.filter((u) => !('object' in u.what));
  if (whole.length) {
    const u = whole[0]!;
    refuse(u, 'HostDeck cannot see what firewalld would read there, so it writes nothing until it can (fix its permissions or remove it)', whole);
  }
  for (const u of cfg.unloaded) {
    if (!('object' in u.what)) continue;
    const { kind, name } = u.what.object;
    const op = ops.find((o) => mentions(o, name));
    if (op) refuse(u, `the ${kind} ${name} is in that file and this change (${op.op}) names it; HostDeck does not build on a file it could not load (fix or remove it first)`, [u]);
  }
}

/** After the operations ran: an object to be written that refers to an object whose file did not load. */
export function refuseDependents(objects: Array<{ object: string; value: unknown }>, cfg: OfflineConfig): void {
  for (const u of cfg.unloaded) {
    if (!('object' in u.what)) continue;
    const { kind, name } = u.what.object;
    const dep = objects.find((o) => mentions(o.value, name));
    if (dep) refuse(u, `${dep.object} refers to the ${kind} ${name} in that file; HostDeck does not write it while that file does not load (fix or remove it first)`, [u]);
  }
}
