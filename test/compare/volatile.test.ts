import { describe, expect, it } from 'vitest';
import { compareSnapshots } from '../../shared/compare/diff';
import { importFiles } from '../../shared/compare/imports';

// Per-host identities and counters never count as differences (the rows still show them).
describe('values that differ on every host', () => {
  const host = (name: string, cadPid: string) => ({
    id: name,
    label: name,
    kind: 'snapshot',
    snapshot: importFiles([{ name: `${name}.txt`, text: `kernel.cad_pid = ${cadPid}\nnet.core.somaxconn = 4096\n` }]).snapshot,
  });

  it('kernel.cad_pid (1 on a host, another PID in every container) is shown but is no difference', () => {
    const r = compareSnapshots([host('node-3', '1'), host('pod-7', '4711')]);
    expect(r.sysctl.find((x) => x.key === 'kernel.cad_pid')).toMatchObject({ volatile: true, differs: false, values: ['1', '4711'] });
    expect(r.sysctl.filter((x) => x.differs)).toEqual([]);
  });
});
