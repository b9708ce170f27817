/**
 * Offline writes on hostile image trees, through the real helper (--root, as this process):
 * a symbolic link out of the root at each component of /etc/firewalld/zones/NAME.xml, a FIFO
 * where the file should be, a file changed between read and write, a DOCTYPE, a path outside
 * the allow-list. Each gets a clear refusal and nothing is written outside the root.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { b64, helper, sha } from '../../helper/support/run';

let root: string;
let outside: string;
const zone = '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <port port="8080" protocol="tcp"/>\n</zone>\n';
const write = (p: string, content = zone, expected: string | null = null) => helper({ verb: 'write-file', path: p, content: b64(content), expectedSha256: expected }, ['--root', root]);

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'hostdeck-ow-root-'));
  outside = mkdtempSync(path.join(tmpdir(), 'hostdeck-ow-outside-'));
  mkdirSync(path.join(root, 'etc'), { recursive: true });
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('the helper writes firewalld files and nothing else', () => {
  it('creates /etc/firewalld/zones/NAME.xml (directories 0750 as firewalld makes them) and firewalld.conf, deletes a zone file with a backup', () => {
    const a = write('/etc/firewalld/zones/web.xml');
    expect(a.ok, JSON.stringify(a)).toBe(true);
    expect(readFileSync(path.join(root, 'etc/firewalld/zones/web.xml'), 'utf8')).toBe(zone);
    expect(execFileSync('stat', ['-c', '%a', path.join(root, 'etc/firewalld/zones')], { encoding: 'utf8' }).trim()).toBe('750');
    expect(write('/etc/firewalld/firewalld.conf', 'DefaultZone=web\n').ok).toBe(true);
    const d = helper({ verb: 'delete-file', path: '/etc/firewalld/zones/web.xml', expectedSha256: sha(zone) }, ['--root', root]);
    expect(d.ok).toBe(true);
    expect(existsSync(path.join(root, 'etc/firewalld/zones/web.xml'))).toBe(false);
  });

  it('refuses paths outside the allow-list, a wrong root element and a DOCTYPE', () => {
    expect(write('/etc/firewalld/lockdown-whitelist.xml').error?.code).toBe('NOT_ALLOWED');
    expect(write('/etc/firewalld/direct.xml').error?.code).toBe('NOT_ALLOWED');
    expect(write('/etc/firewalld/zones/sub/x.xml').error?.code).toBe('NOT_ALLOWED');
    expect(write('/etc/firewalld/zones/.hidden.xml').error?.code).toBe('NOT_ALLOWED');
    expect(write('/etc/firewalld/zones/x.conf').error?.code).toBe('NOT_ALLOWED');
    expect(helper({ verb: 'delete-file', path: '/etc/firewalld/firewalld.conf', expectedSha256: sha('x') }, ['--root', root]).error?.code).toBe('NOT_ALLOWED');
    expect(write('/etc/firewalld/services/x.xml').error).toMatchObject({ code: 'INVALID_VALUE', message: expect.stringContaining('<service>') });
    const bomb = '<?xml version="1.0"?>\n<!DOCTYPE zone [<!ENTITY a "aaaa">]>\n<zone><short>&a;</short></zone>\n';
    expect(write('/etc/firewalld/zones/x.xml', bomb).error).toMatchObject({ code: 'INVALID_VALUE', message: expect.stringContaining('DOCTYPE') });
  });

  for (const at of ['etc/firewalld', 'etc/firewalld/zones', 'etc/firewalld/zones/x.xml']) {
    it(`refuses a symbolic link out of the root at ${at}, writing nothing outside`, () => {
      const parent = path.join(root, path.dirname(at));
      mkdirSync(parent, { recursive: true });
      symlinkSync(at.endsWith('.xml') ? path.join(outside, 'x.xml') : outside, path.join(root, at));
      const r = write('/etc/firewalld/zones/x.xml');
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('SYMLINK');
      expect(readdirSync(outside)).toEqual([]);
    });
  }

  it('refuses a FIFO where the zone file should be, without blocking', () => {
    mkdirSync(path.join(root, 'etc/firewalld/zones'), { recursive: true });
    execFileSync('mkfifo', [path.join(root, 'etc/firewalld/zones/x.xml')]);
    expect(write('/etc/firewalld/zones/x.xml').error?.code).toBe('NOT_REGULAR');
  });

  it('a file changed between read and write is a CONFLICT, and the other change is kept', () => {
    mkdirSync(path.join(root, 'etc/firewalld/zones'), { recursive: true });
    writeFileSync(path.join(root, 'etc/firewalld/zones/x.xml'), zone);
    const read = sha(zone);
    const theirs = zone.replace('8080', '9090');
    writeFileSync(path.join(root, 'etc/firewalld/zones/x.xml'), theirs);
    expect(write('/etc/firewalld/zones/x.xml', zone.replace('8080', '7070'), read).error?.code).toBe('CONFLICT');
    expect(readFileSync(path.join(root, 'etc/firewalld/zones/x.xml'), 'utf8')).toBe(theirs);
  });

  it('refuses a file larger than the helper writes', () => {
    const huge = `<?xml version="1.0" encoding="utf-8"?>\n<ipset type="hash:net">\n${'  <entry>10.0.0.0/24</entry>\n'.repeat(40_000)}</ipset>\n`;
    expect(write('/etc/firewalld/ipsets/big.xml', huge).error?.code).toMatch(/TOO_LARGE|INVALID_INPUT/);
    expect(existsSync(path.join(root, 'etc/firewalld/ipsets/big.xml'))).toBe(false);
  });
});
