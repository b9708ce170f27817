import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type Snapshot } from '../../shared/compare/snapshot';
import type { Api } from '../../shared/api/contract';
import type { Host } from '../hosts/host';

/**
 * The snapshot of a host read through Ansible (electron/hosts/recorded.ts), assembled as
 * takeSnapshot (capture.ts) assembles it, from the same operations for sysctl.d and resolv.conf
 * (kernel.effective, dns.read, dns.check); the sysctls straight from the recorded /proc/sys,
 * which is what kernel.list hands takeSnapshot (key, state, value, writable) without the
 * per-key Kubernetes classification a snapshot does not keep: at fleet size that classification
 * was most of the time per host. The firewall is not part of the read: null ("not known").
 * test/hosts/inventory.int.test.ts holds it equal to `hostdeck snapshot --host` over SSH.
 */
const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function snapshotOfRecorded(api: Api, host: Host, detail: string): Promise<Snapshot> {
  const o = { host: host.id };
  const [proc, eff, read, check] = await Promise.allSettled([host.transport.procSys(), api.kernel.effective({}, o), api.dns.read({}, o), api.dns.check({}, o)]);
  let sysctl: Snapshot['sysctl'];
  if (proc.status === 'fulfilled') {
    sysctl = { entries: proc.value.entries.map((e) => ({ key: e.key, state: e.state, ...(e.state === 'ok' ? { value: e.value ?? '' } : {}), writable: e.writable })), from: 'procsys' };
  } else sysctl = { entries: [], from: 'procsys', error: msg(proc.reason) };
  let sysctld: Snapshot['sysctld'];
  if (eff.status === 'fulfilled') {
    const applied = eff.value.files.filter((f) => f.status === 'applied').map((f) => (f.path.startsWith('/') ? f.path : `/${f.path}`));
    const facts = await host.transport.read(applied.map((p) => ({ path: p, content: true, follow: true, maxBytes: 1024 * 1024 })));
    sysctld = {
      settings: eff.value.settings.map((s) => ({ key: s.key, value: s.value, file: s.file, line: s.line })),
      files: eff.value.files.map((f) => ({ path: f.path, status: f.status })),
      texts: facts.filter((f) => f.bytes).map((f) => ({ path: f.path, text: f.bytes!.toString('utf8') })),
    };
  } else sysctld = { settings: [], files: [], texts: [], error: msg(eff.reason) };
  let dns: Snapshot['dns'];
  if (read.status === 'fulfilled' && check.status === 'fulfilled') {
    const r = read.value;
    const c = check.value;
    dns = {
      path: r.path,
      exists: r.exists,
      text: r.text,
      owner: { kind: r.owner.kind, name: r.owner.name, managed: r.owner.managed, symlinkTarget: r.owner.symlinkTarget },
      glibc: { nameservers: c.nameservers, ignoredNameservers: c.ignoredNameservers, search: c.search, options: c.options },
    };
  } else {
    const e = read.status === 'rejected' ? read.reason : (check as PromiseRejectedResult).reason;
    dns = { path: '/etc/resolv.conf', exists: false, text: '', owner: null, glibc: { nameservers: [], ignoredNameservers: [], search: [], options: {} }, error: msg(e) };
  }
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    source: { kind: 'live', detail },
    identity: await host.transport.describe(),
    sysctl,
    sysctld,
    dns,
    firewall: null,
  };
}
