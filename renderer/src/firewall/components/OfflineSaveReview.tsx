import { Alert, Button, Modal, ModalBody, ModalFooter, ModalHeader, Spinner } from '@patternfly/react-core';
import { useOfflineSave } from '../offline-save';
import { usePageHost } from '../../app/host-store';
import { WriteButton } from '../../app/capabilities';
import { NmZoneWarnings } from './NmZoneWarnings';

/**
 * "Save to the files": what the dry run says changes (each file, written or removed, and its
 * changes in firewall-cmd's words), then the write; a CONFLICT or a refusal in plain words.
 */
export function OfflineSaveReview() {
  const hostId = usePageHost();
  const review = useOfflineSave((s) => s.review);
  const { save, close, reloadFiles } = useOfflineSave.of(hostId).getState();
  if (!review) return null;
  const f = review.failure;
  return (
    <Modal isOpen onClose={close} variant="medium" aria-labelledby="fw-offline-save-title" data-testid="fw-offline-save" data-phase={review.phase}>
      <ModalHeader title={`Save to the files: ${review.what}`} labelId="fw-offline-save-title" titleIconVariant={f ? 'danger' : undefined} />
      <ModalBody>
        {review.phase === 'checking' && (
          <p><Spinner size="md" aria-label="Checking" /> Checking the change as firewalld would load it…</p>
        )}
        {f && (
          <Alert
            isInline
            variant="danger"
            data-testid={f.kind === 'conflict' ? 'fw-offline-save-conflict' : 'fw-offline-save-refused'}
            title={f.kind === 'conflict' ? 'The files changed since they were read' : f.kind === 'refused' ? 'firewalld would refuse this: nothing was written' : `The save failed [${f.code}]`}
          >
            <p>{f.message}</p>
            {f.problems.length > 0 && (
              <ul>
                {f.problems.map((p, i) => (
                  <li key={i} data-testid="fw-offline-save-problem">
                    <code>{p.file}{p.line ? `:${p.line}` : ''}</code>: {p.element}: {p.message}
                  </li>
                ))}
              </ul>
            )}
          </Alert>
        )}
        {review.files && !f && (
          review.files.length === 0 ? <p data-testid="fw-offline-save-nothing">Nothing changes: the files already say this.</p> : (
            <>
              <p>These files {review.phase === 'saving' ? 'are being' : 'will be'} written through HostDeck's helper (a backup of each is kept). A running firewalld uses them after a reload; firewalld started later loads them.</p>
              <ul data-testid="fw-offline-save-files">
                {review.files.map((file) => (
                  <li key={file.path} data-testid="fw-offline-save-file" data-action={file.action}>
                    <code>{file.shown}</code> ({file.action === 'delete' ? 'removed: the default applies again' : 'written'}, {file.object}): {file.changes.join('; ')}
                  </li>
                ))}
              </ul>
            </>
          )
        )}
        {review.unchanged && review.unchanged.length > 0 && !f && (
          <ul data-testid="fw-offline-save-unchanged">
            {review.unchanged.map((u) => (
              <li key={u.shown} data-testid="fw-offline-save-unchanged-file">
                <code>{u.shown}</code> ({u.object}): unchanged, firewalld already reads it so; not written
              </li>
            ))}
          </ul>
        )}
        {review.warnings && review.warnings.length > 0 && !f && (
          <Alert isInline isPlain variant="warning" title="firewalld would load it, noting:">
            <ul>{review.warnings.map((p, i) => <li key={i}>{p.file}: {p.element}: {p.message}</li>)}</ul>
          </Alert>
        )}
        {!f && <NmZoneWarnings nm={review.nmProfiles} />}
      </ModalBody>
      <ModalFooter>
        {f?.kind === 'conflict' ? (
          <Button variant="primary" data-testid="fw-offline-save-reload" onClick={() => void reloadFiles()}>Reload the files</Button>
        ) : (
          <WriteButton
            variant="primary"
            data-testid="fw-offline-save-ok"
            isDisabled={review.phase !== 'ready' || !review.files?.length}
            isLoading={review.phase === 'saving'}
            onClick={() => void save()}
          >
            Save to the files
          </WriteButton>
        )}
        <Button variant="link" data-testid="fw-offline-save-cancel" onClick={close}>{f ? 'Close' : 'Cancel'}</Button>
      </ModalFooter>
    </Modal>
  );
}
