/**
 * A HostDeck that keeps its helper (as the app does) and is then killed: makes one change on the
 * image ROOT, prints the kept helper's pid, and waits to be killed.
 */
import { keepHelperSessions } from '../../../electron/helper/kept-session';
import { ImageTransport } from '../../../electron/hosts/image';

const root = process.argv[2]!;
keepHelperSessions(60);
const t = new ImageTransport({ root });
const a = await t.helper({ verb: 'write-file', path: '/etc/resolv.conf', content: Buffer.from('nameserver 192.0.2.7\n').toString('base64'), expectedSha256: null }, { elevate: true });
process.stdout.write(`${JSON.stringify({ ok: a.ok, pid: (t as unknown as { helperSessions: { pid: number | null } }).helperSessions.pid })}\n`);
setInterval(() => undefined, 60_000);
