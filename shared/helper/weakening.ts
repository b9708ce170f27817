import { normalizeKey } from '../kernel/keys';

/**
 * Values that switch off a kernel protection. HostDeck writes them (live or to /etc/sysctl.d)
 * only when the request names the key in `confirmWeakening`: the UI asks with a checkbox that
 * shows what each one weakens, the CLI takes `--confirm-weakening KEY,...`, and the helper
 * refuses (NEEDS_CONFIRMATION) without it. hostdeck-helper.py holds the same table
 * (WEAKENING_RULES); test/helper/rules-agree.test.ts compares the tables and their verdicts.
 *
 * A rule matches the integer the kernel reads from the value: lt (below), eq (one of), ne
 * (anything but), anyBits (any of these bits set). A value the kernel's parser reads no integer
 * from counts as weakening: HostDeck cannot tell, so it asks.
 */
export interface WeakeningRule {
  key: string;
  when: { lt?: number; eq?: number[]; ne?: number; anyBits?: number };
  /** What the value weakens, in words an admin reads in the confirmation. */
  weakens: string;
}

export const WEAKENING_RULES: readonly WeakeningRule[] = [
  { key: 'fs.protected_symlinks', when: { eq: [0] }, weakens: 'Any user can plant a symbolic link in /tmp or another shared directory that a root program then follows, to read or overwrite files it should not.' },
  { key: 'fs.protected_hardlinks', when: { eq: [0] }, weakens: 'Users can hard-link files they do not own (set-uid programs, /etc/shadow), keeping vulnerable copies around and tricking root programs.' },
  { key: 'fs.protected_fifos', when: { eq: [0] }, weakens: 'Root programs write into FIFOs other users planted in /tmp and similar shared directories.' },
  { key: 'fs.protected_regular', when: { eq: [0] }, weakens: 'Root programs open files other users planted in /tmp and similar shared directories, instead of creating their own.' },
  { key: 'fs.suid_dumpable', when: { ne: 0 }, weakens: 'Set-uid programs (passwd, sudo, su) leave core dumps when they crash, which can hold password hashes and keys.' },
  { key: 'kernel.yama.ptrace_scope', when: { eq: [0] }, weakens: 'Any process can attach a debugger to every other process of the same user and read its memory (SSH agent keys, browser passwords).' },
  { key: 'kernel.kptr_restrict', when: { eq: [0] }, weakens: 'Kernel addresses become visible to users (/proc/kallsyms and more), which helps an attacker get around KASLR when exploiting a kernel bug.' },
  { key: 'kernel.dmesg_restrict', when: { eq: [0] }, weakens: 'Any user can read the kernel log (dmesg), which leaks kernel addresses and other details useful for attacks.' },
  { key: 'kernel.unprivileged_bpf_disabled', when: { eq: [0] }, weakens: 'Every user can load eBPF programs into the kernel, a frequent route to kernel exploits and Spectre-style leaks.' },
  { key: 'net.core.bpf_jit_harden', when: { eq: [0] }, weakens: 'The eBPF JIT stops blinding constants, which makes JIT-spraying attacks on the kernel easier.' },
  { key: 'kernel.randomize_va_space', when: { lt: 2 }, weakens: 'Address space layout randomization is reduced or off, which makes memory bugs in every program much easier to exploit.' },
  { key: 'kernel.perf_event_paranoid', when: { lt: 2 }, weakens: 'Users can profile the kernel with perf, which exposes kernel addresses and a large attack surface.' },
  { key: 'vm.mmap_min_addr', when: { lt: 4096 }, weakens: 'Programs can map memory at address 0, which turns kernel NULL-pointer bugs into root exploits.' },
  { key: 'vm.unprivileged_userfaultfd', when: { ne: 0 }, weakens: 'Every user can use userfaultfd, which kernel exploits use to win race conditions.' },
  { key: 'dev.tty.ldisc_autoload', when: { ne: 0 }, weakens: 'Any user can make the kernel load rarely used TTY line-discipline modules, whose bugs have given users root.' },
  { key: 'kernel.sysrq', when: { eq: [1], anyBits: 8 | 64 }, weakens: 'Anyone at the keyboard or serial console can use Magic SysRq to dump process details or kill every process (1 enables every function).' },
];

const BY_KEY = new Map(WEAKENING_RULES.map((r) => [r.key, r]));
const KERNEL_INT = /^[ \t\n\v\f\r]*(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(?=$|[ \t\n])/;
const ULONG_MAX = (1n << 64n) - 1n;

/**
 * The integer the kernel reads from a sysctl write (proc_get_long(): leading blanks, "-", then
 * base 0 as strtoul: 0x hex, 0 octal, else decimal; a blank or the end after it), or null when
 * it reads none. "0100000" is 32768 to the kernel, not 100000.
 */
export function kernelInteger(value: string): bigint | null {
  const m = KERNEL_INT.exec(value);
  if (!m) return null;
  const d = m[2]!;
  const n = /^0[xX]/.test(d) ? BigInt(d) : d.startsWith('0') && d.length > 1 ? BigInt(`0o${d.slice(1)}`) : BigInt(d);
  if (n > ULONG_MAX) return null;
  return m[1] ? -n : n;
}

/** What setting this value weakens (the reason, in people's words), or null. */
export function weakeningOf(key: string, value: string): string | null {
  const rule = BY_KEY.get(normalizeKey(key));
  if (!rule) return null;
  const n = kernelInteger(value.trim());
  if (n === null) return rule.weakens;
  const w = rule.when;
  const hit =
    (w.lt !== undefined && n < BigInt(w.lt)) ||
    (w.eq ?? []).some((x) => n === BigInt(x)) ||
    (w.ne !== undefined && n !== BigInt(w.ne)) ||
    (w.anyBits !== undefined && (n & BigInt(w.anyBits)) !== 0n);
  return hit ? rule.weakens : null;
}

export interface Weakening {
  key: string;
  value: string;
  weakens: string;
}

/** The security-weakening settings of a change, one per key (first weakening value), in order. */
export function weakeningSettings(settings: readonly { key: string; value: string }[]): Weakening[] {
  const out: Weakening[] = [];
  const seen = new Set<string>();
  for (const s of settings) {
    const key = normalizeKey(s.key);
    const why = weakeningOf(key, s.value);
    if (why !== null && !seen.has(key)) {
      seen.add(key);
      out.push({ key, value: s.value.trim(), weakens: why });
    }
  }
  return out;
}

/**
 * null when `confirmed` names exactly the weakening keys of this change, else what is wrong:
 * keys it does not weaken (`extra`) or weakening keys left unconfirmed (`missing`).
 */
export function confirmationProblem(weak: readonly Weakening[], confirmed: readonly string[] | undefined): { extra: string[]; missing: Weakening[] } | null {
  const named = new Set((confirmed ?? []).map((k) => normalizeKey(k)));
  const weakKeys = new Set(weak.map((w) => w.key));
  const extra = [...named].filter((k) => !weakKeys.has(k)).sort();
  const missing = weak.filter((w) => !named.has(w.key));
  return extra.length || missing.length ? { extra, missing } : null;
}

/** One line per weakening setting: "key = value: what it weakens". */
export function weakeningLines(weak: readonly Weakening[]): string[] {
  return weak.map((w) => `${w.key} = ${w.value}: ${w.weakens}`);
}
