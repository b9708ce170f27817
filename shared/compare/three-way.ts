import type { FirewallSnapshot, Snapshot } from './snapshot';

/** A compared host as diff.ts takes it (only what this file needs: no import back into diff.ts). */
interface CompareInput {
  label: string;
  snapshot: Snapshot | null;
}

/**
 * The three-way firewall comparison (issue #16): an image's (or a stopped firewalld's)
 * configuration files against a live host's runtime AND permanent layers. Each compared host
 * becomes one column per firewall layer it has: a live firewalld two ("web1 (runtime)",
 * "web1 (permanent)"), configuration files one ("img (configuration)"), anything else one.
 * The ordinary N-way comparison then runs over those columns, so every output (text, JSON,
 * Markdown, CSV, the grid) shows "runtime differs from the image, permanent does not" per key.
 */

export type ColumnLayer = 'runtime' | 'permanent' | 'configuration';

/** The firewall layers a host's snapshot has, in column order. */
export function layersOf(fw: FirewallSnapshot | null | undefined): ColumnLayer[] {
  if (!fw || !fw.running || fw.error) return [];
  // No daemon: both layers are the same files (electron/firewall/offline): one column.
  if (fw.offline) return fw.permanent ? ['configuration'] : [];
  return [...(fw.runtime ? (['runtime'] as const) : []), ...(fw.permanent ? (['permanent'] as const) : [])];
}

/** Whether a three-way view says more than one layer would: some host's files against some live host's two layers. */
export function wantsThreeWay(inputs: CompareInput[]): boolean {
  const layers = inputs.map((h) => layersOf(h.snapshot?.firewall));
  return layers.some((l) => l.includes('configuration')) && layers.some((l) => l.length === 2);
}

export interface LayerColumns<T extends CompareInput> {
  inputs: T[];
  /** Per column: the compared host's index and which of its layers the column shows (null: no firewall layer). */
  columns: { host: number; layer: ColumnLayer | null }[];
  /** The baseline's first column. */
  baseline: number;
}

/**
 * One input per column, its firewall's `runtime` set to the column's layer (so the ordinary
 * comparison of the runtime layer compares the columns). A host's second column carries only the
 * firewall: its sysctls and DNS are the same host's and shown once (the column says "not known").
 */
export function layerColumns<T extends CompareInput>(inputs: T[], baseline: number): LayerColumns<T> {
  const out: T[] = [];
  const columns: LayerColumns<T>['columns'] = [];
  let base = 0;
  inputs.forEach((h, i) => {
    if (i === baseline) base = out.length;
    const fw = h.snapshot?.firewall;
    const layers = layersOf(fw);
    if (!layers.length || !h.snapshot || !fw) {
      out.push(h);
      columns.push({ host: i, layer: null });
      return;
    }
    layers.forEach((layer, k) => {
      const chosen = layer === 'runtime' ? fw.runtime : fw.permanent;
      const snapshot = { ...h.snapshot!, firewall: { ...fw, runtime: chosen, permanent: chosen } };
      out.push({
        ...h,
        label: `${h.label} (${layer})`,
        snapshot: k === 0 ? snapshot : { ...snapshot, sysctl: null, sysctld: null, dns: null },
      });
      columns.push({ host: i, layer });
    });
  });
  return { inputs: out, columns, baseline: base };
}
