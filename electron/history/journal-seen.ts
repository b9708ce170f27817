import { appendFileSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { helperJournalEntrySchema, helperJournalResultSchema, type HelperJournalEntry } from '../../shared/helper/protocol';

/**
 * The helper journal entries this HostDeck has seen for one host (from a write's answer or an
 * explicit read), kept next to its points (`journal-seen`, one JSON line each) so the timeline
 * merges them whenever it is listed, with no new authorization. The newest entry's time is the
 * position asked from next. Bounded: past MAX_BYTES the newest half is kept.
 */
const MAX_BYTES = 512 * 1024;

export class SeenJournal {
  readonly file: string;
  constructor(hostDir: string) {
    this.file = path.join(hostDir, 'journal-seen');
  }

  entries(): HelperJournalEntry[] {
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    const out: HelperJournalEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const e = helperJournalEntrySchema.safeParse(JSON.parse(line));
        if (e.success) out.push(e.data);
      } catch {
        // a torn line (a crash mid-append): skipped
      }
    }
    return out;
  }

  /** Where to ask from: the newest entry seen, else `fallback`. */
  since(fallback: number): number {
    const all = this.entries();
    return all.length ? Math.max(...all.map((e) => e.time)) : fallback;
  }

  /** Adds a helper's `journal` answer (checked; entries already seen are not added again). Returns how many were new. */
  add(journal: unknown): number {
    const j = helperJournalResultSchema.safeParse(journal);
    if (!j.success) return 0;
    const known = new Set(this.entries().map((e) => JSON.stringify(e)));
    const fresh = j.data.entries.map((e) => helperJournalEntrySchema.parse(e)).filter((e) => !known.has(JSON.stringify(e)) && (known.add(JSON.stringify(e)), true));
    if (!fresh.length) return 0;
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    appendFileSync(this.file, fresh.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
    try {
      if (statSync(this.file).size > MAX_BYTES) {
        const lines = readFileSync(this.file, 'utf8').split('\n').filter(Boolean);
        const tmp = `${this.file}.${process.pid}.tmp`;
        writeFileSync(tmp, lines.slice(Math.floor(lines.length / 2)).join('\n') + '\n', { mode: 0o600 });
        renameSync(tmp, this.file);
      }
    } catch {
      // bounded on the next add
    }
    return fresh.length;
  }
}
