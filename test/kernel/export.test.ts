import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { k8sRows } from '../../shared/kernel/k8s-table';
import { k8sVersions } from '../../shared/kernel/version';
import { parseAllDocuments } from 'yaml';
import { ACK_SANDBOX_ANNOTATION, exportPart, exportSnippets, exportStream, sandboxVerdict } from '../../shared/kernel/export';
import { parseObjects, validateCluster } from './support/apiserver';
import { k8sObjectSchema, kubeletConfigSchema } from './support/k8s-schema';

const target = { k8s: '1.33', kernel: '6.1' };
type Pod = { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec: Record<string, unknown> & { securityContext?: { sysctls: { name: string; value: string }[] } } };
const byKind = (text: string, kind: string) => parseObjects(text).find((o) => o.kind === kind) as unknown as Pod;

/** The node labels and allowlist a cluster gets from the kubelet export (flags document). */
function kubeletSide(flags: string): { allowedUnsafe: string[]; nodeLabels: Record<string, string> } {
  const allowed = /--allowed-unsafe-sysctls='([^']*)'/.exec(flags)![1]!.split(',');
  const [k, v] = /--node-labels='([^']*)'/.exec(flags)![1]!.split('=');
  return { allowedUnsafe: allowed, nodeLabels: { [k!]: v! } };
}

describe('exports are checked before they are written', () => {
  it('a misspelled key stays out of the node file and is reported with the likely key', () => {
    const r = exportSnippets('node', [{ key: 'vm.swapiness', value: '10' }, { key: 'vm.max_map_count', value: '262144' }], { ...target, name: '90-hostdeck' });
    const conf = r.documents[0]!;
    expect(conf.text).toContain('vm.max_map_count = 262144');
    expect(conf.text).not.toContain('swapiness');
    expect(r.problems).toEqual([expect.objectContaining({ key: 'vm.swapiness', severity: 'error', index: 1 })]);
    expect(r.problems[0]!.message).toContain('did you mean vm.swappiness?');
  });

  it('a key set twice goes into the pod once (last wins, as sysctl.d); an invalid value is left out, never duplicated', () => {
    const twice = exportSnippets('kubelet', [{ key: 'net.core.somaxconn', value: 'abc' }, { key: 'net.ipv4.tcp_syncookies', value: '1' }, { key: 'net.core.somaxconn', value: '4096' }], target);
    const pod = byKind(twice.documents.find((d) => d.title.startsWith('Pod'))!.text, 'Pod');
    expect(pod.spec.securityContext!.sysctls).toEqual([
      { name: 'net.ipv4.tcp_syncookies', value: '1' },
      { name: 'net.core.somaxconn', value: '4096' },
    ]);
    expect(twice.problems.map((p) => [p.key, p.severity])).toEqual([['net.core.somaxconn', 'warning']]);
    expect(twice.problems[0]!.message).toMatch(/set more than once.*last one wins/);
    const flags = twice.documents.find((d) => d.title === 'kubelet flags')!.text;
    expect(validateCluster(parseObjects(...twice.documents.filter((d) => d.language === 'yaml').map((d) => d.text)), { ...target, ...kubeletSide(flags) })).toEqual([]);

    const invalid = exportSnippets('kubelet', [{ key: 'net.core.somaxconn', value: '4096' }, { key: 'net.core.somaxconn', value: 'abc' }, { key: 'kernel.msgmax', value: '65536' }], target);
    const pod2 = byKind(invalid.documents.find((d) => d.title.startsWith('Pod'))!.text, 'Pod');
    expect(pod2.spec.securityContext!.sysctls).toEqual([{ name: 'kernel.msgmax', value: '65536' }]);
    expect(invalid.problems.map((p) => p.severity)).toEqual(['warning', 'error']);
    expect(invalid.problems[1]!.message).toContain('net.core.somaxconn needs an integer, not "abc"');
  });

  it('names the sysctl.d file once with its number, and the Kubernetes objects without it', () => {
    const r = exportSnippets('node', [{ key: 'vm.max_map_count', value: '262144' }], { ...target, name: '90-hostdeck' });
    expect(r.documents[0]!.title).toBe('/etc/sysctl.d/90-hostdeck.conf');
    const plain = exportSnippets('node', [{ key: 'vm.max_map_count', value: '262144' }], { ...target, name: 'elastic' });
    expect(plain.documents[0]!.title).toBe('/etc/sysctl.d/90-elastic.conf');
    const objs = parseObjects(...r.documents.filter((d) => d.language === 'yaml').map((d) => d.text));
    expect(objs.map((o) => o.metadata?.name)).toEqual(['hostdeck', 'hostdeck']);
    expect(validateCluster(objs, target)).toEqual([]);
  });

  it('a hostNetwork pod says hostNetwork: true and lands in a privileged namespace; its net.* keys go to the node', () => {
    const r = exportSnippets('pod', [{ key: 'net.ipv4.ip_local_port_range', value: '1024 65000' }, { key: 'kernel.shm_rmid_forced', value: '1' }], { ...target, hostNetwork: true, name: 'web' });
    const text = r.documents[0]!.text;
    const ns = byKind(text, 'Namespace') as unknown as { metadata: { name: string; labels: Record<string, string> } };
    const pod = byKind(text, 'Pod');
    expect(pod.spec.hostNetwork).toBe(true);
    expect(pod.spec.securityContext!.sysctls).toEqual([{ name: 'kernel.shm_rmid_forced', value: '1' }]);
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(pod.metadata.namespace).toBe(ns.metadata.name);
    const dep = byKind(r.documents[1]!.text, 'Deployment') as unknown as { spec: { template: { spec: { hostNetwork?: boolean } } } };
    expect(dep.spec.template.spec.hostNetwork).toBe(true);
    expect(validateCluster(parseObjects(text, r.documents[1]!.text), { ...target, defaultLevel: 'baseline' })).toEqual([]);
    // Without the namespace the baseline level refuses the pod: the check has teeth.
    expect(validateCluster(parseObjects(text).filter((o) => o.kind !== 'Namespace'), { ...target, defaultLevel: 'baseline' }).join('\n')).toMatch(/host namespaces/);
  });

  it('unsafe sysctls come with a privileged Namespace and a nodeSelector/toleration for the nodes whose kubelet allows them', () => {
    const r = exportSnippets('kubelet', [{ key: 'net.core.somaxconn', value: '4096' }, { key: 'net.ipv4.tcp_syncookies', value: '1' }, { key: 'vm.max_map_count', value: '262144' }], { ...target, name: '90-hostdeck' });
    const flags = r.documents.find((d) => d.title === 'kubelet flags')!.text;
    const side = kubeletSide(flags);
    expect(side).toEqual({ allowedUnsafe: ['net.core.somaxconn'], nodeLabels: { 'sysctls.hostdeck.io/hostdeck': 'allowed' } });
    expect(r.documents.find((d) => d.title === 'Node label and taint')!.text).toContain('kubectl label node NODE sysctls.hostdeck.io/hostdeck=allowed');
    const podText = r.documents.find((d) => d.title.startsWith('Pod'))!.text;
    const pod = byKind(podText, 'Pod');
    expect(pod.spec.nodeSelector).toEqual({ 'sysctls.hostdeck.io/hostdeck': 'allowed' });
    expect(pod.spec.tolerations).toEqual([{ key: 'sysctls.hostdeck.io/hostdeck', operator: 'Equal', value: 'allowed', effect: 'NoSchedule' }]);
    const objs = parseObjects(...r.documents.filter((d) => d.language === 'yaml').map((d) => d.text));
    expect(validateCluster(objs, { ...target, ...side, defaultLevel: 'baseline' })).toEqual([]);
    // A pod that could land on a stock node is refused by that node's kubelet.
    expect(validateCluster(objs, { ...target, allowedUnsafe: side.allowedUnsafe, nodeLabels: {} }).join('\n')).toMatch(/does not allow net.core.somaxconn/);
  });

  it('ACK secure sandbox: every key, node-level ones too, in the sysctls annotation of a runv pod; comma values cannot be passed', () => {
    expect(sandboxVerdict('node-level').allowed).toBe(true);
    expect(sandboxVerdict('node-level').reason).toMatch(/own kernel/);
    expect(sandboxVerdict('safe', '8080,9090').allowed).toBe(false);
    const r = exportSnippets(
      'sandbox',
      [
        { key: 'vm.max_map_count', value: '262144' },
        { key: 'net.core.somaxconn', value: '4096' },
        { key: 'net.ipv4.ip_local_reserved_ports', value: '8080,9090' },
      ],
      { ...target, name: 'search' },
    );
    const pod = byKind(r.documents[0]!.text, 'Pod');
    expect(pod.metadata.annotations).toEqual({ [ACK_SANDBOX_ANNOTATION]: 'vm.max_map_count=262144,net.core.somaxconn=4096' });
    expect(pod.spec.runtimeClassName).toBe('runv');
    expect(pod.spec.securityContext).toBeUndefined();
    expect(r.placements.map((p) => `${p.key}:${p.target}`)).toEqual(['vm.max_map_count:sandbox', 'net.core.somaxconn:sandbox']);
    expect(r.problems).toEqual([expect.objectContaining({ key: 'net.ipv4.ip_local_reserved_ports', severity: 'error' })]);
    const dep = byKind(r.documents[1]!.text, 'Deployment') as unknown as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    expect(dep.spec.template.metadata.annotations[ACK_SANDBOX_ANNOTATION]).toBe('vm.max_map_count=262144,net.core.somaxconn=4096');
    // No securityContext sysctls and no host namespace: a baseline namespace accepts it.
    expect(validateCluster(parseObjects(r.documents[0]!.text, r.documents[1]!.text), { ...target, defaultLevel: 'baseline' })).toEqual([]);
  });
});

describe('any profile exports to objects a cluster accepts', () => {
  const keys = [...k8sRows.map((r) => r.name), 'vm.max_map_count', 'vm.swappiness', 'vm.swapiness', 'kernel.pid_max', 'net.ipv4.conf.all.rp_filter', 'fs.inotify.max_user_watches', 'net/core/somaxconn', 'NET.CORE.SOMAXCONN', 'no.such.key'];
  const values = ['0', '1', '2', '4096', '262144', '1024 65000', '4096 87380 6291456', '8080,9090', 'abc', '', '-1', 'reno'];
  const settings = fc.array(fc.record({ key: fc.constantFrom(...keys), value: fc.constantFrom(...values) }), { minLength: 1, maxLength: 12 });
  const opts = fc.record({
    k8s: fc.constantFrom(...k8sVersions.filter((v) => Number(v.split('.')[1]) >= 25)),
    kernel: fc.constantFrom('5.4', '5.15', '6.1', '6.12'),
    hostNetwork: fc.boolean(),
    hostIPC: fc.boolean(),
    name: fc.constantFrom('90-hostdeck', 'Elastic Search', '99-', 'a'.repeat(80)),
  });

  it('pod, kubelet and sandbox exports pass API validation, PodSecurity (baseline default) and kubelet admission; every key is placed or reported', () => {
    fc.assert(
      fc.property(settings, opts, fc.constantFrom('pod' as const, 'kubelet' as const, 'sandbox' as const, 'node' as const), (input, o, kind) => {
        const r = exportSnippets(kind, input, o);
        const yaml = r.documents.filter((d) => d.language === 'yaml').map((d) => d.text);
        const flags = r.documents.find((d) => d.title === 'kubelet flags')?.text;
        const side = flags ? kubeletSide(flags) : {};
        // The sandbox pod leaves hostNetwork out, as the export says.
        expect(validateCluster(parseObjects(...yaml), { k8s: o.k8s, kernel: o.kernel, defaultLevel: 'baseline', ...side })).toEqual([]);
        const accounted = new Set([...r.placements.map((p) => p.key), ...r.problems.map((p) => p.key)]);
        for (const s of input) expect(accounted.has(s.key.replace(/\//g, '.').toLowerCase()) || accounted.has(s.key.replace(/\//g, '.'))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

/** Every document of a stream, parsed strictly (duplicate keys are an error, as in Go YAML). */
function streamDocs(text: string): unknown[] {
  return parseAllDocuments(text, { uniqueKeys: true }).map((d) => {
    expect(d.errors.map((e) => e.message)).toEqual([]);
    return d.toJS() as unknown;
  });
}

describe('each export is a YAML stream a cluster tool reads, or one chosen part', () => {
  const profile = [
    { key: 'net.ipv4.ip_local_port_range', value: '1024 65000' },
    { key: 'net.core.somaxconn', value: '4096' },
    { key: 'vm.max_map_count', value: '262144' },
  ];

  it('pod: Pod and Deployment are two documents ("---" between), each a valid object; the shared Namespace once', () => {
    const r = exportSnippets('pod', profile, { ...target, hostNetwork: true, name: 'web' });
    const objs = streamDocs(exportStream(r)).map((o) => k8sObjectSchema.parse(o));
    expect(objs.map((o) => o.kind)).toEqual(['Namespace', 'Pod', 'Deployment']);
    // The bug: one document with both objects' keys, of which a parser keeps the last.
    expect(exportStream(r)).toMatch(/^---\n# Pod\napiVersion: v1\n/m);
  });

  it('any profile, any kind: the stream parses document by document and every object passes the schema; each part alone too', () => {
    const keys = [...k8sRows.map((r) => r.name), 'vm.max_map_count', 'vm.swapiness', 'kernel.pid_max', 'net/core/somaxconn'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.constantFrom(...keys), value: fc.constantFrom('1', '4096', '1024 65000', 'abc', '8080,9090') }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('pod' as const, 'kubelet' as const, 'node' as const, 'sandbox' as const),
        fc.record({ hostNetwork: fc.boolean(), hostIPC: fc.boolean(), k8s: fc.constantFrom('1.25', '1.30', '1.33') }),
        (settings, kind, o) => {
          const r = exportSnippets(kind, settings, { ...target, ...o, name: '90-app' });
          for (const obj of streamDocs(exportStream(r))) k8sObjectSchema.parse(obj);
          for (const d of r.documents) {
            const part = exportPart(r, d.part)!;
            if (d.part === 'kubelet-config') kubeletConfigSchema.parse(streamDocs(part)[0]);
            else if (d.language === 'yaml') for (const obj of streamDocs(part)) k8sObjectSchema.parse(obj);
          }
          // Each document has its own part name (--part picks exactly one).
          expect(new Set(r.documents.map((d) => d.part)).size).toBe(r.documents.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the stream carries what is not a cluster object (kubelet config, flags, sysctl.d file) as comments only', () => {
    const kubelet = exportSnippets('kubelet', profile, target);
    const stream = exportStream(kubelet);
    expect(streamDocs(stream).map((o) => (o as { kind: string }).kind)).toEqual(['Namespace', 'Pod', 'Deployment']);
    expect(stream).toContain("# --allowed-unsafe-sysctls='net.core.somaxconn'");
    expect(stream).toContain('#   - net.core.somaxconn');
    const node = exportStream(exportSnippets('node', profile, { ...target, name: '90-app' }));
    expect(node).toContain('# vm.max_map_count = 262144');
    expect(streamDocs(node).map((o) => (o as { kind: string }).kind)).toEqual(['Tuned', 'DaemonSet']);
  });
});

describe('an export says what it left out, and its workload names are the user’s', () => {
  const profile = [
    { key: 'net.ipv4.ip_local_port_range', value: '1024 65000' },
    { key: 'net.core.somaxconn', value: '4096' },
    { key: 'vm.max_map_count', value: '262144' },
  ];

  it('pod: the unsafe and node-level keys are listed as left out, with the export that holds them', () => {
    const r = exportSnippets('pod', profile, target);
    expect(r.omitted.map((o) => [o.key, o.goesTo])).toEqual([
      ['net.core.somaxconn', 'kubelet'],
      ['vm.max_map_count', 'node'],
    ]);
    expect(exportStream(r)).toContain('# left out: net.core.somaxconn (unsafe) is not in this export: it belongs in the Kubelet export');
    expect(exportSnippets('kubelet', profile, target).omitted.map((o) => o.key)).toEqual(['vm.max_map_count']);
    expect(exportSnippets('node', profile, target).omitted.map((o) => o.key)).toEqual(['net.ipv4.ip_local_port_range', 'net.core.somaxconn']);
  });

  it('namespace, pod name and image are taken as given (all kinds with a pod), and checked', () => {
    const named = { ...target, namespace: 'shop', podName: 'checkout', image: 'registry.corp:5000/shop/checkout:2.1@sha256:' + 'a'.repeat(64) };
    for (const kind of ['pod', 'kubelet', 'sandbox'] as const) {
      const objs = streamDocs(exportStream(exportSnippets(kind, profile, named))).map((o) => k8sObjectSchema.parse(o));
      const pod = objs.find((o) => o.kind === 'Pod') as { metadata: { name: string; namespace?: string }; spec: { containers: { image: string }[] } };
      expect([kind, pod.metadata.name, pod.metadata.namespace, pod.spec.containers[0]!.image]).toEqual([kind, 'checkout', 'shop', named.image]);
      const ns = objs.find((o) => o.kind === 'Namespace');
      if (ns) expect(ns.metadata.name).toBe('shop');
    }
    expect(() => exportSnippets('pod', profile, { ...target, namespace: 'Shop_1' })).toThrow(/namespace "Shop_1" is not a DNS-1123 label/);
    expect(() => exportSnippets('pod', profile, { ...target, podName: 'a'.repeat(64) })).toThrow(/pod name "a+" is not a DNS-1123 label/);
    expect(() => exportSnippets('pod', profile, { ...target, image: 'app latest' })).toThrow(/image "app latest" is not an image reference/);
    expect(() => exportSnippets('pod', profile, { ...target, image: "app';rm -rf /" })).toThrow(RangeError);
  });
});
