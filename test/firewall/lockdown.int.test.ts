/**
 * Lockdown (firewalld <= 2.1; Debian 12 ships 1.3.3): with Lockdown=yes, writes from senders
 * the lockdown whitelist does not name fail with ACCESS_DENIED. The sandbox's whitelist names
 * only firewall-config, not uid 0 and not our command line, so HostDeck (root) is refused.
 * Needs root and firewalld, dbus, nftables, util-linux.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import { openSession, type FwSession } from './session';

let s: FwSession;
beforeAll(async () => {
  s = await openSession({
    prepareConfig(etc) {
      const conf = join(etc, 'firewalld.conf');
      writeFileSync(conf, readFileSync(conf, 'utf8').replace(/^Lockdown=.*$/m, 'Lockdown=yes'));
      writeFileSync(
        join(etc, 'lockdown-whitelist.xml'),
        '<?xml version="1.0" encoding="utf-8"?>\n<whitelist>\n  <command name="/usr/bin/python3 /usr/bin/firewall-config"/>\n</whitelist>\n',
      );
    },
  });
});
afterAll(async () => {
  await s?.close();
});

describe('lockdown', () => {
  it('is reported in the state', async () => {
    expect(s.sb.firewallCmd('--query-lockdown').trim()).toBe('yes');
    const st = await s.api.state({});
    expect(st.global.lockdown).toBe(true);
    expect(st.config.Lockdown).toBe('yes');
  });

  it('refuses writes with ACCESS_DENIED and a plain message; nothing changes', async () => {
    let err: unknown;
    try {
      await s.api.updateZone({ name: 'public', layer: 'runtime', patch: { add: { ports: [{ port: '8080', protocol: 'tcp' }] } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.code).toBe('ACCESS_DENIED');
    expect(e.message).toBe(
      'firewalld refused adding port 8080/tcp to zone public: lockdown is on and HostDeck is not on the lockdown whitelist (lockdown is enabled) [ACCESS_DENIED]',
    );
    expect(s.words('--zone=public', '--list-ports')).not.toContain('8080/tcp');
    // Permanent writes and global switches are refused the same way, through the envelope too.
    const env = await s.rt.call('firewall.updateZone', { input: { name: 'public', layer: 'permanent', patch: { add: { services: ['http'] } } } });
    expect(env).toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } });
    expect(s.words('--permanent', '--zone=public', '--list-services')).not.toContain('http');
    await expect(s.api.setDefaultZone({ name: 'home' })).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    expect(s.sb.firewallCmd('--get-default-zone').trim()).toBe('public');
  });
});
