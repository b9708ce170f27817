import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  Label,
  FormSelect,
  FormSelectOption,
  PageSection,
  SearchInput,
  Skeleton,
  Switch,
  Tab,
  Tabs,
  TabTitleText,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import SearchIcon from '@patternfly/react-icons/dist/esm/icons/search-icon';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { emptyFilter, filterRows } from '../../../shared/kernel/filter';
import { k8sVersions } from '../../../shared/kernel/version';
import type { EffectiveOut, ListRow } from '../../../shared/kernel/contract';
import { useAppStore } from '../app/store';
import { ChangedBadge, NamespaceBadge, StateBadge, VerdictBadge } from './Badges';
import { ProbeView } from './ProbeView';
import { ProfileView } from './ProfileView';
import { useKernelStore } from './store';
import { ERROR_SOURCES, podAnswer, targetText } from './verdict';
import './kernel.css';

const KERNELS = ['', '4.4', '4.15', '5.4', '5.10', '5.15', '6.1', '6.6', '6.12'];

type Item = { kind: 'group'; name: string; count: number } | { kind: 'row'; row: ListRow };

const PSA_VERSIONS = ['', 'latest', ...k8sVersions.map((v) => `v${v}`)];

function TargetSelectors() {
  const hostId = useAppStore((s) => s.hostId);
  const { target, hostKernel, setTarget } = useKernelStore();
  return (
    <Toolbar className="hd-kernel-target" data-testid="kernel-target" inset={{ default: 'insetNone' }}>
      <ToolbarContent>
        <ToolbarItem className="hd-kernel-target-label">Verdicts for</ToolbarItem>
        <ToolbarItem>
          <FormSelect aria-label="Kubernetes version" data-testid="kernel-k8s-select" value={target.k8s} onChange={(_e, v) => setTarget({ k8s: v }, hostId)}>
            {k8sVersions.map((v) => (
              <FormSelectOption key={v} value={v} label={`Kubernetes ${v}${v === '1.37' ? ' (pre-release)' : ''}`} />
            ))}
          </FormSelect>
        </ToolbarItem>
        <ToolbarItem>
          <FormSelect aria-label="Node kernel" data-testid="kernel-kernel-select" value={target.kernel} onChange={(_e, v) => setTarget({ kernel: v }, hostId)}>
            {KERNELS.map((v) => (
              <FormSelectOption key={v} value={v} label={v ? `Node kernel ${v}` : `This host's kernel${hostKernel ? ` (${hostKernel})` : ''}`} />
            ))}
          </FormSelect>
        </ToolbarItem>
        <ToolbarItem>
          <FormSelect
            aria-label="PodSecurity policy version"
            data-testid="kernel-psa-select"
            value={target.podSecurityVersion}
            onChange={(_e, v) => setTarget({ podSecurityVersion: v }, hostId)}
          >
            {PSA_VERSIONS.map((v) => (
              <FormSelectOption key={v} value={v} label={v ? `PodSecurity ${v}` : 'PodSecurity: same as Kubernetes'} />
            ))}
          </FormSelect>
        </ToolbarItem>
        <ToolbarItem>
          <Switch id="kernel-hostnetwork" data-testid="kernel-hostnetwork" label="hostNetwork pod" isChecked={target.hostNetwork} onChange={(_e, v) => setTarget({ hostNetwork: v }, hostId)} />
        </ToolbarItem>
        <ToolbarItem>
          <Switch id="kernel-hostipc" data-testid="kernel-hostipc" label="hostIPC pod" isChecked={target.hostIPC} onChange={(_e, v) => setTarget({ hostIPC: v }, hostId)} />
        </ToolbarItem>
      </ToolbarContent>
    </Toolbar>
  );
}

const ROW_HEIGHT = 34;

function ParameterList({ rows }: { rows: ListRow[] }) {
  const hostId = useAppStore((s) => s.hostId);
  const { filter, setFilter, selected, select } = useKernelStore();
  const filtered = useMemo(() => filterRows(rows, filter), [rows, filter]);
  const items = useMemo(() => {
    const out: Item[] = [];
    const groups = new Map<string, ListRow[]>();
    for (const r of filtered) {
      const g = groups.get(r.subsystem) ?? [];
      g.push(r);
      groups.set(r.subsystem, g);
    }
    for (const [name, g] of [...groups.entries()].sort()) {
      out.push({ kind: 'group', name, count: g.length });
      for (const row of g) out.push({ kind: 'row', row });
    }
    return out;
  }, [filtered]);
  const parent = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLDivElement>(null);
  // The group bar overlays the top row, so keyboard scrolling keeps one row of padding under it.
  const virt = useVirtualizer({ count: items.length, getScrollElement: () => parent.current, estimateSize: () => ROW_HEIGHT, overscan: 20, scrollPaddingStart: ROW_HEIGHT });
  const virtualItems = virt.getVirtualItems();

  // The group of the first visible row, shown in a bar that stays at the top while scrolling.
  const topIndex = virtualItems.find((vi) => vi.end > virt.scrollOffset! + 1)?.index ?? 0;
  let currentGroup: Extract<Item, { kind: 'group' }> | null = null;
  for (let i = Math.min(topIndex, items.length - 1); i >= 0; i--) {
    const it = items[i]!;
    if (it.kind === 'group') {
      currentGroup = it;
      break;
    }
  }

  const rowIndex = (key: string | null) => (key ? items.findIndex((it) => it.kind === 'row' && it.row.key === key) : -1);
  const moveTo = (index: number) => {
    const it = items[index];
    if (!it || it.kind !== 'row') return;
    void select(it.row.key, hostId);
    virt.scrollToIndex(index, { align: 'auto' });
  };
  const step = (from: number, dir: 1 | -1) => {
    for (let i = from + dir; i >= 0 && i < items.length; i += dir) if (items[i]!.kind === 'row') return i;
    return from;
  };
  const onListKey = (e: React.KeyboardEvent) => {
    const cur = rowIndex(selected);
    const page = Math.max(1, Math.floor((parent.current?.clientHeight ?? 340) / ROW_HEIGHT) - 1);
    let next: number | null = null;
    if (e.key === 'ArrowDown') next = step(cur, 1);
    else if (e.key === 'ArrowUp') next = cur < 0 ? step(-1, 1) : step(cur, -1);
    else if (e.key === 'Home') next = step(-1, 1);
    else if (e.key === 'End') next = step(items.length, -1);
    else if (e.key === 'PageDown') next = step(Math.min(items.length - 1, Math.max(cur, 0) + page - 1), 1);
    else if (e.key === 'PageUp') next = step(Math.max(0, cur - page + 1), -1);
    else if (e.key === 'Escape') {
      searchRef.current?.querySelector('input')?.focus();
      e.preventDefault();
      return;
    }
    if (next !== null) {
      e.preventDefault();
      moveTo(next);
    }
  };
  const onSearchKey = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape' && filter.text) {
      e.preventDefault();
      setFilter({ text: '' });
    } else if (e.key === 'Enter' || e.key === 'ArrowDown') {
      // Enter opens the first match; arrows continue in the list.
      e.preventDefault();
      const first = items.findIndex((it) => it.kind === 'row');
      if (first >= 0) moveTo(e.key === 'ArrowDown' && rowIndex(selected) >= 0 ? rowIndex(selected) : first);
      if (e.key === 'ArrowDown') parent.current?.focus();
    }
  };
  // "/" focuses the search from anywhere on the page, as in most admin consoles.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      e.preventDefault();
      searchRef.current?.querySelector('input')?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const anyFilter = filter.text || filter.changed || filter.namespaced || filter.k8sSafe || filter.writable;
  return (
    <div className="hd-kernel-listpane">
      <div className="hd-kernel-filters">
        <div className="hd-kernel-search" ref={searchRef} onKeyDown={onSearchKey}>
          <SearchInput
            aria-label="Search parameters"
            placeholder="Search keys and values (press / to focus)"
            data-testid="kernel-search"
            value={filter.text}
            onChange={(_e, v) => setFilter({ text: v })}
            onClear={() => setFilter({ text: '' })}
          />
          <span className="hd-kernel-count" data-testid="kernel-count" aria-live="polite">
            {filtered.length === rows.length ? `${rows.length} parameters` : `${filtered.length} of ${rows.length}`}
          </span>
        </div>
        <div className="hd-kernel-switches">
          <Switch id="kf-changed" label="Changed" isChecked={filter.changed} onChange={(_e, v) => setFilter({ changed: v })} />
          <Switch id="kf-ns" label="Namespaced" isChecked={filter.namespaced} onChange={(_e, v) => setFilter({ namespaced: v })} />
          <Switch id="kf-safe" label="Kubernetes-safe" isChecked={filter.k8sSafe} onChange={(_e, v) => setFilter({ k8sSafe: v })} />
          <Switch id="kf-w" label="Writable" isChecked={filter.writable} onChange={(_e, v) => setFilter({ writable: v })} />
        </div>
      </div>
      {filtered.length === 0 ? (
        <EmptyState titleText="No parameter matches" headingLevel="h3" icon={SearchIcon} variant="sm" data-testid="kernel-no-match">
          <EmptyStateBody>{filter.text ? `Nothing matches "${filter.text}" with the filters that are on.` : 'No parameter passes the filters that are on.'}</EmptyStateBody>
          {anyFilter && (
            <EmptyStateFooter>
              <EmptyStateActions>
                <Button variant="link" onClick={() => setFilter(emptyFilter)}>
                  Clear search and filters
                </Button>
              </EmptyStateActions>
            </EmptyStateFooter>
          )}
        </EmptyState>
      ) : (
        <div className="hd-kernel-table">
          <div className="hd-kernel-row hd-kernel-head" role="presentation" data-testid="kernel-list-header">
            <span>Key</span>
            <span>Live value</span>
            <span>Namespace</span>
            <span>Kubernetes</span>
            <span>Set in</span>
          </div>
          <div
            ref={parent}
            className="hd-kernel-list"
            data-testid="kernel-list"
            role="listbox"
            aria-label="Kernel parameters"
            tabIndex={0}
            aria-activedescendant={selected && rowIndex(selected) >= 0 ? `kernel-opt-${selected}` : undefined}
            onKeyDown={onListKey}
          >
            {currentGroup && (
              <div className="hd-kernel-sticky" aria-hidden="true">
                <div className="hd-kernel-group" data-testid="kernel-sticky-group">
                  {currentGroup.name} <span className="hd-kernel-subtle">({currentGroup.count})</span>
                </div>
              </div>
            )}
            <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
              {virtualItems.map((vi) => {
                const it = items[vi.index]!;
                const style = { position: 'absolute' as const, top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${vi.start}px)` };
                if (it.kind === 'group')
                  return (
                    <div key={vi.key} style={style} className="hd-kernel-group" role="presentation">
                      {it.name} <span className="hd-kernel-subtle">({it.count})</span>
                    </div>
                  );
                const r = it.row;
                return (
                  <div
                    key={vi.key}
                    id={`kernel-opt-${r.key}`}
                    style={style}
                    className="hd-kernel-row"
                    role="option"
                    aria-selected={selected === r.key}
                    data-testid={`kernel-row-${r.key}`}
                    onClick={() => void select(r.key, hostId)}
                  >
                    <span className="hd-kernel-key" title={r.key}>
                      {r.key}
                    </span>
                    <span className="hd-kernel-value">
                      <span className="hd-kernel-value-text" title={r.value}>
                        {r.state === 'ok' ? r.value || <span className="hd-kernel-subtle">(empty)</span> : ''}
                      </span>
                      <StateBadge row={r} />
                      <ChangedBadge row={r} />
                    </span>
                    <span>
                      <NamespaceBadge ns={r.namespace} probe={r.probe} />
                    </span>
                    <span>
                      <VerdictBadge status={r.status} keyName={r.key} />
                    </span>
                    <span className="hd-kernel-conf" title={r.configured ? `${r.configured.file}:${r.configured.line} sets ${r.configured.value}` : undefined}>
                      {r.configured ? `${r.configured.file.split('/').pop()}:${r.configured.line}` : ''}
                    </span>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

function DetailPanel({ rows }: { rows: ListRow[] }) {
  const { selected, detail, profile, setProfile, target, hostKernel, liveSource } = useKernelStore();
  const [added, setAdded] = useState<string | null>(null);
  if (!selected)
    return (
      <EmptyState titleText="Select a parameter" headingLevel="h3" variant="sm" data-testid="kernel-detail-empty">
        <EmptyStateBody>
          Click a row, or search and press Enter. The panel says whether a pod may set it on the Kubernetes version and node kernel chosen above, what to do instead,
          and the exact errors a pod would hit. Arrow keys move through the list.
        </EmptyStateBody>
      </EmptyState>
    );
  if (detail.state === 'loading' || detail.state === 'idle') return <Skeleton height="240px" screenreaderText="Loading verdict" />;
  if (detail.state === 'error') return <Alert variant="danger" isInline title={`Cannot classify ${selected} (${detail.code})`}>{detail.message}</Alert>;
  const c = detail.value;
  const row = rows.find((r) => r.key === c.name);
  const k = c.kubernetes;
  const answer = podAnswer(c, target);
  const errors = ERROR_SOURCES.filter((e) => k.errors[e.key]);
  const ns = c.namespaceInfo;
  const tableNs = ns.readOnlyInChild ? 'read-only in a pod' : ns.hostOnly ? 'host only' : (ns.namespace ?? 'not namespaced');
  const inProfile = profile.some((l) => l.key === c.name);
  return (
    <Card data-testid="kernel-detail" className="hd-kernel-detail" isCompact>
      <CardTitle>
        <span className="hd-kernel-detail-title">
          <code>{c.name}</code> <VerdictBadge status={k.status} keyName={`detail-${c.name}`} /> <NamespaceBadge ns={c.namespace} />
        </span>
      </CardTitle>
      <CardBody>
        <Alert variant={answer.tone} isInline title={<span data-testid="kernel-detail-target">{`${targetText(target, hostKernel)}: ${answer.short}.`}</span>} data-testid="kernel-detail-answer" data-tone={answer.tone}>
          {/* The classifier's reasons already say what to do for most verdicts; the summary covers the rest. */}
          {(answer.kind === 'psa' || k.reasons.length === 0) && <p>{answer.headline}</p>}
          {k.reasons.length > 0 && (
            <ul className="hd-kernel-reasons">
              {k.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
        </Alert>
        <DescriptionList isCompact isHorizontal className="hd-kernel-dl" horizontalTermWidthModifier={{ default: '11ch' }}>
          <DescriptionListGroup>
            <DescriptionListTerm>Live value</DescriptionListTerm>
            <DescriptionListDescription>
              {row?.state === 'ok' ? <code>{row.value || '(empty)'}</code> : <StateText row={row} />}
              {row?.drift && (
                <Label isCompact color="red" className="hd-kernel-inline-label" title={liveSource?.note ?? undefined} data-testid="kernel-detail-drift">
                  differs from configured{liveSource?.kind === 'running-kernel' ? ' (live kernel of this host)' : ''}
                </Label>
              )}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Configured</DescriptionListTerm>
            <DescriptionListDescription data-testid="kernel-detail-configured">
              {row?.configured ? (
                <>
                  <code>{row.configured.value}</code> in <code>{row.configured.file}:{row.configured.line}</code>
                </>
              ) : (
                'not set by any sysctl.d file'
              )}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Default</DescriptionListTerm>
            <DescriptionListDescription data-testid="kernel-detail-default">
              {row?.default
                ? `${row.default.value || '(empty)'} (${row.default.basis === 'fresh-namespace' ? 'what a fresh namespace starts with on this kernel' : 'upstream documented default'})${row.changed && row.changed.basis !== 'configured' ? ' · changed' : ''}`
                : "Not knowable here (the kernel does not expose compiled-in defaults and a fresh namespace does not show this key's)."}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Namespace</DescriptionListTerm>
            <DescriptionListDescription>
              {ns.note}
              {ns.verified ? '' : ' (kernel version boundary unverified)'}
              {row?.probe && (
                <div
                  data-testid="kernel-detail-probe"
                  className={row.probe.agrees ? 'hd-kernel-subtle' : 'hd-kernel-probe-disagree'}
                >
                  {row.probe.agrees
                    ? `The probe on this host agrees: ${row.probe.kind}.`
                    : `Probe on this host: ${row.probe.kind}; HostDeck's table: ${tableNs}. Trust the probe for this host.`}
                </div>
              )}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>Safe list</DescriptionListTerm>
            <DescriptionListDescription>
              {k.safeSince ? `Safe since Kubernetes ${k.safeSince}` : 'Not on the kubelet’s safe list in any version'}
              {k.minKernel ? ` (node kernel ≥ ${k.minKernel})` : ''}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>PodSecurity</DescriptionListTerm>
            <DescriptionListDescription>
              baseline <strong data-testid="kernel-detail-psa">{k.podSecurityBaseline}</strong>
              {k.podSecurityBaselineSince ? ` (allowed since ${k.podSecurityBaselineSince})` : ''}
            </DescriptionListDescription>
          </DescriptionListGroup>
          {(k.conflictsWithHostNetwork || k.conflictsWithHostIPC) && (
            <DescriptionListGroup>
              <DescriptionListTerm>Host namespaces</DescriptionListTerm>
              <DescriptionListDescription>
                {k.conflictsWithHostNetwork ? 'conflicts with hostNetwork' : ''}
                {k.conflictsWithHostNetwork && k.conflictsWithHostIPC ? ' · ' : ''}
                {k.conflictsWithHostIPC ? 'conflicts with hostIPC' : ''}
              </DescriptionListDescription>
            </DescriptionListGroup>
          )}
        </DescriptionList>
        {errors.length > 0 && (
          <div className="hd-kernel-errors" data-testid="kernel-detail-errors">
            <Title headingLevel="h4">Errors you would see</Title>
            {errors.map((e) => (
              <div key={e.key} className="hd-kernel-error" data-testid={`kernel-detail-error-${e.key}`}>
                <div className="hd-kernel-error-title">{e.title}</div>
                <code className="hd-kernel-error-text">{k.errors[e.key]}</code>
              </div>
            ))}
          </div>
        )}
        <div className="hd-kernel-detail-actions">
          <Button
            variant="secondary"
            data-testid="kernel-detail-add"
            onClick={() => {
              setProfile([...profile.filter((l) => l.key !== c.name), { key: c.name, value: row?.value ?? '' }]);
              setAdded(c.name);
            }}
          >
            {inProfile ? 'Update in profile' : 'Add to profile'}
          </Button>
          {added === c.name && inProfile && <span className="hd-kernel-subtle">In the profile: edit and export it on the “Profile, apply & export” tab.</span>}
        </div>
      </CardBody>
    </Card>
  );
}

function StateText({ row }: { row: ListRow | undefined }) {
  if (!row) return <>absent on this host</>;
  if (row.state === 'write-only') return <>write-only: the kernel offers no value to read</>;
  if (row.state === 'side-effect') return <>not read: reading it triggers an action in the kernel</>;
  return <>unreadable{row.error ? ` (${row.error})` : ''}</>;
}

const FILE_STATUS: Record<EffectiveOut['files'][number]['status'], { color: 'green' | 'grey' | 'orange' | 'red'; text: string }> = {
  applied: { color: 'green', text: 'read' },
  masked: { color: 'grey', text: 'masked' },
  overridden: { color: 'grey', text: 'overridden' },
  unreadable: { color: 'red', text: 'unreadable' },
};

/** The sysctl.d configuration as systemd-sysctl applies it: files in order, drift, settings with provenance. */
function EffectiveView() {
  const hostId = useAppStore((s) => s.hostId);
  const { effective, loadEffective } = useKernelStore();
  const [text, setText] = useState('');
  useEffect(() => {
    if (effective.state === 'idle') void loadEffective(hostId);
  }, [effective.state, hostId, loadEffective]);
  if (effective.state === 'loading' || effective.state === 'idle') return <Skeleton height="300px" screenreaderText="Reading sysctl.d" />;
  if (effective.state === 'error')
    return (
      <Alert
        variant="danger"
        isInline
        title={`Cannot read the sysctl.d configuration (${effective.code})`}
        actionLinks={<Button variant="link" isInline onClick={() => void loadEffective(hostId)}>Try again</Button>}
      >
        {effective.message}
      </Alert>
    );
  const e = effective.value;
  const warnings = e.warnings.filter((w) => w.severity !== 'info');
  // Drift comes from the Node side for any root (same rule as the list); liveSource says what it was compared with.
  const drift = e.drift;
  const t = text.trim().toLowerCase();
  const settings = t ? e.settings.filter((s) => `${s.key} ${s.value} ${s.file}`.toLowerCase().includes(t)) : e.settings;
  const refresh = (
    <Button variant="link" isInline onClick={() => void loadEffective(hostId)} data-testid="kernel-effective-reload">
      Read again
    </Button>
  );
  if (e.files.length === 0) {
    return (
      <EmptyState titleText="No sysctl.d files" headingLevel="h3" variant="sm" data-testid="kernel-effective-empty">
        <EmptyStateBody>
          Nothing in /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d or /etc/sysctl.conf{e.root !== '/' ? ` under ${e.root}` : ''}: at boot
          the kernel keeps its defaults. Create a profile on the “Profile, apply &amp; export” tab and save it to /etc/sysctl.d.
        </EmptyStateBody>
        <EmptyStateFooter>
          <EmptyStateActions>{refresh}</EmptyStateActions>
        </EmptyStateFooter>
      </EmptyState>
    );
  }
  return (
    <div data-testid="kernel-effective" className="hd-kernel-sections">
      <p className="hd-kernel-subtle">
        {e.root === '/' ? 'This host’s' : <>The configuration under <code>{e.root}</code>:</>} sysctl.d files as systemd-sysctl applies them at boot (later files and
        later lines win). {refresh}
      </p>
      {warnings.length > 0 && (
        <Alert variant="warning" isInline title={`${warnings.length} problem${warnings.length === 1 ? '' : 's'} in these files: lines systemd-sysctl ignores or fails on, invalid values, unknown keys`} data-testid="kernel-effective-warnings">
          <ul>
            {warnings.map((w) => (
              <li key={`${w.file}:${w.line}:${w.message}`}>
                <code>
                  {w.file}:{w.line}
                </code>{' '}
                {w.message}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      <section>
        <Title headingLevel="h3">Files, in the order systemd-sysctl reads them</Title>
        <Table aria-label="sysctl.d files" variant="compact" data-testid="kernel-effective-files">
          <Thead>
            <Tr>
              <Th width={10}>#</Th>
              <Th>File</Th>
              <Th>Status</Th>
            </Tr>
          </Thead>
          <Tbody>
            {e.files.map((f, i) => (
              <Tr key={f.path}>
                <Td dataLabel="#">{i + 1}</Td>
                <Td dataLabel="File">
                  <code>{f.path}</code>
                </Td>
                <Td dataLabel="Status">
                  <Label isCompact color={FILE_STATUS[f.status].color}>
                    {FILE_STATUS[f.status].text}
                  </Label>{' '}
                  {f.by ? <span className="hd-kernel-subtle">by {f.by}</span> : ''}
                  {f.error ? <span className="hd-kernel-subtle">{f.error}</span> : ''}
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      </section>
      <section>
        <Title headingLevel="h3">Drift: live value differs from configured ({drift.length})</Title>
        {e.liveSource.note && drift.length === 0 && (
          <p className="hd-kernel-subtle" data-testid="kernel-live-source">
            {e.liveSource.note}
          </p>
        )}
        {drift.length === 0 ? (
          <p data-testid="kernel-no-drift">Every configured value is what the kernel runs with now.</p>
        ) : (
          <>
            <p className="hd-kernel-subtle" data-testid="kernel-live-source">
              {e.liveSource.note ??
                'Something changed these after boot (sysctl -w, a container runtime, an operator), or they failed to apply. Apply the profile again, or find who writes them.'}
            </p>
            <Table aria-label="Drift" variant="compact" data-testid="kernel-drift">
              <Thead>
                <Tr>
                  <Th>Key</Th>
                  <Th>Configured</Th>
                  <Th>Live</Th>
                  <Th>Set in</Th>
                </Tr>
              </Thead>
              <Tbody>
                {drift.map((d) => (
                  <Tr key={d.key}>
                    <Td dataLabel="Key">
                      <code>{d.key}</code>
                    </Td>
                    <Td dataLabel="Configured">
                      <code>{d.configured}</code>
                    </Td>
                    <Td dataLabel="Live">
                      <code>{d.live ?? 'missing'}</code>
                    </Td>
                    <Td dataLabel="Set in">
                      {d.file}:{d.line}
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          </>
        )}
      </section>
      <section>
        <div className="hd-kernel-section-head">
          <Title headingLevel="h3">Effective settings ({e.settings.length})</Title>
          {e.settings.length > 8 && (
            <SearchInput aria-label="Search effective settings" placeholder="Filter settings" value={text} onChange={(_e, v) => setText(v)} onClear={() => setText('')} />
          )}
        </div>
        {e.settings.length === 0 ? (
          <p>The files set nothing (only comments, exclusions or ignored lines).</p>
        ) : (
          <Table aria-label="Effective settings" variant="compact" data-testid="kernel-effective-settings">
            <Thead>
              <Tr>
                <Th>Key</Th>
                <Th>Value</Th>
                <Th>Set in</Th>
                <Th>Overrides</Th>
              </Tr>
            </Thead>
            <Tbody>
              {settings.map((s) => (
                <Tr key={s.path}>
                  <Td dataLabel="Key">
                    <code>{s.key}</code>
                    {s.ignoreFailure && (
                      <Label isCompact variant="outline" className="hd-kernel-inline-label" title="Line starts with '-': a failure to write it is ignored">
                        errors ignored
                      </Label>
                    )}
                    {s.glob && <span className="hd-kernel-subtle"> from {s.glob}</span>}
                  </Td>
                  <Td dataLabel="Value">
                    <code>{s.value}</code>
                  </Td>
                  <Td dataLabel="Set in">
                    {s.file}:{s.line}
                  </Td>
                  <Td dataLabel="Overrides">{s.overrides.length ? s.overrides.map((o) => `${o.file}:${o.line}`).join(', ') : '—'}</Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
      </section>
    </div>
  );
}

export function KernelPage() {
  const hostId = useAppStore((s) => s.hostId);
  const { list, load } = useKernelStore();
  const [tab, setTab] = useState<string | number>(0);
  useEffect(() => {
    void load(hostId);
  }, [hostId, load]);
  return (
    <PageSection data-testid="kernel-page" className="hd-kernel-page">
      <div className="hd-kernel-header">
        <Title headingLevel="h1">Kernel parameters</Title>
        <p className="hd-kernel-subtle">Live values from /proc/sys, the sysctl.d configuration, and whether a Kubernetes pod may set each key.</p>
      </div>
      <TargetSelectors />
      <Tabs activeKey={tab} onSelect={(_e, k) => setTab(k)} mountOnEnter>
        <Tab eventKey={0} title={<TabTitleText>Live parameters</TabTitleText>} data-testid="kernel-tab-live">
          <div className="hd-kernel-tab">
            {list.state === 'loading' || list.state === 'idle' ? (
              <Skeleton height="400px" screenreaderText="Reading /proc/sys" />
            ) : list.state === 'error' ? (
              <Alert
                variant="danger"
                isInline
                title={`Could not read the kernel parameters (${list.code})`}
                actionLinks={<Button variant="link" isInline onClick={() => void load(hostId)}>Try again</Button>}
              >
                {list.message}
              </Alert>
            ) : list.value.length === 0 ? (
              <EmptyState titleText="No kernel parameters" headingLevel="h3" variant="sm" data-testid="kernel-list-empty">
                <EmptyStateBody>Nothing is readable under /proc/sys on this host: is /proc mounted?</EmptyStateBody>
              </EmptyState>
            ) : (
              <div className="hd-kernel-layout">
                <ParameterList rows={list.value} />
                <div className="hd-kernel-detail-pane">
                  <DetailPanel rows={list.value} />
                </div>
              </div>
            )}
          </div>
        </Tab>
        <Tab eventKey={1} title={<TabTitleText>Configuration &amp; drift</TabTitleText>} data-testid="kernel-tab-effective">
          <div className="hd-kernel-tab">{tab === 1 && <EffectiveView />}</div>
        </Tab>
        <Tab eventKey={2} title={<TabTitleText>Profile, apply &amp; export</TabTitleText>} data-testid="kernel-tab-profile">
          <div className="hd-kernel-tab">{tab === 2 && <ProfileView />}</div>
        </Tab>
        <Tab eventKey={3} title={<TabTitleText>Namespaces: probe vs table</TabTitleText>} data-testid="kernel-tab-probe">
          <div className="hd-kernel-tab">{tab === 3 && <ProbeView />}</div>
        </Tab>
      </Tabs>
    </PageSection>
  );
}
