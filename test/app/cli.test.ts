import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };

const root = join(import.meta.dirname, '../..');
const cliJs = join(root, 'out/main/cli.js');

function hostdeck(...args: string[]) {
  if (!existsSync(cliJs)) throw new Error(`${cliJs} is missing: run npm run build (npm test builds first)`);
  return spawnSync(process.execPath, [cliJs, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('hostdeck CLI (built bundle)', () => {
  it('prints its version', () => {
    const r = hostdeck('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('lists its subcommands in --help', () => {
    const r = hostdeck('--help');
    expect(r.status).toBe(0);
    for (const sub of ['serve', 'firewall', 'dns', 'kernel']) expect(r.stdout).toMatch(new RegExp(`^\\s+${sub}\\b`, 'm'));
  });

  it('fails with a message on stderr and a non-zero exit for unknown commands and bad options', () => {
    const r = hostdeck('frobnicate');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    const p = hostdeck('serve', '--port', 'abc');
    expect(p.status).toBe(1);
    expect(p.stderr).toContain('--port must be 0..65535');
  });

  it('says what the route can do: kernel apply goes through the helper (pkexec as a user), not "needs root"', () => {
    const r = hostdeck('kernel', 'apply', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('needs root');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('as a user pkexec asks for authorization');
    expect(hostdeck('helper', 'backups', '--help').stdout.replace(/\s+/g, ' ')).toContain('readable by root only');
  });

  it('dns save - reads the new resolv.conf from stdin (a script pipes it in)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostdeck-cli-stdin-'));
    try {
      mkdirSync(join(dir, 'etc'));
      writeFileSync(join(dir, 'etc/resolv.conf'), 'nameserver 192.0.2.1\n');
      const r = spawnSync(process.execPath, [cliJs, 'dns', 'save', '-', '--root', dir, '--expect-sha256', createHash('sha256').update('nameserver 192.0.2.1\n').digest('hex')], {
        encoding: 'utf8',
        timeout: 30_000,
        input: 'nameserver 192.0.2.53\n',
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(readFileSync(join(dir, 'etc/resolv.conf'), 'utf8')).toBe('nameserver 192.0.2.53\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve refuses a non-loopback address that did not come from --bind, and says why', () => {
    const r = spawnSync(process.execPath, [cliJs, 'serve', '--port', '0'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, HOSTDECK_BIND: '0.0.0.0' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Refusing to listen on 0\.0\.0\.0.*127\.0\.0\.1 only/);
  });

  it('serve prints exactly one line with the loopback URL and token', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [cliJs, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      expect(line).toMatch(/^HostDeck is serving at http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+\n$/);
    } finally {
      child.kill('SIGINT');
    }
  });
});

describe('npm run build', () => {
  it('produced main, preload, renderer and CLI bundles', () => {
    for (const f of ['out/main/main.js', 'out/main/cli.js', 'out/preload/preload.cjs', 'out/renderer/index.html']) {
      expect(existsSync(join(root, f)), f).toBe(true);
    }
  });
});
