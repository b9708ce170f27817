import { emitFacts, knownSections, type FactOptions, type FactSink, type SummarySection } from './summary-facts';
import type { Snapshot } from './snapshot';

/**
 * One host's summary facts recorded as a flat list of strings, so a worker thread that parsed
 * the snapshot sends the main thread only what the summary keeps (a few strings per fact, cheap
 * to copy between threads) instead of the whole parsed document. Replaying the record into a
 * FactSink gives the same calls, in the same order, as emitFacts on the snapshot.
 */
export interface RecordedHost {
  /** The snapshot's hostname (a file's host is named by it when its file name is no name). */
  hostname: string;
  known: Record<SummarySection, boolean>;
  /** Why a known-but-failed section was not read, per section. */
  reasons: Partial<Record<SummarySection, string>>;
  /**
   * Op codes and their operands: K domain (know), D section domain (the facts that follow are
   * of it), F key value (a fact), P key value (a yes/no fact).
   */
  ev: string[];
}

const sections = new Set<string>(['sysctl', 'sysctl.d', 'dns', 'firewall']);

export function recordHost(s: Snapshot, o: FactOptions): RecordedHost {
  const ev: string[] = [];
  let section = '';
  let domain = '';
  emitFacts(s, o, {
    know: (d) => void ev.push('K', d),
    fact: (sec, d, key, value, list) => {
      if (sec !== section || d !== domain) {
        section = sec;
        domain = d;
        ev.push('D', sec, d);
      }
      ev.push(list ? 'P' : 'F', key, value);
    },
  });
  const reasons: RecordedHost['reasons'] = {};
  const why = { sysctl: s.sysctl?.error, 'sysctl.d': s.sysctld?.error, dns: s.dns?.error, firewall: s.firewall?.error };
  for (const [k, v] of Object.entries(why)) if (v) reasons[k as SummarySection] = v;
  return { hostname: s.identity.hostname, known: knownSections(s, o.layer), reasons, ev };
}

/** Replays a record into a sink; a record that is not well formed (it crossed a thread) throws. */
export function replayHost(r: RecordedHost, sink: FactSink): void {
  const ev = r.ev;
  let section: SummarySection | null = null;
  let domain = '';
  for (let i = 0; i < ev.length; ) {
    const op = ev[i++];
    if (op === 'K') sink.know(ev[i++]!);
    else if (op === 'D') {
      const s = ev[i++]!;
      if (!sections.has(s)) throw new Error(`summary record: unknown section ${JSON.stringify(s)}`);
      section = s as SummarySection;
      domain = ev[i++]!;
    } else if ((op === 'F' || op === 'P') && section && i + 1 < ev.length) {
      sink.fact(section, domain, ev[i]!, ev[i + 1]!, op === 'P');
      i += 2;
    } else throw new Error(`summary record: unexpected ${JSON.stringify(op)} at ${i - 1}`);
  }
}
