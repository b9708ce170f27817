import { useState } from 'react';
import { Alert, Button, FileUpload, Modal, ModalBody, ModalFooter, ModalHeader, ModalVariant } from '@patternfly/react-core';
import { useKernelStore } from '../store';

export function TunedImportDialog({ onClose }: { onClose: () => void }) {
  const importTuned = useKernelStore((s) => s.importTuned);
  const [text, setText] = useState('');
  const [file, setFile] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<{ line: number; message: string }[] | null>(null);
  return (
    <Modal isOpen variant={ModalVariant.medium} onClose={onClose} aria-labelledby="kernel-tuned-import-title" data-testid="kernel-tuned-import">
      <ModalHeader title="Import a TuneD profile" labelId="kernel-tuned-import-title" description="Its [sysctl] section is added to the profile (same keys are replaced)." />
      <ModalBody>
        <FileUpload
          id="kernel-tuned-file"
          type="text"
          value={text}
          filename={file}
          filenamePlaceholder="Drop tuned.conf here or paste it below"
          onFileInputChange={(_e, f) => setFile(f.name)}
          onDataChange={(_e, d) => setText(d)}
          onTextChange={(_e, d) => setText(d)}
          onClearClick={() => {
            setText('');
            setFile('');
          }}
          allowEditingUploadedText
          browseButtonText="Open tuned.conf"
          data-testid="kernel-tuned-text"
        />
        {error && <Alert variant="danger" isInline title={error} />}
        {warnings && warnings.length > 0 && (
          <Alert variant="warning" isInline title="Imported with warnings">
            <ul>
              {warnings.map((w) => (
                <li key={w.line}>
                  line {w.line}: {w.message}
                </li>
              ))}
            </ul>
          </Alert>
        )}
      </ModalBody>
      <ModalFooter>
        <Button
          data-testid="kernel-tuned-import-confirm"
          isDisabled={!text.trim()}
          onClick={() =>
            importTuned(text).then(
              (w) => (w.length ? setWarnings(w) : onClose()),
              (e: { message?: string }) => setError(e.message ?? String(e)),
            )
          }
        >
          Import [sysctl]
        </Button>
        <Button variant="link" onClick={onClose}>
          {warnings ? 'Done' : 'Cancel'}
        </Button>
      </ModalFooter>
    </Modal>
  );
}
