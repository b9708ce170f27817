import { forwardPortText, portText } from '../../../shared/firewall/patch';
import type { ForwardPort, Port, PortProtocol, PolicyPatch, ZonePatch } from '../../../shared/firewall/model';
import { richRuleKey } from '../../../shared/firewall/rich-rule';
import { itemWord, settingWord, valueWords } from '../../../shared/firewall/words';

/** List keys an editor can stage changes for (zones and policies). */
export type DraftKey =
  | 'services' | 'ports' | 'protocols' | 'sourcePorts' | 'icmpBlocks' | 'forwardPorts' | 'richRules'
  | 'interfaces' | 'sources' | 'ingressZones' | 'egressZones';

/** Staged edits as display text per list, plus scalar settings. */
export interface Draft {
  add: Partial<Record<DraftKey, string[]>>;
  remove: Partial<Record<DraftKey, string[]>>;
  scalars: Record<string, string | boolean | number>;
  /**
   * Items changed in place: firewalld changes an item by removing it and adding the new one, so an
   * edit is a removal plus an addition (both in add/remove, applied in one all-or-nothing patch)
   * that is shown and undone as one change.
   */
  edits?: Partial<Record<DraftKey, Array<{ from: string; to: string }>>>;
}

export const emptyDraft = (): Draft => ({ add: {}, remove: {}, scalars: {}, edits: {} });

export const isEmptyDraft = (d: Draft) =>
  !Object.values(d.add).some((v) => v?.length) && !Object.values(d.remove).some((v) => v?.length) && Object.keys(d.scalars).length === 0;

export const keyFor = (key: DraftKey) => (key === 'richRules' ? richRuleKey : (t: string) => t);

/** Stages an item; re-adding a staged removal just cancels it. */
export function stage(d: Draft, op: 'add' | 'remove', key: DraftKey, text: string): Draft {
  const k = keyFor(key);
  const other = op === 'add' ? 'remove' : 'add';
  const otherList = d[other][key] ?? [];
  if (otherList.some((x) => k(x) === k(text))) {
    return { ...d, [other]: { ...d[other], [key]: otherList.filter((x) => k(x) !== k(text)) } };
  }
  const list = d[op][key] ?? [];
  if (list.some((x) => k(x) === k(text))) return d;
  return { ...d, [op]: { ...d[op], [key]: [...list, text] } };
}

export function unstage(d: Draft, key: DraftKey, text: string): Draft {
  const k = keyFor(key);
  // Undoing either half of an edit undoes the whole edit.
  const pairs = d.edits?.[key] ?? [];
  const undone = pairs.filter((e) => k(e.from) === k(text) || k(e.to) === k(text));
  const gone = new Set([k(text), ...undone.flatMap((e) => [k(e.from), k(e.to)])]);
  return {
    ...d,
    add: { ...d.add, [key]: (d.add[key] ?? []).filter((x) => !gone.has(k(x))) },
    remove: { ...d.remove, [key]: (d.remove[key] ?? []).filter((x) => !gone.has(k(x))) },
    edits: { ...d.edits, [key]: pairs.filter((e) => !undone.includes(e)) },
  };
}

/** Stages an item changed in place: one change that removes `from` and adds `to`. */
export function stageEdit(d: Draft, key: DraftKey, from: string, to: string): Draft {
  const k = keyFor(key);
  if (k(from) === k(to)) return d;
  const base = unstage(d, key, from);
  const staged = stage(stage(base, 'remove', key, from), 'add', key, to);
  return { ...staged, edits: { ...staged.edits, [key]: [...(staged.edits?.[key] ?? []), { from, to }] } };
}

export function parsePortText(t: string): Port {
  const i = t.lastIndexOf('/');
  return { port: t.slice(0, i), protocol: t.slice(i + 1) as PortProtocol };
}

export function parseForwardPortText(t: string): ForwardPort {
  const o = Object.fromEntries(t.split(':').map((kv) => {
    const i = kv.indexOf('=');
    return [kv.slice(0, i), kv.slice(i + 1)];
  }));
  // to-addr may be IPv6 and contain ":"; it is always last.
  const toaddrAt = t.indexOf(':toaddr=');
  const toAddr = toaddrAt >= 0 ? t.slice(toaddrAt + 8) : '';
  return { port: o.port ?? '', protocol: (o.proto ?? 'tcp') as PortProtocol, toPort: o.toport ?? '', toAddr };
}

export const portsText = (ports: readonly Port[] | undefined) => (ports ?? []).map(portText);
export const forwardPortsText = (f: readonly ForwardPort[] | undefined) => (f ?? []).map(forwardPortText);

function items(lists: Partial<Record<DraftKey, string[]>>) {
  const out: Record<string, unknown[]> = {};
  for (const [key, values] of Object.entries(lists)) {
    if (!values?.length) continue;
    out[key] = key === 'ports' || key === 'sourcePorts' ? values.map(parsePortText) : key === 'forwardPorts' ? values.map(parseForwardPortText) : values;
  }
  return Object.keys(out).length ? out : undefined;
}

export function draftToZonePatch(d: Draft): ZonePatch {
  const patch: ZonePatch = { ...(d.scalars as Partial<ZonePatch>) };
  const add = items(d.add);
  const remove = items(d.remove);
  if (add) patch.add = add as ZonePatch['add'];
  if (remove) patch.remove = remove as ZonePatch['remove'];
  return patch;
}

export function draftToPolicyPatch(d: Draft): PolicyPatch {
  const patch: PolicyPatch = { ...(d.scalars as Partial<PolicyPatch>) };
  const add = items(d.add);
  const remove = items(d.remove);
  if (add) patch.add = add as PolicyPatch['add'];
  if (remove) patch.remove = remove as PolicyPatch['remove'];
  return patch;
}

/** An item as people read it: forward ports as "80/tcp → 10.0.0.2:8080", the rest as firewall-cmd prints them. */
function itemWords(key: string, t: string): string {
  if (key !== 'forwardPorts') return t;
  const f = parseForwardPortText(t);
  return `${f.port}/${f.protocol} → ${f.toAddr || 'this host'}${f.toPort ? ` port ${f.toPort}` : ''}`;
}

/** One line per staged change, for the apply bar, in people's words ("Add port 8080/tcp", "Set masquerade to on"). */
export function describeDraft(d: Draft): string[] {
  const lines: string[] = [];
  const inEdit = new Set<string>();
  for (const [k, pairs] of Object.entries(d.edits ?? {})) {
    const key = keyFor(k as DraftKey);
    for (const e of pairs ?? []) {
      inEdit.add(`${k}\0${key(e.from)}`).add(`${k}\0${key(e.to)}`);
      lines.push(k === 'richRules' ? `Change ${itemWord(k)}: ${e.from} → ${e.to}` : `Change ${itemWord(k)} ${itemWords(k, e.from)} → ${itemWords(k, e.to)}`);
    }
  }
  const line = (verb: string, k: string, t: string) => {
    if (inEdit.has(`${k}\0${keyFor(k as DraftKey)(t)}`)) return;
    lines.push(k === 'richRules' ? `${verb} ${itemWord(k)}: ${t}` : `${verb} ${itemWord(k)} ${itemWords(k, t)}`);
  };
  for (const [k, v] of Object.entries(d.add)) for (const t of v ?? []) line('Add', k, t);
  for (const [k, v] of Object.entries(d.remove)) for (const t of v ?? []) line('Remove', k, t);
  for (const [k, v] of Object.entries(d.scalars)) lines.push(`Set ${settingWord(k)} to ${valueWords(v)}`);
  return lines;
}
