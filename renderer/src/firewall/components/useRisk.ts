import { useEffect, useMemo, useState } from 'react';
import type { SafeChange } from '../../../../shared/firewall/contract';
import { safeApplyRequired } from '../../../../shared/firewall/safety';
import type { FullState } from '../../../../shared/firewall/model';
import { useHostApi } from '../../app/host-store';

/**
 * Whether a staged change should go through safe apply: judged at once in the page (shared
 * shared/firewall/safety.ts, the same guard the host uses) and then by the host, which knows the SSH ports in use; either saying yes counts.
 */
export function useRisk(full: FullState, change: SafeChange | undefined) {
  const api = useHostApi();
  const local = useMemo(() => {
    if (!change) return { required: false, reasons: [] as string[] };
    return safeApplyRequired(change, { state: full });
  }, [full, change]);
  const key = change ? JSON.stringify(change) : '';
  const [remote, setRemote] = useState<{ key: string; required: boolean; reasons: string[] }>();
  useEffect(() => {
    if (!change) return;
    let live = true;
    const t = setTimeout(() => {
      api.firewall
        .safeApplyCheck({ change })
        .then((r) => live && setRemote({ key, required: r.required, reasons: r.reasons }))
        .catch(() => undefined);
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key, api]);
  const r = remote?.key === key ? remote : undefined;
  const reasons = [...new Set([...(r?.reasons ?? []), ...local.reasons])];
  return { required: local.required || !!r?.required, reasons };
}
