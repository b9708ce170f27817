/** The page's staged changes: an item changed in place is one change (remove + add in one patch), shown and undone as one. */
import { describe, expect, it } from 'vitest';
import { describeDraft, draftToZonePatch, emptyDraft, stage, stageEdit, unstage } from '../../renderer/src/firewall/draft';

describe('draft: changing an item in place', () => {
  const from = 'rule family="ipv4" source address="192.0.2.0/24" accept';
  const to = 'rule family="ipv4" source address="198.51.100.0/24" accept';

  it('is one pending line and one patch that removes the old item and adds the new one', () => {
    const d = stageEdit(stageEdit(emptyDraft(), 'richRules', from, to), 'ports', '80/tcp', '8080/tcp');
    expect(describeDraft(d)).toEqual([`Change rich rule: ${from} → ${to}`, 'Change port 80/tcp → 8080/tcp']);
    expect(draftToZonePatch(d)).toEqual({
      add: { richRules: [to], ports: [{ port: '8080', protocol: 'tcp' }] },
      remove: { richRules: [from], ports: [{ port: '80', protocol: 'tcp' }] },
    });
  });

  it('is undone as a whole from either half, and an edit to the same item is no change', () => {
    const d = stageEdit(stage(emptyDraft(), 'add', 'ports', '22/tcp'), 'ports', '80/tcp', '8080/tcp');
    for (const half of ['80/tcp', '8080/tcp']) {
      const u = unstage(d, 'ports', half);
      expect(describeDraft(u)).toEqual(['Add port 22/tcp']);
    }
    expect(describeDraft(stageEdit(emptyDraft(), 'ports', '80/tcp', '80/tcp'))).toEqual([]);
  });
});
