import type { ScalarTag } from 'yaml';

/**
 * Host data is hostile wherever it lands. These helpers make host-derived text inert in the
 * outputs compare generates: Ansible YAML (never templated), shell comments (one line), and the
 * names a fleet uses for its hosts (inventory host names). The `!unsafe` scalars themselves are
 * made in unsafe-scalar.ts: this module is read by every compare, the YAML library only by fixes.
 */

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Text for one comment line: every control character (newline, CR, ESC...) becomes a space. */
export function commentText(s: string): string {
  return s.replace(CONTROL, ' ');
}

/** Whether a string has a control character (C0, C1, DEL, U+2028/2029). */
export function hasControl(s: string): boolean {
  CONTROL.lastIndex = 0;
  const r = CONTROL.test(s);
  CONTROL.lastIndex = 0;
  return r;
}

/** For parsing a generated playbook back (tests, the UI): `!unsafe` scalars read as plain strings. */
export const unsafeTag: ScalarTag = { tag: '!unsafe', resolve: (s: string) => s };

export const INVENTORY_NAME_MAX = 253;

/**
 * Why `name` cannot be an Ansible inventory host name (and an ssh destination), or null: letters,
 * digits and `_ . - @ :` only, starting and ending with a letter, digit or `_`. This leaves out
 * everything an inventory, a `-i a,b,` list, a host pattern or a shell would read as syntax
 * (blanks, `,` `=` `[` `#` `{` `%` `$` quotes, controls).
 */
export function inventoryNameError(name: string): string | null {
  if (name === '') return 'a host name cannot be empty';
  if (name.length > INVENTORY_NAME_MAX) return `a host name has at most ${INVENTORY_NAME_MAX} characters`;
  if (!/^[A-Za-z0-9_](?:[A-Za-z0-9_.@:-]*[A-Za-z0-9_])?$/.test(name)) {
    return `${JSON.stringify(name)} is not a valid inventory host name (letters, digits and _ . - @ : only, starting and ending with a letter, digit or _)`;
  }
  return null;
}

/** A usable host name made from a file name ("node 3 (copy).txt" -> "node-3-copy"), or '' when nothing is left. */
export function nameFromFile(fileName: string): string {
  return fileName
    .replace(/\.(json|txt|conf|out|log)$/i, '')
    .replace(/[^A-Za-z0-9_.@:-]+/g, '-')
    .replace(/^[^A-Za-z0-9_]+|[^A-Za-z0-9_]+$/g, '')
    .slice(0, INVENTORY_NAME_MAX);
}
