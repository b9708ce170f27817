import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Message, type MessageBus } from '@jellybrick/dbus-next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { connectBus } from '../../electron/hosts/bus';

// Issue #19: a host has one bus connection, owned by its transport and closed with it; the
// features (firewalld client, systemd-resolved) use it instead of opening their own. Checked
// from the bus daemon's side: a private dbus-daemon (session config, socket in a temp dir)
// tells which connections come and go.

let dir: string;
let daemon: ChildProcess;
let address: string;
let observer: MessageBus;
/** Unique names that connected / disconnected since the observer started. */
const came: string[] = [];
const went: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hostdeck-hosts-bus-'));
  address = `unix:path=${join(dir, 'bus')}`;
  daemon = spawn('dbus-daemon', ['--session', `--address=${address}`, '--nofork', '--nopidfile'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(join(dir, 'bus')); i++) await new Promise((r) => setTimeout(r, 50));
  observer = await connectBus(address);
  observer.on('message', (m: Message) => {
    if (m.member !== 'NameOwnerChanged') return;
    const [name, oldOwner, newOwner] = m.body as [string, string, string];
    if (!name.startsWith(':') || name === observer.name) return;
    if (newOwner && !oldOwner) came.push(name);
    if (oldOwner && !newOwner) went.push(name);
  });
  await observer.call(
    new Message({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'AddMatch', signature: 's', body: ["type='signal',interface='org.freedesktop.DBus',member='NameOwnerChanged'"] }),
  );
});

afterAll(() => {
  observer?.disconnect();
  daemon?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

describe("a host's system bus", () => {
  it('is one connection, shared by the firewall and DNS pages, and closed with the host', async () => {
    const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: address }, remote: { configDir: join(dir, 'config') } });
    const host = rt.hosts.get('local');
    try {
      const bus = await host.transport.systemBus();
      expect(await host.transport.systemBus()).toBe(bus);
      // firewalld and systemd-resolved are not on this bus: each page says so, on the same connection.
      const fw = await rt.api.firewall.status({});
      expect(fw).toMatchObject({ running: false, busAddress: address });
      const resolved = await rt.api.dns.resolved({});
      expect(resolved.available).toBe(false);
      expect(resolved.reason).toMatch(/systemd-resolved is not running/);
      await until('our connection to show up', () => came.includes(bus.name!));
      expect(came).toEqual([bus.name]);
    } finally {
      await rt.dispose();
    }
    await until('the connection to close with the host', () => went.length === 1);
    expect(went).toEqual(came);
  });

  it('is opened again after it closed (a restarted bus, a dropped bridge), and the next reader gets the new one', async () => {
    const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: address }, remote: { configDir: join(dir, 'config') } });
    const host = rt.hosts.get('local');
    try {
      const first = await host.transport.systemBus();
      first.disconnect();
      await until('the first connection to go', () => went.includes(first.name!));
      const second = await host.transport.systemBus();
      expect(second).not.toBe(first);
      expect(second.name).not.toBe(first.name);
      expect((await rt.api.dns.resolved({})).reason).toMatch(/systemd-resolved is not running/);
    } finally {
      await rt.dispose();
    }
  });
});
