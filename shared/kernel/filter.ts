import type { ListRow } from './contract';

/** The list filters of the kernel page (pure, so the bench measures exactly what the UI runs). */
export interface KernelFilter {
  text: string;
  changed: boolean;
  namespaced: boolean;
  k8sSafe: boolean;
  writable: boolean;
}

export const emptyFilter: KernelFilter = { text: '', changed: false, namespaced: false, k8sSafe: false, writable: false };

/**
 * "changed" = differs from its default (a fresh namespace's value or the documented one, see
 * defaults.ts), or, for keys without a known default, configured by sysctl.d; or drifting.
 */
export function filterRows<T extends Pick<ListRow, 'key' | 'value' | 'namespace' | 'status' | 'writable' | 'changed' | 'drift'>>(rows: readonly T[], f: KernelFilter): T[] {
  const terms = f.text.toLowerCase().split(/\s+/).filter(Boolean);
  const out: T[] = [];
  for (const r of rows) {
    if (f.changed && !r.changed && !r.drift) continue;
    if (f.namespaced && r.namespace === null) continue;
    if (f.k8sSafe && r.status !== 'safe') continue;
    if (f.writable && !r.writable) continue;
    if (terms.length) {
      const hay = `${r.key} ${r.value ?? ''}`.toLowerCase();
      if (!terms.every((t) => hay.includes(t))) continue;
    }
    out.push(r);
  }
  return out;
}
