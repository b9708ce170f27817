/**
 * Runs INSIDE the polkit world (polkit-sandbox.ts), started as root: loads HostDeck's code, then
 * drops to USER (as a desktop session's HostDeck runs) and uses the API the DNS and Kernel pages
 * use: read and save /etc/resolv.conf, save a sysctl.d profile, apply it live (net.* keys of this
 * network namespace), and undo. Prints one JSON object with every answer or error.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { Runtime } from '../../../electron/api/runtime';
import { allHandlers } from '../../../electron/api/handlers';
import { loadDbus } from '../../../electron/hosts/bus';
import { openLocalHelperSession } from '../../../electron/helper/session';
import { isApiError } from '../../../shared/api/errors';

const [user, parentNetns] = process.argv.slice(2) as [string, string];
if (!parentNetns || readlinkSync('/proc/self/ns/net') === parentNetns) throw new Error('not in a private network namespace');
const ids: Record<string, [number, number]> = { nobody: [65534, 65534], daemon: [1, 1], bin: [2, 2] };
const [uid, gid] = ids[user]!;
const rt = new Runtime({ mode: 'electron' });
// The runtime loads each feature's handlers (and dbus-next) on first use; load them while still
// root: the checkout may sit in a directory only root can read (CI clones into a 0700 mktemp dir).
await allHandlers();
await loadDbus();
process.setgroups!([]);
process.setgid!(gid);
process.setuid!(uid);

const out: Record<string, unknown> = { uid: process.getuid!() };
const call = async (name: string, fn: () => Promise<unknown>) => {
  try {
    out[name] = { ok: true, value: await fn() };
  } catch (e) {
    out[name] = { ok: false, error: isApiError(e) ? e.toJSON() : { code: 'THROWN', message: String(e) } };
  }
};
const somaxconn = () => readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim();

out.somaxconnBefore = somaxconn();
await call('status', () => rt.api.helper.status({}));
await call('read', () => rt.api.dns.read({}));
const read = (out.read as { value?: { sha256: string | null } }).value;
await call('save', () => rt.api.dns.save({ text: `nameserver 192.0.2.77\n# saved by ${user}\n`, expectedSha256: read?.sha256 ?? null }));
await call('saveProfile', () => rt.api.kernel.saveProfile({ name: '60-hostdeck-test', settings: [{ key: 'net.core.somaxconn', value: '1234' }], expectedSha256: null }));
await call('apply', () => rt.api.kernel.apply({ settings: [{ key: 'net.core.somaxconn', value: '1234' }, { key: 'net.ipv4.tcp_fin_timeout', value: '17' }] }));
out.somaxconnApplied = somaxconn();
const applied = (out.apply as { value?: { undo: { key: string; previous: string; applied: string | null }[] } }).value;
if (applied) await call('undo', () => rt.api.kernel.undo({ entries: applied.undo }));
out.somaxconnAfterUndo = somaxconn();
// One authorization, several verbs (helper --session through pkexec), each checked as a single call.
await call('session', async () => {
  const s = await openLocalHelperSession({ elevate: true });
  try {
    return [
      await s.call({ verb: 'sysctl-set', settings: [{ key: 'net.core.somaxconn', value: '2345' }] }),
      await s.call({ verb: 'sysctl-set', settings: [{ key: 'kernel.modprobe', value: '/tmp/evil' }] }),
      await s.call({ verb: 'list-backups', path: '/etc/resolv.conf' }),
    ];
  } finally {
    await s.close();
  }
});
out.somaxconnSession = somaxconn();
await rt.dispose();
process.stdout.write(JSON.stringify(out));
