import type { HelperJournalEntry } from '../helper/protocol';
import type { HistoryChange, HistoryPoint, HistorySection } from './model';

/**
 * The helper's journal merged into a timeline: a difference a read found that the helper's
 * journal explains (every change of the point matches an entry made between the point before and
 * this one) was made by HostDeck, from another machine or configuration, not outside HostDeck.
 * The point then says so, with the journal's who (the login that ran the helper).
 */

const VERB_WORDS: Record<string, string> = {
  'write-file': 'Wrote',
  'restore-backup': 'Restored from a backup',
  'delete-file': 'Deleted',
  'sysctl-set': 'Set kernel parameters',
};

/** Whether a journal entry can be the cause of one change of a point. */
export function entryExplains(e: HelperJournalEntry, c: HistoryChange): boolean {
  if (e.result === 'failed') return false;
  if (c.section === 'sysctl') return e.verb === 'sysctl-set' && (e.keys ?? []).includes(c.key);
  const p = e.path ?? '';
  if (c.section === 'dns') return p === '/etc/resolv.conf';
  if (c.section === 'sysctl.d') return p.startsWith('/etc/sysctl.d/');
  // firewalld's files are its permanent configuration.
  return c.layer === 'permanent' && p.startsWith('/etc/firewalld/');
}

/** Longest text of a journal field shown. */
const SHOWN_MAX = 160;

/**
 * A journal field as shown (timeline, CLI, exports): whatever wrote the journal, control and
 * direction characters appear as \u{..} escapes (no forged line, no terminal sequence, no
 * reordered text) and the text is bounded.
 */
export function journalText(v: string): string {
  const cut = [...v].slice(0, SHOWN_MAX);
  // eslint-disable-next-line no-control-regex
  const shown = cut.join('').replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
  return cut.length < [...v].length ? `${shown}…` : shown;
}

function entryText(e: HelperJournalEntry): string {
  const words = VERB_WORDS[e.verb] ?? e.verb;
  return e.keys?.length ? `${words} ${e.keys.join(', ')}` : e.path ? `${words} ${e.path}` : words;
}

/**
 * The points with the journal's entries merged in (the points themselves are not changed).
 * `points` oldest first. A change's window opens at the last earlier point that read its
 * section, not at the point just before: a read of another section in between (the DNS page
 * opened after a kernel change made elsewhere) says nothing about this one.
 */
export function mergeJournal(points: HistoryPoint[], entries: HelperJournalEntry[], hostLabel: string): HistoryPoint[] {
  if (!entries.length) return points;
  const lastRead = new Map<HistorySection, number>();
  return points.map((p) => {
    const opened = new Map(lastRead);
    for (const s of p.sections) lastRead.set(s, p.time);
    if (p.kind !== 'outside' || p.since === null || !p.changes.length) return p;
    const used = new Set<HelperJournalEntry>();
    for (const c of p.changes) {
      const from = Math.min(p.since, opened.get(c.section) ?? p.since);
      const e = entries.find((x) => x.time > from && x.time <= p.time && entryExplains(x, c));
      if (!e) return p;
      used.add(e);
    }
    // Only the summary's changes were matched when the point had more than it keeps.
    if (p.changesTotal > p.changes.length) return p;
    const first = [...used].sort((a, b) => a.time - b.time)[0]!;
    const logins = [...new Set([...used].map((e) => (e.login ? journalText(e.login) : `uid ${e.uid}`)))];
    const froms = [...new Set([...used].map((e) => (e.from ? journalText(e.from) : '')).filter(Boolean))];
    return {
      ...p,
      kind: 'change',
      what: `${[...used].map(entryText).join('; ')} (HostDeck from another machine or configuration, per the helper's journal)`,
      operation: `helper.${first.verb}`,
      who: { user: logins.join(', '), machine: `${hostLabel} (helper journal)`, login: null, hostUser: null, from: froms.length ? froms.join(', ') : null },
      result: 'applied',
    };
  });
}
