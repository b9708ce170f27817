import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyToPath, normalizeKey } from '../../shared/kernel/keys';
import { sysctlKeyError, sysctlValueError, KEY_MAX_BYTES, VALUE_MAX_BYTES } from '../../shared/helper/rules';
import { kernelInteger, weakeningOf, WEAKENING_RULES } from '../../shared/helper/weakening';
import { normalizeSysctlPath, parseSysctlFile, systemdLines } from '../../shared/kernel/sysctld';
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
const values = ['1', ' 1 ', '|/tmp/x', ' |/tmp/x', '\u001c|/tmp/x', 'core', '/etc/ld.so.preload', '@/run/x', 'core.%e.%p', 'a/b', '..', 'x..y', '2', '02', '0x2', ' 2 ', '2x', '-2', '1\n2', '1\r', 'a\u0000', 'x'.repeat(4096), 'x'.repeat(4097), 'é'.repeat(2048), 'é'.repeat(2049), '', '4096 87380 6291456'];

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

  it('on the security-weakening table, the kernel integer parser, and sysctl.d lines as systemd splits them', () => {
    const weakKeys = [...WEAKENING_RULES.map((r) => r.key), 'kernel/yama/ptrace_scope', ' fs.protected_symlinks', 'vm.swappiness'];
    const weakValues = ['0', '1', '2', '3', '00', '0x0', '0X10', '0100000', '4096', '4095', '65536', '-1', ' 0', '\t0', '\v1', '0 1', '0\r', '0x', '09', '+1', '', 'abc', '176', '438', '72', '1' + '0'.repeat(25), '18446744073709551615', '18446744073709551616', '-18446744073709551615', '\u00a00', '2\u3000', '\ufeff0x2'];
    const ints = [...weakValues, ...fc.sample(fc.oneof(fc.stringMatching(/^[ \t\n\v\f\r]{0,2}-?(0[xX])?[0-9a-fA-F]{0,22}[ \tx\r]?\d?$/), fc.string({ maxLength: 12 })), { numRuns: 2000, seed: 3 })];
    const pairs = weakKeys.flatMap((k) => weakValues.map((v) => [k, v] as [string, string]));
    const texts = [
      '# tuned\rkernel.core_pattern = |/tmp/x %p\n', 'a = 1\r\nb = 2\n\rc = 3\r\r\nd\0e = 4\n\0\0f = 5', '- x.y = 1\n-x.z\n;c\n#d\n  g  =  h  \n=\nnope', '', '\n', '\r', 'k = v',
      ...fc.sample(fc.stringMatching(/^[ab=#;\- \t\r\n\0]{0,30}$/), { numRuns: 2000, seed: 5 }),
    ];
    const program = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location('helper', ${JSON.stringify(HELPER)})
h = importlib.util.module_from_spec(spec); spec.loader.exec_module(h)
req = json.loads(sys.stdin.read())
print(json.dumps({
  'table': [{'key': k, 'when': w, 'weakens': t} for k, w, t in h.WEAKENING_RULES],
  'ints': [None if h.kernel_int(v) is None else str(h.kernel_int(v)) for v in req['ints']],
  'weak': [h.weakening(k, v) for k, v in req['pairs']],
  'lines': [h.systemd_lines(t) for t in req['texts']],
  'assignments': [[[k, v] for _, k, v in h.sysctld_assignments(t) if k is not None] for t in req['texts']],
}))
`;
    const r = spawnSync('/usr/bin/python3', ['-I', '-c', program], { input: JSON.stringify({ ints, pairs, texts }), encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(r.stderr);
    const py = JSON.parse(r.stdout);
    expect(py.table).toEqual(WEAKENING_RULES);
    expect(py.ints).toEqual(ints.map((v) => kernelInteger(v)?.toString() ?? null));
    expect(py.weak).toEqual(pairs.map(([k, v]) => weakeningOf(k, v)));
    expect(py.lines).toEqual(texts.map((t) => systemdLines(t).lines));
    const pyAssignments = (py.assignments as [string, string | null][][]).map((list) => list.map(([k, v]) => [normalizeSysctlPath(k), v]));
    expect(pyAssignments).toEqual(texts.map((t) => parseSysctlFile(t, 'x.conf').assignments.map((a) => [a.path, a.value])));
    const weak = py.weak.filter(Boolean).length;
    console.log(`weakening table: ${WEAKENING_RULES.length} keys agree; ${weak} of ${pairs.length} values weaken; ${ints.length} integers and ${texts.length} sysctl.d texts read alike`);
  });
});

