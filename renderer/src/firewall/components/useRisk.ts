import { useEffect, useMemo, useState } from 'react';
import type { SafeChange } from '../../../../shared/firewall/contract';
import { needsSafeApply, type FirewallChange } from '../../../../shared/firewall/diff';
import type { FullState } from '../../../../shared/firewall/model';
import { api } from '../../app/api';

/**
 * Whether a staged change should go through safe apply: judged at once in the page (shared
 * diff.ts) and then by the host, which knows the SSH ports in use; either saying yes counts.
 */
export function useRisk(full: FullState, change: SafeChange | undefined, hostId: string) {
  const local = useMemo(() => {
    if (!change) return { required: false, reasons: [] as string[] };
    const c: FirewallChange =
      change.type === 'zone' ? { kind: 'zone', zone: change.name, patch: change.patch }
        : change.type === 'policy' ? { kind: 'policy', policy: change.name, patch: change.patch }
          : { kind: 'panic', enable: change.enabled };
    return needsSafeApply(c, {
      zones: full.runtime.zones,
      policies: full.runtime.policies,
      services: full.runtime.services,
      defaultZone: full.global.defaultZone,
      activeZones: full.global.activeZones,
    });
  }, [full, change]);
  const key = change ? JSON.stringify(change) : '';
  const [remote, setRemote] = useState<{ key: string; required: boolean; reasons: string[] }>();
  useEffect(() => {
    if (!change) return;
    let live = true;
    const t = setTimeout(() => {
      api.firewall
        .safeApplyCheck({ change }, { host: hostId })
        .then((r) => live && setRemote({ key, required: r.required, reasons: r.reasons }))
        .catch(() => undefined);
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key, hostId]);
  const r = remote?.key === key ? remote : undefined;
  const reasons = [...new Set([...(r?.reasons ?? []), ...local.reasons])];
  return { required: local.required || !!r?.required, reasons };
}
