/**
 * Differential test: our rich-rule parser and printer against a real firewalld 1.3.3.
 * Every corpus rule goes into a zone with `firewall-cmd --add-rich-rule`; firewalld's own
 * rendering (`--list-rich-rules`) must equal print(parse(rule)), and parsing firewalld's
 * rendering must print it unchanged. Rules firewalld refuses must be refused by our parser too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRichRule, printRichRule, richRuleKey } from '../../shared/firewall/rich-rule';
import { startFirewalldSandbox, type FirewalldSandbox } from '../support/firewalld-sandbox';
import { fw, fwRaw, lines } from './fw-cmd';
import { invalidRules, ipsetsForCorpus, validRules } from './rich-rule-corpus';

let sb: FirewalldSandbox;

beforeAll(async () => {
  sb = await startFirewalldSandbox();
  for (const set of ipsetsForCorpus) {
    await fw(sb, '--permanent', `--new-ipset=${set.name}`, `--type=${set.type}`, ...set.options);
  }
  await fw(sb, '--permanent', '--new-zone=rrtest');
  await fw(sb, '--permanent', '--new-policy=rrpol');
  await fw(sb, '--permanent', '--policy=rrpol', '--add-ingress-zone=rrtest');
  await fw(sb, '--permanent', '--policy=rrpol', '--add-egress-zone=ANY');
  await fw(sb, '--reload');
});

afterAll(async () => {
  await sb?.stop();
});

function ours(rule: string): string {
  const r = parseRichRule(rule);
  if (!r.ok) throw new Error(`our parser refused ${JSON.stringify(rule)}: ${r.error.message} (at ${r.error.start}-${r.error.end})`);
  return printRichRule(r.rule);
}

describe('rich rules: parse/print equals firewalld', () => {
  it('renders every valid corpus rule exactly as firewalld stores it (zone, runtime)', async () => {
    // One firewall-cmd run takes every rule (as an admin's script would): firewall-cmd starts
    // once instead of 84 times, and firewalld still parses and renders each rule itself.
    const expected = [...new Set(validRules.map(ours))];
    const r = await fwRaw(sb, '--zone=rrtest', ...validRules.map((rule) => `--add-rich-rule=${rule}`));
    expect(r.status, `firewalld refused a corpus rule: ${r.stderr}`).toBe(0);
    // Two corpus rules may normalize to the same text: firewalld keeps one and warns about the other.
    const warnings = lines(r.stderr);
    expect(warnings.filter((w) => !w.startsWith('Warning: ALREADY_ENABLED:')), r.stderr).toEqual([]);
    expect(warnings.length).toBe(validRules.length - expected.length);
    const listed = lines(await fw(sb, '--zone=rrtest', '--list-rich-rules'));
    // firewalld lists runtime rules in its own (hash) order.
    expect([...listed].sort()).toEqual([...expected].sort());
    for (const line of listed) expect(ours(line)).toBe(line);
  });

  it('renders rules in a policy and in the permanent configuration the same way', async () => {
    const sample = validRules.filter((_, i) => i % 4 === 0).concat(['rule tcp-mss-clamp value="pmtu"']);
    const expected = [...new Set(sample.map(ours))];
    await fw(sb, '--permanent', '--policy=rrpol', ...sample.map((rule) => `--add-rich-rule=${rule}`));
    const permanent = lines(await fw(sb, '--permanent', '--policy=rrpol', '--list-rich-rules'));
    expect([...permanent].sort()).toEqual([...expected].sort());
    // After a reload the rules come back from the XML firewalld wrote: still the same text.
    await fw(sb, '--reload');
    const runtime = lines(await fw(sb, '--policy=rrpol', '--list-rich-rules'));
    // ...except that a bare tcp-mss-clamp comes back from the XML as value="pmtu".
    expect(runtime).toContain('rule tcp-mss-clamp value="pmtu"');
    expect([...runtime].sort()).toEqual([...new Set(expected.map(richRuleKey))].sort());
  });

  it('refuses what firewalld refuses', async () => {
    // One firewall-cmd run for all of them: it prints one "Warning: CODE: reason" line per rule
    // it refused, in order. Fewer lines than rules means firewalld took one; each rule is then
    // tried alone to name it.
    const all = await fwRaw(sb, '--zone=rrtest', ...invalidRules.map((rule) => `--add-rich-rule=${rule}`));
    const refusals = lines(all.stderr).filter((l) => /^(Warning|Error): /.test(l));
    if (refusals.length !== invalidRules.length) {
      for (const rule of invalidRules) {
        const r = await fwRaw(sb, '--zone=rrtest', `--add-rich-rule=${rule}`);
        const fwRefused = r.status !== 0 || /Error|Warning/.test(r.stderr);
        expect(fwRefused, `firewalld accepted ${JSON.stringify(rule)}`).toBe(true);
      }
    }
    expect(refusals.length).toBe(invalidRules.length);
    invalidRules.forEach((rule, i) => {
      const p = parseRichRule(rule);
      expect(p.ok, `our parser accepted ${JSON.stringify(rule)} that firewalld refused with ${refusals[i]}`).toBe(false);
      if (!p.ok) {
        expect(p.error.message.length).toBeGreaterThan(0);
        expect(p.error.start).toBeGreaterThanOrEqual(0);
        expect(p.error.end).toBeLessThanOrEqual(rule.length);
      }
    });
  });
});
