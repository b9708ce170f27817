import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  EmptyState,
  EmptyStateBody,
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
import { useVirtualizer } from '@tanstack/react-virtual';
import { filterRows } from '../../../shared/kernel/filter';
import { k8sVersions } from '../../../shared/kernel/version';
import type { ListRow } from '../../../shared/kernel/contract';
import { useAppStore } from '../app/store';
import { ChangedBadge, NamespaceBadge, StateBadge, VerdictBadge } from './Badges';
import { ProbeView } from './ProbeView';
import { ProfileView } from './ProfileView';
import { useKernelStore } from './store';
import './kernel.css';

const KERNELS = ['', '4.4', '4.15', '5.4', '5.10', '5.15', '6.1', '6.6', '6.12'];

type Item = { kind: 'group'; name: string; count: number } | { kind: 'row'; row: ListRow };

const PSA_VERSIONS = ['', 'latest', ...k8sVersions.map((v) => `v${v}`)];

function TargetSelectors() {
  const hostId = useAppStore((s) => s.hostId);
  const { target, hostKernel, setTarget } = useKernelStore();
  return (
    <>
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
            <FormSelectOption key={v} value={v} label={v ? `node kernel ${v}` : `this host's kernel ${hostKernel}`} />
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
    </>
  );
}

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
  const virt = useVirtualizer({ count: items.length, getScrollElement: () => parent.current, estimateSize: () => 34, overscan: 20 });
  return (
    <>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput
              aria-label="Search parameters"
              placeholder="Search keys and values"
              data-testid="kernel-search"
              value={filter.text}
              onChange={(_e, v) => setFilter({ text: v })}
              onClear={() => setFilter({ text: '' })}
            />
          </ToolbarItem>
          <ToolbarItem>
            <Switch id="kf-changed" label="Changed from default" isChecked={filter.changed} onChange={(_e, v) => setFilter({ changed: v })} />
          </ToolbarItem>
          <ToolbarItem>
            <Switch id="kf-ns" label="Namespaced" isChecked={filter.namespaced} onChange={(_e, v) => setFilter({ namespaced: v })} />
          </ToolbarItem>
          <ToolbarItem>
            <Switch id="kf-safe" label="Kubernetes-safe" isChecked={filter.k8sSafe} onChange={(_e, v) => setFilter({ k8sSafe: v })} />
          </ToolbarItem>
          <ToolbarItem>
            <Switch id="kf-w" label="Writable" isChecked={filter.writable} onChange={(_e, v) => setFilter({ writable: v })} />
          </ToolbarItem>
          <ToolbarItem>{`${filtered.length} of ${rows.length}`}</ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      {filtered.length === 0 ? (
        <EmptyState titleText="No parameter matches" headingLevel="h3">
          <EmptyStateBody>Change the search or turn filters off.</EmptyStateBody>
        </EmptyState>
      ) : (
        <div ref={parent} className="hd-kernel-list" data-testid="kernel-list">
          <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
            {virt.getVirtualItems().map((vi) => {
              const it = items[vi.index]!;
              const style = { position: 'absolute' as const, top: 0, left: 0, right: 0, transform: `translateY(${vi.start}px)` };
              if (it.kind === 'group')
                return (
                  <div key={vi.key} style={style} className="hd-kernel-group">
                    {it.name} ({it.count})
                  </div>
                );
              const r = it.row;
              return (
                <div
                  key={vi.key}
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
                  <span className="hd-kernel-value" title={r.value}>
                    {r.state === 'ok' ? r.value : ''} <StateBadge row={r} /> <ChangedBadge row={r} />
                  </span>
                  <NamespaceBadge ns={r.namespace} probe={r.probe} />
                  <VerdictBadge status={r.status} keyName={r.key} />
                  <span>{r.configured ? `${r.configured.file.split('/').pop()}:${r.configured.line}` : ''}</span>
                </div>
              );
            })}
          </div>
        </div>
      )}
    </>
  );
}

function DetailPanel({ rows }: { rows: ListRow[] }) {
  const { selected, detail, profile, setProfile, target } = useKernelStore();
  if (!selected) return <EmptyState titleText="Select a parameter" headingLevel="h3"><EmptyStateBody>Its namespace, Kubernetes verdict and the errors a pod would see appear here.</EmptyStateBody></EmptyState>;
  if (detail.state === 'loading' || detail.state === 'idle') return <Skeleton height="200px" screenreaderText="Loading verdict" />;
  if (detail.state === 'error') return <Alert variant="danger" isInline title={detail.message} />;
  const c = detail.value;
  const row = rows.find((r) => r.key === c.name);
  return (
    <Card data-testid="kernel-detail">
      <CardTitle>
        {c.name} <VerdictBadge status={c.kubernetes.status} keyName={`detail-${c.name}`} /> <NamespaceBadge ns={c.namespace} />
      </CardTitle>
      <CardBody>
        <p>{c.namespaceInfo.note}{c.namespaceInfo.verified ? '' : ' (kernel version boundary unverified)'}</p>
        {row?.probe && (
          <Alert
            data-testid="kernel-detail-probe"
            variant={row.probe.agrees ? 'info' : 'warning'}
            isInline
            isPlain
            title={
              row.probe.agrees
                ? `The probe on this host agrees: ${row.probe.kind}.`
                : `Probe on this host: ${row.probe.kind}; HostDeck's table: ${c.namespaceInfo.readOnlyInChild ? 'read-only-in-child' : c.namespaceInfo.hostOnly ? 'host-only' : (c.namespaceInfo.namespace ?? 'global')}. Trust the probe for this host.`
            }
          />
        )}
        <p>
          Live: <code>{row?.state === 'ok' ? row.value || '(empty)' : row?.state ?? 'absent'}</code>
          {row?.configured ? ` · configured ${row.configured.value} in ${row.configured.file}:${row.configured.line}` : ''}
        </p>
        <p data-testid="kernel-detail-default">
          {row?.default
            ? `Default: ${row.default.value || '(empty)'} (${row.default.basis === 'fresh-namespace' ? 'what a fresh namespace starts with on this kernel' : 'upstream documented default'})${row.changed && row.changed.basis !== 'configured' ? ' · changed' : ''}`
            : 'Default: not knowable here (the kernel does not expose compiled-in defaults and a fresh namespace does not show this key\'s).'}
        </p>
        <p>
          Safe since: {c.kubernetes.safeSince ?? 'never'}{c.kubernetes.minKernel ? ` (kernel ≥ ${c.kubernetes.minKernel})` : ''} · PodSecurity baseline:{' '}
          <strong data-testid="kernel-detail-psa">{c.kubernetes.podSecurityBaseline}</strong>
          {c.kubernetes.conflictsWithHostNetwork ? ' · conflicts with hostNetwork' : ''}
          {c.kubernetes.conflictsWithHostIPC ? ' · conflicts with hostIPC' : ''}
        </p>
        <p data-testid="kernel-detail-target">
          For {target.podSecurityVersion ? `PodSecurity ${target.podSecurityVersion}` : `PodSecurity of Kubernetes ${target.k8s}`}
          {target.hostNetwork ? ', a hostNetwork pod' : ''}
          {target.hostIPC ? ', a hostIPC pod' : ''}: {c.kubernetes.settableInPod ? 'a pod can set it' : 'a pod cannot set it'}.
        </p>
        <ul>
          {c.kubernetes.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
        {Object.entries(c.kubernetes.errors).map(([k, v]) => (
          <Alert key={k} variant="warning" isInline isPlain title={`${k}: ${v}`} />
        ))}
        <Button variant="secondary" onClick={() => setProfile([...profile.filter((l) => l.key !== c.name), { key: c.name, value: row?.value ?? '' }])}>
          Add to profile
        </Button>
      </CardBody>
    </Card>
  );
}

function EffectiveView() {
  const hostId = useAppStore((s) => s.hostId);
  const { effective, loadEffective } = useKernelStore();
  useEffect(() => {
    if (effective.state === 'idle') void loadEffective(hostId);
  }, [effective.state, hostId, loadEffective]);
  if (effective.state === 'loading' || effective.state === 'idle') return <Skeleton height="300px" screenreaderText="Reading sysctl.d" />;
  if (effective.state === 'error') return <Alert variant="danger" isInline title={effective.message} />;
  const e = effective.value;
  return (
    <div data-testid="kernel-effective">
      {e.warnings.filter((w) => w.severity !== 'info').map((w) => (
        <Alert key={`${w.file}:${w.line}`} variant={w.severity === 'error' ? 'danger' : 'warning'} isInline isPlain title={`${w.file}:${w.line}: ${w.message}`} />
      ))}
      <Title headingLevel="h3">Files, in the order systemd-sysctl reads them</Title>
      <ul>
        {e.files.map((f) => (
          <li key={f.path}>
            <code>{f.path}</code> {f.status !== 'applied' ? `(${f.status}${f.by ? ` by ${f.by}` : ''})` : ''}
          </li>
        ))}
      </ul>
      <Title headingLevel="h3">Drift: live value differs from configured ({e.drift.length})</Title>
      {e.drift.length === 0 ? (
        <p>Every configured value is live.</p>
      ) : (
        <ul data-testid="kernel-drift">
          {e.drift.map((d) => (
            <li key={d.key}>
              <code>{d.key}</code>: configured <code>{d.configured}</code> ({d.file}:{d.line}), live <code>{d.live ?? 'missing'}</code>
            </li>
          ))}
        </ul>
      )}
      <Title headingLevel="h3">Effective settings ({e.settings.length})</Title>
      <ul>
        {e.settings.map((s) => (
          <li key={s.path}>
            <code>
              {s.key} = {s.value}
            </code>{' '}
            — {s.file}:{s.line}
            {s.overrides.length ? ` (overrides ${s.overrides.map((o) => `${o.file}:${o.line}`).join(', ')})` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function KernelPage() {
  const hostId = useAppStore((s) => s.hostId);
  const { list, load, selected } = useKernelStore();
  const [tab, setTab] = useState<string | number>(0);
  useEffect(() => {
    void load(hostId);
  }, [hostId, load]);
  return (
    <PageSection data-testid="kernel-page">
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <Title headingLevel="h1">Kernel parameters</Title>
          </ToolbarItem>
          <TargetSelectors />
        </ToolbarContent>
      </Toolbar>
      <Tabs activeKey={tab} onSelect={(_e, k) => setTab(k)}>
        <Tab eventKey={0} title={<TabTitleText>Live parameters</TabTitleText>} data-testid="kernel-tab-live">
          {list.state === 'loading' || list.state === 'idle' ? (
            <Skeleton height="400px" screenreaderText="Reading /proc/sys" />
          ) : list.state === 'error' ? (
            <Alert variant="danger" title={`Could not read the kernel parameters (${list.code})`}>{list.message}</Alert>
          ) : (
            <div className="hd-kernel-layout">
              <div>
                <ParameterList rows={list.value} />
              </div>
              <div>{selected !== undefined && <DetailPanel rows={list.value} />}</div>
            </div>
          )}
        </Tab>
        <Tab eventKey={1} title={<TabTitleText>Configuration &amp; drift</TabTitleText>} data-testid="kernel-tab-effective">
          {tab === 1 && <EffectiveView />}
        </Tab>
        <Tab eventKey={2} title={<TabTitleText>Profile, apply &amp; export</TabTitleText>} data-testid="kernel-tab-profile">
          {tab === 2 && <ProfileView />}
        </Tab>
        <Tab eventKey={3} title={<TabTitleText>Namespaces: probe vs table</TabTitleText>} data-testid="kernel-tab-probe">
          {tab === 3 && <ProbeView />}
        </Tab>
      </Tabs>
    </PageSection>
  );
}
