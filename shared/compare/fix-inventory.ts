import YAML from 'yaml';
import { shellQuote } from '../firewall/export';
import { fixHeader, fixPlays, type FixOptions, type FixPlan } from './fix';

/**
 * The Ansible fix pointed at the inventory the compared hosts came from (`hosts import
 * --inventory`, `@group`, `compare --inventory`): run as `ansible-playbook -i INVENTORY --limit
 * PATTERN hostdeck-fix.yml`, so the inventory's connection settings, become and bastions apply,
 * and the pattern that chose the hosts bounds the run.
 *
 * Each play's `hosts:` lists the differing hosts by their inventory names. A name Ansible would
 * read as more than one host (`web*`, `a:b`, `!x`, blanks) or template (`{{ }}`) never goes into
 * the playbook: that host is left out with a note. (A guard such as `when: inventory_hostname in
 * [...]` is no way round it: evaluating it templates every host name in scope, so a hostile
 * name in the inventory would run its lookup on the admin's machine.)
 */

export interface PlaybookTarget {
  /** The inventory (a path on the machine that runs ansible-playbook). */
  inventory: string;
  /** The Ansible pattern the compared hosts were chosen by (--limit, @group). */
  limit?: string;
}

/** The command that runs the fix, each argument quoted for a POSIX shell. */
export function playbookCommand(t: PlaybookTarget, file = 'hostdeck-fix.yml'): string {
  return ['ansible-playbook', '-i', t.inventory, ...(t.limit ? ['--limit', t.limit] : []), file].map(shellQuote).join(' ');
}

/** A name a play's `hosts:` matches exactly that host by: no pattern syntax (`:` `,` `!` `&` `*` `~` `[`), no blanks, no template. */
export function plainHostName(name: string): boolean {
  return /^[A-Za-z0-9_](?:[A-Za-z0-9_.@-]*[A-Za-z0-9_])?$/.test(name) && name.length <= 253;
}

export function inventoryPlaybook(plan: FixPlan, target: PlaybookTarget, opts: FixOptions = {}): { playbook: string; notes: string[]; command: string } {
  const { plays, notes } = fixPlays(plan, opts);
  const command = playbookCommand(target);
  const left = new Set<string>();
  const kept = plays
    .map((p) => {
      const hosts = p.hosts.filter((h) => {
        if (plainHostName(h.value)) return true;
        left.add(h.value);
        return false;
      });
      return { ...p, hosts };
    })
    .filter((p) => p.hosts.length);
  for (const name of left) {
    notes.push(`${JSON.stringify(name)} is left out: its inventory name is not a plain host name (a play's hosts: would read it as a pattern or a template); fix it by hand, or give it a plain name in the inventory`);
  }
  // An image directory is in no inventory and no play (fixPlays gives its edit commands in the notes).
  const names = plan.hosts.filter((h) => !h.imageRoot).map((h) => h.name).filter((n) => !left.has(n));
  const header = fixHeader(plan, names, names.length ? command : 'nothing for ansible-playbook: every differing host is an image directory (see the notes)', notes);
  const body = kept.length ? new YAML.Document(kept).toString({ lineWidth: 0 }) : '[]\n';
  return { playbook: `${header}\n---\n${body}`, notes, command };
}
