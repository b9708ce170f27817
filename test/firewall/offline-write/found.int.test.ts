/**
 * Disagreements the offline-writes differential found (differential.ts), each cut down to the
 * smallest sequence that shows it and run through the same checks (same success per step, the
 * same files, the same listings). The seed each came from is named; replay the whole sequence
 * with HOSTDECK_OFFLINE_WRITE_SEED=S. One firewall-offline-cmd server for the file.
 * Needs root, firewalld's Python modules and util-linux.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '../../support/cli';
import { copies, offlineInServer, runSequence, shortModules } from './differential';
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
  it("seed 50013: deleting the default zone: firewall-offline-cmd removes its file and then fails (INVALID_ZONE), HostDeck refuses and writes nothing", async () => {
    const c = copies(path.join(dir, 'default-zone'));
    const steps = [['--new-zone=hz0'], ['--set-default-zone=hz0'], ['--delete-zone=hz0']];
    const theirs = await offlineInServer(cmd, c.etcB, steps);
    const ours = [];
    for (const args of steps) ours.push(await runHostdeck(['firewall', 'edit', '--root', c.root, ...args]));
    expect(ours.map((r) => r.code)).toEqual([0, 0, 1]);
    expect(ours[2]!.err).toContain("DefaultZone=hz0: Default zone 'hz0' does not exist");
    expect(theirs.map((r) => r.code)).toEqual([0, 0, 112]);
    expect(theirs[2]!.out).toContain('INVALID_ZONE');
    // Both failed, yet firewall-offline-cmd's copy lost the zone (kept as .old) while firewalld.conf still names it.
    expect(existsSync(path.join(c.etcA, 'zones/hz0.xml'))).toBe(true);
    expect(existsSync(path.join(c.etcB, 'zones/hz0.xml'))).toBe(false);
    expect(existsSync(path.join(c.etcB, 'zones/hz0.xml.old'))).toBe(true);
    expect(readFileSync(path.join(c.etcB, 'firewalld.conf'), 'utf8')).toMatch(/^DefaultZone=hz0$/m);
  }, 120_000);

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
