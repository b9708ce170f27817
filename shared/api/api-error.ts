/**
 * ApiError and the stable error codes, without zod: the CLI reports errors from its first line
 * on, and loading zod (with every schema) costs a short command most of its run (issue #22).
 * shared/api/errors.ts re-exports all of it next to the wire schemas.
 */

// Stable error codes: the renderer, the CLI and tests match on these strings, so never rename one.
export const errorCodes = [
  // generic
  'INVALID_INPUT', // the request did not match the contract (detail: zod issues)
  'UNKNOWN_OPERATION',
  'UNKNOWN_HOST',
  'TOO_LARGE', // the request is over its operation's size limit (detail: limit, channel)
  'NOT_AUTHENTICATED', // browser mode: no or stale session token (the server restarted): reload the page
  'NOT_FOUND',
  'INTERNAL', // a bug: an exception nobody expected
  'TIMEOUT',
  'UNSUPPORTED', // the host or its version cannot do this
  'READ_ONLY_HOST', // snapshot hosts cannot be changed
  'NEEDS_CONFIRMATION', // a dangerous change was sent without `confirm`
  'NOT_AUTHORIZED', // polkit / permissions said no
  'CONFLICT', // the file or object changed since it was read
  'IN_USE', // still referenced elsewhere (an ipset a zone uses); detail names the users
  'IO_ERROR',
  'PARSE_ERROR',
  'INVALID_VALUE',
  'UNKNOWN_KEY',
  // firewalld
  'FIREWALLD_NOT_RUNNING',
  'FIREWALLD_ERROR', // firewalld answered with one of its own codes (detail.firewalldCode)
  'INVALID_PORT',
  'PANIC_MODE',
  'ACCESS_DENIED', // lockdown
  'UNKNOWN', // firewalld failed without an error code (detail.text)
  // remote hosts (ssh)
  'HOST_UNREACHABLE', // the SSH link is down or dropped during the call (pending calls are rejected with it)
  'HOST_KEY_UNKNOWN', // first contact: the fingerprint must be accepted (detail.fingerprint)
  'HOST_KEY_CHANGED', // the host's key differs from known_hosts: refused (detail.ssh has ssh's warning)
  'AUTH_FAILED', // ssh could not log in with the user's keys or agent
  'NEEDS_SUDO', // a non-root login without sudo -n for HostDeck (detail.sudoersLine)
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** The one error type that crosses the API boundary (IPC, HTTP, CLI) with its code intact. */
export class ApiError extends Error {
  readonly code: ErrorCode | (string & {});
  readonly detail: unknown;
  constructor(code: ErrorCode | (string & {}), message: string, detail?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.detail = detail;
  }
  toJSON(): { code: string; message: string; detail?: unknown } {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

