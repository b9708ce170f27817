import { Alert, Button } from '@patternfly/react-core';
import { useDnsStore } from '../store';
import type { Diagnostic } from '../../../../shared/dns/diagnostics';
import { LineText, WithCode, severityVariant } from './common';

function WarningAlert({ d }: { d: Diagnostic }) {
  const applyFix = useDnsStore((s) => s.applyFix);
  const e = d.edit;
  return (
    <Alert
      component="h3"
      isInline
      isPlain
      variant={severityVariant[d.severity]}
      title={d.message}
      className="hd-dns-warning"
      data-testid={`dns-warning-line-${d.line}`}
      data-code={d.code}
      actionLinks={
        e ? (
          <Button
            variant="link"
            isInline
            onClick={() => applyFix(d)}
            data-testid={`dns-fix-line-${d.line}`}
            data-code={d.code}
          >
            {/* The visible text is the accessible name (WCAG 2.5.3); the preview below says what the line becomes. */}
            {e.kind === 'deleteLine' ? `Fix: delete line ${e.line}` : `Fix line ${e.line}`}
          </Button>
        ) : undefined
      }
    >
      Fix: <WithCode text={d.fix} />
      {e?.kind === 'replaceLine' && (
        <>
          {' '}
          The line becomes <code className="hd-dns-fix-preview">{e.text.replace(/\r$/, ' CR') || '(empty)'}</code>
        </>
      )}
      {e?.kind === 'splitLine' && (
        <>
          {' '}
          The line becomes{' '}
          {e.lines.map((l, i) => (
            <span key={i}>
              {i > 0 && (i === e.lines.length - 1 ? ' and ' : ', ')}
              <code className="hd-dns-fix-preview">{l.replace(/\r$/, ' CR') || '(empty)'}</code>
            </span>
          ))}
          .
        </>
      )}
    </Alert>
  );
}

/** Raw lines with each warning directly under the line it is about. */
export function AnnotatedLines({ text, warnings }: { text: string; warnings: Diagnostic[] }) {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const byLine = new Map<number, Diagnostic[]>();
  for (const w of warnings) byLine.set(w.line, [...(byLine.get(w.line) ?? []), w]);
  return (
    <div className="hd-dns-lines" data-testid="dns-lines">
      {(byLine.get(0) ?? []).map((d, i) => (
        <WarningAlert key={`f${i}`} d={d} />
      ))}
      {lines.map((l, i) => (
        <div key={i}>
          <div className="hd-dns-line" data-testid={`dns-line-${i + 1}`}>
            <span className="hd-dns-line-no">{i + 1}</span>
            <LineText text={l} />
          </div>
          {(byLine.get(i + 1) ?? []).map((d, k) => (
            <WarningAlert key={k} d={d} />
          ))}
        </div>
      ))}
    </div>
  );
}
