import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

// The layering rule of design.md, enforced: renderer -> shared, electron -> shared, and shared
// imports nothing from Node, Electron, the DOM or the other layers.
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const fence = (message, regexes, names = []) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: names.map((name) => ({ name, message })),
      patterns: regexes.map((regex) => ({ regex, message })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.vite/**', 'scripts/tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: { ...globals.es2024 } },
    rules: {
      ...fence(
        'shared/ is pure TypeScript: no Node, Electron, DOM or other-layer imports (design.md, Layers).',
        ['^node:', '^electron(/|$)', '^react', '^@jellybrick/', '^@patternfly/', '(^|/)(electron|renderer|test)/'],
        nodeBuiltins,
      ),
      'no-restricted-globals': ['error', 'process', 'Buffer', 'window', 'document', 'require', '__dirname', '__filename', 'navigator', 'localStorage'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: fence(
      'renderer/ talks to the system only through the API object: no Node, Electron or electron/ imports.',
      ['^node:', '^electron(/|$)', '^@jellybrick/', '(^|/)(electron|test)/'],
      nodeBuiltins,
    ),
  },
  {
    files: ['electron/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: fence('electron/ must not import the renderer (design.md, Layers).', ['(^|/)(renderer|test)/']),
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.{ts,mjs,js}', '*.config.{ts,js}'],
    languageOptions: { globals: { ...globals.node } },
  },
);
