/**
 * Disagreements the offline-writes differential found (differential.ts), each cut down to the
 * smallest sequence that shows it and run through the same checks (same success per step, the
 * same files, the same listings). The seed each came from is named; replay the whole sequence
 * with HOSTDECK_OFFLINE_WRITE_SEED=S. One firewall-offline-cmd server for the file.
 * Needs root, firewalld's Python modules and util-linux.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSequence, shortModules } from './differential';
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

  it('seed 31005: --add-module nf_conntrack_ftp is the same module (firewall-offline-cmd writes the name as given, HostDeck the short name firewalld reads)', async () => {
    const res = await agree('module', [['--service=http', '--add-module=nf_conntrack_ftp'], ['--service=ssh', '--add-module=nf_conntrack_netbios_ns']]);
    // The one difference, in the files only: the listings above agreed.
    const a = readFileSync(path.join(res.copies.etcA, 'services/http.xml'), 'utf8');
    const b = readFileSync(path.join(res.copies.etcB, 'services/http.xml'), 'utf8');
    expect(a).toContain('<module name="ftp"/>');
    expect(b).toContain('<module name="nf_conntrack_ftp"/>');
    expect(shortModules(b)).toBe(a);
    expect(readFileSync(path.join(res.copies.etcA, 'services/ssh.xml'), 'utf8')).toContain('<module name="netbios-ns"/>');
  }, 120_000);
});
