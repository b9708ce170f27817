import { Alert, Button, ExpandableSection } from '@patternfly/react-core';
import type { OfflineSource } from '../../../../shared/firewall/model';

/**
 * The Firewall page on configuration files (no firewalld running, or asked for): which files,
 * which version, what firewalld would refuse; on a stopped host, a way to start it.
 */
export function OfflineNotice({ offline, daemonRuns, start }: { offline: OfflineSource; daemonRuns?: boolean; start?: () => void }) {
  const errors = offline.problems.filter((p) => p.severity === 'error');
  const warnings = offline.problems.length - errors.length;
  const assumed = offline.versionFrom.startsWith('assumed');
  return (
    <Alert
      component="h2"
      variant={errors.length ? 'warning' : 'info'}
      isInline
      title={`Offline configuration: ${offline.dirs.join(' + ')}, read as firewalld ${offline.version}${assumed ? ' (assumed)' : ''} would load it`}
      data-testid="fw-offline"
      actionLinks={start ? <Button variant="link" isInline data-testid="fw-start" onClick={start}>Start firewalld</Button> : undefined}
    >
      <p data-testid="fw-offline-version">Version {offline.version}: {offline.versionFrom}. No runtime layer, reload, panic mode, timeouts, active bindings, denied packets or traces without a running firewalld.</p>
      <p data-testid="fw-offline-saves">
        Changes are saved to the files in /etc/firewalld (a builtin changed there is "modified from the default" until reset), checked first as firewalld would load them.
        {daemonRuns ? ' The running firewalld keeps its runtime: it uses the saved files after its next reload.' : ' firewalld uses them when it starts.'}
      </p>
      {offline.problems.length > 0 && (
        <ExpandableSection toggleText={`${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`} data-testid="fw-offline-problems">
          <ul>
            {offline.problems.map((p, i) => (
              <li key={i} data-testid="fw-offline-problem" data-severity={p.severity}>
                {p.severity}: {p.file}{p.line ? `:${p.line}` : ''}: {p.element}: {p.message} [{p.code}]
              </li>
            ))}
          </ul>
        </ExpandableSection>
      )}
    </Alert>
  );
}
