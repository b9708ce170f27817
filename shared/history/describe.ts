/**
 * What was asked, in people's words, for a point's "what": "Add 8080/tcp to zone public
 * (runtime)", "Set net.core.somaxconn = 1234 (live kernel)". Operations without words of their
 * own get their contract summary. Input is the validated input of the operation.
 */

type Obj = Record<string, unknown>;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const item = (v: unknown): string => {
  if (typeof v === 'string') return v;
  const o = v as Obj;
  if (o && typeof o.port === 'string' && typeof o.protocol === 'string') return `${o.port}/${o.protocol}${o.toPort || o.toAddr ? ` → ${String(o.toAddr || '')}:${String(o.toPort || o.port)}` : ''}`;
  return JSON.stringify(v);
};

function items(lists: unknown): string[] {
  const out: string[] = [];
  for (const [field, vals] of Object.entries((lists as Obj) ?? {})) for (const v of arr(vals)) out.push(`${field === 'services' ? 'service ' : field === 'richRules' ? 'rich rule ' : field === 'interfaces' ? 'interface ' : field === 'sources' ? 'source ' : ''}${item(v)}`);
  return out;
}

function patchText(kind: string, name: string, patch: Obj): string {
  const parts: string[] = [];
  const add = items(patch.add);
  const remove = items(patch.remove);
  if (add.length) parts.push(`add ${add.join(', ')}`);
  if (remove.length) parts.push(`remove ${remove.join(', ')}`);
  for (const [k, v] of Object.entries(patch)) if (k !== 'add' && k !== 'remove' && v !== undefined) parts.push(`set ${k} to ${String(v)}`);
  const what = parts.join('; ') || 'change';
  return `${what[0]!.toUpperCase()}${what.slice(1)} ${parts.length && (add.length || remove.length) && !parts.some((p) => p.startsWith('set')) ? (add.length ? 'to' : 'from') : 'in'} ${kind} ${name}`;
}

function safeChangeText(c: Obj): string {
  if (c.type === 'zone' || c.type === 'policy') return patchText(String(c.type), String(c.name), (c.patch as Obj) ?? {});
  if (c.type === 'panic') return c.enabled ? 'Turn panic mode on' : 'Turn panic mode off';
  if (c.type === 'defaultZone') return `Make ${String(c.name)} the default zone`;
  return 'Firewall change';
}

const settings = (v: unknown) => arr(v).map((s) => `${String((s as Obj).key)} = ${String((s as Obj).value)}`);
const list = (xs: string[], n = 5) => (xs.length > n ? `${xs.slice(0, n).join(', ')} and ${xs.length - n} more` : xs.join(', '));

export function describeOperation(channel: string, input: unknown, summary: string): string {
  const i = (input ?? {}) as Obj;
  switch (channel) {
    case 'firewall.updateZone':
    case 'firewall.updatePolicy':
      return `${patchText(channel === 'firewall.updateZone' ? 'zone' : 'policy', String(i.name), (i.patch as Obj) ?? {})} (${String(i.layer)}${i.timeout ? `, for ${String(i.timeout)} s` : ''})`;
    case 'firewall.safeApply':
      return `${safeChangeText((i.change as Obj) ?? {})} (runtime, with safe apply: reverts in ${String(i.seconds)} s unless confirmed${i.saveToPermanent ? ', then saved to permanent' : ''})`;
    case 'firewall.safeApplyConfirm':
      return 'Keep a safe-applied change';
    case 'firewall.safeApplyRevert':
      return 'Revert a safe-applied change';
    case 'firewall.setDefaultZone':
      return `Make ${String(i.name)} the default zone`;
    case 'firewall.createZone':
    case 'firewall.deleteZone':
    case 'firewall.createPolicy':
    case 'firewall.deletePolicy':
    case 'firewall.createService':
    case 'firewall.deleteService':
    case 'firewall.deleteIpset': {
      const [verb, kind] = channel.slice('firewall.'.length).split(/(?=[A-Z])/);
      return `${verb === 'create' ? 'Create' : 'Delete'} ${String(kind).toLowerCase()} ${String(i.name)} (permanent)`;
    }
    case 'firewall.reload':
      return 'Reload firewalld (runtime becomes the permanent configuration)';
    case 'firewall.runtimeToPermanent':
      return 'Save the runtime firewall as permanent';
    case 'firewall.setPanicMode':
      return i.enabled ? 'Turn panic mode on' : 'Turn panic mode off';
    case 'firewall.setLogDenied':
      return `Log denied packets: ${String(i.value ?? i.logDenied ?? '')}`;
    case 'kernel.apply':
      return `Set ${list(settings(i.settings))} (live kernel${i.revertAfterSeconds ? `, reverts in ${String(i.revertAfterSeconds)} s unless confirmed` : ''})`;
    case 'kernel.undo':
      return `Undo ${list(arr(i.entries).map((e) => String((e as Obj).key)))} (live kernel)`;
    case 'kernel.saveProfile':
      return `Save sysctl.d profile ${String(i.name)}: ${list(settings(i.settings))}`;
    case 'kernel.deleteProfile':
      return `Delete sysctl.d profile ${String(i.name)}`;
    case 'dns.save':
      return `Save ${String(i.path ?? '/etc/resolv.conf')}`;
    case 'helper.restore':
      return `Restore ${String(i.path ?? 'a file')} from the helper's backup`;
    case 'helper.confirm':
      return 'Keep a change that had a revert timer';
    case 'history.restore':
      return `Back to point ${String(i.point)}`;
    default:
      return summary;
  }
}
