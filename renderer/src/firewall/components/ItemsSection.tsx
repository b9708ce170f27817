import type { ReactNode } from 'react';
import { Label, LabelGroup, Tooltip } from '@patternfly/react-core';

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
  readOnly?: boolean;
  mono?: boolean;
  addForm?: ReactNode;
  describe?: (text: string) => string | undefined;
}

/**
 * One list of a zone or policy, runtime and permanent side by side. Items only one layer has are
 * marked; staged additions and removals show until they are applied.
 */
export function ItemsSection({ title, testId, runtime, permanent, adding, removing, keyOf = (t) => t, onRemove, onUndo, readOnly, mono, addForm, describe }: Props) {
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
          const label = (
            <Label
              key={t}
              color={gone ? 'red' : only ? (layer === 'runtime' ? 'blue' : 'orange') : 'grey'}
              variant={only ? 'filled' : 'outline'}
              className={`${gone ? 'hd-fw-removing' : ''} ${mono ? 'hd-fw-mono' : ''}`}
              data-testid={`fw-item-${testId}-${layer}`}
              data-item={t}
              data-diff={only ? `${layer}-only` : 'both'}
              onClose={readOnly ? undefined : gone ? () => onUndo(t) : () => onRemove(t)}
              closeBtnAriaLabel={gone ? `Keep ${t}` : `Remove ${t}`}
            >
              {t}
              {only ? (layer === 'runtime' ? ' · runtime only' : ' · permanent only') : ''}
            </Label>
          );
          const hint = describe?.(t);
          return hint ? <Tooltip key={t} content={hint}>{label}</Tooltip> : label;
        })}
        {layer === 'runtime' &&
          adding.map((t) => (
            <Label key={`+${t}`} color="green" className={mono ? 'hd-fw-mono' : ''} data-testid={`fw-item-${testId}-adding`} onClose={() => onUndo(t)} closeBtnAriaLabel={`Do not add ${t}`}>
              + {t}
            </Label>
          ))}
      </LabelGroup>
    );
  };
  return (
    <section className="hd-fw-section" data-testid={`fw-section-${testId}`}>
      <h3 className="hd-fw-section-title">{title}</h3>
      <div className="hd-fw-columns">
        <div>{column(runtime, 'runtime')}</div>
        <div>{column(permanent, 'permanent')}</div>
      </div>
      {!readOnly && addForm && <div className="hd-fw-add">{addForm}</div>}
    </section>
  );
}
