import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeHosts } from '../../test/support/fake-hosts';
import { commandMs, type BenchReporter } from './harness';

/**
 * `hostdeck snapshot --inventory` of N fake hosts (real sshd in namespaces; needs root) against
 * plain `ansible -i INV all -m command -a 'sysctl -a'` of the same hosts, in the same run, with
 * the same Ansible settings (ssh config, pipelining, forks = N). HostDeck reads more (every
 * /proc/sys entry with its mode, sysctl.d, resolv.conf and its owner facts, interfaces) and
 * writes one snapshot file per host. N: HOSTDECK_BENCH_INVENTORY_HOSTS (default 10). Target <= 1.5.
 */
export default async function bench(r: BenchReporter): Promise<void> {
  const n = Number(process.env.HOSTDECK_BENCH_INVENTORY_HOSTS ?? 10);
  const fh = await startFakeHosts(Array.from({ length: n }, (_, i) => ({ name: `inv${i + 1}`, firewalld: false })));
  const work = mkdtempSync(join(tmpdir(), 'hostdeck-bench-inventory-'));
  try {
    const inventory = join(work, 'fleet.ini');
    writeFileSync(inventory, `[fleet]\n${fh.hosts.map((h) => `node-${h.name} ansible_host=${h.name}`).join('\n')}\n`);
    const env = {
      ...process.env,
      ANSIBLE_SSH_ARGS: `-F ${fh.sshConfig} -o ControlMaster=auto -o ControlPersist=60s`,
      ANSIBLE_CONTROL_PATH_DIR: join(work, 'cp'),
      ANSIBLE_HOME: join(work, 'ansible-home'),
      ANSIBLE_LOCAL_TEMP: join(work, 'ansible-tmp'),
      ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
      ANSIBLE_PIPELINING: 'True',
      ANSIBLE_NOCOLOR: '1',
      XDG_CONFIG_HOME: join(work, 'config'),
    };
    const out = join(work, 'snaps');
    const ours = await commandMs(process.execPath, ['out/main/cli.js', 'snapshot', '--inventory', inventory, '--out', out, '--forks', String(n)], env, 3);
    const files = readdirSync(out).length;
    if (files !== n) throw new Error(`snapshot --inventory wrote ${files} files for ${n} hosts`);
    const anchor = await commandMs('/usr/bin/ansible', ['-i', inventory, 'all', '-m', 'command', '-a', 'sysctl -a', '--forks', String(n)], env, 3);
    r.ratio(`inventory: hostdeck snapshot --inventory of ${n} hosts (${files} snapshot files)`, ours, `ansible -m command -a 'sysctl -a'`, anchor, '<= 1.5');
    const check = spawnSync('/usr/bin/ansible', ['--version'], { encoding: 'utf8' });
    r.note(`  (${check.stdout.split('\n')[0]}, forks ${n}, pipelining on, the same ssh config for both)`);
  } finally {
    await fh.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
