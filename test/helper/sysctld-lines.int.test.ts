import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeSysctlPath, parseSysctlFile } from '../../shared/kernel/sysctld';
import { copyProcSys, requireTool, runInSandbox, systemdWrites, writeTree, type Tree } from '../kernel/support/sysctl-sandbox';
import { HELPER } from './support/run';

/**
 * Issue #20 item 3: the helper must see a sysctl.d file's lines exactly as systemd-sysctl (252)
 * does, or a key hidden behind a lone "\r" escapes its checks and is applied at boot. The real
 * systemd-sysctl runs on files full of "\r", "\r\n", "\n\r", "\0" (in a private mount namespace,
 * on a copy of /proc/sys); what it writes must be exactly what the helper's parser (and
 * HostDeck's) reads from the same bytes.
 */
const files: Record<string, string> = {
  '10-lone-cr.conf': '# tuned\rkernel.msgmax = 1101\n',
  '11-crlf.conf': 'kernel.msgmnb = 1102\r\nkernel.shmmni = 1103\r\n',
  '12-lfcr.conf': '# a\n\rkernel.msgmni = 1104\n\r\n',
  '13-cr-runs.conf': 'vm.swappiness = 11\r\r\rkernel.shmall = 1105\r',
  '14-nul.conf': '# c\0kernel.domainname = nul1\n\0fs.mqueue.msg_max = 17\n\r\0fs.mqueue.queues_max = 18',
  '15-mixed.conf': ';x\r-kernel.hostname = h\r\n\r\n\rfs.mqueue.msgsize_max = 1106\n\0\0# y\rvm.dirty_ratio = 21',
  '16-value-cr.conf': 'vm.dirty_background_ratio = 5\r# 6\nvm.overcommit_ratio = 51 \r 52\n',
};

function helperAssignments(texts: string[]): [number, string | null, string | null][][] {
  const program = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location('helper', ${JSON.stringify(HELPER)})
h = importlib.util.module_from_spec(spec); spec.loader.exec_module(h)
print(json.dumps([h.sysctld_assignments(t) for t in json.loads(sys.stdin.read())]))
`;
  const r = spawnSync('/usr/bin/python3', ['-I', '-c', program], { input: JSON.stringify(texts), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe('sysctl.d line ends: the helper, HostDeck and systemd-sysctl agree', () => {
  let base = '';
  beforeAll(() => {
    requireTool('/lib/systemd/systemd-sysctl', 'systemd');
    if (process.getuid?.() !== 0) throw new Error('runs as root (mount namespaces), as CI does');
    base = mkdtempSync(path.join(tmpdir(), 'hostdeck-lines-'));
  });
  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('"\\r", "\\r\\n", "\\n\\r", runs of "\\r" and "\\0" end lines for all three alike', () => {
    const tree: Tree = Object.fromEntries(Object.entries(files).map(([n, t]) => [`etc/sysctl.d/${n}`, t]));
    writeTree(base, tree);
    const listing = copyProcSys(path.join(base, '.listing'));
    const real = systemdWrites(runInSandbox(base, listing, [], 'systemd').stderr).map((w) => `${w.path}=${w.value}`);
    const names = Object.keys(files).sort();
    const py = helperAssignments(names.map((n) => files[n]!));
    const helperWrites = py.flat().filter(([, k, v]) => k !== null && v !== null).map(([, k, v]) => `${normalizeSysctlPath(k!)}=${v}`);
    const ours = names.flatMap((n) => parseSysctlFile(files[n]!, n).assignments.filter((a) => a.value !== null).map((a) => `${a.path}=${a.value}`));
    expect(helperWrites).toEqual(real);
    expect(ours).toEqual(real);
    // the keys behind a lone "\r" or a NUL are among them (so agreeing on nothing cannot pass)
    expect(real).toEqual(expect.arrayContaining(['kernel/msgmax=1101', 'kernel/shmall=1105', 'kernel/domainname=nul1', 'fs/mqueue/queues_max=18', 'vm/dirty_ratio=21', 'vm/overcommit_ratio=51']));
    expect(real).not.toContain('vm/overcommit_ratio=51 \r 52');
    console.log(`systemd-sysctl wrote ${real.length} values from ${names.length} files; the helper and HostDeck read the same ${helperWrites.length}`);
  });
});
