/**
 * Runs INSIDE the polkit world (test/helper/support/polkit-sandbox.ts), started as root: two
 * HostDeck configurations of the same desktop user (nobody), each with its own history store,
 * whose writes go through pkexec. The second saves /etc/resolv.conf; the first then reads it (an
 * outside change, as no journal can be read without a prompt) and makes a write of its own
 * through pkexec: that write's answer carries the journal. Prints one JSON object.
 */
import { chownSync, mkdtempSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Runtime } from '../../../electron/api/runtime';
import { allHandlers } from '../../../electron/api/handlers';
import { loadDbus } from '../../../electron/hosts/bus';

const [parentNetns] = process.argv.slice(2) as [string];
if (!parentNetns || readlinkSync('/proc/self/ns/net') === parentNetns) throw new Error('not in a private network namespace');
const work = mkdtempSync(path.join(tmpdir(), 'hostdeck-history-pkexec-'));
chownSync(work, 65534, 65534);
const first = new Runtime({ mode: 'electron', history: { dir: path.join(work, 'first') } });
const second = new Runtime({ mode: 'electron', history: { dir: path.join(work, 'second') } });
// Loaded while still root: the checkout may sit where only root reads (CI's 0700 mktemp).
await allHandlers();
await loadDbus();
process.setgroups!([]);
process.setgid!(65534);
process.setuid!(65534);

const dnsPoints = async () => (await first.api.history.list({ feature: 'dns' })).points.map((p) => ({ kind: p.kind, operation: p.operation, who: p.who, what: p.what }));
const out: Record<string, unknown> = { uid: process.getuid!() };
try {
  out.writes = (await first.api.helper.status({})).via;
  await first.api.dns.read({});
  await first.history!.idle();
  const cur = await second.api.dns.read({});
  await second.api.dns.save({ text: 'nameserver 198.51.100.9\n', expectedSha256: cur.sha256 });
  await second.history!.idle();
  await first.api.dns.read({});
  await first.history!.idle();
  out.beforeWrite = await dnsPoints();
  await first.api.kernel.apply({ settings: [{ key: 'net.core.somaxconn', value: '1111' }] });
  await first.history!.idle();
  out.afterWrite = await dnsPoints();
  out.outsideAfter = (await first.api.history.list({ kind: 'outside', feature: 'dns' })).points.length;
} catch (e) {
  out.error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
}
await first.dispose();
await second.dispose();
process.stdout.write(JSON.stringify(out));
process.exit(0);
