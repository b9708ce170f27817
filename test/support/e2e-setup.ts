// e2e files only (vitest.config.ts): the file's one Chromium (test/support/e2e.ts) ends with the file.
import { afterAll } from 'vitest';
import { closeFileBrowser } from './e2e';

afterAll(closeFileBrowser);
