import { useLayoutEffect, type RefObject } from 'react';

/** The nearest ancestor that scrolls vertically (the page's main panel), or the document. */
function scroller(el: HTMLElement): HTMLElement {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const oy = getComputedStyle(p).overflowY;
    if ((oy === 'auto' || oy === 'scroll') && p.scrollHeight > p.clientHeight) return p;
  }
  return document.documentElement;
}

/**
 * A sticky bar pinned to the top or bottom of the scrolling panel covers whatever scrolls under
 * it. While it is shown, the panel's scroll padding on that side is the bar's height, so focusing
 * a field (Tab, a click, scrollIntoView) scrolls it clear of the bar instead of behind it.
 */
export function useScrollPadding(ref: RefObject<HTMLElement | null>, side: 'top' | 'bottom'): void {
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const panel = scroller(el);
    const prop = side === 'top' ? 'scrollPaddingTop' : 'scrollPaddingBottom';
    const before = panel.style[prop];
    const update = () => {
      panel.style[prop] = `${el.getBoundingClientRect().height + 8}px`;
    };
    update();
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => {
      ro.disconnect();
      panel.style[prop] = before;
    };
  }, [ref, side]);
}
