import type { MessageBus } from '@jellybrick/dbus-next';
import { ApiError } from '../../shared/api/errors';
import type { HelperRequest, HelperResponse } from '../../shared/helper/protocol';
import type { HostCapabilities } from '../../shared/hosts/capabilities';
import { SYSCTL_DIRS } from '../../shared/kernel/sysctld';
import { createHost, type Host } from './host';
import type { FileFacts, HostIdentity, HostTransport, ProcSysSnapshot, ReadRequest } from './transport';

/**
 * A host read in one go by someone else (Ansible running HostDeck's read agent, see
 * electron/compare/ansible-snapshot.ts): the agent answered a fixed plan of reads (the files
 * the feature operations ask for, /proc/sys, describe) and this transport answers the feature
 * operations from that record, so a snapshot taken through Ansible is built by the same code
 * as `hostdeck snapshot --host`. A read the plan did not cover is an error, never an empty answer.
 */

/** What the agent's bundle answered for one host (agent protocol 1, plus the bundle's records). */
export interface RecordedReads {
  describe: HostIdentity & Record<string, unknown>;
  procsys: { entries: ProcSysSnapshot['entries']; dirs: string[] };
  records: { req: ReadRequest; fact: Omit<FileFacts, 'bytes'> & { bytes?: string } }[];
}

/** The largest file the plan reads (sysctld-reader reads up to 16 MiB); a smaller request is held to its own limit on replay. */
const PLAN_MAX_BYTES = 16 * 1024 * 1024;

/** One step of the read plan: a read, or a directory listing whose entries are then read. */
export type PlanStep =
  | { read: ReadRequest }
  | { expand: { listing: ReadRequest; suffix?: string; skipDot?: boolean; base: 'resolved' | 'path'; sub?: string[]; template: Omit<ReadRequest, 'path'>; max?: number } };

/**
 * The reads the feature operations of a snapshot make (kernel.list/effective, dns.read/check):
 * sysctl.d directories and their .conf files (sysctld-reader.ts), resolv.conf with its owner
 * facts (dns/files.ts, dns/owner.ts), systemd-resolved's runtime directory, the interfaces
 * (dns/interfaces.ts). A test compares a snapshot made from it with one made over SSH.
 */
export function snapshotReadPlan(): PlanStep[] {
  return [
    ...SYSCTL_DIRS.map((d): PlanStep => ({ expand: { listing: { path: `/${d}`, list: true, follow: true }, suffix: '.conf', skipDot: true, base: 'resolved', template: { content: true, follow: true, maxBytes: PLAN_MAX_BYTES } } })),
    { read: { path: '/etc/resolv.conf', content: true, follow: true, attrs: true, maxBytes: 4 * 1024 * 1024 } },
    { read: { path: '/etc/resolv.conf', content: true, follow: true } },
    { read: { path: '/run/systemd/resolve' } },
    { expand: { listing: { path: '/sys/class/net', list: true, follow: true }, base: 'path', sub: ['ifindex', 'type'], template: { content: true, follow: true, maxBytes: 4096 }, max: 4096 } },
  ];
}

function key(r: ReadRequest): string {
  return JSON.stringify([r.path, !!r.content, !!r.list, !!r.follow, !!r.attrs]);
}

export class RecordedTransport implements HostTransport {
  private readonly facts = new Map<string, Omit<FileFacts, 'bytes'> & { bytes?: string }>();

  constructor(
    private readonly name: string,
    private readonly rec: RecordedReads,
  ) {
    for (const r of rec.records) this.facts.set(key(r.req), r.fact);
  }

  read(requests: ReadRequest[]): Promise<FileFacts[]> {
    try {
      return Promise.resolve(
        requests.map((r) => {
          const f = this.facts.get(key(r));
          if (!f) throw new ApiError('NOT_READ', `${this.name}: ${r.path} was not part of the read HostDeck sent through Ansible`, { path: r.path });
          const { bytes, ...rest } = f;
          const out: FileFacts = { ...rest };
          if (bytes !== undefined) {
            const b = Buffer.from(bytes, 'base64');
            const limit = r.maxBytes ?? 4 * 1024 * 1024;
            if (b.length > limit) {
              delete out.sha256;
              out.error = { code: 'TOO_LARGE', message: `${r.path} is ${b.length} bytes, more than the ${limit} bytes HostDeck reads` };
            } else out.bytes = b;
          }
          return out;
        }),
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  procSys(only?: string[]): Promise<ProcSysSnapshot> {
    const entries = only ? this.rec.procsys.entries.filter((e) => only.includes(e.path)) : this.rec.procsys.entries;
    return Promise.resolve({
      entries,
      dirs: only ? [] : this.rec.procsys.dirs,
      source: { procSys: '/proc/sys', kind: 'running-kernel', note: `Live values of ${this.name}'s running kernel, read through Ansible.` },
    });
  }

  describe(): Promise<HostIdentity> {
    const d = this.rec.describe;
    return Promise.resolve({ hostname: String(d.hostname ?? ''), os: String(d.os ?? ''), kernel: String(d.kernel ?? ''), time: Number(d.time) || Date.now() });
  }

  capabilities(): HostCapabilities {
    const why = `${this.name} was read once through Ansible`;
    return {
      liveKernel: true,
      freshNamespaceProbe: false,
      systemBus: false,
      firewall: 'none',
      writes: 'none',
      firewallWrites: 'none',
      interfaces: true,
      journal: false,
      userNamespaces: false,
      readOnly: true,
      localBus: false,
      nftRuleset: 'none',
      missing: {
        freshNamespaceProbe: `${why}: nothing runs on it now.`,
        nftRuleset: `${why}: its nftables ruleset is not part of that read.`,
        systemBus: `${why}: the firewall (D-Bus) is not part of that read.`,
        firewall: `${why}: the firewall (D-Bus) is not part of that read.`,
        writes: `${why}: nothing is changed.`,
        firewallWrites: `${why}: nothing is changed.`,
        journal: `${why}.`,
        userNamespaces: `${why}.`,
      },
    };
  }

  helper(request: HelperRequest): Promise<HelperResponse> {
    return Promise.reject(new ApiError('READ_ONLY_HOST', `${this.name} was read through Ansible: it cannot run ${request.verb}`));
  }

  busAddress(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  systemBus(): Promise<MessageBus> {
    return Promise.reject(new ApiError('NOT_READ', `${this.name}: the firewall (D-Bus) is not part of the read HostDeck sends through Ansible`));
  }

  displayPath(hostPath: string): string {
    return hostPath;
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

export function createRecordedHost(id: string, label: string, rec: RecordedReads): Host {
  return createHost({ id, label, kind: 'remote', readOnly: true, root: '/', procSys: '/proc/sys', privileged: false, transport: new RecordedTransport(label, rec) });
}
