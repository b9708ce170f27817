import { describe, expect, it } from 'vitest';
import { compareSnapshots } from '../../shared/compare/diff';
import { importFiles } from '../../shared/compare/imports';
import { isPerHostKey } from '../../shared/compare/volatile';
import { countsInSummary } from '../../shared/compare/summary-facts';
import { defaultSelection } from '../../shared/compare/fix';

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

// The grid, the summary and the fixes leave out the same per-host identities (one list: shared/compare/volatile.ts).
describe('per-host identities', () => {
  const host = (name: string) => ({
    id: name,
    label: name,
    kind: 'snapshot',
    snapshot: importFiles([{ name: `${name}.txt`, text: `kernel.hostname = ${name}\nkernel.domainname = ${name}.example\nnet.core.somaxconn = 4096\n` }]).snapshot,
  });

  it('kernel.hostname and kernel.domainname are shown in the grid but are no difference, as in the summary and the fix', () => {
    const r = compareSnapshots([host('web-01'), host('web-02')]);
    expect(r.sysctl.find((x) => x.key === 'kernel.hostname')).toMatchObject({ differs: false, values: ['web-01', 'web-02'] });
    expect(r.sysctl.find((x) => x.key === 'kernel.domainname')).toMatchObject({ differs: false });
    expect(r.sysctl.filter((x) => x.differs)).toEqual([]);
    for (const key of ['kernel.hostname', 'kernel.domainname', 'kernel.random.boot_id', 'kernel.random.uuid']) {
      expect([isPerHostKey(key), countsInSummary(key)], key).toEqual([true, false]);
    }
    expect(defaultSelection(r).sysctl).toEqual([]);
  });
});
