import { useState } from 'react';
import {
  Alert,
  Button,
  ClipboardCopy,
  ClipboardCopyVariant,
  Form,
  FormGroup,
  Label,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  ModalVariant,
  Skeleton,
  Tab,
  Tabs,
  TabTitleText,
  TextInput,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Tr } from '@patternfly/react-table';
import { useKernelStore, type ExportKind, type ExportWorkload } from '../store';
import { ColumnHeads } from '../../app/ColumnHeads';

const TITLES: Record<ExportKind, string> = {
  pod: 'Pod and Deployment securityContext.sysctls',
  kubelet: 'Kubelet allowedUnsafeSysctls',
  node: 'Node-level: sysctl.d, Tuned resource, DaemonSet',
  sandbox: 'Alibaba Cloud ACK secure-sandbox pod (sysctls annotation)',
  tuned: 'TuneD profile ([sysctl] section)',
};

const EXT: Record<string, string> = { yaml: 'yaml', ini: 'conf', sysctl: 'conf', shell: 'sh' };
const KIND_LABEL: Record<ExportKind, string> = { pod: 'Pod', kubelet: 'Kubelet', node: 'Node', sandbox: 'ACK sandbox', tuned: 'TuneD' };

/** Saves a snippet through the browser (no file system access needed in either mode). */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** One editable name of the exported workload; the export re-runs when the field is left or Enter is pressed. */
function WorkloadField({ field, label, placeholder }: { field: keyof ExportWorkload; label: string; placeholder: string }) {
  const stored = useKernelStore((s) => s.exportWorkload[field]);
  const setExportWorkload = useKernelStore((s) => s.setExportWorkload);
  const [text, setText] = useState(stored);
  const commit = () => {
    if (text !== stored) setExportWorkload({ [field]: text });
  };
  return (
    <FormGroup label={label} fieldId={`kernel-export-${field}`}>
      <TextInput
        id={`kernel-export-${field}`}
        data-testid={`kernel-export-${field}`}
        value={text}
        placeholder={placeholder}
        onChange={(_e, v) => setText(v)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit();
          }
        }}
      />
    </FormGroup>
  );
}

/** One dialog for every export target: documents as tabs, and why each key went where. */
export function ExportDialog() {
  const { exportKind, exportResult, closeExport, runExport, target } = useKernelStore();
  const [doc, setDoc] = useState<string | number>(0);
  if (!exportKind) return null;
  return (
    <Modal isOpen variant={ModalVariant.large} onClose={closeExport} aria-labelledby="kernel-export-title" data-testid="kernel-export-dialog">
      <ModalHeader
        title={TITLES[exportKind]}
        labelId="kernel-export-title"
        description={exportKind === 'tuned' ? 'Import it with tuned-adm after copying it to /etc/tuned/<name>/tuned.conf.' : `For Kubernetes ${target.k8s}, node kernel ${target.kernel || "of this host"}${target.podSecurityVersion ? `, PodSecurity ${target.podSecurityVersion}` : ''}${target.hostNetwork ? ', hostNetwork' : ''}${target.hostIPC ? ', hostIPC' : ''}.`}
      />
      <ModalBody>
        {(exportKind === 'pod' || exportKind === 'kubelet' || exportKind === 'sandbox') && (
          <Form isHorizontal className="hd-kernel-export-workload" data-testid="kernel-export-workload" onSubmit={(e) => e.preventDefault()}>
            <WorkloadField field="namespace" label="Namespace" placeholder="none, or the pod name when it needs PodSecurity privileged" />
            <WorkloadField field="podName" label="Pod name" placeholder="from the profile name" />
            <WorkloadField field="image" label="Image" placeholder="registry.example/app:latest (a placeholder)" />
          </Form>
        )}
        {exportResult.state === 'loading' || exportResult.state === 'idle' ? (
          <Skeleton height="240px" screenreaderText="Building the export" />
        ) : exportResult.state === 'error' ? (
          <Alert variant="danger" isInline title={`Cannot export (${exportResult.code})`} data-testid="kernel-export-error">
            {exportResult.message}
          </Alert>
        ) : (
          <div data-testid="kernel-export-output">
            {exportResult.value.problems.length > 0 && (
              <Alert
                variant={exportResult.value.problems.some((p) => p.severity === 'error') ? 'danger' : 'warning'}
                isInline
                title={`${exportResult.value.problems.length} problem${exportResult.value.problems.length === 1 ? '' : 's'} in the profile: fix ${exportResult.value.problems.length === 1 ? 'it' : 'them'} on the Profile tab`}
                data-testid="kernel-export-problems"
              >
                <ul>
                  {exportResult.value.problems.map((p, i) => (
                    <li key={i} data-testid={`kernel-export-problem-${p.key}`} data-severity={p.severity}>
                      {p.message}
                    </li>
                  ))}
                </ul>
              </Alert>
            )}
            {exportResult.value.omitted.length > 0 && (
              <Alert variant="info" isInline title={`${exportResult.value.omitted.length} key${exportResult.value.omitted.length === 1 ? ' is' : 's are'} not in this export: ${[...new Set(exportResult.value.omitted.map((o) => KIND_LABEL[o.goesTo]))].join(' and ')} export`} data-testid="kernel-export-omitted">
                <ul>
                  {exportResult.value.omitted.map((o) => (
                    <li key={o.key} data-testid={`kernel-export-omitted-${o.key}`} data-goes-to={o.goesTo}>
                      {o.reason}
                    </li>
                  ))}
                </ul>
              </Alert>
            )}
            {exportResult.value.documents.length === 0 || exportResult.value.documents.every((d) => !d.text.trim()) ? (
              <Alert variant="info" isInline title="Nothing to export for this target" />
            ) : (
              <Tabs activeKey={doc} onSelect={(_e, k) => setDoc(k)} aria-label="Export documents">
                {exportResult.value.documents.map((d, i) => (
                  <Tab key={d.title} eventKey={i} title={<TabTitleText>{d.title}</TabTitleText>}>
                    <div data-testid={`kernel-export-doc-${i}`} data-language={d.language} data-title={d.title}>
                      <ClipboardCopy isCode isReadOnly variant={ClipboardCopyVariant.expansion} isExpanded hoverTip="Copy" clickTip="Copied">
                        {d.text}
                      </ClipboardCopy>
                      <pre className="hd-kernel-hidden" data-testid={`kernel-export-text-${i}`}>
                        {d.text}
                      </pre>
                      <Button variant="link" onClick={() => download(`${d.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.${EXT[d.language] ?? 'txt'}`, d.text)}>
                        Download
                      </Button>
                    </div>
                  </Tab>
                ))}
              </Tabs>
            )}
            {exportResult.value.placements.length > 0 && (
              <Table aria-label="Why each key went where" variant="compact" data-testid="kernel-export-placements">
                <ColumnHeads names={['Key', 'Goes to', 'Why']} />
                <Tbody>
                  {exportResult.value.placements.map((p) => (
                    <Tr key={p.key}>
                      <Td>
                        <code>{p.key}</code> = <code>{p.value}</code>
                      </Td>
                      <Td>
                        <Label isCompact color={p.target === 'pod' ? 'green' : p.target === 'node' ? 'grey' : p.target === 'sandbox' ? 'blue' : 'orange'}>
                          {p.target}
                        </Label>
                      </Td>
                      <Td>{p.reason}</Td>
                    </Tr>
                  ))}
                </Tbody>
              </Table>
            )}
          </div>
        )}
      </ModalBody>
      <ModalFooter>
        {(['pod', 'kubelet', 'node', 'sandbox', 'tuned'] as const)
          .filter((k) => k !== exportKind)
          .map((k) => (
            <Button key={k} variant="secondary" onClick={() => { setDoc(0); void runExport(k); }}>
              {KIND_LABEL[k]}
            </Button>
          ))}
        <Button variant="primary" onClick={closeExport} data-testid="kernel-export-close">
          Close
        </Button>
      </ModalFooter>
    </Modal>
  );
}
