import { useMemo, useState } from 'react';
import { Alert, Button, SearchInput, Skeleton, Tab, Tabs, TabTitleText, ToggleGroup, ToggleGroupItem } from '@patternfly/react-core';
import DownloadIcon from '@patternfly/react-icons/dist/esm/icons/download-icon';
import { toCsv, toMarkdown } from '../../../../shared/compare/report';
import { DiffGrid } from '../../compare/components/DiffGrid';
import { download } from '../../compare/components/download';
import { sectionRows } from '../../compare/components/SectionView';
import { defaultFilters, type Section } from '../../compare/store';
import type { Load } from '../../app/load';
import type { PointDiff as Diff } from '../store';

const SECTIONS: { id: Section; title: string }[] = [
  { id: 'sysctl', title: 'Kernel parameters' },
  { id: 'sysctld', title: 'sysctl.d' },
  { id: 'dns', title: 'DNS' },
  { id: 'firewall', title: 'Firewall' },
];
const none = { keys: new Set<string>(), objects: new Set<string>() };
const noop = { key: () => undefined, object: () => undefined };

/**
 * Two points (or a point and now) as Compare shows two hosts: the same rows and grid, the
 * differing rows only, a text filter, the firewall's two layers, and Compare's exports.
 */
export function PointDiff({ diff, onClose }: { diff: Load<Diff>; onClose(): void }) {
  const [section, setSection] = useState<Section | null>(null);
  const [layer, setLayer] = useState<'runtime' | 'permanent'>('runtime');
  const [text, setText] = useState('');
  const d = diff.state === 'ready' ? diff.value : null;
  const result = d ? (section === 'firewall' && layer === 'permanent' ? d.permanent : d.runtime) : null;
  const counts = useMemo(() => {
    if (!d) return null;
    const n = (r: Diff['runtime'], s: Section) => sectionRows(r, s, defaultFilters, none, noop).length;
    return { sysctl: n(d.runtime, 'sysctl'), sysctld: n(d.runtime, 'sysctld'), dns: n(d.runtime, 'dns'), firewall: n(d.runtime, 'firewall') + n(d.permanent, 'firewall') };
  }, [d]);
  // The first tab with a difference opens first.
  const shown: Section = section ?? (counts ? (SECTIONS.find((s) => counts[s.id] > 0)?.id ?? 'sysctl') : 'sysctl');
  const rows = useMemo(() => (result ? sectionRows(result, shown, { ...defaultFilters, text }, none, noop) : []), [result, shown, text]);
  if (diff.state === 'loading' || diff.state === 'idle') return <Skeleton height="120px" screenreaderText="Comparing the points" />;
  if (diff.state === 'error') return <Alert variant="danger" isInline title={`Comparing the points failed: ${diff.message}`} data-testid="history-diff-error" />;
  const v = diff.value;
  const name = `hostdeck-history-${v.from.id.slice(0, 8)}-${v.to ? v.to.id.slice(0, 8) : 'now'}`;
  const both = (f: (r: Diff['runtime']) => string) => `${f(v.runtime)}\n${f(v.permanent)}`;
  return (
    <section className="hd-history-diff" data-testid="history-diff" aria-label="Difference between the points">
      <div className="hd-compare-toolbar">
        <span data-testid="history-diff-summary">
          {new Date(v.from.time).toLocaleString()} → {v.to ? new Date(v.to.time).toLocaleString() : 'now'}: {v.changes.length === 0 ? 'nothing differs' : `${v.changes.length} difference${v.changes.length === 1 ? '' : 's'}`}
        </span>
        <Button variant="secondary" icon={<DownloadIcon />} onClick={() => download(`${name}.md`, both((r) => toMarkdown(r, true)), 'text/markdown')} data-testid="history-export-md">
          Markdown
        </Button>
        <Button variant="secondary" icon={<DownloadIcon />} onClick={() => download(`${name}.csv`, toCsv(v.runtime, true) + toCsv(v.permanent, true).split('\n').slice(1).join('\n'), 'text/csv')} data-testid="history-export-csv">
          CSV
        </Button>
        <Button variant="secondary" icon={<DownloadIcon />} onClick={() => download(`${name}.json`, JSON.stringify(v, null, 2), 'application/json')} data-testid="history-export-json">
          JSON
        </Button>
        <Button variant="link" onClick={onClose} data-testid="history-diff-close">
          Close
        </Button>
      </div>
      <Tabs activeKey={shown} onSelect={(_e, k) => setSection(k as Section)} aria-label="Compared facts">
        {SECTIONS.map((s) => (
          <Tab key={s.id} eventKey={s.id} title={<TabTitleText>{`${s.title} (${counts?.[s.id] ?? 0})`}</TabTitleText>} data-testid={`history-tab-${s.id}`} />
        ))}
      </Tabs>
      <div className="hd-compare-toolbar">
        <SearchInput className="hd-compare-grow" value={text} onChange={(_e, x) => setText(x)} onClear={() => setText('')} placeholder="Filter by text" aria-label="Filter rows" />
        {shown === 'firewall' ? (
          <ToggleGroup aria-label="Firewall layer">
            <ToggleGroupItem text="Runtime" isSelected={layer === 'runtime'} onChange={() => setLayer('runtime')} />
            <ToggleGroupItem text="Permanent" isSelected={layer === 'permanent'} onChange={() => setLayer('permanent')} />
          </ToggleGroup>
        ) : null}
      </div>
      {rows.length === 0 || !result ? (
        <p className="hd-compare-subtle" data-testid="history-diff-none">
          No differences here.
        </p>
      ) : (
        <DiffGrid rows={rows} hosts={result.hosts} baseline={result.baseline} testId="history-diff-grid" />
      )}
    </section>
  );
}
