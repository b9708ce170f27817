/**
 * firewalld's D-Bus errors as HostDeck's stable codes and plain messages. The error objects
 * have the shape dbus-next's DBusError has (`type` = D-Bus error name, `text` = message); the
 * texts are ones firewalld 1.3.3 really sends (reference §8, observed).
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors';
import { isIdempotentOutcome, mapFirewalldError, parseFirewalldCode, plainFirewalldCode } from '../../electron/firewall/errors';

const EXC = 'org.fedoraproject.FirewallD1.Exception';
const dbusError = (type: string, text: string) => Object.assign(new Error(text), { type, text });

describe('firewalld error mapping', () => {
  it('parses "<CODE>: detail" and a bare "<CODE>", and knows texts without a code', () => {
    expect(parseFirewalldCode("ALREADY_ENABLED: '8080:tcp' already in 'public'")).toEqual({ code: 'ALREADY_ENABLED', detail: "'8080:tcp' already in 'public'" });
    expect(parseFirewalldCode('PANIC_MODE')).toEqual({ code: 'PANIC_MODE', detail: '' });
    expect(parseFirewalldCode("object of type 'int' has no len()")).toEqual({ code: undefined, detail: "object of type 'int' has no len()" });
  });

  it('maps firewalld codes to stable codes with the code in plain words', () => {
    const e = mapFirewalldError(dbusError(EXC, 'INVALID_ADDR: 10.0.0.0/33'), 'adding source 10.0.0.0/33 to zone public');
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe('FIREWALLD_ERROR');
    expect(e.message).toBe('firewalld refused adding source 10.0.0.0/33 to zone public: invalid address (10.0.0.0/33) [INVALID_ADDR]');
    expect(e.detail).toMatchObject({ firewalldCode: 'INVALID_ADDR', firewalldDetail: '10.0.0.0/33', dbusError: EXC });
    expect(mapFirewalldError(dbusError(EXC, 'PANIC_MODE'), 'adding service http').code).toBe('PANIC_MODE');
    const lock = mapFirewalldError(dbusError(EXC, 'ACCESS_DENIED: lockdown is enabled'), 'adding port 8080/tcp to zone public');
    expect(lock.code).toBe('ACCESS_DENIED');
    expect(lock.message).toBe('firewalld refused adding port 8080/tcp to zone public: lockdown is on and HostDeck is not on the lockdown whitelist (lockdown is enabled) [ACCESS_DENIED]');
    expect(mapFirewalldError(dbusError(EXC, 'NOT_RUNNING'), 'x').code).toBe('FIREWALLD_NOT_RUNNING');
    expect(plainFirewalldCode('ZONE_CONFLICT')).toBe('it is already bound to another zone');
    expect(plainFirewalldCode('SOME_NEW_CODE')).toBe('some new code');
  });

  it('maps code-less firewalld failures to UNKNOWN with the text', () => {
    const e = mapFirewalldError(dbusError(EXC, "object of type 'int' has no len()"), 'adding port abc/tcp');
    expect(e.code).toBe('UNKNOWN');
    expect(e.message).toContain("firewalld failed without an error code while adding port abc/tcp: object of type 'int' has no len()");
    expect((e.detail as { firewalldCode: string }).firewalldCode).toBe('UNKNOWN_ERROR');
  });

  it('maps polkit, bus and transport failures', () => {
    expect(mapFirewalldError(dbusError('org.fedoraproject.FirewallD1.NotAuthorizedException', 'Not Authorized(uid): org.fedoraproject.FirewallD1.config'), 'x').code).toBe('NOT_AUTHORIZED');
    // firewalld 0.9's slip name carries the action id after the class name.
    expect(mapFirewalldError(dbusError('org.fedoraproject.slip.dbus.service.PolKit.NotAuthorizedException.org.fedoraproject.FirewallD1.all', ''), 'x').code).toBe('NOT_AUTHORIZED');
    expect(mapFirewalldError(dbusError('org.freedesktop.DBus.Error.AccessDenied', 'refused'), 'x').code).toBe('NOT_AUTHORIZED');
    expect(mapFirewalldError(dbusError('org.freedesktop.DBus.Error.ServiceUnknown', 'The name is not activatable'), 'reading zones').message).toBe('firewalld is not running (while reading zones)');
    expect(mapFirewalldError(dbusError('org.freedesktop.DBus.Error.NoReply', 'no reply'), 'x').code).toBe('TIMEOUT');
    expect(mapFirewalldError(dbusError('org.freedesktop.DBus.Error.UnknownMethod', 'No such method'), 'resetting').code).toBe('UNSUPPORTED');
    expect(mapFirewalldError(new Error('stream is closed'), 'reading').code).toBe('FIREWALLD_NOT_RUNNING');
    expect(mapFirewalldError(new Error('boom'), 'reading').code).toBe('INTERNAL');
    expect(mapFirewalldError(dbusError('org.freedesktop.DBus.Python.dbus.exceptions.DBusException', 'InvalidArgs'), 'setting DefaultZone').code).toBe('FIREWALLD_ERROR');
    const already = new ApiError('CONFLICT', 'x');
    expect(mapFirewalldError(already, 'x')).toBe(already);
  });

  it('treats "already so" outcomes as success for idempotent intents', () => {
    expect(isIdempotentOutcome(mapFirewalldError(dbusError(EXC, "ALREADY_ENABLED: '8080:tcp' already in 'public'"), 'x'))).toBe(true);
    expect(isIdempotentOutcome(mapFirewalldError(dbusError(EXC, "NOT_ENABLED: '1234:udp' not in 'public'"), 'x'))).toBe(true);
    expect(isIdempotentOutcome(mapFirewalldError(dbusError(EXC, 'ZONE_ALREADY_SET: work'), 'x'))).toBe(true);
    expect(isIdempotentOutcome(mapFirewalldError(dbusError(EXC, 'INVALID_PORT: 99999'), 'x'))).toBe(false);
    expect(isIdempotentOutcome(new Error('x'))).toBe(false);
  });
});
