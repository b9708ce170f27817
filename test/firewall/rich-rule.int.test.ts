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
    const expected: string[] = [];
    for (const rule of validRules) {
      const printed = ours(rule);
      const r = await fwRaw(sb, '--zone=rrtest', `--add-rich-rule=${rule}`);
      expect(r.status, `firewalld refused ${JSON.stringify(rule)}: ${r.stderr}`).toBe(0);
      // Two corpus rules may normalize to the same text: firewalld keeps one.
      if (r.stderr.includes('ALREADY_ENABLED')) expect(expected).toContain(printed);
      else expected.push(printed);
    }
    const listed = lines(await fw(sb, '--zone=rrtest', '--list-rich-rules'));
    // firewalld lists runtime rules in its own (hash) order.
    expect([...listed].sort()).toEqual([...expected].sort());
    for (const line of listed) expect(ours(line)).toBe(line);
  });

  it('renders rules in a policy and in the permanent configuration the same way', async () => {
    const sample = validRules.filter((_, i) => i % 4 === 0).concat(['rule tcp-mss-clamp value="pmtu"']);
    const expected = [...new Set(sample.map(ours))];
    for (const rule of sample) {
      await fw(sb, '--permanent', '--policy=rrpol', `--add-rich-rule=${rule}`);
    }
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
    for (const rule of invalidRules) {
      const r = await fwRaw(sb, '--zone=rrtest', `--add-rich-rule=${rule}`);
      const fwRefused = r.status !== 0 || /Error|Warning/.test(r.stderr);
      expect(fwRefused, `firewalld accepted ${JSON.stringify(rule)}`).toBe(true);
      const p = parseRichRule(rule);
      expect(p.ok, `our parser accepted ${JSON.stringify(rule)} that firewalld refused with ${r.stderr.trim()}`).toBe(false);
      if (!p.ok) {
        expect(p.error.message.length).toBeGreaterThan(0);
        expect(p.error.start).toBeGreaterThanOrEqual(0);
        expect(p.error.end).toBeLessThanOrEqual(rule.length);
      }
    }
  });
});
