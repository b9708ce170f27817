import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Alert, Button, CodeBlock, CodeBlockCode, ExpandableSection, FormSelect, FormSelectOption, ToggleGroup, ToggleGroupItem } from '@patternfly/react-core';
import type { CompareResult } from '../../../../shared/compare/diff';
import { defaultSelection } from '../../../../shared/compare/fix';
import { hostApi, deckApi } from '../../app/api';
import { useAppStore } from '../../app/store';
import { canWrite } from '../../../../shared/hosts/capabilities';
import { WeakeningNotice } from '../../kernel/components/Weakening';
import type { WeakeningOut } from '../../../../shared/kernel/contract';
import { useCompareStore } from '../store';
import { download } from './download';

type Format = 'ansible' | 'sysctl' | 'firewall-cmd' | 'k8s-node';
type Out = { title: string; files: { name: string; text: string }[]; notes: string[]; settings: { key: string; value: string }[]; weakening: (WeakeningOut & { confirmed: boolean })[]; sysctlFile?: string };

/**
 * "Make them the same" for the chosen keys and zones: an Ansible playbook with its inventory, a
 * sysctl profile (saved or applied on a host through the profile feature), a firewall-cmd
 * script, or the Kubernetes node-level export.
 */
export function FixPanel({ result }: { result: CompareResult }) {
  const { hosts, baseline, layer, dnsName, k8s, chosenKeys, chosenObjects } = useCompareStore(useShallow((s) => ({ hosts: s.hosts, baseline: s.baseline, layer: s.layer, dnsName: s.dnsName, k8s: s.k8s, chosenKeys: s.chosenKeys, chosenObjects: s.chosenObjects })));
  const { setChosen } = useCompareStore.getState();
  const [format, setFormat] = useState<Format>('ansible');
  const [out, setOut] = useState<Out | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [target, setTarget] = useState('');
  const [applied, setApplied] = useState<string | null>(null);
  /** Keys whose security-weakening baseline values the user chose to include (they were shown what each weakens). */
  const [confirmed, setConfirmed] = useState<string[]>([]);
  // Only hosts whose capabilities say they take changes are offered; the others say why.
  const summaries = useAppStore((s) => (s.hosts.state === 'ready' ? s.hosts.value : []));
  const capsOf = (id: string) => summaries.find((x) => x.id === id)?.capabilities;
  const candidates = result.hosts.filter((h, i) => i !== result.baseline && h.status === 'ok');
  const writable = candidates.filter((h) => {
    const c = capsOf(h.id);
    return !!c && canWrite(c);
  });
  const unwritable = candidates.filter((h) => !writable.includes(h)).map((h) => ({ id: h.id, why: capsOf(h.id)?.missing.writes ?? `${h.label} takes no changes from HostDeck.` }));

  const generate = async (confirmWeakening = confirmed) => {
    setError(null);
    setApplied(null);
    try {
      const selection = { sysctl: chosenKeys, firewall: chosenObjects };
      // A fix is planned on one layer (its plays set both); the three-way view plans on the permanent one.
      const base = { hosts, baseline: baseline ?? undefined, layer: layer === 'both' ? ('permanent' as const) : layer, dnsName, k8s };
      if (format === 'k8s-node') {
        const f = await deckApi.compare.fix({ ...base, selection, format: 'sysctl', confirmWeakening });
        if (!f.settings.length) throw new Error('Choose at least one kernel parameter the baseline has');
        const e = await hostApi('local').kernel.export({ kind: 'node', settings: f.settings, k8s, name: 'hostdeck-compare' });
        setOut({ title: 'Kubernetes node-level', files: e.documents.map((d) => ({ name: `${d.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.${d.language === 'yaml' ? 'yaml' : 'conf'}`, text: d.text })), notes: e.placements.map((p) => `${p.key}: ${p.reason}`), settings: f.settings, weakening: f.weakening });
        return;
      }
      const f = await deckApi.compare.fix({ ...base, selection, format, confirmWeakening });
      const files = [{ name: f.filename, text: f.text }, ...(f.inventory ? [{ name: 'inventory.ini', text: f.inventory }] : [])];
      setOut({ title: format, files, notes: [...f.notes, f.differing.length ? `Differing hosts: ${f.differing.join(', ')}` : 'No chosen host differs from the baseline.'], settings: f.settings, weakening: f.weakening, sysctlFile: f.sysctlFile });
    } catch (e) {
      setOut(null);
      setError((e as Error).message);
    }
  };

  const onHost = async (how: 'save' | 'apply') => {
    if (!out || !target) return;
    setError(null);
    try {
      if (how === 'save') {
        // The file name that sorts after the hosts' own sysctl.d files (so the fix survives a reboot).
        const name = (out.sysctlFile ?? '/etc/sysctl.d/90-hostdeck-compare.conf').replace(/^.*\//, '').replace(/\.conf$/, '');
        const cur = await hostApi(target).kernel.readProfile({ name });
        const r = await hostApi(target).kernel.saveProfile({ name, settings: out.settings, expectedSha256: cur.sha256, ...weakeningConfirmation(out) });
        setApplied(`Saved ${r.path}`);
      } else {
        const r = await hostApi(target).kernel.apply({ settings: out.settings, ...weakeningConfirmation(out) });
        setApplied(`Applied: ${r.summary.applied} changed, ${r.summary.unchanged} unchanged, ${r.summary.failed} failed`);
      }
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <ExpandableSection toggleText={`Make them the same (${chosenKeys.length} keys, ${chosenObjects.length} zones/policies chosen)`} data-testid="compare-fix">
      <div className="hd-compare-page">
        <div className="hd-compare-toolbar">
          <Button
            variant="secondary"
            onClick={() => {
              const s = defaultSelection(result);
              setChosen(s.sysctl, s.firewall);
            }}
          >
            Choose every difference
          </Button>
          <Button variant="link" onClick={() => setChosen([], [])}>
            Clear
          </Button>
          <ToggleGroup aria-label="Fix format">
            {(
              [
                ['ansible', 'Ansible playbook'],
                ['sysctl', 'sysctl profile'],
                ['firewall-cmd', 'firewall-cmd script'],
                ['k8s-node', 'Kubernetes node'],
              ] as const
            ).map(([f, t]) => (
              <ToggleGroupItem key={f} text={t} isSelected={format === f} onChange={() => setFormat(f)} />
            ))}
          </ToggleGroup>
          <Button variant="primary" onClick={() => void generate()} data-testid="compare-fix-generate">
            Generate
          </Button>
        </div>
        {error ? <Alert variant="danger" isInline title={error} data-testid="compare-fix-error" /> : null}
        {applied ? <Alert variant="success" isInline title={applied} /> : null}
        {out ? (
          <>
            {out.weakening.length > 0 && (
              <WeakeningNotice
                items={out.weakening}
                accepted={out.weakening.every((w) => w.confirmed)}
                onAccept={(v) => {
                  const keys = v ? out.weakening.map((w) => w.key) : [];
                  setConfirmed(keys);
                  void generate(keys);
                }}
                testId="compare-fix-weakening"
              />
            )}
            {out.notes.map((n) => (
              <span key={n} className="hd-compare-subtle">
                {n}
              </span>
            ))}
            {out.files.map((f) => (
              <div key={f.name}>
                <div className="hd-compare-toolbar">
                  <strong>{f.name}</strong>
                  <Button variant="link" isInline onClick={() => download(f.name, f.text)}>
                    Download
                  </Button>
                  <Button variant="link" isInline onClick={() => void navigator.clipboard?.writeText(f.text)}>
                    Copy
                  </Button>
                </div>
                <CodeBlock className="hd-compare-code">
                  <CodeBlockCode data-testid="compare-fix-text">{f.text}</CodeBlockCode>
                </CodeBlock>
              </div>
            ))}
            {format === 'sysctl' && out.settings.length ? (
              <div className="hd-compare-toolbar">
                <FormSelect value={target} onChange={(_e, v) => setTarget(v)} aria-label="Host to save or apply the profile on" className="hd-compare-select">
                  <FormSelectOption value="" label="Host to change…" isPlaceholder />
                  {writable.map((h) => (
                    <FormSelectOption key={h.id} value={h.id} label={h.label} />
                  ))}
                </FormSelect>
                <Button variant="secondary" isDisabled={!target || !writable.length} data-write="true" aria-describedby={unwritable.length ? 'compare-fix-unwritable' : undefined} onClick={() => void onHost('save')}>
                  Save as {out.sysctlFile ?? '/etc/sysctl.d/90-hostdeck-compare.conf'}
                </Button>
                <Button variant="secondary" isDisabled={!target || !writable.length} data-write="true" aria-describedby={unwritable.length ? 'compare-fix-unwritable' : undefined} onClick={() => void onHost('apply')}>
                  Apply now
                </Button>
                {unwritable.length ? (
                  <ul id="compare-fix-unwritable" className="hd-compare-note" data-testid="compare-fix-unwritable">
                    {unwritable.map((u) => (
                      <li key={u.id}>{u.why}</li>
                    ))}
                  </ul>
                ) : null}
              </div>
            ) : null}
          </>
        ) : null}
      </div>
    </ExpandableSection>
  );
}

/** The weakening settings in a fix were confirmed in the panel: the helper gets the same confirmation. */
function weakeningConfirmation(out: Out): { confirmWeakening?: string[] } {
  const keys = out.weakening.filter((w) => w.confirmed && out.settings.some((x) => x.key === w.key)).map((w) => w.key);
  return keys.length ? { confirmWeakening: keys } : {};
}
