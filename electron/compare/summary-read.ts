import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { ApiError } from '../../shared/api/errors';
import { IMPORT_MAX_BYTES } from '../../shared/compare/imports';

/**
 * A snapshot file's text, refused before reading when over the import limit. Read
 * synchronously: for 1,000 small files the thread pool's open/stat/read/close round trips cost
 * more than the reads (the summary yields to the event loop between files, or reads in workers).
 */
export function readSnapshotFileSync(file: string): string {
  // Non-blocking: a FIFO among the files must not hang the summary (it is then refused as not a regular file).
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ApiError('IO_ERROR', `${file} is not a regular file`);
    if (st.size > IMPORT_MAX_BYTES) throw new ApiError('TOO_LARGE', `${file} is ${(st.size / 1024 / 1024).toFixed(0)} MiB: imports are limited to ${IMPORT_MAX_BYTES / 1024 / 1024} MiB`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

