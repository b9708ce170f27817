import { SYSCTL_DIRS } from '../../shared/kernel/sysctld';
import { RESOLVED_RUNTIME } from '../dns/owner';
import { MAX_FILE_BYTES } from '../kernel/sysctld-reader';
import type { ReadPlan } from '../hosts/transport';

/** The sections of a snapshot a comparison asks for (`--only`): sysctl covers sysctl.d too. */
export type CaptureSection = 'sysctl' | 'dns' | 'firewall';
export const ALL_SECTIONS: readonly CaptureSection[] = ['sysctl', 'dns', 'firewall'];

/**
 * Everything the compared sections read from a host, as one plan (HostTransport.prefetch): an
 * SSH host answers it in one round trip, and the features' own reads (kernel.list,
 * kernel.effective, dns.read, dns.check) are then served from it. The requests are exactly
 * those the features make (sysctld-reader.ts, dns/files.ts, dns/owner.ts, dns/interfaces.ts);
 * a read the plan misses still works, it only costs a round trip of its own.
 */
export async function readPlan(sections: readonly CaptureSection[]): Promise<ReadPlan> {
  const reads: NonNullable<ReadPlan['reads']> = [];
  const plan: ReadPlan = { describe: true, procSys: false, reads };
  if (sections.includes('sysctl')) {
    plan.procSys = true;
    for (const d of SYSCTL_DIRS) {
      reads.push({ path: `/${d}`, list: true, follow: true, expand: { base: 'resolved', suffix: '.conf', content: true, follow: true, maxBytes: MAX_FILE_BYTES } });
    }
  }
  if (sections.includes('dns')) {
    reads.push(
      { path: '/etc/resolv.conf', content: true, follow: true, attrs: true },
      RESOLVED_RUNTIME,
      { path: '/sys/class/net', list: true, follow: true, expand: { base: 'path', sub: 'ifindex', content: true, follow: true, maxBytes: 4096 } },
    );
  }
  // firewalld's state, read on the host in the same round trip (the status check still asks the bus).
  // Its reader (and D-Bus library) is loaded only when the firewall is compared.
  if (sections.includes('firewall')) plan.bus = (await import('../firewall/bulk-read')).firewalldReadPlan();
  return plan;
}
