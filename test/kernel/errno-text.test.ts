import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { ERRNO_TEXT, errnoError } from '../../electron/kernel/errno-text';
import { copyProcSysWithValues } from './support/procsys-copy';

const HELPER = path.resolve(import.meta.dirname, '../../electron/helper/hostdeck-helper.py');

/** The helper's ERRNO_TEXT as Python evaluates it (the file is not imported: it is a program). */
function helperTable(): Record<string, string> {
  const py = `import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
for node in tree.body:
    if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ['ERRNO_TEXT']:
        print(json.dumps(ast.literal_eval(node.value)))`;
  const r = spawnSync('python3', ['-I', '-c', py, HELPER], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, string>;
}

describe('ERRNO_TEXT: one set of words for a failed sysctl', () => {
  it("has the helper's words for every code the helper names", () => {
    const helper = helperTable();
    expect(Object.keys(helper).length).toBeGreaterThan(5);
    for (const [code, text] of Object.entries(helper)) expect([code, ERRNO_TEXT[code]]).toEqual([code, text]);
  });

  it('never answers with a bare code: the helper\'s words, else the system\'s', () => {
    expect(errnoError('ERANGE')).toEqual({ code: 'ERANGE', message: 'the value is out of range for this parameter (ERANGE)' });
    expect(errnoError('ENOSPC', 'No space left on device (ENOSPC)').message).toBe('No space left on device (ENOSPC)');
    expect(errnoError('EIO').message).toMatch(/^\S.* \(EIO\)$/);
    expect(errnoError('EWHATEVER').message).toBe('EWHATEVER');
  });
});

describe('kernel apply --dry-run: a failed read in plain words', () => {
  let dir: string;
  let ps: string;
  let rt: Runtime;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostdeck-errno-'));
    ps = path.join(dir, 'proc-sys');
    copyProcSysWithValues(ps, /^net\/core\/somaxconn$/);
    rt = new Runtime({ mode: 'cli', local: { root: dir, procSys: ps } });
  });
  afterEach(async () => {
    await rt.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a FIFO planted in a /proc/sys copy is named as such, not as a bare code', async () => {
    unlinkSync(path.join(ps, 'net/core/somaxconn'));
    expect(spawnSync('mkfifo', [path.join(ps, 'net/core/somaxconn')]).status).toBe(0);
    const r = await rt.api.kernel.apply({ settings: [{ key: 'net.core.somaxconn', value: '1024' }], dryRun: true });
    expect(r.results[0]).toMatchObject({ outcome: 'failed', error: { code: 'NOT_REGULAR', message: expect.stringMatching(/not a regular file under \/proc\/sys/) } });
  });
});
