import { describe, expect, it } from 'vitest';
import { timelineText } from '../../electron/history/cli';
import type { HistoryPoint } from '../../shared/history/model';
import { whoText } from '../../renderer/src/history/store';

/** Who made a change on an SSH host: the local user, the login and the login's name on the host, as the History page and `hostdeck history` say it. */
describe('who of a point', () => {
  const who = { user: 'ada', machine: 'laptop', login: 'node-7', hostUser: 'root' };
  it('names the host user next to the login on the page and in the CLI', () => {
    expect(whoText(who)).toBe('ada on laptop as node-7 (root on the host)');
    expect(whoText({ ...who, login: null, hostUser: null })).toBe('ada on laptop');
    const p = { id: 'p1', time: 0, kind: 'change', what: 'Set x', who, changes: [], changesTotal: 0, error: null, result: 'applied' } as unknown as HistoryPoint;
    expect(timelineText([p])).toContain('by ada@laptop as node-7 (root on the host)');
  });
});
