/**
 * Issue #16: NetworkManager binds interfaces to a zone by name (keyfile `[connection] zone=`,
 * ifcfg `ZONE=`); an offline rename or delete of that zone changes no profile. HostDeck writes no
 * NetworkManager file: the rename/delete answer names each profile file and line with the nmcli
 * command that moves it, on the CLI and on the page's save review. One image (two keyfiles, one
 * hostile, and an ifcfg file), in-process CLI; each suggested command is run by bash with a
 * recording `nmcli` first on PATH: it gets the profile's id as one argument, and nothing from the
 * data runs.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NmProfilesCheck } from '../../../shared/firewall/nm-zone/contract';
import { parseIfcfg, parseKeyfile } from '../../../shared/firewall/nm-zone/profiles';
import { nmZoneText } from '../../../renderer/src/firewall/nm-zone-text';
import { Runtime } from '../../../electron/api/runtime';
import { createHostApi } from '../../../renderer/src/app/api';
import { checkOffline } from '../../../renderer/src/firewall/offline-save';
import { runHostdeck } from '../../support/cli';
import { treeHash } from '../offline-rest/support/image';

const work = mkdtempSync(path.join(tmpdir(), 'hostdeck-nmzone-'));
const root = path.join(work, 'root');
const at = (rel: string) => path.join(root, rel);
const keyfiles = at('etc/NetworkManager/system-connections');
const ifcfgs = at('etc/sysconfig/network-scripts');
// The hostile id as NetworkManager reads it (GLib keyfile: \n is a newline).
const EVIL_ID = `lab "wifi" it's $(touch pwned) \`touch pwned2\`\nline2; touch pwned3 \u009b2J`;

function restore(): void {
  rmSync(at('etc'), { recursive: true, force: true });
  mkdirSync(at('etc/firewalld/zones'), { recursive: true });
  mkdirSync(keyfiles, { recursive: true });
  mkdirSync(ifcfgs, { recursive: true });
  writeFileSync(at('etc/firewalld/firewalld.conf'), 'DefaultZone=public\n');
  writeFileSync(at('etc/firewalld/zones/lab.xml'), '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Lab</short>\n  <service name="ssh"/>\n</zone>\n');
  writeFileSync(path.join(keyfiles, 'Wired 1.nmconnection'), '[connection]\nid=Wired 1\nuuid=0b4c6a0e-1f7e-4a53-9d38-6a1d5e0f1c01\ntype=ethernet\ninterface-name=eth0\nzone=lab\n\n[ipv4]\nmethod=auto\n');
  writeFileSync(path.join(keyfiles, 'evil.nmconnection'), `# hostile\n[connection]\nid=lab "wifi" it's $(touch pwned) \`touch pwned2\`\\nline2; touch pwned3 \u009b2J\ntype=wifi\n\n[wifi]\nssid=x\n\n[connection]\nzone = lab\n`);
  writeFileSync(path.join(keyfiles, 'other.nmconnection'), '[connection]\nid=elsewhere\nzone=public\n');
  writeFileSync(path.join(ifcfgs, 'ifcfg-eth1'), 'DEVICE=eth1\nNAME="System \\"eth1\\""\nONBOOT=yes\nZONE=lab # the lab\n');
  writeFileSync(path.join(ifcfgs, 'ifcfg-lo'), 'DEVICE=lo\nZONE=\n');
  for (const f of [...['Wired 1', 'evil', 'other'].map((n) => path.join(keyfiles, `${n}.nmconnection`))]) chmodSync(f, 0o600);
}

beforeAll(() => {
  for (const f of ['zones/public.xml', 'services/ssh.xml', 'services/dhcpv6-client.xml']) cpSync(path.join('/usr/lib/firewalld', f), at(`usr/lib/firewalld/${f}`));
  restore();
});
afterEach(restore);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const edit = (...args: string[]) => runHostdeck(['firewall', 'edit', '--root', root, ...args]);

/** Runs a suggested command in bash with a recording nmcli; returns the argv nmcli got and the files the run made. */
function runSuggested(command: string): { argv: string[]; made: string[] } {
  const dir = mkdtempSync(path.join(work, 'run-'));
  mkdirSync(path.join(dir, 'bin'));
  writeFileSync(path.join(dir, 'bin/nmcli'), '#!/bin/sh\nfor a in "$@"; do printf \'%s\\0\' "$a"; done > "$NMCLI_LOG"\n', { mode: 0o755 });
  execFileSync('/bin/bash', ['-c', command], { cwd: dir, env: { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, NMCLI_LOG: path.join(dir, 'argv') } });
  const argv = readFileSync(path.join(dir, 'argv'), 'utf8').split('\0').slice(0, -1);
  const made = ['pwned', 'pwned2', 'pwned3'].filter((f) => existsSync(path.join(dir, f)));
  return { argv, made };
}

describe('NetworkManager profiles after an offline zone rename or delete', () => {
  it('the rename is written and names each profile (file:line) with an nmcli command that runs only nmcli, with the exact id', async () => {
    const r = await edit('--zone', 'lab', '--rename', 'office');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(at('etc/firewalld/zones/office.xml'))).toBe(true);
    const lines = r.out.split('\n').filter((l) => l.includes('NetworkManager profile'));
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).toContain(`warning: ${path.join(keyfiles, 'Wired 1.nmconnection')}:6: NetworkManager profile "Wired 1" binds its interface to zone lab (now office)`);
    // A terminal control sequence (C1 CSI) from the data is printed escaped, never raw.
    expect(lines.join('\n')).toContain(`warning: ${path.join(keyfiles, 'evil.nmconnection')}:10: NetworkManager profile ${JSON.stringify(EVIL_ID).replace('\u009b', '\\u009b')}`);
    // eslint-disable-next-line no-control-regex
    expect(r.out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(lines.join('\n')).toContain(`warning: ${path.join(ifcfgs, 'ifcfg-eth1')}:4: NetworkManager profile "System \\"eth1\\""`);
    // The profile on another zone and the one on the default zone (ZONE= empty) are not named.
    expect(r.out).not.toContain('elsewhere');
    expect(r.out).not.toContain('ifcfg-lo');
    const want = new Map([['Wired 1', 'Wired 1'], ['evil', EVIL_ID], ['ifcfg-eth1', 'System "eth1"']]);
    for (const [file, id] of want) {
      const line = lines.find((l) => l.includes(file))!;
      const command = line.slice(line.indexOf('fix: ') + 5);
      const ran = runSuggested(command);
      expect(ran.made, command).toEqual([]);
      expect(ran.argv, command).toEqual(['connection', 'modify', 'id', id, 'connection.zone', 'office']);
    }
    // HostDeck wrote no NetworkManager file.
    expect(readFileSync(path.join(keyfiles, 'Wired 1.nmconnection'), 'utf8')).toContain('zone=lab\n');
  });

  it('--delete-zone warns the same way, pointing the profiles at the default zone (an empty connection.zone)', async () => {
    const r = await edit('--delete-zone', 'lab', '--dry-run');
    expect(r.code).toBe(0);
    const line = r.out.split('\n').find((l) => l.includes('Wired 1.nmconnection'))!;
    expect(line).toContain('zone lab (deleted)');
    expect(runSuggested(line.slice(line.indexOf('fix: ') + 5)).argv).toEqual(['connection', 'modify', 'id', 'Wired 1', 'connection.zone', '']);
  });

  it('a profile that is a link or too large, and a directory that cannot be listed, are said not checked; the rename is still written', async () => {
    symlinkSync('/etc/shadow', path.join(keyfiles, 'link.nmconnection'));
    writeFileSync(path.join(keyfiles, 'huge.nmconnection'), `[connection]\nzone=lab\n${'#'.repeat(300 * 1024)}\n`);
    rmSync(ifcfgs, { recursive: true });
    writeFileSync(ifcfgs, 'not a directory');
    const before = treeHash(at('etc/NetworkManager'));
    const r = await edit('--zone', 'lab', '--rename', 'office', '--json');
    expect(r.code).toBe(0);
    const nm = (JSON.parse(r.out) as { written: boolean; nmProfiles: NmProfilesCheck }).nmProfiles;
    expect(nm.unchecked.map((u) => u.shown).sort()).toEqual([ifcfgs, path.join(keyfiles, 'huge.nmconnection'), path.join(keyfiles, 'link.nmconnection')].sort());
    expect(nm.unchecked.find((u) => u.shown.endsWith('link.nmconnection'))!.reason).toMatch(/symbolic link.*not checked/);
    expect(nm.warnings.map((w) => w.id).sort()).toEqual(['Wired 1', EVIL_ID].sort());
    expect(existsSync(at('etc/firewalld/zones/office.xml'))).toBe(true);
    expect(treeHash(at('etc/NetworkManager'))).toBe(before);
  });

  it("the page's save review (nmZoneText, what NmZoneWarnings shows) names each profile, its line and the quoted command, and what was not checked", async () => {
    symlinkSync('/etc/shadow', path.join(keyfiles, 'link.nmconnection'));
    const r = await edit('--zone', 'lab', '--rename', 'office', '--dry-run', '--json');
    const nm = (JSON.parse(r.out) as { nmProfiles: NmProfilesCheck }).nmProfiles;
    const page = nmZoneText(nm)!;
    const text = [page.title, ...page.profiles.map((p) => `${p.where}: ${p.text} ${p.command}`), ...page.unchecked.map((u) => `${u.where}: ${u.text}`)].join('\n');
    expect(text).toContain('NetworkManager profiles name this zone (3)');
    expect(text).toContain(`${path.join(keyfiles, 'Wired 1.nmconnection')}:6`);
    expect(text).toContain(`${path.join(ifcfgs, 'ifcfg-eth1')}:4`);
    expect(text).toContain("nmcli connection modify id 'Wired 1' connection.zone office");
    const evil = nm.warnings.find((w) => w.id === EVIL_ID)!;
    expect(text).toContain(evil.command);
    expect(evil.command).not.toContain('\n');
    expect(runSuggested(evil.command).argv).toEqual(['connection', 'modify', 'id', EVIL_ID, 'connection.zone', 'office']);
    expect(text).toMatch(/link\.nmconnection: .*symbolic link.*not checked/);
  });

  it('profiles in /run and /usr/lib (in-memory and shipped keyfiles, which NetworkManager reads too) are named like those in /etc', async () => {
    const extra = [at('run/NetworkManager/system-connections'), at('usr/lib/NetworkManager/system-connections')];
    try {
      for (const [i, d] of extra.entries()) {
        mkdirSync(d, { recursive: true });
        writeFileSync(path.join(d, `p${i}.nmconnection`), `[connection]\nid=extra ${i}\nzone=lab\n`, { mode: 0o600 });
      }
      const r = await edit('--zone', 'lab', '--rename', 'office', '--dry-run', '--json');
      const nm = (JSON.parse(r.out) as { nmProfiles: NmProfilesCheck }).nmProfiles;
      expect(nm.warnings.map((w) => `${w.file}:${w.line} ${w.id}`)).toEqual(expect.arrayContaining([`${path.join(extra[0]!, 'p0.nmconnection')}:3 extra 0`, `${path.join(extra[1]!, 'p1.nmconnection')}:3 extra 1`]));
      expect(nm.warnings).toHaveLength(5);
      // Absent directories (the other tests' image has neither) are not "not checked".
      expect(nm.unchecked).toEqual([]);
    } finally {
      for (const d of extra) rmSync(d, { recursive: true, force: true });
    }
  });

  it("the page's delete review carries the profiles (checkOffline over the in-process API, as the page calls it)", async () => {
    const rt = new Runtime({ mode: 'cli', local: { root }, history: { dir: path.join(work, 'history') } });
    try {
      const hostId = (await rt.api.app.hosts({})).hosts[0]!.id;
      const api = createHostApi((channel, request) => rt.call(channel, request), hostId);
      const review = await checkOffline(api, [{ op: 'zone.delete', name: 'lab' }], undefined);
      expect(review.failure).toBeUndefined();
      const page = nmZoneText(review.nmProfiles)!;
      expect(page.profiles.map((p) => p.where)).toEqual([`${path.join(keyfiles, 'Wired 1.nmconnection')}:6`, `${path.join(keyfiles, 'evil.nmconnection')}:10`, `${path.join(ifcfgs, 'ifcfg-eth1')}:4`]);
      expect(page.profiles[0]!.text).toContain('which is deleted');
      expect(page.profiles[0]!.command).toBe("nmcli connection modify id 'Wired 1' connection.zone ''");
    } finally {
      await rt.dispose();
    }
  });

  it('reads ids and zones as NetworkManager does (keyfile escapes and a missing id; ifcfg quoting and a missing NAME)', () => {
    expect(parseKeyfile('f', 'Home.nmconnection', '[connection]\nzone=a\\sb\n')).toMatchObject({ id: 'Home', zone: 'a b', line: 2 });
    expect(parseKeyfile('f', 'x.nmconnection', '[ipv4]\nzone=lab\n')).toBeUndefined();
    expect(parseKeyfile('f', 'x.nmconnection', '[connection]\nzone=lab\nzone=\n')).toBeUndefined();
    expect(parseIfcfg('f', 'ifcfg-em1', "ZONE='lab'\n")).toMatchObject({ id: 'System em1', zone: 'lab', line: 1 });
    expect(parseIfcfg('f', 'ifcfg-em1', 'NAME=a\\ b\nZONE="l\\$ab"\n')).toMatchObject({ id: 'a b', zone: 'l$ab', line: 2 });
  });
});
