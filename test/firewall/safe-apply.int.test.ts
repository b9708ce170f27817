/**
 * Safe apply and the global controls: lock-out detection, automatic revert (also when nobody
 * is there to confirm, and when HostDeck shuts down), confirm + save, panic mode, log-denied.
 * Checked with firewall-cmd. Needs root and firewalld, dbus, nftables, util-linux.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { firewallCmdChecks } from '../support/firewall-cmd-batch';
import { openSession, type FwSession, rejection as apiError } from './session';

let s: FwSession;
beforeAll(async () => {
  // sshd listens on 22 and 2222 on this pretend host.
  s = await openSession({ sshdConfig: 'Port 22\nPort 2222\n' });
  await s.api.state({});
});
afterAll(async () => {
  await s?.close();
});

/** The permanent default zone: DefaultZone= in the sandbox's own firewalld.conf, which firewalld writes. */
function confDefaultZone(): string | undefined {
  return /^DefaultZone=(.*)$/m.exec(readFileSync(join(s.sb.dir, 'etc/firewalld.conf'), 'utf8'))?.[1]?.trim();
}
const runtimeDefaultZone = () => s.sb.firewallCmd('--get-default-zone').trim();
/** Several firewall-cmd checks in one process (firewallCmdChecks): each still is firewall-cmd with its arguments. */
const checks = (...calls: string[][]) => firewallCmdChecks(s.sb, calls);


describe('safeApply.required', () => {
  it('flags changes that could cut the admin off, and only those', async () => {
    const check = (change: Parameters<typeof s.api.safeApplyCheck>[0]['change']) => s.api.safeApplyCheck({ change });
    const ssh = await check({ type: 'zone', name: 'public', patch: { remove: { services: ['ssh'] } } });
    expect(ssh.required).toBe(true);
    expect(ssh.sshPorts).toEqual([22, 2222]);
    // A port range carrying sshd's second port: removing it is risky once the zone has it.
    expect((await check({ type: 'zone', name: 'public', patch: { remove: { ports: [{ port: '2000-3000', protocol: 'tcp' }] } } })).required).toBe(false);
    await s.api.updateZone({ name: 'public', layer: 'runtime', patch: { add: { ports: [{ port: '2000-3000', protocol: 'tcp' }] } } });
    const range = await check({ type: 'zone', name: 'public', patch: { remove: { ports: [{ port: '2000-3000', protocol: 'tcp' }] } } });
    expect(range.reasons).toEqual(['The active zone public (the default zone) carries your SSH session and would no longer allow SSH (port 2222) (removing 2000-3000/tcp).']);
    await s.api.updateZone({ name: 'public', layer: 'runtime', patch: { remove: { ports: [{ port: '2000-3000', protocol: 'tcp' }] } }, acknowledgeRisk: true });
    expect((await check({ type: 'zone', name: 'public', patch: { target: 'DROP' } })).required).toBe(true);
    expect((await check({ type: 'zone', name: 'public', patch: { target: '%%REJECT%%' } })).required).toBe(true);
    expect((await check({ type: 'panic', enabled: true })).required).toBe(true);
    // Harmless: adding things, a zone nobody uses, a UDP port.
    expect((await check({ type: 'zone', name: 'public', patch: { add: { services: ['http'] } } })).required).toBe(false);
    expect((await check({ type: 'zone', name: 'block', patch: { remove: { services: ['ssh'] } } })).required).toBe(false);
    expect((await check({ type: 'zone', name: 'public', patch: { remove: { ports: [{ port: '22', protocol: 'udp' }] } } })).required).toBe(false);
    // Moving an interface into a zone that does not let SSH in.
    expect((await check({ type: 'zone', name: 'drop', patch: { add: { interfaces: ['eth0'] } } })).required).toBe(true);
    expect((await check({ type: 'zone', name: 'work', patch: { add: { interfaces: ['eth0'] } } })).required).toBe(false);
  });

  it('refuses a risky runtime change sent without safe apply', async () => {
    const e = await apiError(s.api.updateZone({ name: 'public', layer: 'runtime', patch: { remove: { services: ['ssh'] } } }));
    expect(e.code).toBe('NEEDS_CONFIRMATION');
    expect(s.words('--zone=public', '--list-services')).toContain('ssh');
    // A default zone that does not let SSH in: interfaces nobody bound would lose it.
    const dz = await apiError(s.api.setDefaultZone({ name: 'drop' }));
    expect(dz.code).toBe('NEEDS_CONFIRMATION');
    expect(dz.message).toContain('The new default zone drop does not let SSH (port 22, 2222) in');
    expect(s.sb.firewallCmd('--get-default-zone').trim()).toBe('public');
    const p = await apiError(s.api.setPanicMode({ enabled: true }));
    expect(p.code).toBe('NEEDS_CONFIRMATION');
    expect(s.sb.firewallCmdRaw('--query-panic').status).not.toBe(0);
  });
});

describe('safe apply', () => {
  it('reverts by itself when nobody confirms', async () => {
    const session = await s.api.safeApply({ change: { type: 'zone', name: 'public', patch: { remove: { services: ['ssh'] } } }, seconds: 5 });
    expect(session.status).toBe('pending');
    expect(session.reasons.join(' ')).toMatch(/ssh/);
    // The host itself also holds a revert (the helper's timer), not only this process.
    expect(session.reasons.join(' ')).not.toContain('No revert could be scheduled');
    expect(s.words('--zone=public', '--list-services')).not.toContain('ssh');
    // Nobody calls confirm: the Node side reverts on its own.
    await s.until(() => s.words('--zone=public', '--list-services').includes('ssh'), 9000, 'the automatic revert');
    await s.until(() => s.events.some((e) => e.name === 'firewall.safeApplyChanged' && e.payload.id === session.id && e.payload.status === 'reverted'), 1000, 'reverted event');
    expect((await s.api.safeApplyStatus({})).sessions.find((x) => x.id === session.id)?.status).toBe('reverted');
    // Confirming afterwards is refused: the change is gone.
    expect((await apiError(s.api.safeApplyConfirm({ id: session.id }))).code).toBe('CONFLICT');
    expect(s.words('--permanent', '--zone=public', '--list-services')).toContain('ssh');
  });

  it('keeps and saves the change when confirmed in time', async () => {
    const session = await s.api.safeApply({
      change: { type: 'zone', name: 'public', patch: { remove: { services: ['ssh'] }, add: { ports: [{ port: '2222', protocol: 'tcp' }] } } },
      seconds: 60,
    });
    const done = await s.api.safeApplyConfirm({ id: session.id });
    expect(done.status).toBe('confirmed');
    const [rt, perm, permPorts] = await checks(['--zone=public', '--list-services'], ['--permanent', '--zone=public', '--list-services'], ['--permanent', '--zone=public', '--list-ports']);
    expect(rt!.words).not.toContain('ssh');
    expect(perm!.words).not.toContain('ssh');
    expect(permPorts!.words).toContain('2222/tcp');
    // Put ssh back (not risky: adding).
    await s.api.updateZone({ name: 'public', layer: 'runtime', patch: { add: { services: ['ssh'] }, remove: { ports: [{ port: '2222', protocol: 'tcp' }] } }, acknowledgeRisk: true });
    await s.api.updateZone({ name: 'public', layer: 'permanent', patch: { add: { services: ['ssh'] }, remove: { ports: [{ port: '2222', protocol: 'tcp' }] } } });
  });

  it('safe-applies a zone target (permanent + reload) and reverts it', async () => {
    const session = await s.api.safeApply({ change: { type: 'zone', name: 'public', patch: { target: 'DROP' } }, seconds: 60 });
    expect(s.sb.firewallCmd('--info-zone=public')).toMatch(/target: DROP/);
    const reverted = await s.api.safeApplyRevert({ id: session.id });
    expect(reverted.status).toBe('reverted');
    const [info, target] = await checks(['--info-zone=public'], ['--permanent', '--zone=public', '--get-target']);
    expect(info!.ok(info!.stdout)).toMatch(/target: default/);
    expect(target!.ok(target!.stdout).trim()).toBe('default');
  });

  it('safe-applies a risky default zone and restores runtime and firewalld.conf by itself', async () => {
    expect(runtimeDefaultZone()).toBe('public');
    expect(confDefaultZone()).toBe('public');
    const check = await s.api.safeApplyCheck({ change: { type: 'defaultZone', name: 'drop' } });
    expect(check.required).toBe(true);
    const session = await s.api.safeApply({ change: { type: 'defaultZone', name: 'drop' }, seconds: 5 });
    expect(session.status).toBe('pending');
    expect(session.summary).toBe('Default zone public → drop (runtime and firewalld.conf)');
    expect(session.reasons.join(' ')).toContain('The new default zone drop does not let SSH');
    // Applied to both layers at once, as firewalld does.
    expect(runtimeDefaultZone()).toBe('drop');
    await s.until(() => confDefaultZone() === 'drop', 3000, 'firewalld.conf to say drop');
    // Nobody confirms: the Node side puts the old zone back, in runtime and in firewalld.conf.
    await s.until(() => runtimeDefaultZone() === 'public', 9000, 'the automatic revert of the default zone');
    await s.until(() => confDefaultZone() === 'public', 3000, 'firewalld.conf to say public again');
    await s.until(() => s.events.some((e) => e.name === 'firewall.safeApplyChanged' && e.payload.id === session.id && e.payload.status === 'reverted'), 1000, 'reverted event');
    await s.until(async () => (await s.api.state({})).global.defaultZone === 'public', 2000, 'the state to follow');
    expect((await apiError(s.api.safeApplyConfirm({ id: session.id }))).code).toBe('CONFLICT');
  });

  // One test for both: the panic session's own countdown is the wait past the confirmed one's
  // (a 6 s sleep of its own before).
  it('keeps a safe-applied default zone when confirmed, and turns panic mode off again by itself', async () => {
    const session = await s.api.safeApply({ change: { type: 'defaultZone', name: 'work' }, seconds: 5 });
    expect(runtimeDefaultZone()).toBe('work');
    expect((await s.api.safeApplyConfirm({ id: session.id })).status).toBe('confirmed');
    // Started after the confirmed one, with the same 5 s: nobody confirms, it reverts by itself.
    const panic = await s.api.safeApply({ change: { type: 'panic', enabled: true }, seconds: 5 });
    expect(s.sb.firewallCmdRaw('--query-panic').status).toBe(0);
    expect(panic.status).toBe('pending');
    await s.until(() => s.sb.firewallCmdRaw('--query-panic').status !== 0, 9000, 'panic off');
    await s.until(async () => !(await s.api.state({})).global.panicMode, 1000, 'panic off in state');
    // Past the confirmed one's countdown (by 1 s, as before; normally passed already): nothing reverted it.
    const rest = session.deadline + 1000 - Date.now();
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    expect(runtimeDefaultZone()).toBe('work');
    expect(confDefaultZone()).toBe('work');
    expect((await s.api.safeApplyStatus({})).sessions.find((x) => x.id === session.id)?.status).toBe('confirmed');
    await s.api.setDefaultZone({ name: 'public' });
    expect(runtimeDefaultZone()).toBe('public');
  });

  it('refuses a safe-applied default zone that does not exist or is already the default', async () => {
    expect((await apiError(s.api.safeApply({ change: { type: 'defaultZone', name: 'nosuch' }, seconds: 5 }))).code).toBe('NOT_FOUND');
    expect((await apiError(s.api.safeApply({ change: { type: 'defaultZone', name: 'public' }, seconds: 5 }))).code).toBe('INVALID_INPUT');
    expect(runtimeDefaultZone()).toBe('public');
  });

  it('reverts pending changes when HostDeck shuts down', async () => {
    const rt = new Runtime({ mode: 'cli', local: { root: s.root, systemBusAddress: s.sb.busAddress } });
    const session = await rt.api.firewall.safeApply({
      change: { type: 'zone', name: 'public', patch: { remove: { services: ['dhcpv6-client'] } } },
      seconds: 600,
    });
    expect(session.status).toBe('pending');
    expect(s.words('--zone=public', '--list-services')).not.toContain('dhcpv6-client');
    await rt.dispose();
    expect(s.words('--zone=public', '--list-services')).toContain('dhcpv6-client');
  });
});

describe('global controls', () => {
  it('log denied asks first when a reload would drop runtime changes, then sets it', async () => {
    await s.api.updateZone({ name: 'home', layer: 'runtime', patch: { add: { services: ['http'] } } });
    expect((await apiError(s.api.setLogDenied({ value: 'all' }))).code).toBe('NEEDS_CONFIRMATION');
    expect(s.sb.firewallCmd('--get-log-denied').trim()).toBe('off');
    await s.api.setLogDenied({ value: 'unicast', confirm: true });
    expect(s.sb.firewallCmd('--get-log-denied').trim()).toBe('unicast');
    const st = await s.api.state({});
    expect(st.global.logDenied).toBe('unicast');
    expect(st.config.LogDenied).toBe('unicast');
    // setLogDenied reloads (firewalld #1115): the runtime-only service is gone, as warned.
    expect(s.words('--zone=home', '--list-services')).not.toContain('http');
    await s.api.setLogDenied({ value: 'off' });
  });

  it('panic mode with confirmation', async () => {
    await s.api.setPanicMode({ enabled: true, confirm: true });
    expect(s.sb.firewallCmdRaw('--query-panic').status).toBe(0);
    expect((await s.api.state({})).global.panicMode).toBe(true);
    await s.api.setPanicMode({ enabled: false });
    expect(s.sb.firewallCmdRaw('--query-panic').status).not.toBe(0);
  });
});
