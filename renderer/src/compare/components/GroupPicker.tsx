import { useEffect, useState } from 'react';
import { Alert, AlertActionCloseButton, Button, FormSelect, FormSelectOption } from '@patternfly/react-core';
import type { RemoteHost } from '../../../../shared/hosts/contract';
import { deckApi } from '../../app/api';
import { useCompareStore } from '../store';
import { useCollectStore } from '../collect-store';

const MAX_DIRECT = 50;

/** Groups of the saved hosts (from `hosts import --inventory`), each with its members. */
function groupsOf(hosts: RemoteHost[]): { name: string; members: string[]; inventory: string | null }[] {
  const by = new Map<string, string[]>();
  for (const h of hosts) for (const g of h.groups) by.set(g, [...(by.get(g) ?? []), h.id]);
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, members]) => ({ name, members, inventory: hosts.find((h) => h.id === members[0])?.inventory ?? null }));
}

/**
 * "Add a group…": every saved host of an inventory group (`@web`) joins the comparison at once.
 * A group larger than the SSH transport should reach directly (50) is not added host by host:
 * the page offers to collect it through Ansible instead ("Collect with Ansible…" does so for
 * any group of an inventory: progress and result in CollectProgress).
 */
export function GroupPicker() {
  const hosts = useCompareStore((s) => s.hosts);
  const { addHosts } = useCompareStore.getState();
  const [saved, setSaved] = useState<RemoteHost[]>([]);
  const [tooMany, setTooMany] = useState<{ group: string; count: number; inventory: string | null } | null>(null);
  const load = () => {
    deckApi.hosts.list({}).then(
      (r) => setSaved(r.hosts),
      () => setSaved([]),
    );
  };
  useEffect(load, []);
  const groups = groupsOf(saved);
  const collecting = useCollectStore((s) => s.run?.state === 'running' || s.run?.state === 'cancelling');
  if (!groups.length) return null;
  const collectable = groups.filter((g) => g.inventory);
  const collect = (name: string) => {
    const g = collectable.find((x) => x.name === name);
    if (!g) return;
    setTooMany(null);
    void useCollectStore.getState().start(g.inventory!, g.name);
  };
  const pick = (name: string) => {
    const g = groups.find((x) => x.name === name);
    if (!g) return;
    const fresh = g.members.filter((m) => !hosts.includes(m));
    if (hosts.length + fresh.length > MAX_DIRECT) {
      setTooMany({ group: g.name, count: g.members.length, inventory: g.inventory });
      return;
    }
    setTooMany(null);
    void addHosts(fresh);
  };
  return (
    <>
      <FormSelect value="" onFocus={load} onChange={(_e, v) => v && pick(v)} aria-label="Add an inventory group to compare" data-testid="compare-add-group" className="hd-compare-select">
        <FormSelectOption value="" label="Add a group…" isPlaceholder />
        {groups.map((g) => (
          <FormSelectOption key={g.name} value={g.name} label={`@${g.name} (${g.members.length} host${g.members.length === 1 ? '' : 's'})`} />
        ))}
      </FormSelect>
      {collectable.length ? (
        // Hosts from an inventory can be read by Ansible instead (its forks, bastions, become): any number of them.
        <FormSelect value="" onFocus={load} onChange={(_e, v) => v && collect(v)} isDisabled={collecting} aria-label="Collect an inventory group with Ansible" data-testid="compare-collect-group" className="hd-compare-select">
          <FormSelectOption value="" label="Collect with Ansible…" isPlaceholder />
          {collectable.map((g) => (
            <FormSelectOption key={g.name} value={g.name} label={`@${g.name} (${g.members.length} host${g.members.length === 1 ? '' : 's'})`} />
          ))}
        </FormSelect>
      ) : null}
      {tooMany ? (
        <Alert
          variant="info"
          isInline
          title={`@${tooMany.group} has ${tooMany.count} hosts: more than the ${MAX_DIRECT} compared directly over SSH`}
          actionClose={<AlertActionCloseButton onClose={() => setTooMany(null)} />}
          data-testid="compare-group-too-many"
        >
          Collect them with Ansible and read the fleet summary{tooMany.inventory ? '' : ': '}
          {tooMany.inventory ? (
            <>
              {' '}
              <Button variant="primary" size="sm" onClick={() => collect(tooMany.group)} isDisabled={collecting} data-testid="compare-collect-too-many">
                Collect with Ansible
              </Button>{' '}
              (or <code>hostdeck compare --inventory {tooMany.inventory} --limit {tooMany.group} --summary</code>)
            </>
          ) : (
            <code>hostdeck compare --inventory INVENTORY --limit {tooMany.group} --summary</code>
          )}
        </Alert>
      ) : null}
    </>
  );
}
