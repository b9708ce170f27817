/**
 * A logging DNS responder for the query-plan and live-check tests. Runs only inside a private
 * network namespace (started by the tests through `unshare -n`). Binds UDP and TCP port 53 on
 * 127.0.0.1-127.0.0.5 and ::1, answers NXDOMAIN (or A 192.0.2.1 for names in --exists, REFUSED
 * with --refuse), appends one JSON line per query {server, proto, qname, qtype} to the log, and
 * exits after its lifetime.
 * Usage (bundled by netns.ts): node dns-server.mjs LOG READYFILE LIFETIME_S [--exists a.b.,c.d.] [--refuse]
 */
import { createSocket } from 'node:dgram';
import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { buildResponse, parseMessage } from '../../../shared/dns/wire';

const [log, ready, lifetime = '20', ...rest] = process.argv.slice(2);
if (!log || !ready) throw new Error('usage: dns-server.ts LOG READY [LIFETIME_S]');
const existsArg = rest.indexOf('--exists');
const exists = new Set(existsArg >= 0 ? (rest[existsArg + 1] ?? '').split(',').map((s) => s.toLowerCase()) : []);
const refuse = rest.includes('--refuse');
const addrs = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '::1'];

function answer(server: string, proto: string, msg: Uint8Array): Uint8Array | null {
  try {
    const q = parseMessage(msg);
    if (!q.question) return null;
    appendFileSync(log!, `${JSON.stringify({ server, proto, qname: q.question.name, qtype: q.question.type })}\n`);
    if (refuse) return buildResponse(msg, 5);
    if (exists.has(q.question.name.toLowerCase())) return q.question.type === 1 ? buildResponse(msg, 0, '192.0.2.1') : buildResponse(msg, 0);
    return buildResponse(msg, 3);
  } catch {
    return null;
  }
}

let pending = addrs.length * 2;
const done = () => {
  if (--pending === 0) writeFileSync(ready, 'ready\n');
};
for (const a of addrs) {
  const s = createSocket(a.includes(':') ? 'udp6' : 'udp4');
  s.on('message', (msg, rinfo) => {
    const r = answer(a, 'udp', msg);
    if (r) s.send(r, rinfo.port, rinfo.address);
  });
  s.bind(53, a, done);
  const t = createServer((c) => {
    let buf = Buffer.alloc(0);
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const r = answer(a, 'tcp', buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        if (r) {
          const hdr = Buffer.alloc(2);
          hdr.writeUInt16BE(r.length);
          c.write(Buffer.concat([hdr, Buffer.from(r)]));
        }
      }
    });
    c.on('error', () => undefined);
  });
  t.listen(53, a, done);
}
setTimeout(() => process.exit(0), Number(lifetime) * 1000).unref();
