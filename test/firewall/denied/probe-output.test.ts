/**
 * The packet probe's client output (test/support/packet-probe.ts): its JSON is read once every
 * pipe is at its end, not when the process is reported gone. In CI a probe over SSH once failed
 * with "printed no JSON" after a clean exit: the exit was seen before the output was read.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childOutput } from '../../support/packet-probe';

describe('childOutput', () => {
  it('has all the output of a process whose pipe outlives its exit', async () => {
    // The shell exits at once; the JSON comes later from its background child on the same pipe:
    // an 'exit'-based reader sees an empty stdout here every time.
    const c = spawn('/bin/sh', ['-c', '(sleep 0.3; echo \'[{"id":1}]\') & exit 0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const r = await childOutput(c);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([{ id: 1 }]);
  });

  it('keeps the exit code and stderr of a failing process', async () => {
    const c = spawn('/bin/sh', ['-c', 'echo no >&2; exit 3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await childOutput(c)).toEqual({ code: 3, out: '', errText: 'no\n' });
  });
});
