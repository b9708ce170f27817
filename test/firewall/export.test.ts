import { describe, expect, it } from 'vitest';
import { ExportError, shellQuote, zoneToScript, zoneToXml, policyToXml } from '../../shared/firewall/export';
import { policySchema, zoneSchema } from '../../shared/firewall/model';

describe('export', () => {
  it('writes zone XML in firewalld order with escaped text', () => {
    const xml = zoneToXml(zoneSchema.parse({
      name: 'z',
      target: '%%REJECT%%',
      short: 'A & B',
      services: ['ssh', 'ssh'],
      ports: [{ port: '80', protocol: 'tcp' }],
      masquerade: true,
      forwardPorts: [{ port: '22', protocol: 'tcp', toPort: '2222' }],
      richRules: ['rule family="ipv4" source address="10.0.0.0/8" log prefix="x<y" limit value="1/m" accept limit value="2/m"'],
      sources: ['ipset:blocked', '10.0.0.0/8'],
      forward: true,
    }));
    expect(xml).toBe(`<?xml version="1.0" encoding="utf-8"?>
<zone target="%%REJECT%%">
  <short>A &amp; B</short>
  <service name="ssh"/>
  <port port="80" protocol="tcp"/>
  <masquerade/>
  <forward-port port="22" protocol="tcp" to-port="2222"/>
  <rule family="ipv4">
    <source address="10.0.0.0/8"/>
    <log prefix="x&lt;y">
      <limit value="1/m"/>
    </log>
    <accept>
      <limit value="2/m"/>
    </accept>
  </rule>
  <source ipset="blocked"/>
  <source address="10.0.0.0/8"/>
  <forward/>
</zone>
`);
  });

  it('writes policy attributes and zones', () => {
    const xml = policyToXml(policySchema.parse({ name: 'p', priority: -5, target: 'DROP', ingressZones: ['public'], egressZones: ['HOST'] }));
    expect(xml).toContain('<policy priority="-5" target="DROP">');
    expect(xml).toContain('<ingress-zone name="public"/>');
    expect(xml).toContain('<egress-zone name="HOST"/>');
  });

  it('refuses rules it cannot parse', () => {
    expect(() => zoneToXml(zoneSchema.parse({ name: 'z', richRules: ['rule bogus'] }))).toThrow(ExportError);
  });

  it('quotes shell words', () => {
    expect(shellQuote('--add-port=80/tcp')).toBe('--add-port=80/tcp');
    expect(shellQuote(`it's "x"`)).toBe(`'it'\\''s "x"'`);
    expect(shellQuote('')).toBe("''");
    const script = zoneToScript(zoneSchema.parse({ name: 'z', richRules: ['rule service name="ssh" accept'], forward: true }), { create: true });
    expect(script.split('\n')).toEqual([
      '#!/bin/sh',
      '# firewalld zone "z" exported by HostDeck',
      'set -e',
      'firewall-cmd --permanent --new-zone=z',
      `firewall-cmd --permanent --zone=z '--add-rich-rule=rule service name="ssh" accept'`,
      'firewall-cmd --permanent --zone=z --add-forward',
      '',
    ]);
  });
});
