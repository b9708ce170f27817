/**
 * The offline write operations applied in memory to a configuration as read, with
 * firewall-offline-cmd's semantics (firewall-offline-cmd, firewall/client.py *Settings,
 * core/fw_config.py): items appended in order, a builtin edited becomes an /etc copy, reset
 * (load defaults) removes that copy, deleting a builtin without a copy is refused, deleting a
 * service or ICMP type removes it from every zone and policy. Each item is checked as firewalld
 * checks it when it is set; the whole result is checked afterwards (writer.ts).
 */
import { ApiError } from '../../../shared/api/errors';
import type { Helper, IcmpType, IpSet, LayerState, Policy, Service, Zone } from '../../../shared/firewall/model';
import type { OfflineWriteOp } from '../../../shared/firewall/offline/write-contract';
import { patchSettings } from '../../../shared/firewall/patch';
import { normalizeRichRule } from '../../../shared/firewall/rich-rule';
import { FIREWALLD_CONF_KEYS } from '../../../shared/firewall/offline/parse';
import { IPSET_TYPES, POLICY_TARGETS, ZONE_TARGETS } from '../../../shared/firewall/data/firewalld-constants';
import {
  checkAddress,
  checkIpsetEntry,
  checkIpsetOptions,
  checkName,
  checkPort,
  checkPortProtocol,
  checkProtocol,
  pyInt,
} from '../../../shared/firewall/validate';
import { validatePolicyPatch, validateZonePatch } from '../validate-input';
import { normalizeIpsetEntry, overlappingEntry } from './ipset-entry';

export type FileKind = 'zone' | 'policy' | 'service' | 'ipset' | 'icmptype' | 'helper';
export const DIR_OF: Record<FileKind, string> = { zone: 'zones', policy: 'policies', service: 'services', ipset: 'ipsets', icmptype: 'icmptypes', helper: 'helpers' };
const KEY_OF: Record<FileKind, keyof LayerState> = { zone: 'zones', policy: 'policies', service: 'services', ipset: 'ipsets', icmptype: 'icmptypes', helper: 'helpers' };

export interface OfflineModel {
  layer: LayerState;
  entries: Map<string, string[]>;
  /** firewalld.conf values as firewalld reads them (defaults filled in). */
  conf: Record<string, string>;
  /** Objects that have a file in /usr/lib/firewalld ("kind/name"). */
  builtin: Set<string>;
  /** Objects whose file is in /etc/firewalld ("kind/name"). */
  inEtc: Set<string>;
}

/** What the operations did to each file. */
export interface Touched {
  kind: FileKind | 'conf';
  name: string;
  action: 'write' | 'delete';
  changes: string[];
}

export interface Applied {
  touched: Map<string, Touched>;
  /** firewalld.conf keys set, in order. */
  confSets: Array<[string, string]>;
}

/** The default (/usr/lib) object of a builtin, for reset. */
export type DefaultOf = (kind: FileKind, name: string) => { obj: unknown; entries?: string[] } | undefined;

const WORD: Record<FileKind, string> = { zone: 'zone', policy: 'policy', service: 'service', ipset: 'ipset', icmptype: 'ICMP type', helper: 'helper' };
const ERR_KIND: Record<FileKind, string> = { zone: 'INVALID_ZONE', policy: 'INVALID_POLICY', service: 'INVALID_SERVICE', ipset: 'INVALID_IPSET', icmptype: 'INVALID_ICMPTYPE', helper: 'INVALID_HELPER' };
const BUILTIN_ERR: Record<FileKind, string> = { zone: 'BUILTIN_ZONE', policy: 'BUILTIN_POLICY', service: 'BUILTIN_SERVICE', ipset: 'BUILTIN_IPSET', icmptype: 'BUILTIN_ICMPTYPE', helper: 'BUILTIN_HELPER' };

/** Control characters other than tab and newline cannot be written as XML 1.0 text. */
function checkText(field: string, s: string | undefined): string | undefined {
  // eslint-disable-next-line no-control-regex
  return s !== undefined && /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/.test(s) ? `${field}: contains a control character XML cannot carry` : undefined;
}

export function applyOps(model: OfflineModel, ops: OfflineWriteOp[], defaults: DefaultOf): Applied {
  const touched = new Map<string, Touched>();
  const confSets: Array<[string, string]> = [];
  const L = model.layer;
  ops.forEach((op, index) => {
    const where = `operation ${index + 1} (${op.op}${'name' in op ? ` ${op.name}` : ''})`;
    const fail = (code: string, message: string): never => {
      throw new ApiError(code === 'NOT_FOUND' ? 'NOT_FOUND' : 'INVALID_VALUE', `${where}: ${message}`, { index, op: op.op, firewalldCode: code });
    };
    const mark = (kind: FileKind, name: string, action: 'write' | 'delete', change: string) => {
      const k = `${kind}/${name}`;
      const t = touched.get(k) ?? { kind, name, action, changes: [] };
      t.action = action;
      t.changes.push(change);
      touched.set(k, t);
    };
    const table = <T>(kind: FileKind) => L[KEY_OF[kind]] as unknown as Record<string, T>;
    const existing = <T>(kind: FileKind, name: string): T => {
      const o = table<T>(kind)[name];
      if (!o) fail(ERR_KIND[kind], `there is no ${WORD[kind]} named "${name}"`);
      return o!;
    };
    const newName = (kind: FileKind, name: string) => {
      if (name.includes('/')) fail('INVALID_NAME', `a ${WORD[kind]} name written to a file cannot contain "/"`);
      const bad = checkName(kind, name);
      if (bad) fail('INVALID_NAME', bad);
      if (table(kind)[name] || model.builtin.has(`${kind}/${name}`) || model.inEtc.has(`${kind}/${name}`)) fail('NAME_CONFLICT', `a ${WORD[kind]} named "${name}" already exists${table(kind)[name] ? '' : ' (its file does not load)'}`);
      if ((kind === 'zone' && L.policies[name]) || (kind === 'policy' && L.zones[name])) fail('NAME_CONFLICT', `a ${kind === 'zone' ? 'policy' : 'zone'} named "${name}" already exists (zones and policies share names)`);
    };
    const remove = (kind: FileKind, name: string) => {
      existing(kind, name);
      const k = `${kind}/${name}`;
      if (!model.inEtc.has(k)) fail(BUILTIN_ERR[kind], `"${name}" is a builtin ${WORD[kind]} without changes in /etc/firewalld: it cannot be deleted (firewalld ships it)`);
      model.inEtc.delete(k);
      const def = model.builtin.has(k) ? defaults(kind, name) : undefined;
      if (def) {
        // firewalld then loads the /usr/lib default again.
        table(kind)[name] = def.obj;
        if (kind === 'ipset') model.entries.set(name, [...(def.entries ?? [])]);
      } else {
        delete table(kind)[name];
        if (kind === 'ipset') model.entries.delete(name);
      }
      return !!def;
    };
    const reset = (kind: FileKind, name: string) => {
      existing(kind, name);
      if (!model.builtin.has(`${kind}/${name}`)) fail('NO_DEFAULTS', `"${name}" is not a builtin ${WORD[kind]}: it has no default to go back to`);
      if (!model.inEtc.has(`${kind}/${name}`)) return; // already the default
      remove(kind, name);
      mark(kind, name, 'delete', 'load-defaults (the /etc/firewalld copy is removed)');
    };
    const edited = (kind: FileKind, name: string, change: string) => {
      model.inEtc.add(`${kind}/${name}`);
      mark(kind, name, 'write', change);
    };
    const texts = (p: { short?: string; description?: string }) => {
      const bad = checkText('short', p.short) ?? checkText('description', p.description);
      if (bad) fail('INVALID_VALUE', bad);
    };
    const portsOk = (field: string, ports: Array<{ port: string; protocol: string }> | undefined) => {
      for (const p of ports ?? []) {
        const m = checkPort(p.port) ?? checkPortProtocol(p.protocol);
        if (m) fail('INVALID_PORT', `${field} ${p.port}/${p.protocol}: ${m}`);
      }
    };
    const validated = (f: () => void) => {
      try {
        f();
      } catch (e) {
        if (e instanceof ApiError) fail(e.code, e.message);
        throw e;
      }
    };

    switch (op.op) {
      case 'zone.create': {
        newName('zone', op.name);
        L.zones[op.name] = {
          name: op.name, version: '', short: '', description: '', target: 'default', services: [], ports: [], protocols: [], sourcePorts: [], icmpBlocks: [],
          icmpBlockInversion: false, forward: false, masquerade: false, forwardPorts: [], richRules: [], interfaces: [], sources: [],
        };
        edited('zone', op.name, 'new-zone');
        break;
      }
      case 'policy.create': {
        newName('policy', op.name);
        L.policies[op.name] = {
          name: op.name, version: '', short: '', description: '', target: 'CONTINUE', priority: -1, ingressZones: [], egressZones: [], services: [], ports: [],
          protocols: [], sourcePorts: [], icmpBlocks: [], masquerade: false, forwardPorts: [], richRules: [],
        };
        edited('policy', op.name, 'new-policy');
        break;
      }
      case 'service.create':
        newName('service', op.name);
        L.services[op.name] = { name: op.name, version: '', short: '', description: '', ports: [], protocols: [], sourcePorts: [], modules: [], helpers: [], includes: [], destination: {} };
        edited('service', op.name, 'new-service');
        break;
      case 'ipset.create': {
        newName('ipset', op.name);
        if (!(IPSET_TYPES as readonly string[]).includes(op.type)) fail('INVALID_TYPE', `"${op.type}" is not an ipset type firewalld supports (${IPSET_TYPES.join(', ')})`);
        const bad = checkIpsetOptions(op.type, op.options);
        if (bad) fail('INVALID_OPTION', bad);
        L.ipsets[op.name] = { name: op.name, version: '', short: '', description: '', type: op.type, options: { ...op.options }, entryCount: 0, entriesHash: '' };
        model.entries.set(op.name, []);
        edited('ipset', op.name, `new-ipset --type=${op.type}${Object.entries(op.options).map(([k, v]) => ` --option=${k}=${v}`).join('')}`);
        break;
      }
      case 'icmptype.create':
        newName('icmptype', op.name);
        L.icmptypes[op.name] = { name: op.name, version: '', short: '', description: '', destinations: [] };
        edited('icmptype', op.name, 'new-icmptype');
        break;
      case 'helper.create': {
        newName('helper', op.name);
        if (!op.module.startsWith('nf_conntrack_')) fail('INVALID_MODULE', `"${op.module}" does not start with nf_conntrack_`);
        L.helpers[op.name] = { name: op.name, version: '', short: '', description: '', family: op.family, module: op.module, ports: [] };
        edited('helper', op.name, `new-helper --module=${op.module}${op.family ? ` --family=${op.family}` : ''}`);
        break;
      }

      case 'zone.delete':
      case 'policy.delete':
      case 'ipset.delete':
      case 'helper.delete': {
        const kind = op.op.split('.')[0] as FileKind;
        const back = remove(kind, op.name);
        mark(kind, op.name, 'delete', back ? `delete-${kind} (the /etc/firewalld copy; the builtin applies again)` : `delete-${kind}`);
        break;
      }
      case 'service.delete':
      case 'icmptype.delete': {
        const kind = op.op.split('.')[0] as 'service' | 'icmptype';
        const back = remove(kind, op.name);
        mark(kind, op.name, 'delete', back ? `delete-${kind} (the /etc/firewalld copy; the builtin applies again)` : `delete-${kind}`);
        if (back) break;
        // firewall-offline-cmd removes a deleted service / ICMP type from every zone and policy.
        const field = kind === 'service' ? 'services' : 'icmpBlocks';
        for (const [k, objs] of [['zone', L.zones], ['policy', L.policies]] as const) {
          for (const o of Object.values(objs as Record<string, Zone | Policy>)) {
            if (!o[field].includes(op.name)) continue;
            o[field] = o[field].filter((x) => x !== op.name);
            edited(k, o.name, `${kind === 'service' ? 'remove-service' : 'remove-icmp-block'} ${op.name} (deleted)`);
          }
        }
        break;
      }

      case 'zone.reset':
      case 'policy.reset':
      case 'service.reset':
      case 'ipset.reset':
      case 'icmptype.reset':
      case 'helper.reset':
        reset(op.op.split('.')[0] as FileKind, op.name);
        break;

      case 'zone.patch': {
        const z = existing<Zone>('zone', op.name);
        const patch = normalizeRules(op.patch, fail);
        if (patch.target !== undefined && !(ZONE_TARGETS as readonly string[]).includes(patch.target)) fail('INVALID_TARGET', patch.target);
        texts(patch);
        validated(() => validateZonePatch(patch, L));
        const { changed, effective } = patchSettings(z, patch);
        // firewall-offline-cmd refuses icmp-block-inversion already so (ALREADY_ENABLED, NOT_ENABLED) and writes
        // nothing; other no-ops it still rewrites. Such a request alone is "nothing to change" (differential seed 20000).
        if (!describePatch(effective) && onlyRefusedNoOp(patch)) break;
        L.zones[op.name] = { ...z, ...changed };
        edited('zone', op.name, describePatch(effective) || 'no change (firewall-offline-cmd still rewrites the file)');
        break;
      }
      case 'zone.rename': {
        const z = existing<Zone>('zone', op.name);
        // fw_config.check_builtin_zone: a builtin, even one modified in /etc, keeps its name.
        if (model.builtin.has(`zone/${op.name}`)) fail('BUILTIN_ZONE', `'${op.name}' is built-in zone: it cannot be renamed`);
        newName('zone', op.to);
        delete L.zones[op.name];
        model.inEtc.delete(`zone/${op.name}`);
        L.zones[op.to] = { ...z, name: op.to };
        mark('zone', op.name, 'delete', `rename to ${op.to}`);
        edited('zone', op.to, `rename from ${op.name}`);
        break;
      }
      case 'zone.change-binding': {
        const z = existing<Zone>('zone', op.name);
        const what = op.interface !== undefined ? 'interfaces' : 'sources';
        const item = op.interface ?? op.source;
        if (item === undefined || (op.interface !== undefined && op.source !== undefined)) fail('INVALID_VALUE', 'give exactly one of interface or source');
        const patch = { add: { [what]: [item!] } };
        validated(() => validateZonePatch(patch, L));
        for (const o of Object.values(L.zones)) {
          if (o.name === op.name || !o[what].includes(item!)) continue;
          o[what] = o[what].filter((x) => x !== item);
          edited('zone', o.name, `remove-${what === 'interfaces' ? 'interface' : 'source'} ${item} (moved to ${op.name})`);
        }
        const { changed } = patchSettings(L.zones[op.name] ?? z, patch);
        L.zones[op.name] = { ...z, ...changed };
        edited('zone', op.name, `change-${what === 'interfaces' ? 'interface' : 'source'} ${item}`);
        break;
      }
      case 'policy.patch': {
        const p = existing<Policy>('policy', op.name);
        const patch = normalizeRules(op.patch, fail);
        if (patch.target !== undefined && !(POLICY_TARGETS as readonly string[]).includes(patch.target)) fail('INVALID_TARGET', patch.target);
        if (patch.priority !== undefined && (patch.priority === 0 || patch.priority < -32768 || patch.priority > 32767)) {
          fail('INVALID_PRIORITY', `${patch.priority} is invalid priority. Must be in range [-32768, 32767]. The following are reserved: [0]`);
        }
        texts(patch);
        validated(() => validatePolicyPatch(patch, L));
        const { changed, effective } = patchSettings(p, patch);
        L.policies[op.name] = { ...p, ...changed };
        edited('policy', op.name, describePatch(effective) || 'no change (firewall-offline-cmd still rewrites the file)');
        break;
      }
      case 'service.patch': {
        const s: Service = structuredClone(existing<Service>('service', op.name));
        const { patch } = op;
        texts(patch);
        const changes: string[] = [];
        portsOk('port', patch.add?.ports);
        portsOk('source-port', patch.add?.sourcePorts);
        for (const p of patch.add?.protocols ?? []) {
          const m = checkProtocol(p);
          if (m) fail('INVALID_PROTOCOL', `${p}: ${m}`);
        }
        for (const m of patch.add?.modules ?? []) if (!/^[A-Za-z0-9_-]+$/.test(m)) fail('INVALID_MODULE', `"${m}" is not a module name`);
        for (const h of patch.add?.helpers ?? []) if (!L.helpers[h]) fail('INVALID_HELPER', `there is no helper named "${h}"`);
        for (const i of patch.add?.includes ?? []) if (!L.services[i]) fail('INVALID_SERVICE', `there is no service named "${i}" to include`);
        const listOp = <T>(list: T[], add: T[] | undefined, rm: T[] | undefined, key: (x: T) => string, word: string, show: (x: T) => string) => {
          let out = list;
          for (const x of rm ?? []) {
            if (!out.some((y) => key(y) === key(x))) continue;
            out = out.filter((y) => key(y) !== key(x));
            changes.push(`remove-${word} ${show(x)}`);
          }
          for (const x of add ?? []) {
            if (out.some((y) => key(y) === key(x))) continue;
            out = [...out, x];
            changes.push(`add-${word} ${show(x)}`);
          }
          return out;
        };
        const pk = (p: { port: string; protocol: string }) => `${p.port}/${p.protocol}`;
        s.ports = listOp(s.ports, patch.add?.ports, patch.remove?.ports, pk, 'port', pk);
        s.protocols = listOp(s.protocols, patch.add?.protocols, patch.remove?.protocols, String, 'protocol', String);
        s.sourcePorts = listOp(s.sourcePorts, patch.add?.sourcePorts, patch.remove?.sourcePorts, pk, 'source-port', pk);
        // firewalld keeps modules under their short names (nf_conntrack_ftp -> ftp).
        const mod = (m: string) => (m.startsWith('nf_conntrack_') ? m.slice(13).replace(/_/g, '-') : m);
        s.modules = listOp(s.modules, patch.add?.modules?.map(mod), patch.remove?.modules?.map(mod), String, 'module', String);
        s.helpers = listOp(s.helpers, patch.add?.helpers, patch.remove?.helpers, String, 'helper', String);
        s.includes = listOp(s.includes, patch.add?.includes, patch.remove?.includes, String, 'include', String);
        for (const fam of ['ipv4', 'ipv6'] as const) {
          const v = patch.destination?.[fam];
          if (v === undefined) continue;
          if (v === null) {
            if (s.destination[fam] !== undefined) changes.push(`remove-destination ${fam}`);
            delete s.destination[fam];
          } else {
            const m = checkAddress(v, fam);
            if (m) fail('INVALID_ADDR', `destination ${fam}:${v}: ${m}`);
            s.destination = { ...s.destination, [fam]: v };
            changes.push(`set-destination ${fam}:${v}`);
          }
        }
        if (patch.short !== undefined && patch.short !== s.short) {
          s.short = patch.short;
          changes.push(`set-short ${patch.short}`);
        }
        if (patch.description !== undefined && patch.description !== s.description) {
          s.description = patch.description;
          changes.push('set-description');
        }
        L.services[op.name] = s;
        edited('service', op.name, changes.join(', ') || 'no change (firewall-offline-cmd still rewrites the file)');
        break;
      }
      case 'ipset.patch': {
        const set: IpSet = structuredClone(existing<IpSet>('ipset', op.name));
        const { patch } = op;
        texts(patch);
        const changes: string[] = [];
        if (patch.options) {
          const next = { ...set.options };
          for (const [k, v] of Object.entries(patch.options)) {
            if (v === null) delete next[k];
            else next[k] = v;
          }
          const bad = checkIpsetOptions(set.type, next);
          if (bad) fail('INVALID_OPTION', bad);
          set.options = next;
          changes.push(...Object.entries(patch.options).map(([k, v]) => (v === null ? `remove-option ${k}` : `set-option ${k}=${v}`)));
        }
        let entries = [...(model.entries.get(op.name) ?? [])];
        const timeout = set.options.timeout !== undefined && set.options.timeout !== '0';
        if ((patch.addEntries?.length || patch.removeEntries?.length) && timeout) {
          fail('IPSET_WITH_TIMEOUT', `ipset "${op.name}" has a timeout: firewalld keeps no permanent entries in it`);
        }
        if (patch.removeEntries?.length) {
          const rm = new Set(patch.removeEntries.map(normalizeIpsetEntry));
          const before = entries.length;
          entries = entries.filter((e) => !rm.has(e));
          if (entries.length < before) changes.push(`remove-entry ×${before - entries.length}`);
        }
        if (patch.addEntries?.length) {
          const have = new Set(entries);
          let n = 0;
          for (const raw of patch.addEntries) {
            const bad = checkIpsetEntry(raw, set.type, set.options);
            if (bad) fail('INVALID_ENTRY', bad);
            const e = normalizeIpsetEntry(raw);
            if (have.has(e)) continue;
            const over = overlappingEntry(e, entries);
            if (over) fail('INVALID_ENTRY', `Entry '${e}' overlaps with existing entry '${over}'`);
            have.add(e);
            entries.push(e);
            n++;
          }
          if (n) changes.push(`add-entry ×${n}`);
        }
        if (patch.short !== undefined && patch.short !== set.short) {
          set.short = patch.short;
          changes.push(`set-short ${patch.short}`);
        }
        if (patch.description !== undefined && patch.description !== set.description) {
          set.description = patch.description;
          changes.push('set-description');
        }
        model.entries.set(op.name, entries);
        L.ipsets[op.name] = { ...set, entryCount: entries.length };
        edited('ipset', op.name, changes.join(', ') || 'no change (firewall-offline-cmd still rewrites the file)');
        break;
      }
      case 'icmptype.patch': {
        const t: IcmpType = structuredClone(existing<IcmpType>('icmptype', op.name));
        const { patch } = op;
        texts(patch);
        const changes: string[] = [];
        // No destination means both families (firewalld's client.py: "empty means all"): removing
        // one from none leaves the other, and adding one to none changes nothing.
        for (const d of patch.removeDestinations ?? []) {
          if (t.destinations.length === 0) t.destinations = (['ipv4', 'ipv6'] as const).filter((x) => x !== d);
          else if (t.destinations.includes(d)) t.destinations = t.destinations.filter((x) => x !== d);
          else continue;
          changes.push(`remove-destination ${d}`);
        }
        for (const d of patch.addDestinations ?? []) {
          if (t.destinations.length === 0 || t.destinations.includes(d)) continue;
          t.destinations.push(d);
          changes.push(`add-destination ${d}`);
        }
        if (patch.short !== undefined && patch.short !== t.short) {
          t.short = patch.short;
          changes.push(`set-short ${patch.short}`);
        }
        if (patch.description !== undefined && patch.description !== t.description) {
          t.description = patch.description;
          changes.push('set-description');
        }
        L.icmptypes[op.name] = t;
        edited('icmptype', op.name, changes.join(', ') || 'no change (firewall-offline-cmd still rewrites the file)');
        break;
      }
      case 'helper.patch': {
        const h: Helper = structuredClone(existing<Helper>('helper', op.name));
        const { patch } = op;
        texts(patch);
        const changes: string[] = [];
        if (patch.module !== undefined) {
          if (!patch.module.startsWith('nf_conntrack_')) fail('INVALID_MODULE', `"${patch.module}" does not start with nf_conntrack_`);
          if (patch.module !== h.module) {
            h.module = patch.module;
            changes.push(`set-module ${patch.module}`);
          }
        }
        if (patch.family !== undefined && patch.family !== h.family) {
          h.family = patch.family;
          changes.push(`set-family ${patch.family}`);
        }
        portsOk('port', patch.add?.ports);
        const pk = (p: { port: string; protocol: string }) => `${p.port}/${p.protocol}`;
        for (const p of patch.remove?.ports ?? []) {
          if (!h.ports.some((x) => pk(x) === pk(p))) continue;
          h.ports = h.ports.filter((x) => pk(x) !== pk(p));
          changes.push(`remove-port ${pk(p)}`);
        }
        for (const p of patch.add?.ports ?? []) {
          if (h.ports.some((x) => pk(x) === pk(p))) continue;
          h.ports.push(p);
          changes.push(`add-port ${pk(p)}`);
        }
        if (patch.short !== undefined && patch.short !== h.short) {
          h.short = patch.short;
          changes.push(`set-short ${patch.short}`);
        }
        if (patch.description !== undefined && patch.description !== h.description) {
          h.description = patch.description;
          changes.push('set-description');
        }
        L.helpers[op.name] = h;
        edited('helper', op.name, changes.join(', ') || 'no change (firewall-offline-cmd still rewrites the file)');
        break;
      }

      case 'default-zone': {
        if (!L.zones[op.name]) fail('INVALID_ZONE', `there is no zone named "${op.name}"`);
        if (model.conf.DefaultZone === op.name) break; // firewalld writes nothing when it does not change
        model.conf.DefaultZone = op.name;
        confSets.push(['DefaultZone', op.name]);
        mark('conf' as FileKind, 'firewalld.conf', 'write', `set-default-zone ${op.name}`);
        break;
      }
      case 'conf.set': {
        const bad = confValueProblem(op.key, op.value.trim(), L);
        if (bad) fail('INVALID_VALUE', bad);
        if (model.conf[op.key] === op.value.trim()) break;
        model.conf[op.key] = op.value.trim();
        confSets.push([op.key, op.value.trim()]);
        mark('conf' as FileKind, 'firewalld.conf', 'write', `${op.key}=${op.value.trim()}`);
        break;
      }
    }
  });
  return { touched, confSets };
}

/** Rich rules in firewalld's normalized text (str(Rich_Rule(rule_str=...))), refused when they do not parse. */
function normalizeRules<P extends { add?: { richRules?: string[] }; remove?: { richRules?: string[] } }>(patch: P, fail: (code: string, m: string) => never): P {
  const norm = (rules: string[] | undefined) =>
    rules?.map((r) => {
      const n = normalizeRichRule(r);
      if (n === undefined) fail('INVALID_RULE', `the rich rule ${JSON.stringify(r)} does not parse`);
      return n!;
    });
  return {
    ...patch,
    ...(patch.add ? { add: { ...patch.add, ...(patch.add.richRules ? { richRules: norm(patch.add.richRules) } : {}) } } : {}),
    ...(patch.remove ? { remove: { ...patch.remove, ...(patch.remove.richRules ? { richRules: norm(patch.remove.richRules) } : {}) } } : {}),
  };
}

const ITEM_WORD: Record<string, string> = {
  services: 'service', ports: 'port', protocols: 'protocol', sourcePorts: 'source-port', icmpBlocks: 'icmp-block', forwardPorts: 'forward-port',
  richRules: 'rich-rule', interfaces: 'interface', sources: 'source', ingressZones: 'ingress-zone', egressZones: 'egress-zone',
};
const SCALAR_WORD: Record<string, string> = {
  target: 'set-target', short: 'set-short', description: 'set-description', priority: 'set-priority', ingressPriority: 'set-ingress-priority', egressPriority: 'set-egress-priority',
};

/** A patch whose every part firewall-offline-cmd refuses when already so (its zone settings' add/removeIcmpBlockInversion raise). */
function onlyRefusedNoOp(p: Record<string, unknown>): boolean {
  const keys = Object.entries(p).filter(([, v]) => v !== undefined).map(([k]) => k);
  return keys.length > 0 && keys.every((k) => k === 'icmpBlockInversion');
}

/** An effective patch in firewall-cmd's words ("add-port 8080/tcp, set-target DROP"). */
export function describePatch(p: Record<string, unknown>): string {
  const out: string[] = [];
  for (const side of ['remove', 'add'] as const) {
    for (const [k, items] of Object.entries((p[side] ?? {}) as Record<string, unknown[]>)) {
      for (const it of items ?? []) {
        const text = typeof it === 'string' ? it : 'toPort' in (it as object) ? fwdText(it as never) : `${(it as { port: string }).port}/${(it as { protocol: string }).protocol}`;
        out.push(`${side}-${ITEM_WORD[k] ?? k} ${text}`);
      }
    }
  }
  for (const [k, v] of Object.entries(p)) {
    if (k === 'add' || k === 'remove' || v === undefined) continue;
    if (typeof v === 'boolean') out.push(`${v ? 'add' : 'remove'}-${k === 'icmpBlockInversion' ? 'icmp-block-inversion' : k}`);
    else out.push(`${SCALAR_WORD[k] ?? k} ${String(v)}`);
  }
  return out.join(', ');
}

const fwdText = (f: { port: string; protocol: string; toPort?: string; toAddr?: string }) => `port=${f.port}:proto=${f.protocol}:toport=${f.toPort ?? ''}:toaddr=${f.toAddr ?? ''}`;

const YES_NO = ['yes', 'no', 'true', 'false'];
/** A firewalld.conf value firewalld 1.3.3 accepts for the key (firewalld_conf.read and fw.py's setters). */
export function confValueProblem(key: string, value: string, layer: LayerState): string | undefined {
  if (!(FIREWALLD_CONF_KEYS as readonly string[]).includes(key)) return `"${key}" is not a firewalld.conf setting of firewalld 1.3.3 (${FIREWALLD_CONF_KEYS.join(', ')})`;
  if (/[=\n\r#]/.test(value)) return `${key}: the value cannot contain "=", "#" or a line break`;
  switch (key) {
    case 'DefaultZone':
      return layer.zones[value] ? undefined : `there is no zone named "${value}"`;
    case 'MinimalMark':
      return pyInt(value) === undefined ? `MinimalMark must be a whole number, not "${value}"` : undefined;
    case 'LogDenied':
      return ['all', 'unicast', 'broadcast', 'multicast', 'off'].includes(value) ? undefined : `LogDenied "${value}": choose from all, unicast, broadcast, multicast, off`;
    case 'AutomaticHelpers':
      return ['yes', 'no', 'system'].includes(value.toLowerCase()) ? undefined : `AutomaticHelpers "${value}": choose from yes, no, system`;
    case 'FirewallBackend':
      return ['nftables', 'iptables'].includes(value.toLowerCase()) ? undefined : `FirewallBackend "${value}": choose from nftables, iptables`;
    default:
      return YES_NO.includes(value.toLowerCase()) ? undefined : `${key} "${value}": choose from yes, no`;
  }
}
