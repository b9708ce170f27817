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
 * "changed" = configured by a sysctl.d file or drifting from it (the host's defaults are not
 * knowable in general: the kernel does not expose compiled-in defaults).
 */
export function filterRows<T extends Pick<ListRow, 'key' | 'value' | 'namespace' | 'status' | 'writable' | 'configured' | 'drift'>>(rows: readonly T[], f: KernelFilter): T[] {
  const terms = f.text.toLowerCase().split(/\s+/).filter(Boolean);
  const out: T[] = [];
  for (const r of rows) {
    if (f.changed && !r.configured && !r.drift) continue;
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
