/**
 * Safe apply survives the death of the HostDeck process: `hostdeck serve` (the built CLI, as a
 * user starts it) against the sandboxed firewalld. SIGKILL runs no code, yet the revert the
 * host scheduled through the helper puts the change back by the deadline; SIGHUP (the SSH
 * session that started the server dropped) reverts at once, before the process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFirewalldSandbox, type FirewalldSandbox } from '../support/firewalld-sandbox';
import { rawRequest } from '../support/raw-http';

const cliJs = join(resolve(import.meta.dirname, '../..'), 'out/main/cli.js');
let sb: FirewalldSandbox;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  if (!existsSync(cliJs)) throw new Error(`${cliJs} is missing: run npm run build first`);
  sb = await startFirewalldSandbox();
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await sb?.stop();
});

async function serve(): Promise<{ child: ChildProcess; port: number; token: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [cliJs, 'serve', '--port', '0'], {
    env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: sb.busAddress },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => (children.delete(child), r(code))));
  const line = await new Promise<string>((resolveLine, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolveLine(out);
    });
    void exited.then((code) => reject(new Error(`serve exited ${code}`)));
  });
  const m = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)/.exec(line)!;
  return { child, port: Number(m[1]), token: m[2]!, exited };
}

async function call(port: number, token: string, channel: string, input: unknown) {
  const body = JSON.stringify({ input });
  const r = await rawRequest(
    port,
    [`POST /api/${channel} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Authorization: Bearer ${token}`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'].join('\r\n'),
    body,
    { timeoutMs: 60_000 },
  );
  return JSON.parse(r.body.toString()) as { ok: boolean; result?: { status: string; reasons: string[] }; error?: { code: string; message: string } };
}

const services = () => sb.firewallCmd('--zone=public', '--list-services').trim().split(/\s+/);

async function until(cond: () => boolean, ms: number, what: string) {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('safe apply outlives the process', () => {
  it('SIGKILL: the host reverts the change by the deadline', async () => {
    const { child, port, token, exited } = await serve();
    const r = await call(port, token, 'firewall.safeApply', { change: { type: 'zone', name: 'public', patch: { remove: { services: ['ssh'] } } }, seconds: 6 });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(r.result!.reasons.join(' ')).not.toContain('No revert could be scheduled');
    expect(services()).not.toContain('ssh');
    child.kill('SIGKILL');
    await exited;
    await until(() => services().includes('ssh'), 20_000, 'the host to revert after SIGKILL');
  });

  it('SIGHUP: reverts at once, before the process exits', async () => {
    const { child, port, token, exited } = await serve();
    const r = await call(port, token, 'firewall.safeApply', { change: { type: 'zone', name: 'public', patch: { remove: { services: ['ssh'] } } }, seconds: 600 });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(services()).not.toContain('ssh');
    child.kill('SIGHUP');
    expect(await exited).toBe(129);
    expect(services()).toContain('ssh');
  });
});
