import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Runs the real ansible-playbook against fake hosts (test/support/fake-hosts.ts): ssh through
 * their ssh_config, Ansible's own state kept under `work`, no colour, no retry files.
 */
export function runAnsiblePlaybook(opts: { sshConfig: string; work: string; inventory: string; playbook: string; limit?: string }): { status: number | null; out: string } {
  const r = spawnSync('/usr/bin/ansible-playbook', ['-i', opts.inventory, ...(opts.limit ? ['--limit', opts.limit] : []), opts.playbook], {
    encoding: 'utf8',
    timeout: 300_000,
    env: {
      ...process.env,
      ANSIBLE_SSH_ARGS: `-F ${opts.sshConfig}`,
      ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
      ANSIBLE_HOME: path.join(opts.work, 'ansible-home'),
      ANSIBLE_LOCAL_TEMP: path.join(opts.work, 'ansible-tmp'),
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_PIPELINING: 'True',
      ANSIBLE_RETRY_FILES_ENABLED: 'False',
    },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

/**
 * Points this process's Ansible (ansible-playbook and ansible-inventory started by HostDeck in
 * the test) at fake hosts: ssh through their ssh_config, Ansible's own state (and HostDeck's run
 * directories, XDG_CACHE_HOME) under `work`. `restore()` puts the environment back.
 */
export function useAnsibleEnv(sshConfig: string, work: string, extra: Record<string, string> = {}): { restore(): void } {
  const vars: Record<string, string> = {
    XDG_CACHE_HOME: path.join(work, 'cache'),
    ANSIBLE_SSH_ARGS: `-F ${sshConfig}`,
    ANSIBLE_HOME: path.join(work, 'ansible-home'),
    ANSIBLE_LOCAL_TEMP: path.join(work, 'ansible-tmp'),
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ...extra,
  };
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return {
    restore() {
      for (const [k, v] of Object.entries(before)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
