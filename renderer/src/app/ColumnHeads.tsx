import { Th, Thead, Tr } from '@patternfly/react-table';

/** A table's header row when every column heading is plain text (the common case across the pages). */
export function ColumnHeads({ names }: { names: string[] }) {
  return (
    <Thead>
      <Tr>
        {names.map((n) => (
          <Th key={n}>{n}</Th>
        ))}
      </Tr>
    </Thead>
  );
}
