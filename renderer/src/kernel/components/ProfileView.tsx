import { useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  EmptyState,
  EmptyStateBody,
  FileUpload,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  Label,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  ModalVariant,
  Skeleton,
  Spinner,
  TextArea,
  TextInput,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useAppStore } from '../../app/store';
import { ExportDialog } from './ExportDialog';
import { useKernelStore, type ProfileLine } from '../store';
import { targetText } from '../verdict';
import { HelperStatus, privilegeHint } from '../../helper/HelperStatus';

export function parseLines(text: string): ProfileLine[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith(';'))
    .map((l) => {
      const i = l.indexOf('=');
      return i < 0 ? { key: l, value: '' } : { key: l.slice(0, i).trim(), value: l.slice(i + 1).trim() };
    });
}

const linesText = (lines: ProfileLine[]) => lines.map((l) => `${l.key} = ${l.value}`).join('\n');

function TunedImportDialog({ onClose }: { onClose: () => void }) {
  const hostId = useAppStore((s) => s.hostId);
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
            importTuned(text, hostId).then(
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

function RevertChoice() {
  const { revertSeconds, setRevertSeconds } = useKernelStore();
  return (
    <Checkbox
      id="kernel-apply-revert"
      data-testid="kernel-apply-revert"
      isChecked={revertSeconds !== null}
      onChange={(_e, on) => setRevertSeconds(on ? 60 : null)}
      label={
        <>
          Revert automatically unless I confirm within{' '}
          <TextInput
            aria-label="Seconds before the automatic revert"
            type="number"
            className="hd-kernel-revert-seconds"
            data-testid="kernel-apply-revert-seconds"
            value={revertSeconds ?? 60}
            isDisabled={revertSeconds === null}
            onChange={(_e, v) => setRevertSeconds(Math.min(3600, Math.max(5, Math.round(Number(v)) || 60)))}
          />{' '}
          seconds
        </>
      }
      description="For changes that could cut you off (networking keys over SSH): the host restores the previous values by itself, even if HostDeck or the connection is gone."
    />
  );
}

/** The running "revert unless confirmed" timer: countdown, Keep, and what happened. */
function RevertTimer() {
  const hostId = useAppStore((s) => s.hostId);
  const { revertTimer, keepApplied, refreshRevert } = useKernelStore();
  const [now, setNow] = useState(() => Date.now());
  const pending = revertTimer?.status === 'pending' || revertTimer?.status === 'reverting';
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [pending]);
  const left = revertTimer ? Math.ceil((revertTimer.deadlineMs - now) / 1000) : 0;
  useEffect(() => {
    if (pending && left <= -1 && (-left) % 2 === 1) void refreshRevert(hostId);
  }, [pending, left, refreshRevert, hostId]);
  if (!revertTimer) return null;
  if (pending) {
    return (
      <Alert
        isInline
        variant="warning"
        data-testid="kernel-revert-pending"
        title={left > 0 ? `These values revert in ${left} s unless you keep them` : 'Reverting now…'}
        actionLinks={
          <Button variant="primary" size="sm" data-testid="kernel-revert-keep" isDisabled={left <= 0} onClick={() => void keepApplied(hostId)}>
            Keep these values
          </Button>
        }
      >
        {revertTimer.error}
      </Alert>
    );
  }
  const text: Record<string, string> = {
    cancelled: 'Kept: the automatic revert was cancelled.',
    reverted: 'Reverted: the previous values are back (not confirmed in time).',
    failed: 'The automatic revert could not restore every key.',
  };
  return (
    <Alert isInline isPlain variant={revertTimer.status === 'cancelled' ? 'success' : revertTimer.status === 'reverted' ? 'info' : 'danger'} title={text[revertTimer.status] ?? revertTimer.status} data-testid="kernel-revert-done">
      {revertTimer.error}
    </Alert>
  );
}

function ApplyConfirm() {
  const hostId = useAppStore((s) => s.hostId);
  const { applyPlan, cancelApply, confirmApply, applyResult } = useKernelStore();
  if (applyPlan.state === 'idle') return null;
  const plan = applyPlan.state === 'ready' ? applyPlan.value : null;
  return (
    <Modal isOpen variant={ModalVariant.large} onClose={cancelApply} aria-labelledby="kernel-apply-title" data-testid="kernel-apply-confirm">
      <ModalHeader
        title="Apply to the live kernel?"
        labelId="kernel-apply-title"
        titleIconVariant="warning"
        description="Values are written now, in this order, to /proc/sys. They last until reboot unless the profile is also saved to /etc/sysctl.d. The previous values are recorded for Undo."
      />
      <ModalBody>
        {applyPlan.state === 'loading' ? (
          <Skeleton height="160px" screenreaderText="Computing what would change" />
        ) : applyPlan.state === 'error' ? (
          <Alert variant="danger" isInline title={`Cannot apply (${applyPlan.code})`}>
            {applyPlan.message}
          </Alert>
        ) : (
          <Table aria-label="What would change" variant="compact" data-testid="kernel-apply-plan">
            <Thead>
              <Tr>
                <Th>Key</Th>
                <Th>Now</Th>
                <Th>After</Th>
                <Th>Outcome</Th>
              </Tr>
            </Thead>
            <Tbody>
              {plan!.results.map((r) => (
                <Tr key={r.key} data-testid={`kernel-apply-plan-${r.key}`}>
                  <Td>
                    <code>{r.key}</code>
                  </Td>
                  <Td>
                    <code>{r.previous ?? '—'}</code>
                  </Td>
                  <Td>
                    <code>{r.value}</code>
                  </Td>
                  <Td>
                    {r.outcome === 'failed' ? (
                      <Label color="red" isCompact>
                        will fail: {r.error?.message}
                      </Label>
                    ) : r.outcome === 'planned' ? (
                      <Label color="orange" isCompact>
                        changes{r.undoable ? '' : ' (cannot be undone)'}
                      </Label>
                    ) : (
                      <Label isCompact>unchanged</Label>
                    )}
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
        {plan && plan.summary.planned > 0 && <RevertChoice />}
      </ModalBody>
      <ModalFooter>
        <Button
          variant="warning"
          data-testid="kernel-apply-go"
          isDisabled={!plan || plan.summary.planned === 0}
          isLoading={applyResult.state === 'loading'}
          onClick={() => void confirmApply(hostId)}
        >
          {plan ? `Apply ${plan.summary.planned} change${plan.summary.planned === 1 ? '' : 's'}` : 'Apply'}
        </Button>
        <Button variant="link" onClick={cancelApply}>
          Cancel
        </Button>
      </ModalFooter>
    </Modal>
  );
}

function ApplyOutcome() {
  const hostId = useAppStore((s) => s.hostId);
  const { applyResult, undoEntries, undo, undoResult } = useKernelStore();
  if (applyResult.state === 'idle' || applyResult.state === 'loading') return null;
  if (applyResult.state === 'error') {
    return (
      <Alert variant="danger" isInline title={`Not applied (${applyResult.code})`} data-testid="kernel-apply-error">
        {applyResult.message} {privilegeHint(applyResult.code)}
      </Alert>
    );
  }
  const r = applyResult.value;
  return (
    <>
    <RevertTimer />
    <Alert
      variant={r.summary.failed ? 'warning' : 'success'}
      isInline
      data-testid="kernel-apply-result"
      title={`${r.summary.applied} applied, ${r.summary.unchanged} unchanged, ${r.summary.failed} failed`}
      actionLinks={
        undoEntries.length > 0 ? (
          <Button variant="link" isInline data-testid="kernel-apply-undo" isLoading={undoResult.state === 'loading'} onClick={() => void undo(hostId)}>
            Undo ({undoEntries.length})
          </Button>
        ) : undefined
      }
    >
      <ul>
        {r.results
          .filter((x) => x.outcome !== 'unchanged')
          .map((x) => (
            <li key={x.key} data-testid={`kernel-apply-outcome-${x.key}`}>
              <code>{x.key}</code>:{' '}
              {x.outcome === 'failed' ? `failed — ${x.error?.message}` : `${x.previous ?? '?'} → ${x.readBack ?? x.value}`}
              {x.outcome === 'applied' && x.readBack !== null && x.readBack.replace(/\s+/g, ' ') !== x.value ? ' (the kernel reports a different value than written)' : ''}
            </li>
          ))}
      </ul>
      {undoResult.state === 'error' && <Alert variant="danger" isInline isPlain title={undoResult.message} />}
      {undoResult.state === 'ready' && (
        <p data-testid="kernel-undo-result">
          Undo:{' '}
          {undoResult.value.results.map((u) => `${u.key} ${u.outcome}${u.error ? ` (${u.error.message})` : ''}`).join('; ')}
        </p>
      )}
    </Alert>
    </>
  );
}

/** The profile editor: edit, validate, "what would change", save, apply/undo, TuneD in/out and exports. */
export function ProfileView() {
  const hostId = useAppStore((s) => s.hostId);
  const { profile, setProfile, profileName, setProfileName, profileCheck, checkProfile, saveProfile, runExport, planApply, target, hostKernel } = useKernelStore();
  const [text, setText] = useState(() => linesText(profile));
  const [saved, setSaved] = useState<{ ok: boolean; msg: string } | null>(null);
  const [importing, setImporting] = useState(false);
  // The text follows the profile when it changes elsewhere (Add to profile, TuneD import), not while typing.
  useEffect(() => setText((t) => (linesText(parseLines(t)) === linesText(profile) ? t : linesText(profile))), [profile]);
  const commit = () => setProfile(parseLines(text));
  const empty = parseLines(text).length === 0;
  return (
    <div className="hd-kernel-profile">
      <div>
        <Title headingLevel="h2" size="lg">Profile</Title>
        <p className="hd-kernel-subtle">Add keys from the Live parameters list, type them, or import a TuneD profile. Values are checked against the catalog before anything is written.</p>
        <Form onSubmit={(e) => e.preventDefault()}>
          <FormGroup label="Name" fieldId="kernel-profile-name">
            <TextInput id="kernel-profile-name" value={profileName} onChange={(_e, v) => setProfileName(v)} />
            <FormHelperText>
              <HelperText>
                <HelperTextItem>
                  Saved as /etc/sysctl.d/{profileName.replace(/\.conf$/, '') || '…'}.conf. Files are read in name order and the last assignment wins, so a high number such as 90- overrides distribution defaults.
                </HelperTextItem>
              </HelperText>
            </FormHelperText>
          </FormGroup>
          <FormGroup label="Settings, one key = value per line" fieldId="kernel-profile-text">
            <TextArea
              id="kernel-profile-text"
              className="hd-kernel-profile-text"
              aria-label="Profile settings"
              data-testid="kernel-profile-text"
              rows={10}
              placeholder={'net.core.somaxconn = 4096\nvm.max_map_count = 262144'}
              value={text}
              onChange={(_e, v) => {
                // Every edit reaches the store (and so survives a reload); the text keeps its comments and blank lines.
                setText(v);
                setProfile(parseLines(v));
              }}
              onBlur={commit}
            />
          </FormGroup>
        </Form>
        <HelperStatus hostId={hostId} what="Saving and applying kernel parameters" />
        <Toolbar>
          <ToolbarContent>
            <ToolbarItem>
              <Button data-testid="kernel-profile-check" isDisabled={empty} onClick={() => { commit(); void checkProfile(hostId); }}>
                What would change
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button variant="warning" data-testid="kernel-apply" isDisabled={empty} onClick={() => { commit(); void planApply(hostId); }}>
                Apply now…
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button
                variant="secondary"
                isDisabled={empty}
                data-testid="kernel-profile-save"
                onClick={() => {
                  commit();
                  saveProfile(hostId).then(
                    (p) => setSaved({ ok: true, msg: `Saved ${p}` }),
                    (e: { message?: string; code?: string }) => setSaved({ ok: false, msg: `${e.message ?? String(e)} ${privilegeHint(e.code ?? '') ?? ''}`.trim() }),
                  );
                }}
              >
                Save to /etc/sysctl.d
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button variant="secondary" data-testid="kernel-tuned-import-open" onClick={() => setImporting(true)}>
                Import TuneD…
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button variant="secondary" data-testid="kernel-export-tuned" isDisabled={empty} onClick={() => { commit(); void runExport('tuned', hostId); }}>
                Export TuneD
              </Button>
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
        {saved && <Alert variant={saved.ok ? 'success' : 'danger'} isInline title={saved.msg} />}
        <ApplyOutcome />
        {profileCheck.state === 'loading' && <Spinner size="md" aria-label="Checking the profile" />}
        {profileCheck.state === 'error' && <Alert variant="danger" isInline title={profileCheck.message} />}
        {profileCheck.state === 'ready' &&
          (profileCheck.value.entries.length === 0 ? (
            <EmptyState titleText="The profile is empty" headingLevel="h3">
              <EmptyStateBody>Type key = value lines, add parameters from the list, or import a TuneD profile.</EmptyStateBody>
            </EmptyState>
          ) : (
            <Table aria-label="What would change" variant="compact" data-testid="kernel-profile-diff">
              <Thead>
                <Tr>
                  <Th>Key</Th>
                  <Th>Live</Th>
                  <Th>Profile</Th>
                  <Th>Change</Th>
                </Tr>
              </Thead>
              <Tbody>
                {profileCheck.value.entries.map((e) => (
                  <Tr key={e.key} data-testid={`kernel-diff-${e.key}`} data-change={e.error ? 'error' : e.change}>
                    <Td>
                      <code>{e.key}</code>
                    </Td>
                    <Td>
                      <code>{e.live ?? '—'}</code>
                    </Td>
                    <Td>
                      <code>{e.value}</code>
                    </Td>
                    <Td>
                      {e.error ? (
                        <Label color="red" isCompact>
                          {e.error}
                        </Label>
                      ) : e.change === 'change' ? (
                        <Label color="orange" isCompact>
                          changes
                        </Label>
                      ) : (
                        <Label isCompact>{e.change}</Label>
                      )}
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          ))}
      </div>
      <div>
        <Title headingLevel="h2" size="lg">Export for Kubernetes</Title>
        <p className="hd-kernel-subtle">
          {targetText(target, hostKernel)}: the profile is split into what a pod may set, what the kubelet must allow first, and what only the node can set, with the reason for every key.
        </p>
        <Toolbar>
          <ToolbarContent>
            <ToolbarItem>
              <Button variant="secondary" data-testid="kernel-export-pod" isDisabled={empty} onClick={() => { commit(); void runExport('pod', hostId); }}>
                Pod / Deployment…
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button variant="secondary" data-testid="kernel-export-kubelet" isDisabled={empty} onClick={() => { commit(); void runExport('kubelet', hostId); }}>
                Kubelet…
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button variant="secondary" data-testid="kernel-export-node" isDisabled={empty} onClick={() => { commit(); void runExport('node', hostId); }}>
                Node…
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button variant="secondary" data-testid="kernel-export-sandbox" isDisabled={empty} onClick={() => { commit(); void runExport('sandbox', hostId); }}>
                ACK secure sandbox…
              </Button>
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
      </div>
      {importing && <TunedImportDialog onClose={() => setImporting(false)} />}
      <ApplyConfirm />
      <ExportDialog />
    </div>
  );
}
