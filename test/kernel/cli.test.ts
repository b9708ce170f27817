import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runKernelCli } from './support/cli';
import { k8sObjectSchema, kubeletConfigSchema } from './support/k8s-schema';

const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-kernel-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hostdeck kernel classify', () => {
  it('prints one JSON object per key with name, namespace and kubernetes verdict (dot or slash names)', async () => {
    const r = await runKernelCli(['kernel', 'classify', 'net.ipv4.tcp_rmem', 'net/core/somaxconn', 'vm.max_map_count', '--k8s', '1.32', '--kernel', '5.15', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { name: string; namespace: string | null; kubernetes: { status: string; safeSince: string | null; minKernel: string | null; podSecurityBaseline: string } }[];
    expect(out.map((o) => [o.name, o.namespace, o.kubernetes.status, o.kubernetes.podSecurityBaseline])).toEqual([
      ['net.ipv4.tcp_rmem', 'net', 'safe', 'allowed'],
      ['net.core.somaxconn', 'net', 'unsafe', 'forbidden'],
      ['vm.max_map_count', null, 'node-level', 'forbidden'],
    ]);
    expect(out[0]!.kubernetes.safeSince).toBe('1.32');
    expect(out[0]!.kubernetes.minKernel).toBe('4.15');
  });

  it('fails with a clear message and exit code 1 on an unsupported version', async () => {
    const r = await runKernelCli(['kernel', 'classify', 'kernel.sem', '--k8s', '1.12', '--kernel', '6.1']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/hostdeck: Kubernetes version "1.12" is not supported.*\[INVALID_VALUE\]/);
  });
});

describe('hostdeck kernel effective --root', () => {
  it('reports files in order, settings with file:line and warnings', async () => {
    const root = path.join(dir, 'root');
    mkdirSync(path.join(root, 'etc/sysctl.d'), { recursive: true });
    mkdirSync(path.join(root, 'usr/lib/sysctl.d'), { recursive: true });
    symlinkSync('usr/lib', path.join(root, 'lib'));
    writeFileSync(path.join(root, 'usr/lib/sysctl.d/50-vendor.conf'), 'vm.swappiness = 60\nkernel.pid_max = 4194304\n');
    writeFileSync(path.join(root, 'etc/sysctl.d/60-local.conf'), 'vm.swappiness = 10\noops\n');
    symlinkSync('/dev/null', path.join(root, 'etc/sysctl.d/70-masked.conf'));
    writeFileSync(path.join(root, 'usr/lib/sysctl.d/70-masked.conf'), 'vm.dirty_ratio = 5\n');
    const r = await runKernelCli(['kernel', 'effective', '--root', root, '--json']);
    expect(r.err).toBe('');
    const out = JSON.parse(r.out) as { files: string[]; settings: { key: string; value: string; file: string; line: number }[]; warnings: { file: string; line: number; message: string }[] };
    expect(out.files).toEqual(['usr/lib/sysctl.d/50-vendor.conf', 'etc/sysctl.d/60-local.conf']);
    expect(out.settings).toEqual([
      { key: 'kernel.pid_max', value: '4194304', file: 'usr/lib/sysctl.d/50-vendor.conf', line: 2 },
      { key: 'vm.swappiness', value: '10', file: 'etc/sysctl.d/60-local.conf', line: 1 },
    ]);
    expect(out.warnings).toEqual([{ file: 'etc/sysctl.d/60-local.conf', line: 2, severity: 'warning', message: 'Line is not an assignment, ignoring: oops' }]);
    const human = await runKernelCli(['kernel', 'effective', '--root', root]);
    expect(human.out).toContain('etc/sysctl.d/70-masked.conf (masked)');
    expect(human.out).toContain('vm.swappiness = 10    (etc/sysctl.d/60-local.conf:1)');
  });
});

describe('hostdeck kernel export', () => {
  const from = path.join(dir, 'tuning.conf');
  writeFileSync(from, 'net.ipv4.ip_local_port_range = 1024 65000\nnet.core.somaxconn = 4096\nvm.max_map_count = 262144\nkernel.msgmax = 65536\n');

  it('pod: only what a pod may set on a stock kubelet (the safe keys), valid YAML (Pod and Deployment)', async () => {
    const r = await runKernelCli(['kernel', 'export', 'pod', '--from', from, '--k8s', '1.30', '--kernel', '6.1', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { documents: { title: string; text: string }[]; placements: { key: string; target: string }[] };
    const pod = parseAllDocuments(out.documents[0]!.text)[0]!.toJS() as { kind: string; spec: { securityContext: { sysctls: { name: string; value: string }[] } } };
    expect(pod.kind).toBe('Pod');
    expect(pod.spec.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_local_port_range', value: '1024 65000' }]);
    const dep = parseAllDocuments(out.documents[1]!.text)[0]!.toJS() as { spec: { template: { spec: { securityContext: { sysctls: unknown[] } } } } };
    expect(dep.spec.template.spec.securityContext.sysctls).toHaveLength(1);
    expect(out.placements.map((p) => `${p.key}:${p.target}`)).toEqual([
      'net.ipv4.ip_local_port_range:pod',
      'net.core.somaxconn:kubelet+pod',
      'vm.max_map_count:node',
      'kernel.msgmax:kubelet+pod',
    ]);
  });

  it('kubelet: allowedUnsafeSysctls for the unsafe keys only', async () => {
    const r = await runKernelCli(['kernel', 'export', 'kubelet', '--from', from, '--k8s', '1.30', '--kernel', '6.1', '--json']);
    const out = JSON.parse(r.out) as { documents: { text: string }[] };
    const cfg = parseAllDocuments(out.documents[0]!.text)[0]!.toJS() as { kind: string; apiVersion: string; allowedUnsafeSysctls: string[] };
    expect(cfg).toEqual({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', allowedUnsafeSysctls: ['net.core.somaxconn', 'kernel.msgmax'] });
    // ...and the pod snippet that becomes valid once the kubelet allows them (safe + unsafe, no node-level key)
    // The pod needs the namespace at PodSecurity privileged: the document holds the Namespace, then the Pod.
    const podDoc = out.documents.find((d) => d.text.includes('kind: Pod'))!;
    const [ns, pod] = parseAllDocuments(podDoc.text).map((d) => d.toJS()) as [{ kind: string }, { kind: string; spec: { securityContext: { sysctls: { name: string }[] } } }];
    expect(ns.kind).toBe('Namespace');
    expect(pod.kind).toBe('Pod');
    expect(pod.spec.securityContext.sysctls.map((x) => x.name)).toEqual(['net.ipv4.ip_local_port_range', 'net.core.somaxconn', 'kernel.msgmax']);
  });

  it('node: sysctl.d file, Tuned resource and DaemonSet with the node-level keys, reasons in the human output', async () => {
    const r = await runKernelCli(['kernel', 'export', 'node', '--from', from, '--k8s', '1.30', '--kernel', '6.1', '--json']);
    const out = JSON.parse(r.out) as { documents: { title: string; text: string }[] };
    expect(out.documents[0]!.text).toContain('vm.max_map_count = 262144');
    expect(out.documents[0]!.text).not.toContain('somaxconn');
    const tuned = parseAllDocuments(out.documents[1]!.text)[0]!.toJS() as { kind: string; spec: { profile: { data: string }[] } };
    expect(tuned.kind).toBe('Tuned');
    expect(tuned.spec.profile[0]!.data).toContain('[sysctl]\nvm.max_map_count=262144');
    const ds = parseAllDocuments(out.documents[2]!.text)[0]!.toJS() as { kind: string; spec: { template: { spec: { initContainers: { command: string[]; securityContext: { privileged: boolean } }[] } } } };
    expect(ds.kind).toBe('DaemonSet');
    expect(ds.spec.template.spec.initContainers[0]!.command[2]).toBe("sysctl -w 'vm.max_map_count=262144'");
    const human = await runKernelCli(['kernel', 'export', 'node', '--from', from, '--k8s', '1.30', '--kernel', '6.1']);
    expect(human.out).toMatch(/# vm\.max_map_count=262144: node \(node-level\) - Not namespaced/);
  });

  it('reports what it left out: a misspelled key with the likely one, a key set twice', async () => {
    const typo = path.join(dir, 'typo.conf');
    writeFileSync(typo, 'vm.swapiness = 10\nvm.max_map_count = 262144\nvm.max_map_count = 524288\n');
    const r = await runKernelCli(['kernel', 'export', 'node', '--from', typo, '--k8s', '1.30', '--kernel', '6.1']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('# error: vm.swapiness is not a kernel parameter: did you mean vm.swappiness?');
    expect(r.out).toContain('vm.max_map_count = 524288');
    expect(r.out).not.toContain('swapiness = 10');
  });

  it('`export pod | kubectl apply -f -`: stdout is a YAML stream, one object per document, with what it left out on stderr', async () => {
    const r = await runKernelCli(['kernel', 'export', 'pod', '--from', from, '--k8s', '1.30', '--kernel', '6.1']);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.out, { uniqueKeys: true });
    expect(docs.flatMap((d) => d.errors.map((e) => e.message))).toEqual([]);
    const objs = docs.map((d) => k8sObjectSchema.parse(d.toJS()));
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Pod/tuning', 'Deployment/tuning']);
    // The unsafe and node-level keys are said to be left out, in the stream and where a pipeline shows it.
    expect(r.out).toContain('# left out: net.core.somaxconn (unsafe) is not in this export');
    expect(r.err).toContain('hostdeck: left out: net.core.somaxconn (unsafe) is not in this export: it belongs in the Kubelet export');
    expect(r.err).toContain('hostdeck: left out: vm.max_map_count (node-level)');
  });

  it('--part prints one artefact as is; --namespace/--pod-name/--image name the workload; bad ones fail naming the field', async () => {
    const cfg = await runKernelCli(['kernel', 'export', 'kubelet', '--from', from, '--k8s', '1.30', '--kernel', '6.1', '--part', 'kubelet-config']);
    expect(cfg.code).toBe(0);
    expect(kubeletConfigSchema.parse(parseAllDocuments(cfg.out)[0]!.toJS())).toEqual({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', allowedUnsafeSysctls: ['net.core.somaxconn', 'kernel.msgmax'] });
    const flags = await runKernelCli(['kernel', 'export', 'kubelet', '--from', from, '--k8s', '1.30', '--kernel', '6.1', '--part', 'flags']);
    expect(flags.out).toBe("--allowed-unsafe-sysctls='net.core.somaxconn,kernel.msgmax' --node-labels='sysctls.hostdeck.io/tuning=allowed'\n");
    const dep = await runKernelCli(['kernel', 'export', 'pod', '--from', from, '--k8s', '1.30', '--kernel', '6.1', '--part', 'deployment', '--namespace', 'shop', '--pod-name', 'checkout', '--image', 'registry.corp/shop/checkout:2.1']);
    const [d] = parseAllDocuments(dep.out).map((x) => k8sObjectSchema.parse(x.toJS()));
    expect(d).toMatchObject({ kind: 'Deployment', metadata: { name: 'checkout', namespace: 'shop' }, spec: { template: { spec: { containers: [{ image: 'registry.corp/shop/checkout:2.1' }] } } } });
    const none = await runKernelCli(['kernel', 'export', 'pod', '--from', from, '--k8s', '1.30', '--kernel', '6.1', '--part', 'flags']);
    expect(none.code).toBe(1);
    expect(none.err).toContain('The pod export has no part "flags": it has pod, deployment');
    const bad = await runKernelCli(['kernel', 'export', 'pod', '--from', from, '--k8s', '1.30', '--kernel', '6.1', '--namespace', 'Shop!']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('The namespace "Shop!" is not a DNS-1123 label');
  });

  it('reads a TuneD profile too, and rejects a bad file with file:line', async () => {
    const tuned = path.join(dir, 'tuned.conf');
    writeFileSync(tuned, '[main]\nsummary=x\n\n[sysctl]\nnet.ipv4.tcp_fin_timeout=30 # comment\n');
    const r = await runKernelCli(['kernel', 'export', 'pod', '--from', tuned, '--k8s', '1.29', '--kernel', '6.1', '--json']);
    expect((JSON.parse(r.out) as { placements: unknown[] }).placements).toEqual([expect.objectContaining({ key: 'net.ipv4.tcp_fin_timeout', value: '30', target: 'pod' })]);
    const bad = path.join(dir, 'bad.conf');
    writeFileSync(bad, 'vm.swappiness = 1\nthis is wrong\n');
    const e = await runKernelCli(['kernel', 'export', 'pod', '--from', bad, '--k8s', '1.29', '--kernel', '6.1']);
    expect(e.code).toBe(1);
    expect(e.err).toContain(`${bad}:2: Line is not an assignment, ignoring: this is wrong`);
  });
});

describe('hostdeck kernel list', () => {
  it('lists live values of this host with namespace and verdict, never reading vm.stat_refresh', async () => {
    const r = await runKernelCli(['kernel', 'list', '--k8s', '1.33', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { kernel: string; entries: { key: string; state: string; value?: string; namespace: string | null; status: string }[] };
    expect(out.entries.length).toBeGreaterThan(500);
    const by = new Map(out.entries.map((e) => [e.key, e]));
    expect(by.get('net.ipv4.ip_local_port_range')).toMatchObject({ state: 'ok', namespace: 'net', status: 'safe' });
    expect(by.get('vm.stat_refresh')).toMatchObject({ state: 'side-effect' });
    expect(by.get('vm.stat_refresh')!.value).toBeUndefined();
    expect(by.get('vm.drop_caches')).toMatchObject({ state: 'write-only' });
  });
});

describe('hostdeck kernel profile show|save|delete (the Profile tab from the CLI)', () => {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  it('saves a profile (under --root), shows it with its sha256, refuses a stale save, deletes it with a backup', async () => {
    const root = mkdtempSync(path.join(dir, 'profile-root-'));
    mkdirSync(path.join(root, 'etc/sysctl.d'), { recursive: true });
    const from = path.join(dir, 'app.conf');
    writeFileSync(from, 'net.core.somaxconn = 4096\nvm.max_map_count = 262144\n');
    const saved = await runKernelCli(['kernel', 'profile', 'save', '90-app', '--from', from, '--root', root, '--expect-sha256', 'none', '--json']);
    expect(saved.code, saved.err).toBe(0);
    const file = path.join(root, 'etc/sysctl.d/90-app.conf');
    expect(readFileSync(file, 'utf8')).toContain('net.core.somaxconn = 4096\nvm.max_map_count = 262144\n');
    const shown = await runKernelCli(['kernel', 'profile', 'show', '90-app', '--root', root, '--json']);
    const s = JSON.parse(shown.out) as { sha256: string; settings: { key: string; value: string }[] };
    expect(s.sha256).toBe(sha(readFileSync(file, 'utf8')));
    expect(s.settings).toEqual([{ key: 'net.core.somaxconn', value: '4096' }, { key: 'vm.max_map_count', value: '262144' }]);
    // Saving again as if the file did not exist (someone else created it meanwhile): refused, unchanged.
    writeFileSync(from, 'net.core.somaxconn = 1024\n');
    const stale = await runKernelCli(['kernel', 'profile', 'save', '90-app', '--from', from, '--root', root, '--expect-sha256', 'none']);
    expect(stale.code).toBe(1);
    expect(stale.err).toMatch(/\[CONFLICT\]/);
    const again = await runKernelCli(['kernel', 'profile', 'save', '90-app', '--from', from, '--root', root, '--expect-sha256', s.sha256]);
    expect(again.code, again.err).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('net.core.somaxconn = 1024\n');
    const wrongDelete = await runKernelCli(['kernel', 'profile', 'delete', '90-app', '--root', root, '--expect-sha256', s.sha256]);
    expect(wrongDelete.code).toBe(1);
    expect(wrongDelete.err).toMatch(/\[CONFLICT\]/);
    const del = await runKernelCli(['kernel', 'profile', 'delete', '90-app', '--root', root]);
    expect(del.code, del.err).toBe(0);
    expect(del.out).toMatch(/^deleted .*90-app\.conf; previous version: /);
    expect(existsSync(file)).toBe(false);
  });

  it('a profile name with a slash or an invalid value is refused, naming it', async () => {
    const from = path.join(dir, 'bad-value.conf');
    writeFileSync(from, 'net.core.somaxconn = lots\n');
    const r = await runKernelCli(['kernel', 'profile', 'save', '../evil', '--from', from, '--expect-sha256', 'none']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/name/);
    const root = mkdtempSync(path.join(dir, 'profile-root-'));
    mkdirSync(path.join(root, 'etc/sysctl.d'), { recursive: true });
    const v = await runKernelCli(['kernel', 'profile', 'save', '90-app', '--from', from, '--root', root, '--expect-sha256', 'none']);
    expect(v.code).toBe(1);
    expect(v.err).toContain('net.core.somaxconn');
  });
});
