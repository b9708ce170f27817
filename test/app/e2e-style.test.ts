/**
 * The e2e suites speak to the UI through the page objects in test/support/pages/: a raw test id
 * in a suite (getByTestId, a data-testid selector, dataset.testid) is reported as file:line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '../..');
const RAW_TEST_ID = /getByTestId\(|data-testid|dataset\.testid/;

function e2eSuites(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e2eSuites(path);
    return e.name.endsWith('.e2e.test.ts') ? [path] : [];
  });
}

/** "file:line: text" for every line of `text` that uses a raw test id. */
export function rawTestIds(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => (RAW_TEST_ID.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

describe('e2e style: test ids stay inside the page objects', () => {
  it('finds the e2e suites', () => {
    expect(e2eSuites(join(repoRoot, 'test')).length).toBeGreaterThan(10);
  });

  it('no e2e suite uses a raw test id (use or extend test/support/pages/)', () => {
    const found = e2eSuites(join(repoRoot, 'test')).flatMap((f) => rawTestIds(relative(repoRoot, f), readFileSync(f, 'utf8')));
    expect(found, found.join('\n')).toEqual([]);
  });

  it('reports each raw use as file:line', () => {
    const text = "const a = 1;\nawait page.getByTestId('fw-zone-public').click();\npage.locator('[data-testid=\"x\"]');\nel.dataset.testid;";
    expect(rawTestIds('test/x.e2e.test.ts', text)).toEqual([
      "test/x.e2e.test.ts:2: await page.getByTestId('fw-zone-public').click();",
      'test/x.e2e.test.ts:3: page.locator(\'[data-testid="x"]\');',
      'test/x.e2e.test.ts:4: el.dataset.testid;',
    ]);
  });
});
