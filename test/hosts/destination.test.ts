import { describe, expect, it } from 'vitest';
import { destinationArgs, parseDestination } from '../../shared/hosts/destination';
import { classifySshFailure } from '../../electron/hosts/ssh/link';

describe('ssh destinations', () => {
  it('accepts aliases, user@host, ports and bracketed IPv6', () => {
    expect(parseDestination('web1')).toEqual({ text: 'web1', host: 'web1', user: undefined, port: undefined });
    expect(parseDestination(' admin@web1.example.com:2222 ')).toEqual({ text: 'admin@web1.example.com:2222', user: 'admin', host: 'web1.example.com', port: 2222 });
    expect(parseDestination('root@[2001:db8::1]:22')).toMatchObject({ user: 'root', host: '2001:db8::1', port: 22 });
    expect(parseDestination('ssh://deck@10.0.0.5')).toMatchObject({ user: 'deck', host: '10.0.0.5' });
    expect(destinationArgs(parseDestination('deck@h:2200'))).toEqual(['-p', '2200', '-l', 'deck', '--', 'h']);
  });

  it('refuses options, shell characters, bad ports and unbracketed IPv6', () => {
    for (const bad of ['-oProxyCommand=sh', 'a b', 'h;rm', '$(x)', 'h:0', 'h:70000', 'h:ssh', '2001:db8::1', 'us er@h', '', '`id`']) {
      expect(() => parseDestination(bad), bad).toThrow();
    }
  });
});

describe('ssh failures in plain words', () => {
  it('a changed host key keeps ssh\'s facts', () => {
    const e = classifySshFailure(
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nThe fingerprint for the ED25519 key sent by the remote host is\nSHA256:5S1k4b6dQ176V2mFuEdRX4XMxBy1s7KN6l7XOcT0/6k.\nOffending ED25519 key in /srv/admin/.ssh/known_hosts:2\nHost key verification failed.',
      'admin@web1',
    );
    expect(e.code).toBe('HOST_KEY_CHANGED');
    expect(e.message).toContain('/srv/admin/.ssh/known_hosts:2');
    expect(e.message).toContain('SHA256:5S1k4b6dQ176V2mFuEdRX4XMxBy1s7KN6l7XOcT0/6k');
    // The remedy names the file ssh checked, not whatever ~/.ssh/known_hosts would be.
    expect(e.message).toContain('ssh-keygen -R web1 -f /srv/admin/.ssh/known_hosts.');
    expect(e.message).toContain('hostdeck hosts replace-key HOST --accept SHA256:5S1k4b6dQ176V2mFuEdRX4XMxBy1s7KN6l7XOcT0/6k');
  });
  it('unknown keys, refused logins and unreachable hosts', () => {
    expect(classifySshFailure('No ED25519 host key is known for h and you have requested strict checking.\nHost key verification failed.', 'h').code).toBe('HOST_KEY_UNKNOWN');
    expect(classifySshFailure('root@h: Permission denied (publickey).', 'h')).toMatchObject({ code: 'AUTH_FAILED', message: expect.stringContaining('publickey') });
    expect(classifySshFailure('ssh: Could not resolve hostname nope: Name or service not known', 'nope')).toMatchObject({ code: 'HOST_UNREACHABLE', message: expect.stringContaining('Could not resolve hostname') });
  });
});
