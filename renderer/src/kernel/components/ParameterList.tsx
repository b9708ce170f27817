import { useEffect, useMemo, useRef } from 'react';
import {
  Button,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  SearchInput,
  Switch,
} from '@patternfly/react-core';
import SearchIcon from '@patternfly/react-icons/dist/esm/icons/search-icon';
import { useVirtualizer } from '@tanstack/react-virtual';
import { emptyFilter, filterRows } from '../../../../shared/kernel/filter';
import type { ListRow } from '../../../../shared/kernel/contract';
import { ChangedBadge, NamespaceBadge, StateBadge, VerdictBadge } from './Badges';
import { useKernelStore } from '../store';

type Item = { kind: 'group'; name: string; count: number } | { kind: 'row'; row: ListRow };

const ROW_HEIGHT = 34;

export function ParameterList({ rows }: { rows: ListRow[] }) {
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
    void select(it.row.key);
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
        <EmptyState titleText="No parameter matches" headingLevel="h2" icon={SearchIcon} variant="sm" data-testid="kernel-no-match">
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
                    onClick={() => void select(r.key)}
                  >
                    <span className="hd-kernel-key" title={r.key}>
                      <span className="hd-kernel-key-head">{r.key.slice(0, r.key.lastIndexOf('.') + 1)}</span>
                      <span className="hd-kernel-key-tail">{r.key.slice(r.key.lastIndexOf('.') + 1)}</span>
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
