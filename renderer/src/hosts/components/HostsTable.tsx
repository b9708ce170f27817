import { useState } from 'react';
import { ToggleGroup, ToggleGroupItem } from '@patternfly/react-core';
import type { RemoteHost } from '../../../../shared/hosts/contract';
import { Table, Th, Thead, Tr } from '@patternfly/react-table';
import { HostRows } from './HostRows';

/** The inventory groups of the saved hosts as a filter above the table (`@web` on the command line). */
export function GroupedHosts({ hosts }: { hosts: RemoteHost[] }) {
  const [group, setGroup] = useState<string | null>(null);
  const groups = [...new Set(hosts.flatMap((h) => h.groups))].sort();
  const shown = group && groups.includes(group) ? hosts.filter((h) => h.groups.includes(group)) : hosts;
  return (
    <>
      {groups.length > 0 && (
        <ToggleGroup aria-label="Inventory group" data-testid="hosts-groups" className="pf-v6-u-mb-sm">
          <ToggleGroupItem text={`All (${hosts.length})`} isSelected={!group || !groups.includes(group)} onChange={() => setGroup(null)} />
          {groups.map((g) => (
            <ToggleGroupItem key={g} text={`@${g} (${hosts.filter((h) => h.groups.includes(g)).length})`} isSelected={group === g} onChange={() => setGroup(g)} data-testid={`hosts-group-${g}`} />
          ))}
        </ToggleGroup>
      )}
      <HostsTable hosts={shown} />
    </>
  );
}

/** The hosts as a table, one body per host. */
export function HostsTable({ hosts }: { hosts: RemoteHost[] }) {
  return (
    <Table aria-label="Remote hosts" variant="compact" data-testid="hosts-table">
      <Thead>
        <Tr>
          <Th>Name</Th>
          <Th>Destination</Th>
          <Th>State</Th>
          <Th>System</Th>
          <Th>Privilege</Th>
          <Th>firewalld</Th>
          <Th screenReaderText="Actions" />
        </Tr>
      </Thead>
      {hosts.map((h) => (
        <HostRows key={h.id} host={h} />
      ))}
    </Table>
  );
}
