import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The import direction of design.md is enforced by eslint.config.js; prove that a violation
// in each layer is an error (so `npm test`, which runs the linter, fails on it).
const eslint = new ESLint({ cwd: join(import.meta.dirname, '../..') });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.ruleId ?? m.message);
}

describe('layering lint rule', () => {
  it.each([
    ['shared/dns/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n"],
    ['shared/dns/x.ts', "import { readFileSync } from 'fs';\nexport const a = readFileSync;\n"],
    ['shared/dns/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    ['shared/dns/x.ts', "import { Runtime } from '../../electron/api/runtime';\nexport const a = Runtime;\n"],
    ['shared/dns/x.ts', "import { App } from '../../renderer/src/app/App';\nexport const a = App;\n"],
    ['renderer/src/dns/x.ts', "import { Runtime } from '../../../electron/api/runtime';\nexport const a = Runtime;\n"],
    ['renderer/src/dns/x.ts', "import { spawn } from 'node:child_process';\nexport const a = spawn;\n"],
    ['renderer/src/dns/x.ts', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n"],
    ['electron/dns/x.ts', "import { App } from '../../renderer/src/app/App';\nexport const a = App;\n"],
  ])('%s: %s is an error', async (file, code) => {
    expect(await ruleIds(file, code)).toContain('no-restricted-imports');
  });

  it('forbids Node and DOM globals in shared/', async () => {
    expect(await ruleIds('shared/dns/x.ts', 'export const a = process.env.HOME;\n')).toContain('no-restricted-globals');
    expect(await ruleIds('shared/dns/x.ts', 'export const a = document.title;\n')).toContain('no-restricted-globals');
  });

  it('allows the permitted directions', async () => {
    expect(await ruleIds('renderer/src/dns/x.ts', "import { contract } from '../../../shared/api/contract';\nexport const a = contract;\n")).toEqual([]);
    expect(await ruleIds('electron/dns/x.ts', "import { readFileSync } from 'node:fs';\nimport { contract } from '../../shared/api/contract';\nexport const a = [readFileSync, contract];\n")).toEqual([]);
    expect(await ruleIds('shared/dns/x.ts', "import { z } from 'zod';\nexport const a = z.string();\n")).toEqual([]);
  });
});
