import { useMemo, useRef } from 'react';
import { Button, Checkbox, FormSelect, FormSelectOption, Label, SearchInput, Switch } from '@patternfly/react-core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { changeText } from '../../../../shared/history/changes';
import type { HistoryPoint } from '../../../../shared/history/model';
import { historyStore, visiblePoints, whoText, type HistoryScope } from '../store';

const KIND: Record<HistoryPoint['kind'], { text: string; color: 'blue' | 'orange' | 'grey' }> = {
  change: { text: 'HostDeck', color: 'blue' },
  outside: { text: 'Outside HostDeck', color: 'orange' },
  first: { text: 'First read', color: 'grey' },
};
const SHOWN_CHANGES = 3;

const at = (t: number) => new Date(t).toLocaleString();

/** What the point says in one line: who asked and what, or when an outside change happened. */
function headline(p: HistoryPoint): string {
  if (p.kind === 'outside') return `Changed outside HostDeck${p.since !== null ? ` between ${at(p.since)} and ${at(p.time)}` : ` before ${at(p.time)}`}`;
  return p.what;
}

/** The filters: feature (History page only), who, outside changes only, text. */
function Filters({ scope, people }: { scope: HistoryScope; people: string[] }) {
  const store = historyStore(scope);
  const filters = store((s) => s.filters);
  const set = store((s) => s.setFilters);
  return (
    <div className="hd-compare-toolbar" data-testid="history-filters">
      {scope === 'all' ? (
        <FormSelect value={filters.feature} onChange={(_e, v) => set({ feature: v as typeof filters.feature })} aria-label="Feature" className="hd-compare-select" data-testid="history-filter-feature">
          <FormSelectOption value="" label="Every feature" />
          <FormSelectOption value="firewall" label="Firewall" />
          <FormSelectOption value="dns" label="DNS" />
          <FormSelectOption value="kernel" label="Kernel" />
        </FormSelect>
      ) : null}
      <FormSelect value={filters.who} onChange={(_e, v) => set({ who: v })} aria-label="Who" className="hd-compare-select" data-testid="history-filter-who">
        <FormSelectOption value="" label="Anyone" />
        {people.map((w) => (
          <FormSelectOption key={w} value={w} label={w} />
        ))}
      </FormSelect>
      <Switch id={`history-outside-${scope}`} label="Outside changes only" isChecked={filters.outsideOnly} onChange={(_e, v) => set({ outsideOnly: v })} data-testid="history-filter-outside" />
      <SearchInput className="hd-compare-grow" value={filters.text} onChange={(_e, v) => set({ text: v })} onClear={() => set({ text: '' })} placeholder="Filter by words (what, who, a key)" aria-label="Filter points" data-testid="history-filter-text" />
    </div>
  );
}

/**
 * The timeline, newest first, virtualized (a host keeps thousands of points): each point says
 * what happened, who asked, the result and its first changes; a point can be picked for the
 * difference or taken as the point to go back to.
 */
export function Timeline({ scope, points }: { scope: HistoryScope; points: HistoryPoint[] }) {
  const store = historyStore(scope);
  const filters = store((s) => s.filters);
  const picked = store((s) => s.picked);
  const pick = store((s) => s.pick);
  const previewRestore = store((s) => s.previewRestore);
  const people = useMemo(() => [...new Set(points.map((p) => whoText(p.who)).filter(Boolean))].sort(), [points]);
  const rows = useMemo(() => visiblePoints(points, filters).slice().reverse(), [points, filters]);
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => 88, overscan: 8, getItemKey: (i) => rows[i]!.id });
  return (
    <>
      <Filters scope={scope} people={people} />
      {rows.length === 0 ? (
        <p className="hd-compare-subtle" data-testid="history-empty">
          {points.length ? 'No point matches the filters.' : 'No point recorded yet: HostDeck records one on its first read of the host and around every change it makes.'}
        </p>
      ) : (
        <div className="hd-history-timeline" ref={parent} data-testid="history-timeline" role="list" aria-label="Timeline, newest first">
          <div style={{ height: v.getTotalSize(), position: 'relative' }}>
            {v.getVirtualItems().map((vr) => {
              const p = rows[vr.index]!;
              const kind = KIND[p.kind];
              const isPicked = picked.includes(p.id);
              return (
                <div
                  key={p.id}
                  ref={v.measureElement}
                  data-index={vr.index}
                  role="listitem"
                  className={`hd-history-point${isPicked ? ' hd-history-picked' : ''}`}
                  style={{ transform: `translateY(${vr.start}px)` }}
                  data-testid="history-point"
                  data-id={p.id}
                  data-kind={p.kind}
                  data-operation={p.operation ?? ''}
                >
                  <div className="hd-history-point-head">
                    <Checkbox id={`history-pick-${scope}-${p.id}`} isChecked={isPicked} onChange={() => pick(p.id)} aria-label={`Pick the point of ${at(p.time)} to compare`} data-testid="history-pick" />
                    <time dateTime={new Date(p.time).toISOString()}>{at(p.time)}</time>
                    <Label color={kind.color} isCompact>
                      {kind.text}
                    </Label>
                    {p.result && p.result !== 'applied' ? (
                      <Label color={p.result === 'failed' ? 'red' : p.result === 'reverted' ? 'orange' : 'grey'} isCompact>
                        {p.result}
                      </Label>
                    ) : null}
                    <strong className="hd-history-what" data-testid="history-point-what">
                      {headline(p)}
                    </strong>
                    <Button variant="link" isInline onClick={() => void previewRestore(p.id)} data-testid="history-back" aria-label={`Back to the point of ${at(p.time)}`}>
                      Back to this point
                    </Button>
                  </div>
                  <div className="hd-compare-subtle">
                    {p.who ? <span data-testid="history-point-who">by {whoText(p.who)} · </span> : null}
                    {p.features.join(', ')}
                    {p.error ? ` · ${p.error}` : ''}
                  </div>
                  {p.changes.length ? (
                    <ul className="hd-history-changes" data-testid="history-point-changes">
                      {p.changes.slice(0, SHOWN_CHANGES).map((c, i) => (
                        <li key={i}>{changeText(c)}</li>
                      ))}
                      {p.changesTotal > SHOWN_CHANGES ? <li className="hd-compare-subtle">and {p.changesTotal - SHOWN_CHANGES} more</li> : null}
                    </ul>
                  ) : null}
                </div>
              );
            })}
          </div>
        </div>
      )}
    </>
  );
}
