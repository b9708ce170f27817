/**
 * firewalld not running, started later, restarted mid-session and reloaded: the client follows
 * NameOwnerChanged, authorizes again, re-reads and keeps receiving signals. Own file: these
 * tests stop and start the daemon. Needs root and firewalld, dbus, nftables, util-linux.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import { Runtime } from '../../electron/api/runtime';
import { openSession, type FwSession } from './session';

let s: FwSession;

beforeAll(async () => {
  // Only the bus: firewalld is started by the tests.
  s = await openSession({ withoutFirewalld: true });
});
afterAll(async () => {
  await s?.close();
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return String((e as ApiError).code);
  }
  throw new Error('expected a rejection');
}

describe('lifecycle', () => {
  it('reports a missing bus as FIREWALLD_NOT_RUNNING', async () => {
    const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: `unix:path=${s.sb.dir}/no-such.sock` } });
    try {
      const st = await rt.api.firewall.status({});
      expect(st).toMatchObject({ running: false, errorCode: 'FIREWALLD_NOT_RUNNING' });
      expect(await code(rt.api.firewall.state({}))).toBe('FIREWALLD_NOT_RUNNING');
    } finally {
      await rt.dispose();
    }
  });

  it('knows firewalld is not running, and that systemd is not there to start it', async () => {
    const st = await s.api.status({});
    expect(st.running).toBe(false);
    expect(st.errorCode).toBe('FIREWALLD_NOT_RUNNING');
    expect(st.reason).toMatch(/not running/);
    // Known stopped, the host's reads answer from its configuration files, and say so (#16).
    const files = await s.api.state({});
    expect(files.offline).toBeDefined();
    // The sandbox bus has no systemd: the start request fails with a clear error, not a hang.
    const e = await s.api.startFirewalld({}).catch((x: unknown) => x as ApiError);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('UNSUPPORTED');
    expect((e as ApiError).message).toMatch(/systemd/);
  });

  it('notices firewalld starting later and loads its state', async () => {
    const before = s.events.length;
    await s.sb.startFirewalld();
    await s.until(() => s.events.slice(before).some((e) => e.name === 'firewall.statusChanged' && e.payload.running), 5000, 'statusChanged running');
    const st = await s.api.state({});
    expect(st.global.defaultZone).toBe('public');
    s.sb.firewallCmd('--zone=public', '--add-port=1111/tcp');
    // Only a signal brings the port in (nothing polls firewalld), so a longer wait cannot pass
    // without one; 1 s failed at load 30 once the sandbox's start stopped adding seconds of firewall-cmd polls.
    await s.until(async () => (await s.api.state({})).runtime.zones.public!.ports.some((p) => p.port === '1111'), 15_000, 'signal after start');
  });

  it('reconnects after a restart mid-session and still receives signals', async () => {
    const before = s.events.length;
    const oldPid = s.sb.firewalldPid();
    await s.sb.restartFirewalld();
    expect(s.sb.firewalldPid()).not.toBe(oldPid);
    // Seen going away and coming back.
    await s.until(() => s.events.slice(before).some((e) => e.name === 'firewall.statusChanged' && !e.payload.running), 5000, 'statusChanged stopped');
    // The whole state read again: up to the project's poll time-out, as the sandbox's restart now
    // returns as soon as the new daemon says RUNNING (it used to add seconds of firewall-cmd polls).
    await s.until(() => s.events.slice(before).some((e) => e.name === 'firewall.reloaded'), 15_000, 'state re-read after restart');
    // The restart dropped the runtime-only port; our state says so too.
    expect((await s.api.state({})).runtime.zones.public!.ports.some((p) => p.port === '1111')).toBe(false);
    // Signals from the new instance arrive (dbus-next 0.10.2 lost them here).
    s.sb.firewallCmd('--zone=public', '--add-port=2222/tcp');
    await s.until(async () => (await s.api.state({})).runtime.zones.public!.ports.some((p) => p.port === '2222'), 15_000, 'signal after restart');
    // And writes work (authorized again with the new instance).
    await s.api.updateZone({ name: 'public', layer: 'runtime', patch: { add: { services: ['http'] } } });
    expect(s.words('--zone=public', '--list-services')).toContain('http');
  });

  it('re-resolves permanent object paths after a reload renumbers them', async () => {
    await s.api.state({});
    // A new zone sorting before "public" shifts the index of every later zone on reload.
    await s.api.createZone({ name: 'aaa-first', settings: { short: 'first' } });
    await s.api.reload({ confirm: true });
    await s.api.updateZone({ name: 'public', layer: 'permanent', patch: { add: { ports: [{ port: '3333', protocol: 'tcp' }] } } });
    expect(s.words('--permanent', '--zone=public', '--list-ports')).toContain('3333/tcp');
    expect(s.words('--permanent', '--zone=aaa-first', '--list-ports')).not.toContain('3333/tcp');
    const st = await s.api.state({});
    expect(st.permanent.zones.public!.ports).toContainEqual({ port: '3333', protocol: 'tcp' });
    expect(st.runtime.zones['aaa-first']).toBeDefined();
  });

  it('reports firewalld stopping while the session is open', async () => {
    await s.sb.stopFirewalld();
    await s.until(async () => !(await s.api.status({})).running, 3000, 'status not running');
    expect(await code(s.api.updateZone({ name: 'public', layer: 'runtime', patch: { add: { services: ['https'] } } }))).toBe(
      'FIREWALLD_NOT_RUNNING',
    );
  });
});
