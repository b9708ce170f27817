import { afterAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../electron/api/runtime';
import { createUnreadHost } from '../../electron/hosts/unread';

/**
 * A host Ansible could not read ("Collect with Ansible" on the Compare page) is unreachable with
 * Ansible's reason, not a host that was read and holds nothing: the page's card says
 * "unreachable" from the capture's answer.
 */
const rt = new Runtime({ mode: 'cli' });
afterAll(() => rt.dispose());

describe('compare.capture of a host nothing could be read from', () => {
  it('answers unreachable with the reason instead of an empty snapshot that was read', async () => {
    const host = rt.hostList.add(createUnreadHost('ansible-unread:t:0', 'web-07', 'Failed to connect to the host via ssh: no route'));
    const c = await rt.api.compare.capture({}, { host: host.id });
    expect(c.status).toBe('unreachable');
    expect(c.error).toMatch(/web-07 could not be read through Ansible: Failed to connect/);
  });
});
