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
import { imageEditCommands } from '../../shared/compare/fix';
import { runHostdeck } from '../support/cli';

let work: string;
let image: string;
let baseline: string;
// Host data is hostile: a rich rule with quotes, $(...) and a backquote; an image path with a blank and a quote.
const RULE = `rule family="ipv4" source address="10.0.0.0/8" log prefix="a'$(touch /tmp/hostdeck-fix-image-pwned)\`id\`" level="info" accept`;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'hostdeck-fix-image-'));
  image = path.join(work, "my img's root");
  for (const f of ['zones/public.xml', 'services/ssh.xml', 'services/http.xml']) cpSync(path.join('/usr/lib/firewalld', f), path.join(image, 'usr/lib/firewalld', f));
  mkdirSync(path.join(image, 'etc/firewalld/zones'), { recursive: true });
  writeFileSync(path.join(image, 'etc/firewalld/firewalld.conf'), 'DefaultZone=public\n');
  writeFileSync(path.join(image, 'etc/firewalld/zones/public.xml'), '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Public</short>\n  <service name="ssh"/>\n  <port port="9090" protocol="tcp"/>\n</zone>\n');
  baseline = path.join(work, 'web1.txt');
  writeFileSync(
    baseline,
    ['public (default, active)', '  target: default', '  icmp-block-inversion: no', '  interfaces: ', '  sources: ', '  services: ssh http', '  ports: 8080/tcp', '  protocols: ', '  forward: yes', '  masquerade: no', '  forward-ports: ', '  source-ports: ', '  icmp-blocks: ', '  rich rules: ', `\t${RULE}`, ''].join('\n'),
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const compare = (...extra: string[]) => runHostdeck(['compare', `web1=${baseline}`, `img=${image}`, '--baseline', 'web1', '--only', 'firewall', '--layer', 'runtime', ...extra]);

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
