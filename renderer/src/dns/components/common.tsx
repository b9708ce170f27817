import { useState } from 'react';
import { ClipboardCopyButton, CodeBlock, CodeBlockAction, CodeBlockCode } from '@patternfly/react-core';

export const severityVariant = { error: 'danger', warning: 'warning', info: 'info' } as const;

/** Diagnostics write commands in `backticks`: show them as code. */
export function WithCode({ text }: { text: string }) {
  const parts = text.split(/`([^`]+)`/);
  return <>{parts.map((p, i) => (i % 2 ? <code key={i}>{p}</code> : p))}</>;
}

/** A line's text with a trailing carriage return made visible (the mono font has no ␍ glyph). */
export function LineText({ text }: { text: string }) {
  const cr = text.endsWith('\r');
  const body = cr ? text.slice(0, -1) : text;
  return (
    <span className="hd-dns-line-text">
      {body || (cr ? '' : ' ')}
      {cr && (
        <span className="hd-dns-cr" title="carriage return (Windows line ending)">
          CR
        </span>
      )}
    </span>
  );
}

/** A read-only code block with a copy button. */
export function Snippet({ text, testId, label }: { text: string; testId: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <CodeBlock
      data-testid={testId}
      actions={
        <CodeBlockAction>
          <ClipboardCopyButton
            id={`${testId}-copy`}
            textId={`${testId}-text`}
            aria-label={label}
            onClick={() => void navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false))}
            exitDelay={copied ? 1500 : 600}
            variant="plain"
            onTooltipHidden={() => setCopied(false)}
          >
            {copied ? 'Copied' : 'Copy'}
          </ClipboardCopyButton>
        </CodeBlockAction>
      }
    >
      <CodeBlockCode id={`${testId}-text`}>{text}</CodeBlockCode>
    </CodeBlock>
  );
}
