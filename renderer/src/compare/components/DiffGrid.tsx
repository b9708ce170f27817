import { useRef } from 'react';
import { Checkbox } from '@patternfly/react-core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { cellState, type CompareHost } from '../../../../shared/compare/diff';

/** One row of the grid: a fact and its value on each compared host. */
export interface GridRow {
  id: string;
  /** First column: the key, or "zone public · services". */
  label: string;
  /** Small text under or after the label (subsystem, verdict). */
  note?: string;
  values: (string | null)[];
  /** Per host: does it know this section at all. */
  known: boolean[];
  /** Per host: it did not answer this section (timeout, failed read). */
  notRead?: boolean[];
  differs: boolean;
  /** List items: values are "present" or null, shown as yes/added/removed. */
  membership?: boolean;
  /** Extra text per cell (file:line of a sysctl.d value). */
  titles?: (string | null)[];
  /** Key for "make them the same" (sysctl key or zone:NAME); no checkbox when absent. */
  choose?: { id: string; chosen: boolean; toggle(): void };
}

const ROW = 34;
const COL = 168;
const KEY_COL = 340;

function cellText(row: GridRow, i: number, baseline: number): { text: string; state: string } {
  if (row.notRead?.[i]) return { text: 'not read', state: 'unknown' };
  if (!row.known[i]) return { text: 'not known', state: 'unknown' };
  const st = cellState(row.values, i, baseline, row.known[baseline] ?? false);
  const v = row.values[i] ?? null;
  if (row.membership) {
    if (i === baseline || st === 'same' || st === 'unknown') return { text: v ? 'yes' : 'no', state: st === 'unknown' ? 'same' : st };
    return { text: st === 'extra' ? 'added' : 'removed', state: st };
  }
  return { text: v === null ? '—' : v.replace(/\s+/g, ' ') || '(empty)', state: st === 'unknown' ? 'same' : st };
}

/**
 * The N-way grid: rows and host columns are both virtualized (50 hosts × 1,300 keys renders
 * only what is on screen). The key column stays put while scrolling sideways; the baseline
 * column is marked and every other cell is coloured by how it compares with it.
 */
export function DiffGrid({ rows, hosts, baseline, testId }: { rows: GridRow[]; hosts: CompareHost[]; baseline: number; testId: string }) {
  const parent = useRef<HTMLDivElement>(null);
  const rowV = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 12 });
  const colV = useVirtualizer({ horizontal: true, count: hosts.length, getScrollElement: () => parent.current, estimateSize: () => COL, overscan: 3 });
  const cols = colV.getVirtualItems();
  const width = KEY_COL + colV.getTotalSize();
  return (
    <div className="hd-compare-grid" ref={parent} data-testid={testId} role="grid" aria-rowcount={rows.length + 1} aria-colcount={hosts.length + 1}>
      <div className="hd-compare-grid-inner" style={{ height: rowV.getTotalSize() + ROW, width }}>
        <div className="hd-compare-grid-head" style={{ width }} role="row">
          <div className="hd-compare-keycell hd-compare-headcell" role="columnheader">
            {rows.length} row{rows.length === 1 ? '' : 's'}
          </div>
          {cols.map((c) => {
            const h = hosts[c.index]!;
            return (
              <div
                key={`${h.id}|${h.layer ?? ''}`}
                role="columnheader"
                className={`hd-compare-cell hd-compare-headcell${c.index === baseline ? ' hd-compare-baseline' : ''}`}
                style={{ left: KEY_COL + c.start, width: COL }}
                title={`${h.label}${h.hostname ? ` (${h.hostname})` : ''}${c.index === baseline ? ' — baseline' : ''}`}
                data-testid="grid-host"
                data-layer={h.layer}
              >
                {h.label}
                {c.index === baseline ? ' ★' : ''}
              </div>
            );
          })}
        </div>
        {rowV.getVirtualItems().map((vr) => {
          const row = rows[vr.index]!;
          return (
            <div key={row.id} role="row" className="hd-compare-row" style={{ top: ROW + vr.start, width }} data-testid="grid-row" data-key={row.id} data-differs={row.differs}>
              <div className="hd-compare-keycell" role="rowheader" title={row.label}>
                {row.choose ? (
                  <Checkbox id={`choose-${row.id}`} isChecked={row.choose.chosen} onChange={row.choose.toggle} aria-label={`Choose ${row.choose.id} for the fix (${row.label})`} />
                ) : null}
                <span className="hd-compare-key">{row.label}</span>
                {row.note ? <span className="hd-compare-note">{row.note}</span> : null}
              </div>
              {cols.map((c) => {
                const { text, state } = cellText(row, c.index, baseline);
                return (
                  <div
                    key={c.key}
                    role="gridcell"
                    className={`hd-compare-cell hd-compare-${state}${c.index === baseline ? ' hd-compare-baseline' : ''}`}
                    style={{ left: KEY_COL + c.start, width: COL }}
                    title={`${hosts[c.index]!.label}: ${row.values[c.index] ?? '(absent)'}${row.titles?.[c.index] ? ` — ${row.titles[c.index]}` : ''}`}
                  >
                    {text}
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
    </div>
  );
}
