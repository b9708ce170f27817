import { describe, expect, it } from 'vitest';
import { hostsFromInventory } from '../../shared/hosts/inventory';
import { shellWords, sshArgsToOptions, sshOptionProblem } from '../../shared/hosts/ssh-options';
import { snapshotFileName } from '../../electron/compare/ansible-snapshot';

/** The mapping of `ansible-inventory --list` onto HostDeck hosts, as an attacker writing the inventory would probe it. */

const inv = (hostvars: Record<string, Record<string, unknown>>, groups: Record<string, { hosts?: string[]; children?: string[] }> = {}) => ({
  _meta: { hostvars },
  all: { children: ['ungrouped', ...Object.keys(groups)] },
  ungrouped: { hosts: Object.keys(hostvars).filter((h) => !Object.values(groups).some((g) => g.hosts?.includes(h))) },
  ...groups,
});

describe('hostsFromInventory', () => {
  it('maps ansible_host/port/user, key, jump host and become; keeps every group (children too)', () => {
    const r = hostsFromInventory(
      inv(
        { 'web-01': { ansible_host: '10.0.0.5', ansible_port: 2222, ansible_user: 'admin', ansible_ssh_private_key_file: '/keys/web', ansible_ssh_common_args: '-J jump@bastion -o IdentitiesOnly=yes', ansible_become: 'yes', ansible_become_user: 'root' } },
        { web: { hosts: ['web-01'] }, eu: { children: ['web'] } },
      ),
    );
    expect(r.skipped).toEqual([]);
    expect(r.hosts).toEqual([
      { id: 'web-01', destination: 'admin@10.0.0.5:2222', groups: ['eu', 'web'], sshOptions: ['IdentityFile=/keys/web', 'ProxyJump=jump@bastion', 'IdentitiesOnly=yes'], become: { method: 'sudo', user: 'root' } },
    ]);
  });

  it.each([
    ['-o ProxyCommand="nc %h %p"', /ProxyCommand/],
    ['-oProxyCommand=nc\\ %h\\ %p', /ProxyCommand/],
    ['-o proxycommand=x', /proxycommand/],
    ['-o LocalCommand=id -o PermitLocalCommand=yes', /LocalCommand/],
    ['-o KnownHostsCommand=/bin/id', /KnownHostsCommand/],
    ['-J "-oProxyCommand=id"', /ProxyJump/],
    ['-o ProxyJump=a,-oProxyCommand=id', /ProxyJump/],
    ['-F /tmp/evil_config', /-F/],
    ['-o IdentityFile=../../etc/shadow', /IdentityFile/],
    ['-o "ProxyJump bastion;id"', /ProxyJump/],
    ['-o Match=exec id', /Match/],
  ])('refuses ansible_ssh_common_args %s, naming the host and the variable', (args, why) => {
    const r = hostsFromInventory(inv({ h1: { ansible_ssh_common_args: args } }));
    expect(r.hosts).toEqual([]);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]!.host).toBe('h1');
    expect(r.skipped[0]!.reason).toMatch(/ansible_ssh_common_args/);
    expect(r.skipped[0]!.reason).toMatch(why);
  });

  it('refuses hostile names and destinations, and reserved names', () => {
    const r = hostsFromInventory(inv({ 'a;b': {}, local: {}, '__proto__x': {}, ok1: { ansible_host: '-oProxyCommand=id' }, ok2: { ansible_user: 'x y' }, ok3: { ansible_port: '22 -v' }, ok4: { ansible_connection: 'local' } }));
    expect(r.hosts.map((h) => h.id)).toEqual(['__proto__x']);
    expect(r.skipped.map((s) => s.host).sort()).toEqual(['a;b', 'local', 'ok1', 'ok2', 'ok3', 'ok4']);
  });

  it('never keeps a secret or a vaulted value; a vaulted connection variable skips the host', () => {
    const vault = { __ansible_vault: '$ANSIBLE_VAULT;1.1;AES256\n6162\n' };
    const r = hostsFromInventory(inv({ h1: { ansible_become_password: vault, ansible_password: 'hunter2', ansible_become: true }, h2: { ansible_host: vault } }));
    expect(JSON.stringify(r.hosts)).not.toMatch(/hunter2|ANSIBLE_VAULT/);
    expect(r.hosts.map((h) => h.id)).toEqual(['h1']);
    expect(r.skipped).toEqual([{ host: 'h2', reason: expect.stringMatching(/ansible_host is vaulted/) }]);
    expect(r.notes.join('\n')).toMatch(/h1: vaulted ansible_become_password not read and not stored/);
    expect(r.notes.join('\n')).toMatch(/h1: ansible_password not stored/);
  });

  it('--limit: only the names ansible matched', () => {
    const r = hostsFromInventory(inv({ a: {}, b: {}, c: {} }), new Set(['a', 'c']));
    expect(r.hosts.map((h) => h.id)).toEqual(['a', 'c']);
  });
});

describe('ssh options', () => {
  it('splits words as shlex does', () => {
    expect(shellWords(`-o 'A=b c' -o "D=\\"e\\"" f\\ g`)).toEqual(['-o', 'A=b c', '-o', 'D="e"', 'f g']);
    expect(() => shellWords(`-o 'x`)).toThrow(/unclosed/);
  });
  it('passes only the allowed options with checked values', () => {
    expect(sshArgsToOptions('-o ConnectTimeout=5')).toEqual({ problem: expect.stringMatching(/ConnectTimeout is not one HostDeck passes/) });
    expect(sshOptionProblem('ProxyJump=jump1,admin@jump2:2222')).toBeNull();
    expect(sshOptionProblem('IdentityFile=~/.ssh/id_web')).toBeNull();
    expect(sshOptionProblem('IdentityFile=/k ey')).toMatch(/path/);
  });
});

describe('snapshot file names from host names', () => {
  it('are plain, never hidden, never a path, and unique', () => {
    const taken = new Set<string>();
    expect(snapshotFileName('../../etc/passwd', taken)).toBe('__.._etc_passwd.json');
    expect(snapshotFileName('.hidden', taken)).toBe('_hidden.json');
    expect(snapshotFileName('web-01', taken)).toBe('web-01.json');
    expect(snapshotFileName('WEB-01', taken)).toBe('WEB-01-2.json');
    expect(snapshotFileName('a\nb', taken)).toBe('a_b.json');
    expect(snapshotFileName('', taken)).toBe('_.json');
  });
});
