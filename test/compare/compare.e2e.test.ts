import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type E2eApp } from '../support/e2e';
import { pagesOf } from '../support/pages';

/**
 * The Compare page in Chromium against browser mode: imports of real `sysctl -a` output, a live
 * host and a snapshot, baseline, Markdown export, and bad files that must not break anything.
 */
describe('compare page', () => {
  let app: E2eApp;
  let dir: string;
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-compare-e2e-'));
    // Two real `sysctl -a` outputs of private network namespaces; the second with two net.* values changed.
    const a = spawnSync('unshare', ['-n', 'sysctl', '-a'], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
    const b = spawnSync('unshare', ['-n', 'sh', '-c', 'sysctl -q -w net.ipv4.tcp_fin_timeout=17 net.ipv4.tcp_keepalive_time=600 && sysctl -a'], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
    if (a.status !== 0 || b.status !== 0) throw new Error(`sysctl -a failed: ${a.stderr}${b.stderr}`);
    writeFileSync(file('node-3.txt'), a.stdout);
    writeFileSync(file('node-7.txt'), b.stdout);
    app = await openApp({});
    // A snapshot of the live host, taken through the API as `hostdeck snapshot` does.
    writeFileSync(file('local-snapshot.json'), JSON.stringify(await app.runtime.api.compare.snapshot({})));
    const snap = readFileSync(file('local-snapshot.json'), 'utf8');
    writeFileSync(file('cut.json'), snap.slice(0, Math.floor(snap.length / 2)));
    writeFileSync(file('newer.json'), snap.replace('"version":1', '"version":2'));
    writeFileSync(file('junk.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0xff, 0xfe, 0x00, 0x00]));
    writeFileSync(file('huge.txt'), '');
    truncateSync(file('huge.txt'), 200 * 1024 * 1024);
    await app.page.evaluate(() => {
      location.hash = '#/compare';
    });
    await pagesOf(app.page).compare.root.waitFor();
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rowKeys = async (section: string) => {
    const { compare } = pagesOf(app.page);
    await compare.grid(section).waitFor();
    return compare.rowKeys(section);
  };

  it('imports two files and shows exactly the differing keys, without waiting for the host list', async () => {
    const { page } = app;
    const { compare } = pagesOf(page);
    // #17: the import's answer names the new hosts; the compare must not wait in line behind
    // app.hosts round trips (under load they were most of the 31 s to the first row). The host
    // list is held back until the grid shows: before, the grid never came.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/app.hosts', async (route) => {
      await held;
      await route.continue().catch(() => undefined);
    });
    try {
      await compare.importSnapshots([file('node-3.txt'), file('node-7.txt')]);
      await expect.poll(() => compare.hostColumns.count()).toBe(2);
      await expect.poll(() => rowKeys('sysctl')).toEqual(['net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_time']);
      expect(await compare.gridHosts.allTextContents()).toEqual(['node-3 ★', 'node-7']);
      // The hosts bar names them from the import's answer too.
      expect(await compare.hostColumns.allTextContents()).toEqual([expect.stringMatching(/^node-3/), expect.stringMatching(/^node-7/)]);
    } finally {
      release();
      await page.unroute('**/api/app.hosts');
    }
    expect(await compare.summary.textContent()).toMatch(/2 hosts, baseline node-3: 2 kernel parameters/);
  });

  it('adds a live host and a snapshot, takes the live host as baseline and exports Markdown', async () => {
    const { page } = app;
    const { compare } = pagesOf(page);
    await compare.addHost('local');
    await compare.importSnapshots([file('local-snapshot.json')]);
    await expect.poll(() => compare.hostColumns.count()).toBe(4);
    await expect.poll(() => compare.hostState('local').textContent()).toMatch(/^read /);
    await compare.makeBaseline('local');
    await expect.poll(() => compare.summary.textContent()).toMatch(/4 hosts, baseline Local:/);
    const dl = await compare.exportMarkdown();
    const md = readFileSync((await dl.path())!, 'utf8');
    expect(md).toMatch(/^# HostDeck comparison of 4 hosts/);
    expect(md).toContain('Baseline: **Local**');
    expect(md).toContain('| key | node-3 | node-7 | Local (baseline) | local-snapshot |');
    expect(md).toMatch(/\| net\.ipv4\.tcp_fin_timeout \| 60 \| 17 \| 60 \| 60 \|/);
  });

  it('an imported host is a read-only host the Kernel and Firewall pages show', async () => {
    const { page } = app;
    const { shell, firewall, kernel, compare } = pagesOf(page);
    writeFileSync(
      file('zones.txt'),
      ['public (active)', '  target: default', '  icmp-block-inversion: no', '  interfaces: eth0', '  sources: ', '  services: ssh http', '  ports: 8443/tcp', '  protocols: ',
        '  forward: yes', '  masquerade: no', '  forward-ports: ', '  source-ports: ', '  icmp-blocks: ', '  rich rules: ', ''].join('\n'),
    );
    await compare.importSnapshots([file('zones.txt')]);
    await expect.poll(() => compare.hostColumns.count()).toBe(5);
    await expect.poll(() => shell.hostChoices()).toContain('zones (read-only)');
    await shell.switchHost({ label: 'zones (read-only)' });
    await shell.open('firewall');
    await firewall.selectZone('public');
    await expect.poll(() => shell.main.textContent()).toContain('8443/tcp');
    await shell.switchHost({ label: 'node-7 (read-only)' });
    await shell.open('kernel');
    await kernel.filter('tcp_fin_timeout');
    await kernel.row('net.ipv4.tcp_fin_timeout').waitFor();
    expect(await kernel.row('net.ipv4.tcp_fin_timeout').textContent()).toContain('17');
    await shell.switchHost({ label: 'Local' });
    await shell.open('compare');
    await compare.root.waitFor();
  });

  it('refuses bad files with a clear message and keeps working', async () => {
    const { page } = app;
    const { compare } = pagesOf(page);
    const cases: [string, RegExp][] = [
      ['cut.json', /cut\.json, line \d+: the JSON ends early: the file is truncated/],
      ['newer.json', /snapshot format version 2 is newer than this HostDeck reads \(version 1\): update HostDeck/],
      ['junk.bin', /junk\.bin, line 1: binary data/],
      ['huge.txt', /huge\.txt is 200 MiB: imports are limited to 32 MiB/],
    ];
    for (const [name, message] of cases) {
      await compare.importSnapshots([file(name)]);
      const alert = compare.importError;
      await expect.poll(async () => ((await alert.count()) ? await alert.textContent() : '')).toMatch(message);
      await alert.getByRole('button', { name: /close/i }).click();
    }
    expect(await compare.hostColumns.count()).toBe(5);
    // Still working: the diff answers a filter change.
    await compare.filter('tcp_fin');
    await expect.poll(() => rowKeys('sysctl')).toEqual(['net.ipv4.tcp_fin_timeout']);
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });

  it('compresses the imported files in workers, never on the page\'s own thread (#22: 50 files held it ~120 ms)', async () => {
    const { compare } = pagesOf(app.page);
    const before = await compare.hostColumns.count();
    writeFileSync(file('node-11.txt'), readFileSync(file('node-3.txt')));
    writeFileSync(file('node-12.txt'), readFileSync(file('node-7.txt')));
    const threads = await compare.importTracingGzip([file('node-11.txt'), file('node-12.txt')], () => expect.poll(() => compare.hostColumns.count()).toBe(before + 2));
    // The files were compressed (sysctl -a output is well over the 4 KiB below which text is sent), by workers.
    expect(threads.length).toBeGreaterThan(0);
    expect(threads.filter((t) => !/worker/i.test(t))).toEqual([]);
    // And imported as before: the copies differ from the first two in nothing.
    expect(await compare.hostColumns.allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^node-11/), expect.stringMatching(/^node-12/)]));
    expect(app.pageErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
