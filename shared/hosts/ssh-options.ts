import { z } from 'zod';
import { ALLOWED_OPTIONS, canonicalOption, sshOptionProblem } from './ssh-option-check';

export { sshOptionProblem };

/**
 * The ssh options a saved host may carry beyond its destination (from an Ansible inventory's
 * ansible_ssh_common_args / ansible_ssh_private_key_file), and how they are checked. Options
 * such as ProxyCommand, LocalCommand, KnownHostsCommand or Match exec make ssh run a program on
 * this machine: only a short list that names a key, a jump host or an alias is passed, each value
 * checked, and the check runs again whenever hosts.json is read.
 */

export const sshOptionSchema = z.string().max(4200).superRefine((o, ctx) => {
  const why = sshOptionProblem(o);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});

export const becomeSchema = z.object({
  /** ansible_become_method (sudo, su, ...): HostDeck's own writes use sudo -n of its helper, whatever this says. */
  method: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/),
  user: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/),
});
export type Become = z.infer<typeof becomeSchema>;

export const groupNameSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, 'a group name: letters, digits, _ . -');

/** POSIX shell words, as Ansible splits ansible_ssh_common_args (shlex.split). Throws on an open quote. */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error('an unclosed single quote');
      cur += s.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i++;
      for (; i < s.length && s[i] !== '"'; i++) {
        if (s[i] === '\\' && i + 1 < s.length && '\\"$`\n'.includes(s[i + 1]!)) i++;
        cur += s[i];
      }
      if (i >= s.length) throw new Error('an unclosed double quote');
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** ssh command-line words (ansible_ssh_common_args / ansible_ssh_extra_args) as Key=Value options, or why they are refused. */
export function sshArgsToOptions(args: string): { options: string[] } | { problem: string } {
  let words: string[];
  try {
    words = shellWords(args);
  } catch (e) {
    return { problem: `cannot be split into words: ${e instanceof Error ? e.message : String(e)}` };
  }
  const options: string[] = [];
  const add = (key: string, value: string): string | null => {
    const canon = canonicalOption(key);
    const o = `${canon ?? key}=${value}`;
    const why = sshOptionProblem(o);
    if (why) return why;
    options.push(o);
    return null;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    let why: string | null;
    if (w === '-o' || (w.startsWith('-o') && w.length > 2)) {
      const opt = w === '-o' ? words[++i] : w.slice(2);
      if (opt === undefined) return { problem: '-o without an option' };
      const m = /^([A-Za-z]+)(?:\s*=\s*|\s+)(.*)$/s.exec(opt.trim());
      if (!m) return { problem: `"-o ${opt}" is not an ssh option` };
      why = add(m[1]!, m[2]!);
    } else if (w === '-J' || w === '-i') {
      const v = words[++i];
      if (v === undefined) return { problem: `${w} without a value` };
      why = add(w === '-J' ? 'ProxyJump' : 'IdentityFile', v);
    } else {
      why = `"${w}" is not an ssh argument HostDeck passes (only -o with ${Object.keys(ALLOWED_OPTIONS).join(', ')}, -J, -i)`;
    }
    if (why) return { problem: why };
  }
  return { options };
}

