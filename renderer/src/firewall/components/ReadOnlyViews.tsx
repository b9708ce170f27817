import { useState } from 'react';
import { DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm, EmptyState, EmptyStateBody, Label, SearchInput, Title } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import type { FullState, Helper, IcmpType } from '../../../../shared/firewall/model';
import { portText } from '../../../../shared/firewall/patch';
import { ListNav } from './ListNav';
import { useOfflineView } from '../offline-view';
import { OfflineHelperEditor, OfflineIcmpTypeEditor, OfflineNewObject } from './OfflineKinds';

/**
 * ICMP types and conntrack helpers: read-only in firewalld's runtime, so they are viewed here
 * (which zones block an ICMP type, which services use a helper) rather than edited; offline
 * (the files) they are created, edited and deleted as firewall-offline-cmd does (OfflineKinds.tsx).
 */

type Kind = 'icmptypes' | 'helpers';

function names(full: FullState, kind: Kind): string[] {
  return [...new Set([...Object.keys(full.runtime[kind]), ...Object.keys(full.permanent[kind])])].sort();
}

function ObjectList({ full, kind, title, render }: { full: FullState; kind: Kind; title: string; render(name: string): React.ReactNode }) {
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<string>();
  const offline = useOfflineView();
  const all = names(full, kind);
  const create = offline && <OfflineNewObject full={full} kind={kind === 'icmptypes' ? 'icmptype' : 'helper'} onCreated={setSelected} />;
  const shown = all.filter((n) => n.toLowerCase().includes(filter.toLowerCase()));
  const current = selected && all.includes(selected) ? selected : shown[0];
  if (all.length === 0) {
    return (
      <EmptyState titleText={`No ${title}`} headingLevel="h3" data-testid={`fw-${kind}-empty`}>
        <EmptyStateBody>This firewalld reports no {title}.</EmptyStateBody>
        {create}
      </EmptyState>
    );
  }
  return (
    <div className="hd-fw-split" data-testid={`fw-${kind}`}>
      <ListNav label={title}>
        <SearchInput aria-label={`Filter ${title}`} placeholder="filter" data-testid={`fw-${kind}-filter`} value={filter} onChange={(_e, v) => setFilter(v)} onClear={() => setFilter('')} />
        <div className="hd-fw-list-scroll">
          {shown.map((n) => (
            <button key={n} type="button" className="hd-fw-list-item" aria-current={current === n} data-testid={`fw-${kind}-${n}`} onClick={() => setSelected(n)}>
              <span>{n}</span>
              {!full.runtime[kind][n] && <Label isCompact color="orange">not loaded</Label>}
            </button>
          ))}
          {shown.length === 0 && <span className="hd-fw-none">No {title} match “{filter}”.</span>}
        </div>
        {create}
      </ListNav>
      <div className="hd-fw-main">{current && render(current)}</div>
    </div>
  );
}

/** Zones and policies that list `name` in one of their lists, per layer. */
function usedBy(full: FullState, pick: (o: { icmpBlocks: string[]; services: string[] }) => string[], name: string): string[] {
  const out: string[] = [];
  for (const [kind, key] of [['zone', 'zones'], ['policy', 'policies']] as const) {
    for (const o of Object.values(full.runtime[key])) if (pick(o).includes(name)) out.push(`${kind} ${o.name}`);
  }
  return out;
}

function IcmpTypeDetails({ full, name }: { full: FullState; name: string }) {
  const t: IcmpType | undefined = full.runtime.icmptypes[name] ?? full.permanent.icmptypes[name];
  if (!t) return null;
  const blockedIn = usedBy(full, (o) => o.icmpBlocks, name);
  return (
    <div className="hd-fw-editor" data-testid="fw-icmptype-details">
      <div className="hd-fw-editor-head">
        <Title headingLevel="h2">ICMP type {name}</Title>
        {t.meta && <Label>{t.meta.builtin ? (t.meta.default ? 'built-in' : 'built-in, edited in /etc/firewalld') : 'custom'}</Label>}
      </div>
      <DescriptionList isHorizontal isCompact>
        <DescriptionListGroup><DescriptionListTerm>Name</DescriptionListTerm><DescriptionListDescription>{t.short || <span className="hd-fw-none">none</span>}</DescriptionListDescription></DescriptionListGroup>
        <DescriptionListGroup><DescriptionListTerm>Description</DescriptionListTerm><DescriptionListDescription>{t.description || <span className="hd-fw-none">none</span>}</DescriptionListDescription></DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>IP versions</DescriptionListTerm>
          <DescriptionListDescription data-testid="fw-icmptype-destinations">{t.destinations.length ? t.destinations.join(', ') : 'ipv4, ipv6'}</DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>Blocked in (runtime)</DescriptionListTerm>
          <DescriptionListDescription>{blockedIn.length ? blockedIn.join(', ') : <span className="hd-fw-none">no zone or policy</span>}</DescriptionListDescription>
        </DescriptionListGroup>
      </DescriptionList>
    </div>
  );
}

function HelperDetails({ full, name }: { full: FullState; name: string }) {
  const h: Helper | undefined = full.runtime.helpers[name] ?? full.permanent.helpers[name];
  if (!h) return null;
  const services = Object.values(full.runtime.services).filter((s) => s.helpers.includes(name) || s.modules.includes(name)).map((s) => s.name);
  return (
    <div className="hd-fw-editor" data-testid="fw-helper-details">
      <div className="hd-fw-editor-head">
        <Title headingLevel="h2">Helper {name}</Title>
        {h.meta && <Label>{h.meta.builtin ? (h.meta.default ? 'built-in' : 'built-in, edited in /etc/firewalld') : 'custom'}</Label>}
      </div>
      <DescriptionList isHorizontal isCompact>
        <DescriptionListGroup><DescriptionListTerm>Name</DescriptionListTerm><DescriptionListDescription>{h.short || <span className="hd-fw-none">none</span>}</DescriptionListDescription></DescriptionListGroup>
        <DescriptionListGroup><DescriptionListTerm>Description</DescriptionListTerm><DescriptionListDescription>{h.description || <span className="hd-fw-none">none</span>}</DescriptionListDescription></DescriptionListGroup>
        <DescriptionListGroup><DescriptionListTerm>Module</DescriptionListTerm><DescriptionListDescription className="hd-fw-mono" data-testid="fw-helper-module">{h.module}</DescriptionListDescription></DescriptionListGroup>
        <DescriptionListGroup><DescriptionListTerm>Family</DescriptionListTerm><DescriptionListDescription>{h.family || 'ipv4 and ipv6'}</DescriptionListDescription></DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>Used by services</DescriptionListTerm>
          <DescriptionListDescription>{services.length ? services.join(', ') : <span className="hd-fw-none">none</span>}</DescriptionListDescription>
        </DescriptionListGroup>
      </DescriptionList>
      <Table aria-label={`Ports of helper ${name}`} variant="compact" data-testid="fw-helper-ports">
        <Thead><Tr><Th>Port</Th><Th>Protocol</Th></Tr></Thead>
        <Tbody>
          {h.ports.length === 0 ? <Tr><Td colSpan={2}><span className="hd-fw-none">no ports</span></Td></Tr> : h.ports.map((p) => (
            <Tr key={portText(p)}><Td className="hd-fw-mono">{p.port}</Td><Td>{p.protocol}</Td></Tr>
          ))}
        </Tbody>
      </Table>
    </div>
  );
}

// Offline editors are keyed by the read: a save's re-read starts them from the files again.
export function IcmpTypesView({ full }: { full: FullState }) {
  return <ObjectList full={full} kind="icmptypes" title="ICMP types" render={(n) => (full.offline ? <OfflineIcmpTypeEditor key={`${n}@${full.loadedAt}`} full={full} name={n} /> : <IcmpTypeDetails full={full} name={n} />)} />;
}

export function HelpersView({ full }: { full: FullState }) {
  return <ObjectList full={full} kind="helpers" title="helpers" render={(n) => (full.offline ? <OfflineHelperEditor key={`${n}@${full.loadedAt}`} full={full} name={n} /> : <HelperDetails full={full} name={n} />)} />;
}
