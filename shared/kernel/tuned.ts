import { normalizeKey } from './keys';

/**
 * TuneD profile text (Python configparser syntax) reduced to its [sysctl] section, and back.
 * Hand-written: configparser's rules (only "=" delimits, inline "#" only after whitespace,
 * indented lines continue the value, repeated sections merge, last key wins) are small and no
 * JS INI library follows them exactly (reference §3).
 */
export interface TunedImport {
  settings: { key: string; value: string }[];
  warnings: { line: number; message: string }[];
}

export function parseTunedSysctl(text: string): TunedImport {
  const warnings: TunedImport['warnings'] = [];
  const values = new Map<string, string>();
  let section: string | null = null;
  let lastKey: string | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (/^\s*([#;]|$)/.test(raw)) {
      if (raw.trim() === '') lastKey = null;
      return;
    }
    if (/^\s/.test(raw) && lastKey && section === 'sysctl') {
      values.set(lastKey, `${values.get(lastKey)}\n${stripInline(raw.trim())}`);
      return;
    }
    const sec = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (sec) {
      section = sec[1]!.trim();
      lastKey = null;
      return;
    }
    if (section !== 'sysctl') return;
    const eq = raw.indexOf('=');
    if (eq < 0) {
      warnings.push({ line, message: `Not a "key = value" line in [sysctl]: ${raw.trim()}` });
      return;
    }
    const key = raw.slice(0, eq).trim();
    const value = stripInline(raw.slice(eq + 1).trim());
    if (!key) {
      warnings.push({ line, message: 'Empty key in [sysctl]' });
      return;
    }
    lastKey = key;
    values.set(key, value);
  });
  const settings = [...values.entries()].map(([k, v]) => {
    if (v.includes('\n')) warnings.push({ line: 0, message: `${k}: multi-line value (TuneD refuses these)` });
    if (/^[<>]/.test(v)) warnings.push({ line: 0, message: `${k}: "${v}" is a TuneD conditional (write only if larger/smaller); kept as is` });
    return { key: normalizeKey(k), value: v };
  });
  return { settings, warnings };
}

function stripInline(v: string): string {
  const m = /\s[#;]/.exec(v);
  return m ? v.slice(0, m.index).trimEnd() : v;
}

export function formatTunedProfile(settings: { key: string; value: string }[], opts: { summary?: string; include?: string } = {}): string {
  const lines = ['[main]', `summary=${opts.summary ?? 'Kernel parameters exported by HostDeck'}`];
  if (opts.include) lines.push(`include=${opts.include}`);
  lines.push('', '[sysctl]');
  for (const s of settings) lines.push(`${s.key}=${s.value}`);
  return `${lines.join('\n')}\n`;
}
