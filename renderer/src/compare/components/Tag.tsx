import type { HTMLAttributes, ReactNode } from 'react';
import labelStyles from '@patternfly/react-styles/css/components/Label/label';
import { css } from '@patternfly/react-styles';

/**
 * A PatternFly label without PF Label's per-label layout effect: each of those reads offsetWidth
 * and sets state after mount, so the hundreds in a 1,000-host summary forced a layout and a second
 * render of the page before it showed (#17), and the 50 host cards of an import forced the layout
 * of every card, the ones content-visibility skips too (#22). These never truncate.
 */
export function Tag({ color, compact = true, className, children, ...rest }: { color?: 'blue' | 'green' | 'orange' | 'red'; compact?: boolean; className?: string; children: ReactNode } & Omit<HTMLAttributes<HTMLSpanElement>, 'color'>) {
  return (
    <span {...rest} className={css(labelStyles.label, labelStyles.modifiers.filled, compact && labelStyles.modifiers.compact, color && labelStyles.modifiers[color], className)}>
      <span className={labelStyles.labelContent}>
        <span className={labelStyles.labelText}>{children}</span>
      </span>
    </span>
  );
}
