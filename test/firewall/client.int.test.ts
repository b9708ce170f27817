/**
 * The firewalld client and the state read: against a real firewalld 1.3.3 in its sandbox,
 * every fact checked independently with firewall-cmd. Needs root and the Debian packages
 * firewalld, dbus, nftables, util-linux.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIdempotentOutcome } from '../../electron/firewall/errors';
import { firewallService } from '../../electron/firewall/service';
import { firewallCmdChecks } from '../support/firewall-cmd-batch';
import { openSession, type FwSession, rejection as rejects } from './session';

let s: FwSession;
const svc = () => firewallService({ host: s.rt.hosts.get('local'), events: s.rt.events });

beforeAll(async () => {
  s = await openSession();
});
afterAll(async () => {
  await s?.close();
});


describe('full state read', () => {
  it('matches what firewall-cmd reports, runtime and permanent', async () => {
    const st = await s.api.state({});
    const zones = ['public', 'work', 'drop'];
    const [version, rtZones, pZones, rtServices, pServices, icmptypes, helpers, policies, ipsets, defaultZone, logDenied, ...perZone] = await firewallCmdChecks(s.sb, [
      ['--version'],
      ['--get-zones'],
      ['--permanent', '--get-zones'],
      ['--get-services'],
      ['--permanent', '--get-services'],
      ['--get-icmptypes'],
      ['--get-helpers'],
      ['--get-policies'],
      ['--get-ipsets'],
      ['--get-default-zone'],
      ['--get-log-denied'],
      ...zones.flatMap((zone) => [[`--zone=${zone}`, '--list-services'], ['--permanent', `--zone=${zone}`, '--get-target']]),
    ]);
    expect(st.daemon.version).toBe(version!.ok(version!.stdout.trim()));
    expect(st.daemon.state).toBe('RUNNING');
    expect(Object.keys(st.runtime.zones).sort()).toEqual(rtZones!.words.sort());
    expect(Object.keys(st.permanent.zones).sort()).toEqual(pZones!.words.sort());
    expect(Object.keys(st.runtime.services).sort()).toEqual(rtServices!.words.sort());
    expect(Object.keys(st.permanent.services).sort()).toEqual(pServices!.words.sort());
    expect(Object.keys(st.runtime.icmptypes).sort()).toEqual(icmptypes!.words.sort());
    expect(Object.keys(st.runtime.helpers).sort()).toEqual(helpers!.words.sort());
    expect(Object.keys(st.runtime.policies).sort()).toEqual(policies!.words.sort());
    expect(Object.keys(st.runtime.ipsets).sort()).toEqual(ipsets!.words.sort());
    expect(st.global.defaultZone).toBe(defaultZone!.ok(defaultZone!.stdout.trim()));
    expect(st.global.logDenied).toBe(logDenied!.ok(logDenied!.stdout.trim()));
    expect(st.global.panicMode).toBe(false);
    zones.forEach((zone, i) => {
      const [services, target] = [perZone[2 * i]!, perZone[2 * i + 1]!];
      expect(st.runtime.zones[zone]!.services.sort()).toEqual(services.words.sort());
      expect(st.permanent.zones[zone]!.target).toBe(target.ok(target.stdout.trim()));
    });
    // Permanent objects say where they come from.
    expect(st.permanent.zones.public!.meta).toMatchObject({ builtin: true, filename: 'public.xml' });
    // firewalld.conf as the daemon reports it.
    expect(st.config.FirewallBackend).toBe('nftables');
    expect(st.config.LogDenied).toBe('off');
    const ssh = st.runtime.services.ssh!;
    expect(ssh.ports).toEqual([{ port: '22', protocol: 'tcp' }]);
    expect(st.runtime.helpers.ftp!.ports).toEqual([{ port: '21', protocol: 'tcp' }]);
    expect(st.runtime.icmptypes['neighbour-advertisement']!.destinations).toEqual(['ipv6']);
    expect(st.runtime.policies['allow-host-ipv6']!.egressZones).toEqual(['HOST']);
  });

  it('keeps at most 16 calls in flight (dbus-daemon allows 128 pending replies)', async () => {
    const c = svc().client;
    const results = await Promise.all(Array.from({ length: 300 }, () => c.call('.getDefaultZone')));
    expect(results).toHaveLength(300);
    expect(c.peakInFlight).toBeLessThanOrEqual(16);
    expect(c.peakInFlight).toBeGreaterThan(1);
  });
});

describe('changes made with firewall-cmd reach our state through signals', () => {
  it('runtime port, service, rich rule and interface', async () => {
    const before = s.events.length;
    s.sb.firewallCmd('--zone=public', '--add-port=4711/tcp');
    s.sb.firewallCmd('--zone=public', '--add-service=http');
    s.sb.firewallCmd('--zone=public', '--add-rich-rule=rule family="ipv4" source address="192.0.2.0/24" service name="ssh" accept');
    s.sb.firewallCmd('--zone=work', '--add-interface=fwtest0');
    // "within a second": read the in-memory state (no refresh), 1 s budget.
    await s.until(async () => {
      const st = await s.api.state({});
      const pub = st.runtime.zones.public!;
      return (
        pub.ports.some((p) => p.port === '4711' && p.protocol === 'tcp') &&
        pub.services.includes('http') &&
        pub.richRules.some((r) => r.includes('192.0.2.0/24')) &&
        st.runtime.zones.work!.interfaces.includes('fwtest0') &&
        st.global.activeZones.work?.interfaces.includes('fwtest0')
      );
    }, 1000, 'runtime changes to arrive');
    const pushed = s.events.slice(before);
    expect(pushed.some((e) => e.name === 'firewall.objectChanged' && e.payload.layer === 'runtime' && e.payload.change.name === 'public')).toBe(true);
    expect(pushed.some((e) => e.name === 'firewall.globalChanged')).toBe(true);
  });

  it('permanent edits, default zone, policies and ipset entries', async () => {
    s.sb.firewallCmd('--permanent', '--zone=home', '--add-port=5353/udp');
    s.sb.firewallCmd('--permanent', '--new-service=hd-test');
    s.sb.firewallCmd('--set-default-zone=work');
    s.sb.firewallCmd('--policy=allow-host-ipv6', '--add-service=ssh');
    await s.until(async () => {
      const st = await s.api.state({});
      return (
        st.permanent.zones.home!.ports.some((p) => p.port === '5353' && p.protocol === 'udp') &&
        st.permanent.services['hd-test'] !== undefined &&
        st.global.defaultZone === 'work' &&
        st.runtime.policies['allow-host-ipv6']!.services.includes('ssh')
      );
    }, 1000, 'permanent/global changes to arrive');
    s.sb.firewallCmd('--set-default-zone=public');

    // A new ipset reaches runtime through a reload: our state follows the Reloaded signal.
    s.sb.firewallCmd('--permanent', '--new-ipset=hd-block', '--type=hash:net');
    s.sb.firewallCmd('--reload');
    await s.until(async () => (await s.api.state({})).runtime.ipsets['hd-block'] !== undefined, 3000, 'the ipset after reload');
    s.sb.firewallCmd('--ipset=hd-block', '--add-entry=198.51.100.0/24');
    s.sb.firewallCmd('--ipset=hd-block', '--add-entry=203.0.113.7');
    await s.until(async () => (await s.api.state({})).runtime.ipsets['hd-block']!.entryCount === 2, 1000, 'entry signals');
    const page = await s.api.ipsetEntries({ name: 'hd-block', layer: 'runtime', filter: '198.51.100.9' });
    expect(page.entries).toEqual(['198.51.100.0/24']);
    // Entry signals come one per entry: the event is debounced (at most every 200 ms).
    await s.until(() => s.events.some((e) => e.name === 'firewall.ipsetEntriesChanged' && e.payload.name === 'hd-block' && e.payload.entryCount === 2), 1000, 'the entries event');
    expect(s.events.some((e) => e.name === 'firewall.reloaded')).toBe(true);
  });
});

describe('errors', () => {
  it('maps firewalld codes, code-less errors and idempotent outcomes', async () => {
    const c = svc().client;
    // firewalld 1.3.3 answers a non-numeric port without a code (reference §8).
    const unknown = await rejects(c.call('zone.addPort', ['public', 'abc', 'tcp', 0]));
    expect(unknown.code).toBe('UNKNOWN');
    const invalidZone = await rejects(c.call('zone.addService', ['no-such-zone', 'ssh', 0]));
    expect(invalidZone.code).toBe('FIREWALLD_ERROR');
    expect((invalidZone.detail as { firewalldCode: string }).firewalldCode).toBe('INVALID_ZONE');
    expect(invalidZone.message).toContain('INVALID_ZONE');
    await c.call('zone.addPort', ['public', '6000', 'tcp', 0]);
    const again = await rejects(c.call('zone.addPort', ['public', '6000', 'tcp', 0]));
    expect((again.detail as { firewalldCode: string }).firewalldCode).toBe('ALREADY_ENABLED');
    expect(isIdempotentOutcome(again)).toBe(true);
    // Through the API the same port twice is simply done (idempotent intent).
    const r = await s.api.updateZone({ name: 'public', layer: 'runtime', patch: { add: { ports: [{ port: '6000', protocol: 'tcp' }] } } });
    expect(r.object.ports).toContainEqual({ port: '6000', protocol: 'tcp' });
  });

  it('refuses bad input before sending it', async () => {
    const e = await rejects(s.api.updateZone({ name: 'public', layer: 'runtime', patch: { add: { ports: [{ port: '99999', protocol: 'tcp' }] } } }));
    expect(e.code).toBe('INVALID_PORT');
    expect(e.message).toContain('99999');
    const e2 = await rejects(s.api.updateZone({ name: 'public', layer: 'runtime', patch: { add: { sources: ['10.0.0.0/33'] } } }));
    expect(e2.code).toBe('INVALID_VALUE');
    const e3 = await rejects(s.api.updateZone({ name: 'public', layer: 'runtime', patch: { add: { richRules: ['rule service name="ssh" acept'] } } }));
    expect(e3.code).toBe('INVALID_VALUE');
    expect(s.sb.firewallCmd('--zone=public', '--list-ports')).not.toContain('99999');
  });

  it('reports PANIC_MODE while panic mode is on', async () => {
    s.sb.firewallCmd('--panic-on');
    try {
      await s.until(async () => (await s.api.state({})).global.panicMode, 1000, 'panic signal');
      const e = await rejects(s.api.updateZone({ name: 'public', layer: 'runtime', patch: { add: { ports: [{ port: '7001', protocol: 'tcp' }] } } }));
      expect(e.code).toBe('PANIC_MODE');
    } finally {
      s.sb.firewallCmd('--panic-off');
    }
    await s.until(async () => !(await s.api.state({})).global.panicMode, 1000, 'panic off signal');
  });

  it('maps polkit denial to NOT_AUTHORIZED (an unprivileged process, no polkit on the bus)', () => {
    // The probe loads its code as root (the checkout may sit in a directory nobody else can
    // read), then drops to nobody before it connects: the bus authenticates the socket's uid.
    chmodSync(s.sb.dir, 0o755);
    const script = join(s.root, 'probe.mjs');
    const url = new URL('../support/firewall-status.ts', import.meta.url).pathname;
    writeFileSync(
      script,
      `import { readFirewallStatus, preloadBus } from ${JSON.stringify(url)};\n` +
        `await preloadBus();\n` +
        `process.setgroups([]); process.setgid(65534); process.setuid(65534);\n` +
        `console.log(JSON.stringify(await readFirewallStatus(${JSON.stringify(s.sb.busAddress)})));\n`,
    );
    const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
    const r = spawnSync(tsx, [script], {
      encoding: 'utf8',
      env: { ...process.env, HOME: '/tmp', TSX_TSCONFIG_PATH: '' },
      timeout: 60_000,
    });
    const status = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { running: boolean; errorCode?: string };
    expect(status, r.stderr).toMatchObject({ running: false, errorCode: 'NOT_AUTHORIZED' });
  });
});
