/**
 * A fix from firewall.explain joins an object's pending changes as the items an admin would
 * have typed (ports as "8080/tcp", rich rules and sources as text, removals as removals), so
 * the apply bar lists it and applies it (or safe-applies, or discards it) with the rest.
 */
import { describe, expect, it } from 'vitest';
import { describeDraft, draftToPolicyPatch, draftToZonePatch, emptyDraft, stage } from '../../../renderer/src/firewall/draft';
import { fixTarget, stageFix } from '../../../renderer/src/firewall/explain-draft';

describe('explain fixes as pending changes', () => {
  it('stages a port, a rich rule and a source binding as the zone patch the fix carries', () => {
    const patch = { add: { ports: [{ port: '8080', protocol: 'tcp' as const }], richRules: ['rule family="ipv4" source address="192.0.2.7" port port="8080" protocol="tcp" accept'], sources: ['192.0.2.7/32'] } };
    const d = stageFix(emptyDraft(), { type: 'zone', name: 'public', patch });
    expect(draftToZonePatch(d)).toEqual(patch);
    expect(describeDraft(d).join('\n')).toContain('8080/tcp');
  });

  it('keeps what was already pending and stages a removal as a removal', () => {
    const before = stage(emptyDraft(), 'add', 'services', 'http');
    const d = stageFix(before, { type: 'zone', name: 'public', patch: { remove: { icmpBlocks: ['echo-request'] } } });
    expect(draftToZonePatch(d)).toEqual({ add: { services: ['http'] }, remove: { icmpBlocks: ['echo-request'] } });
  });

  it('stages a policy fix in the policy and leaves changes a draft cannot hold alone', () => {
    const rule = 'rule priority="-1" family="ipv4" source address="192.0.2.7" port port="22" protocol="tcp" accept';
    const change = { type: 'policy' as const, name: 'block-in', patch: { add: { richRules: [rule] } } };
    expect(fixTarget(change)).toEqual({ kind: 'policy', name: 'block-in' });
    expect(draftToPolicyPatch(stageFix(emptyDraft(), change))).toEqual({ add: { richRules: [rule] } });
    const panic = { type: 'panic' as const, enabled: false };
    expect(fixTarget(panic)).toBeUndefined();
    expect(stageFix(emptyDraft(), panic)).toEqual(emptyDraft());
  });
});
