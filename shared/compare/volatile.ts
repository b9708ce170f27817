/**
 * Kernel "parameters" that are really counters or per-read values: they differ between any two
 * reads, so they are never reported as differences between hosts (the rows still show them).
 * Found by comparing two `sysctl -a` runs a moment apart, plus the kernel's documented counters.
 */
const VOLATILE = new Set([
  'fs.aio-nr',
  'fs.dentry-state',
  'fs.file-nr',
  'fs.inode-nr',
  'fs.inode-state',
  'fs.quota.allocated_dquots',
  'fs.quota.cache_hits',
  'fs.quota.drops',
  'fs.quota.free_dquots',
  'fs.quota.lookups',
  'fs.quota.reads',
  'fs.quota.syncs',
  'fs.quota.writes',
  // The PID that gets ctrl-alt-del's signal: 1 on a host, another number in every container.
  'kernel.cad_pid',
  'kernel.ns_last_pid',
  'kernel.pty.nr',
  'kernel.random.boot_id',
  'kernel.random.entropy_avail',
  'kernel.random.uuid',
  'net.netfilter.nf_conntrack_count',
]);

export function isVolatileKey(key: string): boolean {
  return VOLATILE.has(key);
}

/**
 * A host's own identity: different on every host by design (its name; uuid, boot id and the
 * machine-id derived values are counters above). One list for the grid (diff.ts), the summary
 * (summary-facts.ts) and the fixes (fix.ts): shown, never a difference, never made the same.
 */
const IDENTITY_KEYS = new Set(['kernel.hostname', 'kernel.domainname', 'kernel.random.boot_id', 'kernel.random.uuid']);

export function isIdentityKey(key: string): boolean {
  return IDENTITY_KEYS.has(key);
}

/** Never a difference between hosts: a counter or the host's identity. */
export function isPerHostKey(key: string): boolean {
  return isVolatileKey(key) || isIdentityKey(key);
}
