import YAML from 'yaml';
import { shellQuote } from '../firewall/export';
import { sysctlKeyError, sysctlValueError } from '../helper/rules';
import { weakeningOf, type Weakening } from '../helper/weakening';
import { isIdentityKey } from './volatile';
import { commentText, hasControl, inventoryNameError } from './safe-text';
import { unsafe } from './unsafe-scalar';
import { cellState, normValue, PRESENT, type CompareResult, type FirewallRow } from './diff';

/**
 * "Make them the same": from a comparison and a choice of sysctl keys and firewall zones or
 * policies, what brings the differing hosts to the baseline's values, for the engines fleets
 * already run: a sysctl.d profile (HostDeck's own apply), a firewall-cmd script, an Ansible
 * playbook (ansible.posix.sysctl / ansible.posix.firewalld) with its inventory.
 */

export interface FixSelection {
  /** Sysctl keys to align (the baseline's live values win). */
  sysctl: string[];
  /** Firewall objects to align, as "zone:NAME" or "policy:NAME". */
  firewall: string[];
}

export interface FixOptions {
  /** The name each host has in the fleet (inventory name / ssh destination), in host order; defaults to the labels. */
  names?: string[];
  /** sysctl.d file the playbook and the profile write. */
  sysctlFile?: string;
  /** Ansible `become: true` (connecting as a non-root user with sudo). */
  become?: boolean;
  /** Keys whose security-weakening baseline values the user confirmed (shared/helper/weakening.ts). */
  confirmWeakening?: string[];
  /**
   * The entries of chosen ipsets, by host index and ipset name, as read from the live hosts when
   * the fix is made (a snapshot holds only their count and sha256); absent or null: not known.
   */
  ipsetEntries?: Record<number, Record<string, string[] | null>>;
}

export interface FirewallChange {
  kind: 'zone' | 'policy' | 'ipset';
  name: string;
  field: string;
  /** add/remove a list item, or set a scalar. */
  op: 'add' | 'remove' | 'set';
  value: string;
}

export interface FixPlan {
  baseline: string;
  /** The profile: baseline values of the chosen keys the baseline has. */
  settings: { key: string; value: string }[];
  /** Chosen keys the baseline does not have (cannot be aligned from it). */
  skipped: string[];
  /** Chosen keys whose baseline name or value the helper would refuse to write (why, per key): never in a fix. */
  refused: string[];
  /**
   * Chosen keys whose baseline value switches a kernel protection off. Those not confirmed
   * (FixOptions.confirmWeakening) are left out of the fix, as HostDeck's own helper would refuse
   * them; `confirmed` says which are in.
   */
  weakening: (Weakening & { confirmed: boolean })[];
  /** The sysctl.d file the fix writes: one that sorts after every file setting a chosen key on a differing host. */
  sysctlFile: string;
  /** Why a host's own configuration may still win at boot (a key set where no sysctl.d name can sort later). */
  fileNotes: string[];
  /** Chosen ipsets that differ but cannot be aligned entry by entry here (entries not known, another type). */
  ipsetNotes: string[];
  /** Per non-baseline host that differs: its name, the keys and firewall changes it needs. */
  hosts: { index: number; name: string; sysctl: { key: string; from: string | null; to: string }[]; firewall: FirewallChange[]; firewallOffline?: boolean; imageRoot?: string }[];
}

export const DEFAULT_SYSCTL_FILE = '/etc/sysctl.d/90-hostdeck-compare.conf';

export function planFix(r: CompareResult, sel: FixSelection, opts: FixOptions = {}): FixPlan {
  const names = r.hosts.map((h, i) => opts.names?.[i] ?? h.label);
  const b = r.baseline;
  const base = r.hosts[b];
  if (!base || base.status !== 'ok') throw new RangeError('The baseline host has no data: pick a reachable baseline');
  const keys = new Set(sel.sysctl);
  const rows = r.sysctl.filter((row) => keys.has(row.key));
  const found = new Set(rows.map((row) => row.key));
  const settings: FixPlan['settings'] = [];
  const skipped = sel.sysctl.filter((k) => !found.has(k));
  const refused: string[] = [];
  const weakening: FixPlan['weakening'] = [];
  const confirmed = new Set(opts.confirmWeakening ?? []);
  const writable = new Set<string>();
  for (const row of rows) {
    const v = row.values[b];
    if (v === null || v === undefined) {
      skipped.push(row.key);
      continue;
    }
    const value = normValue(v)!;
    // The helper's own write rules: a fix never carries what HostDeck itself would refuse to
    // write (a name or value with a newline, kernel.core_pattern piping to a program...).
    // The raw value too: a value with lines must not be folded into one line it never had.
    const why = sysctlKeyError(row.key) ?? sysctlValueError(row.key, v) ?? sysctlValueError(row.key, value);
    if (why) {
      refused.push(why);
      continue;
    }
    // The other hosts would lose a protection the baseline went without: only when the user says so.
    const weakens = weakeningOf(row.key, value);
    if (weakens !== null) {
      weakening.push({ key: row.key, value, weakens, confirmed: confirmed.has(row.key) });
      if (!confirmed.has(row.key)) continue;
    }
    {
      settings.push({ key: row.key, value });
      writable.add(row.key);
    }
  }
  const wanted = new Set(sel.firewall);
  const fwRows = r.firewall.filter((row) => (row.kind === 'zone' || row.kind === 'policy') && wanted.has(`${row.kind}:${row.name}`));
  const setRows = r.firewall.filter((row) => row.kind === 'ipset' && wanted.has(`ipset:${row.name}`));
  const ipsetNotes: string[] = [];
  const hosts: FixPlan['hosts'] = [];
  r.hosts.forEach((h, i) => {
    if (i === b || h.status !== 'ok') return;
    const sysctl: FixPlan['hosts'][number]['sysctl'] = [];
    if (h.coverage.sysctl) {
      for (const row of rows) {
        const to = row.values[b];
        if (to === null || to === undefined || !writable.has(row.key)) continue;
        // A key the host does not have (another interface name, a module not loaded) cannot be set there.
        if (row.values[i] === null) continue;
        if (cellState(row.values, i, b, true) !== 'same') sysctl.push({ key: row.key, from: row.values[i] ?? null, to: normValue(to)! });
      }
    }
    const firewall = firewallChanges(fwRows, i, b, h.coverage.firewall.length > 0 && base.coverage.firewall.length > 0);
    firewall.push(...ipsetChanges(setRows, i, b, opts.ipsetEntries, names, ipsetNotes));
    if (sysctl.length || firewall.length) hosts.push({ index: i, name: names[i]!, sysctl, firewall, ...(h.firewallOffline ? { firewallOffline: true } : {}), ...(h.imageRoot ? { imageRoot: h.imageRoot } : {}) });
  });
  const { file: sysctlFile, notes: fileNotes } = persistentSysctlFile(r, hosts, names);
  return { baseline: names[b]!, settings, skipped, refused, weakening, hosts, sysctlFile: opts.sysctlFile ?? sysctlFile, fileNotes, ipsetNotes };
}

const FIX_FILE_STEM = 'hostdeck-compare.conf';

/**
 * Where the fix must write so that it still wins at boot. systemd-sysctl (and `sysctl --system`)
 * read every *.conf of /etc, /run and /usr/lib sysctl.d sorted by file name (strcmp), and the
 * last file setting a key wins: `90-hostdeck-compare.conf` loses to a host's own `90-web1.conf`.
 * From the effective configuration HostDeck read on each differing host (the winning file of each
 * chosen key), the default name when it already sorts last, else a `99-` name, else as many
 * leading "z" as it takes. A key whose winner is not a sysctl.d file (`/etc/sysctl.conf`, which
 * `sysctl --system` reads after every directory) cannot be outsorted: said in a note.
 */
function persistentSysctlFile(r: CompareResult, hosts: FixPlan['hosts'], names: string[]): { file: string; notes: string[] } {
  const rows = new Map(r.sysctld.map((row) => [row.key, row]));
  const winners: string[] = [];
  const notes: string[] = [];
  for (const h of hosts) {
    for (const s of h.sysctl) {
      const src = rows.get(s.key)?.sources[h.index];
      if (!src) continue;
      const file = src.replace(/:\d+$/, '');
      const base = file.slice(file.lastIndexOf('/') + 1);
      // Sources are host-absolute paths, with or without the leading "/".
      if (/^\/?(etc|run|usr\/lib|lib|usr\/local\/lib)\/sysctl\.d\/[^/]+\.conf$/.test(file)) winners.push(base);
      else notes.push(`${names[h.index]}: ${s.key} is set in ${file}, which sysctl --system reads after every sysctl.d file: change it there too, or the old value returns at boot`);
    }
  }
  const last = winners.reduce((m, w) => (w > m ? w : m), '');
  const candidates = [`90-${FIX_FILE_STEM}`, `99-${FIX_FILE_STEM}`];
  let name = candidates.find((c) => c > last);
  if (!name) {
    const zs = /^z*/.exec(last)![0].length;
    name = `${'z'.repeat(zs + 1)}-${FIX_FILE_STEM}`;
  }
  return { file: `/etc/sysctl.d/${name}`, notes };
}

function firewallChanges(rows: FirewallRow[], i: number, b: number, known: boolean): FirewallChange[] {
  if (!known) return [];
  const out: FirewallChange[] = [];
  // Objects missing on either side cannot be aligned item by item.
  const exists = new Map(rows.filter((r) => r.field === 'exists').map((r) => [`${r.kind}:${r.name}`, r]));
  for (const row of rows) {
    if (row.field === 'exists') continue;
    const e = exists.get(`${row.kind}:${row.name}`);
    if (!e || e.values[i] !== 'yes' || e.values[b] !== 'yes') continue;
    const kind = row.kind as 'zone' | 'policy';
    if (row.item !== null) {
      const here = row.values[i] === PRESENT;
      const there = row.values[b] === PRESENT;
      if (there && !here) out.push({ kind, name: row.name, field: row.field, op: 'add', value: row.item });
      if (here && !there) out.push({ kind, name: row.name, field: row.field, op: 'remove', value: row.item });
    } else if (normValue(row.values[i] ?? null) !== normValue(row.values[b] ?? null) && row.values[b] != null) {
      out.push({ kind, name: row.name, field: row.field, op: 'set', value: row.values[b] });
    }
  }
  return out;
}

/**
 * The entries a host must gain and lose to hold exactly the baseline's entries of a chosen
 * ipset. Only where both hosts have the set, with the same type and options, and both entry
 * lists were read; otherwise a note says why it is left out.
 */
function ipsetChanges(rows: FirewallRow[], i: number, b: number, entries: FixOptions['ipsetEntries'], names: string[], notes: string[]): FirewallChange[] {
  const out: FirewallChange[] = [];
  const byName = new Map<string, FirewallRow[]>();
  for (const row of rows) byName.set(row.name, [...(byName.get(row.name) ?? []), row]);
  for (const [name, rs] of byName) {
    const field = (f: string) => rs.find((r) => r.field === f);
    if (field('exists')?.values[i] !== 'yes' || field('exists')?.values[b] !== 'yes') continue;
    const same = (f: string) => normValue(field(f)?.values[i] ?? null) === normValue(field(f)?.values[b] ?? null);
    if (same('entries sha256') && same('entries')) continue;
    if (!same('type') || !same('options')) {
      notes.push(`${names[i]}: ipset ${name} has another type or options than on ${names[b]}: firewalld cannot change them in place (delete and recreate it)`);
      continue;
    }
    const want = entries?.[b]?.[name];
    const have = entries?.[i]?.[name];
    if (!want || !have) {
      notes.push(`${names[i]}: the entries of ipset ${name} ${!want ? `on ${names[b]}` : ''}${!want && !have ? ' and ' : ''}${!have ? `on ${names[i]}` : ''} are not known (a snapshot or import holds only their count and sha256): compare live hosts to fix them`);
      continue;
    }
    const wanted = new Set(want);
    const had = new Set(have);
    for (const e of want) if (!had.has(e)) out.push({ kind: 'ipset', name, field: 'entries', op: 'add', value: e });
    for (const e of have) if (!wanted.has(e)) out.push({ kind: 'ipset', name, field: 'entries', op: 'remove', value: e });
  }
  return out;
}

/** Objects present on the baseline but missing on a host (reported, never guessed). */
export function missingObjects(r: CompareResult, sel: FixSelection): string[] {
  const wanted = new Set(sel.firewall);
  return r.firewall
    .filter((row) => row.field === 'exists' && wanted.has(`${row.kind}:${row.name}`))
    .flatMap((row) => row.values.map((v, i) => (v === 'no' && row.values[r.baseline] === 'yes' ? `${r.hosts[i]!.label} has no ${row.kind} ${row.name}` : '')).filter(Boolean));
}


/** Matches "net.ipv4.*"-style patterns (only * is special). */
function globRegex(p: string): RegExp {
  return new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/**
 * What "make them the same" picks when the user names nothing: every differing sysctl the hosts
 * can write (not a counter, not the host's identity) and every differing zone and policy.
 * `keys` and `objects` narrow it (globs like "net.ipv4.*", object names like "public").
 */
export function defaultSelection(r: CompareResult, narrow: { keys?: string[]; objects?: string[] } = {}): FixSelection {
  const keyRes = narrow.keys?.map(globRegex);
  const sysctl = r.sysctl
    .filter((row) => row.differs && !row.volatile && row.writable !== false && !isIdentityKey(row.key))
    .filter((row) => !keyRes || keyRes.some((re) => re.test(row.key)))
    .map((row) => row.key);
  const objRes = narrow.objects?.map(globRegex);
  const firewall = [
    ...new Set(
      r.firewall
        .filter((row) => row.differs && (row.kind === 'zone' || row.kind === 'policy' || row.kind === 'ipset'))
        .filter((row) => !objRes || objRes.some((re) => re.test(row.name) || re.test(`${row.kind}:${row.name}`)))
        .map((row) => `${row.kind}:${row.name}`),
    ),
  ];
  return { sysctl: keyRes || !narrow.objects ? sysctl : [], firewall: objRes || !narrow.keys ? firewall : [] };
}

export function sysctlProfileText(plan: FixPlan): string {
  const head = [`# Kernel parameters as on ${commentText(plan.baseline)} (HostDeck compare).`, `# Install as ${plan.sysctlFile} (sorts after the hosts' own files), then: sysctl --system`, ...plan.fileNotes.map((n) => `# Note: ${commentText(n)}`)];
  return `${[...head, ...plan.settings.map((s) => `${s.key} = ${s.value}`)].join('\n')}\n`;
}

// --- firewall-cmd -----------------------------------------------------------------------------

const listOption: Record<string, string> = {
  services: 'service',
  ports: 'port',
  protocols: 'protocol',
  'source-ports': 'source-port',
  'icmp-blocks': 'icmp-block',
  'forward-ports': 'forward-port',
  'rich rules': 'rich-rule',
  interfaces: 'interface',
  sources: 'source',
  'ingress-zones': 'ingress-zone',
  'egress-zones': 'egress-zone',
};

/** firewall-cmd arguments for one change (without --permanent); null when firewall-cmd has no such option. */
function fwArgs(c: FirewallChange): string[] | null {
  if (c.kind === 'ipset') return c.field === 'entries' ? [`--ipset=${c.name}`, `--${c.op}-entry=${c.value}`] : null;
  const scope = c.kind === 'zone' ? `--zone=${c.name}` : `--policy=${c.name}`;
  const opt = listOption[c.field];
  if (opt) return [scope, `--${c.op}-${opt}=${c.value}`];
  if (c.field === 'masquerade' || c.field === 'forward' || c.field === 'icmp-block-inversion') return [scope, `--${c.value === 'yes' ? 'add' : 'remove'}-${c.field}`];
  if (c.field === 'target') return [scope, `--set-target=${c.value}`];
  if (c.field === 'priority') return [scope, `--set-priority=${c.value}`];
  if (c.field === 'ingress-priority' || c.field === 'egress-priority') return [scope, `--set-${c.field}=${c.value}`];
  return null;
}

/** Settings that exist only in the permanent configuration (firewall-cmd refuses them at runtime). */
const permanentOnly = (c: FirewallChange) => c.kind === 'policy' || ['target', 'priority', 'ingress-priority', 'egress-priority'].includes(c.field);

/**
 * One shell script for all differing hosts: `sh fix.sh HOST` runs HOST's block (for example
 * `ssh node-7 sh -s node-7 < fix.sh`). Each change goes to runtime (takes effect now) and to the
 * permanent configuration (survives a reload). An image directory's block is its `hostdeck
 * firewall edit --root DIR` commands (imageEditCommands), run on this machine.
 */
export function firewallCmdScript(plan: FixPlan): string {
  const lines = ['#!/bin/sh', `# firewalld zones and policies as on ${commentText(plan.baseline)} (HostDeck compare).`, '# Usage: sh fix.sh HOST   (runs the block of that host)', 'set -e', 'case "${1:-}" in'];
  let any = false;
  for (const h of plan.hosts) {
    if (!h.firewall.length) continue;
    any = true;
    lines.push(`  ${shellQuote(h.name)})`);
    if (h.imageRoot) {
      // An image directory is files on this machine, not a host with a firewalld to call: its block
      // edits those files (`sh fix.sh IMG` here, never over SSH), the same commands the playbook's notes give.
      const { commands, left } = imageEditCommands(h);
      lines.push(`    # ${commentText(`${h.name} is an image directory on this machine (no firewalld runs there): run this block here, not over SSH`)}`);
      lines.push(...left.map((l) => `    # ${commentText(l)}`), ...commands.map((c) => `    ${c}`), '    ;;');
      continue;
    }
    let reload = false;
    for (const c of h.firewall) {
      const args = fwArgs(c);
      if (!args) {
        lines.push(`    # ${commentText(`${c.kind} ${c.name}: ${c.field} should be ${c.value}`)} (no firewall-cmd option; edit it by hand)`);
        continue;
      }
      const q = (a: string[]) => ['firewall-cmd', ...a].map(shellQuote).join(' ');
      if (permanentOnly(c)) {
        lines.push(`    ${q(['--permanent', ...args])}`);
        reload = true;
      } else lines.push(`    ${q(args)}`, `    ${q(['--permanent', ...args])}`);
    }
    if (reload) lines.push('    firewall-cmd --reload');
    lines.push('    ;;');
  }
  // Host names are data: single-quoted as a whole, never inside double quotes where $(...) runs.
  const one = shellQuote(`HOST (one of: ${plan.hosts.filter((h) => h.firewall.length).map((h) => commentText(h.name)).join(' ')})`);
  lines.push(`  *) echo "usage: sh $0" ${one} >&2; exit 2 ;;`, 'esac');
  if (!any) return `# No firewall differences to fix for the chosen zones and policies (baseline ${commentText(plan.baseline)}).\n`;
  return `${lines.join('\n')}\n`;
}

/** firewall-cmd options `hostdeck firewall edit` does not take (an image's edit cannot carry them). */
const NOT_IN_EDIT = /^--set-(ingress|egress)-priority=/;

/**
 * The `hostdeck firewall edit --root DIR ...` command lines that make an image directory's files
 * like the baseline: one per zone, policy or ipset (each one request, checked as firewalld would
 * load it), every word shell-quoted. A change with a control character (no firewalld value has
 * one) or without an edit option is left out and said why.
 */
export function imageEditCommands(h: Pick<FixPlan['hosts'][number], 'firewall' | 'imageRoot'>): { commands: string[]; left: string[] } {
  const groups = new Map<string, string[]>();
  const left: string[] = [];
  for (const c of h.firewall) {
    const args = fwArgs(c);
    const what = `${c.kind} ${c.name}: ${c.op} ${c.field} ${c.value}`;
    if (!args || NOT_IN_EDIT.test(args[1]!)) {
      left.push(`${commentText(what)}: no hostdeck firewall edit option; edit it by hand`);
      continue;
    }
    if (args.some(hasControl)) {
      left.push(`${commentText(what)}: has a control character; left out`);
      continue;
    }
    const g = groups.get(args[0]!) ?? [];
    g.push(...args.slice(1));
    groups.set(args[0]!, g);
  }
  const root = h.imageRoot!;
  const commands = hasControl(root)
    ? []
    : [...groups].map(([scope, opts]) => ['hostdeck', 'firewall', 'edit', '--root', root, scope, ...opts].map(shellQuote).join(' '));
  if (hasControl(root) && groups.size) left.push('its directory name has a control character: no command is given');
  return { commands, left };
}

// --- Ansible ----------------------------------------------------------------------------------

function firewalldTask(c: FirewallChange, offline: boolean): Record<string, unknown> | null {
  if (c.kind !== 'zone') return null; // ansible.posix.firewalld manages zones only
  const zone = unsafe(c.name);
  // No daemon: the module edits the files (offline: true) and fails on any immediate action (ansible.posix firewalld.py).
  const base = { zone, permanent: true, ...(offline ? { offline: true, immediate: false } : { immediate: !permanentOnly(c) }), state: c.op === 'remove' ? 'disabled' : 'enabled' };
  const param: Record<string, string> = {
    services: 'service',
    ports: 'port',
    protocols: 'protocol',
    'icmp-blocks': 'icmp_block',
    'rich rules': 'rich_rule',
    interfaces: 'interface',
    sources: 'source',
  };
  if (param[c.field]) return { ...base, [param[c.field]!]: unsafe(c.value) };
  if (c.field === 'forward-ports') {
    const o = Object.fromEntries(c.value.split(':').map((kv) => kv.split('=') as [string, string]));
    const pf: Record<string, unknown> = { port: unsafe(o.port ?? ''), proto: unsafe(o.proto ?? ''), toport: unsafe(o.toport ?? o.port ?? '') };
    if (o.toaddr) pf.toaddr = unsafe(o.toaddr);
    return { ...base, port_forward: [pf] };
  }
  if (c.field === 'masquerade') return { ...base, masquerade: 'true', state: c.value === 'yes' ? 'enabled' : 'disabled' };
  if (c.field === 'icmp-block-inversion') return { ...base, icmp_block_inversion: 'true', state: c.value === 'yes' ? 'enabled' : 'disabled' };
  if (c.field === 'target') return { zone, permanent: true, ...(offline ? { offline: true } : {}), state: 'present', target: unsafe(c.value) };
  return null;
}

/**
 * ansible.posix.firewalld has no parameter for ipset entries: firewall-cmd itself, as an argv
 * (no shell), runtime and permanent; an entry already there (ALREADY_ENABLED) or already gone
 * (NOT_ENABLED) is "ok", so a second run changes nothing.
 */
function ipsetEntryTasks(c: FirewallChange, offline: boolean): Record<string, unknown>[] {
  const args = fwArgs(c)!;
  const idem = "'ALREADY_ENABLED' not in r.stderr and 'NOT_ENABLED' not in r.stderr";
  if (offline) {
    // No daemon: firewall-offline-cmd edits the permanent files (it takes firewall-cmd's ipset options).
    // It fails (not warns) on an entry already there or already gone: that is "ok", not an error.
    const said = "('ALREADY_ENABLED' in (r.stdout + r.stderr) or 'NOT_ENABLED' in (r.stdout + r.stderr))";
    return [
      {
        name: unsafe(`ipset ${c.name}: ${c.op} entry ${c.value} (offline)`),
        'ansible.builtin.command': { argv: ['firewall-offline-cmd', ...args.map((a) => unsafe(a))] },
        register: 'r',
        changed_when: `r.rc == 0 and not ${said}`,
        failed_when: `r.rc != 0 and not ${said}`,
      },
    ];
  }
  return [[], ['--permanent']].map((layer) => ({
    name: unsafe(`ipset ${c.name}: ${c.op} entry ${c.value}${layer.length ? ' (permanent)' : ''}`),
    'ansible.builtin.command': { argv: ['firewall-cmd', ...layer, ...args.map((a) => unsafe(a))] },
    register: 'r',
    changed_when: idem,
  }));
}

/** Refuses a host name an inventory, a `-i a,b,` list or a host pattern would misread. */
function checkInventoryNames(names: string[]): void {
  for (const n of names) {
    const why = inventoryNameError(n);
    if (why) throw new RangeError(`Cannot write an Ansible inventory: ${why}. Give the host a valid name (hostdeck compare NAME=FILE, or the label of the import).`);
  }
}

/**
 * A playbook with one play per kind of fix whose `hosts` are the differing hosts by the names
 * given, so `ansible-playbook -i node-3,node-7, play.yml` runs it as is. Sysctls go to the live
 * kernel and to a sysctl.d file; firewalld changes to runtime and permanent. Every value from a
 * host (task names included) is `!unsafe`: ansible-playbook never templates it on the admin's
 * machine, so `{{ lookup('pipe', ...) }}` in a rich rule arrives on the host as text.
 */
export function ansiblePlaybook(plan: FixPlan, opts: FixOptions = {}): { playbook: string; inventory: string; notes: string[] } {
  // An image directory is no SSH host: fixPlays says what to run for it instead.
  const names = plan.hosts.filter((h) => !h.imageRoot).map((h) => h.name);
  checkInventoryNames(names);
  const { plays, notes } = fixPlays(plan, opts);
  const run = names.length ? `ansible-playbook -i ${names.join(',')}, this.yml   (or with the inventory next to it)` : 'nothing for ansible-playbook: every differing host is an image directory (see the notes)';
  const header = fixHeader(plan, names, run, notes);
  const body = plays.length ? new YAML.Document(plays).toString({ lineWidth: 0 }) : '[]\n';
  const inventory = `${commentText(`# Hosts that differ from ${plan.baseline} (HostDeck compare)`)}\n[hostdeck_differs]\n${names.join('\n')}\n`;
  return { playbook: `${header}\n---\n${body}`, inventory, notes };
}

/** The playbook's comment header: what it does, how to run it, and every note (one line each, no control characters). */
export function fixHeader(plan: FixPlan, names: string[], run: string, notes: string[]): string {
  return [
    `# Generated by HostDeck compare: make ${names.join(', ') || 'no host'} like ${plan.baseline}.`,
    `# Run: ${run}`,
    ...plan.skipped.map((k) => `# Skipped: ${k} does not exist on ${plan.baseline}`),
    ...plan.refused.map((r) => `# Left out: ${r}`),
    ...plan.fileNotes.map((n) => `# Note: ${n}`),
    ...plan.ipsetNotes.map((n) => `# Note: ${n}`),
    ...notes.map((n) => `# Note: ${n}`),
  ]
    .map(commentText)
    .join('\n');
}

/** One play of a fix, with the fleet names of the hosts it is for (`hosts`: tagged !unsafe names). */
export type FixPlay = Record<string, unknown> & { hosts: YAML.Scalar<string>[]; tasks: Record<string, unknown>[] };

/** The plays of the fix: one for the sysctls of every differing host, one per host for its firewalld changes. */
export function fixPlays(plan: FixPlan, opts: FixOptions = {}): { plays: FixPlay[]; notes: string[] } {
  const file = opts.sysctlFile ?? plan.sysctlFile;
  const notes: string[] = [];
  const plays: FixPlay[] = [];
  // An image directory (compare NAME=DIR) is files on this machine, not a host Ansible reaches: its
  // firewall files are changed with `hostdeck firewall edit --root DIR`, said in the notes.
  for (const h of plan.hosts.filter((x) => x.imageRoot)) {
    const { commands, left } = imageEditCommands(h);
    for (const c of commands) notes.push(`${h.name} is an image directory, not an SSH host: on this machine run ${c}`);
    notes.push(...left.map((l) => `${h.name} (image directory): ${l}`));
    if (h.sysctl.length) notes.push(`${h.name} is an image directory with no running kernel: its kernel parameters are not set by this playbook (${h.sysctl.map((k) => k.key).join(', ')})`);
  }
  const sysHosts = plan.hosts.filter((h) => h.sysctl.length && !h.imageRoot);
  if (sysHosts.length) {
    // Every differing host gets every chosen key: the modules change nothing where it already matches.
    plays.push({
      name: unsafe(`Kernel parameters as on ${plan.baseline}`),
      hosts: sysHosts.map((h) => unsafe(h.name)),
      ...(opts.become ? { become: true } : {}),
      gather_facts: false,
      tasks: plan.settings.map((s) => ({
        name: unsafe(`${s.key} = ${s.value}`),
        'ansible.posix.sysctl': { name: unsafe(s.key), value: unsafe(s.value), sysctl_file: file, sysctl_set: true, state: 'present', reload: false },
      })),
    });
  }
  const fwHosts = plan.hosts.filter((h) => h.firewall.length && !h.imageRoot);
  for (const h of fwHosts) {
    const tasks: Record<string, unknown>[] = [];
    for (const c of h.firewall) {
      if (c.kind === 'ipset') {
        tasks.push(...ipsetEntryTasks(c, !!h.firewallOffline));
        continue;
      }
      const t = firewalldTask(c, !!h.firewallOffline);
      if (!t) {
        notes.push(`${h.name}: ${c.kind} ${c.name} ${c.field} ${c.op} ${c.value} has no ansible.posix.firewalld parameter: use the firewall-cmd script`);
        continue;
      }
      tasks.push({ name: unsafe(`${c.kind} ${c.name}: ${c.op} ${c.field} ${c.value}`), 'ansible.posix.firewalld': t });
    }
    if (tasks.length) {
      plays.push({ name: unsafe(`firewalld on ${h.name} as on ${plan.baseline}`), hosts: [unsafe(h.name)], ...(opts.become ? { become: true } : {}), gather_facts: false, tasks });
    }
  }
  return { plays, notes };
}
