import { describe, expect, it } from 'vitest';
import {
  checkAddress,
  checkInterfaceName,
  checkIpsetEntry,
  checkIpsetOptions,
  checkMac,
  checkName,
  checkPort,
  checkProtocol,
  checkTimeout,
  checkZoneSource,
  normalizePort,
  parseIpsetEntriesFile,
  parseTimeout,
} from '../../shared/firewall/validate';

describe('validate: messages name the value', () => {
  it('ports', () => {
    expect(checkPort('22')).toBeUndefined();
    expect(checkPort('8000-8100')).toBeUndefined();
    expect(checkPort('https')).toBeUndefined();
    expect(checkPort('65536')).toBe('The port "65536" is too big: ports go from 0 to 65535.');
    expect(checkPort('abc')).toBe('"abc" is not a valid port: it is neither a number from 0 to 65535 nor a service name in /etc/services.');
    expect(checkPort('1-99999')).toBe('The port range "1-99999" goes past 65535: ports go from 0 to 65535.');
    expect(checkPort('')).toMatch(/empty/);
    expect(normalizePort('8000-7000')).toBe('7000-8000');
    expect(normalizePort('ssh')).toBe('22');
  });
  it('protocols, addresses, MACs, sources, interfaces', () => {
    expect(checkProtocol('gre')).toBeUndefined();
    expect(checkProtocol('300')).toBe('Protocol number "300" is out of range: protocol numbers go from 0 to 255.');
    expect(checkAddress('10.0.0.0/33', 'ipv4')).toBe('"10.0.0.0/33" is not a valid IPv4 address or network (like 192.0.2.0/24).');
    expect(checkAddress('2001:db8::/32', 'ipv4')).toBe('"2001:db8::/32" is an IPv6 address, but the rule family is ipv4.');
    expect(checkAddress('01.2.3.4', undefined)).toMatch(/not a valid/);
    expect(checkMac('52:54:00:12:34')).toMatch(/"52:54:00:12:34" is not a MAC address/);
    expect(checkZoneSource('ipset:blocked', [{ name: 'blocked', type: 'hash:ip,port,ip' }])).toMatch(/cannot be a zone source/);
    expect(checkZoneSource('ipset:nope', [])).toBe('There is no ipset named "nope".');
    expect(checkZoneSource('10.0.0.0/8')).toBeUndefined();
    expect(checkInterfaceName('a-very-long-interface')).toMatch(/at most 15/);
  });
  it('names', () => {
    expect(checkName('zone', 'public')).toBeUndefined();
    expect(checkName('zone', 'twentycharacterszone')).toBe('The zone name "twentycharacterszone" has 20 characters; firewalld allows at most 17.');
    expect(checkName('zone', 'my zone')).toBe('The zone name "my zone" contains " ": use letters, digits and "_", "-", "/" only.');
    expect(checkName('service', 'a/b')).toMatch(/contains "\/"/);
    expect(checkName('ipset', 'x'.repeat(33))).toMatch(/at most 32/);
  });
  it('timeouts', () => {
    expect(parseTimeout('90')).toBe(90);
    expect(parseTimeout('10m')).toBe(600);
    expect(parseTimeout('2h')).toBe(7200);
    expect(parseTimeout('soon')).toBeUndefined();
    expect(checkTimeout('10m')).toBeUndefined();
    expect(checkTimeout('soon')).toMatch(/"soon" is not a timeout/);
    expect(checkTimeout(0, false)).toMatch(/at least 1 second/);
  });
  it('ipset entries and options', () => {
    expect(checkIpsetEntry('192.0.2.0/24', 'hash:net')).toBeUndefined();
    expect(checkIpsetEntry('192.0.2.1,tcp:80', 'hash:ip,port')).toBeUndefined();
    expect(checkIpsetEntry('192.0.2.1', 'hash:ip,port')).toBe('"192.0.2.1" does not fit an ipset of type hash:ip,port: it needs 2 parts (ip,port) separated by commas.');
    expect(checkIpsetEntry('192.0.2.1', 'hash:net', { family: 'inet6' })).toMatch(/not a valid IPv6 network/);
    expect(checkIpsetEntry('00:00:00:00:00:00', 'hash:mac')).toMatch(/not allowed/);
    expect(checkIpsetOptions('hash:mac', { family: 'inet' })).toBe('An ipset of type hash:mac cannot have a family.');
    expect(checkIpsetOptions('hash:ip', { maxelem: 'lots' })).toMatch(/whole number/);
  });
  it('imports an entries file like firewall-cmd --add-entries-from-file', () => {
    const r = parseIpsetEntriesFile('# blocklist\n192.0.2.1\n\n;comment\n192.0.2.1\n198.51.100.0/24\n300.1.1.1\n  203.0.113.5  \n', 'hash:net', {}, new Set(['203.0.113.5']));
    expect(r.entries).toEqual(['192.0.2.1', '198.51.100.0/24']);
    expect(r.duplicates).toBe(2);
    expect(r.problems).toEqual([{ line: 7, entry: '300.1.1.1', message: '"300.1.1.1" is not a valid IPv4 network (the ipset family is inet).' }]);
  });
});
