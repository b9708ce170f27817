/**
 * Disagreements the offline-writes differential found (differential.ts), each cut down to the
 * smallest sequence that shows it and run through the same checks (same success per step, the
 * same files, the same listings). The seed each came from is named; replay the whole sequence
 * with HOSTDECK_OFFLINE_WRITE_SEED=S. One firewall-offline-cmd server for the file.
 * Needs root, firewalld's Python modules and util-linux.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSequence } from './differential';
import { startOfflineCmd } from './offline-cmd';

const dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-offline-found-'));
const cmd = startOfflineCmd();
afterAll(async () => {
  await cmd.close();
  rmSync(dir, { recursive: true, force: true });
});

const agree = async (name: string, steps: string[][]) => {
  const res = await runSequence(0, path.join(dir, name), { cmd, steps });
  expect(res.disagreements, steps.map((s) => s.join(' ')).join('\n')).toEqual([]);
  return res;
};

describe('disagreements the differential found', () => {
  it('seed 20000: icmp-block-inversion already so is refused by firewall-offline-cmd and changes nothing in HostDeck (no /etc copy of the zone)', async () => {
    const res = await agree('inversion', [
      ['--zone=internal', '--remove-icmp-block-inversion'],
      ['--zone=public', '--add-icmp-block-inversion'],
      ['--zone=public', '--add-icmp-block-inversion'],
      ['--zone=public', '--remove-icmp-block-inversion'],
      ['--zone=public', '--remove-icmp-block-inversion'],
    ]);
    expect(res.steps).toHaveLength(5);
  }, 120_000);
});
