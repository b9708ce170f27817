import { useEffect, useState } from 'react';
import { Alert, Button, Form, FormGroup, FormHelperText, HelperText, HelperTextItem, TextArea, TextInput, Title, Toolbar, ToolbarContent, ToolbarItem } from '@patternfly/react-core';
import { ExportDialog } from './ExportDialog';
import { useKernelStore, weakeningOfError, type ProfileLine } from '../store';
import type { WeakeningOut } from '../../../../shared/kernel/contract';
import { WeakeningConfirm } from './Weakening';
import { targetText } from '../verdict';
import { HelperStatus, privilegeHint } from '../../helper/HelperStatus';
import { TunedImportDialog } from './TunedImportDialog';
import { ApplyConfirm } from './ApplyConfirm';
import { ApplyOutcome } from './ApplyOutcome';
import { ProfileDiff } from './ProfileDiff';
import { WriteButton } from '../../app/capabilities';

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

/** The profile editor: edit, validate, "what would change", save, apply/undo, TuneD in/out and exports. */
export function ProfileView() {
  const { profile, setProfile, profileName, setProfileName, checkProfile, saveProfile, runExport, planApply, target, hostKernel } = useKernelStore();
  const [text, setText] = useState(() => linesText(profile));
  const [saved, setSaved] = useState<{ ok: boolean; msg: string } | null>(null);
  const [importing, setImporting] = useState(false);
  /** The save the host refused until its security-weakening settings are confirmed. */
  const [saveWeakening, setSaveWeakening] = useState<WeakeningOut[] | null>(null);
  const save = (confirmWeakening?: string[]) => {
    setSaveWeakening(null);
    saveProfile(confirmWeakening).then(
      (p) => setSaved({ ok: true, msg: `Saved ${p}` }),
      (e: { message?: string; code?: string }) => {
        const weak = weakeningOfError(e);
        if (weak) {
          setSaved(null);
          setSaveWeakening(weak);
        } else setSaved({ ok: false, msg: `${e.message ?? String(e)} ${privilegeHint(e.code ?? '') ?? ''}`.trim() });
      },
    );
  };
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
        <HelperStatus what="Saving and applying kernel parameters" />
        <Toolbar>
          <ToolbarContent>
            <ToolbarItem>
              <Button data-testid="kernel-profile-check" isDisabled={empty} onClick={() => { commit(); void checkProfile(); }}>
                What would change
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <WriteButton variant="warning" data-testid="kernel-apply" isDisabled={empty} onClick={() => { commit(); void planApply(); }}>
                Apply now…
              </WriteButton>
            </ToolbarItem>
            <ToolbarItem>
              <WriteButton
                variant="secondary"
                isDisabled={empty}
                data-testid="kernel-profile-save"
                onClick={() => {
                  commit();
                  save();
                }}
              >
                Save to /etc/sysctl.d
              </WriteButton>
            </ToolbarItem>
            <ToolbarItem>
              <Button variant="secondary" data-testid="kernel-tuned-import-open" onClick={() => setImporting(true)}>
                Import TuneD…
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button variant="secondary" data-testid="kernel-export-tuned" isDisabled={empty} onClick={() => { commit(); void runExport('tuned'); }}>
                Export TuneD
              </Button>
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
        {saved && <Alert variant={saved.ok ? 'success' : 'danger'} isInline title={saved.msg} />}
        <ApplyOutcome />
        <ProfileDiff />
      </div>
      <div>
        <Title headingLevel="h2" size="lg">Export for Kubernetes</Title>
        <p className="hd-kernel-subtle">
          {targetText(target, hostKernel)}: the profile is split into what a pod may set, what the kubelet must allow first, and what only the node can set, with the reason for every key.
        </p>
        <Toolbar>
          <ToolbarContent>
            <ToolbarItem>
              <Button variant="secondary" data-testid="kernel-export-pod" isDisabled={empty} onClick={() => { commit(); void runExport('pod'); }}>
                Pod / Deployment…
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button variant="secondary" data-testid="kernel-export-kubelet" isDisabled={empty} onClick={() => { commit(); void runExport('kubelet'); }}>
                Kubelet…
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button variant="secondary" data-testid="kernel-export-node" isDisabled={empty} onClick={() => { commit(); void runExport('node'); }}>
                Node…
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button variant="secondary" data-testid="kernel-export-sandbox" isDisabled={empty} onClick={() => { commit(); void runExport('sandbox'); }}>
                ACK secure sandbox…
              </Button>
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
      </div>
      {importing && <TunedImportDialog onClose={() => setImporting(false)} />}
      {saveWeakening && (
        <WeakeningConfirm items={saveWeakening} action="Save to /etc/sysctl.d" testId="kernel-save-weakening" onConfirm={() => save(saveWeakening.map((w) => w.key))} onCancel={() => setSaveWeakening(null)} />
      )}
      <ApplyConfirm />
      <ExportDialog />
    </div>
  );
}
