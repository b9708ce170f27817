/**
 * An image directory in a compare (`hostdeck compare img=DIR ...`) is files on this machine, not
 * an SSH host: its Ansible fix must not name it in a play or the inventory. It says instead which
 * `hostdeck firewall edit --root DIR ...` commands to run, shell-quoted, made from the same
 * differences. The commands are run (through a shell, then the real CLI) and the image then
 * compares equal to the baseline.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageEditCommands, type FixPlan } from '../../shared/compare/fix';
import { inventoryPlaybook } from '../../shared/compare/fix-inventory';
import { runHostdeck } from '../support/cli';

let work: string;
let image: string;
/** A second copy for the firewall-cmd script, its path hostile too ($(...) and both quotes). */
let image2: string;
const PWNED = ['/tmp/hostdeck-fix-image-pwned', '/tmp/hostdeck-fix-image-pwned2'];
let baseline: string;
// Host data is hostile: a rich rule with quotes, $(...) and a backquote; an image path with a blank and a quote.
const RULE = `rule family="ipv4" source address="10.0.0.0/8" log prefix="a'$(touch /tmp/hostdeck-fix-image-pwned)\`id\`" level="info" accept`;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-fix-image-'));
  image = path.join(work, "my img's root");
  image2 = path.join(work, `img2 $(touch ${PWNED[1]}) 'a"b`);
  for (const img of [image, image2]) {
    for (const f of ['zones/public.xml', 'services/ssh.xml', 'services/http.xml']) cpSync(path.join('/usr/lib/firewalld', f), path.join(img, 'usr/lib/firewalld', f));
    mkdirSync(path.join(img, 'etc/firewalld/zones'), { recursive: true });
    writeFileSync(path.join(img, 'etc/firewalld/firewalld.conf'), 'DefaultZone=public\n');
    writeFileSync(path.join(img, 'etc/firewalld/zones/public.xml'), '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Public</short>\n  <service name="ssh"/>\n  <port port="9090" protocol="tcp"/>\n</zone>\n');
  }
  baseline = path.join(work, 'web1.txt');
  writeFileSync(
    baseline,
    ['public (default, active)', '  target: default', '  icmp-block-inversion: no', '  interfaces: ', '  sources: ', '  services: ssh http', '  ports: 8080/tcp', '  protocols: ', '  forward: yes', '  masquerade: no', '  forward-ports: ', '  source-ports: ', '  icmp-blocks: ', '  rich rules: ', `\t${RULE}`, ''].join('\n'),
  );
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  for (const f of PWNED) rmSync(f, { force: true });
});

const compare = (...extra: string[]) => runHostdeck(['compare', `web1=${baseline}`, `img=${image}`, '--baseline', 'web1', '--only', 'firewall', '--layer', 'runtime', ...extra]);
const compare2 = (...extra: string[]) => runHostdeck(['compare', `web1=${baseline}`, `img2=${image2}`, '--baseline', 'web1', '--only', 'firewall', '--layer', 'runtime', ...extra]);

/** The words a shell makes of a command line whose first word is `hostdeck` (a function printing them). */
function shellWords(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `hostdeck() { printf '%s\\0' "$@"; }; ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('an Ansible fix for an image directory', () => {
  it('names no image in the plays or the inventory, and says which hostdeck firewall edit --root commands make it like the baseline', async () => {
    const r = await compare('--fix', 'ansible', '--zones', 'public');
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toMatch(/ansible\.posix\.firewalld/);
    expect(r.out).not.toMatch(/^- name: .*firewalld on img/m);
    expect(r.out).toMatch(/^# Run: nothing for ansible-playbook/m);
    const all = `${r.out}\n${r.err}`;
    const lines = [...all.matchAll(/on this machine run (hostdeck firewall edit .*)$/gm)].map((m) => m[1]!);
    expect(lines.length, all).toBe(1);
    const words = shellWords(lines[0]!);
    expect(words.slice(0, 4)).toEqual(['firewall', 'edit', '--root', image]);
    expect(words).toEqual(expect.arrayContaining(['--zone=public', '--add-service=http', '--add-port=8080/tcp', '--remove-port=9090/tcp', '--add-forward', `--add-rich-rule=${RULE}`]));

    // Run exactly those words: the image then has no firewall difference from the baseline.
    const edit = await runHostdeck(words);
    expect(edit.code, edit.err).toBe(0);
    expect(existsSync('/tmp/hostdeck-fix-image-pwned'), 'the shell ran nothing from the rule').toBe(false);
    const after = await compare('--json');
    expect(after.code, after.err).toBe(0);
    const rows = (JSON.parse(after.out) as { firewall: Array<{ differs: boolean; name: string }> }).firewall.filter((x) => x.differs);
    expect(rows).toEqual([]);
  });

  it("gives the image its hostdeck firewall edit --root commands in the firewall-cmd script: run through /bin/sh they make it equal and run nothing from the data", async () => {
    const r = await compare2('--fix', 'firewall-cmd', '--zones', 'public');
    expect(r.code, r.err).toBe(0);
    // No firewall-cmd for a directory: nothing there answers it.
    expect(r.out).not.toMatch(/^\s*firewall-cmd /m);
    expect(r.out).toMatch(/img2 is an image directory on this machine/);
    const script = path.join(work, 'fix.sh');
    writeFileSync(script, r.out);
    // The script's block for img2, run by /bin/sh as `sh fix.sh img2`, with hostdeck a function that prints each call's words.
    const out = execFileSync('/bin/sh', ['-c', `hostdeck() { printf '%s\\0' "$@"; printf '\\n\\0'; }; set -- img2; . "$0"`, script], { encoding: 'utf8' });
    const calls = out.split('\n\0').filter(Boolean).map((c) => c.split('\0').slice(0, -1));
    expect(calls.length, r.out).toBe(1);
    expect(calls[0]!.slice(0, 4)).toEqual(['firewall', 'edit', '--root', image2]);
    expect(calls[0]).toEqual(expect.arrayContaining(['--zone=public', '--add-service=http', `--add-rich-rule=${RULE}`]));
    const edit = await runHostdeck(calls[0]!);
    expect(edit.code, edit.err).toBe(0);
    for (const f of PWNED) expect(existsSync(f), `the shell ran nothing from the data (${f})`).toBe(false);
    const after = await compare2('--json');
    expect(after.code, after.err).toBe(0);
    expect((JSON.parse(after.out) as { firewall: Array<{ differs: boolean }> }).firewall.filter((x) => x.differs)).toEqual([]);
  });

  it('names no image as a host of an inventory-aimed playbook: its plays and header leave it out, its notes give its commands', () => {
    const plan: FixPlan = {
      baseline: 'web1', settings: [], skipped: [], refused: [], weakening: [], sysctlFile: '/etc/sysctl.d/90-hostdeck-compare.conf', fileNotes: [], ipsetNotes: [],
      hosts: [
        { index: 1, name: 'node-7', sysctl: [], firewall: [{ kind: 'zone', name: 'public', field: 'services', op: 'add', value: 'http' }] },
        { index: 2, name: 'img', imageRoot: "/srv/my img's $(id)", sysctl: [], firewall: [{ kind: 'zone', name: 'public', field: 'rich rules', op: 'add', value: RULE }] },
      ],
    } as unknown as FixPlan;
    const r = inventoryPlaybook(plan, { inventory: 'hosts.ini' });
    const body = r.playbook.slice(r.playbook.indexOf('\n---\n'));
    expect(body).toMatch(/node-7/);
    expect(body).not.toMatch(/\bimg\b/);
    expect(r.playbook).toMatch(/^# Generated by HostDeck compare: make node-7 like web1\.$/m);
    const note = r.notes.find((n) => n.startsWith('img is an image directory'));
    expect(note).toBeDefined();
    const words = shellWords(note!.slice(note!.indexOf('hostdeck firewall edit')));
    expect(words).toEqual(['firewall', 'edit', '--root', "/srv/my img's $(id)", '--zone=public', `--add-rich-rule=${RULE}`]);
    // Only images: nothing for ansible-playbook to run.
    const only = inventoryPlaybook({ ...plan, hosts: [plan.hosts[1]!] }, { inventory: 'hosts.ini' });
    expect(only.playbook).toMatch(/^# Run: nothing for ansible-playbook/m);
  });

  it('leaves out what edit cannot take, and any word with a control character, saying why', () => {
    const r = imageEditCommands({
      imageRoot: '/srv/img',
      firewall: [
        { kind: 'policy', name: 'p', field: 'ingress-priority', op: 'set', value: '-5' },
        { kind: 'zone', name: 'public', field: 'rich rules', op: 'add', value: 'rule family="ipv4"\naccept' },
        { kind: 'ipset', name: 'blocked', field: 'entries', op: 'add', value: '10.0.0.1' },
      ],
    });
    expect(r.commands).toEqual(['hostdeck firewall edit --root /srv/img --ipset=blocked --add-entry=10.0.0.1']);
    expect(r.left).toEqual([expect.stringMatching(/ingress-priority.*no hostdeck firewall edit option/), expect.stringMatching(/rich rules.*control character/)]);
  });
});
