import { useLayoutEffect, type RefObject } from 'react';

interface Options {
  /** Which items take part (within the container), e.g. "button". */
  items: string;
  /** The item that is the group's Tab stop when focus is elsewhere: the selected zone or tab. */
  current?: string;
  /** Arrow keys that move: Up/Down, Left/Right or both. */
  orientation?: 'vertical' | 'horizontal' | 'both';
  /** Called with the item an arrow key moved to (tabs select it as they go, as WAI-ARIA suggests). */
  onMove?(el: HTMLElement): void;
  /** Elements inside the group taken out of the Tab order (PatternFly's tab panels carry tabindex=0 though they hold controls). */
  untab?: string;
}

/**
 * Roving tab index (WAI-ARIA practices): a group (zone list, tab bar, toolbar, the items of a
 * list) is one Tab stop; arrow keys, Home and End move inside it. The stop is the item last
 * focused, else `current`, else the first. Applied to the DOM after every change inside the
 * group, so items PatternFly renders (tabs, label close buttons) take part too.
 */
export function useRovingFocus(ref: RefObject<HTMLElement | null>, { items, current, orientation = 'both', onMove, untab }: Options): void {
  useLayoutEffect(() => {
    const root = ref.current;
    if (!root) return;
    let last: HTMLElement | undefined;
    const all = () => Array.from(root.querySelectorAll<HTMLElement>(items)).filter((el) => !(el as HTMLButtonElement).disabled && el.getAttribute('aria-disabled') !== 'true');
    const apply = () => {
      if (untab) for (const el of Array.from(root.querySelectorAll(untab))) if (el.getAttribute('tabindex') !== '-1') el.setAttribute('tabindex', '-1');
      const list = all();
      const stop = (last && list.includes(last) ? last : undefined) ?? (current ? list.find((el) => el.matches(current)) : undefined) ?? list[0];
      for (const el of list) {
        const want = el === stop ? '0' : '-1';
        if (el.getAttribute('tabindex') !== want) el.setAttribute('tabindex', want);
      }
    };
    const onFocus = (e: FocusEvent) => {
      const el = (e.target as HTMLElement).closest<HTMLElement>(items);
      if (el && root.contains(el) && all().includes(el)) {
        last = el;
        apply();
      }
    };
    // Focus left the group: the selected item is the stop again (a click elsewhere changes the selection).
    const onBlur = (e: FocusEvent) => {
      if (!root.contains(e.relatedTarget as Node | null) && current) {
        last = undefined;
        apply();
      }
    };
    const keys = {
      vertical: ['ArrowUp', 'ArrowDown'],
      horizontal: ['ArrowLeft', 'ArrowRight'],
      both: ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'],
    }[orientation];
    const onKey = (e: KeyboardEvent) => {
      const list = all();
      const i = list.indexOf(e.target as HTMLElement);
      if (i < 0) return;
      let next: number | undefined;
      if (keys.includes(e.key)) next = (i + (e.key === 'ArrowUp' || e.key === 'ArrowLeft' ? -1 : 1) + list.length) % list.length;
      else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = list.length - 1;
      if (next === undefined) return;
      e.preventDefault();
      last = list[next]!;
      apply();
      last.focus();
      onMove?.(last);
    };
    apply();
    const mo = new MutationObserver(apply);
    mo.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-current', 'aria-selected', 'disabled'] });
    root.addEventListener('focusin', onFocus);
    root.addEventListener('focusout', onBlur);
    root.addEventListener('keydown', onKey);
    return () => {
      mo.disconnect();
      root.removeEventListener('focusin', onFocus);
      root.removeEventListener('focusout', onBlur);
      root.removeEventListener('keydown', onKey);
    };
  }, [ref, items, current, orientation, onMove, untab]);
}
