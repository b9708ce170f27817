import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  List,
  ListItem,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
} from '@patternfly/react-core';
import { useDnsStore } from '../store';
import { diffLines } from '../../../../shared/dns/line-diff';
import { toBytes } from '../store';
import { LineText } from './common';
import { WriteButton } from '../../app/capabilities';

/** The pending change as a line diff against the file on disk, with the dangerous settings to confirm. */
export function ReviewModal() {
  const { file, text, analysis, reviewOpen, closeReview, doSave, encoding } = useDnsStore();
  const [understood, setUnderstood] = useState(false);
  const before = file.state === 'ready' ? file.value.text : '';
  const diff = useMemo(() => diffLines(before, text), [before, text]);
  const dangerous = analysis?.diagnostics.filter((d) => d.dangerous) ?? [];
  const changed = diff.filter((l) => l.kind !== 'same').length;
  useEffect(() => setUnderstood(false), [reviewOpen]);
  if (file.state !== 'ready') return null;
  return (
    <Modal isOpen={reviewOpen} onClose={closeReview} variant="medium" data-testid="dns-review" aria-labelledby="dns-review-title">
      <ModalHeader title={file.value.exists ? `Review changes to ${file.value.path}` : `Create ${file.value.path}`} labelId="dns-review-title" description={`${changed} line(s) differ from the file on disk (${encoding}).`} />
      <ModalBody>
        <div className="hd-dns-diff" data-testid="dns-diff">
          {diff.map((l, i) => (
            <div key={i} className={`hd-dns-diff-line hd-dns-diff-${l.kind}`} data-kind={l.kind}>
              <span className="hd-dns-line-no">{l.oldLine ?? ''}</span>
              <span className="hd-dns-line-no">{l.newLine ?? ''}</span>
              <span className="hd-dns-diff-mark">{l.kind === 'add' ? '+' : l.kind === 'del' ? '−' : ' '}</span>
              <LineText text={l.text} />
            </div>
          ))}
        </div>
        {toBytes(text, encoding) === toBytes(before, encoding) && <Alert isInline variant="info" title="No changes to write." />}
        {dangerous.length > 0 && (
          <Alert isInline variant="danger" title="This file has dangerous settings" data-testid="dns-confirm">
            <List>
              {dangerous.map((d, i) => (
                <ListItem key={i}>
                  {d.line ? `Line ${d.line}: ` : ''}
                  {d.message}
                </ListItem>
              ))}
            </List>
            <Checkbox id="dns-understood" label="I understand; write it anyway" isChecked={understood} onChange={(_, c) => setUnderstood(c)} data-testid="dns-confirm-check" />
          </Alert>
        )}
      </ModalBody>
      <ModalFooter>
        <WriteButton
          variant={dangerous.length ? 'danger' : 'primary'}
          isDisabled={changed === 0 || (dangerous.length > 0 && !understood)}
          onClick={() => void doSave(dangerous.length > 0)}
          data-testid="dns-write"
        >
          Write file
        </WriteButton>
        <Button variant="link" onClick={closeReview}>
          Keep editing
        </Button>
      </ModalFooter>
    </Modal>
  );
}
