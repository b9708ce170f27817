import { gunzipSync } from 'node:zlib';
import { ApiError } from '../../shared/api/errors';
import { IMPORT_MAX_BYTES, type ImportFile } from '../../shared/compare/imports';
import type { OpParsedInput } from '../../shared/api/contract';

/** A file of an import as the API takes it: its text, or the file gzip-compressed and base64-encoded (the Compare page's upload). */
export type ImportFileInput = OpParsedInput<'compare', 'import'>['files'][number];

/** What an import may still inflate: the import's own limit, shared by every file of one call. */
export interface InflateBudget {
  left: number;
}

export const newInflateBudget = (plainText: number): InflateBudget => ({ left: IMPORT_MAX_BYTES - plainText });

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB`;

/**
 * One host's files as text, the compressed ones inflated. Inflating stops at what the budget
 * leaves (zlib's maxOutputLength: it keeps at most the bound plus one chunk, so a bomb of a few
 * KB that would inflate to gigabytes is refused by name without allocating them). The text is
 * decoded as the page's File.text() decodes a file (UTF-8, a leading BOM dropped, bad bytes as
 * U+FFFD, which the import then refuses as binary data), so a compressed upload imports exactly
 * as the plain one.
 */
export function inflateImportFiles(files: ImportFileInput[], budget: InflateBudget): ImportFile[] {
  let hostLeft = IMPORT_MAX_BYTES - files.reduce((n, f) => n + (f.text?.length ?? 0), 0);
  return files.map((f) => {
    const layer = f.layer ? { layer: f.layer } : {};
    if (f.gzip === undefined) return { name: f.name, text: f.text ?? '', ...layer };
    const bound = Math.max(0, Math.min(hostLeft, budget.left));
    let raw: Buffer;
    try {
      raw = gunzipSync(Buffer.from(f.gzip, 'base64'), { maxOutputLength: Math.max(1, bound) });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new ApiError(
          'TOO_LARGE',
          bound < IMPORT_MAX_BYTES
            ? `${f.name}: with the files before it, this import inflates past ${mib(IMPORT_MAX_BYTES)}: the files of one import are limited to ${mib(IMPORT_MAX_BYTES)} together. Nothing of ${f.name} was imported.`
            : `${f.name} inflates past ${mib(IMPORT_MAX_BYTES)}: imports are limited to ${mib(IMPORT_MAX_BYTES)} (a snapshot of a host is well under 1 MiB). Nothing of it was imported.`,
          { file: f.name, limit: IMPORT_MAX_BYTES },
        );
      }
      throw new ApiError('PARSE_ERROR', `${f.name}: the compressed upload is damaged (${(e as Error).message}): nothing of it was imported`, { file: f.name, line: null });
    }
    hostLeft -= raw.length;
    budget.left -= raw.length;
    return { name: f.name, text: new TextDecoder().decode(raw), ...layer };
  });
}
