import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyToPath, normalizeKey } from '../../shared/kernel/keys';
import { sysctlKeyError, sysctlValueError, KEY_MAX_BYTES, VALUE_MAX_BYTES } from '../../shared/helper/rules';
import { HELPER } from './support/run';

/**
 * HostDeck (shared/helper/rules.ts + shared/kernel/keys.ts) and the helper (hostdeck-helper.py)
 * must judge sysctl names and values alike: same path, same normalized key, same accept/refuse,
 * on one corpus of hand-picked and random names and values, including the size limits.
 */
const handPicked = [
  'net.core.somaxconn', 'net/core/somaxconn', 'net.ipv4.conf.eth0/100.rp_filter', 'net/ipv4/conf/eth0.100/rp_filter', ' vm.swappiness ', '\u00a0vm.swappiness\ufeff',
  'kernel.core_pattern', 'kernel.modprobe', 'kernel.usermodehelper.bset', 'fs.binfmt_misc.register', 'fs.binfmt_misc', 'kernel.hotplug', 'kernel.poweroff_cmd',
  'net.ipv4.conf.*.rp_filter', 'net/../../etc/passwd', '../../etc/passwd', 'net..core', '.net.core', 'net.core.', '/net/core/x/', 'a'.repeat(256), 'a'.repeat(257), 'é'.repeat(128), 'é'.repeat(129),
  'net.ipv4.conf.veth-1@if2.forwarding', 'net.ipv4.conf.a:b.forwarding', 'x\ny', 'x\u001cy', '\u001cvm.swappiness', 'dev.raid.speed_limit_min', 'net.core.x\u0000', '', ' ', 'net//core//x', 'net.core.\ud800',
];
const values = ['1', ' 1 ', '|/tmp/x', ' |/tmp/x', '\u001c|/tmp/x', 'core', '1\n2', '1\r', 'a\u0000', 'x'.repeat(4096), 'x'.repeat(4097), 'é'.repeat(2048), 'é'.repeat(2049), '', '4096 87380 6291456'];

function pythonVerdicts(keys: string[], pairs: [string, string][]): { paths: string[]; keys: string[]; keyErrors: (string | null)[]; valueErrors: (string | null)[] } {
  const program = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location('helper', ${JSON.stringify(HELPER)})
h = importlib.util.module_from_spec(spec); spec.loader.exec_module(h)
req = json.loads(sys.stdin.read())
print(json.dumps({
  'paths': [h.key_to_path(k) for k in req['keys']],
  'keys': [h.normalize_key(k) for k in req['keys']],
  'keyErrors': [h.key_error(k) for k in req['keys']],
  'valueErrors': [h.value_error(k, v) for k, v in req['pairs']],
}))
`;
  const r = spawnSync('/usr/bin/python3', ['-I', '-c', program], { input: JSON.stringify({ keys, pairs }), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe('sysctl rules: HostDeck and the helper agree', () => {
  it('on hand-picked and 3,000 random names and values (paths, keys, verdicts, size limits)', () => {
    const randomKeys = fc.sample(fc.oneof(fc.string({ maxLength: 40, unit: 'grapheme' }), fc.stringMatching(/^[a-z0-9_./*:@+-]{0,30}$/), fc.string({ minLength: 250, maxLength: 260 })), { numRuns: 3000, seed: 42 });
    const keys = [...handPicked, ...randomKeys];
    const pairs: [string, string][] = [
      ...values.flatMap((v) => ['kernel.core_pattern', 'vm.swappiness', ' kernel/core_pattern '].map((k) => [k, v] as [string, string])),
      ...fc.sample(fc.tuple(fc.constantFrom('kernel.core_pattern', 'net.core.somaxconn'), fc.oneof(fc.string({ maxLength: 30, unit: 'grapheme' }), fc.string({ minLength: 4090, maxLength: 4100 }))), { numRuns: 1000, seed: 7 }),
    ];
    const py = pythonVerdicts(keys, pairs);
    const ts = {
      paths: keys.map(keyToPath),
      keys: keys.map(normalizeKey),
      keyErrors: keys.map(sysctlKeyError),
      valueErrors: pairs.map(([k, v]) => sysctlValueError(k, v)),
    };
    expect(py.paths).toEqual(ts.paths);
    expect(py.keys).toEqual(ts.keys);
    expect(py.keyErrors).toEqual(ts.keyErrors);
    expect(py.valueErrors).toEqual(ts.valueErrors);
    const refused = ts.keyErrors.filter(Boolean).length;
    console.log(`rules agree on ${keys.length} names (${refused} refused) and ${pairs.length} values; limits: name ${KEY_MAX_BYTES} bytes, value ${VALUE_MAX_BYTES} bytes`);
    expect(sysctlKeyError('a'.repeat(KEY_MAX_BYTES))).toBeNull();
    expect(sysctlKeyError('a'.repeat(KEY_MAX_BYTES + 1))).toMatch(/longer/);
    expect(sysctlValueError('vm.x', 'x'.repeat(VALUE_MAX_BYTES + 1))).toMatch(/longer/);
  });
});
