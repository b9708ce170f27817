import { useRef, type ReactNode } from 'react';
import { useRovingFocus } from './useRovingFocus';

/** Any group with a roving tab stop (see useRovingFocus), as a wrapper element. */
export function Roving({ children, ...opts }: Parameters<typeof useRovingFocus>[1] & { children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useRovingFocus(ref, opts);
  return <div ref={ref}>{children}</div>;
}

/** The list of zones (policies, services, ...) on the left: one Tab stop, Up/Down/Home/End move, Enter opens. */
export function ListNav({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLElement>(null);
  useRovingFocus(ref, { items: '.hd-fw-list-item', current: '[aria-current="true"]', orientation: 'vertical' });
  return (
    <nav className="hd-fw-list" aria-label={label} ref={ref}>
      {children}
    </nav>
  );
}

/** A row of buttons (WAI-ARIA toolbar): one Tab stop, Left/Right move. */
export function ActionToolbar({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useRovingFocus(ref, { items: 'button', orientation: 'horizontal' });
  return (
    <div role="toolbar" aria-label={label} className={className ?? 'hd-fw-inline'} ref={ref}>
      {children}
    </div>
  );
}
