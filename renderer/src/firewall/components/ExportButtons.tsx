import { useState } from 'react';
import { Button, ClipboardCopy, ClipboardCopyVariant, Modal, ModalBody, ModalFooter, ModalHeader, ToggleGroup, ToggleGroupItem } from '@patternfly/react-core';
import { describeError, useFirewallStore } from '../store';
import { useHostApi, usePageHost } from '../../app/host-store';

/** Export a zone or policy as firewalld XML or a firewall-cmd script: shown, copied or downloaded. */
export function ExportButtons({ kind, name }: { kind: 'zone' | 'policy'; name: string }) {
  const hostId = usePageHost();
  const api = useHostApi();
  const [out, setOut] = useState<{ filename: string; mediaType: string; text: string } | undefined>();
  const [layer, setLayer] = useState<'permanent' | 'runtime'>('permanent');
  const open = async (format: 'xml' | 'script', l = layer) => {
    try {
      setOut(await api.firewall.export({ kind, name, format, layer: l, offline: useFirewallStore.of(hostId).getState().askedOffline || undefined }));
    } catch (e) {
      const { code, message } = describeError(e);
      useFirewallStore.of(hostId).getState().notify({ variant: 'danger', title: `Export failed [${code}]`, detail: message });
    }
  };
  const download = () => {
    if (!out) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([out.text], { type: out.mediaType }));
    a.download = out.filename;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return (
    <>
      <Button variant="link" data-testid={`fw-export-${kind}-xml`} onClick={() => void open('xml')}>Export XML</Button>
      <Button variant="link" data-testid={`fw-export-${kind}-script`} onClick={() => void open('script')}>Export firewall-cmd script</Button>
      <Modal isOpen={!!out} onClose={() => setOut(undefined)} variant="large" aria-labelledby="fw-export-title">
        <ModalHeader title={out?.filename ?? ''} labelId="fw-export-title" />
        <ModalBody>
          <ToggleGroup aria-label="Layer">
            {(['permanent', 'runtime'] as const).map((l) => (
              <ToggleGroupItem key={l} text={l} isSelected={layer === l} onChange={() => {
                setLayer(l);
                if (out) void open(out.filename.endsWith('.xml') ? 'xml' : 'script', l);
              }} />
            ))}
          </ToggleGroup>
          <ClipboardCopy isCode isReadOnly variant={ClipboardCopyVariant.expansion} isExpanded data-testid="fw-export-text" hoverTip="Copy" clickTip="Copied">
            {out?.text ?? ''}
          </ClipboardCopy>
        </ModalBody>
        <ModalFooter>
          <Button variant="primary" onClick={download}>Download</Button>
          <Button variant="link" onClick={() => setOut(undefined)}>Close</Button>
        </ModalFooter>
      </Modal>
    </>
  );
}
