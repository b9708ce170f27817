import type { HistoryFeature, HistoryPoint, Who } from '../../../shared/history/model';
import type { OpOutput } from '../../../shared/api/contract';
import { hostStores, type HostStores } from '../app/host-store';
import { errorOf, loadInto, type Load } from '../app/load';

export type Timeline = OpOutput<'history', 'list'>;
export type PointDiff = OpOutput<'history', 'diff'>;
export type RestorePlan = OpOutput<'history', 'restorePreview'>;
export type RestoreDone = OpOutput<'history', 'restore'>;

/** Where a timeline is shown: the History page (every feature) or a feature page's History panel. */
export type HistoryScope = 'all' | HistoryFeature;

export interface HistoryFilters {
  /** '' = every feature (the History page only; a panel is fixed to its feature). */
  feature: '' | HistoryFeature;
  /** A "who" as whoText() writes it; '' = anyone. */
  who: string;
  outsideOnly: boolean;
  text: string;
}

export const noFilters: HistoryFilters = { feature: '', who: '', outsideOnly: false, text: '' };

/** "root on build-3", or "root on build-3 as node-7 (admin on the host)" for an SSH host. */
export function whoText(w: Who | null): string {
  if (!w) return '';
  return `${w.user} on ${w.machine}${w.login ? ` as ${w.login}` : ''}${w.hostUser ? ` (${w.hostUser} on the host)` : ''}${w.from ? ` from ${w.from}` : ''}`;
}

interface HistoryState {
  timeline: Load<Timeline>;
  filters: HistoryFilters;
  /** Points chosen to compare, at most two, in the order picked. */
  picked: string[];
  diff: Load<PointDiff> | null;
  /** "Back to this point": the plan for the point, then the outcome once confirmed. */
  restore: { point: string; plan: Load<RestorePlan>; done: Load<RestoreDone> | null } | null;
  /** "Read the host's journal" (one authorization where writes need one), then the timeline again. */
  journal: Load<OpOutput<'history', 'readJournal'>> | null;
  load(): Promise<void>;
  readJournal(): Promise<void>;
  setFilters(f: Partial<HistoryFilters>): void;
  pick(id: string): void;
  /** The difference between the two picked points, or the picked one and the host now. */
  compare(): Promise<void>;
  closeDiff(): void;
  previewRestore(id: string): Promise<void>;
  confirmRestore(): Promise<void>;
  cancelRestore(): void;
}

/** The points the list op cannot filter (who is matched here, on the exact person). */
export function visiblePoints(points: HistoryPoint[], f: HistoryFilters): HistoryPoint[] {
  return f.who ? points.filter((p) => whoText(p.who) === f.who) : points;
}

function makeFamily(scope: HistoryScope): HostStores<HistoryState> {
  return hostStores<HistoryState>(({ api }) => (set, get) => ({
    timeline: { state: 'idle' },
    filters: { ...noFilters, feature: scope === 'all' ? '' : scope },
    picked: [],
    diff: null,
    restore: null,
    journal: null,
    async readJournal() {
      await loadInto((j) => set({ journal: j }), () => api.history.readJournal({}));
      if (get().journal?.state === 'ready') await get().load();
    },
    async load() {
      const f = get().filters;
      const input = { ...(f.feature ? { feature: f.feature } : {}), ...(f.outsideOnly ? { kind: 'outside' as const } : {}), ...(f.text.trim() ? { text: f.text.trim() } : {}) };
      // A reload keeps the rows on screen until the new answer is there.
      if (get().timeline.state !== 'ready') set({ timeline: { state: 'loading' } });
      try {
        const t = await api.history.list(input);
        if (get().filters === f) set({ timeline: { state: 'ready', value: t } });
      } catch (e) {
        set({ timeline: errorOf(e) });
      }
    },
    setFilters(p) {
      set({ filters: { ...get().filters, ...p, ...(scope === 'all' ? {} : { feature: scope }) } });
      void get().load();
    },
    pick(id) {
      const cur = get().picked;
      set({ picked: cur.includes(id) ? cur.filter((x) => x !== id) : [...cur, id].slice(-2) });
    },
    async compare() {
      const t = get().timeline;
      const picked = get().picked;
      if (!picked.length || t.state !== 'ready') return;
      // Older point first, so the columns read "then → later".
      const order = (id: string) => t.value.points.findIndex((p) => p.id === id);
      const [from, to] = picked.length === 2 ? [...picked].sort((a, b) => order(a) - order(b)) : [picked[0]!, 'now'];
      await loadInto((d) => set({ diff: d }), () => api.history.diff({ from: from!, to: to! }));
    },
    closeDiff: () => set({ diff: null }),
    async previewRestore(point) {
      set({ restore: { point, plan: { state: 'loading' }, done: null } });
      try {
        const plan = await api.history.restorePreview({ point });
        if (get().restore?.point === point) set({ restore: { point, plan: { state: 'ready', value: plan }, done: null } });
      } catch (e) {
        if (get().restore?.point === point) set({ restore: { point, plan: errorOf(e), done: null } });
      }
    },
    async confirmRestore() {
      const r = get().restore;
      if (!r || r.plan.state !== 'ready' || r.done) return;
      const put = (done: Load<RestoreDone>) => {
        const cur = get().restore;
        if (cur?.point === r.point) set({ restore: { ...cur, done } });
      };
      await loadInto(put, () => api.history.restore({ point: r.point, confirm: true }));
      // The restore is a point of its own: show it.
      await get().load();
    },
    cancelRestore: () => set({ restore: null }),
  }));
}

const families = new Map<HistoryScope, HostStores<HistoryState>>();

/** The per-host history store of the History page ('all') or of one feature page's panel. */
export function historyStore(scope: HistoryScope): HostStores<HistoryState> {
  let f = families.get(scope);
  if (!f) {
    f = makeFamily(scope);
    families.set(scope, f);
  }
  return f;
}
