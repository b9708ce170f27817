import { useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  Label,
  Modal,
  ModalFooter,
  ModalHeader,
  PageSection,
  Skeleton,
  TextArea,
  Title,
} from '@patternfly/react-core';
import { useAppStore } from '../app/store';
import { dnsDraftsElsewhere, useDnsStore } from './store';
import { HelperStatus, privilegeHint } from '../helper/HelperStatus';
import type { Diagnostic } from '../../../shared/dns/diagnostics';
import { AnnotatedLines } from './components/AnnotatedLines';
import { LivePanel } from './components/LivePanel';
import { OwnerPanel } from './components/OwnerPanel';
import { PlanPanel } from './components/PlanPanel';
import { ResolvedPanel } from './components/ResolvedPanel';
import { ReviewModal } from './components/ReviewModal';
import { StructuredForm } from './components/StructuredForm';
import { usePageHost } from '../app/host-store';
import './dns.css';
import { WriteButton } from '../app/capabilities';
import { FeatureHistory } from '../history/components/FeatureHistory';

export function DnsPage() {
  const hostId = usePageHost();
  const { file, text, setText, analysis, load, loadResolved, openReview, save } = useDnsStore();
  useEffect(() => {
    void load().then(() => loadResolved());
  }, [load, loadResolved]);
  const dirty = file.state === 'ready' && text !== file.value.text;
  const hosts = useAppStore((s) => s.hosts);
  const labelOf = (id: string) => (hosts.state === 'ready' ? (hosts.value.find((h) => h.id === id)?.label ?? id) : id);
  const draftsElsewhere = dnsDraftsElsewhere(hostId);
  const [revertOpen, setRevertOpen] = useState(false);

  if (file.state === 'idle' || file.state === 'loading') {
    return (
      <PageSection data-testid="dns-page">
        <Skeleton height="300px" screenreaderText="Loading resolv.conf" />
      </PageSection>
    );
  }
  if (file.state === 'error') {
    return (
      <PageSection data-testid="dns-page">
        <EmptyState titleText="Cannot read resolv.conf" headingLevel="h2" status="danger" data-testid="dns-read-error">
          <EmptyStateBody>
            {file.message} [{file.code}]
          </EmptyStateBody>
          <EmptyStateFooter>
            <EmptyStateActions>
              <Button onClick={() => void load()}>Try again</Button>
            </EmptyStateActions>
          </EmptyStateFooter>
        </EmptyState>
      </PageSection>
    );
  }
  const diags = analysis?.diagnostics ?? [];
  const count = (sev: Diagnostic['severity']) => diags.filter((d) => d.severity === sev).length;
  return (
    <PageSection data-testid="dns-page">
      <div className="hd-dns-page">
      <div className="hd-dns-header">
        <div>
          <Title headingLevel="h1">DNS resolver</Title>
          <div className="hd-dns-path">
            <code data-testid="dns-path">{file.value.path}</code>
            {!file.value.exists && (
              <Label isCompact color="orange">
                does not exist yet
              </Label>
            )}
            {dirty && (
              <Label isCompact color="blue" data-testid="dns-dirty">
                unsaved changes
              </Label>
            )}
            {count('error') > 0 && (
              <Label isCompact color="red">
                {count('error')} error{count('error') === 1 ? '' : 's'}
              </Label>
            )}
            {count('warning') > 0 && (
              <Label isCompact color="orange">
                {count('warning')} warning{count('warning') === 1 ? '' : 's'}
              </Label>
            )}
          </div>
        </div>
        <div className="hd-dns-header-actions">
          {!file.value.writable && <span className="hd-dns-subtle" data-testid="dns-write-note">{file.value.writeNote ? `Read-only here: ${file.value.writeNote}` : 'Read-only here: see below for what saving needs'}</span>}
          <Button variant="link" isDisabled={!dirty} onClick={() => setRevertOpen(true)} data-testid="dns-revert">
            Revert…
          </Button>
          <WriteButton variant="primary" isDisabled={!dirty || !file.value.writable} onClick={openReview} data-testid="dns-save">
            {file.value.exists ? 'Review and save' : 'Review and create'}
          </WriteButton>
        </div>
      </div>
      {!file.value.writable && <HelperStatus what="Saving resolv.conf" />}
      {draftsElsewhere.length > 0 && (
        <Alert isInline isPlain variant="info" title={`Unsaved resolv.conf edits are kept for ${draftsElsewhere.map(labelOf).join(', ')}: switch back to save or revert them.`} data-testid="dns-drafts-elsewhere" />
      )}
      {save.state === 'error' && (
        <Alert isInline variant="danger" title={`${save.message} [${save.code}]`} data-testid="dns-save-error">
          {privilegeHint(save.code)}
          {'current' in save && save.current !== undefined && (
            <>
              <p>The file on disk now:</p>
              <pre className="hd-dns-conflict" data-testid="dns-conflict-current">{save.current}</pre>
            </>
          )}
        </Alert>
      )}
      {save.state === 'ready' && !dirty && <Alert isInline variant="success" title={`Saved ${save.value.path}`} data-testid="dns-saved" />}
      <OwnerPanel />
      <div className="hd-dns-grid">
        <StructuredForm />
        <Card isCompact>
          <CardTitle component="h2">resolv.conf text, with each warning under its line</CardTitle>
          <CardBody>
            <TextArea
              aria-label="resolv.conf text"
              className="hd-dns-raw"
              value={text}
              onChange={(_, v) => setText(v)}
              data-testid="dns-raw"
              resizeOrientation="vertical"
              placeholder={'nameserver 192.0.2.53\nsearch corp.example\noptions ndots:1'}
            />
            {text ? (
              <AnnotatedLines text={text} warnings={diags} />
            ) : (
              <p className="hd-dns-subtle hd-dns-gap-top" data-testid="dns-lines-empty">
                The file is empty: glibc and musl use 127.0.0.1 and the host name&apos;s domain.
              </p>
            )}
          </CardBody>
        </Card>
      </div>
      <PlanPanel />
      <LivePanel />
      <ResolvedPanel />
      </div>
      <ReviewModal />
      <Modal isOpen={revertOpen && dirty} onClose={() => setRevertOpen(false)} variant="small" data-testid="dns-revert-confirm" aria-labelledby="dns-revert-title">
        <ModalHeader title="Discard your changes?" labelId="dns-revert-title" titleIconVariant="warning" description={`The text goes back to ${file.value.path} as it is on disk; the unsaved edits are lost.`} />
        <ModalFooter>
          <Button
            variant="danger"
            data-testid="dns-revert-discard"
            onClick={() => {
              setText(file.value.text);
              setRevertOpen(false);
            }}
          >
            Discard changes
          </Button>
          <Button variant="link" onClick={() => setRevertOpen(false)} data-testid="dns-revert-keep">
            Keep editing
          </Button>
        </ModalFooter>
      </Modal>
      <FeatureHistory feature="dns" />
    </PageSection>
  );
}
