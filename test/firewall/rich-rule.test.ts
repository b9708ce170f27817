import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkRichRule,
  checkRichRuleIn,
  describeRichRule,
  normalizeRichRule,
  parseRichRule,
  printRichRule,
  richRuleKey,
  richRuleSchema,
  type RichRule,
} from '../../shared/firewall/rich-rule';
import { invalidRules, validRules } from './rich-rule-corpus';

const parsed = (text: string): RichRule => {
  const r = parseRichRule(text);
  if (!r.ok) throw new Error(`${text}: ${r.error.message}`);
  return r.rule;
};

describe('parseRichRule', () => {
  it('reads every element into the structured form', () => {
    expect(parsed('rule priority="-3" family="ipv4" source NOT address="10.0.0.0/8" destination address="192.0.2.1" port port="80" protocol="tcp" log prefix="web" level="info" limit value="3/minute" audit limit value="2/h" reject type="tcp-reset" limit value="1/s"')).toEqual({
      priority: -3,
      family: 'ipv4',
      source: { kind: 'address', value: '10.0.0.0/8', invert: true },
      destination: { kind: 'address', value: '192.0.2.1', invert: false },
      element: { type: 'port', port: '80', protocol: 'tcp' },
      log: { type: 'log', prefix: 'web', level: 'info', limit: '3/m' },
      audit: { limit: '2/h' },
      action: { type: 'reject', rejectType: 'tcp-reset', limit: '1/s' },
    });
    expect(parsed('rule source ipset="x" nflog group="2" prefix="p" queue-size="9" mark set=0x1/0xff').log).toEqual({
      type: 'nflog', group: '2', prefix: 'p', queueSize: '9',
    });
    expect(parsed('rule family=ipv6 forward-port port=80 protocol=tcp to-addr=::1').element).toEqual({
      type: 'forward-port', port: '80', protocol: 'tcp', toAddr: '::1',
    });
    expect(parsed('rule tcp-mss-clamp').element).toEqual({ type: 'tcp-mss-clamp' });
  });

  it('reproduces firewalld quirks', () => {
    // A limit before the element is attached to the action.
    expect(normalizeRichRule('rule limit value="1/m" service name=ssh accept')).toBe('rule service name="ssh" accept limit value="1/m"');
    // A word EOL ends the rule.
    expect(normalizeRichRule('rule service name=ssh accept EOL whatever')).toBe('rule service name="ssh" accept');
    // MACs are upper-cased, invert="anything" means NOT, control characters vanish.
    expect(normalizeRichRule('rule source mac=aa:bb:cc:dd:ee:ff invert=no drop')).toBe('rule source NOT mac="AA:BB:CC:DD:EE:FF" drop');
    expect(normalizeRichRule('rule service name=s\u0007sh accept')).toBe('rule service name="ssh" accept');
    expect(normalizeRichRule('rule priority=+0 service name=ssh accept')).toBe('rule service name="ssh" accept');
    expect(normalizeRichRule('rule priority=1_0 service name=ssh accept')).toBe('rule priority="10" service name="ssh" accept');
  });

  it('accepts the whole valid corpus and refuses the invalid one', () => {
    for (const r of validRules) expect(parseRichRule(r).ok, r).toBe(true);
    for (const r of invalidRules) expect(parseRichRule(r).ok, r).toBe(false);
  });

  it('points errors at the offending text', () => {
    const text = 'rule family="ipv4" source address="10.0.0.0/33" accept';
    const r = parseRichRule(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('INVALID_ADDR');
    expect(text.slice(r.error.start, r.error.end)).toBe('"10.0.0.0/33"');
    expect(r.error.message).toContain('10.0.0.0/33');

    const bad = parseRichRule('rule service name="ssh" acept');
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.message).toBe('Unknown element "acept".');
      expect(bad.error.start).toBe(24);
    }
    const quote = parseRichRule('rule service name="ssh accept');
    expect(quote.ok ? '' : quote.error.message).toMatch(/never closed/);
    const lvl = 'rule service name=ssh log level=loud accept';
    const l = parseRichRule(lvl);
    expect(l.ok ? '' : lvl.slice(l.error.start, l.error.end)).toBe('loud');
  });
});

describe('checkRichRuleIn', () => {
  it('checks names against the firewall state', () => {
    const rule = parsed('rule family="ipv6" source ipset="v4set" icmp-block name="timestamp-request"');
    const problems = checkRichRuleIn(rule, {
      icmptypes: [{ name: 'timestamp-request', destinations: ['ipv4'] }],
      ipsets: [{ name: 'v4set', type: 'hash:net', family: 'inet' }],
    }).map((p) => p.message);
    expect(problems).toEqual([
      'The ICMP type timestamp-request exists only for ipv4, not for ipv6.',
      'The ipset v4set holds ipv4 entries, but the rule family is ipv6.',
    ]);
    expect(checkRichRuleIn(parsed('rule service name="nope" accept'), { services: ['ssh'] })[0]?.message).toBe('firewalld has no service named "nope".');
  });

  it("refuses a rule destination when the service (or one it includes) has its own, as firewalld does (rhbz1715977)", () => {
    const serviceDefs = {
      mdns: { destination: { ipv4: '224.0.0.251', ipv6: 'ff02::fb' } },
      ssh: {},
      wrap: { includes: ['ssh', 'mdns'] },
      loop: { includes: ['loop'] },
    };
    const msg = (t: string) => checkRichRuleIn(parsed(t), { serviceDefs }).map((p) => `${p.field}: ${p.message}`);
    // Family-aware message: the destination for the rule's family.
    expect(msg('rule family="ipv4" destination address="192.168.122.235/32" service name="mdns" accept')[0]).toMatch(
      /^destination: The service mdns has its own destination \(ipv4 224\.0\.0\.251\), so the rule cannot have a destination too/,
    );
    expect(msg('rule family="ipv6" destination address="ff02::1" service name="mdns" accept')[0]).toContain('(ipv6 ff02::fb)');
    // A service with a destination for the other family only still conflicts (firewalld checks that it has one at all).
    const v4only = { v4svc: { destination: { ipv4: '239.255.255.250' } } };
    expect(checkRichRuleIn(parsed('rule family="ipv6" destination ipset="x" service name="v4svc" accept'), { serviceDefs: v4only })[0]?.message).toContain('(ipv4 239.255.255.250)');
    expect(msg('rule family="ipv4" destination address="10.0.0.1" service name="wrap" accept')[0]).toContain('The service wrap includes mdns, which has its own destination');
    // No rule destination, or a service without one: fine.
    expect(msg('rule family="ipv4" service name="mdns" accept')).toEqual([]);
    expect(msg('rule family="ipv4" destination address="10.0.0.1" service name="ssh" accept')).toEqual([]);
    expect(msg('rule family="ipv4" destination address="10.0.0.1" service name="loop" accept')).toEqual([]);
  });

  it('flags values firewalld would store but not read back', () => {
    const rule: RichRule = { priority: 0, element: { type: 'service', name: 'ssh' }, log: { type: 'log', prefix: 'say "hi"' }, action: { type: 'accept' } };
    expect(checkRichRule(rule).map((p) => p.field)).toEqual(['log.prefix']);
  });
});

describe('describeRichRule and richRuleKey', () => {
  it('summarises a rule', () => {
    expect(describeRichRule(parsed('rule family="ipv4" source address="192.0.2.0/24" service name="ssh" log accept'))).toBe('Allow service ssh from 192.0.2.0/24 (IPv4), log');
  });
  it('treats a bare tcp-mss-clamp like value="pmtu"', () => {
    expect(richRuleKey('rule tcp-mss-clamp')).toBe(richRuleKey('rule tcp-mss-clamp value=pmtu'));
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const ipv4Net = fc.tuple(ipv4, fc.option(fc.integer({ min: 0, max: 32 }), { nil: undefined })).map(([a, m]) => (m === undefined ? a : `${a}/${m}`));
const ipv6 = fc.ipV6();
const ipv6Net = fc.tuple(ipv6, fc.option(fc.integer({ min: 0, max: 128 }), { nil: undefined })).map(([a, m]) => (m === undefined ? a : `${a}/${m}`));
const mac = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }).map((b) => b.map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':'));
const port = fc.oneof(fc.integer({ min: 0, max: 65535 }).map(String), fc.tuple(fc.integer({ min: 0, max: 30000 }), fc.integer({ min: 30001, max: 65535 })).map(([a, b]) => `${a}-${b}`));
const proto = fc.constantFrom('tcp', 'udp', 'sctp', 'dccp');
const limit = fc.tuple(fc.integer({ min: 2, max: 1000 }), fc.constantFrom('s', 'm', 'h', 'd')).map(([r, u]) => `${r}/${u}`);
const printable = fc.stringMatching(/^[A-Za-z0-9 _.:-]{1,20}$/);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const family = opt(fc.constantFrom('ipv4' as const, 'ipv6' as const));
const ruleArb: fc.Arbitrary<RichRule> = family.chain((fam) => {
  const addr = fam === 'ipv4' ? ipv4Net : fam === 'ipv6' ? ipv6Net : fc.constant(undefined);
  const source = opt(fc.oneof(
    ...(fam ? [fc.record({ kind: fc.constant('address' as const), value: addr.map((a) => a!), invert: fc.boolean() })] : []),
    fc.record({ kind: fc.constant('mac' as const), value: mac, invert: fc.boolean() }),
    fc.record({ kind: fc.constant('ipset' as const), value: word, invert: fc.boolean() }),
  ));
  const destination = fam ? opt(fc.oneof(
    fc.record({ kind: fc.constant('address' as const), value: addr.map((a) => a!), invert: fc.boolean() }),
    fc.record({ kind: fc.constant('ipset' as const), value: word, invert: fc.boolean() }),
  )) : fc.constant(undefined);
  const element = opt(fc.oneof(
    fc.record({ type: fc.constant('service' as const), name: word }),
    fc.record({ type: fc.constant('port' as const), port, protocol: proto }),
    fc.record({ type: fc.constant('source-port' as const), port, protocol: proto }),
    fc.record({ type: fc.constant('protocol' as const), value: fc.constantFrom('gre', 'esp', 'icmp', '47', 'ah') }),
    fc.record({ type: fc.constant('icmp-block' as const), name: word }),
    fc.record({ type: fc.constant('icmp-type' as const), name: word }),
    fc.constant({ type: 'masquerade' as const }),
    fc.record({ type: fc.constant('tcp-mss-clamp' as const), value: opt(fc.constantFrom('pmtu', '1400', '536')) }, { requiredKeys: ['type'] }),
    ...(fam ? [fc.record({
      type: fc.constant('forward-port' as const), port, protocol: proto,
      toPort: port, toAddr: opt(fam === 'ipv4' ? ipv4 : ipv6),
    }, { requiredKeys: ['type', 'port', 'protocol', 'toPort'] })] : []),
  ));
  const log = opt(fc.oneof(
    fc.record({ type: fc.constant('log' as const), prefix: opt(printable), level: opt(fc.constantFrom('emerg', 'info', 'debug', 'warning')), limit: opt(limit) }, { requiredKeys: ['type'] }),
    fc.record({ type: fc.constant('nflog' as const), group: opt(fc.integer({ min: 0, max: 65535 }).map(String)), prefix: opt(printable), queueSize: opt(fc.integer({ min: 1, max: 65535 }).map(String)), limit: opt(limit) }, { requiredKeys: ['type'] }),
  ));
  const action = opt(fc.oneof(
    fc.record({ type: fc.constantFrom('accept' as const, 'drop' as const), limit: opt(limit) }, { requiredKeys: ['type'] }),
    fc.record({ type: fc.constant('reject' as const), rejectType: fam ? opt(fc.constant(fam === 'ipv4' ? 'icmp-host-prohibited' : 'icmp6-adm-prohibited')) : fc.constant(undefined), limit: opt(limit) }, { requiredKeys: ['type'] }),
    fc.record({ type: fc.constant('mark' as const), set: fc.oneof(fc.nat().map(String), fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `0x${a.toString(16)}/0x${b.toString(16)}`)), limit: opt(limit) }, { requiredKeys: ['type', 'set'] }),
  ));
  const audit = opt(fc.record({ limit: opt(limit) }, { requiredKeys: [] }));
  return fc.record({
    priority: fc.oneof(fc.constant(0), fc.integer({ min: -32768, max: 32767 })),
    family: fc.constant(fam),
    source, destination, element, log, audit, action,
  }).map((r) => {
    // Drop undefined keys so the structure compares equal to what the parser builds.
    const clean = JSON.parse(JSON.stringify(r)) as RichRule;
    return clean;
  });
}).filter((r) => checkRichRule(r).length === 0);

describe('rich-rule properties', () => {
  it('print(parse(print(r))) equals print(r) and parse gives r back', () => {
    fc.assert(
      fc.property(ruleArb, (rule) => {
        const text = printRichRule(rule);
        const back = parseRichRule(text);
        if (!back.ok) throw new Error(`${text}: ${back.error.message}`);
        expect(printRichRule(back.rule)).toBe(text);
        expect(back.rule).toEqual(richRuleSchema.parse(rule));
      }),
      { numRuns: 500 },
    );
  });

  const soup = fc.array(
    fc.oneof(
      fc.constantFrom('rule', 'source', 'destination', 'service', 'port', 'accept', 'drop', 'reject', 'mark', 'log', 'nflog', 'audit', 'limit',
        'NOT', 'not', 'EOL', 'masquerade', 'forward-port', 'tcp-mss-clamp', 'icmp-block', 'protocol', '"', "'", '\\', '=', 'family=ipv4',
        'name=ssh', 'value=1/m', 'port=80', 'protocol=tcp', 'address=10.0.0.1', 'set=1', 'priority=5', 'type=tcp-reset', '\u0001', ''),
      fc.string(),
    ),
    { maxLength: 14 },
  ).map((parts) => parts.join(' '));

  it('never throws on junk, and every error points inside the input', () => {
    fc.assert(
      fc.property(fc.oneof(soup, fc.string(), fc.string({ unit: 'binary' })), (text) => {
        const r = parseRichRule(text);
        if (r.ok) {
          // Whatever it accepts, it prints into something it accepts again, unchanged.
          const printed = printRichRule(r.rule);
          const again = parseRichRule(printed);
          expect(again.ok).toBe(true);
          if (again.ok) expect(printRichRule(again.rule)).toBe(printed);
        } else {
          expect(r.error.message).toMatch(/\S/);
          expect(r.error.start).toBeGreaterThanOrEqual(0);
          expect(r.error.end).toBeGreaterThanOrEqual(r.error.start);
          expect(r.error.end).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
