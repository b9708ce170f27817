import { useEffect, useRef, useState } from 'react';
import { Alert, EmptyState, EmptyStateBody, FormSelect, FormSelectOption, Label, SearchInput, TextArea, TextInput, Title, ToggleGroup, ToggleGroupItem } from '@patternfly/react-core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { diffCount, diffObject, fieldDiff } from '../../../../shared/firewall/diff';
import { ipsetUsers, usesText } from '../../../../shared/firewall/references';
import { IPSET_TYPES } from '../../../../shared/firewall/data/firewalld-constants';
import type { FullState, Layer } from '../../../../shared/firewall/model';
import { checkIpsetOptions, checkName, parseIpsetEntriesFile } from '../../../../shared/firewall/validate';
import { useFirewallStore } from '../store';
import { ListNav } from './ListNav';
import { ConfirmModal, type Confirm } from './ConfirmModal';
import { useHostApi, usePageHost } from '../../app/host-store';
import { WriteButton } from '../../app/capabilities';
import { useOfflineSave } from '../offline-save';
import { OfflineObjectActions } from './OfflineObjectActions';

const PAGE = 500;

type EntryView = 'all' | 'runtimeOnly' | 'permanentOnly';

export function IpsetsView({ full }: { full: FullState }) {
  const selected = useFirewallStore((s) => s.selectedIpset);
  const { select } = useFirewallStore.of(usePageHost()).getState();
  const names = [...new Set([...Object.keys(full.permanent.ipsets), ...Object.keys(full.runtime.ipsets)])].sort();
  const current = selected && names.includes(selected) ? selected : names[0];
  return (
    <div className="hd-fw-split">
      <ListNav label="IP sets">
        {names.map((n) => {
          const s = full.runtime.ipsets[n] ?? full.permanent.ipsets[n]!;
          return (
            <button key={n} type="button" className="hd-fw-list-item" aria-current={current === n} data-testid={`fw-ipset-${n}`} onClick={() => select('ipset', n)}>
              <span>{n}</span>
              <span className="hd-fw-list-badges">
                <Label isCompact>{s.type}</Label>
                <Label isCompact color="blue">{s.entryCount.toLocaleString()}</Label>
                {!full.runtime.ipsets[n] && <Label isCompact color="orange">not loaded</Label>}
                {!full.permanent.ipsets[n] && <Label isCompact color="orange">runtime only</Label>}
                {full.runtime.ipsets[n] && full.permanent.ipsets[n] && diffObject('ipset', n, full.runtime.ipsets[n], full.permanent.ipsets[n]) && (
                  <Label isCompact color="orange" title="runtime and permanent differ" data-testid={`fw-ipset-${n}-diff`}>Δ</Label>
                )}
              </span>
            </button>
          );
        })}
        <CreateIpset existing={names} offline={!!full.offline} />
      </ListNav>
      <div className="hd-fw-main">{current ? <IpsetEntries key={current} full={full} name={current} /> : (
        <EmptyState titleText="No ipsets" headingLevel="h3" data-testid="fw-ipsets-empty">
          <EmptyStateBody>An ipset holds many addresses, networks or MACs that zone sources and rich rules can match at once. Create one on the left.</EmptyStateBody>
        </EmptyState>
      )}</div>
    </div>
  );
}

function CreateIpset({ existing, offline }: { existing: string[]; offline: boolean }) {
  const hostId = usePageHost();
  const api = useHostApi();
  const { run, load, select } = useFirewallStore.of(hostId).getState();
  const [name, setName] = useState('');
  const [type, setType] = useState<string>('hash:net');
  const [family, setFamily] = useState('inet');
  const [timeout, setTimeoutText] = useState('');
  const options: Record<string, string> = type === 'hash:mac' ? {} : { family };
  if (timeout) options.timeout = timeout;
  const problem = name ? checkName('ipset', name) ?? (existing.includes(name) ? `ipset "${name}" exists.` : undefined) ?? checkIpsetOptions(type, options) : undefined;
  const create = () => {
    if (!name || problem) return;
    if (offline) {
      select('ipset', name);
      setName('');
      return void useOfflineSave.of(hostId).getState().open(`New ipset ${name}`, [{ op: 'ipset.create', name, type, options }]);
    }
    void run('Creating the ipset', () => api.firewall.createIpset({ name, type, options }), `ipset ${name} created (reload to load it)`).then((r) => {
      if (r) {
        select('ipset', name);
        setName('');
        void load();
      }
    });
  };
  const onEnter = (e: React.KeyboardEvent) => e.key === 'Enter' && create();
  return (
    <div className="hd-fw-list-new">
      <TextInput aria-label="New ipset name" placeholder="new ipset name" data-testid="fw-new-ipset-name" value={name} onChange={(_e, v) => setName(v)} onKeyDown={onEnter} validated={problem ? 'error' : 'default'} />
      <FormSelect aria-label="ipset type" data-testid="fw-new-ipset-type" value={type} onChange={(_e, v) => setType(v)}>
        {IPSET_TYPES.map((t) => <FormSelectOption key={t} value={t} label={t} />)}
      </FormSelect>
      {type !== 'hash:mac' && (
        <FormSelect aria-label="ipset family" data-testid="fw-new-ipset-family" value={family} onChange={(_e, v) => setFamily(v)}>
          <FormSelectOption value="inet" label="IPv4 (inet)" />
          <FormSelectOption value="inet6" label="IPv6 (inet6)" />
        </FormSelect>
      )}
      <TextInput aria-label="Entry timeout" placeholder="entry timeout in s (optional)" value={timeout} onChange={(_e, v) => setTimeoutText(v)} onKeyDown={onEnter} />
      <WriteButton variant="secondary" data-testid="fw-new-ipset" isDisabled={!name || !!problem} onClick={create}>Create ipset</WriteButton>
      {problem && <span className="hd-fw-error">{problem}</span>}
    </div>
  );
}

/** Entries of one ipset, read page by page as the list scrolls, filtered on the host. */
function IpsetEntries({ full, name }: { full: FullState; name: string }) {
  const hostId = usePageHost();
  const api = useHostApi();
  const epoch = useFirewallStore((s) => s.ipsetEpoch);
  const busy = useFirewallStore((s) => s.busy);
  const { run, load } = useFirewallStore.of(hostId).getState();
  const [layer, setLayer] = useState<Layer>(full.runtime.ipsets[name] ? 'runtime' : 'permanent');
  const set = full[layer].ipsets[name] ?? full.permanent.ipsets[name] ?? full.runtime.ipsets[name];
  const [filter, setFilter] = useState('');
  const [applied, setApplied] = useState('');
  const [matched, setMatched] = useState<number | undefined>();
  const [pages, setPages] = useState<Map<number, string[]>>(new Map());
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [text, setText] = useState('');
  const [report, setReport] = useState<string | undefined>();
  const [confirm, setConfirm] = useState<Confirm>();
  const loading = useRef(new Set<number>());
  const parentRef = useRef<HTMLDivElement>(null);
  // Runtime vs permanent by content (digest); the differing entries are read page by page.
  const diff = diffObject('ipset', name, full.runtime.ipsets[name], full.permanent.ipsets[name]);
  const entriesDiffer = !!fieldDiff(diff, 'entries');
  const [view, setView] = useState<EntryView>('all');
  const [sides, setSides] = useState<{ runtimeOnly: number; permanentOnly: number }>();
  const shownView: EntryView = entriesDiffer ? view : 'all';
  const users = ipsetUsers(full.permanent, name);

  useEffect(() => {
    const t = setTimeout(() => setApplied(filter), 250);
    return () => clearTimeout(t);
  }, [filter]);
  useEffect(() => {
    setPages(new Map());
    loading.current.clear();
    setMatched(undefined);
    void loadPage(0);
    // loadPage reads the current filter and layer
  }, [applied, layer, epoch, name, shownView]);
  useEffect(() => {
    setSides(undefined);
    if (!entriesDiffer) return;
    void api.firewall
      .ipsetEntriesDiff({ name, side: 'runtimeOnly', offset: 0, limit: 1 })
      .then((r) => setSides({ runtimeOnly: r.runtimeOnly, permanentOnly: r.permanentOnly }), () => undefined);
  }, [entriesDiffer, epoch, name, hostId, full.runtime.ipsets[name]?.entriesHash, full.permanent.ipsets[name]?.entriesHash]);

  async function loadPage(page: number) {
    if (loading.current.has(page)) return;
    loading.current.add(page);
    try {
      const r =
        shownView === 'all'
          ? await api.firewall.ipsetEntries({ name, layer, offset: page * PAGE, limit: PAGE, filter: applied, offline: full.offline ? true : undefined })
          : await api.firewall.ipsetEntriesDiff({ name, side: shownView, offset: page * PAGE, limit: PAGE, filter: applied });
      setMatched(r.matched);
      setPages((p) => new Map(p).set(page, r.entries));
    } catch {
      loading.current.delete(page);
    }
  }

  const count = matched ?? 0;
  const virtual = useVirtualizer({ count, getScrollElement: () => parentRef.current, estimateSize: () => 28, overscan: 20 });
  const items = virtual.getVirtualItems();
  useEffect(() => {
    const wanted = new Set(items.map((i) => Math.floor(i.index / PAGE)));
    for (const p of wanted) if (!pages.has(p)) void loadPage(p);
  });

  if (!set) return null;
  const timeoutSet = !!set.options.timeout && set.options.timeout !== '0';
  const parsed = text.trim() ? parseIpsetEntriesFile(text, set.type, set.options) : undefined;
  const send = (op: 'add' | 'remove' | 'replace', entries: string[]) => {
    if (full.offline) {
      // Offline: entries go into the ipset's file (--add-entry / --remove-entry), reviewed first.
      const patch = op === 'add' ? { addEntries: entries } : { removeEntries: entries };
      setText('');
      setSelected(new Set());
      return void useOfflineSave.of(hostId).getState().open(`${op === 'add' ? 'Add' : 'Remove'} ${entries.length.toLocaleString()} entr${entries.length === 1 ? 'y' : 'ies'} of ipset ${name}`, [{ op: 'ipset.patch', name, patch }]);
    }
    const fn = op === 'add' ? api.firewall.ipsetAddEntries : op === 'remove' ? api.firewall.ipsetRemoveEntries : api.firewall.ipsetSetEntries;
    // Selected in a "only in runtime/permanent" view: they are removed from the layer that has them.
    const target: Layer = op === 'remove' && shownView !== 'all' ? (shownView === 'runtimeOnly' ? 'runtime' : 'permanent') : layer;
    void run(`${op === 'add' ? 'Adding' : op === 'remove' ? 'Removing' : 'Replacing'} entries`, () => fn({ name, layer: target, entries })).then((r) => {
      if (r) {
        setReport(`${r.added.toLocaleString()} added, ${r.removed.toLocaleString()} removed; ${r.entryCount.toLocaleString()} entries now.`);
        setText('');
        setSelected(new Set());
        useFirewallStore.of(hostId).setState((s) => ({ ipsetEpoch: s.ipsetEpoch + 1 }));
      }
    });
  };
  const importFile = async (file: File) => setText(await file.text());

  return (
    <div className="hd-fw-editor" data-testid="fw-ipset-editor">
      <div className="hd-fw-editor-head">
        <Title headingLevel="h2">ipset {name}</Title>
        <Label>{set.type}</Label>
        {Object.entries(set.options).map(([k, v]) => <Label key={k} isCompact>{k}={v}</Label>)}
        {/* One layer offline: the file. */}
        {!full.offline && <ToggleGroup aria-label="Layer">
          {(['runtime', 'permanent'] as const).map((l) => <ToggleGroupItem key={l} text={l} isSelected={layer === l} isDisabled={!full[l].ipsets[name]} onChange={() => setLayer(l)} />)}
        </ToggleGroup>}
        {!full.offline && full.runtime.ipsets[name] && full.permanent.ipsets[name] && (
          !diff ? <Label color="grey" data-testid="fw-ipset-diff">runtime = permanent</Label> : (
            <Label color="orange" data-testid="fw-ipset-diff">
              {entriesDiffer
                ? sides ? `entries differ: ${sides.runtimeOnly.toLocaleString()} only in runtime, ${sides.permanentOnly.toLocaleString()} only in permanent` : 'entries differ'
                : `${diffCount(diff)} setting${diffCount(diff) === 1 ? '' : 's'} differ`}
            </Label>
          )
        )}
        {full.offline && <OfflineObjectActions kind="ipset" name={name} meta={full.permanent.ipsets[name]?.meta} inUse={users.length ? `Used by ${usesText(users)}` : undefined} />}
        {full.permanent.ipsets[name] && !full.offline && (
          <WriteButton
            variant="secondary"
            isDanger
            data-testid="fw-delete-ipset"
            isDisabled={busy || users.length > 0}
            title={users.length ? `Used by ${usesText(users)}` : undefined}
            onClick={() => setConfirm({
              title: `Delete ipset ${name}?`,
              danger: true,
              body: (
                <p>
                  The permanent ipset {name} and its {(full.permanent.ipsets[name]?.entryCount ?? 0).toLocaleString()} entries are deleted.
                  {full.runtime.ipsets[name] ? ' The runtime copy stays until the next reload.' : ''}
                </p>
              ),
              action: 'Delete ipset',
              run: () => run('Deleting the ipset', () => api.firewall.deleteIpset({ name }), `ipset ${name} deleted`).then(() => load()),
            })}
          >
            Delete ipset
          </WriteButton>
        )}
      </div>
      {users.length > 0 && (
        <Alert isInline isPlain variant="info" title={`In use: ${usesText(users)}. Remove it there before deleting the ipset (a reload would fail otherwise).`} data-testid="fw-ipset-users" />
      )}
      {entriesDiffer && (
        <ToggleGroup aria-label="Entries to show" data-testid="fw-ipset-view">
          <ToggleGroupItem text={`all ${layer} entries`} buttonId="fw-ipset-view-all" isSelected={shownView === 'all'} onChange={() => setView('all')} />
          <ToggleGroupItem text={`only in runtime${sides ? ` (${sides.runtimeOnly.toLocaleString()})` : ''}`} buttonId="fw-ipset-view-runtimeOnly" isSelected={shownView === 'runtimeOnly'} onChange={() => setView('runtimeOnly')} />
          <ToggleGroupItem text={`only in permanent${sides ? ` (${sides.permanentOnly.toLocaleString()})` : ''}`} buttonId="fw-ipset-view-permanentOnly" isSelected={shownView === 'permanentOnly'} onChange={() => setView('permanentOnly')} />
        </ToggleGroup>
      )}
      {timeoutSet && <Alert isInline variant="info" title="This ipset has a timeout: firewalld cannot list its entries (IPSET_WITH_TIMEOUT)." />}
      <div className="hd-fw-inline">
        <SearchInput aria-label="Search entries" placeholder="search (text, or an address to find the networks holding it)" data-testid="fw-ipset-search" value={filter} onChange={(_e, v) => setFilter(v)} onClear={() => setFilter('')} />
        <span data-testid="fw-ipset-count">{matched === undefined ? '…' : shownView === 'all' ? `${count.toLocaleString()} of ${set.entryCount.toLocaleString()}` : `${count.toLocaleString()} ${shownView === 'runtimeOnly' ? 'only in runtime' : 'only in permanent'}`}</span>
        <WriteButton variant="secondary" isDanger isDisabled={!selected.size || busy} data-testid="fw-ipset-remove" onClick={() => send('remove', [...selected])}>Remove {selected.size || ''} selected</WriteButton>
      </div>
      <div ref={parentRef} className="hd-fw-entries" data-testid="fw-ipset-entries">
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {items.map((i) => {
            const entry = pages.get(Math.floor(i.index / PAGE))?.[i.index % PAGE];
            return (
              <div key={i.key} className="hd-fw-entry hd-fw-mono" style={{ transform: `translateY(${i.start}px)`, height: i.size }} data-testid="fw-ipset-entry">
                {entry === undefined ? <span className="hd-fw-none">…</span> : (
                  <label>
                    <input type="checkbox" checked={selected.has(entry)} onChange={(e) => {
                      const next = new Set(selected);
                      if (e.target.checked) next.add(entry);
                      else next.delete(entry);
                      setSelected(next);
                    }} /> {entry}
                  </label>
                )}
              </div>
            );
          })}
        </div>
      </div>
      <section className="hd-fw-section">
        <h3 className="hd-fw-section-title">Add or import entries</h3>
        <TextArea aria-label="Entries" data-testid="fw-ipset-add-text" placeholder={'one entry per line; # and ; start comments'} value={text} onChange={(_e, v) => setText(v)} rows={4} resizeOrientation="vertical" />
        <div className="hd-fw-inline">
          <input type="file" aria-label="Import entries from a file" data-testid="fw-ipset-file" onChange={(e) => e.target.files?.[0] && void importFile(e.target.files[0])} />
          {parsed && <span data-testid="fw-ipset-parse">{parsed.entries.length.toLocaleString()} valid, {parsed.problems.length} invalid, {parsed.duplicates} duplicate</span>}
          <WriteButton variant="primary" data-testid="fw-ipset-add" isDisabled={!parsed?.entries.length || parsed.problems.length > 0 || busy} onClick={() => parsed && send('add', parsed.entries)}>Add</WriteButton>
          {!full.offline && <WriteButton variant="secondary" data-testid="fw-ipset-replace" isDisabled={!parsed?.entries.length || parsed.problems.length > 0 || busy} onClick={() => parsed && setConfirm({
            title: `Replace all entries of ${name}?`,
            danger: true,
            body: <p>The {set.entryCount.toLocaleString()} {layer} entries of {name} are replaced by these {parsed.entries.length.toLocaleString()}.</p>,
            action: 'Replace all',
            run: async () => send('replace', parsed.entries),
          })}>Replace all</WriteButton>}
        </div>
        {parsed && parsed.problems.length > 0 && (
          <Alert isInline variant="danger" title={`${parsed.problems.length} line(s) are not valid ${set.type} entries`} data-testid="fw-ipset-problems">
            <ul>{parsed.problems.slice(0, 20).map((p) => <li key={p.line}>line {p.line}: {p.message}</li>)}</ul>
          </Alert>
        )}
        {report && <Alert isInline variant="success" title={report} data-testid="fw-ipset-report" />}
      </section>
      {confirm && <ConfirmModal c={confirm} onClose={() => setConfirm(undefined)} />}
    </div>
  );
}
