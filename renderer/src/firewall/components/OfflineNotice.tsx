import { Alert, ExpandableSection } from '@patternfly/react-core';
import type { OfflineSource } from '../../../../shared/firewall/model';

/** The Firewall page on configuration files (no firewalld running): which files, which version, what firewalld would refuse. */
export function OfflineNotice({ offline }: { offline: OfflineSource }) {
  const errors = offline.problems.filter((p) => p.severity === 'error');
  const warnings = offline.problems.length - errors.length;
  return (
    <Alert
      component="h2"
      variant={errors.length ? 'warning' : 'info'}
      isInline
      title={`Offline configuration: ${offline.dirs.join(' + ')}, read as firewalld ${offline.version} would load it`}
      data-testid="fw-offline"
    >
      <p data-testid="fw-offline-version">Version {offline.version}: {offline.versionFrom}. No runtime layer, reload, panic mode or active bindings without a running firewalld.</p>
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
