import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import { compareSnapshots } from '../../shared/compare/diff';
import { firewallCmdScript, planFix } from '../../shared/compare/fix';
import { importFiles } from '../../shared/compare/imports';
import { Runtime } from '../../electron/api/runtime';

/** Issue #20: host data written as the attacker would, into every output compare generates. */

const work = mkdtempSync(path.join(tmpdir(), 'hd-compare-inj-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const zones = (extra: string) => `public (active)
  target: default
  icmp-block-inversion: no
  interfaces: eth0
  sources: 
  services: ssh${extra}
  ports: 
  protocols: 
  forward: yes
  masquerade: no
  forward-ports: 
  source-ports: 
  icmp-blocks: 
  rich rules: 
\trule family="ipv4" source address="192.0.2.9" log prefix="$(touch ${path.join(work, 'm-rule')})" accept
`;

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('item 8: host names in the firewall-cmd script and the inventory', () => {
  it('an import named with a newline or $(...) is refused, naming the file and the name', async () => {
    const rt = new Runtime({ mode: 'cli', local: { systemBusAddress: 'unix:path=/nonexistent/bus' } });
    try {
      for (const label of ['web1\nrm -rf /', 'web1$(touch x)', 'web 1', '{{ x }}', 'a,b', "o'brien"]) {
        const e = await refusal(rt.api.compare.import({ files: [{ name: 'z.txt', text: zones('') }], label }));
        expect(e.code).toBe('INVALID_INPUT');
        expect(e.message).toMatch(/^z\.txt: the host name ".*" is not a valid inventory host name/);
      }
      // A file name is made into a valid name rather than refused.
      const ok = await rt.api.compare.import({ files: [{ name: 'node 3 $(id).txt', text: zones('') }] });
      expect(ok.host.label).toBe('node-3-id');
    } finally {
      await rt.dispose();
    }
  });

  it('sh fix.sh runs no host data: names and values reach firewall-cmd literally', () => {
    const a = importFiles([{ name: 'a', text: zones(' http') }]).snapshot;
    const b = importFiles([{ name: 'b', text: zones('').replace(/\trule .*\n/, '') }]).snapshot;
    const r = compareSnapshots([
      { id: 'a', label: 'a', kind: 'snapshot', snapshot: a },
      { id: 'b', label: 'b', kind: 'snapshot', snapshot: b },
    ]);
    // Names as an API caller may pass them (compare.fix `names`): never trusted in a script.
    const evil = `web'1\n$(touch ${path.join(work, 'm-name')})`;
    const plan = planFix(r, { sysctl: [], firewall: ['zone:public'] }, { names: [`base\n$(touch ${path.join(work, 'm-base')})\n`, evil] });
    const script = firewallCmdScript(plan);
    for (const line of script.split('\n')) if (line.startsWith('#')) expect(line).not.toMatch(/\r|\u2028/);
    writeFileSync(path.join(work, 'fix.sh'), script);
    const bin = path.join(work, 'bin');
    spawnSync('mkdir', ['-p', bin]);
    const log = path.join(work, 'calls');
    // A recording firewall-cmd: one call per line, arguments separated by NUL-free markers.
    writeFileSync(path.join(bin, 'firewall-cmd'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\037' "$a"; done >> '${log}'\nprintf '\\036' >> '${log}'\n`);
    chmodSync(path.join(bin, 'firewall-cmd'), 0o755);
    const env = { PATH: `${bin}:/usr/bin:/bin` };
    const usage = spawnSync('sh', [path.join(work, 'fix.sh')], { env, encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("one of: web'1 $(touch");
    const run = spawnSync('sh', [path.join(work, 'fix.sh'), evil], { env, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const calls = readFileSync(log, 'utf8').split('\u001e').filter(Boolean).map((c) => c.split('\u001f').filter(Boolean));
    const rule = `rule family="ipv4" source address="192.0.2.9" log prefix="$(touch ${path.join(work, 'm-rule')})" accept`;
    expect(calls).toEqual([
      ['--zone=public', '--add-service=http'],
      ['--permanent', '--zone=public', '--add-service=http'],
      ['--zone=public', `--add-rich-rule=${rule}`],
      ['--permanent', '--zone=public', `--add-rich-rule=${rule}`],
    ]);
    for (const m of ['m-rule', 'm-name', 'm-base']) expect(existsSync(path.join(work, m)), m).toBe(false);
  });
});

const snapshotText = (entries: { key: string; value?: string; state?: string }[], hostname = 'h') =>
  JSON.stringify(
    {
      format: 'hostdeck-snapshot',
      version: 1,
      source: { kind: 'live', detail: 'test' },
      identity: { hostname, os: 'Debian', kernel: '6.1.0', time: 0 },
      sysctl: { entries: entries.map((e) => ({ state: 'ok', ...e })) },
      sysctld: null,
      dns: null,
      firewall: null,
    },
    null,
    1,
  );

function importError(name: string, text: string): ApiError {
  try {
    importFiles([{ name, text }]);
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error(`${name} was imported`);
}

describe('item 9: sysctl names and values from imports', () => {
  it('a snapshot key with a newline, blank, "=", ".." or a glob is refused with file and line', () => {
    for (const key of ['net.core.somaxconn\nkernel.core_pattern = |/tmp/x', 'net.core.a b', 'net.core.x=1', 'net..core', 'net.*.x', '../../etc/shadow', 'k'.repeat(300) + '.x']) {
      const text = snapshotText([{ key: 'net.core.rmem_max', value: '1' }, { key, value: '1' }]);
      const e = importError('evil.json', text);
      expect(e.code, key).toBe('PARSE_ERROR');
      expect(e.message, key).toMatch(/^evil\.json, line \d+: [\s\S]*(sysctl name|component)/);
      expect(e.detail).toMatchObject({ file: 'evil.json', line: text.split('\n').findIndex((l) => l.includes(JSON.stringify(key).slice(1, 20))) + 1 });
    }
    const diag = importError('s.txt', 'net.core.somaxconn = 1\nsysctl: permission denied on key "a b = c"\n');
    expect(diag.message).toMatch(/^s\.txt, line 2: "a b = c" is not a sysctl name/);
    expect(importError('e.json', snapshotText([{ key: 'net.core.somaxconn', value: '1\u001b]0;x\u0007' }])).message).toMatch(/^e\.json, line \d+: .*control character U\+001b/);
  });

  it('--fix sysctl never writes an extra line: multi-line values and program-running values are left out', async () => {
    const dir = mkdtempSync(path.join(work, 'fix-'));
    const base = snapshotText([
      { key: 'net.core.somaxconn', value: '4096\nkernel.core_pattern = |/tmp/evil' },
      { key: 'kernel.core_pattern', value: '|/tmp/evil %p' },
      { key: 'net.ipv4.tcp_fin_timeout', value: '17' },
    ]);
    const other = snapshotText([
      { key: 'net.core.somaxconn', value: '128' },
      { key: 'kernel.core_pattern', value: 'core' },
      { key: 'net.ipv4.tcp_fin_timeout', value: '60' },
    ]);
    writeFileSync(path.join(dir, 'base.json'), base);
    writeFileSync(path.join(dir, 'node.json'), other);
    const { runHostdeck } = await import('../support/cli');
    const r = await runHostdeck(['compare', path.join(dir, 'base.json'), path.join(dir, 'node.json'), '--fix', 'sysctl']);
    expect(r.err).toBe('');
    const settings = r.out.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(settings).toEqual(['net.ipv4.tcp_fin_timeout = 17']);
    expect(r.out).toMatch(/# Note: left out: net\.core\.somaxconn: a value cannot contain a newline/);
    expect(r.out).toMatch(/# Note: left out: kernel\.core_pattern starting with "\|"/);
  });
});

describe('item 13: Markdown and CSV reports', () => {
  const host = (hostname: string, kernel: string, somaxconn: string) =>
    importFiles([{ name: 'x.json', text: snapshotText([{ key: 'net.core.somaxconn', value: somaxconn }, { key: 'kernel.printk', value: '-1' }], hostname).replace('"6.1.0"', JSON.stringify(kernel)) }]).snapshot;
  const r = compareSnapshots([
    { id: 'a', label: '<b>base</b>', kind: 'snapshot', snapshot: host('<img src=x onerror=alert(1)>', 'k`code` | [x](javascript:alert(1))', '=HYPERLINK("http://evil")') },
    { id: 'b', label: 'n|2', kind: 'snapshot', snapshot: host('web*1*', '<script>alert(1)</script>', '\t=1+cmd|" /C calc"!A0') },
    { id: 'c', label: 'n3', kind: 'snapshot', snapshot: host('n3', '6.1', '-1') },
  ]);

  it('Markdown: no tag, link, code span or extra table cell from a hostname, kernel, label or value', async () => {
    const { toMarkdown } = await import('../../shared/compare/report');
    const md = toMarkdown(r);
    expect(md.replace(/<br>/g, '')).not.toMatch(/</);
    expect(md).not.toMatch(/(?<!\\)`/);
    expect(md).not.toMatch(/(?<!\\)\[/);
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(md).toContain('Baseline: **&lt;b&gt;base&lt;/b&gt;**');
    const table = md.split('\n').filter((l) => l.startsWith('| '));
    // Every row: the fact column and one per host, whatever the cells hold.
    for (const row of table) expect(row.split(/(?<!\\)\|/).length - 2, row).toBe(4);
  });

  it('CSV: formulas are quoted away (also after a tab or CR), plain numbers stay numbers', async () => {
    const { toCsv } = await import('../../shared/compare/report');
    const rows = toCsv(r, false).split('\r\n');
    const row = (key: string) => rows.find((l) => l.startsWith(`sysctl,${key},`))!;
    expect(row('net.core.somaxconn')).toBe(`sysctl,net.core.somaxconn,yes,"'=HYPERLINK(""http://evil"")","'\t=1+cmd|"" /C calc""!A0",-1`);
    expect(row('kernel.printk')).toBe('sysctl,kernel.printk,no,-1,-1,-1');
    const { csvCell } = await import('../../shared/compare/report');
    expect(['-1', '-0.5', '+3', '1e3', '=1', '@x', '\rx', '\n=1', ' =1', '-1+1', '\uff1dx'].map(csvCell)).toEqual(['-1', '-0.5', '+3', '1e3', `"'=1"`, `"'@x"`, `"'\rx"`, `"'\n=1"`, `"' =1"`, `"'-1+1"`, `"'\uff1dx"`]);
  });
});
