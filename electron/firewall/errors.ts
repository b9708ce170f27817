import { ApiError } from '../../shared/api/errors';

/**
 * Maps what a failed firewalld call rejects with (dbus-next's DBusError: `.type` = D-Bus error
 * name, `.text` = message) to HostDeck's stable codes. firewalld messages are "<CODE>: detail"
 * or a bare "<CODE>"; some 1.3.3 errors carry no code at all ("object of type 'int' has no
 * len()" for port "abc"), those become UNKNOWN (reference §8).
 */

/** firewalld's own codes in plain words, for messages a user reads. */
const PLAIN: Record<string, string> = {
  ALREADY_ENABLED: 'it is already enabled',
  NOT_ENABLED: 'it is not enabled',
  COMMAND_FAILED: 'a backend command (nftables) failed',
  NO_IPV6_NAT: 'IPv6 NAT is not available',
  PANIC_MODE: 'panic mode is on: every runtime change is refused until it is turned off',
  ZONE_ALREADY_SET: 'it is already in that zone',
  UNKNOWN_INTERFACE: 'unknown interface',
  ZONE_CONFLICT: 'it is already bound to another zone',
  BUILTIN_ZONE: 'built-in zones cannot be removed or renamed',
  BUILTIN_SERVICE: 'built-in services cannot be removed or renamed',
  BUILTIN_ICMPTYPE: 'built-in ICMP types cannot be removed',
  BUILTIN_IPSET: 'built-in ipsets cannot be removed',
  BUILTIN_HELPER: 'built-in helpers cannot be removed',
  NAME_CONFLICT: 'an object with that name already exists',
  NAME_MISMATCH: 'the name does not match',
  PARSE_ERROR: 'firewalld could not parse it',
  ACCESS_DENIED: 'lockdown is on and HostDeck is not on the lockdown whitelist',
  UNKNOWN_SOURCE: 'unknown source',
  RT_TO_PERM_FAILED: 'saving runtime to permanent failed',
  IPSET_WITH_TIMEOUT: 'ipsets with a timeout cannot list or set their entries',
  ALREADY_SET: 'it is already set',
  MISSING_IMPORT: 'a Python module firewalld needs is missing',
  DBUS_ERROR: 'a D-Bus error inside firewalld',
  NOT_APPLIED: 'the change was not applied',
  INVALID_ACTION: 'invalid action',
  INVALID_SERVICE: 'unknown or invalid service',
  INVALID_PORT: 'invalid port',
  INVALID_PROTOCOL: 'invalid protocol',
  INVALID_INTERFACE: 'invalid interface name',
  INVALID_ADDR: 'invalid address',
  INVALID_FORWARD: 'invalid forward port',
  INVALID_ICMPTYPE: 'unknown or invalid ICMP type',
  INVALID_TARGET: 'invalid target',
  INVALID_IPV: 'invalid IP version',
  INVALID_ZONE: 'unknown or invalid zone',
  INVALID_PROPERTY: 'invalid property',
  INVALID_VALUE: 'invalid value',
  INVALID_OBJECT: 'invalid object',
  INVALID_NAME: 'invalid name',
  INVALID_FILENAME: 'invalid file name',
  INVALID_DIRECTORY: 'invalid directory',
  INVALID_TYPE: 'invalid type',
  INVALID_SETTING: 'invalid setting',
  INVALID_DESTINATION: 'invalid destination',
  INVALID_RULE: 'invalid rich rule',
  INVALID_LIMIT: 'invalid limit',
  INVALID_FAMILY: 'invalid family',
  INVALID_LOG_LEVEL: 'invalid log level',
  INVALID_AUDIT_TYPE: 'invalid audit type',
  INVALID_MARK: 'invalid mark',
  INVALID_CONTEXT: 'invalid SELinux context',
  INVALID_COMMAND: 'invalid command',
  INVALID_USER: 'invalid user',
  INVALID_UID: 'invalid uid',
  INVALID_MODULE: 'invalid module',
  INVALID_MAC: 'invalid MAC address',
  INVALID_IPSET: 'unknown or invalid ipset',
  INVALID_ENTRY: 'invalid ipset entry',
  INVALID_OPTION: 'invalid option',
  INVALID_HELPER: 'unknown or invalid helper',
  INVALID_PRIORITY: 'invalid priority',
  INVALID_POLICY: 'unknown or invalid policy',
  INVALID_LOG_PREFIX: 'invalid log prefix',
  INVALID_SOURCE: 'invalid source',
  MISSING_PORT: 'a port is missing',
  MISSING_PROTOCOL: 'a protocol is missing',
  MISSING_ADDR: 'an address is missing',
  MISSING_NAME: 'a name is missing',
  MISSING_SETTING: 'a setting is missing',
  MISSING_FAMILY: 'a family is missing',
  RUNNING_BUT_FAILED: 'firewalld is running but failed to load its configuration',
  NOT_RUNNING: 'firewalld is not running',
  NOT_AUTHORIZED: 'not authorized',
  UNKNOWN_ERROR: 'unknown error',
};

export function plainFirewalldCode(code: string): string {
  return PLAIN[code] ?? code.toLowerCase().replace(/_/g, ' ');
}

/** Outcomes that mean "already as you asked": success for idempotent intents (add twice, remove absent). */
export const IDEMPOTENT_CODES = new Set(['ALREADY_ENABLED', 'NOT_ENABLED', 'ZONE_ALREADY_SET', 'ALREADY_SET']);

interface DBusErrorLike {
  type?: string;
  text?: string;
  message?: string;
}

/** Parses "<CODE>: detail" / "<CODE>"; undefined when the text carries no code. */
export function parseFirewalldCode(text: string): { code: string | undefined; detail: string } {
  const m = /^([A-Z][A-Z0-9_]+)(?::\s*([\s\S]*))?$/.exec(text.trim());
  if (!m) return { code: undefined, detail: text };
  return { code: m[1], detail: m[2] ?? '' };
}

/** `what` names the call in the message, e.g. "adding port 8080/tcp to public". */
export function mapFirewalldError(e: unknown, what: string): ApiError {
  if (e instanceof ApiError) return e;
  const err = (e ?? {}) as DBusErrorLike;
  const type = typeof err.type === 'string' ? err.type : '';
  const text = typeof err.text === 'string' ? err.text : e instanceof Error ? e.message : String(e);
  if (!type) {
    // Not a D-Bus error reply: a local failure (stream closed, marshalling error).
    if (/stream is closed|not connected|EPIPE|ECONNRESET/i.test(text)) {
      return new ApiError('FIREWALLD_NOT_RUNNING', `Lost the connection to the system bus while ${what}: ${text}`);
    }
    return new ApiError('INTERNAL', `Failed while ${what}: ${text}`);
  }
  if (type.includes('NotAuthorizedException')) {
    return new ApiError('NOT_AUTHORIZED', `Not authorized by polkit while ${what} (${text})`, { dbusError: type, text });
  }
  if (type === 'org.freedesktop.DBus.Error.AccessDenied') {
    return new ApiError('NOT_AUTHORIZED', `The system bus refused access while ${what}: ${text}`, { dbusError: type, text });
  }
  if (type === 'org.freedesktop.DBus.Error.ServiceUnknown' || type === 'org.freedesktop.DBus.Error.NameHasNoOwner') {
    return new ApiError('FIREWALLD_NOT_RUNNING', `firewalld is not running (while ${what})`, { dbusError: type });
  }
  if (type === 'org.freedesktop.DBus.Error.NoReply' || type === 'org.freedesktop.DBus.Error.Timeout') {
    return new ApiError('TIMEOUT', `firewalld did not answer while ${what}`, { dbusError: type, text });
  }
  if (type === 'org.freedesktop.DBus.Error.UnknownMethod' || type === 'org.freedesktop.DBus.Error.UnknownObject') {
    return new ApiError('UNSUPPORTED', `This firewalld does not support ${what}: ${text}`, { dbusError: type, text });
  }
  if (type.startsWith('org.fedoraproject.FirewallD1')) {
    const { code, detail } = parseFirewalldCode(text);
    if (!code) {
      return new ApiError('UNKNOWN', `firewalld failed without an error code while ${what}: ${text}`, {
        dbusError: type,
        text,
        firewalldCode: 'UNKNOWN_ERROR',
      });
    }
    const info = { dbusError: type, text, firewalldCode: code, firewalldDetail: detail };
    const plain = plainFirewalldCode(code);
    const msg = `firewalld refused ${what}: ${plain}${detail ? ` (${detail})` : ''} [${code}]`;
    if (code === 'PANIC_MODE') return new ApiError('PANIC_MODE', msg, info);
    if (code === 'ACCESS_DENIED') return new ApiError('ACCESS_DENIED', msg, info);
    if (code === 'NOT_AUTHORIZED') return new ApiError('NOT_AUTHORIZED', msg, info);
    if (code === 'NOT_RUNNING') return new ApiError('FIREWALLD_NOT_RUNNING', msg, info);
    return new ApiError('FIREWALLD_ERROR', msg, info);
  }
  // Other services' errors (Python's generic dbus exception for bad Properties.Set, ...).
  return new ApiError('FIREWALLD_ERROR', `D-Bus error while ${what}: ${text}`, { dbusError: type, text });
}

export function isIdempotentOutcome(e: unknown): boolean {
  if (!(e instanceof ApiError)) return false;
  const code = (e.detail as { firewalldCode?: string } | undefined)?.firewalldCode;
  return code !== undefined && IDEMPOTENT_CODES.has(code);
}
