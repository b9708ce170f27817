import { describe, expect, it } from 'vitest';
import { outputCheck } from '../../electron/api/output-check';
import { compareResultSchema, compareSnapshots } from '../../shared/compare/diff';
import { importFiles } from '../../shared/compare/imports';

/**
 * compare.run's answer (hosts × every sysctl) is sent as the handler made it when it is exactly
 * what its contract says (electron/api/output-check.ts), not copied row by row by zod on every
 * comparison (issue #17: the fixed CPU cost of a live compare).
 */
describe('compare.run answer', () => {
  it('has the allocation-free output check, and a real comparison passes it as it is', () => {
    const check = outputCheck(compareResultSchema);
    expect(check).not.toBeNull();
    const host = (name: string, v: string) => ({ id: name, label: name, kind: 'snapshot', snapshot: importFiles([{ name: `${name}.txt`, text: `net.ipv4.ip_forward = ${v}\nvm.swappiness = 60\n` }]).snapshot });
    const r = compareSnapshots([host('a', '0'), host('b', '1'), { id: 'c', label: 'c', kind: 'ssh', snapshot: null, error: 'down' }], { only: ['sysctl'] });
    expect(r.sysctl.some((row) => row.differs)).toBe(true);
    expect(check!(r)).toBe(true);
    // zod gives back the same answer: sending it as is changes nothing.
    expect(compareResultSchema.parse(r)).toEqual(r);
  });
});
