import { useOfflineView } from '../offline-view';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useRovingFocus } from './useRovingFocus';
import { Button, Label, LabelGroup, Tooltip } from '@patternfly/react-core';
import PencilAltIcon from '@patternfly/react-icons/dist/esm/icons/pencil-alt-icon';
import { useWriteGate } from '../../app/capabilities';

/** "4m 05s", "1h 02m", "12s": what is left of a runtime timeout. */
export function remaining(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** Re-renders every second while something counts down. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

interface Props {
  title: string;
  testId: string;
  runtime: string[];
  permanent: string[];
  /** Items staged for adding / removing (display text). */
  adding: string[];
  removing: string[];
  /** Key used to match the same item across layers (rich rules are normalized). */
  keyOf?: (text: string) => string;
  onRemove(text: string): void;
  onUndo(text: string): void;
  /** Change an item in place (opens the add form prefilled with it). */
  onEdit?(text: string): void;
  readOnly?: boolean;
  mono?: boolean;
  addForm?: ReactNode;
  describe?: (text: string) => string | undefined;
  /** Runtime items added with a timeout: item key -> when firewalld removes them (ms since epoch). */
  expiries?: ReadonlyMap<string, number>;
}

/**
 * One list of a zone or policy, runtime and permanent side by side. Items only one layer has are
 * marked; staged additions and removals show until they are applied.
 */
export function ItemsSection({ title, testId, runtime, permanent, adding, removing, keyOf = (t) => t, onRemove, onUndo, onEdit, readOnly: readOnlyList, mono, addForm, describe, expiries }: Props) {
  // A host that takes no changes shows its items without edit, remove or add controls (the page says why).
  const writesOff = useWriteGate().blocked;
  const readOnly = readOnlyList || writesOff;
  // Offline there is one layer, the files: one column, its items edited in place.
  const offline = useOfflineView();
  // The tick only re-renders; the time itself is read now, so a freshly shown expiry is right at once.
  useNow(!!expiries?.size);
  // The Remove / Edit buttons of the list are one Tab stop; arrow keys move between them.
  const columns = useRef<HTMLDivElement>(null);
  useRovingFocus(columns, { items: 'button' });
  const now = Date.now();
  const rKeys = new Set(runtime.map(keyOf));
  const pKeys = new Set(permanent.map(keyOf));
  const removingKeys = new Set(removing.map(keyOf));
  const column = (items: string[], layer: 'runtime' | 'permanent') => {
    const other = layer === 'runtime' ? pKeys : rKeys;
    return (
      <LabelGroup numLabels={50} isVertical={!!mono} className={mono ? 'hd-fw-wrap-labels' : undefined} aria-label={`${title} (${layer})`} data-testid={`fw-${testId}-${layer}`}>
        {items.length === 0 && adding.length === 0 && <span className="hd-fw-none">none</span>}
        {/* Same order in both columns, so matching items line up side by side. */}
        {[...items].sort((a, b) => keyOf(a).localeCompare(keyOf(b))).map((t) => {
          const only = !other.has(keyOf(t));
          const gone = removingKeys.has(keyOf(t));
          // One Remove / Edit per item: in the runtime column, or in the permanent one for items only it has.
          const controls = !readOnly && (layer === 'runtime' || only || offline);
          const label = (
            <Label
              key={t}
              color={gone ? 'red' : only ? (layer === 'runtime' ? 'blue' : 'orange') : 'grey'}
              variant={only ? 'filled' : 'outline'}
              className={`${gone ? 'hd-fw-removing' : ''} ${mono ? 'hd-fw-mono' : ''}`}
              data-testid={`fw-item-${testId}-${layer}`}
              data-item={t}
              data-diff={only ? `${layer}-only` : 'both'}
              onClose={!controls ? undefined : gone ? () => onUndo(t) : () => onRemove(t)}
              closeBtnAriaLabel={gone ? `Keep ${t} (${title})` : `Remove ${t} (${title})`}
            >
              {t}
              {only ? (layer === 'runtime' ? ' · runtime only' : ' · permanent only') : ''}
              {layer === 'runtime' && expiries?.has(keyOf(t)) && (
                <span
                  className="hd-fw-expiry"
                  data-testid="fw-item-expiry"
                  title={`firewalld removes it at ${new Date(expiries.get(keyOf(t))!).toLocaleString()}`}
                >
                  {' · '}expires in {remaining(expiries.get(keyOf(t))! - now)} (at {new Date(expiries.get(keyOf(t))!).toLocaleTimeString()})
                </span>
              )}
            </Label>
          );
          const hint = describe?.(t);
          const shown = hint ? <Tooltip key={t} content={hint}>{label}</Tooltip> : label;
          if (!controls || !onEdit || gone) return shown;
          return [
            shown,
            <Button
              key={`edit ${t}`}
              variant="plain"
              size="sm"
              className="hd-fw-edit-item"
              icon={<PencilAltIcon />}
              aria-label={`Edit ${t} (${title})`}
              data-testid={`fw-edit-${testId}`}
              data-item={t}
              onClick={() => onEdit(t)}
            />,
          ];
        })}
        {layer === (offline ? 'permanent' : 'runtime') &&
          adding.map((t) => (
            <Label key={`+${t}`} color="green" className={mono ? 'hd-fw-mono' : ''} data-testid={`fw-item-${testId}-adding`} data-item={t} onClose={() => onUndo(t)} closeBtnAriaLabel={`Do not add ${t} (${title})`}>
              + {t}
            </Label>
          ))}
      </LabelGroup>
    );
  };
  return (
    <section className="hd-fw-section" data-testid={`fw-section-${testId}`}>
      <h3 className="hd-fw-section-title">{title}</h3>
      <div className="hd-fw-columns" ref={columns}>
        {!offline && <div>{column(runtime, 'runtime')}</div>}
        <div>{column(permanent, 'permanent')}</div>
      </div>
      {!readOnly && addForm && <div className="hd-fw-add">{addForm}</div>}
    </section>
  );
}
