import { Label, Spinner, Tooltip } from '@patternfly/react-core';
import CheckCircleIcon from '@patternfly/react-icons/dist/esm/icons/check-circle-icon';
import ExclamationCircleIcon from '@patternfly/react-icons/dist/esm/icons/exclamation-circle-icon';
import BanIcon from '@patternfly/react-icons/dist/esm/icons/ban-icon';
import { useAppStore } from './store';

/** The status area: is firewalld reachable on the selected host, which version, which default zone. */
export function FirewalldStatus() {
  const fw = useAppStore((s) => s.firewall);
  const refresh = useAppStore((s) => s.refreshFirewallStatus);
  // Filled labels stay pastel in PatternFly's dark theme, a bright patch on the dark masthead: outline there.
  const variant = useAppStore((s) => (s.theme === 'dark' ? 'outline' : 'filled'));
  if (fw.state === 'loading' || fw.state === 'idle') {
    return (
      <span className="hd-status" data-testid="status-firewalld" data-state="loading">
        <Spinner size="sm" aria-label="Checking firewalld" /> Checking firewalld…
      </span>
    );
  }
  if (fw.state === 'error') {
    return (
      <Tooltip content={`${fw.message} [${fw.code}]`}>
        <Label color="red" variant={variant} icon={<ExclamationCircleIcon />} data-testid="status-firewalld" data-state="error" onClick={() => void refresh()}>
          Cannot check firewalld
        </Label>
      </Tooltip>
    );
  }
  const s = fw.value;
  if (!s.running) {
    if (s.problem === 'noBus') {
      return (
        <Tooltip content={`${s.reason ?? ''} Click to check again.`}>
          <Label color="red" icon={<ExclamationCircleIcon />} data-testid="status-firewalld" data-state="no-bus" onClick={() => void refresh()}>
            No system D-Bus ({s.busSocket ?? s.busAddress})
          </Label>
        </Tooltip>
      );
    }
    const denied = s.errorCode === 'NOT_AUTHORIZED';
    const stalled = s.errorCode === 'TIMEOUT';
    const files = s.configuration;
    return (
      <Tooltip content={`${s.reason ?? ''} (bus ${s.busAddress}).${files ? ` Its configuration files are shown, read as firewalld ${files.version} would load them (version: ${files.versionFrom}).` : ''} Click to check again.`}>
        <Label
          color={denied || stalled ? 'orange' : 'grey'}
          variant={variant}
          icon={<BanIcon />}
          data-testid="status-firewalld"
          data-state={denied ? 'denied' : stalled ? 'not-answering' : 'not-running'}
          onClick={() => void refresh()}
        >
          {denied ? 'firewalld refused access' : stalled ? 'firewalld is not answering' : 'firewalld is not running'}
          {/* Stopped: the page shows the files; say so, and which version's rules were assumed. */}
          {files && (
            <span data-testid="status-offline-configuration">
              {' · offline configuration · firewalld '}
              <span data-testid="firewalld-version">{files.version}</span>
              {files.versionFrom.startsWith('assumed') ? ' (assumed)' : ''}
            </span>
          )}
        </Label>
      </Tooltip>
    );
  }
  if (s.offline) {
    // No daemon: the configuration files (an image, a stopped firewalld), read as firewalld would load them.
    return (
      <Label color="blue" variant={variant} icon={<CheckCircleIcon />} data-testid="status-firewalld" data-state="offline">
        offline configuration · firewalld <span data-testid="firewalld-version">{s.version}</span>
        {s.versionFrom?.startsWith('assumed') ? ' (assumed)' : ''}
        {' · default zone '}
        <span data-testid="firewalld-default-zone">{s.defaultZone}</span>
      </Label>
    );
  }
  return (
    <Label color={s.panicMode ? 'red' : 'green'} variant={variant} icon={<CheckCircleIcon />} data-testid="status-firewalld" data-state="running">
      firewalld <span data-testid="firewalld-version">{s.version}</span>
      {' · default zone '}
      <span data-testid="firewalld-default-zone">{s.defaultZone}</span>
      {s.panicMode ? ' · PANIC MODE' : ''}
    </Label>
  );
}
