import { describe, expect, it } from 'vitest';
import { manualInstallSteps } from '../../electron/hosts/ssh/transport';
import { parseDestination } from '../../shared/hosts/destination';

// The helper's manual install for a sudo user: sudo installs as root whatever file sits at the path
// it is given, so that path must be a fresh private directory, never a fixed /tmp name another
// user of either machine could plant or swap first.
describe('manual helper install steps', () => {
  it('use fresh mktemp -d directories on both ends, never a fixed /tmp path', () => {
    const steps = manualInstallSteps(parseDestination('admin@db1.example:2222'));
    const text = steps.join('\n');
    expect(text).not.toMatch(/\/tmp\//);
    expect(steps[0]).toBe('l=$(mktemp -d) && hostdeck helper install-files "$l"   # on this machine: a new private directory');
    expect(steps[1]).toBe('r=$(ssh -p 2222 admin@db1.example mktemp -d) && scp -P 2222 "$l/hostdeck-helper" admin@db1.example:"$r/hostdeck-helper"');
    expect(steps[2]).toBe(
      'ssh -t -p 2222 admin@db1.example sudo install -D -o root -g root -m 0755 "$r/hostdeck-helper" /usr/libexec/hostdeck/hostdeck-helper && ssh -p 2222 admin@db1.example rm -r "$r" && rm -r "$l"',
    );
  });

  it('an ssh_config alias and an IPv6 address', () => {
    expect(manualInstallSteps(parseDestination('web1'))[1]).toBe('r=$(ssh web1 mktemp -d) && scp "$l/hostdeck-helper" web1:"$r/hostdeck-helper"');
    expect(manualInstallSteps(parseDestination('root@[2001:db8::1]'))[1]).toBe(
      'r=$(ssh root@2001:db8::1 mktemp -d) && scp "$l/hostdeck-helper" root@[2001:db8::1]:"$r/hostdeck-helper"',
    );
  });
});
