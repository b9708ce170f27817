import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { timelineText } from '../../electron/history/cli';
import { startFakeHosts, type FakeHosts } from '../support/fake-hosts';

/**
 * History of an SSH host (a fake host: its own namespaces, sshd, a root login): a change through
 * HostDeck is HostDeck's point with the login and the host's name for it, `sysctl -w` and a hand edit of resolv.conf on the
 * host are outside changes, and "back to this point" returns both, checked with the host's own
 * sysctl and cat.
 */
let fh: FakeHosts;
let work: string;
let rt: Runtime;
const H = 'fake1';
const host = () => fh.hosts[0]!;
const tools = () => ({ sysctl: host().exec(['/usr/sbin/sysctl', 'net.core.somaxconn', 'net.ipv4.tcp_fin_timeout']), cat: host().exec(['/bin/cat', '/etc/resolv.conf']) });

beforeAll(async () => {
  fh = await startFakeHosts([{ name: H, firewalld: false, etc: { 'resolv.conf': 'nameserver 192.0.2.53\nsearch example.org\n' }, sysctls: { 'net.core.somaxconn': '1000', 'net.ipv4.tcp_fin_timeout': '30' } }]);
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-history-ssh-'));
  rt = new Runtime({ mode: 'cli', remote: { sshConfig: fh.sshConfig, configDir: path.join(work, 'config') }, history: { dir: path.join(work, 'history') } });
  await rt.api.hosts.add({ destination: H });
}, 120_000);
afterAll(async () => {
  await rt?.dispose();
  await fh?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('history of an SSH host', () => {
  it("HostDeck's change, sysctl -w and a hand edit on the host are the right points; back to the first point, checked with the host's sysctl and cat", async () => {
    const o = { host: H };
    await rt.api.kernel.list({}, o);
    await rt.api.dns.read({}, o);
    const first = (await rt.api.history.list({}, o)).points.at(-1)!;
    const before = tools();

    await rt.api.kernel.apply({ settings: [{ key: 'net.core.somaxconn', value: '1234' }] }, o);
    const change = (await rt.api.history.list({ feature: 'kernel' }, o)).points.at(-1)!;
    expect(change).toMatchObject({ kind: 'change', operation: 'kernel.apply', result: 'applied', who: { login: expect.stringContaining(H) } });
    expect(change.changes).toEqual([{ section: 'sysctl', layer: null, key: 'net.core.somaxconn', from: '1000', to: '1234' }]);
    // The login's own name as the host reports it (the destination is an ssh_config alias), shown by `hostdeck history`.
    const hostUser = host().exec(['/usr/bin/id', '-un']).trim();
    expect(change.who).toMatchObject({ login: expect.stringContaining(H), hostUser });
    expect(hostUser).not.toBe('');
    expect(timelineText([change])).toContain(`as ${change.who!.login} (${hostUser} on the host)`);

    host().exec(['/usr/sbin/sysctl', '-q', '-w', 'net.ipv4.tcp_fin_timeout=17']);
    host().exec(['/bin/sh', '-c', 'printf "nameserver 198.51.100.53\\noptions edns0\\n" > /etc/resolv.conf']);
    await rt.api.kernel.list({}, o);
    await rt.api.dns.read({}, o);
    const outside = (await rt.api.history.list({ kind: 'outside' }, o)).points;
    expect(outside.flatMap((p) => p.changes.map((c) => `${c.key}: ${c.from} → ${c.to}`))).toEqual(expect.arrayContaining(['net.ipv4.tcp_fin_timeout: 30 → 17', expect.stringMatching(/^nameservers: /)]));
    expect(outside.every((p) => p.who === null)).toBe(true);
    const changed = tools();
    expect(changed).not.toEqual(before);

    const r = await rt.api.history.restore({ point: first.id, confirm: true }, o);
    expect(r.results.every((x) => x.ok), JSON.stringify(r.results)).toBe(true);
    expect(tools()).toEqual(before);
    expect((await rt.api.history.list({}, o)).points.at(-1)).toMatchObject({ kind: 'change', operation: 'history.restore', result: 'applied' });
  }, 180_000);
});
