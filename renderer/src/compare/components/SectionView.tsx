import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Button, FormSelect, FormSelectOption, SearchInput, Switch, TextInput, ToggleGroup, ToggleGroupItem } from '@patternfly/react-core';
import type { CompareResult } from '../../../../shared/compare/diff';
import { firewallFact } from '../../../../shared/compare/report';
import { defaultFilters, useCompareStore, type Filters, type Section } from '../store';
import { DiffGrid, type GridRow } from './DiffGrid';

const match = (text: string, q: string) => !q || text.toLowerCase().includes(q.toLowerCase());

/** Every host that was read has the key (a row some host lacks is hidden by "Hide keys some host lacks"). */
const onEveryHost = (values: (string | null)[], known: boolean[]) => values.every((v, i) => v !== null || !known[i]);

/** Filters beyond "differences only" narrow every tab: the tabs and the empty state say so. */
export function narrowing(f: Filters): boolean {
  return f.text !== '' || f.subsystem !== '' || f.namespace !== '' || f.verdict !== '' || f.hideMissing;
}

/** Rows per section as filtered, and as they would be with only "differences only" (what the filters hide). */
export function sectionCounts(r: CompareResult, f: Filters): Record<Section, { shown: number; total: number }> {
  const none = { keys: new Set<string>(), objects: new Set<string>() };
  const noop = { key: () => undefined, object: () => undefined };
  const all = { ...defaultFilters, differencesOnly: f.differencesOnly };
  const out = {} as Record<Section, { shown: number; total: number }>;
  for (const s of ['sysctl', 'sysctld', 'dns', 'firewall'] as Section[]) {
    out[s] = { shown: sectionRows(r, s, f, none, noop).length, total: narrowing(f) ? sectionRows(r, s, all, none, noop).length : -1 };
    if (out[s].total < 0) out[s].total = out[s].shown;
  }
  return out;
}

/** The rows of one section, filtered as the toolbar says. Linear in rows × hosts. */
export function sectionRows(r: CompareResult, section: Section, f: Filters, chosen: { keys: Set<string>; objects: Set<string> }, toggle: { key(k: string): void; object(o: string): void }): GridRow[] {
  const cov = (pick: (h: CompareResult['hosts'][number]) => boolean) => r.hosts.map(pick);
  const nr = (s: string) => r.hosts.map((h) => (h.notRead ?? []).some((n) => n.section === s));
  if (section === 'sysctl') {
    const notRead = nr('sysctl');
    const known = cov((h) => h.coverage.sysctl);
    return r.sysctl
      .filter((x) => (!f.differencesOnly || x.differs) && match(x.key, f.text))
      .filter((x) => !f.subsystem || x.subsystem === f.subsystem)
      .filter((x) => !f.namespace || (f.namespace === 'none' ? x.namespace === null : x.namespace === f.namespace))
      .filter((x) => !f.verdict || x.status === f.verdict)
      .filter((x) => !f.hideMissing || onEveryHost(x.values, known))
      .map((x) => ({
        id: x.key,
        label: x.key,
        note: [x.namespace ? `${x.namespace} ns` : '', x.status, x.volatile ? 'counter' : ''].filter(Boolean).join(' · '),
        values: x.values,
        known,
        notRead,
        differs: x.differs,
        choose: x.volatile ? undefined : { id: x.key, chosen: chosen.keys.has(x.key), toggle: () => toggle.key(x.key) },
      }));
  }
  if (section === 'sysctld') {
    const known = cov((h) => h.coverage.sysctld);
    return r.sysctld
      .filter((x) => (!f.differencesOnly || x.differs) && match(x.key, f.text))
      .filter((x) => !f.hideMissing || onEveryHost(x.values, known))
      .map((x) => ({ id: `d:${x.key}`, label: x.key, values: x.values, titles: x.sources, known, notRead: nr('sysctl.d'), differs: x.differs }));
  }
  if (section === 'dns') {
    const known = cov((h) => h.coverage.dns);
    return r.dns.rows.filter((x) => (!f.differencesOnly || x.differs) && match(x.field, f.text)).map((x) => ({ id: `dns:${x.field}`, label: x.field, values: x.values, known, notRead: nr('dns'), differs: x.differs }));
  }
  return r.firewall
    .filter((x) => (!f.differencesOnly || x.differs) && match(firewallFact(x), f.text))
    .map((x) => {
      const kindKey = x.kind === 'policy' ? 'policies' : `${x.kind}s`;
      const known = cov((h) => (x.kind === 'global' ? h.coverage.firewall.length > 0 : (h.coverage.firewall as string[]).includes(kindKey)));
      const obj = `${x.kind}:${x.name}`;
      const choosable = x.kind === 'zone' || x.kind === 'policy' || x.kind === 'ipset';
      return {
        id: `fw:${firewallFact(x)}`,
        label: firewallFact(x),
        values: x.values,
        known,
        notRead: nr('firewall'),
        differs: x.differs,
        membership: x.item !== null,
        choose: choosable ? { id: obj, chosen: chosen.objects.has(obj), toggle: () => toggle.object(obj) } : undefined,
      };
    });
}

/** One section of the comparison: its filters and the grid. */
export function SectionView({ result, hidden }: { result: CompareResult; hidden: number }) {
  const { section, filters, layer, dnsName, chosenKeys, chosenObjects } = useCompareStore(useShallow((s) => ({ section: s.section, filters: s.filters, layer: s.layer, dnsName: s.dnsName, chosenKeys: s.chosenKeys, chosenObjects: s.chosenObjects })));
  const { setFilters, setLayer, setDnsName, toggleKey, toggleObject } = useCompareStore.getState();
  const rows = useMemo(
    () => sectionRows(result, section, filters, { keys: new Set(chosenKeys), objects: new Set(chosenObjects) }, { key: toggleKey, object: toggleObject }),
    [result, section, filters, chosenKeys, chosenObjects, toggleKey, toggleObject],
  );
  const sectionName = section === 'sysctld' ? 'sysctl.d' : section;
  const unread = result.hosts.flatMap((h) => (h.notRead ?? []).filter((n) => n.section === sectionName).map((n) => `${h.label} (${n.reason})`));
  const subsystems = useMemo(() => [...new Set(result.sysctl.map((x) => x.subsystem))].sort(), [result]);
  return (
    <>
      <div className="hd-compare-toolbar" data-testid="compare-filters">
        <SearchInput className="hd-compare-grow" value={filters.text} onChange={(_e, v) => setFilters({ text: v })} onClear={() => setFilters({ text: '' })} placeholder="Filter by text" aria-label="Filter rows" data-testid="compare-filter-text" />
        <Switch id="compare-diff-only" label="Differences only" isChecked={filters.differencesOnly} onChange={(_e, v) => setFilters({ differencesOnly: v })} data-testid="compare-diff-only" />
        {section === 'sysctl' || section === 'sysctld' ? (
          <Switch id="compare-hide-missing" label="Hide keys some host lacks" isChecked={filters.hideMissing} onChange={(_e, v) => setFilters({ hideMissing: v })} data-testid="compare-hide-missing" />
        ) : null}
        {section === 'sysctl' ? (
          <>
            <FormSelect value={filters.subsystem} onChange={(_e, v) => setFilters({ subsystem: v })} aria-label="Subsystem" className="hd-compare-select">
              <FormSelectOption value="" label="All subsystems" />
              {subsystems.map((s) => (
                <FormSelectOption key={s} value={s} label={s} />
              ))}
            </FormSelect>
            <FormSelect value={filters.namespace} onChange={(_e, v) => setFilters({ namespace: v as Filters['namespace'] })} aria-label="Namespace" className="hd-compare-select">
              <FormSelectOption value="" label="Any namespace" />
              <FormSelectOption value="net" label="Network namespace" />
              <FormSelectOption value="ipc" label="IPC namespace" />
              <FormSelectOption value="uts" label="UTS namespace" />
              <FormSelectOption value="none" label="Not namespaced" />
            </FormSelect>
            <FormSelect value={filters.verdict} onChange={(_e, v) => setFilters({ verdict: v as Filters['verdict'] })} aria-label="Kubernetes verdict" className="hd-compare-select">
              <FormSelectOption value="" label={`Any verdict (k8s ${result.k8s})`} />
              <FormSelectOption value="safe" label="Safe in pods" />
              <FormSelectOption value="unsafe" label="Unsafe (allowlist)" />
              <FormSelectOption value="node-level" label="Node-level only" />
            </FormSelect>
          </>
        ) : null}
        {section === 'dns' ? (
          <TextInput value={dnsName} onChange={(_e, v) => v && setDnsName(v)} aria-label="Name for the query plan" className="hd-compare-select" placeholder="Name to plan" data-testid="compare-dns-name" />
        ) : null}
        {section === 'firewall' ? (
          <ToggleGroup aria-label="Firewall layer">
            <ToggleGroupItem text="Runtime" isSelected={layer === 'runtime'} onChange={() => setLayer('runtime')} />
            <ToggleGroupItem text="Permanent" isSelected={layer === 'permanent'} onChange={() => setLayer('permanent')} />
            <ToggleGroupItem text="Both (three-way)" isSelected={layer === 'both'} onChange={() => setLayer('both')} data-testid="compare-layer-both" />
          </ToggleGroup>
        ) : null}
      </div>
      {unread.length ? (
        <p className="hd-compare-subtle" data-testid="compare-not-read">
          Not read (the host did not answer; nothing is known about it here): {unread.join(', ')}
        </p>
      ) : null}
      {narrowing(filters) ? (
        <p className="hd-compare-subtle" data-testid="compare-filter-note">
          Filters apply to every tab{hidden > 0 ? `: ${hidden} ${filters.differencesOnly ? 'differences' : 'rows'} of this tab are hidden by them` : ''}.{' '}
          <Button variant="link" isInline onClick={() => setFilters({ ...defaultFilters, differencesOnly: filters.differencesOnly })} data-testid="compare-filter-clear">
            Clear filters
          </Button>
        </p>
      ) : null}
      {rows.length === 0 ? (
        <p className="hd-compare-subtle" data-testid="compare-no-rows">
          {hidden > 0 ? 'No row here matches the filters.' : filters.differencesOnly ? 'No differences here.' : 'Nothing to show.'}
        </p>
      ) : (
        <DiffGrid rows={rows} hosts={result.hosts} baseline={result.baseline} testId={`compare-grid-${section}`} />
      )}
    </>
  );
}
