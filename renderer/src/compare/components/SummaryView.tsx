import { useMemo, useRef } from 'react';
import { Alert, Button, FormSelect, FormSelectOption, Skeleton, TextInput } from '@patternfly/react-core';
import DownloadIcon from '@patternfly/react-icons/dist/esm/icons/download-icon';
import { useVirtualizer } from '@tanstack/react-virtual';
import { kindsLine, valueText, type FleetSummary, type SummaryKey } from '../../../../shared/compare/summary';
import { summaryCsv, summaryMarkdown } from '../../../../shared/compare/summary-report';
import { useCompareStore } from '../store';
import { useSummaryStore, type SummaryScope } from '../summary-store';
import { download } from './download';
import { Tag } from './Tag';

/** 1234567 -> "1,234,567" without Intl: its first use in a page loads ICU data while the summary waits to show. */
const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

type Row = { type: 'key'; key: SummaryKey; index: number } | { type: 'value'; key: SummaryKey; value: SummaryKey['values'][number] };

const ROW = 30;

/** The keys and values matching the filter (key, value or host range text), flattened into rows. */
function rowsOf(s: FleetSummary, filter: string): Row[] {
  const f = filter.trim().toLowerCase();
  const out: Row[] = [];
  s.keys.forEach((key, index) => {
    const values = f && !key.key.toLowerCase().includes(f) ? key.values.filter((v) => valueText(key, v.value).toLowerCase().includes(f) || v.hosts.some((h) => h.toLowerCase().includes(f))) : key.values;
    if (!values.length) return;
    out.push({ type: 'key', key, index });
    for (const value of values) out.push({ type: 'value', key, value });
  });
  return out;
}

/**
 * The fleet summary: hundreds or thousands of hosts at a glance. Kinds of host with their sizes
 * (a kind opens side by side in the grid), then per differing key its values with how many hosts
 * hold each and which (folded ranges), rare values first; the majority value is the baseline.
 * The list is virtualized (@tanstack/react-virtual, as the grid), so filtering stays instant.
 */
export function SummaryView() {
  const { dir, scope, filter, result, opening } = useSummaryStore();
  const { setDir, setFilter, setScope, summarize, openKind } = useSummaryStore.getState();
  const compared = useCompareStore((s) => s.hosts.length);
  const s = result.state === 'ready' ? result.value : null;
  const rows = useMemo(() => (s ? rowsOf(s, filter) : []), [s, filter]);
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 20 });
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
  return (
    <section aria-label="Fleet summary" className="hd-compare-page" data-testid="summary-view">
      <div className="hd-compare-toolbar">
        <TextInput
          className="hd-summary-dir"
          value={dir}
          onChange={(_e, x) => setDir(x)}
          onKeyDown={(e) => e.key === 'Enter' && void summarize()}
          placeholder="Directory of snapshots on the HostDeck machine (hostdeck snapshot --out DIR); empty: the compared hosts"
          aria-label="Directory of snapshot files"
          data-testid="summary-dir"
        />
        <FormSelect value={scope} onChange={(_e, x) => void setScope(x as SummaryScope)} aria-label="Kinds made of" data-testid="summary-scope" className="hd-compare-select">
          <FormSelectOption value="" label="Every section" />
          <FormSelectOption value="sysctl" label="Kernel parameters and sysctl.d" />
          <FormSelectOption value="dns" label="DNS" />
          <FormSelectOption value="firewall" label="Firewall" />
        </FormSelect>
        <Button variant="primary" onClick={() => void summarize()} isDisabled={!dir.trim() && compared < 2} isLoading={result.state === 'loading'} data-testid="summary-run">
          Summarize
        </Button>
      </div>
      {result.state === 'error' && <Alert variant="danger" isInline title={`Summary failed: ${result.message}`} data-testid="summary-error" />}
      {result.state === 'loading' && <Skeleton height="160px" screenreaderText="Summarizing" />}
      {s && (
        <>
          <div className="hd-compare-toolbar">
            <span data-testid="summary-headline">
              {grouped(s.hosts.length)} hosts, {s.keys.length} of {grouped(s.keysCompared)} keys differ; {kindsLine(s)}. Baseline: the majority value.
            </span>
            <Button variant="secondary" icon={<DownloadIcon />} onClick={() => download(`hostdeck-summary-${stamp}.md`, summaryMarkdown(s), 'text/markdown')} data-testid="summary-export-md">
              Markdown
            </Button>
            <Button variant="secondary" icon={<DownloadIcon />} onClick={() => download(`hostdeck-summary-${stamp}.csv`, summaryCsv(s), 'text/csv')} data-testid="summary-export-csv">
              CSV
            </Button>
            <Button variant="secondary" icon={<DownloadIcon />} onClick={() => download(`hostdeck-summary-${stamp}.json`, `${JSON.stringify(s, null, 1)}\n`, 'application/json')} data-testid="summary-export-json">
              JSON
            </Button>
          </div>
          {s.notRead.length > 0 && (
            <Alert variant="warning" isInline title={`${s.notRead.length} host${s.notRead.length === 1 ? '' : 's'} or sections not read: never counted as the same`} data-testid="summary-not-read">
              {s.notRead.slice(0, 10).map((r, i) => (
                <div key={i}>
                  {r.host}: {r.section} ({r.reason})
                </div>
              ))}
              {s.notRead.length > 10 ? <div>… {s.notRead.length - 10} more</div> : null}
            </Alert>
          )}
          {opening?.error && <Alert variant="danger" isInline title={`Could not open kind ${opening.kind + 1}: ${opening.error}`} data-testid="summary-open-error" />}
          <ol className="hd-summary-kinds" aria-label="Kinds of host">
            {s.kinds.slice(0, 50).map((k, i) => (
              <li key={i}>
                <Button variant="link" isInline onClick={() => void openKind(i)} isLoading={opening?.kind === i && !opening.error} data-testid="summary-kind" data-count={k.count}>
                  Kind {i + 1}: {k.count} host{k.count === 1 ? '' : 's'}
                </Button>{' '}
                <span className="hd-compare-subtle">{k.hosts.slice(0, 6).join(' ')}{k.hosts.length > 6 ? ` … (${k.hosts.length - 6} more ranges)` : ''}</span>{' '}
                {k.differences.length === 0 && k.unknown.length === 0 ? <Tag color="green">majority</Tag> : null}
                {k.unknown.length ? <Tag color="orange">cannot answer {k.unknown.join(', ')}</Tag> : null}
                {k.differences.slice(0, 3).map((d) => (
                  <Tag key={d.key} className="hd-summary-diff">
                    {s.keys[d.key]!.key} = {valueText(s.keys[d.key]!, d.value)}
                  </Tag>
                ))}
                {k.differences.length > 3 ? <span className="hd-compare-subtle"> +{k.differences.length - 3}</span> : null}
              </li>
            ))}
            {s.kinds.length > 50 ? <li className="hd-compare-subtle">… {s.kinds.length - 50} more kinds (in the exports)</li> : null}
          </ol>
          <TextInput value={filter} onChange={(_e, x) => setFilter(x)} placeholder="Filter keys, values or hosts" aria-label="Filter the summary" data-testid="summary-filter" />
          {s.keys.length === 0 ? (
            <div data-testid="summary-empty">{s.notRead.length ? 'No differences in what was read.' : 'No differences: every host holds the same values.'}</div>
          ) : (
            <div className="hd-summary-list" ref={parent} role="list" aria-label="Keys that differ" data-testid="summary-list" data-rows={rows.length}>
              <div style={{ height: v.getTotalSize(), position: 'relative' }}>
                {v.getVirtualItems().map((vr) => {
                  const row = rows[vr.index]!;
                  const style = { position: 'absolute' as const, top: vr.start, height: ROW, left: 0, right: 0 };
                  if (row.type === 'key') {
                    return (
                      <div key={`k${row.index}`} role="listitem" style={style} className="hd-summary-key" data-testid="summary-key" data-key={row.key.key}>
                        <strong>{row.key.key}</strong> <span className="hd-compare-subtle">{row.key.section}, {row.key.values.length} values on {row.key.known} hosts</span>
                      </div>
                    );
                  }
                  const val = row.value;
                  return (
                    <div key={`v${vr.index}-${row.key.key}`} role="listitem" style={style} className={`hd-summary-value${val.majority ? ' hd-summary-majority' : ''}`} data-testid="summary-row" data-key={row.key.key} data-count={val.count} title={val.hosts.join(' ')}>
                      <span className="hd-summary-count">{val.count}</span>
                      <span className="hd-summary-text">{valueText(row.key, val.value)}</span>
                      {val.majority ? <Tag color="blue">majority</Tag> : null}
                      <span className="hd-compare-subtle hd-summary-hosts">{val.hosts.join(' ')}</span>
                    </div>
                  );
                })}
              </div>
            </div>
          )}
        </>
      )}
    </section>
  );
}
