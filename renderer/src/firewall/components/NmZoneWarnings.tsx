import { Alert, ClipboardCopy } from '@patternfly/react-core';
import type { NmProfilesCheck } from '../../../../shared/firewall/nm-zone/contract';
import { nmZoneText } from '../nm-zone-text';

/**
 * A zone rename or delete: the NetworkManager profiles that still name the zone (file and line),
 * each with the nmcli command that moves it (quoted so that pasting it runs only nmcli), and the
 * profile files that could not be checked. HostDeck writes no NetworkManager file.
 */
export function NmZoneWarnings({ nm }: { nm: NmProfilesCheck | undefined }) {
  const t = nmZoneText(nm);
  if (!t) return null;
  return (
    <Alert isInline isPlain variant="warning" data-testid="fw-nm-zone" title={t.title}>
      {t.profiles.length > 0 && (
        <ul>
          {t.profiles.map((p) => (
            <li key={p.key} data-testid="fw-nm-zone-profile">
              <code>{p.where}</code>: {p.text}
              <ClipboardCopy isReadOnly hoverTip="Copy" clickTip="Copied" data-testid="fw-nm-zone-command">{p.command}</ClipboardCopy>
            </li>
          ))}
        </ul>
      )}
      {t.unchecked.map((u) => (
        <p key={u.where} data-testid="fw-nm-zone-unchecked"><code>{u.where}</code>: {u.text}</p>
      ))}
    </Alert>
  );
}
