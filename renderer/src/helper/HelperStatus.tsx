import { useEffect, useState } from 'react';
import { Alert, ClipboardCopy, List, ListItem } from '@patternfly/react-core';
import { useHostApi } from '../app/host-store';
import type { HelperStatus as Status } from '../../../shared/helper/contract';

/**
 * Why HostDeck cannot change this host, in plain words, with the commands that fix it: pkexec
 * missing, the helper or its polkit policy not installed (AppImage, checkouts). Shows nothing
 * when changes can be made.
 */
export function HelperStatus({ what }: { what: string }) {
  const api = useHostApi();
  const [status, setStatus] = useState<Status | null>(null);
  useEffect(() => {
    let live = true;
    api.helper.status({}).then(
      (s) => live && setStatus(s),
      () => live && setStatus(null),
    );
    return () => {
      live = false;
    };
  }, [api]);
  if (!status || status.available) return null;
  return (
    <Alert isInline variant="warning" title={`${what} needs administrator rights, and HostDeck cannot ask for them here yet`} data-testid="helper-missing">
      <List>
        {status.missing.map((m) => (
          <ListItem key={m.path}>
            {m.what}. Fix: <code>{m.fix}</code>
          </ListItem>
        ))}
      </List>
      <p>Install by hand (AppImage, or a copy without the deb/rpm package):</p>
      {status.manualSteps.map((s) => (
        <ClipboardCopy key={s} isReadOnly hoverTip="Copy" clickTip="Copied" variant="inline-compact">
          {s}
        </ClipboardCopy>
      ))}
    </Alert>
  );
}

/** Plain words for the errors a privileged change can end with; the draft is always kept. */
export function privilegeHint(code: string): string | null {
  if (code === 'NOT_AUTHORIZED') return 'Nothing was changed and your draft is kept: try again and authenticate as an administrator.';
  if (code === 'UNSUPPORTED') return 'Nothing was changed and your draft is kept.';
  if (code === 'CONFLICT') return 'Nothing was overwritten and your draft is kept: reload to see the other change, then apply yours again.';
  return null;
}
