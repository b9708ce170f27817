import { shellQuote } from '../export';
import type { NmZoneBinding, NmZoneWarning } from './contract';

/**
 * NetworkManager binds an interface to a firewalld zone by name (keyfile `[connection] zone=`,
 * ifcfg `ZONE=`); firewalld's rename or delete of a zone changes no profile, so the interface
 * would land in a zone that no longer exists. These parse the profiles (text read from a host:
 * hostile) and say which ones name a zone, with the nmcli command that moves them. HostDeck
 * writes no NetworkManager file.
 */

/** GLib keyfile value escapes (g_key_file_parse_value_as_string). */
function keyfileUnescape(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => ({ s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' })[c] ?? `\\${c}`);
}

/** The [connection] id and zone of a keyfile, as NetworkManager reads it (a missing id is the file's name). */
export function parseKeyfile(file: string, baseName: string, text: string): NmZoneBinding | undefined {
  let group = '';
  let id: string | undefined;
  let zone: { value: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (/^\s*(#|$)/.test(line)) return;
    const g = /^\s*\[([^\]]*)\]\s*$/.exec(line);
    if (g) return void (group = g[1]!);
    if (group !== 'connection') return;
    const kv = /^([^=[]+?)\s*=\s*(.*)$/.exec(line.trimStart());
    if (!kv) return;
    // GLib: a later duplicate key wins.
    if (kv[1] === 'id') id = keyfileUnescape(kv[2]!);
    else if (kv[1] === 'zone') zone = { value: keyfileUnescape(kv[2]!), line: i + 1 };
  });
  if (!zone || zone.value === '') return undefined;
  return { file, line: zone.line, format: 'keyfile', id: id ?? baseName.replace(/\.nmconnection$/, ''), zone: zone.value };
}

/** A shell-variable value of an ifcfg file ('…', "…" with \-escapes, or bare), as NetworkManager's svUnescape reads it. */
function ifcfgValue(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; ) {
    const c = v[i]!;
    if (c === "'") {
      const end = v.indexOf("'", i + 1);
      out += v.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? v.length : end + 1;
    } else if (c === '"') {
      i++;
      while (i < v.length && v[i] !== '"') {
        if (v[i] === '\\' && i + 1 < v.length && '"\\$`'.includes(v[i + 1]!)) i++;
        out += v[i++];
      }
      i++;
    } else if (c === '\\' && i + 1 < v.length) {
      out += v[i + 1];
      i += 2;
    } else if (/\s/.test(c) || c === '#') break;
    else out += v[i++];
  }
  return out;
}

/** NAME and ZONE of an ifcfg file (a missing NAME is "System DEVICE", as the ifcfg-rh plugin names it). */
export function parseIfcfg(file: string, baseName: string, text: string): NmZoneBinding | undefined {
  const vars = new Map<string, { value: string; line: number }>();
  text.split('\n').forEach((raw, i) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw.replace(/\r$/, ''));
    if (m) vars.set(m[1]!, { value: ifcfgValue(m[2]!), line: i + 1 });
  });
  const zone = vars.get('ZONE');
  if (!zone || zone.value === '') return undefined;
  const device = vars.get('DEVICE')?.value ?? baseName.replace(/^ifcfg-/, '');
  return { file, line: zone.line, format: 'ifcfg', id: vars.get('NAME')?.value || `System ${device}`, zone: zone.value };
}

// Control characters are what these match: a terminal acts on them, a shell line breaks on them.
/* eslint-disable no-control-regex */
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const escapeOf = (c: string) => { const n = c.charCodeAt(0); return n < 0x80 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`; };

/** UTF-8 bytes, not \\u: bash reads $'\\uHHHH' through the locale, $'\\xHH' the same everywhere. Only C0, DEL and C1 come here (one or two bytes). */
const utf8Escape = (c: string) => {
  const n = c.charCodeAt(0);
  const hex = (b: number) => `\\x${b.toString(16).padStart(2, '0')}`;
  return n < 0x80 ? hex(n) : hex(0xc0 | (n >> 6)) + hex(0x80 | (n & 0x3f));
};

/**
 * A word for the shell: POSIX single quotes, or, when it holds a control character (a newline,
 * an escape sequence a terminal would act on), bash/zsh ANSI-C quoting ($'...') so the command
 * stays on one line and prints nothing raw. Either way the shell expands nothing inside.
 */
export function shellWord(s: string): string {
  if (!CONTROL.test(s)) return shellQuote(s);
  return `$'${s.replace(/[\\'\x00-\x1f\x7f-\x9f]/g, (c) => (c === '\\' ? '\\\\' : c === "'" ? "\\'" : c === '\n' ? '\\n' : c === '\t' ? '\\t' : utf8Escape(c)))}'`;
}

/** Text from a host shown on one line: control characters as \xHH. */
export function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, escapeOf);
}
/* eslint-enable no-control-regex */

/**
 * The profiles that name a zone the request renames or deletes. A deleted zone's profiles are
 * pointed at the default zone (an empty connection.zone), which is what NetworkManager then uses.
 */
export function nmZoneWarnings(bindings: NmZoneBinding[], gone: Map<string, string | undefined>): NmZoneWarning[] {
  return bindings.filter((b) => gone.has(b.zone)).map((b) => {
    const to = gone.get(b.zone);
    // `id` first: an id that looks like a UUID or a D-Bus path is still taken as the id.
    const command = `nmcli connection modify id ${shellWord(b.id)} connection.zone ${to === undefined ? "''" : shellWord(to)}`;
    const what = to === undefined ? `zone ${b.zone} is deleted: NetworkManager would ask firewalld for a zone that does not exist` : `zone ${b.zone} is renamed to ${to}: NetworkManager would still ask firewalld for ${b.zone}`;
    return { ...b, ...(to === undefined ? {} : { to }), command, message: `NetworkManager profile ${printable(JSON.stringify(b.id))} (${printable(b.file)}:${b.line}) binds its interface to ${b.zone}; ${what}. Run: ${command}` };
  });
}
