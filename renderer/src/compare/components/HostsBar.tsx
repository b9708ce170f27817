import { memo, useCallback, useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Alert, AlertActionCloseButton, Button, Checkbox, FormSelect, FormSelectOption, Radio, Spinner, TextInput } from '@patternfly/react-core';
import TimesIcon from '@patternfly/react-icons/dist/esm/icons/times-icon';
import SyncIcon from '@patternfly/react-icons/dist/esm/icons/sync-icon';
import UploadIcon from '@patternfly/react-icons/dist/esm/icons/upload-icon';
import { hostApi } from '../../app/api';
import { useAppStore } from '../../app/store';
import { useCompareStore, type HostRead } from '../store';
import type { HostSummary } from '../../../../shared/app/contract';
import { download } from './download';
import { GroupPicker } from './GroupPicker';
import { Tag } from './Tag';
import { holdGzipWorkers } from '../gzip/pool';

/**
 * One formatter for every card: toLocaleTimeString builds a new one per call, which cost 50 cards
 * ~15 ms each on every render of the bar (most of an import's page time, issue #22).
 */
const readTime = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

function ReadState({ read }: { read: HostRead | undefined }) {
  if (!read || read.state === 'reading') return <Spinner size="sm" aria-label="Reading" data-testid="host-reading" />;
  // Tag, not PF Label: Label's layout effect measured every card, the ones out of view too.
  if (read.state === 'failed') return <Tag color="red" compact={false} data-testid="host-state">unreachable</Tag>;
  if (read.summary.status !== 'ok') return <Tag color="red" compact={false} data-testid="host-state" title={read.summary.error ?? ''}>unreachable</Tag>;
  return (
    <Tag color="green" compact={false} data-testid="host-state" title={read.summary.notes.join('; ')}>
      read {readTime.format(new Date(read.summary.takenAt ?? Date.now()))}
    </Tag>
  );
}

/** The compared hosts (2 to 50): read state per host, baseline, remove; add a known host, import files, refresh, export a snapshot. */
export function HostsBar() {
  const all = useAppStore((s) => s.hosts);
  // Only what the bar shows: a new comparison result or filter does not re-render 50 cards.
  const { hosts, baseline, reads, importing, importError } = useCompareStore(useShallow((s) => ({ hosts: s.hosts, baseline: s.baseline, reads: s.reads, importing: s.importing, importError: s.importError })));
  const { addHost, refresh, importFiles, clearImportError } = useCompareStore.getState();
  const fileInput = useRef<HTMLInputElement>(null);
  const [oneHost, setOneHost] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const [destination, setDestination] = useState('');
  const [pick, setPick] = useState('');
  const keyboardPick = useRef(false);
  // The workers that compress an import start with the page, not when the files are picked.
  useEffect(() => holdGzipWorkers(), []);
  const addDestination = () => {
    const d = destination.trim();
    // Any ssh destination (ssh_config alias, user@host[:port]) or a saved host name: the Node side connects on first read.
    if (!d || /\s/.test(d)) return;
    addHost(d);
    setDestination('');
  };
  const known = all.state === 'ready' ? all.value : [];
  const byId = new Map(known.map((h) => [h.id, h]));
  const addable = known.filter((h) => !hosts.includes(h.id));

  const exportSnapshot = useCallback(async (id: string, label: string) => {
    setExportError(null);
    try {
      const snap = await hostApi(id).compare.snapshot({});
      download(`${(snap.identity.hostname || label).replace(/[^A-Za-z0-9_.-]+/g, '-')}.hostdeck.json`, `${JSON.stringify(snap, null, 1)}\n`, 'application/json');
    } catch (e) {
      setExportError((e as Error).message);
    }
  }, []);

  return (
    <section aria-label="Compared hosts" className="hd-compare-page">
      <div className="hd-compare-toolbar">
        <FormSelect
          value={pick}
          onChange={(_e, v) => {
            // A closed select changes its value as the arrow keys pass over the hosts: that only
            // picks; Enter adds. A mouse choice (or one made in the open list) adds at once.
            if (keyboardPick.current) setPick(v);
            else if (v) addHost(v);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              keyboardPick.current = false;
              if (pick) addHost(pick);
              setPick('');
            } else {
              // Alt+Down, F4 and Space open the list, where a choice is made with Enter.
              keyboardPick.current = !(e.altKey || e.key === 'F4' || e.key === ' ');
            }
          }}
          onMouseDown={() => {
            keyboardPick.current = false;
          }}
          onBlur={() => {
            keyboardPick.current = false;
            setPick('');
          }}
          aria-label="Add a host to compare"
          data-testid="compare-add-host"
          className="hd-compare-select"
          isDisabled={hosts.length >= 50}
        >
          <FormSelectOption value="" label={hosts.length >= 50 ? 'At most 50 hosts' : 'Add a host…'} isPlaceholder />
          {addable.map((h) => (
            <FormSelectOption key={h.id} value={h.id} label={`${h.label} (${h.kind})`} />
          ))}
        </FormSelect>
        <GroupPicker />
        <TextInput
          className="hd-compare-select"
          value={destination}
          onChange={(_e, v) => setDestination(v)}
          onKeyDown={(e) => e.key === 'Enter' && addDestination()}
          placeholder="ssh destination (root@node-7)"
          aria-label="Add a host by ssh destination"
          data-testid="compare-add-destination"
        />
        <Button variant="secondary" onClick={addDestination} isDisabled={!destination.trim() || hosts.length >= 50}>
          Add
        </Button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="compare-import-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length) void importFiles(files, oneHost);
          }}
        />
        <Button variant="secondary" icon={<UploadIcon />} onClick={() => fileInput.current?.click()} isLoading={importing} isDisabled={importing} data-testid="compare-import">
          Import files
        </Button>
        <Checkbox
          id="compare-one-host"
          label="Files are one host"
          description="sysctl -a, resolv.conf and firewall-cmd output of the same machine"
          isChecked={oneHost}
          onChange={(_e, v) => setOneHost(v)}
        />
        <Button variant="secondary" icon={<SyncIcon />} onClick={() => void refresh()} isDisabled={hosts.length === 0} data-testid="compare-refresh">
          Refresh
        </Button>
      </div>
      {importError ? (
        <Alert
          variant="danger"
          isInline
          title={importError.code === 'TOO_LARGE' ? 'File too large to import' : 'Import failed: nothing was loaded'}
          actionClose={<AlertActionCloseButton onClose={clearImportError} />}
          data-testid="compare-import-error"
        >
          {importError.message}
        </Alert>
      ) : null}
      {exportError ? (
        <Alert variant="danger" isInline title="Snapshot export failed" actionClose={<AlertActionCloseButton onClose={() => setExportError(null)} />}>
          {exportError}
        </Alert>
      ) : null}
      <div className="hd-compare-hosts" data-testid="compare-hosts">
        {hosts.map((id) => (
          <HostCard key={id} id={id} host={byId.get(id)} read={reads[id]} isBaseline={baseline === id} onExport={exportSnapshot} />
        ))}
      </div>
    </section>
  );
}

/** One compared host's card; memoized, so a change to one host's read re-renders that card only. */
const HostCard = memo(function HostCard({ id, host, read, isBaseline, onExport }: { id: string; host: HostSummary | undefined; read: HostRead | undefined; isBaseline: boolean; onExport: (id: string, label: string) => Promise<void> }) {
  const label = host?.label ?? id;
  const err = read?.state === 'failed' ? read.message : read?.state === 'done' && read.summary.status !== 'ok' ? read.summary.error : null;
  const { removeHost, setBaseline } = useCompareStore.getState();
  return (
    <div className="hd-compare-host" data-baseline={isBaseline} data-testid="compare-host" data-host={id}>
      <div className="hd-compare-host-head">
        <span>{label}</span>
        <Button variant="plain" size="sm" aria-label={`Remove ${label} from the comparison`} icon={<TimesIcon />} onClick={() => void removeHost(id)} />
      </div>
      <span className="hd-compare-subtle">
        {host?.kind ?? ''}
        {read?.state === 'done' && read.summary.hostname ? ` · ${read.summary.hostname}` : ''}
      </span>
      <ReadState read={read} />
      {err ? <span className="hd-compare-subtle" data-testid="host-error">{err}</span> : null}
      <Radio id={`baseline-${id}`} name="compare-baseline" label={<>Baseline<span className="pf-v6-screen-reader">: {label}</span></>} isChecked={isBaseline} onChange={() => setBaseline(id)} data-testid="compare-baseline" />
      <Button variant="link" isInline onClick={() => void onExport(id, label)} data-testid="compare-export-snapshot" aria-label={`Export snapshot of ${label}`}>
        Export snapshot
      </Button>
    </div>
  );
});
