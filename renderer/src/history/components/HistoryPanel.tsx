import { useEffect } from 'react';
import { Alert, Button, EmptyState, EmptyStateBody, Skeleton } from '@patternfly/react-core';
import HistoryIcon from '@patternfly/react-icons/dist/esm/icons/history-icon';
import { historyStore, type HistoryScope } from '../store';
import { Timeline } from './Timeline';
import { PointDiff } from './PointDiff';
import { RestorePanel } from './RestorePanel';
import '../../compare/compare.css';
import '../history.css';

/**
 * A host's history: the timeline with its filters, the difference between two picked points (or
 * a point and now) and "back to this point". The History page shows every feature; the Firewall,
 * DNS and Kernel pages show it filtered to theirs (`scope`).
 */
export function HistoryPanel({ scope }: { scope: HistoryScope }) {
  const store = historyStore(scope);
  const { timeline, picked, diff, journal } = store();
  const { load, compare, closeDiff, readJournal } = store();
  useEffect(() => void load(), [load]);
  if (timeline.state === 'error') {
    if (timeline.code === 'UNSUPPORTED') {
      return (
        <EmptyState titleText="History is off" headingLevel="h2" icon={HistoryIcon} data-testid="history-off">
          <EmptyStateBody>{timeline.message}. HostDeck records no points and shows none; start it without HOSTDECK_HISTORY=off to keep a timeline.</EmptyStateBody>
        </EmptyState>
      );
    }
    return <Alert variant="danger" isInline title={`History unavailable: ${timeline.message}`} data-testid="history-error" />;
  }
  if (timeline.state !== 'ready') return <Skeleton height="160px" screenreaderText="Loading the timeline" />;
  const t = timeline.value;
  return (
    <div className="hd-history" data-testid={`history-panel-${scope}`}>
      {t.notices.map((n, i) => (
        <Alert key={i} variant="warning" isInline isPlain title={n.message} data-testid="history-notice" />
      ))}
      <div className="hd-compare-toolbar">
        <span className="hd-compare-subtle" data-testid="history-count">
          {t.points.length} point{t.points.length === 1 ? '' : 's'}
          {picked.length ? ` · ${picked.length} picked` : ' · pick one point to compare it with now, or two to compare them'}
        </span>
        <Button variant="secondary" isDisabled={!picked.length} onClick={() => void compare()} data-testid="history-compare">
          {picked.length === 2 ? 'Compare the two points' : 'Compare with now'}
        </Button>
        <Button variant="plain" onClick={() => void load()} data-testid="history-refresh">
          Refresh
        </Button>
        {/* Changes HostDeck made from another machine or configuration: read where no write brought them (may ask for a password once). */}
        <Button variant="link" isInline isDisabled={journal?.state === 'loading'} onClick={() => void readJournal()} data-testid="history-read-journal">
          Read the host&apos;s journal
        </Button>
      </div>
      {journal?.state === 'ready' ? (
        <span className="hd-compare-subtle" data-testid="history-journal-read">
          {journal.value.fresh} new of {journal.value.read} journal entr{journal.value.read === 1 ? 'y' : 'ies'} read{journal.value.truncated ? ' (the newest only)' : ''}
        </span>
      ) : journal?.state === 'error' ? (
        <Alert variant="warning" isInline isPlain title={`The host's journal could not be read: ${journal.message}`} data-testid="history-journal-error" />
      ) : null}
      <RestorePanel scope={scope} />
      {diff ? <PointDiff diff={diff} onClose={closeDiff} /> : null}
      <Timeline scope={scope} points={t.points} />
    </div>
  );
}
