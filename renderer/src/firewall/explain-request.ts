import type { Flow } from '../../../shared/firewall/explain/flow';
import { hostStores } from '../app/host-store';

/**
 * "Explain this": a flow another part of the Firewall page wants explained (the denied-packet
 * feed's Explain action), per host. The "Will this connection pass?" panel fills its form from
 * `flow` when `seq` changes and runs it; nothing else is needed to hook it up:
 *
 *   const req = useExplainRequest((s) => s.request);
 *   useEffect(() => { if (req) fillAndExplain(req.flow); }, [req?.seq]);
 */
export interface ExplainRequestState {
  /** The latest request; `seq` grows with each, so the same flow asked twice is seen twice. */
  request: { flow: Flow; seq: number; from: string } | undefined;
  /** Ask for this flow to be explained (`from` says who asked, e.g. "denied packets"). */
  explainFlow(flow: Flow, from?: string): void;
  clear(): void;
}

export const useExplainRequest = hostStores<ExplainRequestState>(() => (set, get) => ({
  request: undefined,
  explainFlow: (flow, from = 'denied packets') => set({ request: { flow, from, seq: (get().request?.seq ?? 0) + 1 } }),
  clear: () => set({ request: undefined }),
}));
