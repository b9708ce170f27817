import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildPodResolvConf, dnsConfigYaml, kubeletParseResolvConf, validatePodDnsConfig } from '../../shared/dns/kubernetes';

const node = '# host\nnameserver 192.0.2.1\nnameserver 192.0.2.2\ndomain ignored.example\nsearch corp.example. svc.cluster.local .\noptions timeout:2\noptions attempts:3 timeout:4\n';

describe('kubelet pod resolv.conf', () => {
  it('parses the host file like the kubelet (domain ignored, dots stripped, options merged by name)', () => {
    expect(kubeletParseResolvConf(node)).toEqual({ nameservers: ['192.0.2.1', '192.0.2.2'], searches: ['corp.example', 'svc.cluster.local'], options: ['timeout:4', 'attempts:3'], errors: [] });
  });
  it('ClusterFirst: cluster DNS only, cluster searches first, de-duplicated, ndots:5 replaces host options', () => {
    const r = buildPodResolvConf({ policy: 'ClusterFirst', namespace: 'shop', clusterDomain: 'cluster.local', clusterDns: ['10.96.0.10'], nodeResolvConf: node });
    expect(r.resolvConf).toBe('search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n');
  });
  it('ClusterFirst on hostNetwork falls back to Default; missing clusterDNS too, with an event', () => {
    expect(buildPodResolvConf({ policy: 'ClusterFirst', hostNetwork: true, namespace: 'a', clusterDns: ['10.0.0.10'], nodeResolvConf: node }).nameservers).toEqual(['192.0.2.1', '192.0.2.2']);
    const r = buildPodResolvConf({ policy: 'ClusterFirst', namespace: 'a', clusterDns: [], nodeResolvConf: node });
    expect(r.effectivePolicy).toBe('host');
    expect(r.events[0]?.reason).toBe('MissingClusterDNS');
    expect(buildPodResolvConf({ policy: 'ClusterFirstWithHostNet', hostNetwork: true, namespace: 'a', clusterDomain: 'c.l', clusterDns: ['10.0.0.10'], nodeResolvConf: node }).nameservers).toEqual(['10.0.0.10']);
  });
  it('Default with --resolv-conf="" uses localhost and the root search', () => {
    const r = buildPodResolvConf({ policy: 'Default', namespace: 'a', nodeResolvConf: null, nodeIpFamilies: [6] });
    expect(r.resolvConf).toBe('search .\nnameserver ::1\n');
  });
  it('None + dnsConfig; merge, trimming and events', () => {
    const r = buildPodResolvConf({
      policy: 'None',
      namespace: 'a',
      nodeResolvConf: node,
      dnsConfig: { nameservers: ['1.1.1.1', '1.1.1.1', '8.8.8.8', '9.9.9.9', '4.4.4.4'], searches: ['x.example', 'x.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] },
    });
    expect(r.nameservers).toEqual(['1.1.1.1', '8.8.8.8', '9.9.9.9']);
    expect(r.searches).toEqual(['x.example']);
    expect(r.options).toEqual(['ndots:2', 'edns0']);
    expect(r.events.map((e) => e.reason)).toEqual(['DNSConfigForming']);
    const long = Array.from({ length: 40 }, (_, i) => `d${i}.${'x'.repeat(60)}.example`);
    const t = buildPodResolvConf({ policy: 'None', namespace: 'a', nodeResolvConf: null, dnsConfig: { nameservers: ['1.1.1.1'], searches: [...long, 'y'.repeat(260)] } });
    expect(t.searches.length).toBeLessThanOrEqual(32);
    expect(t.searches.join(' ').length).toBeLessThanOrEqual(2048);
  });
  it('dnsConfig overrides ClusterFirst options by name', () => {
    const r = buildPodResolvConf({ policy: 'ClusterFirst', namespace: 'a', clusterDomain: 'cluster.local', clusterDns: ['10.96.0.10'], nodeResolvConf: node, dnsConfig: { options: [{ name: 'ndots', value: '1' }] } });
    expect(r.options).toEqual(['ndots:1']);
  });
  it('YAML snippet and validation', () => {
    const y = dnsConfigYaml('None', { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] });
    expect(parse(y)).toEqual({ spec: { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] } } });
    expect(validatePodDnsConfig('None', {})).toContain('spec.dnsConfig.nameservers: required when dnsPolicy is None');
    expect(validatePodDnsConfig('ClusterFirst', { searches: ['Bad_Domain!'] }).length).toBe(1);
  });
});
