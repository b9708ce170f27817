import { createHash } from 'node:crypto';

/** Lower-case hex sha256, the form HostDeck's file versions (expectedSha256) take. */
export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
